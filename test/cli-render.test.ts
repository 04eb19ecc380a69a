/** `mastersmith render` as users run it: the built command on corpus audio. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openAudioFile } from "../src/io/open.js";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "bin", "mastersmith.js");
const CORPUS = resolve(ROOT, "..", "shared", "corpus", "dev");

function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 180_000, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const cli = (...args: string[]) => run(process.execPath, [CLI, ...args]);

async function readAll(path: string): Promise<Float32Array[]> {
  const reader = await openAudioFile(path);
  const parts: Float32Array[][] = [];
  for await (const block of reader.blocks(65536)) parts.push(block.map((ch) => ch.slice()));
  await reader.close();
  const frames = parts.reduce((n, p) => n + p[0].length, 0);
  return reader.info.channels === 0 ? [] : Array.from({ length: reader.info.channels }, (_, c) => {
    const out = new Float32Array(frames);
    let at = 0;
    for (const p of parts) { out.set(p[c], at); at += p[c].length; }
    return out;
  });
}

/** ffmpeg's BS.1770 meter (independent of ours): integrated loudness and true peak. */
function ffmpegMeter(path: string): { integratedLufs: number; truePeakDbtp: number } {
  const r = run("ffmpeg", ["-nostats", "-hide_banner", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-"]);
  const summary = r.stderr.slice(r.stderr.lastIndexOf("Summary:"));
  return {
    integratedLufs: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]),
    truePeakDbtp: Number(/Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)![1]),
  };
}

let dir = "";
let mix = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "mastersmith-render-"));
  mix = join(dir, "mix.wav");
  // 12 s of the unmastered-like corpus track as a 24-bit WAV.
  const r = run("ffmpeg", ["-v", "error", "-i", join(CORPUS, "dev07_weight_of_revenge_UNMASTERED.flac"), "-t", "12", "-c:a", "pcm_s24le", mix]);
  assert.equal(r.status, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("mastersmith render", () => {
  test("an empty chain is bit-exact: 24-bit in, 24-bit out, no dither", async () => {
    writeFileSync(join(dir, "empty.json"), JSON.stringify({ version: 1, stages: [] }));
    const out = join(dir, "empty.wav");
    const r = cli("render", mix, "-o", out, "--chain", join(dir, "empty.json"));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(out).subarray(-100000), readFileSync(mix).subarray(-100000));
    assert.deepEqual(await readAll(out), await readAll(mix));
  });

  test("a mastering chain: same length, limiter ceiling held by ffmpeg's meter, 16-bit dithered to the grid", async () => {
    const chain = join(dir, "chain.json");
    writeFileSync(chain, JSON.stringify({ version: 1, stages: [
      { type: "highpass", cutoffHz: 20 },
      { type: "eq", phase: "linear", bands: [{ shape: "lowShelf", freqHz: 120, gainDb: 1.5 }, { shape: "highShelf", freqHz: 8000, gainDb: 2 }] },
      { type: "multibandCompressor", crossoversHz: [120, 1000, 6000], bands: [{}, {}, {}, {}] },
      { type: "imager", crossoversHz: [300, 4000], widthsPct: [100, 110, 120], monoBelowHz: 100 },
      { type: "gain", gainDb: 12 },
      { type: "limiter", ceilingDbtp: -1 },
    ] }));
    const out = join(dir, "master16.wav");
    const r = cli("render", mix, "-o", out, "--chain", chain, "--bit-depth", "16", "--json");
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(result.output.dither, { shape: "tpdf", seed: 1, bitDepth: 16 });
    const [a, b] = [await readAll(mix), await readAll(out)];
    assert.equal(b[0].length, a[0].length);
    for (const v of b[0].subarray(0, 50000)) assert.equal(v * 32768, Math.round(v * 32768));
    const m = ffmpegMeter(out);
    assert.ok(m.truePeakDbtp <= -1.0, `ffmpeg true peak ${m.truePeakDbtp}`);
    assert.ok(m.integratedLufs > -16, `louder than the mix: ${m.integratedLufs}`);
  });

  test("any output format from the extension: FLAC keeps the length, the chain is applied once", async () => {
    const chain = join(dir, "gain.json");
    writeFileSync(chain, JSON.stringify({ version: 1, stages: [{ type: "gain", gainDb: -6 }] }));
    const out = join(dir, "quieter.flac");
    const r = cli("render", mix, "-o", out, "--chain", chain, "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).output.format, "flac");
    const [a, b] = [await readAll(mix), await readAll(out)];
    assert.equal(b[0].length, a[0].length);
    // -6 dB, dithered to 24 bits: within 2 LSB of the exact product.
    for (let i = 1000; i < 1100; i++) assert.ok(Math.abs(b[0][i] - a[0][i] * Math.pow(10, -6 / 20)) < 2 / 8388608);
  });

  test("bad chains and existing outputs are clear errors; nothing half-written is left", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ version: 1, stages: [{ type: "gain" }, { type: "limiter", ceilingDbtp: 3 }] }));
    const r1 = cli("render", mix, "-o", join(dir, "x.wav"), "--chain", bad);
    assert.equal(r1.status, 1);
    assert.match(r1.stderr, /E_INVALID_CHAIN.*stage 2 \(limiter\)\.ceilingDbtp: must be from -20 to 0/);
    writeFileSync(join(dir, "notjson.json"), "{ version: 1");
    assert.match(cli("render", mix, "-o", join(dir, "x.wav"), "--chain", join(dir, "notjson.json")).stderr, /E_INVALID_CHAIN.*not valid JSON/);
    writeFileSync(join(dir, "exists.wav"), "precious");
    const r2 = cli("render", mix, "-o", join(dir, "exists.wav"), "--chain", join(dir, "empty.json"));
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /E_OUTPUT_EXISTS/);
    assert.equal(readFileSync(join(dir, "exists.wav"), "utf8"), "precious");
    assert.equal(existsSync(join(dir, "x.wav")), false);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".partial")), []);
    assert.equal(cli("render", mix, "--chain", bad).status, 2);
  });
});
