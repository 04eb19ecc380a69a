/**
 * Polyphase windowed-sinc design for rational sample-rate conversion (Crochiere & Rabiner,
 * "Multirate Digital Signal Processing", ch. 2-3; Kaiser window per Oppenheim & Schafer §7.5.3).
 *
 * The ratio out/in is reduced to L/M by their gcd (44100 -> 48000: L = 160, M = 147). Output
 * sample k lies at input time t_k = k·M/L; writing t_k = n_k + p_k/L (n_k an integer, p_k the
 * phase in 0..L-1), it is
 *
 *   y[k] = Σ_{j=-K+1..K} x[n_k + j] · g(j − p_k/L),
 *   g(u) = 2·fc·sinc(2·fc·u) · w_Kaiser(u / K)          (u in input samples, fc in cycles/sample)
 *
 * The kernel is centred on t_k itself, so there is no time shift to compensate afterwards: the
 * filter delay is taken out by construction. Each of the L phases is a row of 2K taps; each row
 * is normalised to a sum of exactly 1 so DC passes unchanged in every phase (no phase-dependent
 * gain, which would modulate the signal at the phase rate).
 *
 * Bands (for both directions, relative to the lower of the two Nyquist frequencies fN):
 *   passband edge fp = max(20 kHz, 0.9·fN) capped below fN; stop band from fN (no aliasing into,
 *   and no images inside, the output band); cutoff fc = (fp + fN)/2.
 * The Kaiser design gives equal ripple δ = 10^(−A/20) in both bands, so A = 130 dB puts the stop
 * band below −130 dB and the passband ripple near 3e-6 dB.
 */
import { besselI0, kaiserBeta } from "./halfband.js";

export interface ResamplerOptions {
  /** Stop-band attenuation target in dB (default 130: comfortably under the −120 dB goal). */
  attenuationDb?: number;
  /** Passband edge in Hz (default max(20000, 0.9·lower Nyquist), capped at 0.98·lower Nyquist). */
  passbandHz?: number;
}

export interface ResamplerDesign {
  readonly inRateHz: number;
  readonly outRateHz: number;
  /** Interpolation factor L (out/in = L/M in lowest terms). */
  readonly upFactor: number;
  /** Decimation factor M. */
  readonly downFactor: number;
  /** K: taps each side of the output instant, in input samples; a phase row has 2K taps. */
  readonly halfTaps: number;
  /** L rows of 2K taps: row p holds g(j − p/L) for j = −K+1..K. */
  readonly phases: Float64Array;
  readonly passbandHz: number;
  readonly stopbandHz: number;
  readonly cutoffHz: number;
  readonly attenuationDb: number;
  readonly beta: number;
}

/** Coefficient budget: L·2K doubles (1.3 MB at the limit); ratios beyond it need a coarser L. */
const MAX_COEFFICIENTS = 160_000 * 8;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Output frames for `inFrames` input frames: round(n·out/in), computed exactly in integers. */
export function resampledLength(inFrames: number, design: Pick<ResamplerDesign, "upFactor" | "downFactor">): number {
  const { upFactor: L, downFactor: M } = design;
  // round(n·L/M) without floating error for n·L up to 2^53: floor((2·n·L + M) / (2·M)).
  return Math.floor((2 * inFrames * L + M) / (2 * M));
}

export function designResampler(inRateHz: number, outRateHz: number, options: ResamplerOptions = {}): ResamplerDesign {
  if (!Number.isInteger(inRateHz) || !Number.isInteger(outRateHz) || inRateHz <= 0 || outRateHz <= 0) {
    throw new RangeError(`sample rates must be positive integers, got ${inRateHz} and ${outRateHz}`);
  }
  const g = gcd(inRateHz, outRateHz);
  const L = outRateHz / g;
  const M = inRateHz / g;
  const attenuationDb = options.attenuationDb ?? 130;
  const nyquistHz = Math.min(inRateHz, outRateHz) / 2;
  const passbandHz = Math.min(options.passbandHz ?? Math.max(20000, 0.9 * nyquistHz), 0.98 * nyquistHz);
  const stopbandHz = nyquistHz;
  const cutoffHz = (passbandHz + stopbandHz) / 2;
  const beta = kaiserBeta(attenuationDb);
  if (L === 1 && M === 1) {
    return { inRateHz, outRateHz, upFactor: 1, downFactor: 1, halfTaps: 2, phases: Float64Array.of(0, 1, 0, 0), passbandHz, stopbandHz, cutoffHz, attenuationDb, beta };
  }
  // Kaiser's length estimate (O&S eq. 7.63): N = (A − 8) / (2.285 · Δω), Δω in rad/input sample.
  const deltaOmega = (2 * Math.PI * (stopbandHz - passbandHz)) / inRateHz;
  // K even, so a phase row (2K taps) is a multiple of 4 for the resampler's unrolled dot product.
  const halfTaps = 2 * Math.ceil(((attenuationDb - 7.95) / (2.285 * deltaOmega) / 2 + 1) / 2);
  if (L * 2 * halfTaps > MAX_COEFFICIENTS) {
    throw new RangeError(`ratio ${outRateHz}/${inRateHz} = ${L}/${M} needs ${L * 2 * halfTaps} coefficients (limit ${MAX_COEFFICIENTS})`);
  }
  const fc = cutoffHz / inRateHz; // cycles per input sample
  const i0Beta = besselI0(beta);
  const taps = 2 * halfTaps;
  const phases = new Float64Array(L * taps);
  for (let p = 0; p < L; p++) {
    let sum = 0;
    for (let i = 0; i < taps; i++) {
      const u = i - halfTaps + 1 - p / L;
      const r = u / halfTaps;
      const x = 2 * fc * u;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = Math.abs(r) >= 1 ? (Math.abs(r) === 1 ? 1 / i0Beta : 0) : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      const v = 2 * fc * sinc * w;
      phases[p * taps + i] = v;
      sum += v;
    }
    for (let i = 0; i < taps; i++) phases[p * taps + i] /= sum;
  }
  return { inRateHz, outRateHz, upFactor: L, downFactor: M, halfTaps, phases, passbandHz, stopbandHz, cutoffHz, attenuationDb, beta };
}

/**
 * Magnitude response (linear) at `freqHz` (input-rate Hz) of the prototype filter, evaluated on
 * the full interleaved kernel at the rate L·in (all phases together), normalised by the mean DC
 * gain of the phases. Used for plots and for the passband/stop-band checks.
 */
export function resamplerMagnitude(design: ResamplerDesign, freqHz: number): number {
  const { upFactor: L, halfTaps: K, phases } = design;
  const taps = 2 * K;
  let re = 0;
  let im = 0;
  // Prototype tap at fine time u = j − p/L (input samples) is phases[p·2K + (j + K − 1)].
  const w = 2 * Math.PI * (freqHz / design.inRateHz);
  for (let p = 0; p < L; p++) {
    for (let i = 0; i < taps; i++) {
      const u = i - K + 1 - p / L;
      const h = phases[p * taps + i];
      re += h * Math.cos(w * u);
      im -= h * Math.sin(w * u);
    }
  }
  // Each row sums to 1, so the whole kernel sums to L at DC.
  return Math.hypot(re, im) / L;
}
