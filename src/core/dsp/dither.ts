import type { Processor, ProcessSpec } from "./processor.js";

/**
 * Parameters of the final dither (not a ChainSpec stage: the I/O applies it to every output
 * whose word length is shorter than the signal's; see `needsDither`).
 * - `bitDepth`: target word length, 16 or 24, default 16.
 * - `shape`: "tpdf" (default): flat triangular dither, ±1 LSB peak (two uniform ±0.5 LSB);
 *   "shaped": the same TPDF dither with error-feedback noise shaping after Wannamaker's 9-tap
 *   F-weighted filter (R. A. Wannamaker, "Psychoacoustically Optimal Noise Shaping", JAES
 *   40(7/8), 1992; the coefficients as published and as used by SoX and FFmpeg, "fwe44"). It is
 *   designed for 44.1 kHz and applied at 44.1 and 48 kHz; above 50 kHz the shape would sit in
 *   the wrong place, so "shaped" falls back to flat TPDF there.
 * - `seed`: unsigned 32-bit PRNG seed, default 1. Same seed, same samples, in Node and in
 *   browsers (xoshiro128** on 32-bit integer math, one independent stream per channel).
 *
 * Output: Float32 values that are exact integers / 2^(bitDepth−1), clamped to
 * [−2^(bitDepth−1), 2^(bitDepth−1) − 1] / 2^(bitDepth−1): the encoder's integer conversion is
 * then exact. Latency 0.
 */
export interface DitherParams {
  readonly bitDepth: 16 | 24;
  readonly shape: "tpdf" | "shaped";
  readonly seed: number;
}

export const DEFAULTS: DitherParams = { bitDepth: 16, shape: "tpdf", seed: 1 };

/**
 * Wannamaker 1992, 9-tap F-weighted error-feedback coefficients c1..c9: the noise transfer
 * function is NTF(z) = 1 − Σ c_k z^−k (minimum phase: its mean log-magnitude over frequency is
 * 0, per Gerzon–Craven), with its deepest dips near 3.5 kHz and 12 kHz at 44.1 kHz.
 */
export const F_WEIGHTED_44K = [2.412, -3.370, 3.937, -4.174, 3.353, -2.205, 1.281, -0.569, 0.0847] as const;

/** The fed-back error is limited to ±ERROR_LIMIT_LSB so clipping cannot drive the shaper unstable. */
const ERROR_LIMIT_LSB = 2;

/**
 * Whether an output needs dither: "only where precision is lost" (DESIGN.md, Dither).
 * - processed audio (any stage changed the samples) → yes: the float result lies off the grid;
 * - a float source → yes: its samples are not known to lie on the target grid;
 * - an integer source, unprocessed, written at `targetBits` ≥ `sourceBits` → no: the samples
 *   are copied exactly (bit-exact pass-through, no added noise);
 * - an integer source, unprocessed, with more bits than the target → yes (word length reduced).
 */
export function needsDither(sourceBits: number, sourceIsFloat: boolean, processed: boolean, targetBits: number): boolean {
  if (processed || sourceIsFloat) return true;
  return sourceBits > targetBits;
}

/** splitmix32 step (to spread a seed over xoshiro's 128-bit state). */
function splitmix32(state: Uint32Array): number {
  state[0] = (state[0] + 0x9e3779b9) >>> 0;
  let z = state[0];
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_POW_M32 = 1 / 4294967296;

/** TPDF dither, optional noise shaping, rounding to `bitDepth` bits. */
export class Dither implements Processor {
  readonly latencySamples = 0;
  readonly params: DitherParams;
  private scale = 32768;
  private coefs = new Float64Array(0);
  /** Per channel: xoshiro128** state s0..s3. */
  private rng = new Uint32Array(0);
  /** Per channel: a ring of 16 past errors (in LSB), and its write index. */
  private errors = new Float64Array(0);
  private errorIndex = new Int32Array(0);
  private channels = 0;

  constructor(params: Partial<DitherParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    if (this.params.bitDepth !== 16 && this.params.bitDepth !== 24) throw new RangeError(`bitDepth must be 16 or 24, got ${this.params.bitDepth}`);
  }

  prepare(spec: ProcessSpec): void {
    this.scale = Math.pow(2, this.params.bitDepth - 1);
    const shaped = this.params.shape === "shaped" && spec.sampleRateHz < 50000;
    this.coefs = shaped ? Float64Array.from(F_WEIGHTED_44K) : new Float64Array(0);
    this.channels = spec.channels;
    this.rng = new Uint32Array(4 * spec.channels);
    this.errors = new Float64Array(16 * spec.channels);
    this.errorIndex = new Int32Array(spec.channels);
    this.reset();
  }

  reset(): void {
    const sm = new Uint32Array(1);
    for (let c = 0; c < this.channels; c++) {
      // One stream per channel: the channel index is mixed into the seed.
      sm[0] = (this.params.seed >>> 0) ^ Math.imul(c + 1, 0x632be5ab);
      for (let k = 0; k < 4; k++) this.rng[4 * c + k] = splitmix32(sm);
      if ((this.rng[4 * c] | this.rng[4 * c + 1] | this.rng[4 * c + 2] | this.rng[4 * c + 3]) === 0) this.rng[4 * c] = 1;
    }
    this.errors.fill(0);
    this.errorIndex.fill(0);
  }

  process(channels: Float32Array[], frames: number): void {
    const scale = this.scale;
    const inv = 1 / scale;
    const maxQ = scale - 1;
    const minQ = -scale;
    const coefs = this.coefs;
    const taps = coefs.length;
    const rng = this.rng;
    const errors = this.errors;
    for (let c = 0; c < channels.length; c++) {
      const ch = channels[c];
      let s0 = rng[4 * c];
      let s1 = rng[4 * c + 1];
      let s2 = rng[4 * c + 2];
      let s3 = rng[4 * c + 3];
      const base = 16 * c;
      let idx = this.errorIndex[c];
      for (let n = 0; n < frames; n++) {
        // Two xoshiro128** outputs (D. Blackman & S. Vigna, 2018): r = rotl(s1·5, 7)·9.
        let m = Math.imul(s1, 5);
        let r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
        let t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        const u1 = r * TWO_POW_M32;
        m = Math.imul(s1, 5);
        r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        const u2 = r * TWO_POW_M32;
        const dither = u1 + u2 - 1; // TPDF, (−1, 1) LSB

        let v = ch[n] * scale;
        if (taps > 0) {
          let fb = 0;
          for (let k = 0; k < taps; k++) fb += coefs[k] * errors[base + ((idx - k) & 15)];
          v -= fb; // NTF(z) = 1 − Σ c_k z^−k
        }
        let q = Math.floor(v + dither + 0.5);
        if (q > maxQ) q = maxQ;
        else if (q < minQ) q = minQ;
        if (taps > 0) {
          let e = q - v;
          if (e > ERROR_LIMIT_LSB) e = ERROR_LIMIT_LSB;
          else if (e < -ERROR_LIMIT_LSB) e = -ERROR_LIMIT_LSB;
          idx = (idx + 1) & 15;
          errors[base + idx] = e;
        }
        ch[n] = q * inv;
      }
      rng[4 * c] = s0;
      rng[4 * c + 1] = s1;
      rng[4 * c + 2] = s2;
      rng[4 * c + 3] = s3;
      this.errorIndex[c] = idx;
    }
  }
}
