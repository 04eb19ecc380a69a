import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MultibandCompressor, type MultibandCompressorParams } from "./multiband-compressor.js";
import { staticCurveDb } from "./dynamics.js";
import { processorContract } from "../../test-support/processor-contract.js";

processorContract("multiband compressor (defaults, 3 bands)", () => new MultibandCompressor());
processorContract("multiband compressor 3 bands, 4 ms look-ahead, rms", () => new MultibandCompressor({
  lookaheadMs: 4, detection: "rms",
  bands: [{ thresholdDb: -30, ratio: 3 }, { bypass: true }, { thresholdDb: -24, makeupDb: 2 }],
}));
processorContract("multiband compressor 5 bands, mid/side", () => new MultibandCompressor({
  crossoversHz: [80, 300, 1500, 6000], stereoMode: "midSide", stereoLinkPercent: 0,
}), {
  channels: [1, 2], impulseAmplitude: null,
  latencySkipReason: "IIR all-pass: the response starts at n = 0 but its largest tap can be n = 1 (phase, not delay); latency 0 is proved in crossover-bank.test.ts",
});

function render(params: Partial<MultibandCompressorParams>, input: Float32Array[], sampleRateHz: number, blockFrames = 2048): Float32Array[] {
  const p = new MultibandCompressor(params);
  p.prepare({ sampleRateHz, channels: input.length, maxBlockFrames: blockFrames });
  const out = input.map((c) => Float32Array.from(c));
  for (let at = 0; at < out[0].length; at += blockFrames) {
    const n = Math.min(blockFrames, out[0].length - at);
    p.process(out.map((c) => c.subarray(at, at + n)), n);
  }
  return out;
}

function dtftMagnitudeDb(h: Float32Array, frequencyHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  let re = 0, im = 0, cr = 1, ci = 0;
  const dr = Math.cos(w), di = -Math.sin(w);
  for (let n = 0; n < h.length; n++) {
    re += h[n] * cr; im += h[n] * ci;
    const t = cr * dr - ci * di; ci = cr * di + ci * dr; cr = t;
    if ((n & 1023) === 1023) { const m = Math.hypot(cr, ci); cr /= m; ci /= m; }
  }
  return 10 * Math.log10(re * re + im * im);
}

function rmsDb(x: Float32Array, from: number): number {
  let sum = 0;
  for (let n = from; n < x.length; n++) sum += x[n] * x[n];
  return 10 * Math.log10(sum / (x.length - from));
}

const tone = (frequencyHz: number, amplitude: number, frames: number, fs: number): Float32Array => {
  const x = new Float32Array(frames);
  for (let n = 0; n < frames; n++) x[n] = amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / fs);
  return x;
};

describe("multiband compressor", () => {
  test("every band at unity: summed impulse response flat within 0.01 dB, 20 Hz to 20 kHz, 2 to 5 bands", () => {
    const sets = [[1000], [150, 3000], [100, 700, 5000], [60, 250, 1200, 8000]];
    const frequencies = Array.from({ length: 100 }, (_, i) => 20 * Math.pow(1000, i / 99));
    for (const fs of [44100, 96000]) {
      for (const crossoversHz of sets) {
        for (const unity of ["below threshold", "bypass"] as const) {
          const band = unity === "bypass" ? { bypass: true } : { thresholdDb: -20 };
          const x = new Float32Array(1 << 15);
          x[0] = 0.05; // −26 dBFS: under every threshold − knee/2
          const lookaheadMs = 2;
          const y = render({ crossoversHz, lookaheadMs, bands: crossoversHz.map(() => band).concat([band]) }, [x], fs)[0];
          const latency = Math.round((lookaheadMs * fs) / 1000);
          const h = y.subarray(latency);
          let worst = 0;
          for (const f of frequencies) worst = Math.max(worst, Math.abs(dtftMagnitudeDb(h, f, fs) - 20 * Math.log10(0.05)));
          assert.ok(worst < 0.01, `${crossoversHz.join("/")} Hz, ${unity}, ${fs} Hz: ${worst} dB`);
          for (let n = 0; n < latency; n++) assert.equal(y[n], 0, "nothing before the look-ahead latency");
        }
      }
    }
  });

  test("compresses the band a loud tone lives in, and only that band", () => {
    const fs = 48000;
    const frames = fs;
    // 60 Hz at −6 dBFS (low band) plus 5 kHz at −30 dBFS (high band, under its threshold).
    const low = tone(60, 0.5, frames, fs), high = tone(5000, 0.0316, frames, fs);
    const mix = new Float32Array(frames);
    for (let n = 0; n < frames; n++) mix[n] = low[n] + high[n];
    const params: Partial<MultibandCompressorParams> = {
      crossoversHz: [200, 2000],
      bands: [{ thresholdDb: -20, ratio: 4, kneeDb: 0, attackMs: 5, releaseMs: 800 }, { thresholdDb: -20 }, { thresholdDb: -20 }],
    };
    const y = render(params, [mix], fs)[0];
    // Separate the two tones in the output by single-bin DFT magnitudes over the last half second.
    const amplitudeAt = (x: Float32Array, f: number): number => {
      let re = 0, im = 0;
      for (let n = frames / 2; n < frames; n++) { const a = (2 * Math.PI * f * n) / fs; re += x[n] * Math.cos(a); im -= x[n] * Math.sin(a); }
      return (2 * Math.hypot(re, im)) / (frames / 2);
    };
    const lowGainDb = 20 * Math.log10(amplitudeAt(y, 60) / 0.5);
    const highGainDb = 20 * Math.log10(amplitudeAt(y, 5000) / 0.0316);
    // Static curve for a −6 dBFS peak: T + (x − T)/R − x = −20 + 14/4 + 6 = −10.5 dB.
    const expected = staticCurveDb(20 * Math.log10(0.5), -20, 4, 0) - 20 * Math.log10(0.5);
    assert.ok(Math.abs(lowGainDb - expected) < 0.3, `low band gain ${lowGainDb} dB, expected ${expected}`);
    assert.ok(Math.abs(highGainDb) < 0.05, `high band gain ${highGainDb} dB, expected 0`);
  });

  test("makeup and bypass per band act on their band only", () => {
    const fs = 44100;
    const frames = fs;
    const x = tone(1000, 0.01, frames, fs); // mid band, far under threshold
    const y = render({ crossoversHz: [200, 5000], bands: [{ makeupDb: 6 }, { makeupDb: 3 }, { bypass: true }] }, [x], fs)[0];
    assert.ok(Math.abs(rmsDb(y, frames / 2) - rmsDb(x, frames / 2) - 3) < 0.05);
  });

  test("invalid settings are rejected", () => {
    assert.throws(() => new MultibandCompressor({ crossoversHz: [] }), /bands/);
    assert.throws(() => new MultibandCompressor({ crossoversHz: [100, 200, 400, 800, 1600] }), /bands/);
    assert.throws(() => new MultibandCompressor({ crossoversHz: [100, 1000], bands: [{}, {}] }), /band settings/);
    assert.throws(() => new MultibandCompressor({ crossoversHz: [100, 1000], bands: [{}, { ratio: 0 }, {}] }), /band 2: .*ratio/);
    assert.throws(() => new MultibandCompressor({ crossoversHz: [1000, 100], bands: [{}, {}, {}] }), /ascending/);
    assert.throws(() => new MultibandCompressor({ crossoversHz: [1000, 20000], bands: [{}, {}, {}] })
      .prepare({ sampleRateHz: 44100, channels: 2, maxBlockFrames: 64 }), /Nyquist/);
  });
});
