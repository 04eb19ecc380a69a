import { test } from "node:test";
import assert from "node:assert/strict";
import { designTruePeakFir, TruePeakInterpolator } from "./true-peak-fir.js";

function phaseGainDb(h: Float64Array, frequencyHz: number, rateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / rateHz;
  let re = 0, im = 0;
  for (let k = 0; k < h.length; k++) { re += h[k] * Math.cos(w * k); im -= h[k] * Math.sin(w * k); }
  return 20 * Math.log10(Math.hypot(re, im));
}

test("factor by rate: 4x up to 48 kHz, 2x above; at least 64 taps per phase", () => {
  for (const [rate, factor] of [[8000, 4], [44100, 4], [48000, 4], [88200, 2], [96000, 2], [192000, 2], [384000, 2]]) {
    const d = designTruePeakFir(rate);
    assert.equal(d.factor, factor);
    assert.equal(d.phases.length, factor);
    assert.ok(d.tapsPerPhase >= 64);
    assert.ok(d.peakGainBound > 1 && d.peakGainBound < 4);
  }
});

test("every phase is flat (+-0.002 dB) to 20 kHz at 44.1 and 48 kHz", () => {
  for (const rate of [44100, 48000]) {
    const d = designTruePeakFir(rate);
    for (const h of d.phases) for (let f = 0; f <= 20000; f += 500) {
      const g = phaseGainDb(h, f, rate);
      assert.ok(Math.abs(g) < 0.002, `${rate} Hz, ${f} Hz: ${g} dB`);
    }
  }
});

test("maxAbsPerSample equals the max |y| of upsample's values per input position", () => {
  const d = designTruePeakFir(48000);
  const x = new Float32Array(3000).map((_, i) => Math.sin(i * 0.7) * Math.cos(i * 0.013));
  const all = new Float64Array(x.length * d.factor), per = new Float64Array(x.length);
  new TruePeakInterpolator(d).upsample(x, 0, x.length, all);
  new TruePeakInterpolator(d).maxAbsPerSample(x, 0, x.length, per);
  for (let n = 0; n < x.length; n++) {
    let m = 0;
    for (let p = 0; p < d.factor; p++) m = Math.max(m, Math.abs(all[n * d.factor + p]));
    assert.equal(per[n], m);
  }
});
