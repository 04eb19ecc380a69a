/**
 * The feed-forward compressor core shared by `Compressor` and `MultibandCompressor`, after
 * D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design — A Tutorial
 * and Analysis", JAES 60(6), 2012 (below "GMR"):
 *
 *   x ─► level x_G (dB) ─► gain computer y_G (eq. 4) ─► x_L = x_G − y_G ─► smoothing in the log
 *   domain (§2.3 "smooth" peak detectors, placed after the gain computer as GMR §3 recommends)
 *   ─► y_L ─► c = 10^(−y_L / 20) · makeup, applied to the (look-ahead delayed) signal.
 *
 * Everything runs per sample in Float64: no control-rate blocks, so the output does not depend
 * on how the caller splits blocks. log/exp are skipped where they cannot change anything: a level
 * below the knee's lower edge gives x_L = 0 without a log, and y_L = 0 gives a gain of exactly
 * `makeup` without an exp. So a signal below threshold − knee/2 comes out bit-exact (delayed).
 */

/** Parameters of one compressor (a ChainSpec `compressor` stage, or one band of a multiband). */
export interface CompressorParams {
  /** Threshold T in dBFS (of the detected level), −80 to 0. Default −18. */
  readonly thresholdDb: number;
  /** Ratio R, 1 to 100, or Infinity (limiting). Default 2. */
  readonly ratio: number;
  /** Knee width W in dB, 0 (hard) to 24, centred on the threshold (GMR eq. 4). Default 6. */
  readonly kneeDb: number;
  /**
   * Attack time constant τ_A in ms, 0 to 500: the gain reduction covers 1 − 1/e (63 %) of a step
   * in τ_A (GMR §2.3: α_A = e^(−1/(τ_A fs))). 0 is instantaneous. Default 10.
   */
  readonly attackMs: number;
  /** Release time constant τ_R in ms, 0 to 5000, same definition as attack. Default 150. */
  readonly releaseMs: number;
  /** Makeup gain in dB, −24 to 24, applied to the compressed (wet) signal. Default 0. */
  readonly makeupDb: number;
  /**
   * Level detection: "peak" uses |x| per sample; "rms" a running mean square
   * ms[n] = α ms[n−1] + (1 − α) x²[n] with time constant `rmsWindowMs` (GMR §2.2). Default "peak".
   */
  readonly detection: "peak" | "rms";
  /** Time constant of the RMS averager in ms, 1 to 300 (only with detection "rms"). Default 10. */
  readonly rmsWindowMs: number;
  /**
   * Log-domain smoothing: "decoupled" (GMR smooth decoupled peak detector: an instant-attack,
   * release-smoothed peak y₁ followed by attack smoothing) or "branching" (GMR smooth branching
   * peak detector: attack coefficient when x_L > y_L, release coefficient otherwise). Default
   * "decoupled": it holds the peak of a steady tone, so the static curve is met on sines.
   */
  readonly detector: "decoupled" | "branching";
  /**
   * Program-dependent (dual time constant) release. When true, a slow average of the
   * instantaneous reduction s[n] = α_S s[n−1] + (1 − α_S) x_L[n], τ_S = 5 × releaseMs, is
   * tracked and the applied reduction is max(y_L, s): a short peak barely charges s, so the
   * release is `releaseMs`; sustained reduction charges s, and the last part of the release
   * slows to 5 × releaseMs (less pumping on dense material, quick recovery after transients).
   * Default false.
   */
  readonly programDependentRelease: boolean;
  /** Look-ahead in ms, 0 to 20: the audio is delayed by round(ms·fs/1000) samples (the latency). Default 0. */
  readonly lookaheadMs: number;
  /**
   * Stereo link, 0 to 100 %: each channel's instantaneous reduction becomes
   * (1 − k)·x_L[c] + k·max_c x_L[c], k = link / 100. 100 % gives every channel the same gain
   * (no image shift). In mid/side mode the link is between mid and side. Default 100.
   */
  readonly stereoLinkPercent: number;
  /**
   * "stereo" compresses the channels as they come; "midSide" (two channels only) compresses
   * M = (L + R)/2 and S = (L − R)/2 and decodes L = M + S, R = M − S. Default "stereo".
   */
  readonly stereoMode: "stereo" | "midSide";
  /** Wet/dry mix in %, 0 to 100 (parallel compression). Default 100. */
  readonly mixPercent: number;
}

export const DEFAULTS: CompressorParams = {
  thresholdDb: -18,
  ratio: 2,
  kneeDb: 6,
  attackMs: 10,
  releaseMs: 150,
  makeupDb: 0,
  detection: "peak",
  rmsWindowMs: 10,
  detector: "decoupled",
  programDependentRelease: false,
  lookaheadMs: 0,
  stereoLinkPercent: 100,
  stereoMode: "stereo",
  mixPercent: 100,
};

/** Checks parameter ranges; returns the problem in words or null. */
export function compressorProblem(p: CompressorParams): string | null {
  const inRange = (v: number, lo: number, hi: number): boolean => Number.isFinite(v) && v >= lo && v <= hi;
  if (!inRange(p.thresholdDb, -80, 0)) return `thresholdDb ${p.thresholdDb} is outside -80..0`;
  if (!(p.ratio === Infinity || inRange(p.ratio, 1, 100))) return `ratio ${p.ratio} is outside 1..100 (or Infinity)`;
  if (!inRange(p.kneeDb, 0, 24)) return `kneeDb ${p.kneeDb} is outside 0..24`;
  if (!inRange(p.attackMs, 0, 500)) return `attackMs ${p.attackMs} is outside 0..500`;
  if (!inRange(p.releaseMs, 0, 5000)) return `releaseMs ${p.releaseMs} is outside 0..5000`;
  if (!inRange(p.makeupDb, -24, 24)) return `makeupDb ${p.makeupDb} is outside -24..24`;
  if (!inRange(p.rmsWindowMs, 1, 300)) return `rmsWindowMs ${p.rmsWindowMs} is outside 1..300`;
  if (!inRange(p.lookaheadMs, 0, 20)) return `lookaheadMs ${p.lookaheadMs} is outside 0..20`;
  if (!inRange(p.stereoLinkPercent, 0, 100)) return `stereoLinkPercent ${p.stereoLinkPercent} is outside 0..100`;
  if (!inRange(p.mixPercent, 0, 100)) return `mixPercent ${p.mixPercent} is outside 0..100`;
  if (p.detection !== "peak" && p.detection !== "rms") return `detection "${String(p.detection)}" is not "peak" or "rms"`;
  if (p.detector !== "decoupled" && p.detector !== "branching") return `detector "${String(p.detector)}" is not "decoupled" or "branching"`;
  if (p.stereoMode !== "stereo" && p.stereoMode !== "midSide") return `stereoMode "${String(p.stereoMode)}" is not "stereo" or "midSide"`;
  return null;
}

/**
 * The static curve of GMR eq. (4), soft knee of width W centred on T:
 *   y_G = x_G                                     if 2(x_G − T) < −W
 *   y_G = x_G + (1/R − 1)(x_G − T + W/2)² / (2W)  if 2|x_G − T| ≤ W
 *   y_G = T + (x_G − T)/R                         if 2(x_G − T) > W
 * Returns y_G in dB for an input level x_G in dB. Exported for tests and plots.
 */
export function staticCurveDb(levelDb: number, thresholdDb: number, ratio: number, kneeDb: number): number {
  const over = levelDb - thresholdDb;
  const slope = 1 / ratio - 1;
  if (2 * over < -kneeDb) return levelDb;
  if (2 * Math.abs(over) <= kneeDb && kneeDb > 0) {
    const t = over + kneeDb / 2;
    return levelDb + (slope * t * t) / (2 * kneeDb);
  }
  return thresholdDb + over / ratio;
}

/** One-pole coefficient for a time constant (GMR §2.3): α = e^(−1/(τ fs)); τ = 0 gives 0. */
export function timeConstantCoefficient(timeMs: number, sampleRateHz: number): number {
  return timeMs > 0 ? Math.exp(-1000 / (timeMs * sampleRateHz)) : 0;
}

// Reductions below this (dB) are flushed to exactly 0, so a release ends in an exact unity gain
// (and the state never drifts into Float64 denormals). 1e-9 dB is a gain error of 1.2e-10.
const REDUCTION_FLUSH_DB = 1e-9;
const DB_PER_NEPER_AMPLITUDE = 20 / Math.LN10;

/**
 * The stateful core: processes Float64 planar channels in place. Holds its own look-ahead delay.
 * `bypass` keeps only the delay (so a bypassed band stays aligned with the others).
 */
export class CompressorCore {
  latencySamples = 0;
  bypass = false;

  private channels = 0;
  private midSide = false;
  // Coefficients.
  private attackCoef = 0;
  private releaseCoef = 0;
  private slowCoef = 0;
  private rmsCoef = 0;
  private kneeLowDb = 0;
  private kneeLowLinear = 0; // |x| (peak) or x² (rms) at the knee's lower edge
  private makeupLinear = 1;
  private dryShare = 0;
  private wetShare = 1;
  private link = 1;
  // State, per channel: y_L, y₁ (decoupled), slow s, mean square; ring buffers for look-ahead.
  private reduction = new Float64Array(0);
  private peakHold = new Float64Array(0);
  private slow = new Float64Array(0);
  private meanSquare = new Float64Array(0);
  private delay: Float64Array[] = [];
  private delayPos = 0;
  // Scratch per channel: detection signal, then instantaneous reduction, then gain.
  private work: Float64Array[] = [];

  constructor(readonly params: CompressorParams) {
    const problem = compressorProblem(params);
    if (problem !== null) throw new RangeError(`compressor: ${problem}`);
  }

  prepare(sampleRateHz: number, channels: number, maxBlockFrames: number): void {
    const p = this.params;
    this.channels = channels;
    this.midSide = p.stereoMode === "midSide" && channels === 2;
    this.attackCoef = timeConstantCoefficient(p.attackMs, sampleRateHz);
    this.releaseCoef = timeConstantCoefficient(p.releaseMs, sampleRateHz);
    this.slowCoef = timeConstantCoefficient(5 * p.releaseMs, sampleRateHz);
    this.rmsCoef = timeConstantCoefficient(p.rmsWindowMs, sampleRateHz);
    this.kneeLowDb = p.thresholdDb - p.kneeDb / 2;
    this.kneeLowLinear = p.detection === "rms" ? Math.pow(10, this.kneeLowDb / 10) : Math.pow(10, this.kneeLowDb / 20);
    this.makeupLinear = Math.pow(10, p.makeupDb / 20);
    this.wetShare = p.mixPercent / 100;
    this.dryShare = 1 - this.wetShare;
    this.link = p.stereoLinkPercent / 100;
    this.latencySamples = Math.round((p.lookaheadMs * sampleRateHz) / 1000);
    this.reduction = new Float64Array(channels);
    this.peakHold = new Float64Array(channels);
    this.slow = new Float64Array(channels);
    this.meanSquare = new Float64Array(channels);
    this.delay = Array.from({ length: channels }, () => new Float64Array(this.latencySamples));
    this.work = Array.from({ length: channels }, () => new Float64Array(maxBlockFrames));
    this.reset();
  }

  reset(): void {
    this.reduction.fill(0);
    this.peakHold.fill(0);
    this.slow.fill(0);
    this.meanSquare.fill(0);
    for (const d of this.delay) d.fill(0);
    this.delayPos = 0;
  }

  /** Compresses `io[c][0..frames)` in place. */
  process(io: Float64Array[], frames: number): void {
    const channels = this.channels;
    const linked = channels > 1 && this.link === 1;
    if (!this.bypass) {
      if (linked) {
        // Fully linked: every channel gets max_c x_L[c], and x_L is non-decreasing in the
        // level, so that is x_L of max_c level: one log, one smoothing and one exp per sample
        // for all channels (instead of one per channel), and the same gains.
        this.detectLinked(io, frames);
        this.smooth(0, frames);
      } else {
        this.detect(io, frames);
        if (channels > 1 && this.link > 0) this.linkChannels(frames);
        for (let c = 0; c < channels; c++) this.smooth(c, frames);
      }
    }
    this.delayInPlace(io, frames);
    if (!this.bypass) this.applyGains(io, frames, linked);
  }

  /** x_L[n] of the loudest channel's level (|x| or mean square) into work[0] (GMR eq. 4). */
  private detectLinked(io: Float64Array[], frames: number): void {
    const p = this.params;
    const threshold = p.thresholdDb, knee = p.kneeDb, kneeLowDb = this.kneeLowDb, kneeLowLinear = this.kneeLowLinear;
    const slope = 1 / p.ratio - 1;
    const inverseTwoKnee = knee > 0 ? 1 / (2 * knee) : 0;
    const kneeHigh = threshold + knee / 2;
    const rms = p.detection === "rms";
    const rmsCoef = this.rmsCoef;
    const midSide = this.midSide;
    const channels = this.channels;
    const work = this.work;
    // Pass 1: each channel's level (no log) into work[c].
    for (let c = 0; c < channels; c++) {
      const out = work[c];
      const src = io[c], l = io[0], r = midSide ? io[1] : io[0];
      const sign = c === 0 ? 1 : -1;
      let ms = this.meanSquare[c];
      for (let n = 0; n < frames; n++) {
        const x = midSide ? 0.5 * (l[n] + sign * r[n]) : src[n];
        if (rms) { ms = rmsCoef * ms + (1 - rmsCoef) * x * x; out[n] = ms; } else out[n] = x < 0 ? -x : x;
      }
      if (ms < 1e-200) ms = 0;
      this.meanSquare[c] = ms;
    }
    // Pass 2: the loudest level through the static curve, into work[0].
    const out = work[0];
    for (let n = 0; n < frames; n++) {
      let level = out[n];
      for (let c = 1; c < channels; c++) if (work[c][n] > level) level = work[c][n];
      if (level <= kneeLowLinear) { out[n] = 0; continue; }
      const levelDb = rms ? (10 / Math.LN10) * Math.log(level) : DB_PER_NEPER_AMPLITUDE * Math.log(level);
      let xl: number;
      if (levelDb >= kneeHigh) xl = -slope * (levelDb - threshold);
      else if (levelDb > kneeLowDb) { const t = levelDb - kneeLowDb; xl = -slope * t * t * inverseTwoKnee; }
      else xl = 0;
      out[n] = xl;
    }
  }

  /** x_L[n] = x_G − y_G(x_G) into work[c] (GMR eq. 4), from |x| or the running mean square. */
  private detect(io: Float64Array[], frames: number): void {
    const p = this.params;
    const threshold = p.thresholdDb, knee = p.kneeDb, kneeLowDb = this.kneeLowDb, kneeLowLinear = this.kneeLowLinear;
    const slope = 1 / p.ratio - 1; // −(1 − 1/R): y_G − x_G above the knee is slope·(x_G − T)
    const halfKnee = knee / 2, inverseTwoKnee = knee > 0 ? 1 / (2 * knee) : 0;
    const kneeHigh = threshold + halfKnee;
    const rms = p.detection === "rms";
    const rmsCoef = this.rmsCoef;
    const midSide = this.midSide;
    for (let c = 0; c < this.channels; c++) {
      const out = this.work[c];
      const src = io[c], l = io[0], r = midSide ? io[1] : io[0];
      const sign = c === 0 ? 1 : -1;
      let ms = this.meanSquare[c];
      for (let n = 0; n < frames; n++) {
        // Mid/side detection: M = (L + R)/2 for channel 0, S = (L − R)/2 for channel 1.
        const x = midSide ? 0.5 * (l[n] + sign * r[n]) : src[n];
        let level: number; // |x| or x², compared before any log
        if (rms) { ms = rmsCoef * ms + (1 - rmsCoef) * x * x; level = ms; } else level = x < 0 ? -x : x;
        if (level <= kneeLowLinear) { out[n] = 0; continue; }
        const levelDb = rms ? (10 / Math.LN10) * Math.log(level) : DB_PER_NEPER_AMPLITUDE * Math.log(level);
        let xl: number;
        if (levelDb >= kneeHigh) xl = -slope * (levelDb - threshold);
        else if (levelDb > kneeLowDb) { const t = levelDb - kneeLowDb; xl = -slope * t * t * inverseTwoKnee; }
        else xl = 0;
        out[n] = xl;
      }
      if (ms < 1e-200) ms = 0;
      this.meanSquare[c] = ms;
    }
  }

  /** x_L[c] ← (1 − k)·x_L[c] + k·max_c x_L, k = stereo link. */
  private linkChannels(frames: number): void {
    const k = this.link, keep = 1 - k, work = this.work, channels = this.channels;
    for (let n = 0; n < frames; n++) {
      let most = work[0][n];
      for (let c = 1; c < channels; c++) if (work[c][n] > most) most = work[c][n];
      if (most === 0) continue;
      for (let c = 0; c < channels; c++) work[c][n] = k === 1 ? most : keep * work[c][n] + k * most;
    }
  }

  /** Log-domain smoothing of x_L (GMR §2.3) and conversion to the applied linear gain, in place. */
  private smooth(c: number, frames: number): void {
    const buf = this.work[c];
    const aA = this.attackCoef, aR = this.releaseCoef, aS = this.slowCoef;
    const decoupled = this.params.detector === "decoupled";
    const programDependent = this.params.programDependentRelease;
    const makeup = this.makeupLinear, dry = this.dryShare, wet = this.wetShare;
    const unityGain = dry + wet * makeup; // the applied gain when y_L = 0
    let y = this.reduction[c], y1 = this.peakHold[c], s = this.slow[c];
    for (let n = 0; n < frames; n++) {
      const xl = buf[n];
      if (decoupled) {
        // Smooth decoupled peak detector: y₁ = max(x_L, α_R y₁ + (1 − α_R) x_L); y_L = α_A y_L + (1 − α_A) y₁.
        y1 = aR * y1 + (1 - aR) * xl;
        if (xl > y1) y1 = xl;
        if (y1 < REDUCTION_FLUSH_DB) y1 = 0;
        y = aA * y + (1 - aA) * y1;
      } else {
        // Smooth branching peak detector: attack coefficient while rising, release while falling.
        y = xl > y ? aA * y + (1 - aA) * xl : aR * y + (1 - aR) * xl;
      }
      if (y < REDUCTION_FLUSH_DB) y = 0;
      let applied = y;
      if (programDependent) {
        s = aS * s + (1 - aS) * xl;
        if (s < REDUCTION_FLUSH_DB) s = 0;
        if (s > applied) applied = s;
      }
      buf[n] = applied === 0 ? unityGain : dry + wet * makeup * Math.exp(-applied / DB_PER_NEPER_AMPLITUDE);
    }
    this.reduction[c] = y; this.peakHold[c] = y1; this.slow[c] = s;
  }

  /** Replaces io with its look-ahead delayed copy (ring buffer of latencySamples). */
  private delayInPlace(io: Float64Array[], frames: number): void {
    const length = this.latencySamples;
    if (length === 0) return;
    let pos = this.delayPos;
    for (let c = 0; c < this.channels; c++) {
      const ring = this.delay[c], x = io[c];
      pos = this.delayPos;
      for (let n = 0; n < frames; n++) {
        const delayed = ring[pos];
        ring[pos] = x[n];
        x[n] = delayed;
        if (++pos === length) pos = 0;
      }
    }
    this.delayPos = pos;
  }

  /** Multiplies by the gains in work (work[0] for every channel when linked; skipping exact unity, so untouched samples stay bit-exact). */
  private applyGains(io: Float64Array[], frames: number, linked: boolean): void {
    if (this.midSide) {
      const l = io[0], r = io[1], gm = this.work[0], gs = this.work[linked ? 0 : 1];
      for (let n = 0; n < frames; n++) {
        const a = gm[n], b = gs[n];
        if (a === 1 && b === 1) continue;
        const mid = 0.5 * (l[n] + r[n]) * a, side = 0.5 * (l[n] - r[n]) * b;
        l[n] = mid + side;
        r[n] = mid - side;
      }
      return;
    }
    for (let c = 0; c < this.channels; c++) {
      const x = io[c], g = this.work[linked ? 0 : c];
      for (let n = 0; n < frames; n++) {
        const gain = g[n];
        if (gain !== 1) x[n] *= gain;
      }
    }
  }
}
