/**
 * K-weighting filter design (ITU-R BS.1770-4 Annex 1, Tables 1 and 2), for any sample rate.
 *
 * BS.1770-4 publishes coefficients for 48 kHz only. Following libebur128, we describe the two
 * stages by analog-prototype parameters that reproduce the published 48 kHz coefficients, and map
 * them to the actual rate with the bilinear transform, pre-warped at each stage's frequency:
 *
 * - stage 1, "pre-filter": a high-shelf (+4 dB above ~1.7 kHz, head acoustics);
 * - stage 2, "RLB" weighting: a second-order high-pass at ~38 Hz with numerator 1, -2, 1
 *   (BS.1770-4 Table 2 keeps that un-normalised numerator; so do we).
 *
 * Pure functions: no state. The stateful filtering lives in the loudness meter.
 */

import type { BiquadCoefficients } from "./biquad.js";
export type { BiquadCoefficients } from "./biquad.js";

export interface KWeightingDesign {
  /** Stage 1: the high-shelf pre-filter (BS.1770-4 Table 1 at 48 kHz). */
  readonly shelf: BiquadCoefficients;
  /** Stage 2: the RLB high-pass (BS.1770-4 Table 2 at 48 kHz). */
  readonly highPass: BiquadCoefficients;
}

// Analog prototype parameters that reproduce BS.1770-4 Tables 1 and 2 at 48 kHz (the values
// libebur128 derived; they match the published coefficients to ~1e-9).
const SHELF_CENTER_HZ = 1681.974450955533;
const SHELF_GAIN_DB = 3.999843853973347;
const SHELF_Q = 0.7071752369554196;
const SHELF_BAND_EXPONENT = 0.4996667741545416;
const HIGH_PASS_CUTOFF_HZ = 38.13547087602444;
const HIGH_PASS_Q = 0.5003270373238773;

/** K-weighting coefficients for `sampleRateHz` (8 kHz to 384 kHz and beyond). */
export function designKWeighting(sampleRateHz: number): KWeightingDesign {
  if (!(sampleRateHz > 2 * SHELF_CENTER_HZ)) {
    throw new RangeError(`K-weighting needs a sample rate above ${2 * SHELF_CENTER_HZ} Hz, got ${sampleRateHz}`);
  }
  // Bilinear transform with pre-warping: K = tan(pi f0 / fs).
  let k = Math.tan((Math.PI * SHELF_CENTER_HZ) / sampleRateHz);
  const vh = Math.pow(10, SHELF_GAIN_DB / 20);
  const vb = Math.pow(vh, SHELF_BAND_EXPONENT);
  let a0 = 1 + k / SHELF_Q + k * k;
  const shelf: BiquadCoefficients = {
    b0: (vh + (vb * k) / SHELF_Q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / SHELF_Q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / SHELF_Q + k * k) / a0,
  };
  k = Math.tan((Math.PI * HIGH_PASS_CUTOFF_HZ) / sampleRateHz);
  a0 = 1 + k / HIGH_PASS_Q + k * k;
  const highPass: BiquadCoefficients = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / HIGH_PASS_Q + k * k) / a0,
  };
  return { shelf, highPass };
}

/** Magnitude of a biquad at `frequencyHz`, in dB (for plots and tests). */
export function biquadMagnitudeDb(c: BiquadCoefficients, frequencyHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const cos1 = Math.cos(w), sin1 = Math.sin(w), cos2 = Math.cos(2 * w), sin2 = Math.sin(2 * w);
  const nr = c.b0 + c.b1 * cos1 + c.b2 * cos2, ni = -(c.b1 * sin1 + c.b2 * sin2);
  const dr = 1 + c.a1 * cos1 + c.a2 * cos2, di = -(c.a1 * sin1 + c.a2 * sin2);
  return 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di));
}

/** Magnitude of the whole K-weighting curve at `frequencyHz`, in dB. */
export function kWeightingMagnitudeDb(design: KWeightingDesign, frequencyHz: number, sampleRateHz: number): number {
  return biquadMagnitudeDb(design.shelf, frequencyHz, sampleRateHz) + biquadMagnitudeDb(design.highPass, frequencyHz, sampleRateHz);
}
