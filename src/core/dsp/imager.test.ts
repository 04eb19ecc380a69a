import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Imager, type ImagerParams } from "./imager.js";
import { designCrossover, crossoverBandResponse } from "../design/crossover.js";
import { processorContract, contractSignal } from "../../test-support/processor-contract.js";

const ALLPASS_REASON = "IIR all-pass: the response starts at n = 0 but its largest tap can be n = 1 (phase, not delay); latency 0 is proved in crossover-bank.test.ts";

processorContract("imager (defaults: identity)", () => new Imager(), { channels: [1, 2] });
processorContract("imager widths 150/80/200 % at 200 Hz, 2 kHz", () => new Imager({ crossoversHz: [200, 2000], widthsPercent: [150, 80, 200] }), { channels: [1, 2] });
processorContract("imager mono below 120 Hz, 180 % above 3 kHz, floor 0.2", () => new Imager({
  crossoversHz: [3000], widthsPercent: [100, 180], monoBelowHz: 120, correlationFloor: 0.2,
}), { impulseAmplitude: null, latencySkipReason: ALLPASS_REASON });

function render(params: Partial<ImagerParams>, input: Float32Array[], sampleRateHz: number, blockFrames = 2048): Float32Array[] {
  const p = new Imager(params);
  p.prepare({ sampleRateHz, channels: input.length, maxBlockFrames: blockFrames });
  const out = input.map((c) => Float32Array.from(c));
  for (let at = 0; at < out[0].length; at += blockFrames) {
    const n = Math.min(blockFrames, out[0].length - at);
    p.process(out.map((c) => c.subarray(at, at + n)), n);
  }
  return out;
}

/** L/R correlation coefficient over [from, to). */
function correlation(l: Float32Array, r: Float32Array, from = 0, to = l.length): number {
  let lr = 0, ll = 0, rr = 0;
  for (let n = from; n < to; n++) { lr += l[n] * r[n]; ll += l[n] * l[n]; rr += r[n] * r[n]; }
  return lr / Math.sqrt(ll * rr);
}

/** Amplitude of a tone at `frequencyHz` in x (single-bin DFT over the second half). */
function amplitudeAt(x: Float32Array | Float64Array, frequencyHz: number, fs: number): number {
  let re = 0, im = 0;
  const from = x.length >> 1;
  for (let n = from; n < x.length; n++) { const a = (2 * Math.PI * frequencyHz * n) / fs; re += x[n] * Math.cos(a); im -= x[n] * Math.sin(a); }
  return (2 * Math.hypot(re, im)) / (x.length - from);
}

/** L, R from mid and side. */
function fromMidSide(mid: Float32Array, side: Float32Array): Float32Array[] {
  const l = new Float32Array(mid.length), r = new Float32Array(mid.length);
  for (let n = 0; n < mid.length; n++) { l[n] = mid[n] + side[n]; r[n] = mid[n] - side[n]; }
  return [l, r];
}

function toMidSide([l, r]: Float32Array[]): Float64Array[] {
  const m = new Float64Array(l.length), s = new Float64Array(l.length);
  for (let n = 0; n < l.length; n++) { m[n] = (l[n] + r[n]) / 2; s[n] = (l[n] - r[n]) / 2; }
  return [m, s];
}

/** Lowpassed noise, seeded. */
function noise(frames: number, seed: number, smoothing = 0.3): Float32Array {
  const x = new Float32Array(frames);
  let s = seed >>> 0, y = 0;
  for (let n = 0; n < frames; n++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    y += smoothing * (s / 2 ** 32 - 0.5 - y);
    x[n] = y;
  }
  return x;
}

describe("imager", () => {
  test("100 % everywhere and no mono-bass is a bit-exact bypass (any crossovers)", () => {
    const fs = 48000;
    const input = contractSignal(2, fs / 2, fs, -1);
    for (const crossoversHz of [[], [300], [100, 1000, 8000]]) {
      const imager = new Imager({ crossoversHz });
      assert.equal(imager.identity, true);
      assert.deepEqual(render({ crossoversHz }, input, fs), input);
    }
  });

  test("width scales the band's side by width/100 and leaves the mid's magnitude alone", () => {
    const fs = 44100, frames = fs;
    const tones = [60, 1000, 8000];
    const mid = new Float32Array(frames), side = new Float32Array(frames);
    for (let n = 0; n < frames; n++) {
      for (const f of tones) {
        mid[n] += 0.2 * Math.sin((2 * Math.PI * f * n) / fs);
        side[n] += 0.05 * Math.cos((2 * Math.PI * f * 1.07 * n) / fs);
      }
    }
    const widths = [0, 50, 200];
    const [m, s] = toMidSide(render({ crossoversHz: [250, 4000], widthsPercent: widths, correlationGuard: false }, fromMidSide(mid, side), fs));
    tones.forEach((f, band) => {
      const midGainDb = 20 * Math.log10(amplitudeAt(m, f, fs) / 0.2);
      assert.ok(Math.abs(midGainDb) < 0.01, `mid at ${f} Hz: ${midGainDb} dB`);
      // The side's expected response is Σ_b w_b·H_b(f) from the crossover design (bands overlap
      // on their LR4 skirts, so a neighbour's width leaks in a little).
      const design = designCrossover([250, 4000], fs);
      let re = 0, im = 0;
      widths.forEach((w, b) => { const h = crossoverBandResponse(design, b, f * 1.07); re += (w / 100) * h[0]; im += (w / 100) * h[1]; });
      const expectedDb = 10 * Math.log10(re * re + im * im);
      const sideGainDb = 20 * Math.log10(amplitudeAt(s, f * 1.07, fs) / 0.05);
      // 0.01 dB where the band passes; at −50 dB the single-bin DFT's leakage from the other tones dominates.
      assert.ok(Math.abs(sideGainDb - expectedDb) < (expectedDb > -20 ? 0.01 : 0.5), `side at ${f * 1.07} Hz: ${sideGainDb} dB, design ${expectedDb} dB`);
      if (widths[band] > 0) assert.ok(Math.abs(expectedDb - 20 * Math.log10(widths[band] / 100)) < 0.2);
      else assert.ok(expectedDb < -40, `width 0 leaves ${expectedDb} dB (the neighbour's skirt)`);
    });
  });

  test("mono below 150 Hz: side removed at 30 Hz (> 50 dB), kept at 1 kHz; mid kept everywhere", () => {
    const fs = 48000, frames = fs;
    const mid = new Float32Array(frames), side = new Float32Array(frames);
    for (let n = 0; n < frames; n++) {
      mid[n] = 0.3 * Math.sin((2 * Math.PI * 30 * n) / fs) + 0.1 * Math.sin((2 * Math.PI * 1000 * n) / fs);
      side[n] = 0.3 * Math.sin((2 * Math.PI * 31 * n) / fs) + 0.1 * Math.sin((2 * Math.PI * 1010 * n) / fs);
    }
    const [m, s] = toMidSide(render({ monoBelowHz: 150 }, fromMidSide(mid, side), fs));
    const lowSideDb = 20 * Math.log10(amplitudeAt(s, 31, fs) / 0.3);
    assert.ok(lowSideDb < -50, `side at 31 Hz: ${lowSideDb} dB`);
    assert.ok(Math.abs(20 * Math.log10(amplitudeAt(s, 1010, fs) / 0.1)) < 0.01);
    assert.ok(Math.abs(20 * Math.log10(amplitudeAt(m, 30, fs) / 0.3)) < 0.01);
    assert.ok(Math.abs(20 * Math.log10(amplitudeAt(m, 1000, fs) / 0.1)) < 0.01);
  });

  for (const floor of [0, 0.3]) {
    test(`correlation guard: a wide, mono-compatible mix widened to 200 % keeps correlation >= ${floor}`, () => {
      const fs = 44100, frames = 3 * fs;
      // Mid and side independent; side at 0.75 × mid: correlation (1 − 0.5625)/(1 + 0.5625) = 0.28,
      // and 0.47 for the 0.3 floor case, so the input itself is above the floor.
      const sideRatio = floor === 0 ? 0.75 : 0.6;
      const mid = noise(frames, 1), side = noise(frames, 2).map((v) => v * sideRatio);
      const input = fromMidSide(mid, side);
      const before = correlation(input[0], input[1]);
      assert.ok(before > floor + 0.1, `input correlation ${before}`);
      for (const crossoversHz of [[], [300, 3000]]) {
        const widthsPercent = crossoversHz.map(() => 200).concat([200]);
        const unguarded = render({ crossoversHz, widthsPercent, correlationGuard: false }, input, fs);
        assert.ok(correlation(unguarded[0], unguarded[1]) < floor - 0.2, "without the guard the widened mix folds down badly");
        const [l, r] = render({ crossoversHz, widthsPercent, correlationFloor: floor }, input, fs);
        const whole = correlation(l, r, fs / 10);
        assert.ok(whole >= floor, `${crossoversHz.length + 1} bands: correlation ${whole} < ${floor}`);
        // And on every 100 ms window after the first (the running estimate has settled).
        for (let at = fs / 10; at + fs / 10 <= frames; at += fs / 10) {
          const local = correlation(l, r, at, at + fs / 10);
          assert.ok(local >= floor - 0.05, `window at ${at}: ${local}`);
        }
        // The guard takes back only what is needed: still wider than the input.
        const [, s] = toMidSide([l, r]);
        let sideOut = 0, sideIn = 0;
        for (let n = 0; n < frames; n++) { sideOut += s[n] * s[n]; sideIn += side[n] * side[n]; }
        assert.ok(sideOut > 1.1 * sideIn, `side energy ratio ${sideOut / sideIn}`);
      }
    });
  }

  test("a band already below the floor is left as it was, not narrowed", () => {
    const fs = 44100, frames = fs;
    const mid = noise(frames, 3).map((v) => v * 0.3), side = noise(frames, 4);
    const input = fromMidSide(mid, side); // correlation about −0.83
    const [, s] = toMidSide(render({ widthsPercent: [200] }, input, fs));
    let worst = 0;
    for (let n = 0; n < frames; n++) worst = Math.max(worst, Math.abs(s[n] - side[n]));
    assert.ok(worst < 1e-6, `side changed by ${worst}`);
  });

  test("invalid settings are rejected", () => {
    assert.throws(() => new Imager({ widthsPercent: [250] }), /widthsPercent/);
    assert.throws(() => new Imager({ crossoversHz: [500], widthsPercent: [100] }), /widthsPercent/);
    assert.throws(() => new Imager({ monoBelowHz: 5 }), /monoBelowHz/);
    assert.throws(() => new Imager({ correlationFloor: -0.5 }), /correlationFloor/);
    assert.throws(() => new Imager({ crossoversHz: [500, 100] }), /ascending/);
  });
});
