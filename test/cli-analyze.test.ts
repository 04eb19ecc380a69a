/**
 * `mastersmith analyze` as users run it: the built command (bin/mastersmith.js over dist/), in
 * its own process, on generated conformance signals, corpus files and broken inputs.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createWavWriter } from "../src/io/wav-writer.js";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "bin", "mastersmith.js");
const CORPUS = resolve(ROOT, "..", "shared", "corpus", "dev");

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes a stereo sine of `frames` at `peakDbfs` as a WAV. */
async function sineWav(path: string, { sampleRateHz = 48000, seconds = 20, peakDbfs = -18, bitDepth = 24 as 16 | 24 } = {}): Promise<void> {
  const frames = Math.round(sampleRateHz * seconds);
  const w = await createWavWriter(path, { sampleRateHz, channels: 2, bitDepth, sampleFormat: "int" });
  const amp = Math.pow(10, peakDbfs / 20);
  const block = [new Float32Array(4800), new Float32Array(4800)];
  for (let start = 0; start < frames; start += 4800) {
    const n = Math.min(4800, frames - start);
    for (let i = 0; i < n; i++) block[0][i] = block[1][i] = amp * Math.sin((2 * Math.PI * 1000 * (start + i)) / sampleRateHz);
    await w.write(block, n);
  }
  await w.close();
}

let dir = "";
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mastersmith-cli-"));
  await sineWav(join(dir, "calibration.wav"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("mastersmith analyze", () => {
  test("--help lists the command; unknown commands are usage errors", () => {
    const help = cli("--help");
    assert.equal(help.status, 0);
    assert.match(help.stdout, /analyze/);
    const bad = cli("frobnicate");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown command/);
  });

  test("--json on the EBU calibration tone: I = -18.0 LUFS and the documented shape", () => {
    const r = cli("analyze", "--json", join(dir, "calibration.wav"));
    assert.equal(r.status, 0, r.stderr);
    const [result] = JSON.parse(r.stdout);
    assert.equal(result.file, join(dir, "calibration.wav"));
    assert.deepEqual(
      { ...result.format, durationS: Math.round(result.format.durationS * 1000) / 1000 },
      { container: "wav", codec: "pcm_s24le", sampleRate: 48000, channels: 2, bitDepth: 24, sampleFormat: "int",
        frames: 960000, durationS: 20, channelMask: 3 },
    );
    const l = result.loudness;
    assert.ok(Math.abs(l.integratedLufs - -18) <= 0.05, `integrated ${l.integratedLufs}`);
    assert.ok(Math.abs(l.maxMomentaryLufs - -18) <= 0.05);
    assert.ok(Math.abs(l.maxShortTermLufs - -18) <= 0.05);
    assert.ok(Math.abs(l.lraLu) <= 0.1);
    assert.ok(Math.abs(l.samplePeakDbfs - -18) <= 0.01);
    assert.ok(l.truePeakDbtp >= -18.01 && l.truePeakDbtp <= -17.9);
    assert.ok(Math.abs(l.plrDb - (l.truePeakDbtp - l.integratedLufs)) < 1e-9);
    assert.ok(Array.isArray(result.diagnostics));
    assert.ok(result.stereo && result.spectrum, "stereo and spectrum sections");
    assert.equal(result.series, undefined, "series only with --series");
  });

  test("--series: entry k is the window ending at (k+1) x hopS; null until the window is full", () => {
    const r = cli("analyze", "--json", "--series", join(dir, "calibration.wav"));
    assert.equal(r.status, 0, r.stderr);
    const { series } = JSON.parse(r.stdout)[0];
    assert.equal(series.hopS, 0.01);
    assert.equal(series.momentaryLufs.length, 2000);
    assert.equal(series.momentaryLufs[38], null); // window ends at 0.39 s < 400 ms
    assert.ok(Math.abs(series.momentaryLufs[39] - -18) < 0.05); // ends at 0.40 s
    assert.equal(series.shortTermLufs[298], null);
    assert.ok(Math.abs(series.shortTermLufs[299] - -18) < 0.05);
  });

  test("readable summary without --json", () => {
    const r = cli("analyze", join(dir, "calibration.wav"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /integrated -18\.0 LUFS/);
    assert.match(r.stdout, /true peak -1[78]\.\d\d dBTP/);
  });

  test("a corpus FLAC agrees with the reference measurements in dev.json", () => {
    const refs = JSON.parse(readFileSync(join(CORPUS, "dev.json"), "utf8")).tracks;
    const ref = refs.find((t: { id: string }) => t.id === "dev05_city_blues");
    const r = cli("analyze", "--json", join(CORPUS, "dev05_city_blues.flac"));
    assert.equal(r.status, 0, r.stderr);
    const { loudness, format } = JSON.parse(r.stdout)[0];
    assert.equal(format.container, "flac");
    assert.equal(format.bitDepth, 24);
    assert.ok(Math.abs(loudness.integratedLufs - ref.measured.integrated_lufs) <= 0.05);
    assert.ok(Math.abs(loudness.truePeakDbtp - ref.measured.true_peak_dbtp) <= 0.1);
    assert.ok(Math.abs(loudness.lraLu - ref.measured.lra_lu) <= 0.5);
  });

  test("silence: loudness is null, never -Infinity, and the file is flagged", async () => {
    const path = join(dir, "silence.wav");
    await sineWav(path, { seconds: 2, peakDbfs: -Infinity });
    const r = cli("analyze", "--json", "--series", path);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /Infinity|NaN/);
    const [result] = JSON.parse(r.stdout);
    assert.equal(result.loudness.integratedLufs, null);
    assert.equal(result.loudness.truePeakDbtp, null);
    assert.ok(result.diagnostics.some((d: { code: string }) => d.code === "W_SILENT"));
  });

  test("broken inputs: a clear coded error per file, non-zero exit, the good file still reported", () => {
    const empty = join(dir, "empty.wav");
    writeFileSync(empty, "");
    const text = join(dir, "notes.wav");
    writeFileSync(text, "these are not the samples you are looking for\n".repeat(20));
    const random = join(dir, "random.flac");
    writeFileSync(random, Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) & 0xff));
    const truncated = join(dir, "truncated.wav");
    writeFileSync(truncated, readFileSync(join(dir, "calibration.wav")).subarray(0, 100_000));
    const folder = join(dir, "a-folder.wav");
    mkdirSync(folder);
    const missing = join(dir, "missing.wav");
    const good = join(dir, "calibration.wav");

    const r = cli("analyze", "--json", empty, text, random, truncated, folder, missing, good);
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, "no stack trace");
    const results = JSON.parse(r.stdout);
    const codes = Object.fromEntries(results.map((x: { file: string; error?: { code: string } }) => [x.file, x.error?.code ?? "ok"]));
    assert.deepEqual(codes, {
      [empty]: "E_EMPTY_FILE", [text]: "E_UNSUPPORTED_FORMAT", [random]: "E_UNSUPPORTED_FORMAT",
      [truncated]: "E_TRUNCATED", [folder]: "E_IS_DIRECTORY", [missing]: "E_NOT_FOUND", [good]: "ok",
    });
    for (const x of results) if (x.error) assert.ok(x.error.message.includes(x.file), `message names the file: ${x.error.message}`);

    const plain = cli("analyze", truncated);
    assert.equal(plain.status, 1);
    assert.match(plain.stderr, /E_TRUNCATED/);
  });
});
