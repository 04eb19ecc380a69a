/**
 * Streaming rational resampler over a polyphase windowed-sinc design (design/resampler-design.ts).
 *
 * Not a `Processor`: the output has another rate and another length. The lifecycle is the same
 * in spirit: the constructor allocates everything; `process` and `flush` allocate nothing and
 * never throw for valid sizes; `reset` clears the history.
 *
 * Timing: output k is computed at input time k·M/L exactly (the kernel is centred there), with
 * x[n] = 0 for n < 0 and after the last input. So nothing needs compensating: the first output
 * sample is at time 0 and, after `flush`, the output has exactly round(n·L/M) frames. The price is
 * K input samples of look-ahead: `process` emits an output only once the K input samples after
 * its instant have arrived; `flush` emits the rest. Each output is the same sum in the same order
 * whatever the block sizes, so the result is bit-identical for any split (tested).
 */
import { resampledLength, type ResamplerDesign } from "../design/resampler-design.js";

export class Resampler {
  readonly design: ResamplerDesign;
  readonly channels: number;
  readonly maxBlockFrames: number;
  /** history[c] holds input samples from absolute index `bufStart` on (zeros before time 0). */
  private readonly history: Float32Array[];
  private readonly taps: number;
  // State legend: `bufStart` absolute input index of history[c][0]; `bufFill` samples held;
  // `inFrames` real input frames received; `outFrames` output frames emitted; `phaseAcc`, `nextN`:
  // output k = outFrames sits at input time nextN + phaseAcc/L (phaseAcc in 0..L-1).
  private bufStart = 0;
  private bufFill = 0;
  private inFrames = 0;
  private outFrames = 0;
  private nextN = 0;
  private phaseAcc = 0;
  private flushed = false;

  constructor(design: ResamplerDesign, channels: number, maxBlockFrames: number) {
    this.design = design;
    this.channels = channels;
    this.maxBlockFrames = maxBlockFrames;
    this.taps = 2 * design.halfTaps;
    this.history = [];
    // Room for the kernel span plus one block (and the zero tail of flush).
    const size = this.taps + Math.max(maxBlockFrames, design.halfTaps + 1) + 1;
    for (let c = 0; c < channels; c++) this.history.push(new Float32Array(size));
    this.reset();
  }

  /** The most output frames one `process` call of `inFrames` (or `flush`) can return. */
  maxOutputFrames(inFrames: number): number {
    const { upFactor: L, downFactor: M, halfTaps: K } = this.design;
    return Math.ceil(((Math.max(inFrames, K + 1) + this.taps) * L) / M) + 2;
  }

  reset(): void {
    const K = this.design.halfTaps;
    for (const h of this.history) h.fill(0);
    // K − 1 zeros stand for x[−K+1..−1]: the first output's kernel reaches back that far.
    this.bufStart = -(K - 1);
    this.bufFill = K - 1;
    this.inFrames = 0;
    this.outFrames = 0;
    this.nextN = 0;
    this.phaseAcc = 0;
    this.flushed = false;
  }

  /**
   * Consumes `frames` input frames (≤ maxBlockFrames) and writes the outputs now computable into
   * `output` (each channel at least maxOutputFrames(frames) long); returns their count.
   */
  process(input: Float32Array[], frames: number, output: Float32Array[]): number {
    if (this.flushed) return 0;
    for (let c = 0; c < this.channels; c++) this.history[c].set(input[c].subarray(0, frames), this.bufFill);
    this.bufFill += frames;
    this.inFrames += frames;
    return this.run(output, Infinity);
  }

  /** Ends the stream: writes the remaining outputs (up to round(n·L/M) in total); returns their count. */
  flush(output: Float32Array[]): number {
    if (this.flushed) return 0;
    this.flushed = true;
    const K = this.design.halfTaps;
    const total = resampledLength(this.inFrames, this.design);
    // K + 1 zeros after the end are enough for every output instant before the end.
    for (let c = 0; c < this.channels; c++) this.history[c].fill(0, this.bufFill, this.bufFill + K + 1);
    this.bufFill += K + 1;
    return this.run(output, total);
  }

  /** Computes every output whose kernel span is in the history (and whose index < limit). */
  private run(output: Float32Array[], limit: number): number {
    const { upFactor: L, downFactor: M, halfTaps: K, phases } = this.design;
    const taps = this.taps;
    const stepN = Math.floor(M / L);
    const stepP = M % L;
    const channels = this.channels;
    let n = this.nextN;
    let p = this.phaseAcc;
    let k = this.outFrames;
    let written = 0;
    const end = this.bufStart + this.bufFill; // absolute index one past the last held sample
    const bufStart = this.bufStart;
    const history = this.history;
    while (n + K < end && k < limit) {
      const base = n - K + 1 - bufStart;
      const row = p * taps;
      for (let c = 0; c < channels; c++) {
        output[c][written] = dot(phases, row, history[c], base, taps);
      }
      written++;
      k++;
      n += stepN;
      p += stepP;
      if (p >= L) {
        p -= L;
        n++;
      }
    }
    this.nextN = n;
    this.phaseAcc = p;
    this.outFrames = k;
    // Keep from the next output's first tap on; drop what no future output needs.
    const keepFrom = Math.min(n - K + 1 - bufStart, this.bufFill);
    if (keepFrom > 0) {
      for (let c = 0; c < channels; c++) this.history[c].copyWithin(0, keepFrom, this.bufFill);
      this.bufStart += keepFrom;
      this.bufFill -= keepFrom;
    }
    return written;
  }
}

/**
 * Σ h[row + i]·x[base + i] over `taps` (a multiple of 4) terms, in Float64. Four interleaved
 * accumulators give the CPU independent add chains; the order is fixed, so the result does not
 * depend on how the input was blocked.
 */
function dot(h: Float64Array, row: number, x: Float32Array, base: number, taps: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let i = 0; i < taps; i += 4) {
    const r = row + i;
    const b = base + i;
    a0 += h[r] * x[b];
    a1 += h[r + 1] * x[b + 1];
    a2 += h[r + 2] * x[b + 2];
    a3 += h[r + 3] * x[b + 3];
  }
  return a0 + a1 + (a2 + a3);
}
