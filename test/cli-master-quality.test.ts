/**
 * `mastersmith master` judged with numbers (issue 5 "Done means"): restrained against ffmpeg's
 * loudnorm, reference mode end to end, dev07 (unmastered) improved, dev02 at low intensity
 * changed little. Every figure is printed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderChainOffline } from "../src/core/chain/offline.js";
import { spectralDistanceDb } from "../src/core/plan/spectra.js";
import { styleMidCurveDb } from "../src/core/plan/style-curves.js";
import type { StyleName } from "../src/core/plan/types.js";
import { CORPUS, cli, excerpt, ffmpegMeter, loudnormTwoPass, readAll, restrainedResidualDb } from "./cli-master-support.js";

const TRACKS: Record<string, string> = {
  dev01: "dev01_traveling_minstrels.flac", dev02: "dev02_chaos_god.flac", dev03: "dev03_brainsukker.flac",
  dev05: "dev05_city_blues.flac", dev07: "dev07_weight_of_revenge_UNMASTERED.flac",
};
let dir = "";
const mixes: Record<string, string> = {};
before(() => {
  dir = mkdtempSync(join(tmpdir(), "mastersmith-master-q-"));
  for (const [k, f] of Object.entries(TRACKS)) { mixes[k] = join(dir, `${k}.wav`); excerpt(f, mixes[k], 15, 15); }
});
after(() => rmSync(dir, { recursive: true, force: true }));

function master(name: string, out: string, ...args: string[]) {
  const r = cli("master", mixes[name], "-o", out, "--bit-depth", "32f", "--json", ...args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const LINEAR_STAGES = new Set(["highpass", "eq", "matchEq", "imager"]);

describe("restrained: the default master alters the mix no more than ffmpeg loudnorm (dynamic, two-pass)", () => {
  test("residual after a global M/S EQ and 50 ms gains, -14 LUFS", async () => {
    const rows: string[] = [];
    const failures: string[] = [];
    for (const name of ["dev01", "dev02", "dev03", "dev05", "dev07"]) {
      const ours = join(dir, `${name}-d.wav`), ln = join(dir, `${name}-ln.wav`);
      const report = master(name, ours, "--lufs", "-14", "--ceiling", "-1");
      loudnormTwoPass(mixes[name], ln, -14, -1, 11, report.sampleRateHz);
      const a = await readAll(mixes[name]);
      const oursDb = restrainedResidualDb(a, await readAll(ours), report.sampleRateHz);
      const lnDb = restrainedResidualDb(a, await readAll(ln), report.sampleRateHz);
      // The measure's own floor for this plan: its time-invariant stages alone (highpass, EQ,
      // imager) measured the same way. They are a global EQ the measure is meant to forgive; what
      // it cannot forgive of them (1/6-octave smoothing of the crossovers' phase) is its resolution.
      const linear = report.plan.chain.stages.filter((s: { type: string }) => LINEAR_STAGES.has(s.type));
      const floorDb = linear.length === 0 ? -Infinity : restrainedResidualDb(a, renderChainOffline({ version: 1, stages: linear }, a, report.sampleRateHz), report.sampleRateHz);
      rows.push(`${name}: ours ${oursDb.toFixed(1)} dB, loudnorm ${lnDb.toFixed(1)} dB, floor of our linear stages ${floorDb.toFixed(1)} dB (GR mean ${report.limiter.gainReduction.meanGrDb.toFixed(2)} dB)`);
      if (!(oursDb <= Math.max(lnDb, floorDb + 1))) failures.push(`${name}: ours ${oursDb.toFixed(1)} > loudnorm ${lnDb.toFixed(1)} (floor ${floorDb.toFixed(1)})`);
    }
    console.log(rows.join("\n"));
    assert.deepEqual(failures, []);
  });
});

describe("reference mode end to end", () => {
  // Whole 45 s corpus tracks, as the issue states the bar ("after matching one dev track to
  // another"): on 15 s excerpts the loudest sections are two or three 3 s windows, and single
  // notes dominate third-octave bands (dev07's excerpt has a partial 24 dB over its neighbour band).
  test("dev07 → dev01 and dev05 → dev02: spectrum distance, loudness, ceiling", () => {
    const rows: string[] = [];
    for (const [mix, ref] of [["dev07", "dev01"], ["dev05", "dev02"]]) {
      const refPath = join(CORPUS, TRACKS[ref]);
      const a = cli("analyze", refPath, "--json");
      assert.equal(a.status, 0, a.stderr);
      const refA = JSON.parse(a.stdout)[0];
      const out = join(dir, `${mix}-ref-${ref}.wav`);
      const run = cli("master", join(CORPUS, TRACKS[mix]), "-o", out, "--bit-depth", "32f", "--json", "--reference", refPath);
      assert.equal(run.status, 0, run.stderr);
      const r = JSON.parse(run.stdout);
      const o = r.measurements.output, i = r.measurements.input;
      const bands = refA.spectrum.bandsHz;
      const before = spectralDistanceDb(bands, i.spectrum.loudestMidDb, refA.spectrum.loudestMidDb);
      const after = spectralDistanceDb(bands, o.spectrum.loudestMidDb, refA.spectrum.loudestMidDb);
      const ff = ffmpegMeter(out);
      rows.push(`${mix} → ${ref}: MID distance ${before.toFixed(2)} → ${after.toFixed(2)} dB RMS; loudness ${o.integratedLufs.toFixed(2)} vs reference ${refA.loudness.integratedLufs.toFixed(2)} LUFS (ffmpeg ${ff.integratedLufs}); true peak ${o.truePeakDbtp.toFixed(2)} dBTP (ffmpeg ${ff.truePeakDbtp})`);
      console.log(rows[rows.length - 1]);
      // Matchering's best published figure on pairs like these is 1.9 dB RMS.
      assert.ok(after < 1.9, `${mix} → ${ref}: distance ${after}`);
      assert.ok(Math.abs(o.integratedLufs - refA.loudness.integratedLufs) <= 0.2);
      assert.ok(o.truePeakDbtp <= -1 && ff.truePeakDbtp <= -1, `true peak ${o.truePeakDbtp} / ffmpeg ${ff.truePeakDbtp}`);
    }
  });
});

describe("judged with numbers", () => {
  test("dev07 (unmastered) improved in loudness and balance with its dynamics kept; dev02 at low intensity changed little", async () => {
    const r = master("dev07", join(dir, "dev07-m.wav"));
    const i = r.measurements.input, o = r.measurements.output;
    const curve = styleMidCurveDb(r.plan.style.name as StyleName, i.spectrum.bandsHz);
    const dBefore = spectralDistanceDb(i.spectrum.bandsHz, i.spectrum.loudestMidDb, curve);
    const dAfter = spectralDistanceDb(o.spectrum.bandsHz, o.spectrum.loudestMidDb, curve);
    console.log(`dev07: ${i.integratedLufs.toFixed(1)} → ${o.integratedLufs.toFixed(2)} LUFS (target ${r.target.integratedLufs}); distance to the ${r.plan.style.name} curve ${dBefore.toFixed(2)} → ${dAfter.toFixed(2)} dB RMS; LRA ${i.lraLu.toFixed(1)} → ${o.lraLu.toFixed(1)} LU; PLR ${i.plrDb.toFixed(1)} → ${o.plrDb.toFixed(1)} dB`);
    assert.ok(Math.abs(o.integratedLufs - r.target.integratedLufs) <= 0.1, "on target");
    assert.ok(dAfter < dBefore - 0.5, "balance: clearly closer to the style curve");
    assert.ok(Math.abs(o.lraLu - i.lraLu) <= 3, "loudness range within 3 LU");
    assert.ok(o.plrDb >= 8, "PLR not crushed");

    const q = master("dev02", join(dir, "dev02-low.wav"), "--intensity", "low");
    const a = await readAll(mixes.dev02);
    const residual = restrainedResidualDb(a, await readAll(join(dir, "dev02-low.wav")), q.sampleRateHz);
    const qi = q.measurements.input, qo = q.measurements.output;
    const moved = spectralDistanceDb(qi.spectrum.bandsHz, qo.spectrum.loudestMidDb, qi.spectrum.loudestMidDb);
    console.log(`dev02 low: ${qi.integratedLufs.toFixed(1)} → ${qo.integratedLufs.toFixed(2)} LUFS; spectrum moved ${moved.toFixed(2)} dB RMS; LRA ${qi.lraLu.toFixed(1)} → ${qo.lraLu.toFixed(1)} LU; PLR ${qi.plrDb.toFixed(1)} → ${qo.plrDb.toFixed(1)} dB; restrained residual ${residual.toFixed(1)} dB`);
    assert.ok(moved < 1, "spectrum within 1 dB RMS of the mix's");
    assert.ok(Math.abs(qo.lraLu - qi.lraLu) <= 1);
    assert.ok(residual < -30, "little beyond gain and a broad EQ");
  });
});
