import type { Processor, ProcessSpec } from "./processor.js";
import { crossoverProblem, designCrossover, type BiquadCoefficients, type CrossoverDesign } from "../design/crossover.js";

/** Parameters of a crossover bank (the split used by the multiband compressor and the imager). */
export interface CrossoverBankParams {
  /**
   * Crossover frequencies in Hz, strictly ascending, each in (0, 0.45·fs); 0 to 7 of them
   * (bands = length + 1). Default [200, 2000].
   */
  readonly crossoversHz: readonly number[];
}

export const DEFAULTS: CrossoverBankParams = { crossoversHz: [200, 2000] };

// Values this small are flushed: in Float64 state (to keep the FPU out of denormal arithmetic
// in long silences) and in Float32 output (where anything under 1.18e-38 would be a denormal).
const STATE_FLUSH = 1e-200;
const OUTPUT_FLUSH = 1e-30;

/**
 * Runs one biquad over `buf[0..frames)` in place, transposed direct form II with Float64 state
 * `state[at]`, `state[at + 1]`; coefficients `coef[k..k+5)` = b0, b1, b2, a1, a2.
 */
function runBiquad(buf: Float64Array, frames: number, coef: Float64Array, k: number, state: Float64Array, at: number): void {
  const b0 = coef[k], b1 = coef[k + 1], b2 = coef[k + 2], a1 = coef[k + 3], a2 = coef[k + 4];
  let s1 = state[at], s2 = state[at + 1];
  for (let n = 0; n < frames; n++) {
    const x = buf[n];
    const y = b0 * x + s1;
    s1 = b1 * x - a1 * y + s2;
    s2 = b2 * x - a2 * y;
    buf[n] = y;
  }
  state[at] = Math.abs(s1) < STATE_FLUSH ? 0 : s1;
  state[at + 1] = Math.abs(s2) < STATE_FLUSH ? 0 : s2;
}

/**
 * Two cascaded biquads (sections k and k + 5, states at and at + 2) in one pass: the same
 * arithmetic as two `runBiquad` calls, but the two recursions overlap in the CPU (the biquad's
 * feedback chain, not the arithmetic, is what limits one section's speed).
 */
function runBiquadCascade(buf: Float64Array, frames: number, coef: Float64Array, k: number, state: Float64Array, at: number): void {
  const b0 = coef[k], b1 = coef[k + 1], b2 = coef[k + 2], a1 = coef[k + 3], a2 = coef[k + 4];
  const c0 = coef[k + 5], c1 = coef[k + 6], c2 = coef[k + 7], d1 = coef[k + 8], d2 = coef[k + 9];
  let s1 = state[at], s2 = state[at + 1], t1 = state[at + 2], t2 = state[at + 3];
  for (let n = 0; n < frames; n++) {
    const x = buf[n];
    const y = b0 * x + s1;
    s1 = b1 * x - a1 * y + s2;
    s2 = b2 * x - a2 * y;
    const z = c0 * y + t1;
    t1 = c1 * y - d1 * z + t2;
    t2 = c2 * y - d2 * z;
    buf[n] = z;
  }
  state[at] = Math.abs(s1) < STATE_FLUSH ? 0 : s1;
  state[at + 1] = Math.abs(s2) < STATE_FLUSH ? 0 : s2;
  state[at + 2] = Math.abs(t1) < STATE_FLUSH ? 0 : t1;
  state[at + 3] = Math.abs(t2) < STATE_FLUSH ? 0 : t2;
}

/**
 * `runBiquadCascade` on two channels in one loop (states `sa`, `sb` at `at`): the same
 * arithmetic per channel, four independent recursions in flight instead of two.
 */
function runBiquadCascadePair(a: Float64Array, b: Float64Array, frames: number, coef: Float64Array, k: number, sa: Float64Array, sb: Float64Array, at: number): void {
  const b0 = coef[k], b1 = coef[k + 1], b2 = coef[k + 2], a1 = coef[k + 3], a2 = coef[k + 4];
  const c0 = coef[k + 5], c1 = coef[k + 6], c2 = coef[k + 7], d1 = coef[k + 8], d2 = coef[k + 9];
  let s1 = sa[at], s2 = sa[at + 1], t1 = sa[at + 2], t2 = sa[at + 3];
  let u1 = sb[at], u2 = sb[at + 1], v1 = sb[at + 2], v2 = sb[at + 3];
  for (let n = 0; n < frames; n++) {
    const x = a[n];
    const w = b[n];
    const y = b0 * x + s1;
    const q = b0 * w + u1;
    s1 = b1 * x - a1 * y + s2;
    u1 = b1 * w - a1 * q + u2;
    s2 = b2 * x - a2 * y;
    u2 = b2 * w - a2 * q;
    const z = c0 * y + t1;
    const r = c0 * q + v1;
    t1 = c1 * y - d1 * z + t2;
    v1 = c1 * q - d1 * r + v2;
    t2 = c2 * y - d2 * z;
    v2 = c2 * q - d2 * r;
    a[n] = z;
    b[n] = r;
  }
  sa[at] = Math.abs(s1) < STATE_FLUSH ? 0 : s1;
  sa[at + 1] = Math.abs(s2) < STATE_FLUSH ? 0 : s2;
  sa[at + 2] = Math.abs(t1) < STATE_FLUSH ? 0 : t1;
  sa[at + 3] = Math.abs(t2) < STATE_FLUSH ? 0 : t2;
  sb[at] = Math.abs(u1) < STATE_FLUSH ? 0 : u1;
  sb[at + 1] = Math.abs(u2) < STATE_FLUSH ? 0 : u2;
  sb[at + 2] = Math.abs(v1) < STATE_FLUSH ? 0 : v1;
  sb[at + 3] = Math.abs(v2) < STATE_FLUSH ? 0 : v2;
}

/** `runBiquad` on two channels in one loop (states `sa`, `sb` at `at`). */
function runBiquadPair(a: Float64Array, b: Float64Array, frames: number, coef: Float64Array, k: number, sa: Float64Array, sb: Float64Array, at: number): void {
  const b0 = coef[k], b1 = coef[k + 1], b2 = coef[k + 2], a1 = coef[k + 3], a2 = coef[k + 4];
  let s1 = sa[at], s2 = sa[at + 1], u1 = sb[at], u2 = sb[at + 1];
  for (let n = 0; n < frames; n++) {
    const x = a[n];
    const w = b[n];
    const y = b0 * x + s1;
    const q = b0 * w + u1;
    s1 = b1 * x - a1 * y + s2;
    u1 = b1 * w - a1 * q + u2;
    s2 = b2 * x - a2 * y;
    u2 = b2 * w - a2 * q;
    a[n] = y;
    b[n] = q;
  }
  sa[at] = Math.abs(s1) < STATE_FLUSH ? 0 : s1;
  sa[at + 1] = Math.abs(s2) < STATE_FLUSH ? 0 : s2;
  sb[at] = Math.abs(u1) < STATE_FLUSH ? 0 : u1;
  sb[at + 1] = Math.abs(u2) < STATE_FLUSH ? 0 : u2;
}

/**
 * The high LR4 path as the split's all-pass minus its low path (LP4 + HP4 = AP, the
 * Linkwitz-Riley identity the design's `allpass` is built on): `high[n] = AP(rest)[n] − low[n]`,
 * one biquad instead of the two of HP4. `high` may be `rest` (read before written).
 */
function runAllpassMinus(rest: Float64Array, low: Float64Array, high: Float64Array, frames: number, coef: Float64Array, k: number, state: Float64Array, at: number): void {
  const b0 = coef[k], b1 = coef[k + 1], b2 = coef[k + 2], a1 = coef[k + 3], a2 = coef[k + 4];
  let s1 = state[at], s2 = state[at + 1];
  for (let n = 0; n < frames; n++) {
    const x = rest[n];
    const y = b0 * x + s1;
    s1 = b1 * x - a1 * y + s2;
    s2 = b2 * x - a2 * y;
    high[n] = y - low[n];
  }
  state[at] = Math.abs(s1) < STATE_FLUSH ? 0 : s1;
  state[at + 1] = Math.abs(s2) < STATE_FLUSH ? 0 : s2;
}

/** `runAllpassMinus` on two channels in one loop. */
function runAllpassMinusPair(restA: Float64Array, restB: Float64Array, lowA: Float64Array, lowB: Float64Array, highA: Float64Array, highB: Float64Array,
  frames: number, coef: Float64Array, k: number, sa: Float64Array, sb: Float64Array, at: number): void {
  const b0 = coef[k], b1 = coef[k + 1], b2 = coef[k + 2], a1 = coef[k + 3], a2 = coef[k + 4];
  let s1 = sa[at], s2 = sa[at + 1], u1 = sb[at], u2 = sb[at + 1];
  for (let n = 0; n < frames; n++) {
    const x = restA[n];
    const w = restB[n];
    const y = b0 * x + s1;
    const q = b0 * w + u1;
    s1 = b1 * x - a1 * y + s2;
    u1 = b1 * w - a1 * q + u2;
    s2 = b2 * x - a2 * y;
    u2 = b2 * w - a2 * q;
    highA[n] = y - lowA[n];
    highB[n] = q - lowB[n];
  }
  sa[at] = Math.abs(s1) < STATE_FLUSH ? 0 : s1;
  sa[at + 1] = Math.abs(s2) < STATE_FLUSH ? 0 : s2;
  sb[at] = Math.abs(u1) < STATE_FLUSH ? 0 : u1;
  sb[at + 1] = Math.abs(u2) < STATE_FLUSH ? 0 : u2;
}

function putCoefficients(coef: Float64Array, k: number, c: BiquadCoefficients): void {
  coef[k] = c.b0; coef[k + 1] = c.b1; coef[k + 2] = c.b2; coef[k + 3] = c.a1; coef[k + 4] = c.a2;
}

/**
 * A phase-coherent Linkwitz-Riley (LR4) crossover bank (design: src/core/design/crossover.ts).
 *
 * `split(inputs, frames)` fills `bands[band][channel]` (Float64, `frames` valid samples) from
 * Float64 inputs; the bands sum to the input through the shared all-pass Π AP_j (flat magnitude).
 * As a `Processor`, `process` splits and sums back: the all-pass itself, with latency 0 (the IIR
 * tree is causal and minimum-phase in its delay; its group delay is phase, not latency).
 * With no crossovers it is one band and an exact identity.
 */
export class CrossoverBank implements Processor {
  readonly latencySamples = 0;
  readonly params: CrossoverBankParams;
  /** `bands[band][channel]`: the last split, valid for the `frames` of the last `split` call. */
  bands: Float64Array[][] = [];
  design: CrossoverDesign | null = null;

  private channels = 0;
  // Per split j: LP, LP, HP, HP, AP sections at coef[(5 j + s) * 5] (HP kept for reference; unused).
  private coef = new Float64Array(0);
  // State per channel: per split j, LP×2, the high path's AP (in the slots of the former HP×2;
  // HP4 is computed as AP − LP4), then AP for each lower band i < j (2 values each).
  private state: Float64Array[] = [];
  private scratch: Float64Array[] = [];

  constructor(params: Partial<CrossoverBankParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    // Order and sign now; the distance to Nyquist is checked in prepare, when the rate is known.
    const problem = crossoverProblem(this.params.crossoversHz, Infinity);
    if (problem !== null) throw new RangeError(problem);
  }

  get bandCount(): number {
    return this.params.crossoversHz.length + 1;
  }

  prepare(spec: ProcessSpec): void {
    const design = designCrossover(this.params.crossoversHz, spec.sampleRateHz);
    this.design = design;
    this.channels = spec.channels;
    const splits = design.splits.length;
    this.coef = new Float64Array(splits * 5 * 5);
    design.splits.forEach((s, j) => {
      putCoefficients(this.coef, (j * 5 + 0) * 5, s.lowpass);
      putCoefficients(this.coef, (j * 5 + 1) * 5, s.lowpass);
      putCoefficients(this.coef, (j * 5 + 2) * 5, s.highpass);
      putCoefficients(this.coef, (j * 5 + 3) * 5, s.highpass);
      putCoefficients(this.coef, (j * 5 + 4) * 5, s.allpass);
    });
    // 4 sections per split plus j all-pass sections at split j: 4S + S(S-1)/2 sections.
    const sections = 4 * splits + (splits * (splits - 1)) / 2;
    this.state = Array.from({ length: spec.channels }, () => new Float64Array(2 * sections));
    this.bands = Array.from({ length: splits + 1 }, () =>
      Array.from({ length: spec.channels }, () => new Float64Array(spec.maxBlockFrames)));
    this.scratch = Array.from({ length: spec.channels }, () => new Float64Array(spec.maxBlockFrames));
  }

  /** Splits `inputs[c][0..frames)` (not modified) into `this.bands`. */
  split(inputs: readonly Float64Array[], frames: number): void {
    const splits = this.bandCount - 1;
    const coef = this.coef;
    if (this.channels === 2 && splits > 0) {
      this.splitPair(inputs, frames);
      return;
    }
    for (let c = 0; c < this.channels; c++) {
      const state = this.state[c];
      const input = inputs[c];
      if (splits === 0) {
        this.bands[0][c].set(input.subarray(0, frames));
        continue;
      }
      // `rest` holds the high output of the previous split; the last split writes it to the top band.
      let rest = input;
      let at = 0;
      for (let j = 0; j < splits; j++) {
        const low = this.bands[j][c];
        low.set(rest.subarray(0, frames));
        runBiquadCascade(low, frames, coef, (j * 5 + 0) * 5, state, at);
        const high = j === splits - 1 ? this.bands[splits][c] : this.scratch[c];
        runAllpassMinus(rest, low, high, frames, coef, (j * 5 + 4) * 5, state, at + 4);
        at += 8;
        // Phase compensation: every band below split j gets AP_j.
        for (let i = 0; i < j; i++) {
          runBiquad(this.bands[i][c], frames, coef, (j * 5 + 4) * 5, state, at);
          at += 2;
        }
        rest = high;
      }
    }
  }

  /** `split` for two channels, both in each loop (same arithmetic per channel, more in flight). */
  private splitPair(inputs: readonly Float64Array[], frames: number): void {
    const splits = this.bandCount - 1;
    const coef = this.coef;
    const sa = this.state[0], sb = this.state[1];
    let restA = inputs[0], restB = inputs[1];
    let at = 0;
    for (let j = 0; j < splits; j++) {
      const lowA = this.bands[j][0], lowB = this.bands[j][1];
      lowA.set(restA.subarray(0, frames));
      lowB.set(restB.subarray(0, frames));
      runBiquadCascadePair(lowA, lowB, frames, coef, (j * 5 + 0) * 5, sa, sb, at);
      const last = j === splits - 1;
      const highA = last ? this.bands[splits][0] : this.scratch[0];
      const highB = last ? this.bands[splits][1] : this.scratch[1];
      runAllpassMinusPair(restA, restB, lowA, lowB, highA, highB, frames, coef, (j * 5 + 4) * 5, sa, sb, at + 4);
      at += 8;
      for (let i = 0; i < j; i++) {
        runBiquadPair(this.bands[i][0], this.bands[i][1], frames, coef, (j * 5 + 4) * 5, sa, sb, at);
        at += 2;
      }
      restA = highA;
      restB = highB;
    }
  }

  process(channels: Float32Array[], frames: number): void {
    const bands = this.bandCount;
    if (bands === 1) return; // no crossover: exact identity
    for (let c = 0; c < this.channels; c++) {
      const x = channels[c], s = this.scratch[c];
      for (let n = 0; n < frames; n++) s[n] = x[n];
    }
    // split() reads scratch as its input and only overwrites scratch after copying it (split 0).
    this.split(this.scratch, frames);
    for (let c = 0; c < this.channels; c++) sumBands(this.bands, c, channels[c], frames);
  }

  reset(): void {
    for (const s of this.state) s.fill(0);
  }
}

/**
 * Writes Σ_b bands[b][c] to `out` (Float32), flushing would-be denormals to zero. Accumulates in
 * place in bands[0][c] (band-major loops, the same addition order as a per-sample sum).
 */
export function sumBands(bands: readonly Float64Array[][], c: number, out: Float32Array, frames: number): void {
  const acc = bands[0][c];
  for (let b = 1; b < bands.length; b++) {
    const band = bands[b][c];
    for (let n = 0; n < frames; n++) acc[n] += band[n];
  }
  for (let n = 0; n < frames; n++) {
    const y = acc[n];
    out[n] = y > OUTPUT_FLUSH || y < -OUTPUT_FLUSH ? y : 0;
  }
}
