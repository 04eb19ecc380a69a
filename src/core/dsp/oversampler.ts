import { designOversamplingStages, type HalfbandDesign } from "../design/halfband.js";

/**
 * Polyphase half-band oversampling (2x per stage, 1/2/4/8/16x), for the nonlinear processors
 * (saturator, clipper). Not a `Processor` itself: a processor calls, per channel and block,
 *
 *   const hi = os.upsample(c, channel, frames); // frames·factor samples at the high rate
 *   for (let i = 0; i < frames * os.factor; i++) hi[i] = shape(hi[i]);
 *   os.downsample(c, channel, frames);          // back into `channel`, in place
 *
 * Each stage is a Kaiser half-band FIR (design/halfband.ts, ~100 dB stop band, pass band flat to
 * ±0.0001 dB up to 0.4535·fs). Half the taps are zero, so the interpolator's odd branch is a
 * pure delay and the even branch a symmetric FIR of 2M taps (folded: M multiplies).
 *
 * Latency: stage s (high rate 2^s·fs, centre tap c_s) costs 2·c_s high-rate samples for the
 * round trip; the sum is padded at the top rate to a whole number of base-rate samples (and to
 * the decimation phase), so `latencySamples` is exact and whole. All buffers are allocated in
 * `prepare`; the history is kept by copying the last few samples to the front of each stage's
 * buffer after a block, so the output does not depend on how the stream is cut into blocks.
 */
export class Oversampler {
  readonly factor: number;
  /** Whole base-rate samples of delay of an up + down round trip. */
  readonly latencySamples: number;
  private readonly stages: HalfbandDesign[];
  /** Per stage: the folded non-zero taps of the even branch, a_j = 2·h[2j], j < M. */
  private readonly upTaps: Float64Array[];
  /** Per stage: h[2j], j < M (folded), for the decimator. */
  private readonly downTaps: Float64Array[];
  /** Extra top-rate delay that makes the round trip a whole number of base samples. */
  private readonly padSamples: number;
  private upHist: Float64Array[][] = []; // [channel][stage]
  private downHist: Float64Array[][] = [];
  /** work[s]: the signal at rate 2^s·fs (s = 1..stages), shared by channels. */
  private work: Float64Array[] = [];
  private maxFrames = 0;

  /** @param factor 1, 2, 4, 8 or 16. @param stopbandDb stop band of every stage (default 100). */
  constructor(factor: number, stopbandDb = 100) {
    this.factor = factor;
    this.stages = designOversamplingStages(factor, stopbandDb);
    this.upTaps = this.stages.map((d) => {
      const m = d.halfOrder;
      const a = new Float64Array(m);
      for (let j = 0; j < m; j++) a[j] = 2 * d.taps[2 * j];
      return a;
    });
    this.downTaps = this.stages.map((d) => {
      const m = d.halfOrder;
      const a = new Float64Array(m);
      for (let j = 0; j < m; j++) a[j] = d.taps[2 * j];
      return a;
    });
    let total = 0; // in top-rate samples
    this.stages.forEach((d, i) => {
      total += 2 * d.delaySamples * (factor >> (i + 1));
    });
    this.padSamples = (factor - (total % factor)) % factor;
    this.latencySamples = (total + this.padSamples) / factor;
  }

  prepare(channels: number, maxBlockFrames: number): void {
    this.maxFrames = maxBlockFrames;
    this.work = [];
    for (let s = 0; s <= this.stages.length; s++) this.work.push(new Float64Array(maxBlockFrames << s));
    this.upHist = [];
    this.downHist = [];
    for (let c = 0; c < channels; c++) {
      const up: Float64Array[] = [];
      const down: Float64Array[] = [];
      this.stages.forEach((d, i) => {
        const m = d.halfOrder;
        up.push(new Float64Array(2 * m - 1 + (maxBlockFrames << i)));
        const pad = i === this.stages.length - 1 ? this.padSamples : 0;
        down.push(new Float64Array(4 * m - 2 + pad + (maxBlockFrames << (i + 1))));
      });
      this.upHist.push(up);
      this.downHist.push(down);
    }
  }

  reset(): void {
    for (const ch of this.upHist) for (const b of ch) b.fill(0);
    for (const ch of this.downHist) for (const b of ch) b.fill(0);
  }

  /**
   * Interpolates `frames` samples of `input` to the top rate. Returns the top-rate buffer
   * (valid for `frames·factor` samples, until the next call); the caller may modify it in place.
   */
  upsample(channel: number, input: Float32Array, frames: number): Float64Array {
    const work = this.work;
    const base = work[0];
    for (let n = 0; n < frames; n++) base[n] = input[n];
    const hists = this.upHist[channel];
    for (let s = 0; s < this.stages.length; s++) {
      upStage(this.upTaps[s], hists[s], work[s], work[s + 1], frames << s);
    }
    return work[this.stages.length];
  }

  /** Decimates the top-rate buffer returned by `upsample` back into `output` (`frames` samples). */
  downsample(channel: number, output: Float32Array, frames: number): void {
    const work = this.work;
    const hists = this.downHist[channel];
    const top = this.stages.length;
    for (let s = top - 1; s >= 0; s--) {
      downStage(this.downTaps[s], hists[s], work[s + 1], work[s], frames << s, s === top - 1 ? this.padSamples : 0);
    }
    const base = work[0];
    for (let n = 0; n < frames; n++) output[n] = base[n];
  }

  /** Largest block `prepare` allowed for. */
  get maxBlockFrames(): number {
    return this.maxFrames;
  }
}

/**
 * 2x interpolation, half-band: y[2i] = Σ_j a_j·x[i-j] (j < 2M, a symmetric), y[2i+1] = x[i-(M-1)].
 * `hist` holds 2M-1 past inputs followed by room for the block.
 */
function upStage(a: Float64Array, hist: Float64Array, input: Float64Array, output: Float64Array, n: number): void {
  const m = a.length;
  const h = 2 * m - 1;
  for (let i = 0; i < n; i++) hist[h + i] = input[i];
  for (let i = 0; i < n; i++) {
    const newest = h + i;
    const oldest = newest - h;
    let acc = 0;
    for (let j = 0; j < m; j++) acc += a[j] * (hist[newest - j] + hist[oldest + j]);
    output[2 * i] = acc;
    output[2 * i + 1] = hist[newest - (m - 1)];
  }
  hist.copyWithin(0, n, n + h);
}

/**
 * 2x decimation, half-band: z[i] = Σ_j h[2j]·v[2i-2j] (j < 2M) + 0.5·v[2i-(2M-1)], on the input
 * delayed by `pad` samples. `hist` holds 4M-2+pad past inputs followed by room for the block.
 */
function downStage(b: Float64Array, hist: Float64Array, input: Float64Array, output: Float64Array, outFrames: number, pad: number): void {
  const m = b.length;
  const h = 4 * m - 2 + pad;
  const n2 = 2 * outFrames;
  for (let i = 0; i < n2; i++) hist[h + i] = input[i];
  for (let i = 0; i < outFrames; i++) {
    const newest = h + 2 * i - pad;
    const oldest = newest - (4 * m - 2);
    let acc = 0;
    for (let j = 0; j < m; j++) acc += b[j] * (hist[newest - 2 * j] + hist[oldest + 2 * j]);
    output[i] = acc + 0.5 * hist[newest - (2 * m - 1)];
  }
  hist.copyWithin(0, n2, n2 + h);
}
