import type { Processor, ProcessSpec } from "./processor.js";
import { designTruePeakFir, refineKernels, REFINE_STEPS, TruePeakInterpolator } from "../design/true-peak-fir.js";
import { dbToLinear, msToFrames } from "../units.js";

/** Parameters of the `limiter` stage (ChainSpec). */
export interface LimiterParams {
  /** True-peak ceiling in dBTP (BS.1770-4 Annex 2), range -20..0, default -1. */
  readonly ceilingDbtp?: number;
  /** Look-ahead in ms, range 0.5..20, default 5. Latency = look-ahead + the detector's delay (~1.7 ms at 44.1 kHz). */
  readonly lookaheadMs?: number;
  /** Length of the gain ramp before a peak in ms, range 0.1..lookaheadMs, default = lookaheadMs. */
  readonly attackMs?: number;
  /**
   * Release time constant in ms after a short transient, range 1..2000, default 100. Sustained
   * reduction releases program-dependently, up to SLOW_RELEASE_FACTOR (10) times slower: a second
   * envelope follows the reduction averaged over 10 × releaseMs, and the gain is the deeper of the two.
   */
  readonly releaseMs?: number;
  /**
   * Longest hold in ms, range 0..100, default 50. The hold adapts to the low-frequency content:
   * 1.1 × the period of the lowest strong partial (twice the longest recent zero-crossing interval
   * of the low-passed signal), at least min(10 ms, holdMs) and the look-ahead, at most holdMs.
   * The gain stays at the deepest reduction of the last hold before it may release, so every
   * half-cycle of a bass note finds the gain where the previous one left it: no modulation, no
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
  holdMs: 50,
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

/**
 * Samples each side of a peak over which the gain is held flat: the reach of the meter's
 * interpolation kernels (the 4x cascade: 64 + 16 taps, ±36 samples; the 1/32-sample refinement:
 * x[j - 31 .. j + 32]), so every value the meter computes around a peak is exactly g × the
 * input's value there.
 */
const FLAT_SAMPLES = 37;
const HIST_BIN_DB = 0.1;
const HIST_BINS = 400;
/** The detector's grid: 4x at every rate (the shared interpolator's 4x design, rate-independent taps). */
const GRID_FACTOR = 4;
/** Peak refinement on the meter's own lattice (design/true-peak-fir.ts): 1/32 sample, 64-tap kernels. */
const REFINE_TAPS = 64;
/** Lattice points each side of a grid local maximum: ±1/4 sample, the grid spacing. */
const REFINE_REACH = REFINE_STEPS / GRID_FACTOR;
/** The climb to the lattice maximum stops at ±1/2 sample from the grid point. */
const REFINE_CLIMB = REFINE_STEPS / 2;
/**
 * Grid local maxima this far (dB) under the target are refined. On a 4x grid a band-limited
 * signal's peak exceeds the nearest grid value by at most 1/cos(π/8) (0.69 dB, a tone at
 * Nyquist), so lower maxima cannot reach the target.
 */
const REFINE_BELOW_TARGET_DB = 0.92;
/** Release aims this fraction past its goal and stops there: it arrives in finite time, exactly. */
const RELEASE_AIM_PAST = 0.005;
/** The slow (sustained-reduction) envelope's time constant, in units of releaseMs. */
const SLOW_RELEASE_FACTOR = 10;
/** Adaptive hold: low-pass of the detector's mono sum (two one-poles), hysteresis, limits. */
const HOLD_LOWPASS_HZ = 120;
/** Zero crossings count only when the low-passed signal swings past ±this fraction of the target. */
const HOLD_HYSTERESIS = 0.1;
/**
 * Hold = this × the longest recent half-period: a full period plus 10 %, so the window always
 * holds a peak of each polarity (they differ in asymmetric waveforms: with half a period, the
 * gain would release between them), with room for jitter of the crossing instants.
 * Measured (50 Hz 0.8 + 100 Hz 0.3, 6 dB over): 3rd harmonic -57.9 dB with 1.25, -71.1 dB with 2.2.
 */
const HOLD_PER_HALF_PERIOD = 2.2;
const HOLD_MIN_MS = 10;
/** On each crossing the half-period estimate moves this fraction towards a shorter interval (longer ones are taken at once). */
const HOLD_ESTIMATE_DECAY = 0.25;

/**
 * Look-ahead, stereo-linked true-peak limiter (after x42 dpl's peaklim: all allocation in
 * prepare, power-of-two rings, state in locals in the hot loop).
 *
 * Per frame n (one gain for all channels):
 *   p[n]  true peak over channels of the input around frame n - Lt: the shared BS.1770-4
 *         Annex 2 interpolator's 4x grid (4x at every rate, even where the meter uses 2x), and
 *         at each grid local maximum near the target, the meter's own 1/32-sample lattice
 *         (±1/4 sample around it, the same 64-tap kernels): p is then at least what the meter
 *         reads there, whatever the input (full-band noise, squares, clicks);
 *   r[n]  = min(1, c / p[n])        required gain, c = ceiling - margin;
 *   m[n]  = min r over the last H   hold: running minimum (monotonic deque, O(1)); H adapts to
 *                                   the period of the lowest strong partial of the input;
 *   f[n]  = m if m < f, else a one-pole release (releaseMs) towards m;
 *   s[n]  = a one-pole of m with 10 × releaseMs, both ways: it follows sustained reduction only;
 *   e[n]  = min(f, s)               program-dependent release: fast after a transient, slow
 *                                   after sustained reduction;
 *   g[n]  = two cascaded moving averages of e (lengths S1 + S2 - 1 = S attack samples);
 *   y[n]  = x[n - D]·g[n]           (skipped, copy only, while g is exactly 1).
 * With D = Lt + S - 1 + K + extra and H >= D + K - Lt + 1, every average that shapes the
 * output within K samples of a peak sees only values <= that peak's r: the gain is flat at (or
 * under) c/p across the meter's whole interpolation kernel, so the output's true peak is <= c.
 *
 * Legend of the state: dq* deque of (frame, r) for the running min; env f; slow s; lp1/lp2,
 * polarity, sinceCross, halfPeriod: the adaptive hold's detector; box1/box2 moving averages
 * (running sums in Float64, resynchronised to exact whole numbers whenever their windows hold
 * only 1.0, so unity gain is exact and drift cannot accumulate).
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
  /** Per channel: the interpolator's 4x values, after a carry of GRID_FACTOR + 1 from the last block. */
  private grid: Float64Array[] = [];
  /** Interpolator delay (input frames) of the detector's grid. */
  private gridLatency = 0;
  /** refineKernel[64·f + k]: the value at j + f/32 from x[j - 31 + k] (the meter's kernels). */
  private readonly refineKernel = refineKernels();
  private refineScratch = new Float64Array(REFINE_TAPS + 2);
  private gainBuf = new Float64Array(0);
  private delay: Float32Array[] = [];
  private delayMask = 0;
  private delayPos = 0;
  private target = 1;
  private holdMinFrames = 1;
  private holdMaxFrames = 1;
  private releaseCoeff = 0;
  private slowCoeff = 0;
  private lpCoeff = 0;
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
  private slow = 1;
  // Adaptive hold.
  private lp1 = 0;
  private lp2 = 0;
  private polarity = 0;
  private sinceCross = 0;
  private halfPeriod = 0;
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

  /** The hold (frames) in force after the last processed frame: it follows the bass (tests, plots). */
  get holdFrames(): number {
    return this.holdFor(this.halfPeriod);
  }

  prepare(spec: ProcessSpec): void {
    const fs = spec.sampleRateHz;
    // The half-band taps do not depend on the rate: the 4x design serves every rate (above
    // 48 kHz the meter stops at 2x, whose grid can miss a peak by 3 dB; a 4x grid by 0.69 dB).
    const design = designTruePeakFir(Math.min(fs, 48000));
    this.gridLatency = design.latencyFrames;
    // One more frame: a grid point's local-maximum test needs its right-hand neighbour.
    const lt = design.latencyFrames + 1;
    const lookahead = Math.max(1, msToFrames(this.lookaheadMs, fs));
    const attack = Math.max(1, Math.min(lookahead, msToFrames(this.attackMs, fs)));
    // Two boxes of ~half the attack each: a smooth (trapezoid-convolved) ramp, S = s1 + s2 - 1.
    this.s1 = Math.max(1, (attack + 1) >> 1);
    this.s2 = Math.max(1, attack + 1 - this.s1);
    const extra = lookahead - attack;
    this.latency = lt + attack - 1 + FLAT_SAMPLES + extra;
    const structuralHold = this.latency + FLAT_SAMPLES - lt + 1;
    this.holdMaxFrames = Math.max(structuralHold, msToFrames(this.holdMs, fs));
    this.holdMinFrames = Math.max(structuralHold, msToFrames(Math.min(HOLD_MIN_MS, this.holdMs), fs));
    this.releaseCoeff = Math.exp(-1 / Math.max(1, (this.releaseMs * fs) / 1000));
    this.slowCoeff = Math.exp(-1 / Math.max(1, (SLOW_RELEASE_FACTOR * this.releaseMs * fs) / 1000));
    this.lpCoeff = 1 - Math.exp((-2 * Math.PI * HOLD_LOWPASS_HZ) / fs);
    this.target = dbToLinear(this.ceilingDbtp - this.marginDb);

    this.channelsN = spec.channels;
    this.interp = [];
    this.tp = [];
    this.grid = [];
    this.delay = [];
    // The ring also serves the refinement, which reads back to lt + 1 + 31 frames before a block.
    let size = 1;
    while (size < Math.max(this.latency, lt + 40) + spec.maxBlockFrames + 1) size <<= 1;
    this.delayMask = size - 1;
    for (let c = 0; c < spec.channels; c++) {
      this.interp.push(new TruePeakInterpolator(design));
      this.tp.push(new Float64Array(spec.maxBlockFrames));
      this.grid.push(new Float64Array(GRID_FACTOR + 1 + GRID_FACTOR * spec.maxBlockFrames));
      this.delay.push(new Float32Array(size));
    }
    this.gainBuf = new Float64Array(spec.maxBlockFrames);
    let dq = 1;
    while (dq < this.holdMaxFrames + 2) dq <<= 1;
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
    this.slow = 1;
    this.lp1 = 0;
    this.lp2 = 0;
    this.polarity = 0;
    this.sinceCross = 0;
    this.halfPeriod = 0;
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
      const ring = this.delay[c];
      for (let i = 0; i < frames; i++) ring[(pos0 + i) & mask] = ch[i];
      this.detect(c, ch, frames, pos0);
    }
    this.computeGain(channels, frames);
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
   * Per-frame true peak of channel c into tp[c], one frame behind the interpolator. The 4x grid
   * can miss a peak between its points (up to 0.69 dB); at each local maximum of |y| that could
   * reach the target, the lattice j + f/32 within ±1/4 sample is evaluated with the meter's own
   * kernels (the meter reads exactly these values, BS.1770-4 Annex 2 with refinement).
   * The block's input is already in the delay ring at pos0 (the refinement reads it there).
   */
  private detect(c: number, input: Float32Array, frames: number, pos0: number): void {
    const f = GRID_FACTOR;
    const grid = this.grid[c];
    const carry = f + 1;
    this.interp[c].upsample(input, 0, frames, grid.subarray(carry));
    const out = this.tp[c];
    const threshold = this.target * dbToLinear(-REFINE_BELOW_TARGET_DB);
    // Grid index k is the signal at input time (block start) - L + (k - carry)/4: on the
    // 1/32 lattice, index latticeBase + 8k relative to the block's first input frame.
    const latticeBase = -REFINE_STEPS * this.gridLatency - (REFINE_STEPS / f) * carry;
    for (let i = 0; i < frames; i++) {
      // Pending frame: grid points 1 + f·i .. f·i + f, neighbours at both ends exist.
      let peak = 0;
      for (let k = 1 + f * i, end = k + f; k < end; k++) {
        const v = grid[k];
        const b = v < 0 ? -v : v;
        if (b > peak) peak = b;
        if (b < threshold) continue;
        const a = grid[k - 1], d = grid[k + 1];
        if ((a < 0 ? -a : a) > b || (d < 0 ? -d : d) > b) continue; // not a local maximum of |y|
        // Parabola through the neighbours (signs aligned with v): vertex offset in grid steps.
        const sa = v < 0 ? -a : a, sd = v < 0 ? -d : d, curvature = sa - 2 * b + sd;
        const vertex = curvature < 0 ? (sa - sd) / (2 * curvature) : 0;
        const refined = this.refinedPeak(c, pos0, latticeBase + (REFINE_STEPS / f) * k, vertex);
        if (refined > peak) peak = refined;
      }
      out[i] = peak;
    }
    grid.copyWithin(0, f * frames, f * frames + carry);
  }

  /**
   * The largest |y| on the meter's 1/32-sample lattice around a grid local maximum (lattice
   * index relative to the ring's pos0). Starts at the lattice point nearest the parabola's
   * vertex through the three grid values (offset in grid steps) and climbs to the lattice
   * maximum: exact for a peak that is unimodal within ±1 sample (a band-limited signal's is,
   * the extrema of a tone at Nyquist being a sample apart), at 3 or 4 kernels instead of 17.
   */
  private refinedPeak(c: number, pos0: number, lattice: number, vertexSteps: number): number {
    const ring = this.delay[c], mask = this.delayMask, x = this.refineScratch;
    const lo = lattice - REFINE_CLIMB, hi = lattice + REFINE_CLIMB;
    const j0 = Math.floor(lo / REFINE_STEPS);
    // x[j0 - 31 .. j0 + 34]: every kernel of lo..hi (one sample: j is j0 or j0 + 1) reads inside it.
    for (let k = 0; k < x.length; k++) x[k] = ring[(pos0 + j0 - 31 + k) & mask];
    let q = lattice + Math.round(vertexSteps * (REFINE_STEPS / GRID_FACTOR));
    if (q < lattice - REFINE_REACH) q = lattice - REFINE_REACH;
    else if (q > lattice + REFINE_REACH) q = lattice + REFINE_REACH;
    let best = this.latticeValue(x, j0, q);
    const left = this.latticeValue(x, j0, q - 1), right = this.latticeValue(x, j0, q + 1);
    const step = right >= left ? 1 : -1;
    let next = step === 1 ? right : left;
    while (next > best) {
      best = next;
      q += step;
      if (q + step < lo || q + step > hi) break;
      next = this.latticeValue(x, j0, q + step);
    }
    return best;
  }

  /** |y| at lattice point q from the scratch copy x[k] = input[j0 - 31 + k]. */
  private latticeValue(x: Float64Array, j0: number, q: number): number {
    const h = this.refineKernel;
    const j = Math.floor(q / REFINE_STEPS);
    const o = REFINE_TAPS * (q - REFINE_STEPS * j);
    const xs = j - j0;
    let acc = 0;
    for (let k = 0; k < REFINE_TAPS; k++) acc += h[o + k] * x[xs + k];
    return acc < 0 ? -acc : acc;
  }

  /** Hold in frames for a half-period estimate (frames). */
  private holdFor(halfPeriod: number): number {
    const h = Math.ceil(HOLD_PER_HALF_PERIOD * halfPeriod);
    return h < this.holdMinFrames ? this.holdMinFrames : h > this.holdMaxFrames ? this.holdMaxFrames : h;
  }

  /** Gain per frame of this block into gainBuf (the hot loop: state in locals). */
  private computeGain(input: Float32Array[], frames: number): void {
    const tp = this.tp;
    const nch = this.channelsN;
    const c = this.target;
    const rel = this.releaseCoeff, slowA = this.slowCoeff;
    const dqFrame = this.dqFrame, dqValue = this.dqValue, dqMask = this.dqMask;
    let head = this.dqHead, tail = this.dqTail, frame = this.frame;
    let env = this.env, slow = this.slow;
    // Adaptive hold: zero crossings (with hysteresis) of the low-passed mono sum.
    const lpA = this.lpCoeff, hyst = HOLD_HYSTERESIS * c, invN = 1 / nch;
    const holdMin = this.holdMinFrames, holdMax = this.holdMaxFrames;
    let lp1 = this.lp1, lp2 = this.lp2, polarity = this.polarity, since = this.sinceCross, half = this.halfPeriod;
    let hold = this.holdFor(half);
    const box1 = this.box1, box2 = this.box2, s1 = this.s1, s2 = this.s2;
    let p1 = this.box1Pos, p2 = this.box2Pos, sum1 = this.sum1, sum2 = this.sum2, off1 = this.off1, off2 = this.off2;
    const inv1 = 1 / s1, inv2 = 1 / s2;
    const out = this.gainBuf;
    let statLimited = this.statLimited, statSum = this.statSumGrDb, statMax = this.statMaxGrDb;
    const hist = this.hist;
    for (let i = 0; i < frames; i++) {
      let p = 0, mono = 0;
      for (let ch = 0; ch < nch; ch++) {
        const v = tp[ch][i];
        if (v > p) p = v;
        mono += input[ch][i];
      }
      const r = p > c ? c / p : 1;
      // Half-period of the lowest strong partial: the longest interval between crossings of
      // ±hyst, taken at once when longer, forgotten gradually when shorter; a half-cycle still
      // in progress counts as long as it is strong; none for longer than the longest hold: no bass.
      lp1 += lpA * (mono * invN - lp1);
      lp2 += lpA * (lp1 - lp2);
      if (lp1 < 1e-30 && lp1 > -1e-30) lp1 = 0; // no denormals in silence
      if (lp2 < 1e-30 && lp2 > -1e-30) lp2 = 0;
      since++;
      const sign = lp2 > hyst ? 1 : lp2 < -hyst ? -1 : 0;
      if (sign !== 0 && sign !== polarity) {
        if (polarity !== 0) half = since > half ? since : half + (since - half) * HOLD_ESTIMATE_DECAY;
        polarity = sign;
        since = 0;
        hold = this.holdFor(half);
      } else if (since > holdMax) {
        if (half !== 0 || polarity !== 0) { half = 0; polarity = 0; hold = holdMin; }
        since = holdMax; // bounded: stays exact and small
      } else if (sign !== 0 && half > 0 && since > half) {
        // (half > 0: only once two real crossings have been seen; DC or a lone swing has no period.)
        half = since;
        hold = this.holdFor(half);
      }
      // Running minimum over the last `hold` frames (the hold may shrink: evict all expired).
      while (tail !== head && dqValue[(tail - 1) & dqMask] >= r) tail--;
      dqFrame[tail & dqMask] = frame;
      dqValue[tail & dqMask] = r;
      tail++;
      while (dqFrame[head & dqMask] <= frame - hold) head++;
      const m = dqValue[head & dqMask];
      frame++;
      // Fast envelope: instant attack (the ramp comes from the averages), one-pole release
      // aimed a little past m, so it lands on m exactly in finite time.
      if (m < env) env = m;
      else if (env < m) {
        env += (m * (1 + RELEASE_AIM_PAST) - env) * (1 - rel);
        if (env > m) env = m;
      }
      // Slow envelope: follows m both ways with 10 × the release time: it goes deep only under
      // sustained reduction, and then holds the gain down while the fast one releases.
      if (m < slow) slow += (m - slow) * (1 - slowA);
      else if (slow < m) {
        slow += (m * (1 + RELEASE_AIM_PAST) - slow) * (1 - slowA);
        if (slow > m) slow = m;
      }
      const e = slow < env ? slow : env;
      // Moving average 1.
      const old1 = box1[p1];
      box1[p1] = e;
      p1 = p1 + 1 === s1 ? 0 : p1 + 1;
      if (old1 !== 1) off1--;
      if (e !== 1) off1++;
      sum1 = off1 === 0 ? s1 : sum1 + e - old1;
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
    this.slow = slow;
    this.lp1 = lp1;
    this.lp2 = lp2;
    this.polarity = polarity;
    this.sinceCross = since;
    this.halfPeriod = half;
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
