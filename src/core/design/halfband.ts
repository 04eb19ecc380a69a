/**
 * Half-band FIR design for 2x oversampling stages (pure: coefficients and magnitude responses).
 *
 * A half-band low-pass has its cutoff at a quarter of the (high) sample rate, so every second
 * tap away from the centre is exactly zero: a 2x interpolator needs only the odd-offset taps on
 * one polyphase branch (the other branch is a pure delay), and a 2x decimator likewise. The taps
 * are a Kaiser-windowed ideal half-band sinc (Kaiser 1974; β and length from Kaiser's formulas,
 * Oppenheim & Schafer 3rd ed. eqs. 7.62-7.63). Pass-band ripple equals stop-band ripple δ, so a
 * 100 dB stop band gives a pass band flat to ±1e-5 · 8.7 dB ≈ ±0.0001 dB.
 *
 * Lengths are always 4M-1 (centre tap at index 2M-1, odd), so a stage's group delay is 2M-1
 * samples at the high rate and an up + down round trip costs 2M-1 samples at the low rate.
 */
import { besselI0, kaiserBeta } from "./kaiser.js";

/** Re-exported: the Kaiser helpers moved to kaiser.ts. */
export { besselI0, kaiserBeta };

/** One half-band stage design. */
export interface HalfbandDesign {
  /** All 4M-1 taps (symmetric; zeros at even offsets from the centre except the centre, 0.5). */
  readonly taps: Float64Array;
  /** M: the branch with non-zero taps has 2M of them. */
  readonly halfOrder: number;
  /** Group delay in samples at the high rate: 2M-1. */
  readonly delaySamples: number;
}

/**
 * Designs a half-band low-pass at the high rate.
 *
 * @param passbandEdge pass-band edge as a fraction of the high sample rate, in (0, 0.25);
 *   the stop band starts at 0.5 - passbandEdge (half-band symmetry).
 * @param stopbandDb stop-band attenuation in dB (e.g. 100).
 */
export function designHalfband(passbandEdge: number, stopbandDb: number): HalfbandDesign {
  if (!(passbandEdge > 0 && passbandEdge < 0.25)) throw new RangeError(`passbandEdge ${passbandEdge} not in (0, 0.25)`);
  const transition = 0.5 - 2 * passbandEdge; // cycles per sample
  const beta = kaiserBeta(stopbandDb);
  // O&S eq. 7.63 with Δω = 2π·transition: N = (A - 8) / (2.285·Δω). The formula is a little
  // optimistic for short filters, so grow the length until the stop band is checked to hold.
  const order = Math.ceil((stopbandDb - 8) / (2.285 * 2 * Math.PI * transition));
  let halfOrder = Math.max(1, Math.ceil((order + 2) / 4)); // length 4M-1 >= order+1
  for (;;) {
    const taps = kaiserHalfband(halfOrder, beta);
    if (worstStopbandDb(taps, 0.5 - passbandEdge) <= -stopbandDb || halfOrder > 4096) {
      return { taps, halfOrder, delaySamples: 2 * halfOrder - 1 };
    }
    halfOrder++;
  }
}

function kaiserHalfband(halfOrder: number, beta: number): Float64Array {
  const length = 4 * halfOrder - 1;
  const centre = 2 * halfOrder - 1;
  const taps = new Float64Array(length);
  const i0Beta = besselI0(beta);
  let sideSum = 0;
  for (let k = 0; k < length; k++) {
    const d = k - centre;
    if (d === 0 || d % 2 === 0) continue; // centre set below; even offsets exactly zero (half-band)
    const sinc = Math.sin((Math.PI * d) / 2) / (Math.PI * d);
    const r = d / (centre + 1);
    taps[k] = (sinc * besselI0(beta * Math.sqrt(1 - r * r))) / i0Beta;
    sideSum += taps[k];
  }
  // Normalize the odd-offset taps to sum to 0.5: DC gain exactly 1 through an up + down trip.
  const scale = 0.5 / sideSum;
  for (let k = 0; k < length; k++) taps[k] *= scale;
  taps[centre] = 0.5;
  return taps;
}

function worstStopbandDb(taps: Float64Array, stopStart: number): number {
  let worst = -Infinity;
  const points = 256;
  for (let i = 0; i <= points; i++) {
    worst = Math.max(worst, firMagnitudeDb(taps, stopStart + ((0.5 - stopStart) * i) / points));
  }
  return worst;
}

/** |H(f)| in dB of a real FIR at `frequency` (a fraction of its sample rate). */
export function firMagnitudeDb(taps: Float64Array, frequency: number): number {
  let re = 0;
  let im = 0;
  const w = 2 * Math.PI * frequency;
  for (let k = 0; k < taps.length; k++) {
    re += taps[k] * Math.cos(w * k);
    im -= taps[k] * Math.sin(w * k);
  }
  return 10 * Math.log10(re * re + im * im);
}

/** The stages for an oversampling factor (2, 4, 8, 16), lowest-rate stage first. */
export function designOversamplingStages(factor: number, stopbandDb = 100): HalfbandDesign[] {
  if (![1, 2, 4, 8, 16].includes(factor)) throw new RangeError(`oversampling factor ${factor} not in 1, 2, 4, 8, 16`);
  const stages: HalfbandDesign[] = [];
  // Stage 1 (fs -> 2fs) keeps 0..0.4535·fs flat (20 kHz at 44.1 kHz) and stops from 0.5465·fs,
  // so nothing above fs/2 + 0.0465·fs folds back below 20 kHz (at 44.1 kHz).
  // Later stages only need to pass what stage 1 passed (its transition band, up to 0.5465·fs)
  // and stop its images, which start at (2^s)·fs/2 - 0.5465·fs: much wider transitions, short filters.
  const basePassband = 0.4535; // in units of the base rate fs
  const baseStopStart = 0.5465;
  for (let s = 1, rate = 2; rate <= factor; s++, rate *= 2) {
    const passband = (s === 1 ? basePassband : baseStopStart) / rate;
    stages.push(designHalfband(passband, stopbandDb));
  }
  return stages;
}
