import { test } from "node:test";
import assert from "node:assert/strict";
import { designKWeighting, kWeightingMagnitudeDb } from "./k-weighting.js";

test("48 kHz coefficients equal BS.1770-4 Tables 1 and 2", () => {
  const { shelf, highPass } = designKWeighting(48000);
  const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-8, `${what}: ${a} vs ${b}`);
  near(shelf.b0, 1.53512485958697, "shelf b0");
  near(shelf.b1, -2.69169618940638, "shelf b1");
  near(shelf.b2, 1.19839281085285, "shelf b2");
  near(shelf.a1, -1.69065929318241, "shelf a1");
  near(shelf.a2, 0.73248077421585, "shelf a2");
  assert.deepEqual([highPass.b0, highPass.b1, highPass.b2], [1, -2, 1]);
  near(highPass.a1, -1.99004745483398, "high-pass a1");
  near(highPass.a2, 0.99007225036621, "high-pass a2");
});

test("the curve is nearly the same at every rate (analog prototype, pre-warped)", () => {
  const ref = designKWeighting(48000);
  for (const rate of [22050, 44100, 96000, 192000, 384000]) {
    const d = designKWeighting(rate);
    for (const f of [100, 1000, 3000]) {
      const diff = kWeightingMagnitudeDb(d, f, rate) - kWeightingMagnitudeDb(ref, f, 48000);
      assert.ok(Math.abs(diff) < 0.1, `${rate} Hz at ${f} Hz: ${diff} dB`);
    }
  }
  // At 8 kHz the bilinear transform's warping is larger (pre-warping is exact only at f0).
  const low = designKWeighting(8000);
  assert.ok(Math.abs(kWeightingMagnitudeDb(low, 1000, 8000) - kWeightingMagnitudeDb(ref, 1000, 48000)) < 0.3);
  // The shelf gives ~+4 dB at high frequencies, the high-pass removes DC.
  const d = designKWeighting(44100);
  assert.ok(Math.abs(kWeightingMagnitudeDb(d, 10000, 44100) - 4) < 0.1);
  assert.ok(kWeightingMagnitudeDb(d, 5, 44100) < -20);
});
