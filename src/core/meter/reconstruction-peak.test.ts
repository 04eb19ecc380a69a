import { test } from "node:test";
import assert from "node:assert/strict";
import { ReconstructionPeakMeter, reconstructionLowpassTaps } from "./reconstruction-peak.js";
import { TruePeakMeter } from "./true-peak.js";

function measure(x: Float32Array[], rate: number): { reconstruction: number; truePeak: number } {
  const m = new ReconstructionPeakMeter({ sampleRateHz: rate, channels: x.length });
  for (let o = 0; o < x[0].length; o += 1000) m.add(x.map((c) => c.subarray(o, Math.min(x[0].length, o + 1000))), Math.min(1000, x[0].length - o));
  m.finish();
  const t = new TruePeakMeter({ sampleRateHz: rate, channels: x.length });
  t.add(x, x[0].length);
  return { reconstruction: m.peakDbtp(), truePeak: t.truePeakDbtp() };
}

test("the low-pass is flat to 0.9 x Nyquist and stops above Nyquist", () => {
  const h = reconstructionLowpassTaps();
  const mag = (f: number) => { let re = 0, im = 0; h.forEach((v, k) => { re += v * Math.cos(Math.PI * f * k); im -= v * Math.sin(Math.PI * f * k); }); return 20 * Math.log10(Math.hypot(re, im)); };
  for (const f of [0, 0.2, 0.5, 0.8, 0.9]) assert.ok(Math.abs(mag(f)) < 0.01, `${f} x Nyquist: ${mag(f)} dB`);
  assert.ok(mag(0.999) < -6, `at Nyquist ${mag(0.999)} dB`);
});

test("a tone well below Nyquist reads the same as the true peak", () => {
  const rate = 48000, n = rate;
  const x = [Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 997 * i) / rate))];
  const { reconstruction, truePeak } = measure(x, rate);
  assert.ok(Math.abs(reconstruction - truePeak) < 0.01, `${reconstruction} vs ${truePeak}`);
});

test("it measures the band-limited signal: a tone above 0.95 x Nyquist no longer counts", () => {
  const rate = 44100, n = rate;
  const x = [Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate) + 0.4 * Math.sin((2 * Math.PI * 21800 * i) / rate))];
  const { reconstruction, truePeak } = measure(x, rate);
  assert.ok(truePeak > -1.5, `true peak of the sum ${truePeak}`);
  // 21.8 kHz is 0.99 x Nyquist, in the filter's transition band: attenuated by about 28 dB, not gone.
  assert.ok(Math.abs(reconstruction - 20 * Math.log10(0.5)) < 0.3, `the 1 kHz tone alone: ${reconstruction} dBTP`);
});
