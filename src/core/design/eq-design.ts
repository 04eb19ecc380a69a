/**
 * EQ and pass-filter design: pure functions from band parameters to biquad sections, and the
 * magnitude responses the web app plots. No state here; the filters live in src/core/dsp.
 *
 * Analog prototypes (RBJ "Audio EQ Cookbook", A = 10^(gainDb/40), ω0 = 2π·freqHz):
 *   bell       H(s) = (s² + s·(A/Q) + 1) / (s² + s/(A·Q) + 1)            (s normalised by ω0)
 *   low shelf  H(s) = A·(s² + (√A/Q)·s + A) / (A·s² + (√A/Q)·s + 1)
 *   high shelf H(s) = A·(A·s² + (√A/Q)·s + 1) / (s² + (√A/Q)·s + A)
 *   high pass  Butterworth of order 1..8 (or one 2nd-order section of a given Q)
 *   low pass   the same, low-pass
 *   tilt       low shelf of −gainDb/2 and high shelf of +gainDb/2 at the pivot, Q = 0.5 (see below)
 *
 * Discretisation ("matched", after M. Vicanek, "Matched Second Order Digital Filters", 2016):
 * the poles are mapped exactly by impulse invariance (z = e^{sT}) and the numerator is fitted
 * so that |H|² equals the analog |H|² at chosen frequencies. Unlike the bilinear transform,
 * nothing is compressed towards Nyquist ("cramping"): at 44.1 kHz a 12 kHz bell stays within
 * a fraction of a dB of its analog prototype up to 16 kHz (see eq-design.test.ts).
 * Vicanek's notation: with φ0 = 1 − sin²(ω/2), φ1 = sin²(ω/2), φ2 = 4·φ0·φ1,
 *   |b0 + b1 z⁻¹ + b2 z⁻²|² = B0·φ0 + B1·φ1 + B2·φ2,  B0 = (b0+b1+b2)², B1 = (b0−b1+b2)², B2 = −4·b0·b2,
 * and likewise A0, A1, A2 from the denominator.
 *   - bell: Vicanek §4 (match at DC, at f0, and zero slope at f0), designed as a boost and
 *     inverted for a cut: the analog cut is exactly the reciprocal of the boost of the same
 *     |gain|, so digital boost and cut are exact inverses too (their cascade is an identity);
 *   - shelves: not in Vicanek's paper; same method, matching DC, Nyquist and f0 (as chowdsp's
 *     "decramped" shelves do). Designed in the direction whose poles are the lower-frequency
 *     pair (low-shelf boost, high-shelf cut) and inverted otherwise (the analog shelves of ±gain
 *     are exact reciprocals as well);
 *   - 2nd-order low/high pass: Vicanek §3 (LP: match DC and f0 with b2 = 0; HP: double zero at
 *     DC, match at f0);
 *   - 1st-order sections (odd Butterworth orders): impulse-invariant pole, numerator matched at
 *     DC and f0 (high pass: zero at DC, matched at f0).
 * Below MATCHED_MIN_RATIO·sampleRate (where cramping is negligible and the matched formulas lose
 * precision to cancellation) every shape uses the bilinear transform pre-warped at f0, which
 * converges to the analog response as f0/fs → 0.
 */

import type { BiquadCoefficients } from "./biquad.js";
export type { BiquadCoefficients } from "./biquad.js";

export type EqShape = "bell" | "lowShelf" | "highShelf" | "highPass" | "lowPass" | "tilt";

/**
 * One EQ band (a ChainSpec `eq` stage holds a list of them).
 * - `shape`: see the file comment.
 * - `freqHz`: centre (bell), corner (shelves: the half-gain point), cutoff (pass: −3 dB for
 *   Butterworth), pivot (tilt). Range 10 Hz .. 0.49·sampleRate (clamped at design time).
 * - `gainDb`: bell/shelf gain, −24..+24, default 0 (0 makes the band an exact identity: skipped).
 *   For tilt, the total tilt: −gainDb/2 at DC, +gainDb/2 at Nyquist, 0 dB at the pivot.
 * - `q`: bell Q (RBJ definition), 0.1..30, default 0.7071; shelf Q, default 0.7071 (≤ 0.7071
 *   avoids overshoot); pass filters: only with `order` 2, the section's Q (default Butterworth).
 * - `order`: pass filters only, Butterworth order 1..8, default 2 (6 dB/octave per order).
 */
export interface EqBand {
  readonly shape: EqShape;
  readonly freqHz: number;
  readonly gainDb?: number;
  readonly q?: number;
  readonly order?: number;
}

export const BAND_DEFAULTS = { gainDb: 0, q: Math.SQRT1_2, order: 2, tiltQ: 0.5 } as const;

/**
 * Below this fraction of the sample rate, bilinear (pre-warped) is used instead of the matched
 * design: at fs/40 the bilinear error at high frequencies is already below 0.05 dB for the
 * shapes here, while the matched numerator fit loses digits to cancellation as f0 → 0.
 */
export const MATCHED_MIN_RATIO = 1 / 40;

/** Analog second-order section in s (rad/s): (n2 s² + n1 s + n0) / (d2 s² + d1 s + d0). */
interface AnalogSection {
  readonly n2: number;
  readonly n1: number;
  readonly n0: number;
  readonly d2: number;
  readonly d1: number;
  readonly d0: number;
}

function analogMagnitudeSquared(a: AnalogSection, omega: number): number {
  const w2 = omega * omega;
  const nr = a.n0 - a.n2 * w2;
  const ni = a.n1 * omega;
  const dr = a.d0 - a.d2 * w2;
  const di = a.d1 * omega;
  return (nr * nr + ni * ni) / (dr * dr + di * di);
}

function clampFreqHz(freqHz: number, sampleRateHz: number): number {
  return Math.min(Math.max(freqHz, 1), 0.49 * sampleRateHz);
}

/** Butterworth section Qs for an order: 1/(2·cos θk); odd orders add a 1st-order section. */
export function butterworthQs(order: number): number[] {
  const qs: number[] = [];
  // Pole angles from the negative real axis: (2k−1)π/(2N) for even N, kπ/N for odd N (the
  // real pole at angle 0 is the first-order section).
  for (let k = 1; k <= Math.floor(order / 2); k++) {
    const angle = order % 2 === 0 ? ((2 * k - 1) * Math.PI) / (2 * order) : (k * Math.PI) / order;
    qs.push(1 / (2 * Math.cos(angle)));
  }
  return qs;
}

// ---- Analog prototypes, in rad/s -------------------------------------------------------------

function bellAnalog(f0Hz: number, gainDb: number, q: number): AnalogSection {
  const w0 = 2 * Math.PI * f0Hz;
  const A = Math.pow(10, gainDb / 40);
  return { n2: 1, n1: (w0 * A) / q, n0: w0 * w0, d2: 1, d1: w0 / (A * q), d0: w0 * w0 };
}

function lowShelfAnalog(f0Hz: number, gainDb: number, q: number): AnalogSection {
  const w0 = 2 * Math.PI * f0Hz;
  const A = Math.pow(10, gainDb / 40);
  const sA = Math.sqrt(A);
  return { n2: A, n1: (A * sA * w0) / q, n0: A * A * w0 * w0, d2: A, d1: (sA * w0) / q, d0: w0 * w0 };
}

function highShelfAnalog(f0Hz: number, gainDb: number, q: number): AnalogSection {
  const w0 = 2 * Math.PI * f0Hz;
  const A = Math.pow(10, gainDb / 40);
  const sA = Math.sqrt(A);
  return { n2: A * A, n1: (A * sA * w0) / q, n0: A * w0 * w0, d2: 1, d1: (sA * w0) / q, d0: A * w0 * w0 };
}

function passAnalog2(kind: "highPass" | "lowPass", f0Hz: number, q: number): AnalogSection {
  const w0 = 2 * Math.PI * f0Hz;
  return kind === "lowPass"
    ? { n2: 0, n1: 0, n0: w0 * w0, d2: 1, d1: w0 / q, d0: w0 * w0 }
    : { n2: 1, n1: 0, n0: 0, d2: 1, d1: w0 / q, d0: w0 * w0 };
}

function passAnalog1(kind: "highPass" | "lowPass", f0Hz: number): AnalogSection {
  const w0 = 2 * Math.PI * f0Hz;
  return kind === "lowPass"
    ? { n2: 0, n1: 0, n0: w0, d2: 0, d1: 1, d0: w0 }
    : { n2: 0, n1: 1, n0: 0, d2: 0, d1: 1, d0: w0 };
}

/** The analog sections of a band (empty when the band is an identity). */
function bandAnalogSections(band: EqBand, sampleRateHz: number): AnalogSection[] {
  const f0 = clampFreqHz(band.freqHz, sampleRateHz);
  const gainDb = band.gainDb ?? BAND_DEFAULTS.gainDb;
  const q = band.q ?? BAND_DEFAULTS.q;
  switch (band.shape) {
    case "bell":
      return gainDb === 0 ? [] : [bellAnalog(f0, gainDb, q)];
    case "lowShelf":
      return gainDb === 0 ? [] : [lowShelfAnalog(f0, gainDb, q)];
    case "highShelf":
      return gainDb === 0 ? [] : [highShelfAnalog(f0, gainDb, q)];
    case "tilt":
      return gainDb === 0 ? [] : [
        lowShelfAnalog(f0, -gainDb / 2, BAND_DEFAULTS.tiltQ),
        highShelfAnalog(f0, gainDb / 2, BAND_DEFAULTS.tiltQ),
      ];
    case "highPass":
    case "lowPass": {
      const order = clampOrder(band.order ?? BAND_DEFAULTS.order);
      if (order === 2 && band.q !== undefined) return [passAnalog2(band.shape, f0, band.q)];
      const sections = butterworthQs(order).map((qk) => passAnalog2(band.shape as "highPass" | "lowPass", f0, qk));
      if (order % 2 === 1) sections.push(passAnalog1(band.shape, f0));
      return sections;
    }
  }
}

function clampOrder(order: number): number {
  return Math.min(8, Math.max(1, Math.round(order)));
}

/** True when the band changes nothing (gain 0 on a gain shape): it is skipped, bit-exact. */
export function isIdentityBand(band: EqBand): boolean {
  return band.shape !== "highPass" && band.shape !== "lowPass" && (band.gainDb ?? BAND_DEFAULTS.gainDb) === 0;
}

/** Magnitude of the analog prototype of a list of bands at `freqHz`, in dB (the design target). */
export function analogMagnitudeDb(bands: readonly EqBand[], freqHz: number, sampleRateHz: number): number {
  let power = 1;
  const omega = 2 * Math.PI * freqHz;
  for (const band of bands) {
    for (const s of bandAnalogSections(band, sampleRateHz)) power *= analogMagnitudeSquared(s, omega);
  }
  return 10 * Math.log10(power);
}

// ---- Discretisation --------------------------------------------------------------------------

/** Denominator (1, a1, a2) by impulse invariance of the poles of d2 s² + d1 s + d0 (d2 ≠ 0). */
function matchedPoles(a: AnalogSection, sampleRateHz: number): { a1: number; a2: number } {
  const T = 1 / sampleRateHz;
  const wn = Math.sqrt(a.d0 / a.d2); // natural frequency, rad/s
  const zeta = a.d1 / (2 * a.d2 * wn); // damping = 1/(2·Qp)
  const decay = Math.exp(-zeta * wn * T);
  const a2 = decay * decay;
  const a1 = zeta <= 1
    ? -2 * decay * Math.cos(Math.sqrt(1 - zeta * zeta) * wn * T)
    : -2 * decay * Math.cosh(Math.sqrt(zeta * zeta - 1) * wn * T);
  return { a1, a2 };
}

function phis(omegaNorm: number): [number, number, number] {
  const s = Math.sin(omegaNorm / 2);
  const p1 = s * s;
  const p0 = 1 - p1;
  return [p0, p1, 4 * p0 * p1];
}

/** Vicanek's factorisation of B0, B1, B2 into a minimum-phase numerator (null if not realisable). */
function numeratorFromB(B0: number, B1: number, B2: number): [number, number, number] | null {
  if (!(B0 >= 0) || !(B1 >= 0)) return null;
  const sB0 = Math.sqrt(B0);
  const sB1 = Math.sqrt(B1);
  const W = 0.5 * (sB0 + sB1);
  const disc = W * W + B2;
  if (!(disc >= 0)) return null;
  const b0 = 0.5 * (W + Math.sqrt(disc));
  if (!(b0 > 0)) return null;
  return [b0, 0.5 * (sB0 - sB1), -B2 / (4 * b0)];
}

function invert(c: BiquadCoefficients): BiquadCoefficients {
  // 1/H: swap numerator and denominator, renormalise to a0 = 1 (zeros are inside the unit circle).
  const g = 1 / c.b0;
  return { b0: g, b1: c.a1 * g, b2: c.a2 * g, a1: c.b1 * g, a2: c.b2 * g };
}

/** Bilinear transform pre-warped at `warpHz` (first or second order analog section). */
function bilinear(a: AnalogSection, warpHz: number, sampleRateHz: number): BiquadCoefficients {
  const wd = (2 * Math.PI * warpHz) / sampleRateHz;
  const K = (2 * Math.PI * warpHz) / Math.tan(wd / 2); // s = K·(1 − z⁻¹)/(1 + z⁻¹)
  if (a.d2 === 0 && a.n2 === 0) {
    // First order: (n1 K (1 − z) + n0 (1 + z)) / (d1 K (1 − z) + d0 (1 + z)), z := z⁻¹.
    const da0 = a.d1 * K + a.d0;
    return { b0: (a.n1 * K + a.n0) / da0, b1: (a.n0 - a.n1 * K) / da0, b2: 0, a1: (a.d0 - a.d1 * K) / da0, a2: 0 };
  }
  const K2 = K * K;
  // (n2 K²(1−z)² + n1 K(1−z)(1+z) + n0 (1+z)²) with z := z⁻¹
  const nb0 = a.n2 * K2 + a.n1 * K + a.n0;
  const nb1 = -2 * a.n2 * K2 + 2 * a.n0;
  const nb2 = a.n2 * K2 - a.n1 * K + a.n0;
  const da0 = a.d2 * K2 + a.d1 * K + a.d0;
  const da1 = -2 * a.d2 * K2 + 2 * a.d0;
  const da2 = a.d2 * K2 - a.d1 * K + a.d0;
  return { b0: nb0 / da0, b1: nb1 / da0, b2: nb2 / da0, a1: da1 / da0, a2: da2 / da0 };
}

/**
 * Matched first-order section: pole by impulse invariance; numerator matched at DC and f0 (low
 * pass) or with its zero at DC and matched at f0 (high pass).
 */
function matchedFirstOrder(a: AnalogSection, f0Hz: number, sampleRateHz: number): BiquadCoefficients {
  const p = Math.exp(-(a.d0 / a.d1) / sampleRateHz);
  const a1 = -p;
  // |b0 + b1 z⁻¹|² = (b0+b1)²·φ0 + (b0−b1)²·φ1 (and the same for 1 + a1 z⁻¹).
  const [p0, p1] = phis((2 * Math.PI * f0Hz) / sampleRateHz);
  const denAtF0 = (1 + a1) * (1 + a1) * p0 + (1 - a1) * (1 - a1) * p1;
  const target = denAtF0 * analogMagnitudeSquared(a, 2 * Math.PI * f0Hz);
  const B0 = (1 + a1) * (1 + a1) * analogMagnitudeSquared(a, 0);
  const B1 = Math.max(0, (target - B0 * p0) / p1);
  const sum = Math.sqrt(B0);
  const diff = Math.sqrt(B1);
  return { b0: 0.5 * (sum + diff), b1: 0.5 * (sum - diff), b2: 0, a1, a2: 0 };
}

type SectionKind = "bell" | "lowShelf" | "highShelf" | "lowPass" | "highPass";

/** Matched design of one analog second-order section; null when the fit is not realisable. */
function matchedSecondOrder(kind: SectionKind, a: AnalogSection, f0Hz: number, sampleRateHz: number): BiquadCoefficients | null {
  const { a1, a2 } = matchedPoles(a, sampleRateHz);
  const A0 = (1 + a1 + a2) * (1 + a1 + a2);
  const A1 = (1 - a1 + a2) * (1 - a1 + a2);
  const A2 = -4 * a2;
  const w0 = (2 * Math.PI * f0Hz) / sampleRateHz;
  const [p0, p1, p2] = phis(w0);
  const denAtF0 = A0 * p0 + A1 * p1 + A2 * p2;
  const gainSqAtF0 = analogMagnitudeSquared(a, 2 * Math.PI * f0Hz);
  if (kind === "lowPass") {
    // Vicanek §3 low pass: B0 = A0 (unity at DC), B2 = 0, |H(f0)|² matched.
    const B0 = A0;
    const B1 = (denAtF0 * gainSqAtF0 - B0 * p0) / p1;
    if (!(B1 >= 0)) return null;
    const b0 = 0.5 * (Math.sqrt(B0) + Math.sqrt(B1));
    return { b0, b1: Math.sqrt(B0) - b0, b2: 0, a1, a2 };
  }
  if (kind === "highPass") {
    // Vicanek §3 high pass: numerator k·(1 − z⁻¹)², |k(1−z⁻¹)²|² = 16·k²·φ1², matched at f0.
    const k = Math.sqrt(denAtF0 * gainSqAtF0) / (4 * p1);
    return { b0: k, b1: -2 * k, b2: k, a1, a2 };
  }
  let B: [number, number, number];
  if (kind === "bell") {
    // Vicanek §4: |H|² = G² at f0 with zero slope there (the peak sits at f0), unity at DC.
    const R1 = denAtF0 * gainSqAtF0;
    const R2 = (-A0 + A1 + 4 * (p0 - p1) * A2) * gainSqAtF0;
    const B0 = A0;
    const B2 = (R1 - R2 * p1 - B0) / (4 * p1 * p1);
    const B1 = R2 + B0 + 4 * (p1 - p0) * B2;
    B = [B0, B1, B2];
  } else {
    // Shelves: match DC, Nyquist and f0.
    const B0 = A0 * analogMagnitudeSquared(a, 0);
    const B1 = A1 * analogMagnitudeSquared(a, Math.PI * sampleRateHz);
    const B2 = (denAtF0 * gainSqAtF0 - B0 * p0 - B1 * p1) / p2;
    B = [B0, B1, B2];
  }
  const num = numeratorFromB(B[0], B[1], B[2]);
  if (num === null) return null;
  return { b0: num[0], b1: num[1], b2: num[2], a1, a2 };
}

/**
 * Designs one section of a gain shape (bell or shelf) of `gainDb`: matched in the well-posed
 * direction, inverted for the other (see the file comment), bilinear at low f0 or if the
 * matched fit is not realisable.
 */
function designGainSection(kind: "bell" | "lowShelf" | "highShelf", f0Hz: number, gainDb: number, q: number, sampleRateHz: number): BiquadCoefficients {
  const make = kind === "bell" ? bellAnalog : kind === "lowShelf" ? lowShelfAnalog : highShelfAnalog;
  const exact = make(f0Hz, gainDb, q);
  if (f0Hz < MATCHED_MIN_RATIO * sampleRateHz) return bilinear(exact, f0Hz, sampleRateHz);
  // Well-posed direction: bell and low shelf as a boost, high shelf as a cut.
  const wantBoost = kind !== "highShelf";
  const flip = (gainDb > 0) !== wantBoost;
  const designGainDb = flip ? -gainDb : gainDb;
  const matched = matchedSecondOrder(kind, make(f0Hz, designGainDb, q), f0Hz, sampleRateHz);
  if (matched === null) return bilinear(exact, f0Hz, sampleRateHz);
  return flip ? invert(matched) : matched;
}

function designPassSection(kind: "lowPass" | "highPass", a: AnalogSection, f0Hz: number, sampleRateHz: number): BiquadCoefficients {
  if (a.d2 === 0) {
    return f0Hz < MATCHED_MIN_RATIO * sampleRateHz ? bilinear(a, f0Hz, sampleRateHz) : matchedFirstOrder(a, f0Hz, sampleRateHz);
  }
  if (f0Hz < MATCHED_MIN_RATIO * sampleRateHz) return bilinear(a, f0Hz, sampleRateHz);
  return matchedSecondOrder(kind, a, f0Hz, sampleRateHz) ?? bilinear(a, f0Hz, sampleRateHz);
}

/** The biquad sections of one band at a sample rate (empty for an identity band). */
export function designBand(band: EqBand, sampleRateHz: number): BiquadCoefficients[] {
  if (isIdentityBand(band)) return [];
  const f0 = clampFreqHz(band.freqHz, sampleRateHz);
  const gainDb = band.gainDb ?? BAND_DEFAULTS.gainDb;
  const q = band.q ?? BAND_DEFAULTS.q;
  switch (band.shape) {
    case "bell":
    case "lowShelf":
    case "highShelf":
      return [designGainSection(band.shape, f0, gainDb, q, sampleRateHz)];
    case "tilt":
      return [
        designGainSection("lowShelf", f0, -gainDb / 2, BAND_DEFAULTS.tiltQ, sampleRateHz),
        designGainSection("highShelf", f0, gainDb / 2, BAND_DEFAULTS.tiltQ, sampleRateHz),
      ];
    case "highPass":
    case "lowPass": {
      const kind = band.shape;
      return bandAnalogSections(band, sampleRateHz).map((a) => designPassSection(kind, a, f0, sampleRateHz));
    }
  }
}

/** The sections of a list of bands, in order (identity bands contribute nothing). */
export function designBands(bands: readonly EqBand[], sampleRateHz: number): BiquadCoefficients[] {
  return bands.flatMap((b) => designBand(b, sampleRateHz));
}

/** Butterworth high- or low-pass of `order` (1..8) at `cutoffHz` (−3 dB), as sections. */
export function designButterworth(kind: "highPass" | "lowPass", cutoffHz: number, order: number, sampleRateHz: number): BiquadCoefficients[] {
  return designBand({ shape: kind, freqHz: cutoffHz, order }, sampleRateHz);
}

/** |H(e^{jω})|² of one section at `freqHz`. */
export function biquadMagnitudeSquared(c: BiquadCoefficients, freqHz: number, sampleRateHz: number): number {
  const [p0, p1, p2] = phis((2 * Math.PI * freqHz) / sampleRateHz);
  const B0 = (c.b0 + c.b1 + c.b2) ** 2;
  const B1 = (c.b0 - c.b1 + c.b2) ** 2;
  const B2 = -4 * c.b0 * c.b2;
  const A0 = (1 + c.a1 + c.a2) ** 2;
  const A1 = (1 - c.a1 + c.a2) ** 2;
  const A2 = -4 * c.a2;
  return (B0 * p0 + B1 * p1 + B2 * p2) / (A0 * p0 + A1 * p1 + A2 * p2);
}

/** Magnitude in dB of a cascade of sections at `freqHz`. */
export function sectionsMagnitudeDb(sections: readonly BiquadCoefficients[], freqHz: number, sampleRateHz: number): number {
  let power = 1;
  for (const s of sections) power *= biquadMagnitudeSquared(s, freqHz, sampleRateHz);
  return 10 * Math.log10(power);
}

/**
 * Magnitude in dB of the (minimum-phase) digital EQ that `bands` make at `sampleRateHz`, at
 * `freqHz` (0..sampleRate/2). This is what the processor does, in either phase mode: the
 * linear-phase EQ is designed to this same magnitude. For plots.
 */
export function magnitudeDb(bands: readonly EqBand[], freqHz: number, sampleRateHz: number): number {
  return sectionsMagnitudeDb(designBands(bands, sampleRateHz), freqHz, sampleRateHz);
}

