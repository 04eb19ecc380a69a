import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { SpectrumMeter, THIRD_OCTAVE_CENTRES_HZ } from "./spectrum.js";

const FS = 44100;

function feed(meter: { add(c: Float32Array[], n: number): void }, chans: Float32Array[], sizes: number[]): void {
  const n = chans[0].length;
  for (let o = 0, k = 0; o < n; k++) {
    const len = Math.min(sizes[k % sizes.length], n - o);
    meter.add(chans.map((c) => c.subarray(o, o + len)), len);
    o += len;
  }
}

function sine(n: number, freqHz: number, amp: number, rateHz = FS): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freqHz * i) / rateHz));
}

/** Pink noise, Paul Kellet's refined filter (within ±0.05 dB of 1/f above 9.2 Hz at 44.1 kHz). */
function pink(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const w = 2 * (s / 4294967296) - 1;
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    out[i] = 0.05 * (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362);
    b6 = w * 0.115926;
  }
  return out;
}

function run(chans: Float32Array[], sizes = [4096], rateHz = FS) {
  const m = new SpectrumMeter({ sampleRateHz: rateHz, channels: chans.length });
  feed(m, chans, sizes);
  return m.result();
}

const band = (hz: number): number => THIRD_OCTAVE_CENTRES_HZ.indexOf(hz);

describe("SpectrumMeter", () => {
  test("a 1 kHz sine at -6 dBFS reads -6.02 dB in the 1 kHz band, nothing near it elsewhere", () => {
    const x = sine(5 * FS, 1000, 0.5);
    const r = run([x, x]);
    assert.ok(Math.abs(r.midDb[band(1000)]! - -6.02) < 0.05, `1 kHz band ${r.midDb[band(1000)]}`);
    r.midDb.forEach((db, b) => {
      if (b !== band(1000)) assert.ok(db === null || db < -50, `band ${r.bandsHz[b]}: ${db}`);
    });
    assert.ok(r.sideDb.every((db) => db === null), "L = R has no side");
  });

  test("low-stage sines (40 Hz, 100 Hz) land in their bands at the right level, also at 48 kHz", () => {
    for (const rateHz of [44100, 48000]) {
      const a = sine(5 * rateHz, 40, 0.25, rateHz);
      const b = sine(5 * rateHz, 100, 0.5, rateHz);
      const r = run([a, b], [4096], rateHz);
      // mid = (a+b)/2, side = (a-b)/2: each sine at half amplitude in both.
      assert.ok(Math.abs(r.midDb[band(40)]! - -18.06) < 0.1, `${rateHz}: 40 Hz ${r.midDb[band(40)]}`);
      assert.ok(Math.abs(r.midDb[band(100)]! - -12.04) < 0.1, `${rateHz}: 100 Hz ${r.midDb[band(100)]}`);
      assert.ok(Math.abs(r.sideDb[band(100)]! - -12.04) < 0.1);
    }
  });

  test("pink noise reads flat within ±1 dB per 1/3-octave band, overall and loudest", () => {
    const x = pink(30 * FS, 17);
    const r = run([x, x]);
    for (const series of [r.midDb, r.loudestMidDb]) {
      const sorted = [...series].map((v) => v!).sort((p, q) => p - q);
      const median = sorted[15];
      series.forEach((db, b) => assert.ok(Math.abs(db! - median) < 1, `band ${r.bandsHz[b]}: ${db} vs ${median}`));
    }
  });

  test("loudest sections: the louder half of 3 s windows", () => {
    // Windows 0 and 2: 1 kHz at -6 dBFS; windows 1 and 3: 100 Hz at -26 dBFS; then 1 s of 5 kHz.
    const w = 3 * FS;
    const x = new Float32Array(4 * w + FS);
    x.set(sine(w, 1000, 0.5), 0);
    x.set(sine(w, 100, 0.05), w);
    x.set(sine(w, 1000, 0.5), 2 * w);
    x.set(sine(w, 100, 0.05), 3 * w);
    x.set(sine(FS, 5000, 0.5), 4 * w);
    const r = run([x, x]);
    assert.equal(r.windowCount, 5);
    assert.equal(r.loudestWindowCount, 2);
    assert.ok(Math.abs(r.loudestMidDb[band(1000)]! - -6.02) < 0.3, `loud 1k ${r.loudestMidDb[band(1000)]}`);
    // The low stage's 0.74 s frames that straddle a window edge carry some of the quiet windows'
    // 100 Hz into the loud ones: well below its overall level, not gone.
    assert.ok(r.loudestMidDb[band(100)] === null || r.loudestMidDb[band(100)]! < r.midDb[band(100)]! - 10,
      `loud 100 ${r.loudestMidDb[band(100)]} vs overall ${r.midDb[band(100)]}`);
    assert.ok(r.loudestMidDb[band(5000)] === null || r.loudestMidDb[band(5000)]! < -50, "partial window ignored");
    // Overall: the 1 kHz tone is on for 6 of 13 s.
    assert.ok(Math.abs(r.midDb[band(1000)]! - (-6.02 + 10 * Math.log10(6 / 13))) < 0.5, `overall 1k ${r.midDb[band(1000)]}`);
  });

  test("short, mono and silent input give finite levels or null, never NaN", () => {
    const short = sine(2000, 1000, 0.5); // 45 ms: less than one frame of either stage
    const r = run([short]);
    assert.ok(Math.abs(r.midDb[band(1000)]! - -6.02) < 1, `short 1k ${r.midDb[band(1000)]}`);
    assert.ok(r.sideDb.every((v) => v === null));
    const json = JSON.stringify(run([new Float32Array(FS), new Float32Array(FS)]));
    assert.ok(!json.includes("NaN") && !json.includes("Infinity"));
    assert.deepEqual(JSON.parse(json).midDb, new Array(31).fill(null));
  });

  test("results do not depend on block sizes (1, 7, 4096, random splits)", () => {
    const x = pink(7 * FS, 3);
    const y = pink(7 * FS, 4);
    const ref = run([x, y], [x.length]);
    const rnd = Array.from({ length: 89 }, (_, k) => 1 + ((k * 7919) % 9001));
    for (const sizes of [[1], [7], [4096], rnd]) {
      const r = run([x, y], sizes);
      for (const key of ["midDb", "sideDb", "loudestMidDb", "loudestSideDb"] as const) {
        r[key].forEach((v, b) => assert.ok(Math.abs(v! - ref[key][b]!) < 1e-6, `${key} band ${b}: ${v} vs ${ref[key][b]}`));
      }
    }
  });
});
