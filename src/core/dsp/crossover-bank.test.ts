import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CrossoverBank } from "./crossover-bank.js";
import { processorContract } from "../../test-support/processor-contract.js";
import {
  designCrossover, crossoverBandMagnitudeDb, crossoverSumMagnitudeDb, crossoverProblem,
  type BiquadCoefficients,
} from "../design/crossover.js";

/**
 * Why some latency checks are skipped: the bank is an IIR all-pass. Its impulse response starts
 * at n = 0, but with several or high crossovers its largest tap can fall on n = 1 (a negative
 * lobe): phase, not delay. Latency 0 is proved for those below ("starts at sample 0").
 */
const ALLPASS_LATENCY_REASON =
  "IIR all-pass: the response starts at n = 0 but its largest tap can be n = 1 (phase, not delay); see the 'starts at sample 0' test";

processorContract("crossover bank 3 bands (200 Hz, 2 kHz)", () => new CrossoverBank({ crossoversHz: [200, 2000] }));
processorContract("crossover bank 5 bands", () => new CrossoverBank({ crossoversHz: [80, 300, 1500, 6000] }),
  { channels: [1, 2], impulseAmplitude: null, latencySkipReason: ALLPASS_LATENCY_REASON });

/** Magnitude in dB of a real sequence's DTFT at `frequencyHz` (naive, Float64). */
function dtftMagnitudeDb(h: Float64Array | Float32Array, frequencyHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  // Rotating phasor, renormalised now and then: accurate and fast enough for tests.
  let re = 0, im = 0, cr = 1, ci = 0;
  const dr = Math.cos(w), di = -Math.sin(w);
  for (let n = 0; n < h.length; n++) {
    re += h[n] * cr; im += h[n] * ci;
    const t = cr * dr - ci * di; ci = cr * di + ci * dr; cr = t;
    if ((n & 1023) === 1023) { const m = Math.hypot(cr, ci); cr /= m; ci /= m; }
  }
  return 10 * Math.log10(re * re + im * im);
}

const logFrequencies = (count: number): number[] =>
  Array.from({ length: count }, (_, i) => 20 * Math.pow(1000, i / (count - 1))); // 20 Hz .. 20 kHz

describe("Linkwitz-Riley design", () => {
  test("each LR4 path is -6.02 dB at its crossover, 24 dB/octave beyond", () => {
    for (const fs of [44100, 96000]) {
      const d = designCrossover([1000], fs);
      assert.ok(Math.abs(crossoverBandMagnitudeDb(d, 0, 1000) - 20 * Math.log10(0.5)) < 1e-9);
      assert.ok(Math.abs(crossoverBandMagnitudeDb(d, 1, 1000) - 20 * Math.log10(0.5)) < 1e-9);
      // Two octaves above, the low path is down ~48 dB (slightly more: bilinear warping).
      const lowAt4k = crossoverBandMagnitudeDb(d, 0, 4000);
      assert.ok(lowAt4k < -47 && lowAt4k > -52, `LP at 4 kHz: ${lowAt4k} dB`);
    }
  });

  test("the analytic band sum is flat (all-pass) for 2 to 5 bands", () => {
    const sets = [[1000], [150, 3000], [100, 700, 5000], [60, 250, 1200, 8000]];
    for (const fs of [44100, 48000, 96000]) {
      const worst = Math.max(...sets.flatMap((xo) => {
        const d = designCrossover(xo, fs);
        return logFrequencies(200).map((f) => Math.abs(crossoverSumMagnitudeDb(d, f)));
      }));
      assert.ok(worst < 1e-9, `worst deviation ${worst} dB at ${fs} Hz`);
    }
  });

  test("invalid lists are rejected with a reason", () => {
    assert.match(crossoverProblem([2000, 1000], 44100) ?? "", /ascending/);
    assert.match(crossoverProblem([0], 44100) ?? "", /positive/);
    assert.match(crossoverProblem([21000], 44100) ?? "", /Nyquist/);
    assert.equal(crossoverProblem([100, 1000], 44100), null);
    assert.throws(() => designCrossover([500, 500], 48000), RangeError);
  });
});

describe("crossover bank", () => {
  test("summed impulse response is flat within 0.01 dB from 20 Hz to 20 kHz (2 to 5 bands)", () => {
    const sets = [[1000], [150, 3000], [100, 700, 5000], [60, 250, 1200, 8000]];
    for (const fs of [44100, 96000]) {
      for (const xo of sets) {
        const bank = new CrossoverBank({ crossoversHz: xo });
        const frames = 1 << 15; // IR of a 60 Hz LR4 has decayed far below -200 dB by then
        bank.prepare({ sampleRateHz: fs, channels: 1, maxBlockFrames: 4096 });
        const x = new Float32Array(frames);
        x[0] = 1;
        for (let at = 0; at < frames; at += 4096) bank.process([x.subarray(at, at + 4096)], 4096);
        let worst = 0;
        for (const f of logFrequencies(120)) worst = Math.max(worst, Math.abs(dtftMagnitudeDb(x, f, fs)));
        assert.ok(worst < 0.01, `${xo.join("/")} Hz at ${fs} Hz: summed magnitude off by ${worst} dB`);
        // Float32 output rounding is the only error: far below the 0.01 dB budget.
        assert.ok(worst < 1e-4, `${xo.join("/")} Hz at ${fs} Hz: ${worst} dB`);
      }
    }
  });

  test("bands match a naive direct-form reference (per-sample, per band, from the design)", () => {
    const fs = 48000;
    const xo = [90, 900, 9000];
    const design = designCrossover(xo, fs);
    const frames = 5000;
    const input = new Float64Array(frames);
    let seed = 7;
    for (let n = 0; n < frames; n++) { seed = (seed * 1103515245 + 12345) >>> 0; input[n] = seed / 2 ** 32 - 0.5; }
    // Direct form I, one section at a time, straight from the band formula of the design.
    const df1 = (x: Float64Array, c: BiquadCoefficients): Float64Array => {
      const y = new Float64Array(x.length);
      let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
      for (let n = 0; n < x.length; n++) {
        y[n] = c.b0 * x[n] + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
        x2 = x1; x1 = x[n]; y2 = y1; y1 = y[n];
      }
      return y;
    };
    const bank = new CrossoverBank({ crossoversHz: xo });
    bank.prepare({ sampleRateHz: fs, channels: 1, maxBlockFrames: frames });
    bank.split([input], frames);
    for (let band = 0; band <= xo.length; band++) {
      let y: Float64Array = input;
      design.splits.forEach((s, j) => {
        if (j < band) y = df1(df1(y, s.highpass), s.highpass);
        else if (j === band) y = df1(df1(y, s.lowpass), s.lowpass);
        else y = df1(y, s.allpass);
      });
      let worst = 0;
      for (let n = 0; n < frames; n++) worst = Math.max(worst, Math.abs(y[n] - bank.bands[band][0][n]));
      assert.ok(worst < 1e-12, `band ${band}: max difference ${worst}`);
    }
  });

  test("latency 0: the 5-band impulse response starts at sample 0 and has no pre-delay", () => {
    for (const fs of [44100, 48000, 96000, 192000]) {
      const bank = new CrossoverBank({ crossoversHz: [80, 300, 1500, 6000] });
      assert.equal(bank.latencySamples, 0);
      bank.prepare({ sampleRateHz: fs, channels: 1, maxBlockFrames: 64 });
      const x = new Float32Array(64);
      x[0] = 1;
      bank.process([x], 64);
      assert.ok(Math.abs(x[0]) > 0.1, `h[0] = ${x[0]} at ${fs} Hz`);
    }
  });

  test("no crossover: one band, exact identity", () => {
    const bank = new CrossoverBank({ crossoversHz: [] });
    bank.prepare({ sampleRateHz: 44100, channels: 2, maxBlockFrames: 16 });
    const x = [Float32Array.from([0.1, -0.3, 1e-7]), Float32Array.from([0.5, 0.25, -1])];
    const y = x.map((c) => Float32Array.from(c));
    bank.process(y, 3);
    assert.deepEqual(y, x);
  });
});

test("a stereo split (both channels in one loop) is bit-identical to each channel split alone", () => {
  const fs = 44100, frames = 6000;
  const xo = [120, 1000, 6000];
  let seed = 3;
  const next = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 - 0.5; };
  const input = [new Float64Array(frames), new Float64Array(frames)];
  for (let n = 0; n < frames; n++) { input[0][n] = next(); input[1][n] = 0.3 * next(); }
  const stereo = new CrossoverBank({ crossoversHz: xo });
  stereo.prepare({ sampleRateHz: fs, channels: 2, maxBlockFrames: 1000 });
  const mono = [0, 1].map(() => new CrossoverBank({ crossoversHz: xo }));
  for (const m of mono) m.prepare({ sampleRateHz: fs, channels: 1, maxBlockFrames: 1000 });
  for (let off = 0, len = 1; off < frames; off += len, len = (len * 7 + 3) % 997 + 1) {
    const n = Math.min(len, frames - off);
    stereo.split(input.map((c) => c.subarray(off, off + n)), n);
    for (let c = 0; c < 2; c++) {
      mono[c].split([input[c].subarray(off, off + n)], n);
      for (let b = 0; b <= xo.length; b++) {
        assert.deepEqual(stereo.bands[b][c].subarray(0, n), mono[c].bands[b][0].subarray(0, n), `block at ${off}, band ${b}, channel ${c}`);
      }
    }
  }
});
