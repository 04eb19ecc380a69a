import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { SignalChecksMeter, FULL_SCALE_LINEAR } from "./signal-checks.js";

const FS = 44100;

/** Feeds `chans` in blocks of the given sizes (cycled), as a decoder would. */
function feed(meter: { add(c: Float32Array[], n: number): void }, chans: Float32Array[], sizes: number[]): void {
  const n = chans[0].length;
  for (let o = 0, k = 0; o < n; k++) {
    const len = Math.min(sizes[k % sizes.length], n - o);
    meter.add(chans.map((c) => c.subarray(o, o + len)), len);
    o += len;
  }
}

function measure(chans: Float32Array[], sizes = [4096]) {
  const m = new SignalChecksMeter({ sampleRateHz: FS, channels: chans.length });
  feed(m, chans, sizes);
  return m.result();
}

describe("SignalChecksMeter", () => {
  test("DC offset of a sine with DC: the mean, in linear and dBFS", () => {
    const x = new Float32Array(FS);
    for (let i = 0; i < FS; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / FS) + 0.01;
    const r = measure([x, new Float32Array(FS)]);
    assert.ok(Math.abs(r.dcOffset.perChannelLinear[0] - 0.01) < 1e-6);
    assert.ok(Math.abs(r.dcOffset.perChannelDbfs[0]! - -40) < 1e-3);
    assert.equal(r.dcOffset.perChannelDbfs[1], null);
    assert.ok(Math.abs(r.dcOffset.maxDbfs! - -40) < 1e-3);
  });

  test("clip runs: only runs of 3 or more count, an open run at the end counts", () => {
    const x = new Float32Array(1000);
    x.fill(1, 100, 103); // run of 3 at +1
    x.fill(-1, 200, 202); // 2: not a clip
    x.fill(-1, 300, 305); // 5 at -1
    x.fill(FULL_SCALE_LINEAR, 400, 403); // 3 at 32767/32768 (16-bit positive full scale)
    x.fill(0.9999, 500, 510); // just under full scale: not clipped
    x.fill(1.2, 996, 1000); // float over, open at the end: 4
    const r = measure([x], [1]);
    assert.deepEqual(r.clipping.perChannel[0], { runs: 4, clippedSamples: 15, longestRunSamples: 5 });
    assert.equal(r.clipping.runs, 4);
    assert.equal(r.clipping.samplePeakLinear, Math.fround(1.2));
  });

  test("a hard-clipped sine has one run per half cycle", () => {
    const periodFrames = 100; // 441 Hz, 2 s
    const n = 2 * FS;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.max(-1, Math.min(1, 2 * Math.sin((2 * Math.PI * i) / periodFrames)));
    const r = measure([x]);
    // |2 sin θ| >= 1 for θ in [π/6, 5π/6]: 2/3 of each half period, 33 or 34 samples per run.
    assert.equal(r.clipping.runs, 2 * (n / periodFrames));
    assert.ok(r.clipping.longestRunSamples >= 33 && r.clipping.longestRunSamples <= 34);
    assert.ok(r.clipping.nearPeakFraction > 0.3);
  });

  test("leading and trailing silence, with -70 dBFS noise counting as silence", () => {
    const lead = Math.round(1.5 * FS);
    const body = FS;
    const tail = Math.round(2.5 * FS);
    const x = new Float32Array(lead + body + tail);
    let seed = 9;
    for (let i = 0; i < x.length; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      x[i] = 0.0003 * (seed / 4294967296 - 0.5);
    }
    for (let i = 0; i < body; i++) x[lead + i] = 0.5 * Math.sin((2 * Math.PI * 997 * (i + 0.5)) / FS);
    const r = measure([x, new Float32Array(x.length)]);
    assert.equal(r.silence.silent, false);
    assert.ok(Math.abs(r.silence.leadingS - 1.5) < 2 / FS, `leading ${r.silence.leadingS}`);
    assert.ok(Math.abs(r.silence.trailingS - 2.5) < 2 / FS, `trailing ${r.silence.trailingS}`);
    const s = measure([new Float32Array(FS)]);
    assert.equal(s.silence.silent, true);
    assert.equal(s.silence.leadingS, 1);
    assert.equal(s.clipping.samplePeakDbfs, null);
    assert.ok(!JSON.stringify(s).includes("NaN"));
  });

  test("results do not depend on block sizes (1, 7, 4096, random splits)", () => {
    const n = 3 * FS;
    const l = new Float32Array(n);
    const rr = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = 1.3 * Math.sin((2 * Math.PI * 50 * i) / FS) * Math.min(1, i / FS);
      l[i] = Math.max(-1, Math.min(1, v)) + 0.002;
      rr[i] = i < FS / 2 ? 0 : 0.3 * Math.cos((2 * Math.PI * 300 * i) / FS);
    }
    const ref = measure([l, rr], [n]);
    const rnd = Array.from({ length: 97 }, (_, k) => 1 + ((k * 7919) % 5003));
    for (const sizes of [[1], [7], [4096], rnd]) {
      const r = measure([l, rr], sizes);
      assert.deepEqual(r.clipping, ref.clipping);
      assert.deepEqual(r.silence, ref.silence);
      for (let c = 0; c < 2; c++) assert.ok(Math.abs(r.dcOffset.perChannelLinear[c] - ref.dcOffset.perChannelLinear[c]) < 1e-12);
    }
    assert.ok(ref.clipping.runs > 0);
    assert.ok(Math.abs(ref.silence.leadingS - 0) < 0.01);
  });
});
