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
import { kaiserWindow } from "./kaiser.js";
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
 * Exact zeros put at each end of the default linear-phase FIRs: a power of two near 23 ms
 * (1024 at 44.1/48 kHz, 2048 at 96 kHz, 4096 at 192 kHz). The filter stays symmetric, so its
 * latency is still (taps − 1)/2, and the convolver (dsp/fir-convolver.ts) uses the leading zeros
 * to run large FFT partitions without a per-sample direct-form head: several times faster.
 */
export function linearPhaseEdgeZeros(sampleRateHz: number): number {
  return Math.pow(2, Math.round(Math.log2(sampleRateHz / 43)));
}

/**
 * Default length of a linear-phase EQ / match EQ FIR at a sample rate:
 * 2·(round(0.15 s·fs) + edge zeros) + 1 (15279 taps, latency 7639 samples = 173 ms at 44.1 kHz),
 * of which the central 2·round(0.15 s·fs) + 1 are the windowed response. 150 ms each side
 * resolves the slowest features an EQ here makes to within 0.12 dB for 30 Hz Q 1 bells,
 * 0.08 dB for a 20 Hz Butterworth high-pass, 0.25 dB for a 50 Hz Q 2 −9 dB bell (against the
 * minimum-phase magnitude; from 50 Hz up the deviation falls fast; fir-design.test.ts checks).
 */
export function defaultLinearPhaseTaps(sampleRateHz: number): number {
  return 2 * (Math.round(0.15 * sampleRateHz) + linearPhaseEdgeZeros(sampleRateHz)) + 1;
}

/** The linear-phase FIR for a magnitude curve with the default length and edge zeros. */
export function defaultLinearPhaseFir(magnitude: (freqHz: number) => number, sampleRateHz: number): Float64Array {
  return linearPhaseFir(magnitude, sampleRateHz, defaultLinearPhaseTaps(sampleRateHz), KAISER_BETA, linearPhaseEdgeZeros(sampleRateHz));
}

/** Kaiser window value at offset n from the centre, half-length `half` (|n| ≤ half). */
function kaiser(n: number, half: number, beta: number): number {
  if (half === 0) return 1;
  const r = n / half;
  return kaiserWindow(r, beta);
}

/**
 * A linear-phase (symmetric, odd-length) FIR whose magnitude follows `magnitude(freqHz)`
 * (linear amplitude, ≥ 0, for 0 ≤ freqHz ≤ sampleRate/2). `taps` must be odd; the first and
 * last `edgeZeros` taps are exact zeros (the window spans the taps in between).
 */
export function linearPhaseFir(magnitude: (freqHz: number) => number, sampleRateHz: number, taps: number, beta = KAISER_BETA, edgeZeros = 0): Float64Array {
  if (!Number.isInteger(taps) || taps < 1 || taps % 2 === 0) throw new RangeError(`taps must be odd, got ${taps}`);
  if (!Number.isInteger(edgeZeros) || edgeZeros < 0 || 2 * edgeZeros >= taps) throw new RangeError(`edgeZeros ${edgeZeros} does not fit in ${taps} taps`);
  const span = taps - 2 * edgeZeros; // the windowed part
  let size = 4;
  while (size < 4 * span) size *= 2;
  const fft = new RealFft(size);
  const data = new Float64Array(size);
  // Packed halfcomplex (see fft.ts): [X0, X(M/2), re1, im1, ...]; zero phase, so im = 0.
  data[0] = magnitude(0);
  data[1] = magnitude(sampleRateHz / 2);
  for (let k = 1; k < size / 2; k++) data[2 * k] = magnitude((k * sampleRateHz) / size);
  fft.inverse(data);
  const centre = (taps - 1) / 2;
  const half = (span - 1) / 2;
  const h = new Float64Array(taps);
  // h0 is even up to FFT rounding; average the two sides so the FIR is exactly symmetric
  // (exactly linear phase).
  for (let n = 0; n <= half; n++) {
    const v = (n === 0 ? data[0] : 0.5 * (data[n] + data[size - n])) * kaiser(n, half, beta);
    h[centre + n] = v;
    h[centre - n] = v;
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
