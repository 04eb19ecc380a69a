import type { Processor, ProcessSpec } from "./processor.js";
import { designTruePeakFir, TruePeakInterpolator } from "../design/true-peak-fir.js";
import { dbToLinear, msToFrames } from "../units.js";

/** Parameters of the `limiter` stage (ChainSpec). */
export interface LimiterParams {
  /** True-peak ceiling in dBTP (BS.1770-4 Annex 2), range -20..0, default -1. */
  readonly ceilingDbtp?: number;
  /** Look-ahead in ms, range 0.5..20, default 5. Latency = look-ahead + the detector's delay (~1 ms). */
  readonly lookaheadMs?: number;
  /** Length of the gain ramp before a peak in ms, range 0.1..lookaheadMs, default = lookaheadMs. */
  readonly attackMs?: number;
  /** Release time constant in ms, range 1..2000, default 100. */
  readonly releaseMs?: number;
  /**
   * Hold in ms, range 0..100, default 25: the gain stays at the deepest reduction of the last
   * `holdMs` (at least the look-ahead) before it may release, so the half-cycles of bass down to
   * 20 Hz (25 ms apart) all find the gain where the previous one left it: no modulation, no
   * distortion of steady low notes.
   */
  readonly holdMs?: number;
  /** Aim this far under the ceiling in dB, so independent 4x meters agree, range 0..1, default 0.03. */
  readonly marginDb?: number;
}

export const DEFAULTS = {
  ceilingDbtp: -1,
  lookaheadMs: 5,
  releaseMs: 100,
  holdMs: 25,
  marginDb: 0.03,
} as const;

/** Gain-reduction statistics since prepare/reset (stereo-linked: one gain per frame). */
export interface LimiterStats {
  readonly frames: number;
  /** Fraction (0..1) of frames with any gain reduction. */
  readonly limitingFraction: number;
  readonly maxGrDb: number;
  /** Mean gain reduction over all frames, dB. */
  readonly meanGrDb: number;
  /** Mean gain reduction over the frames that were limited, dB. */
  readonly meanGrWhileLimitingDb: number;
  /** Percentiles of gain reduction over all frames, dB (0.1 dB resolution). */
  readonly percentilesDb: { readonly p50: number; readonly p90: number; readonly p99: number };
  /** Histogram: counts[i] frames with GR in [i·binDb, (i+1)·binDb); the last bin takes the rest; GR 0 is not counted. */
  readonly histogram: { readonly binDb: number; readonly counts: number[] };
}

/** Neighbourhood (samples each side of a peak) over which the gain is held flat, so the interpolated output peak scales with the gain. */
const FLAT_SAMPLES = 8;
const HIST_BIN_DB = 0.1;
const HIST_BINS = 400;
/** Release snaps to unity once this close: the gain becomes exactly 1.0 again (bit-exact pass). */
const SNAP = 1e-9;

/**
 * Look-ahead, stereo-linked true-peak limiter (after x42 dpl's peaklim: all allocation in
 * prepare, power-of-two rings, state in locals in the hot loop).
 *
 * Per frame n (one gain for all channels):
 *   p[n]  true peak over channels of the input around frame n - Lt, from the shared BS.1770-4
 *         Annex 2 interpolator (4x up to 48 kHz, 2x above; Lt its delay);
 *   r[n]  = min(1, c / p[n])        required gain, c = ceiling - margin;
 *   m[n]  = min r over the last H   hold: running minimum (monotonic deque, O(1));
 *   e[n]  = m if m < e else m - (m - e)·a   instant attack, one-pole release;
 *   g[n]  = two cascaded moving averages of e (lengths S1 + S2 - 1 = S attack samples);
 *   y[n]  = x[n - D]·g[n]           (skipped, copy only, while g is exactly 1).
 * With D = Lt + S - 1 + K + extra and H >= D + K - Lt + 1, every average that shapes the
 * output within K samples of a peak sees only values <= that peak's r: the gain is flat at (or
 * under) c/p across the interpolation neighbourhood, so the output's true peak is <= c.
 *
 * Legend of the state: dq* deque of (frame, r) for the running min; env e; box1/box2 moving
 * averages (running sums in Float64, resynchronised to exact whole numbers whenever their
 * windows hold only 1.0, so unity gain is exact and drift cannot accumulate).
 */
export class Limiter implements Processor {
  readonly ceilingDbtp: number;
  readonly lookaheadMs: number;
  readonly attackMs: number;
  readonly releaseMs: number;
  readonly holdMs: number;
  readonly marginDb: number;
  private latency = 0;

  private channelsN = 0;
  private interp: TruePeakInterpolator[] = [];
  private tp: Float64Array[] = [];
  /** Per channel: the interpolator's oversampled values, after a carry of factor + 1 from the last block. */
  private grid: Float64Array[] = [];
  private factor = 4;
  private cosThetaMax = 0;
  private gainBuf = new Float64Array(0);
  private delay: Float32Array[] = [];
  private delayMask = 0;
  private delayPos = 0;
  private target = 1;
  private holdFrames = 1;
  private releaseCoeff = 0;
  private s1 = 1;
  private s2 = 1;
  // Running-min deque.
  private dqFrame = new Float64Array(0);
  private dqValue = new Float64Array(0);
  private dqMask = 0;
  private dqHead = 0;
  private dqTail = 0;
  private frame = 0;
  private env = 1;
  // Moving averages: rings, sums, counts of non-unity values.
  private box1 = new Float64Array(0);
  private box2 = new Float64Array(0);
  private box1Pos = 0;
  private box2Pos = 0;
  private sum1 = 0;
  private sum2 = 0;
  private off1 = 0;
  private off2 = 0;
  // Statistics.
  private statFrames = 0;
  private statLimited = 0;
  private statSumGrDb = 0;
  private statMaxGrDb = 0;
  private hist = new Float64Array(HIST_BINS);

  constructor(params: LimiterParams = {}) {
    this.ceilingDbtp = params.ceilingDbtp ?? DEFAULTS.ceilingDbtp;
    this.lookaheadMs = params.lookaheadMs ?? DEFAULTS.lookaheadMs;
    this.attackMs = Math.min(params.attackMs ?? this.lookaheadMs, this.lookaheadMs);
    this.releaseMs = params.releaseMs ?? DEFAULTS.releaseMs;
    this.holdMs = params.holdMs ?? DEFAULTS.holdMs;
    this.marginDb = params.marginDb ?? DEFAULTS.marginDb;
  }

  get latencySamples(): number {
    return this.latency;
  }

  prepare(spec: ProcessSpec): void {
    const fs = spec.sampleRateHz;
    const design = designTruePeakFir(fs);
    // One more frame: a grid point's refinement needs its right-hand neighbour.
    const lt = design.latencyFrames + 1;
    this.factor = design.factor;
    // Band-limited input: between grid points the phase advances at most π/factor.
    this.cosThetaMax = Math.cos(Math.PI / design.factor);
    const lookahead = Math.max(1, msToFrames(this.lookaheadMs, fs));
    const attack = Math.max(1, Math.min(lookahead, msToFrames(this.attackMs, fs)));
    // Two boxes of ~half the attack each: a smooth (trapezoid-convolved) ramp, S = s1 + s2 - 1.
    this.s1 = Math.max(1, (attack + 1) >> 1);
    this.s2 = Math.max(1, attack + 1 - this.s1);
    const extra = lookahead - attack;
    this.latency = lt + attack - 1 + FLAT_SAMPLES + extra;
    const minHold = this.latency + FLAT_SAMPLES - lt + 1;
    this.holdFrames = Math.max(minHold, msToFrames(this.holdMs, fs));
    this.releaseCoeff = Math.exp(-1 / Math.max(1, (this.releaseMs * fs) / 1000));
    this.target = dbToLinear(this.ceilingDbtp - this.marginDb);

    this.channelsN = spec.channels;
    this.interp = [];
    this.tp = [];
    this.grid = [];
    this.delay = [];
    let size = 1;
    while (size < this.latency + spec.maxBlockFrames + 1) size <<= 1;
    this.delayMask = size - 1;
    for (let c = 0; c < spec.channels; c++) {
      this.interp.push(new TruePeakInterpolator(design));
      this.tp.push(new Float64Array(spec.maxBlockFrames));
      this.grid.push(new Float64Array(design.factor + 1 + design.factor * spec.maxBlockFrames));
      this.delay.push(new Float32Array(size));
    }
    this.gainBuf = new Float64Array(spec.maxBlockFrames);
    let dq = 1;
    while (dq < this.holdFrames + 2) dq <<= 1;
    this.dqFrame = new Float64Array(dq);
    this.dqValue = new Float64Array(dq);
    this.dqMask = dq - 1;
    this.box1 = new Float64Array(this.s1);
    this.box2 = new Float64Array(this.s2);
    this.reset();
  }

  reset(): void {
    for (const it of this.interp) it.reset();
    for (const g of this.grid) g.fill(0);
    for (const d of this.delay) d.fill(0);
    this.delayPos = 0;
    this.dqHead = 0;
    this.dqTail = 0;
    this.frame = 0;
    this.env = 1;
    this.box1.fill(1);
    this.box2.fill(1);
    this.box1Pos = 0;
    this.box2Pos = 0;
    this.sum1 = this.s1;
    this.sum2 = this.s2;
    this.off1 = 0;
    this.off2 = 0;
    this.statFrames = 0;
    this.statLimited = 0;
    this.statSumGrDb = 0;
    this.statMaxGrDb = 0;
    this.hist.fill(0);
  }

  process(channels: Float32Array[], frames: number): void {
    const nch = this.channelsN;
    const mask = this.delayMask;
    const pos0 = this.delayPos;
    for (let c = 0; c < nch; c++) {
      const ch = channels[c];
      this.detect(c, ch, frames);
      const ring = this.delay[c];
      for (let i = 0; i < frames; i++) ring[(pos0 + i) & mask] = ch[i];
    }
    this.computeGain(frames);
    const g = this.gainBuf;
    const d = this.latency;
    for (let c = 0; c < nch; c++) {
      const ch = channels[c];
      const ring = this.delay[c];
      for (let i = 0; i < frames; i++) {
        const x = ring[(pos0 + i - d) & mask];
        const gi = g[i];
        ch[i] = gi === 1 ? x : x * gi;
      }
    }
    this.delayPos = (pos0 + frames) & mask;
  }

  /**
   * Per-frame true peak of channel c into tp[c], one frame behind the interpolator. The shared
   * interpolator gives values on a 1/factor-sample grid, which can miss a peak between grid
   * points (up to 0.56 dB at 20 kHz on a 4x grid). At each local maximum of |y| the peak is
   * refined by fitting a sinusoid through the three grid points a, b, c (exact for one
   * sinusoid of any frequency): cos θ = (a + c) / 2b, A² = b² + ((a - c) / 2 sin θ)².
   */
  private detect(c: number, input: Float32Array, frames: number): void {
    const f = this.factor;
    const grid = this.grid[c];
    const carry = f + 1;
    this.interp[c].upsample(input, 0, frames, grid.subarray(carry));
    const out = this.tp[c];
    const cosMax = this.cosThetaMax;
    const floor = 0.5 * this.target;
    for (let i = 0; i < frames; i++) {
      // Pending frame: grid points 1 + f·i .. f·i + f, neighbours at both ends exist.
      let peak = 0;
      for (let k = 1 + f * i, end = k + f; k < end; k++) {
        const v = grid[k];
        const b = v < 0 ? -v : v;
        if (b > peak) peak = b;
        if (b <= floor) continue;
        const a = v < 0 ? -grid[k - 1] : grid[k - 1];
        const d = v < 0 ? -grid[k + 1] : grid[k + 1];
        if (a > b || d > b) continue; // not a local maximum of |y|
        let cosTheta = (a + d) / (2 * b);
        if (cosTheta > 0.999999) continue; // flat top: the grid value is the peak
        if (cosTheta < cosMax) cosTheta = cosMax;
        const sin2 = 1 - cosTheta * cosTheta;
        const s = (a - d) / 2;
        const refined = Math.sqrt(b * b + (s * s) / sin2);
        if (refined > peak) peak = refined;
      }
      out[i] = peak;
    }
    grid.copyWithin(0, f * frames, f * frames + carry);
  }

  /** Gain per frame of this block into gainBuf (the hot loop: state in locals). */
  private computeGain(frames: number): void {
    const tp = this.tp;
    const nch = this.channelsN;
    const c = this.target;
    const hold = this.holdFrames;
    const rel = this.releaseCoeff;
    const dqFrame = this.dqFrame, dqValue = this.dqValue, dqMask = this.dqMask;
    let head = this.dqHead, tail = this.dqTail, frame = this.frame;
    let env = this.env;
    const box1 = this.box1, box2 = this.box2, s1 = this.s1, s2 = this.s2;
    let p1 = this.box1Pos, p2 = this.box2Pos, sum1 = this.sum1, sum2 = this.sum2, off1 = this.off1, off2 = this.off2;
    const inv1 = 1 / s1, inv2 = 1 / s2;
    const out = this.gainBuf;
    let statLimited = this.statLimited, statSum = this.statSumGrDb, statMax = this.statMaxGrDb;
    const hist = this.hist;
    for (let i = 0; i < frames; i++) {
      let p = 0;
      for (let ch = 0; ch < nch; ch++) {
        const v = tp[ch][i];
        if (v > p) p = v;
      }
      const r = p > c ? c / p : 1;
      // Running minimum over the last `hold` frames.
      while (tail !== head && dqValue[(tail - 1) & dqMask] >= r) tail--;
      dqFrame[tail & dqMask] = frame;
      dqValue[tail & dqMask] = r;
      tail++;
      if (dqFrame[head & dqMask] <= frame - hold) head++;
      const m = dqValue[head & dqMask];
      frame++;
      // Instant attack (the ramp comes from the averages), one-pole release towards m.
      if (m < env) env = m;
      else if (env < m) {
        env = m - (m - env) * rel;
        if (m - env < SNAP) env = m;
      }
      // Moving average 1.
      const old1 = box1[p1];
      box1[p1] = env;
      p1 = p1 + 1 === s1 ? 0 : p1 + 1;
      if (old1 !== 1) off1--;
      if (env !== 1) off1++;
      sum1 = off1 === 0 ? s1 : sum1 + env - old1;
      const a1 = off1 === 0 ? 1 : sum1 * inv1;
      // Moving average 2.
      const old2 = box2[p2];
      box2[p2] = a1;
      p2 = p2 + 1 === s2 ? 0 : p2 + 1;
      if (old2 !== 1) off2--;
      if (a1 !== 1) off2++;
      sum2 = off2 === 0 ? s2 : sum2 + a1 - old2;
      const g = off2 === 0 ? 1 : Math.min(1, sum2 * inv2);
      out[i] = g;
      if (g < 1) {
        const grDb = -20 * Math.log10(g);
        statLimited++;
        statSum += grDb;
        if (grDb > statMax) statMax = grDb;
        const bin = Math.floor(grDb / HIST_BIN_DB);
        hist[bin < HIST_BINS ? bin : HIST_BINS - 1]++;
      }
    }
    // The deque indices grow without bound; keep them small (same arithmetic, block-invariant).
    if (head > dqMask) {
      const shift = head - (head & dqMask);
      head -= shift;
      tail -= shift;
    }
    this.dqHead = head;
    this.dqTail = tail;
    this.frame = frame;
    this.env = env;
    this.box1Pos = p1;
    this.box2Pos = p2;
    this.sum1 = sum1;
    this.sum2 = sum2;
    this.off1 = off1;
    this.off2 = off2;
    this.statFrames += frames;
    this.statLimited = statLimited;
    this.statSumGrDb = statSum;
    this.statMaxGrDb = statMax;
  }

  /** Gain-reduction statistics since prepare/reset (for the report and the assistant). */
  stats(): LimiterStats {
    const frames = this.statFrames;
    const limited = this.statLimited;
    const counts = Array.from(this.hist);
    const percentile = (q: number): number => {
      // Frames without reduction (GR 0) sit below every bin.
      let need = q * frames - (frames - limited);
      if (need <= 0) return 0;
      for (let b = 0; b < HIST_BINS; b++) {
        need -= counts[b];
        if (need <= 0) return Math.round(Math.min(this.statMaxGrDb, (b + 1) * HIST_BIN_DB) * 100) / 100;
      }
      return this.statMaxGrDb;
    };
    return {
      frames,
      limitingFraction: frames > 0 ? limited / frames : 0,
      maxGrDb: this.statMaxGrDb,
      meanGrDb: frames > 0 ? this.statSumGrDb / frames : 0,
      meanGrWhileLimitingDb: limited > 0 ? this.statSumGrDb / limited : 0,
      percentilesDb: { p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99) },
      histogram: { binDb: HIST_BIN_DB, counts },
    };
  }
}
