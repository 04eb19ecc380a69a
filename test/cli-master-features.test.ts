/**
 * `mastersmith master` features and bad inputs: several outputs from one render, --save-plan /
 * --plan round trip, --report, batch to a directory, codec-safe MP3/AAC, dev02 at low intensity
 * changed little, dev07 improved, and inputs that must give a sensible result or a clear error.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bestLag, cli, excerpt, ffmpegMeter, readAll, run } from "./cli-master-support.js";

let dir = "";
let mix = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "mastersmith-master-f-"));
  mix = join(dir, "dev07.wav");
  excerpt("dev07_weight_of_revenge_UNMASTERED.flac", mix, 15, 12);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function hasNaN(text: string): boolean {
  return /NaN|Infinity/.test(text);
}

describe("mastersmith master: outputs and plans", () => {
  test("two formats from one render, a report file, a saved plan that re-renders to the same master", () => {
    const wav = join(dir, "m.wav");
    const flac = join(dir, "m.flac");
    const planFile = join(dir, "plan.json");
    const reportFile = join(dir, "report.json");
    const r = cli("master", mix, "-o", wav, "-o", flac, "--target", "apple", "--save-plan", planFile, "--report", reportFile, "--json");
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.outputs.length, 2);
    assert.deepEqual(JSON.parse(readFileSync(reportFile, "utf8")), report);
    assert.equal(report.target.integratedLufs, -16);
    assert.ok(Math.abs(report.measurements.output.integratedLufs + 16) <= 0.1);
    assert.ok(report.platforms.length >= 6 && report.platforms.every((p: { gainDb: number }) => Number.isFinite(p.gainDb)));
    assert.ok(Array.isArray(report.mixFeedback));
    assert.ok(report.plan.decisions.length > 0 && report.plan.decisions.every((d: { why: string }) => d.why.length > 0));
    assert.ok(typeof report.limiter.errorDb === "number");
    assert.equal(report.dither.seed, 1);
    assert.ok(!hasNaN(r.stdout));
    for (const f of [wav, flac]) {
      const m = ffmpegMeter(f);
      assert.ok(Math.abs(m.integratedLufs + 16) <= 0.2, `${f}: ${m.integratedLufs}`);
      assert.ok(m.truePeakDbtp <= -1, `${f}: ${m.truePeakDbtp}`);
    }
    // The saved plan holds the tuned drive: rendering it again gives the same loudness in one pass.
    const again = join(dir, "again.wav");
    const r2 = cli("master", mix, "-o", again, "--plan", planFile, "--json");
    assert.equal(r2.status, 0, r2.stderr);
    const report2 = JSON.parse(r2.stdout);
    assert.equal(report2.loudness.iterations.length, 1);
    assert.ok(Math.abs(report2.measurements.output.integratedLufs - report.measurements.output.integratedLufs) < 0.01);
    // An existing output is not overwritten without --force.
    const r3 = cli("master", mix, "-o", wav);
    assert.notEqual(r3.status, 0);
    assert.match(r3.stderr, /E_OUTPUT_EXISTS/);
  });

  test("a phase-neutral plan (drive and limiter only) is sample-aligned and the same length", async () => {
    const planFile = join(dir, "neutral.json");
    writeFileSync(planFile, JSON.stringify({
      version: 1, target: { name: "custom", integratedLufs: -11, ceilingDbtp: -1, source: "test" },
      style: { name: "balanced", chosenBy: "user", why: "test" }, amounts: { eqPct: 0, dynamicsPct: 0, widthPct: 0 },
      chain: { version: 1, stages: [{ type: "gain", gainDb: 0 }, { type: "limiter", ceilingDbtp: -1 }] }, decisions: [],
    }));
    const out = join(dir, "neutral.wav");
    const r = cli("master", mix, "-o", out, "--plan", planFile, "--bit-depth", "32f", "--json");
    assert.equal(r.status, 0, r.stderr);
    const [a, b] = [await readAll(mix), await readAll(out)];
    assert.equal(b[0].length, a[0].length);
    assert.equal(bestLag(a[0], b[0], 64), 0);
    assert.ok(JSON.parse(r.stdout).limiter.gainReduction.meanGrDb > 0, "the limiter worked");
  });

  test("batch: several inputs to a directory, each on target", () => {
    const second = join(dir, "second.wav");
    excerpt("dev05_city_blues.flac", second, 10, 8);
    const outDir = join(dir, "batch") + "/";
    const r = cli("master", mix, second, "-o", outDir, "--lufs", "-15", "--ceiling", "-1.5", "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "", "no progress bar when piped");
    const reports = JSON.parse(r.stdout);
    assert.equal(reports.length, 2);
    assert.deepEqual(readdirSync(outDir).sort(), ["dev07.wav", "second.wav"]);
    for (const name of ["dev07.wav", "second.wav"]) {
      const m = ffmpegMeter(join(outDir, name));
      assert.ok(Math.abs(m.integratedLufs + 15) <= 0.2, `${name}: ${m.integratedLufs}`);
      assert.ok(m.truePeakDbtp <= -1.5, `${name}: ${m.truePeakDbtp}`);
    }
  });

  test("codec-safe MP3 320 and AAC 256 decode (ffmpeg) under the ceiling", () => {
    for (const [name, bitrate] of [["cs.mp3", "320"], ["cs.m4a", "256"]] as const) {
      const out = join(dir, name);
      const r = cli("master", mix, "-o", out, "--lufs", "-9", "--ceiling", "-1", "--bitrate", bitrate, "--codec-safe", "--json");
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.ok(report.outputs[0].codecSafe !== null);
      const m = ffmpegMeter(out);
      assert.ok(m.truePeakDbtp <= -1, `${name}: decoded true peak ${m.truePeakDbtp} dBTP (limiter ceiling ${report.outputs[0].codecSafe.limiterCeilingDbtp})`);
    }
  });
});

describe("mastersmith master: what it does to the music", () => {
  test("dev02 (loud, mastered) at low intensity is changed little; dev07 (unmastered) gets louder with its dynamics kept", () => {
    const d2 = join(dir, "dev02.wav");
    excerpt("dev02_chaos_god.flac", d2, 15, 12);
    const r2 = cli("master", d2, "-o", join(dir, "dev02-m.wav"), "--intensity", "low", "--json");
    assert.equal(r2.status, 0, r2.stderr);
    const a = JSON.parse(r2.stdout);
    const types = a.plan.chain.stages.map((s: { type: string }) => s.type);
    console.log(`dev02 low: stages ${types.join(", ")}; LRA ${a.measurements.input.lraLu.toFixed(1)} -> ${a.measurements.output.lraLu.toFixed(1)} LU; GR mean ${a.limiter.gainReduction.meanGrDb.toFixed(2)} dB; limiter error ${a.limiter.errorDb} dB`);
    assert.ok(Math.abs(a.measurements.output.lraLu - a.measurements.input.lraLu) <= 1);
    assert.ok(a.limiter.gainReduction.meanGrDb < 0.5);

    const r7 = cli("master", mix, "-o", join(dir, "dev07-m.wav"), "--json");
    assert.equal(r7.status, 0, r7.stderr);
    const b = JSON.parse(r7.stdout);
    console.log(`dev07: ${b.measurements.input.integratedLufs.toFixed(1)} -> ${b.measurements.output.integratedLufs.toFixed(1)} LUFS; LRA ${b.measurements.input.lraLu.toFixed(1)} -> ${b.measurements.output.lraLu.toFixed(1)} LU; style ${b.plan.style.name}`);
    assert.ok(b.measurements.output.integratedLufs - b.measurements.input.integratedLufs > 5);
    assert.ok(Math.abs(b.measurements.output.lraLu - b.measurements.input.lraLu) <= 3, "loudness range kept within 3 LU");
  });
});

describe("mastersmith master: bad inputs", () => {
  const make = (name: string, args: string[]): string => {
    const path = join(dir, name);
    const r = run("ffmpeg", ["-v", "error", "-y", ...args, path]);
    assert.equal(r.status, 0, r.stderr);
    return path;
  };

  test("silence, 0.5 s, a clipped square wave, mono, 5.1 and 8 kHz: a sensible result or a clear error, never NaN", () => {
    const cases: [string, string[]][] = [
      ["silence.wav", ["-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "5", "-c:a", "pcm_s24le"]],
      ["short.wav", ["-f", "lavfi", "-i", "sine=f=440:r=44100", "-t", "0.5", "-ac", "2", "-c:a", "pcm_s24le"]],
      ["square.wav", ["-f", "lavfi", "-i", "aevalsrc=if(lt(mod(t\\,0.01)\\,0.005)\\,1\\,-1):s=44100", "-t", "5", "-ac", "2", "-c:a", "pcm_s16le"]],
      ["mono.wav", ["-i", mix, "-t", "6", "-ac", "1", "-c:a", "pcm_s24le"]],
      ["surround.wav", ["-f", "lavfi", "-i", "anoisesrc=r=48000:a=0.1:c=pink", "-t", "5", "-af", "pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0", "-c:a", "pcm_s24le"]],
      ["low-rate.wav", ["-i", mix, "-t", "6", "-ar", "8000", "-c:a", "pcm_s16le"]],
    ];
    const rows: string[] = [];
    for (const [name, args] of cases) {
      const input = make(name, args);
      const out = join(dir, `out-${name}`);
      const r = cli("master", input, "-o", out, "--json");
      assert.ok(r.status === 0 || r.status === 1, `${name}: exit ${r.status}`);
      assert.ok(!/at .*\.js:\d+/.test(r.stderr), `${name}: a stack trace: ${r.stderr}`);
      if (r.status === 0) {
        assert.ok(!hasNaN(r.stdout), `${name}: NaN in the report`);
        const report = JSON.parse(r.stdout);
        const o = report.measurements.output;
        rows.push(`${name}: ${o.integratedLufs} LUFS, ${o.truePeakDbtp} dBTP, warnings ${report.warnings.map((w: { code: string }) => w.code).join(",")}`);
        assert.ok(o.truePeakDbtp === null || o.truePeakDbtp <= -1, `${name}: true peak ${o.truePeakDbtp}`);
        assert.ok(existsSync(out));
      } else {
        rows.push(`${name}: ${r.stderr.trim()}`);
        assert.match(r.stderr, /error E_[A-Z_]+: .*out-|error E_[A-Z_]+: .*\.wav/);
        assert.ok(!existsSync(out), `${name}: no half-written output`);
      }
    }
    console.log(rows.join("\n"));
    writeFileSync(join(dir, "bad.txt"), rows.join("\n"));
  });
});
