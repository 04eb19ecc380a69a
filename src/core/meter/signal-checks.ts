/**
 * Sample-level checks of a mix, streaming, in one pass per channel:
 *
 * - DC offset: the mean of each channel (linear and dBFS). Exact Float64 running sum.
 * - Clipping: runs of >= 3 consecutive samples at full scale, per channel. Full scale is
 *   |x| >= 32767/32768 (the largest positive 16-bit value; a 24-bit file's (2^23-1)/2^23 and any
 *   float over 1.0 are above it), so a 16-bit file clipped at +32767 and -32768 both count.
 *   Three in a row: two full-scale samples in a row happen in loud, clean masters (a peak right
 *   on a sample pair); three is the usual "clipped" criterion of clip detectors (e.g. the
 *   consecutive-samples rule of CD mastering QC tools). Runs still open at the end count.
 * - Peak density: the sample peak and the fraction of samples within 1 dB of it (from a histogram
 *   of |x| in steps of 0.001 of full scale, i.e. 0.01 dB near the top), the
 *   "density of near-peak samples" that tells a limited master from a mix with a few peaks.
 * - Silence: leading and trailing time during which every channel's sample peak stays below
 *   -60 dBFS (|x| < 0.001). Fades and dither noise (about -90 dBFS at 16 bits) count as
 *   silence; the quietest musical content (room tone, reverb tails) is usually above -60 dBFS.
 */
import { finiteOrNull, linearToDb } from "../units.js";

/** 32767/32768: the largest positive 16-bit sample, the lowest value we call full scale. */
export const FULL_SCALE_LINEAR = 32767 / 32768;
export const MIN_CLIP_RUN_SAMPLES = 3;
export const SILENCE_THRESHOLD_DBFS = -60;
const SILENCE_THRESHOLD_LINEAR = 0.001;
export const NEAR_PEAK_WITHIN_DB = 1;
/** Histogram of |x| in bins of 0.001 of full scale; the last bin holds everything >= 1. */
const HIST_SCALE = 1000;
const HIST_BINS = HIST_SCALE + 1;

export interface SignalChecksOptions {
  readonly sampleRateHz: number;
  readonly channels: number;
}

export interface DcOffsetResult {
  /** Mean per channel. */
  readonly perChannelLinear: number[];
  /** 20·log10|mean| per channel; null for an exact zero mean. */
  readonly perChannelDbfs: (number | null)[];
  /** The largest |mean| over the channels, in dBFS (null: no offset at all). */
  readonly maxDbfs: number | null;
}

export interface ClippingResult {
  readonly fullScaleLinear: number;
  readonly minRunSamples: number;
  readonly perChannel: { runs: number; clippedSamples: number; longestRunSamples: number }[];
  readonly runs: number;
  readonly clippedSamples: number;
  readonly longestRunSamples: number;
  /** Largest |x| over all channels, linear and dBFS (null: digital silence). */
  readonly samplePeakLinear: number;
  readonly samplePeakDbfs: number | null;
  /** Fraction of all samples (every channel) within `nearPeakWithinDb` of the sample peak. */
  readonly nearPeakFraction: number;
  readonly nearPeakWithinDb: number;
}

export interface SilenceResult {
  readonly thresholdDbfs: number;
  readonly leadingS: number;
  readonly trailingS: number;
  /** No sample reaches the threshold (leading = trailing = duration). */
  readonly silent: boolean;
}

export interface SignalChecksResult {
  readonly durationS: number;
  readonly dcOffset: DcOffsetResult;
  readonly clipping: ClippingResult;
  readonly silence: SilenceResult;
}

const NEAR_PEAK_RATIO = Math.pow(10, -NEAR_PEAK_WITHIN_DB / 20);

/**
 * The first histogram bin counted as near `peak` (within NEAR_PEAK_WITHIN_DB). Non-decreasing
 * in `peak`, which is what lets `add` skip the bins below that of the running peak.
 */
function nearPeakBin(peak: number): number {
  const fromBin = Math.floor(peak * NEAR_PEAK_RATIO * HIST_SCALE);
  return Math.min(fromBin, HIST_BINS - 1);
}

/**
 * The hot loop of `add`, on its own so that it is optimized with complete type feedback (an
 * on-stack replacement inside `add` during the first block would be compiled before the code
 * after the loop had ever run, and deoptimized when it does). Returns the sum of the block;
 * `out[0]` receives the largest |x| (NaN if a sample is NaN). Samples whose histogram bin is
 * below `minBin` are not histogrammed. Math.max/Math.abs compile to branchless float ops.
 */
function sumPeakHistogram(x: Float32Array, frames: number, hist: Float64Array, minBin: number, out: Float64Array): number {
  let sum = 0;
  let blockPeak = 0;
  for (let i = 0; i < frames; i++) {
    const v = x[i];
    sum += v;
    const a = Math.abs(v);
    blockPeak = Math.max(blockPeak, a);
    const k = (a * HIST_SCALE) | 0;
    if (k >= minBin) hist[k < HIST_BINS - 1 ? k : HIST_BINS - 1]++;
  }
  out[0] = blockPeak;
  return sum;
}

/** The largest |x| over a block, NaN samples ignored (the comparison is false for them). */
function peakIgnoringNaN(x: Float32Array, frames: number): number {
  let peak = 0;
  for (let i = 0; i < frames; i++) {
    const v = x[i];
    const a = v < 0 ? -v : v;
    peak = a > peak ? a : peak;
  }
  return peak;
}

export class SignalChecksMeter {
  readonly sampleRateHz: number;
  readonly channels: number;
  private totalFrames = 0;
  private readonly sum: Float64Array;
  /** Length of the full-scale run in progress, per channel. */
  private readonly run: Float64Array;
  private readonly runs: Float64Array;
  private readonly clipped: Float64Array;
  private readonly longest: Float64Array;
  /** First and last absolute frame index at or above the silence threshold (-1: none yet). */
  private firstLoud = -1;
  private lastLoud = -1;
  private peak = 0;
  private readonly hist = new Float64Array(HIST_BINS);
  /** Second result of sumPeakHistogram (allocated once). */
  private readonly scratch = new Float64Array(1);

  constructor(options: SignalChecksOptions) {
    const { sampleRateHz, channels } = options;
    if (!(sampleRateHz > 0) || !(channels >= 1)) throw new RangeError("SignalChecksMeter: bad sample rate or channel count");
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    this.sum = new Float64Array(channels);
    this.run = new Float64Array(channels);
    this.runs = new Float64Array(channels);
    this.clipped = new Float64Array(channels);
    this.longest = new Float64Array(channels);
  }

  add(channels: Float32Array[], frames: number): void {
    const base = this.totalFrames;
    let firstLoud = this.firstLoud;
    let lastLoud = this.lastLoud;
    let peak = this.peak;
    const hist = this.hist;
    // Only bins at or above the near-peak bin of the peak so far are ever counted (the final
    // peak can only be higher, so its bin is too): samples below it are not histogrammed. In a
    // mix most samples are far below the peak, so the histogram store is skipped for them.
    let minBin = nearPeakBin(peak);
    for (let c = 0; c < this.channels; c++) {
      const x = channels[c];
      const sum = sumPeakHistogram(x, frames, hist, minBin, this.scratch);
      let blockPeak = this.scratch[0];
      // A NaN sample (float files): Math.max propagated it, the peak must ignore it.
      if (blockPeak !== blockPeak) blockPeak = peakIgnoringNaN(x, frames);
      peak = blockPeak > peak ? blockPeak : peak;
      // Clipped runs: only a block with a full-scale sample, or one that may close an open run,
      // needs the per-sample run tracking (most blocks of most files have neither).
      if (blockPeak >= FULL_SCALE_LINEAR || this.run[c] > 0) this.trackClipRuns(x, frames, c);
      // Silence: scan in from both ends only as far as the first loud sample.
      let firstInBlock = -1;
      let lastInBlock = -1;
      for (let i = 0; i < frames; i++) {
        if (Math.abs(x[i]) >= SILENCE_THRESHOLD_LINEAR) {
          firstInBlock = i;
          break;
        }
      }
      if (firstInBlock >= 0) {
        for (let i = frames - 1; i >= firstInBlock; i--) {
          if (Math.abs(x[i]) >= SILENCE_THRESHOLD_LINEAR) {
            lastInBlock = i;
            break;
          }
        }
      }
      minBin = nearPeakBin(peak);
      this.sum[c] += sum;
      if (lastInBlock >= 0) {
        lastLoud = Math.max(lastLoud, base + lastInBlock);
        if (firstLoud < 0 || base + firstInBlock < firstLoud) firstLoud = base + firstInBlock;
      }
    }
    this.firstLoud = firstLoud;
    this.lastLoud = lastLoud;
    this.peak = peak;
    this.totalFrames += frames;
  }

  /**
   * Runs of full-scale samples in one channel's block. Kept out of `add` so that its hot loop is
   * compiled without this rarely run code (no deopt for missing type feedback when it first runs).
   */
  private trackClipRuns(x: Float32Array, frames: number, c: number): void {
    let run = this.run[c];
    let runs = this.runs[c];
    let clipped = this.clipped[c];
    let longest = this.longest[c];
    for (let i = 0; i < frames; i++) {
      const v = x[i];
      const a = v < 0 ? -v : v;
      if (a >= FULL_SCALE_LINEAR) {
        run++;
      } else if (run > 0) {
        if (run >= MIN_CLIP_RUN_SAMPLES) {
          runs++;
          clipped += run;
          if (run > longest) longest = run;
        }
        run = 0;
      }
    }
    this.run[c] = run;
    this.runs[c] = runs;
    this.clipped[c] = clipped;
    this.longest[c] = longest;
  }

  result(): SignalChecksResult {
    const n = this.totalFrames;
    const fs = this.sampleRateHz;
    const means = Array.from(this.sum, (s) => (n > 0 ? s / n : 0));
    const dbfs = means.map((m) => (m === 0 ? null : finiteOrNull(linearToDb(m))));
    const maxAbsMean = means.reduce((a, m) => Math.max(a, Math.abs(m)), 0);
    // A run still open at the end of the stream counts (without closing it: this is a query).
    const perChannel = Array.from(this.runs, (runs, c) => {
      const open = this.run[c] >= MIN_CLIP_RUN_SAMPLES ? this.run[c] : 0;
      return {
        runs: runs + (open > 0 ? 1 : 0),
        clippedSamples: this.clipped[c] + open,
        longestRunSamples: Math.max(this.longest[c], open),
      };
    });
    const silent = this.firstLoud < 0;
    // Counted from the bin holding peak - 1 dB: exact to one bin (0.01 dB near full scale).
    let near = 0;
    if (this.peak > 0) {
      for (let b = nearPeakBin(this.peak); b < HIST_BINS; b++) near += this.hist[b];
    }
    return {
      durationS: n / fs,
      dcOffset: {
        perChannelLinear: means,
        perChannelDbfs: dbfs,
        maxDbfs: maxAbsMean > 0 ? finiteOrNull(linearToDb(maxAbsMean)) : null,
      },
      clipping: {
        fullScaleLinear: FULL_SCALE_LINEAR,
        minRunSamples: MIN_CLIP_RUN_SAMPLES,
        perChannel,
        runs: perChannel.reduce((a, p) => a + p.runs, 0),
        clippedSamples: perChannel.reduce((a, p) => a + p.clippedSamples, 0),
        longestRunSamples: perChannel.reduce((a, p) => Math.max(a, p.longestRunSamples), 0),
        samplePeakLinear: this.peak,
        samplePeakDbfs: this.peak > 0 ? finiteOrNull(linearToDb(this.peak)) : null,
        nearPeakFraction: n > 0 ? near / (n * this.channels) : 0,
        nearPeakWithinDb: NEAR_PEAK_WITHIN_DB,
      },
      silence: {
        thresholdDbfs: SILENCE_THRESHOLD_DBFS,
        leadingS: silent ? n / fs : this.firstLoud / fs,
        trailingS: silent ? n / fs : (n - 1 - this.lastLoud) / fs,
        silent,
      },
    };
  }
}
