/**
 * The loudness meter's fused stereo K-weighting loop against its per-channel loop: a stereo
 * signal measured as stereo (fused loop) and as L, R plus a silent centre channel (per-channel
 * loop; the silent channel adds exactly +0) must give bit-identical results.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LoudnessMeter } from "./loudness.js";

test("fused stereo weighting is bit-identical to the per-channel loop", () => {
  const rate = 48000, frames = rate * 12;
  const l = new Float32Array(frames), r = new Float32Array(frames), silent = new Float32Array(frames);
  let seed = 3;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const env = (i >> 14) % 4 === 0 ? 0.02 : 0.7;
    l[i] = env * Math.sin((2 * Math.PI * 997 * i) / rate) + 0.05 * (seed / 4294967296 - 0.5);
    r[i] = env * 0.5 * Math.sin((2 * Math.PI * 61 * i) / rate) - 0.05 * (seed / 4294967296 - 0.5);
  }
  const stereo = new LoudnessMeter({ sampleRateHz: rate, channels: 2, series: true });
  const three = new LoudnessMeter({ sampleRateHz: rate, channels: 3, channelMask: 0x7, series: true });
  for (let at = 0, k = 0; at < frames; k++) {
    const n = Math.min([4096, 1, 5000, 333][k % 4], frames - at);
    stereo.add([l.subarray(at), r.subarray(at)], n);
    three.add([l.subarray(at), r.subarray(at), silent.subarray(at)], n);
    at += n;
  }
  for (const q of ["integratedLufs", "loudnessRangeLu", "maxMomentaryLufs", "maxShortTermLufs", "momentaryLufs", "shortTermLufs"] as const) {
    assert.ok(Object.is(stereo[q](), three[q]()), `${q}: ${stereo[q]()} vs ${three[q]()}`);
  }
  assert.deepStrictEqual(stereo.series(), three.series());
  assert.ok(Number.isFinite(stereo.integratedLufs()));
});
