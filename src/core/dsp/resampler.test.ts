// Resampler: exact length, no time shift, block-size invariance, and the quality figures
// (passband within 0.01 dB to 20 kHz, stop band and aliasing below −120 dB, THD+N of a 1 kHz
// sine below −120 dB). Sines are measured by a least-squares fit at their known frequency
// (sine + cosine): the residual is everything else, with no window leakage to hide behind.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { designResampler, resampledLength, resamplerMagnitude, type ResamplerDesign } from "../design/resampler-design.js";
import { Resampler } from "./resampler.js";

const RATES = [44100, 48000, 88200, 96000, 176400, 192000];

/** Runs `x` (mono) through a resampler in blocks given by `splits` (cycled); returns the output. */
function resample(design: ResamplerDesign, x: Float32Array, splits: number[] = [4096]): Float32Array {
  const maxBlock = Math.max(...splits);
  const r = new Resampler(design, 1, maxBlock);
  const out = new Float32Array(resampledLength(x.length, design) + r.maxOutputFrames(maxBlock));
  const tmp = [new Float32Array(r.maxOutputFrames(maxBlock))];
  let o = 0;
  for (let i = 0, s = 0; i < x.length; s++) {
    const m = Math.min(splits[s % splits.length], x.length - i);
    const k = r.process([x.subarray(i, i + m)], m, tmp);
    out.set(tmp[0].subarray(0, k), o);
    o += k;
    i += m;
  }
  const k = r.flush(tmp);
  out.set(tmp[0].subarray(0, k), o);
  return out.subarray(0, o + k);
}

function sine(n: number, freqHz: number, rateHz: number, amplitude = 0.5): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / rateHz);
  return x;
}

/** Least-squares fit of a·sin(ωi) + b·cos(ωi) over [from, to): amplitude, phase and residual/fit in dB. */
function fitSine(y: Float32Array, from: number, to: number, freqHz: number, rateHz: number): { amplitude: number; phaseRad: number; residualDb: number } {
  const w = (2 * Math.PI * freqHz) / rateHz;
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin(w * i), c = Math.cos(w * i);
    ss += s * s; cc += c * c; sc += s * c; ys += y[i] * s; yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let residual = 0, energy = 0;
  for (let i = from; i < to; i++) {
    const m = a * Math.sin(w * i) + b * Math.cos(w * i);
    residual += (y[i] - m) ** 2;
    energy += m * m;
  }
  return { amplitude: Math.hypot(a, b), phaseRad: Math.atan2(b, a), residualDb: 10 * Math.log10(residual / energy) };
}

function rms(y: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i] * y[i];
  return Math.sqrt(s / (to - from));
}

describe("resampler design", () => {
  test("L/M in lowest terms; exact round(n·out/in)", () => {
    const d = designResampler(44100, 48000);
    assert.equal(d.upFactor, 160);
    assert.equal(d.downFactor, 147);
    assert.equal(designResampler(192000, 44100).upFactor, 147);
    assert.equal(designResampler(192000, 44100).downFactor, 640);
    for (const n of [0, 1, 2000, 44100, 56789, 1234567]) assert.equal(resampledLength(n, d), Math.round((n * 48000) / 44100));
    // A tie (n·L/M = x.5) rounds up, as Math.round does.
    assert.equal(resampledLength(1, designResampler(48000, 24000)), 1);
  });

  test("passband within ±0.01 dB to 20 kHz, stop band under −120 dB from the lower Nyquist (every rate pair)", () => {
    for (const a of RATES) {
      for (const b of RATES) {
        if (a === b) continue;
        const d = designResampler(a, b);
        let rippleDb = 0;
        for (let f = 0; f <= 20000; f += 250) rippleDb = Math.max(rippleDb, Math.abs(20 * Math.log10(resamplerMagnitude(d, f))));
        assert.ok(rippleDb < 0.01, `${a}->${b}: ripple ${rippleDb} dB`);
        // The Kaiser sidelobes are highest next to the edge: scan the first 2 kHz finely, then
        // coarsely out to the fine-rate Nyquist L·in/2 (where images of the input spectrum lie).
        let stopDb = -Infinity;
        for (let f = d.stopbandHz; f < d.stopbandHz + 2000; f += 29) stopDb = Math.max(stopDb, 20 * Math.log10(resamplerMagnitude(d, f)));
        const top = Math.min((d.upFactor * a) / 2, 8 * a);
        for (let f = d.stopbandHz + 2000; f < top; f += top / 60) stopDb = Math.max(stopDb, 20 * Math.log10(resamplerMagnitude(d, f)));
        assert.ok(stopDb < -120, `${a}->${b}: stop band ${stopDb} dB`);
      }
    }
  });
});

describe("resampler", () => {
  test("output length is round(n·out/in) for every rate pair and awkward lengths", () => {
    for (const a of RATES) {
      for (const b of RATES) {
        if (a === b) continue;
        const d = designResampler(a, b);
        for (const n of [1, 2000, 4097]) {
          assert.equal(resample(d, new Float32Array(n), [1000]).length, Math.round((n * b) / a), `${a}->${b}, n=${n}`);
        }
      }
    }
  });

  test("block-size invariant: bit-identical for 1, 7, 128, 4096 and random splits", () => {
    const d = designResampler(44100, 48000);
    const x = new Float32Array(9000);
    let seed = 7;
    for (let i = 0; i < x.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; x[i] = seed / 2 ** 32 - 0.5; }
    const ref = resample(d, x, [x.length]);
    const splits = [[1], [7], [128], [4096], [3, 500, 1, 77, 2049, 13]];
    for (const s of splits) assert.deepEqual(resample(d, x, s), ref, `splits ${s.join(",")}`);
    const down = designResampler(96000, 44100);
    assert.deepEqual(resample(down, x, [5, 333, 1]), resample(down, x, [x.length]));
  });

  test("no time shift: output k equals the input signal at time k·in/out (and an impulse lands on its instant)", () => {
    for (const [a, b] of [[44100, 48000], [48000, 44100], [44100, 96000], [192000, 48000]]) {
      const d = designResampler(a, b);
      const y = resample(d, sine(a / 2, 997, a), [1024]);
      // Compare with the ideal continuation: sin(2π·f·k/out) sampled at the output's own times.
      let err = 0;
      for (let k = 500; k < y.length - 500; k++) err = Math.max(err, Math.abs(y[k] - 0.5 * Math.sin((2 * Math.PI * 997 * k) / b)));
      assert.ok(20 * Math.log10(err / 0.5) < -120, `${a}->${b}: max error vs ideal ${20 * Math.log10(err / 0.5)} dB`);
    }
    // An impulse at an input instant that is also an output instant (n = 147·m at 44.1 -> 48)
    // peaks exactly at k = 160·m, symmetrically.
    const d = designResampler(44100, 48000);
    const x = new Float32Array(4000);
    x[147 * 10] = 1;
    const y = resample(d, x, [333]);
    let peak = 0;
    for (let k = 0; k < y.length; k++) if (Math.abs(y[k]) > Math.abs(y[peak])) peak = k;
    assert.equal(peak, 1600);
    for (let j = 1; j < 50; j++) assert.ok(Math.abs(y[1600 + j] - y[1600 - j]) < 1e-7, `asymmetric at ±${j}`);
  });

  test("1 kHz sine: THD+N under −120 dB, gain within 0.001 dB (44.1 <-> 48, 96 -> 44.1, 44.1 -> 192)", () => {
    for (const [a, b] of [[44100, 48000], [48000, 44100], [96000, 44100], [44100, 192000]]) {
      const y = resample(designResampler(a, b), sine(a, 1000, a), [4096]);
      const fit = fitSine(y, 1000, y.length - 1000, 1000, b);
      assert.ok(fit.residualDb < -120, `${a}->${b}: THD+N ${fit.residualDb} dB`);
      assert.ok(Math.abs(20 * Math.log10(fit.amplitude / 0.5)) < 0.001, `${a}->${b}: gain ${20 * Math.log10(fit.amplitude / 0.5)} dB`);
      assert.ok(Math.abs(fit.phaseRad) < 1e-6, `${a}->${b}: phase ${fit.phaseRad} rad`);
    }
  });

  test("measured passband: sines from 20 Hz to 20 kHz pass within 0.01 dB", () => {
    for (const [a, b] of [[48000, 44100], [44100, 48000]]) {
      const d = designResampler(a, b);
      for (const f of [20, 1000, 10000, 15000, 19000, 20000]) {
        const y = resample(d, sine(a / 2, f, a), [4096]);
        const fit = fitSine(y, 500, y.length - 500, f, b);
        assert.ok(Math.abs(20 * Math.log10(fit.amplitude / 0.5)) < 0.01, `${a}->${b} at ${f} Hz: ${20 * Math.log10(fit.amplitude / 0.5)} dB`);
      }
    }
  });

  test("aliasing and images under −120 dB: 21 kHz through 48 -> 44.1 and 44.1 -> 48; 23 kHz removed at 48 -> 44.1", () => {
    for (const [a, b] of [[48000, 44100], [44100, 48000]]) {
      const y = resample(designResampler(a, b), sine(a, 21000, a), [4096]);
      // Everything that is not the 21 kHz tone (its alias at out − 21 kHz, images, noise).
      const fit = fitSine(y, 1000, y.length - 1000, 21000, b);
      assert.ok(fit.residualDb < -120, `${a}->${b}: spurious ${fit.residualDb} dB re the tone`);
    }
    // 23 kHz exists at 48 kHz but not at 44.1 kHz: it would alias to 21.1 kHz. Level re input:
    const y = resample(designResampler(48000, 44100), sine(48000, 23000, 48000), [4096]);
    const levelDb = 20 * Math.log10(rms(y, 1000, y.length - 1000) / (0.5 / Math.SQRT2));
    assert.ok(levelDb < -120, `23 kHz alias at ${levelDb} dB`);
  });
});
