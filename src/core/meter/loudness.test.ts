import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { LoudnessMeter } from "./loudness.js";
import { TruePeakMeter } from "./true-peak.js";
import { stereo, toneSegments } from "./ebu-signals.js";

/** Deterministic test programme: noise bursts, tones and silence (exercises both gates). */
function programme(rate: number, seconds: number): Float32Array[] {
  const n = Math.round(rate * seconds);
  const l = new Float32Array(n), r = new Float32Array(n);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296) - 0.5;
  for (let i = 0; i < n; i++) {
    const t = i / rate, env = Math.floor(t * 2.7) % 3 === 0 ? 0 : Math.floor(t * 2.7) % 3 === 1 ? 0.5 : 0.03;
    l[i] = env * (rnd() + 0.5 * Math.sin(2 * Math.PI * 440 * t));
    r[i] = env * (rnd() + 0.5 * Math.sin(2 * Math.PI * 97 * t));
  }
  return [l, r];
}

function feed(m: { add(c: Float32Array[], n: number): void }, signal: Float32Array[], sizes: () => number): void {
  const n = signal[0].length;
  for (let i = 0; i < n;) {
    const k = Math.min(sizes(), n - i);
    m.add(signal.map((c) => c.subarray(i, i + k)), k);
    i += k;
  }
}

function summary(m: LoudnessMeter) {
  const s = m.series();
  return {
    I: m.integratedLufs(), LRA: m.loudnessRangeLu(), maxM: m.maxMomentaryLufs(), maxS: m.maxShortTermLufs(),
    M: m.momentaryLufs(), S: m.shortTermLufs(), seriesM: [...s.momentaryLufs], seriesS: [...s.shortTermLufs],
  };
}

describe("LoudnessMeter", () => {
  test("results do not depend on block sizes (1, 7, 4096, random)", () => {
    const rate = 44100, signal = programme(rate, 8);
    const make = () => new LoudnessMeter({ sampleRateHz: rate, channels: 2, series: true });
    const whole = make();
    whole.add(signal, signal[0].length);
    const ref = summary(whole);
    assert.ok(Number.isFinite(ref.I) && ref.LRA > 0);
    let seed = 7;
    const random = () => 1 + ((seed = (seed * 48271) % 2147483647) % 5000);
    for (const [name, sizes] of [["1", () => 1], ["7", () => 7], ["4096", () => 4096], ["random", random]] as [string, () => number][]) {
      const m = make();
      feed(m, signal, sizes);
      assert.deepEqual(summary(m), ref, `block size ${name}`);
    }
  });

  test("reset gives the same results as a fresh meter", () => {
    const rate = 48000, signal = programme(rate, 5);
    const m = new LoudnessMeter({ sampleRateHz: rate, channels: 2, series: true });
    m.add(programme(rate, 3), 3 * rate);
    m.reset();
    m.add(signal, signal[0].length);
    const fresh = new LoudnessMeter({ sampleRateHz: rate, channels: 2, series: true });
    fresh.add(signal, signal[0].length);
    assert.deepEqual(summary(m), summary(fresh));
  });

  test("silence reads -Infinity, LRA 0; short input has no full window", () => {
    const m = new LoudnessMeter({ sampleRateHz: 44100, channels: 2, series: true });
    const z = new Float32Array(44100 * 4);
    m.add([z, z], z.length);
    assert.equal(m.integratedLufs(), -Infinity);
    assert.equal(m.loudnessRangeLu(), 0);
    assert.equal(m.maxMomentaryLufs(), -Infinity);
    assert.equal(m.momentaryLufs(), -Infinity);
    assert.equal(m.series().momentaryLufs[100], -Infinity);
    assert.ok(Number.isNaN(m.series().momentaryLufs[10]));
    const short = new LoudnessMeter({ sampleRateHz: 44100, channels: 1 });
    const tone = toneSegments(44100, [{ durationS: 0.3, levelsDbfs: [-20] }]);
    short.add(tone, tone[0].length);
    assert.equal(short.momentaryLufs(), -Infinity);
    assert.equal(short.integratedLufs(), -Infinity);
  });

  test("album: integrated and LRA over several meters equal one meter over the concatenation's blocks", () => {
    const rate = 48000;
    const a = toneSegments(rate, [stereo(10, -20)]), b = toneSegments(rate, [stereo(10, -30)]);
    const ma = new LoudnessMeter({ sampleRateHz: rate, channels: 2 }), mb = new LoudnessMeter({ sampleRateHz: rate, channels: 2 });
    ma.add(a, a[0].length);
    mb.add(b, b[0].length);
    const album = LoudnessMeter.integratedLufsOf([ma, mb]);
    // Equal block counts: the mean energy of -20 and -30 (both pass the relative gate).
    const want = 10 * Math.log10((Math.pow(10, ma.integratedLufs() / 10) + Math.pow(10, mb.integratedLufs() / 10)) / 2);
    assert.ok(Math.abs(album - want) < 1e-9, `${album} vs ${want}`);
    const lra = LoudnessMeter.loudnessRangeOf([ma, mb]);
    assert.ok(Math.abs(lra - 10) < 0.2, `album LRA ${lra}`);
  });

  test("rates from 8 kHz to 384 kHz: a -23 dBFS 1 kHz stereo tone reads -23 LUFS", () => {
    for (const rate of [8000, 11025, 22050, 32000, 88200, 96000, 176400, 192000, 384000]) {
      const m = new LoudnessMeter({ sampleRateHz: rate, channels: 2 });
      const sig = toneSegments(rate, [stereo(4, -23)]);
      m.add(sig, sig[0].length);
      assert.ok(Math.abs(m.integratedLufs() + 23) < 0.1, `${rate} Hz: ${m.integratedLufs()}`);
      assert.ok(Math.abs(m.maxShortTermLufs() + 23) < 0.1, `${rate} Hz max S: ${m.maxShortTermLufs()}`);
      assert.equal(m.hopFrames, Math.floor(rate / 100));
    }
  });

  test("5.1: the LFE channel is ignored", () => {
    const rate = 48000;
    const sig = toneSegments(rate, [{ durationS: 5, levelsDbfs: [-23, -23, null, -3, null, null] }]);
    const m = new LoudnessMeter({ sampleRateHz: rate, channels: 6 });
    m.add(sig, sig[0].length);
    assert.ok(Math.abs(m.integratedLufs() + 23) < 0.1);
  });
});

// ---- The dev corpus against ffmpeg 5.1 ebur128 and libebur128 1.2.6 (dev.json) ----

const CORPUS = "/work/shared/corpus";

/** Decodes a FLAC file with the flac tool to planar Float32 (minimal WAV parsing). */
function decodeFlac(path: string): { rate: number; channels: Float32Array[] } {
  const wav = execFileSync("flac", ["-d", "-c", "-s", path], { maxBuffer: 1 << 30 });
  let p = 12, rate = 0, nch = 0, bits = 0;
  while (p + 8 <= wav.length) {
    const id = wav.toString("latin1", p, p + 4);
    let size = wav.readUInt32LE(p + 4);
    if (id === "fmt ") { nch = wav.readUInt16LE(p + 10); rate = wav.readUInt32LE(p + 12); bits = wav.readUInt16LE(p + 22); }
    if (id === "data") {
      if (p + 8 + size > wav.length) size = wav.length - p - 8;
      const bytes = bits / 8, frames = Math.floor(size / (bytes * nch)), scale = 1 / Math.pow(2, bits - 1);
      const channels = Array.from({ length: nch }, () => new Float32Array(frames));
      for (let i = 0, q = p + 8; i < frames; i++) for (let c = 0; c < nch; c++, q += bytes) channels[c][i] = wav.readIntLE(q, bytes) * scale;
      return { rate, channels };
    }
    p += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

interface Track {
  id: string; file: string;
  measured: { integrated_lufs: number; lra_lu: number; true_peak_dbtp: number };
  measured_libebur128: { integrated_lufs: number; lra_lu: number; true_peak_dbtp: number };
}

describe("dev corpus against ffmpeg and libebur128", () => {
  const tracks = (JSON.parse(readFileSync(`${CORPUS}/dev/dev.json`, "utf8")) as { tracks: Track[] }).tracks;
  for (const t of tracks) {
    test(t.id, (ctx) => {
      const { rate, channels } = decodeFlac(`${CORPUS}/${t.file}`);
      const lm = new LoudnessMeter({ sampleRateHz: rate, channels: channels.length });
      const tp = new TruePeakMeter({ sampleRateHz: rate, channels: channels.length });
      feed(lm, channels, () => 4096);
      feed(tp, channels, () => 4096);
      const got = { I: lm.integratedLufs(), LRA: lm.loudnessRangeLu(), TP: tp.truePeakDbtp() };
      const refs = [
        { name: "ffmpeg", I: t.measured.integrated_lufs, LRA: t.measured.lra_lu, TP: t.measured.true_peak_dbtp },
        { name: "libebur128", I: t.measured_libebur128.integrated_lufs, LRA: t.measured_libebur128.lra_lu, TP: t.measured_libebur128.true_peak_dbtp },
      ];
      const tol = { I: 0.05, LRA: 0.5, TP: 0.1 };
      for (const key of ["I", "LRA", "TP"] as const) {
        const deltas = refs.map((r) => `${r.name} ${(got[key] - r[key]).toFixed(3)}`).join(", ");
        ctx.diagnostic(`${key} ${got[key].toFixed(3)} (${deltas})`);
        assert.ok(refs.some((r) => Math.abs(got[key] - r[key]) <= tol[key]), `${t.id} ${key} ${got[key]}: ${deltas}`);
      }
    });
  }
});
