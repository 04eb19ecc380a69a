import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { diagnose, type DiagnosticsInput } from "./diagnostics.js";
import { SignalChecksMeter } from "./signal-checks.js";
import { SpectrumMeter } from "./spectrum.js";
import { StereoMeter } from "./stereo.js";

const FS = 44100;

/** Runs the three meters on planar audio in 4096-frame blocks. */
function measureAll(chans: Float32Array[], rateHz = FS) {
  const opts = { sampleRateHz: rateHz, channels: chans.length };
  const checks = new SignalChecksMeter(opts);
  const spectrum = new SpectrumMeter(opts);
  const stereo = new StereoMeter({ ...opts, spectrum });
  const n = chans[0].length;
  for (let o = 0; o < n; o += 4096) {
    const len = Math.min(4096, n - o);
    const block = chans.map((c) => c.subarray(o, o + len));
    checks.add(block, len);
    spectrum.add(block, len);
    stereo.add(block, len);
  }
  return { checks: checks.result(), spectrum: spectrum.result(), stereo: stereo.result() };
}

function inputFor(chans: Float32Array[], loudness: { integratedLufs: number | null; truePeakDbtp: number | null }): DiagnosticsInput {
  const m = measureAll(chans);
  const plrDb = loudness.integratedLufs === null || loudness.truePeakDbtp === null ? null : loudness.truePeakDbtp - loudness.integratedLufs;
  return {
    ...loudness,
    samplePeakDbfs: m.checks.clipping.samplePeakDbfs,
    plrDb,
    clipping: m.checks.clipping,
    dcOffset: m.checks.dcOffset,
    stereo: m.stereo,
    silence: m.checks.silence,
  };
}

const codes = (d: { code: string }[]): string[] => d.map((x) => x.code).sort();

function noise(n: number, seed: number, a: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return a * (2 * (s / 4294967296) - 1);
  });
}

describe("diagnose", () => {
  test("a clean stereo mix gets no warnings", () => {
    const l = noise(10 * FS, 1, 0.3);
    const r = noise(10 * FS, 2, 0.3);
    for (let i = 0; i < l.length; i++) r[i] = 0.6 * r[i] + 0.4 * l[i];
    assert.deepEqual(diagnose(inputFor([l, r], { integratedLufs: -18, truePeakDbtp: -6 })), []);
  });

  test("clipping, DC, low headroom, limited, silence at both ends", () => {
    const n = 12 * FS;
    const l = new Float32Array(n);
    const body = noise(6 * FS, 3, 3);
    for (let i = 0; i < body.length; i++) l[3 * FS + i] = Math.max(-1, Math.min(1, body[i])) + 0.005;
    const d = diagnose(inputFor([l, l.map((v, i) => (i % 2 ? v : -v))], { integratedLufs: -6, truePeakDbtp: 0.4 }));
    assert.deepEqual(codes(d), ["W_ALREADY_LIMITED", "W_DC_OFFSET", "W_INPUT_CLIPPING", "W_LEADING_SILENCE", "W_LOW_HEADROOM", "W_PHASE_ISSUE", "W_TRAILING_SILENCE"]);
    const clip = d.find((x) => x.code === "W_INPUT_CLIPPING")!;
    assert.match(clip.message, /\d+ places where 3 or more samples in a row sit at full scale/);
    assert.match(d.find((x) => x.code === "W_LEADING_SILENCE")!.message, /3\.0 s of silence/);
  });

  test("mono, too quiet, phase and silent", () => {
    const l = noise(6 * FS, 4, 0.01);
    assert.deepEqual(codes(diagnose(inputFor([l, l.slice()], { integratedLufs: -38, truePeakDbtp: -30 }))), ["W_MONO", "W_TOO_QUIET"]);
    const inv = diagnose(inputFor([l, l.map((v) => -v)], { integratedLufs: -20, truePeakDbtp: -3 }));
    assert.deepEqual(codes(inv), ["W_PHASE_ISSUE"]);
    assert.match(inv[0].message, /correlation over the whole track is -1\.00/);
    const silent = diagnose(inputFor([new Float32Array(FS), new Float32Array(FS)], { integratedLufs: null, truePeakDbtp: null }));
    assert.deepEqual(codes(silent), ["W_SILENT"]);
  });
});

describe("corpus", () => {
  test("dev01 runs through every meter with finite, plausible results", () => {
    const file = "/work/shared/corpus/dev/dev01_traveling_minstrels.flac";
    const bytes = execFileSync("ffmpeg", ["-v", "error", "-i", file, "-f", "f32le", "-acodec", "pcm_f32le", "-"], { maxBuffer: 1 << 28 });
    const inter = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const n = inter.length / 2;
    const l = new Float32Array(n);
    const r = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      l[i] = inter[2 * i];
      r[i] = inter[2 * i + 1];
    }
    const m = measureAll([l, r]);
    // README: 45 s excerpt, sample peak -0.1 dBFS, nothing clipped, 10 ms fades.
    assert.ok(Math.abs(m.checks.durationS - 45) < 0.1);
    assert.ok(Math.abs(m.checks.clipping.samplePeakDbfs! - -0.1) < 0.1);
    assert.equal(m.checks.clipping.runs, 0);
    assert.ok(m.checks.silence.leadingS < 0.1 && m.checks.silence.trailingS < 0.1);
    assert.ok(m.checks.dcOffset.maxDbfs === null || m.checks.dcOffset.maxDbfs < -50);
    assert.ok(m.stereo.correlation! > 0 && m.stereo.correlation! < 0.99, `correlation ${m.stereo.correlation}`);
    assert.ok(m.stereo.sideToMidDb! < 0 && m.stereo.sideToMidDb! > -30, `side/mid ${m.stereo.sideToMidDb}`);
    assert.equal(m.stereo.windowCorrelations!.length, 15);
    for (const series of [m.spectrum.midDb, m.spectrum.sideDb, m.spectrum.loudestMidDb, m.spectrum.loudestSideDb]) {
      for (const db of series) assert.ok(db !== null && Number.isFinite(db) && db < 0 && db > -120, `band level ${db}`);
    }
    const loudestSum = 10 * Math.log10(m.spectrum.loudestMidDb.reduce((a: number, db) => a + 10 ** (db! / 10), 0));
    const overallSum = 10 * Math.log10(m.spectrum.midDb.reduce((a: number, db) => a + 10 ** (db! / 10), 0));
    assert.ok(loudestSum >= overallSum, "the loudest half is not quieter than the whole");
    const d = diagnose({
      integratedLufs: -12.9, truePeakDbtp: 0.2, samplePeakDbfs: m.checks.clipping.samplePeakDbfs, plrDb: 13.1,
      clipping: m.checks.clipping, dcOffset: m.checks.dcOffset, stereo: m.stereo, silence: m.checks.silence,
    });
    assert.deepEqual(codes(d), ["W_LOW_HEADROOM"]); // README: true peak +0.2 dBTP
    assert.ok(!JSON.stringify(m).includes("NaN"));
  });
});
