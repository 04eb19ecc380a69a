import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { StereoMeter } from "./stereo.js";
import { SpectrumMeter } from "./spectrum.js";

const FS = 44100;

function feed(meter: { add(c: Float32Array[], n: number): void }, chans: Float32Array[], sizes: number[]): void {
  const n = chans[0].length;
  for (let o = 0, k = 0; o < n; k++) {
    const len = Math.min(sizes[k % sizes.length], n - o);
    meter.add(chans.map((c) => c.subarray(o, o + len)), len);
    o += len;
  }
}

/** Deterministic uniform noise in [-a, a). */
function noise(n: number, seed: number, a = 0.5): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = a * (2 * (s / 4294967296) - 1);
  }
  return out;
}

function measure(chans: Float32Array[], sizes = [4096]) {
  const m = new StereoMeter({ sampleRateHz: FS, channels: chans.length });
  feed(m, chans, sizes);
  return m.result();
}

describe("StereoMeter", () => {
  const n = 6 * FS;
  const l = noise(n, 1);

  test("L = R: correlation 1, identical, no side", () => {
    const r = measure([l, l.slice()]);
    assert.ok(Math.abs(r.correlation! - 1) < 1e-12);
    assert.equal(r.identical, true);
    assert.equal(r.sideToMidDb, null);
    assert.deepEqual(r.windowCorrelations!.map((x) => Math.round(x! * 1e6) / 1e6), [1, 1]);
  });

  test("L = -R: correlation -1, side/mid null (no mid at all)", () => {
    const r = measure([l, l.map((v) => -v)]);
    assert.ok(Math.abs(r.correlation! + 1) < 1e-12);
    assert.equal(r.identical, false);
    assert.equal(r.sideToMidDb, null);
    assert.ok(Math.abs(r.minWindowCorrelation! + 1) < 1e-9);
  });

  test("uncorrelated noise: correlation near 0, side/mid near 0 dB in every band", () => {
    const r = measure([l, noise(n, 2)]);
    assert.ok(Math.abs(r.correlation!) < 0.01, `r = ${r.correlation}`);
    assert.ok(Math.abs(r.sideToMidDb!) < 0.1);
    for (const b of r.bands!) assert.ok(Math.abs(b.sideToMidDb!) < 1, `${b.name}: ${b.sideToMidDb}`);
  });

  test("a side-only band: side/mid high in that band only", () => {
    const mid = noise(n, 3, 0.2);
    const ls = new Float32Array(n);
    const rs = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const s = 0.2 * Math.sin((2 * Math.PI * 3000 * i) / FS);
      ls[i] = mid[i] + s;
      rs[i] = mid[i] - s;
    }
    const r = measure([ls, rs]);
    const byName = Object.fromEntries(r.bands!.map((b) => [b.name, b.sideToMidDb]));
    // White mid noise: power 0.04/3 over 22 kHz; side sine 0.02 in the 2-8 kHz band (6 kHz of it).
    const expectedDb = 10 * Math.log10(0.02 / ((0.04 / 3) * (6000 / 22050)));
    assert.ok(Math.abs(byName.highMid! - expectedDb) < 0.5, `highMid ${byName.highMid} vs ${expectedDb}`);
    // Not -∞ elsewhere: the low stage's CIC decimator lets the 3 kHz tone alias to 244 Hz at
    // -44 dB (spectrum.ts), which against the weak white-noise mid there reads about -24 dB.
    for (const name of ["low", "lowMid", "mid", "high"]) {
      assert.ok(byName[name] === null || byName[name]! < expectedDb - 25, `${name}: ${byName[name]}`);
    }
  });

  test("correlation per 3 s window finds a section that is out of phase", () => {
    const m = 9 * FS;
    const a = noise(m, 4);
    const b = a.slice();
    for (let i = 3 * FS; i < 6 * FS; i++) b[i] = -a[i];
    const r = measure([a, b]);
    assert.deepEqual(r.windowCorrelations!.map((x) => Math.round(x!)), [1, -1, 1]);
    assert.equal(r.minWindowStartS, 3);
    assert.ok(Math.abs(r.correlation! - 1 / 3) < 0.01);
  });

  test("one channel: stereo false, null fields, no NaN", () => {
    const r = measure([l]);
    assert.equal(r.stereo, false);
    assert.equal(r.correlation, null);
    assert.equal(r.bands, null);
    assert.ok(!JSON.stringify(r).includes("NaN"));
    const silent = measure([new Float32Array(FS), new Float32Array(FS)]);
    assert.equal(silent.correlation, null);
    assert.deepEqual(silent.windowCorrelations, [null]);
    assert.ok(!JSON.stringify(silent).includes("NaN"));
  });

  test("a shared spectrum meter gives the same band ratios as a private one", () => {
    const rr = noise(n, 5);
    const spectrum = new SpectrumMeter({ sampleRateHz: FS, channels: 2 });
    const shared = new StereoMeter({ sampleRateHz: FS, channels: 2, spectrum });
    feed(spectrum, [l, rr], [4096]);
    feed(shared, [l, rr], [4096]);
    assert.deepEqual(shared.result().bands, measure([l, rr]).bands);
  });

  test("results do not depend on block sizes (1, 7, 4096, random splits)", () => {
    const a = noise(4 * FS, 6);
    const b = noise(4 * FS, 7);
    for (let i = 0; i < a.length; i++) b[i] = 0.5 * b[i] + 0.5 * a[i];
    const ref = measure([a, b], [a.length]);
    const rnd = Array.from({ length: 101 }, (_, k) => 1 + ((k * 7919) % 6007));
    for (const sizes of [[1], [7], [4096], rnd]) {
      const r = measure([a, b], sizes);
      assert.ok(Math.abs(r.correlation! - ref.correlation!) < 1e-9);
      assert.ok(Math.abs(r.sideToMidDb! - ref.sideToMidDb!) < 1e-9);
      r.windowCorrelations!.forEach((x, k) => assert.ok(Math.abs(x! - ref.windowCorrelations![k]!) < 1e-9));
      r.bands!.forEach((x, k) => assert.ok(Math.abs(x.sideToMidDb! - ref.bands![k].sideToMidDb!) < 1e-6));
    }
  });
});
