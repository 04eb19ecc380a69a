/**
 * Linkwitz-Riley crossover design (pure functions, no state).
 *
 * An LR4 (24 dB/octave) split at fc is two cascaded 2nd-order Butterworth sections (Q = 1/√2)
 * per path: LP4 = LP2², HP4 = HP2². In the analog domain
 *   LP4 + HP4 = (1 + s⁴) / (s² + √2 s + 1)² = (s² − √2 s + 1) / (s² + √2 s + 1),
 * a 2nd-order all-pass with the same poles (Linkwitz & Riley, JAES 24(1), 1976; Bohn, "Linkwitz-
 * Riley Crossovers: A Primer", Rane note 160). The bilinear transform is a substitution s -> f(z),
 * so the identity survives discretisation exactly when all three sections share one pre-warped
 * frequency: LP4(z) + HP4(z) = AP2(z).
 *
 * N bands use N − 1 splits in a tree: split 0 takes the input, split j takes the high output of
 * split j − 1. Band k (k < N − 1) is LP_k·Π_{j<k} HP_j, and is then passed through the all-pass
 * AP_j of every later split j > k, so every band carries the same phase Π_j AP_j and the bands sum
 * to that all-pass: flat magnitude, one shared phase response ("phase-coherent").
 */

import type { BiquadCoefficients } from "./biquad.js";
export type { BiquadCoefficients } from "./biquad.js";

/** One LR4 split: each path is its 2nd-order section applied twice; `allpass` is their sum. */
export interface LinkwitzRileySplit {
  readonly cutoffHz: number;
  /** 2nd-order Butterworth low-pass; the LR4 low path is this section twice. */
  readonly lowpass: BiquadCoefficients;
  /** 2nd-order Butterworth high-pass; the LR4 high path is this section twice. */
  readonly highpass: BiquadCoefficients;
  /** 2nd-order all-pass equal to LP4 + HP4, used to phase-compensate lower bands. */
  readonly allpass: BiquadCoefficients;
}

export interface CrossoverDesign {
  readonly sampleRateHz: number;
  /** Crossover frequencies, strictly ascending. Bands = crossoversHz.length + 1. */
  readonly crossoversHz: readonly number[];
  readonly splits: readonly LinkwitzRileySplit[];
}

/** Largest band count a crossover bank supports (the multiband compressor uses 2 to 5). */
export const MAX_CROSSOVER_BANDS = 8;

/**
 * The 2nd-order sections of an LR4 split at `cutoffHz`, by the bilinear transform pre-warped at
 * the cutoff (K = tan(π fc / fs)), so the −6 dB point of each LR4 path lands exactly on fc.
 */
export function designLinkwitzRiley4(cutoffHz: number, sampleRateHz: number): LinkwitzRileySplit {
  const k = Math.tan((Math.PI * cutoffHz) / sampleRateHz);
  const k2 = k * k;
  const sqrt2k = Math.SQRT2 * k; // K / Q with Q = 1/√2 (Butterworth)
  const norm = 1 / (1 + sqrt2k + k2);
  const a1 = 2 * (k2 - 1) * norm;
  const a2 = (1 - sqrt2k + k2) * norm;
  const lpB0 = k2 * norm;
  return {
    cutoffHz,
    lowpass: { b0: lpB0, b1: 2 * lpB0, b2: lpB0, a1, a2 },
    highpass: { b0: norm, b1: -2 * norm, b2: norm, a1, a2 },
    allpass: { b0: a2, b1: a1, b2: 1, a1, a2 },
  };
}

/**
 * Checks a crossover list: finite, strictly ascending, above 0 and below 0.45·fs (the pre-warp
 * tangent explodes at Nyquist), at most MAX_CROSSOVER_BANDS − 1 of them. Returns the problem in
 * words, or null when the list is valid.
 */
export function crossoverProblem(crossoversHz: readonly number[], sampleRateHz: number): string | null {
  if (crossoversHz.length > MAX_CROSSOVER_BANDS - 1) return `at most ${MAX_CROSSOVER_BANDS - 1} crossovers`;
  let previous = 0;
  for (const f of crossoversHz) {
    if (!Number.isFinite(f) || f <= 0) return `crossover ${f} Hz is not a positive frequency`;
    if (f <= previous) return `crossovers must be strictly ascending (${previous} Hz, then ${f} Hz)`;
    if (f >= 0.45 * sampleRateHz) return `crossover ${f} Hz is too close to Nyquist at ${sampleRateHz} Hz`;
    previous = f;
  }
  return null;
}

/** Designs the whole tree. Throws RangeError on an invalid list (see `crossoverProblem`). */
export function designCrossover(crossoversHz: readonly number[], sampleRateHz: number): CrossoverDesign {
  const problem = crossoverProblem(crossoversHz, sampleRateHz);
  if (problem !== null) throw new RangeError(problem);
  return {
    sampleRateHz,
    crossoversHz: [...crossoversHz],
    splits: crossoversHz.map((f) => designLinkwitzRiley4(f, sampleRateHz)),
  };
}

/** Complex response of a biquad at `frequencyHz`: [re, im]. */
export function biquadResponse(c: BiquadCoefficients, frequencyHz: number, sampleRateHz: number): [number, number] {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const cos1 = Math.cos(w), sin1 = Math.sin(w), cos2 = Math.cos(2 * w), sin2 = Math.sin(2 * w);
  const nr = c.b0 + c.b1 * cos1 + c.b2 * cos2, ni = -(c.b1 * sin1 + c.b2 * sin2);
  const dr = 1 + c.a1 * cos1 + c.a2 * cos2, di = -(c.a1 * sin1 + c.a2 * sin2);
  const d = dr * dr + di * di;
  return [(nr * dr + ni * di) / d, (ni * dr - nr * di) / d];
}

function multiply(a: [number, number], b: [number, number]): [number, number] {
  return [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
}

/** Complex response of band `band` (0 = lowest) of the tree, all-pass compensation included. */
export function crossoverBandResponse(design: CrossoverDesign, band: number, frequencyHz: number): [number, number] {
  const fs = design.sampleRateHz;
  const splits = design.splits;
  let h: [number, number] = [1, 0];
  for (let j = 0; j < splits.length; j++) {
    let section: BiquadCoefficients;
    if (j < band) section = splits[j].highpass;
    else if (j === band) section = splits[j].lowpass;
    else { h = multiply(h, biquadResponse(splits[j].allpass, frequencyHz, fs)); continue; }
    const r = biquadResponse(section, frequencyHz, fs);
    h = multiply(h, multiply(r, r));
  }
  return h;
}

/** Magnitude of one band in dB (for plots and tests). */
export function crossoverBandMagnitudeDb(design: CrossoverDesign, band: number, frequencyHz: number): number {
  const [re, im] = crossoverBandResponse(design, band, frequencyHz);
  return 10 * Math.log10(re * re + im * im);
}

/** Magnitude of the sum of all bands in dB: 0 dB at every frequency by construction. */
export function crossoverSumMagnitudeDb(design: CrossoverDesign, frequencyHz: number): number {
  let re = 0, im = 0;
  for (let b = 0; b <= design.splits.length; b++) {
    const h = crossoverBandResponse(design, b, frequencyHz);
    re += h[0]; im += h[1];
  }
  return 10 * Math.log10(re * re + im * im);
}
