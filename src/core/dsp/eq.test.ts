import { test } from "node:test";
import assert from "node:assert/strict";
import { Eq, DEFAULTS } from "./eq.js";
import { magnitudeDb, type EqBand } from "../design/eq-design.js";
import { defaultLinearPhaseTaps } from "../design/fir-design.js";
import { processorContract } from "../../test-support/processor-contract.js";

const MIXED: EqBand[] = [
  { shape: "highPass", freqHz: 25, q: 0.7071 },
  { shape: "bell", freqHz: 250, gainDb: -3, q: 1 },
  { shape: "bell", freqHz: 12000, gainDb: 4, q: 2 },
  { shape: "highShelf", freqHz: 9000, gainDb: 2 },
  { shape: "tilt", freqHz: 1000, gainDb: -1 },
];

processorContract("eq, minimum phase", () => new Eq({ bands: MIXED }));
processorContract("eq, linear phase", () => new Eq({ bands: MIXED, phase: "linear" }));

function render(eq: Eq, input: Float32Array[], sampleRateHz: number, block = 1000): Float32Array[] {
  eq.prepare({ sampleRateHz, channels: input.length, maxBlockFrames: 4096 });
  const out = input.map((c) => Float32Array.from(c));
  for (let off = 0; off < out[0].length; off += block) {
    const n = Math.min(block, out[0].length - off);
    eq.process(out.map((c) => c.subarray(off, off + n)), n);
  }
  return out;
}

function noise(frames: number, seed: number): Float32Array {
  const x = new Float32Array(frames);
  let s = seed;
  for (let n = 0; n < frames; n++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[n] = 0.5 * (s / 4294967296 - 0.5);
  }
  return x;
}

test("defaults: no bands, minimum phase", () => {
  assert.deepEqual(DEFAULTS, { bands: [], phase: "minimum" });
});

test("flat minimum-phase EQ is bit-exact", () => {
  const x = [noise(10000, 1), noise(10000, 2)];
  const y = render(new Eq({ bands: [{ shape: "bell", freqHz: 1000, gainDb: 0 }, { shape: "tilt", freqHz: 500, gainDb: 0 }] }), x, 44100);
  assert.deepEqual(y, x);
});

test("flat linear-phase EQ is a pure delay: nulls below −120 dB", () => {
  for (const fs of [44100, 96000]) {
    const eq = new Eq({ bands: [{ shape: "bell", freqHz: 1000, gainDb: 0 }], phase: "linear" });
    const frames = fs;
    const x = [noise(frames, 3)];
    const y = render(eq, x, fs, 777);
    const d = eq.latencySamples;
    assert.equal(d, (defaultLinearPhaseTaps(fs) - 1) / 2);
    let err = 0;
    let sig = 0;
    for (let n = d; n < frames; n++) {
      err += (y[0][n] - x[0][n - d]) ** 2;
      sig += x[0][n - d] ** 2;
    }
    const nullDb = 10 * Math.log10(err / sig);
    assert.ok(nullDb < -120, `null at ${fs}: ${nullDb.toFixed(1)} dB`);
  }
});

/** Gain of a steady sine through the EQ, in dB (after the filters settle). */
function sineGainDb(eq: Eq, freqHz: number, fs: number): number {
  const frames = Math.round(fs * 0.8);
  const x = new Float32Array(frames);
  for (let n = 0; n < frames; n++) x[n] = 0.25 * Math.sin((2 * Math.PI * freqHz * n) / fs);
  const y = render(eq, [x], fs)[0];
  const from = Math.round(fs * 0.4);
  let a = 0;
  let b = 0;
  for (let n = from; n < frames; n++) { a += y[n] * y[n]; b += x[n - eq.latencySamples] ** 2; }
  return 10 * Math.log10(a / b);
}

test("measured sine gains follow magnitudeDb in both phase modes", () => {
  const fs = 48000;
  for (const freqHz of [100, 250, 1000, 5000, 12000, 16000]) {
    const expected = magnitudeDb(MIXED, freqHz, fs);
    const minGain = sineGainDb(new Eq({ bands: MIXED }), freqHz, fs);
    const linGain = sineGainDb(new Eq({ bands: MIXED, phase: "linear" }), freqHz, fs);
    assert.ok(Math.abs(minGain - expected) < 0.02, `minimum phase at ${freqHz} Hz: ${minGain} vs ${expected}`);
    assert.ok(Math.abs(linGain - expected) < 0.05, `linear phase at ${freqHz} Hz: ${linGain} vs ${expected}`);
  }
});

test("linear phase: a symmetric impulse response centred on the latency", () => {
  const fs = 44100;
  const eq = new Eq({ bands: [{ shape: "bell", freqHz: 3000, gainDb: 6, q: 1 }], phase: "linear" });
  const frames = defaultLinearPhaseTaps(fs);
  const x = new Float32Array(frames);
  x[0] = 0.5;
  const y = render(eq, [x], fs, 500)[0];
  const c = eq.latencySamples;
  for (let k = 1; k < 2000; k++) assert.ok(Math.abs(y[c + k] - y[c - k]) < 1e-7, `asymmetry at ±${k}`);
});
