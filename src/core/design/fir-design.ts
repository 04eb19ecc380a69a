/**
 * Linear-phase FIR design from a magnitude curve, by frequency sampling (Oppenheim & Schafer,
 * "Discrete-Time Signal Processing", frequency sampling; here on a fine grid):
 *
 *   1. sample the target magnitude |H(f)| on a grid of M ≥ 4·taps points (M a power of two),
 *      zero phase, and take the inverse real FFT: a real, even, circular impulse response h0;
 *   2. keep the `taps` (odd) samples centred on n = 0 and multiply by a Kaiser window (β below),
 *      which trades a little smoothing of sharp low-frequency features for a low truncation
 *      ripple;
 *   3. shift by (taps − 1)/2: a causal symmetric FIR with latency exactly (taps − 1)/2 samples.
 *
 * A flat target gives h0 = δ exactly (up to FFT rounding, ~1e-16), so a flat linear-phase EQ is
 * a pure delay.
 */
import { RealFft } from "./fft.js";

/**
 * Kaiser window shape. A small β keeps the window's main lobe (the smoothing of the response in
 * frequency) narrow, which is what limits accuracy at 20..50 Hz; the truncation sidelobes
 * (about −35 dB relative at β = 4) matter little because the EQ impulse responses have decayed
 * by the window's edges. Measured (44.1 kHz, 13231 taps): β = 4 → 0.25 dB worst on a 50 Hz
 * Q 2 −9 dB bell, β = 7 → 0.44 dB.
 */
export const KAISER_BETA = 4;

/**
 * Default length of a linear-phase EQ / match EQ FIR at a sample rate: 2·round(0.15 s·fs) + 1
 * (13231 taps, 150 ms latency, at 44.1 kHz). 150 ms each side resolves the slowest features an
 * EQ here makes to within 0.12 dB for 30 Hz Q 1 bells, 0.08 dB for a 20 Hz Butterworth
 * high-pass, 0.25 dB for a 50 Hz Q 2 −9 dB bell (against the minimum-phase magnitude; from
 * 50 Hz up the deviation falls fast; fir-design.test.ts checks these).
 */
export function defaultLinearPhaseTaps(sampleRateHz: number): number {
  return 2 * Math.round(0.15 * sampleRateHz) + 1;
}

/** Zeroth-order modified Bessel function of the first kind (power series; converges fast for β ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser window value at offset n from the centre, half-length `half` (|n| ≤ half). */
function kaiser(n: number, half: number, beta: number): number {
  if (half === 0) return 1;
  const r = n / half;
  return besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / besselI0(beta);
}

/**
 * A linear-phase (symmetric, odd-length) FIR whose magnitude follows `magnitude(freqHz)`
 * (linear amplitude, ≥ 0, for 0 ≤ freqHz ≤ sampleRate/2). `taps` must be odd.
 */
export function linearPhaseFir(magnitude: (freqHz: number) => number, sampleRateHz: number, taps: number, beta = KAISER_BETA): Float64Array {
  if (!Number.isInteger(taps) || taps < 1 || taps % 2 === 0) throw new RangeError(`taps must be odd, got ${taps}`);
  let size = 4;
  while (size < 4 * taps) size *= 2;
  const fft = new RealFft(size);
  const data = new Float64Array(size);
  // Packed halfcomplex (see fft.ts): [X0, X(M/2), re1, im1, ...]; zero phase, so im = 0.
  data[0] = magnitude(0);
  data[1] = magnitude(sampleRateHz / 2);
  for (let k = 1; k < size / 2; k++) data[2 * k] = magnitude((k * sampleRateHz) / size);
  fft.inverse(data);
  const half = (taps - 1) / 2;
  const h = new Float64Array(taps);
  // h0 is even up to FFT rounding; average the two sides so the FIR is exactly symmetric
  // (exactly linear phase).
  for (let n = 0; n <= half; n++) {
    const v = (n === 0 ? data[0] : 0.5 * (data[n] + data[size - n])) * kaiser(n, half, beta);
    h[half + n] = v;
    h[half - n] = v;
  }
  return h;
}

/** |H(f)| of an FIR at `freqHz` (direct DTFT, for tests and plots; O(taps)). */
export function firMagnitude(h: Float64Array, freqHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * freqHz) / sampleRateHz;
  let re = 0;
  let im = 0;
  for (let n = 0; n < h.length; n++) {
    re += h[n] * Math.cos(w * n);
    im -= h[n] * Math.sin(w * n);
  }
  return Math.hypot(re, im);
}
