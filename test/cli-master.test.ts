/**
 * `mastersmith master` as users run it: every dev corpus track (15 s excerpts) at four targets,
 * checked by our meter (the report) and by ffmpeg's ebur128 (independent BS.1770 meter):
 * loudness on target, true peak under the ceiling, same length, sample-aligned (click test of each plan).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, CORPUS, clickResidual, excerpt, ffmpegMeter, pool, readAll, runAsync } from "./cli-master-support.js";

const TARGETS: readonly [lufs: number, ceiling: number][] = [[-14, -1], [-16, -1], [-9, -0.5], [-23, -1]];
const EXCERPT_S = 15;

let dir = "";
const tracks: string[] = [];
before(() => {
  dir = mkdtempSync(join(tmpdir(), "mastersmith-master-"));
  for (const f of readdirSync(CORPUS).filter((n) => n.endsWith(".flac")).sort()) {
    const out = join(dir, f.replace(/\.flac$/, ".wav"));
    excerpt(f, out, 15, EXCERPT_S);
    tracks.push(out);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("mastersmith master: every dev track at four targets", () => {
  test("loudness within 0.1 LU (ours) / 0.2 LU (ffmpeg), true peak under the ceiling, same length, aligned", async () => {
    assert.equal(tracks.length, 7);
    const jobs = tracks.flatMap((mix) => TARGETS.map(([lufs, ceiling]) => async () => {
      const out = join(dir, `${mix.slice(dir.length + 1, -4)}_${-lufs}.wav`);
      const r = await runAsync(process.execPath, [CLI, "master", mix, "-o", out, "--lufs", String(lufs), "--ceiling", String(ceiling), "--json"]);
      return { mix, out, lufs, ceiling, r };
    }));
    const results = await pool(jobs, 2);
    const failures: string[] = [];
    const rows: string[] = [];
    for (const { mix, out, lufs, ceiling, r } of results) {
      const name = `${mix.slice(dir.length + 1)} @ ${lufs}/${ceiling}`;
      if (r.status !== 0) { failures.push(`${name}: exit ${r.status}: ${r.stderr}`); continue; }
      const report = JSON.parse(r.stdout);
      const ours = report.measurements.output;
      const ff = ffmpegMeter(out);
      rows.push(`${name}: ours ${ours.integratedLufs.toFixed(3)} LUFS ${ours.truePeakDbtp.toFixed(2)} dBTP; ffmpeg ${ff.integratedLufs} LUFS ${ff.truePeakDbtp} dBTP; GR mean ${report.limiter.gainReduction.meanGrDb.toFixed(2)} max ${report.limiter.gainReduction.maxGrDb.toFixed(2)}; passes ${report.loudness.iterations.length}`);
      if (Math.abs(ours.integratedLufs - lufs) > 0.1) failures.push(`${name}: our meter ${ours.integratedLufs}`);
      if (Math.abs(ff.integratedLufs - lufs) > 0.2) failures.push(`${name}: ffmpeg ${ff.integratedLufs}`);
      if (ours.truePeakDbtp > ceiling) failures.push(`${name}: our true peak ${ours.truePeakDbtp}`);
      if (ff.truePeakDbtp > ceiling) failures.push(`${name}: ffmpeg true peak ${ff.truePeakDbtp}`);
      const [a, b] = [await readAll(mix), await readAll(out)];
      if (a[0].length !== b[0].length) failures.push(`${name}: length ${b[0].length} != ${a[0].length}`);
      // Alignment, by a click test of the plan that made this master: a -60 dBFS click (below every
      // threshold) through the chain, its measured transfer function divided by the designed
      // one (minimum-phase EQ and highpass, crossover all-passes). A latency the renderer failed to
      // remove would leave a whole number of samples of delay; the crossovers' low-frequency group
      // delay (what fooled a whole-band cross-correlation into 2-37 samples of "lag") is design,
      // not latency. The file pipeline's own alignment is checked with a phase-neutral plan in
      // cli-master-features.test.ts.
      const click = clickResidual(report.plan.chain, report.sampleRateHz);
      rows[rows.length - 1] += `; click residual delay ${click.delaySamples.toExponential(1)} samples`;
      if (!(Math.abs(click.delaySamples) < 0.01)) failures.push(`${name}: residual delay ${click.delaySamples} samples after latency removal`);
    }
    console.log(rows.join("\n"));
    assert.deepEqual(failures, []);
  });
});
