import { test } from "node:test";
import assert from "node:assert/strict";
import { buildChain } from "./build.js";
import { renderChainOffline } from "./offline.js";
import { validateChainSpec, type ChainSpec } from "./spec.js";
import { STAGE_TYPES } from "./stages.js";
import { ChainRenderer } from "./renderer.js";
import { contractSignal } from "../../test-support/processor-contract.js";

/** One of every stage type, with a few non-default settings. */
export const EVERY_STAGE: unknown = {
  version: 1,
  stages: [
    { type: "highpass", cutoffHz: 25 },
    { type: "eq", bands: [{ shape: "lowShelf", freqHz: 100, gainDb: 2 }, { shape: "bell", freqHz: 12000, gainDb: -3, q: 2 }] },
    { type: "eq", phase: "linear", bands: [{ shape: "tilt", freqHz: 1000, gainDb: 1 }] },
    { type: "matchEq", midCurve: { freqHz: [50, 1000, 10000], gainDb: [2, 0, -2] }, amountPct: 50 },
    { type: "compressor", thresholdDb: -24, ratio: 2, attackMs: 20, releaseMs: 200 },
    { type: "multibandCompressor", crossoversHz: [150, 2500], bands: [{ thresholdDb: -30 }, { thresholdDb: -28 }, { thresholdDb: -32 }] },
    { type: "imager", crossoversHz: [300], widthsPct: [80, 120], monoBelowHz: 80 },
    { type: "saturator", driveDb: 3 },
    { type: "clipper", thresholdDb: -0.5 },
    { type: "gain", gainDb: 6 },
    { type: "limiter", ceilingDbtp: -1 },
  ],
};

test("every stage type builds into a processor", () => {
  const spec = validateChainSpec(EVERY_STAGE);
  assert.deepEqual(new Set(spec.stages.map((s) => s.type)), new Set(STAGE_TYPES));
  assert.equal(buildChain(spec).length, spec.stages.length);
});

test("an empty chain is bit-exact", () => {
  const x = contractSignal(2, 30000, 44100, -0.5);
  assert.deepEqual(renderChainOffline({ version: 1, stages: [] }, x, 44100), x);
});

test("a full chain renders finite output of the input's length, identical whatever the push sizes", () => {
  const x = contractSignal(2, 44100, 44100, -3);
  const whole = renderChainOffline(EVERY_STAGE, x, 44100);
  assert.equal(whole[0].length, x[0].length);
  for (const ch of whole) for (const v of ch) assert.ok(Number.isFinite(v));
  const r = new ChainRenderer(buildChain(validateChainSpec(EVERY_STAGE) as ChainSpec), { sampleRateHz: 44100, channels: 2, maxBlockFrames: 4096 });
  const out = [new Float32Array(44100), new Float32Array(44100)];
  let at = 0;
  const sink = (chs: Float32Array[], n: number): void => { chs.forEach((ch, c) => out[c].set(ch.subarray(0, n), at)); at += n; };
  for (let o = 0; o < 44100; o += 1000) r.push(x.map((ch) => ch.subarray(o, Math.min(44100, o + 1000))), Math.min(1000, 44100 - o), sink);
  r.finish(sink);
  assert.deepEqual(out, whole);
});

test("latency is removed: a linear chain keeps an impulse where it was", () => {
  const x = [new Float32Array(20000), new Float32Array(20000)];
  x[0][5000] = x[1][5000] = 0.25;
  const y = renderChainOffline({ version: 1, stages: [
    { type: "eq", phase: "linear", bands: [{ shape: "bell", freqHz: 3000, gainDb: 3, q: 1 }] },
    { type: "matchEq", midCurve: { freqHz: [100, 10000], gainDb: [1, -1] } },
    { type: "limiter" },
  ] }, x, 48000);
  for (const ch of y) {
    let at = 0;
    for (let n = 0; n < ch.length; n++) if (Math.abs(ch[n]) > Math.abs(ch[at])) at = n;
    assert.equal(at, 5000);
  }
});
