import type { Processor, ProcessSpec } from "./processor.js";
import { RealFft, multiplyPacked } from "../design/fft.js";

/**
 * Partitioned FFT convolution with no added delay (W. G. Gardner, "Efficient Convolution without
 * Input-Output Delay", JAES 43(3), 1995, in its uniform-per-level form):
 *
 *   taps [0, 64)           direct form, per sample (the "head");
 *   taps [64, 512)         7 partitions of 64,   overlap-save with a 128-point FFT;
 *   taps [512, 4096)       7 partitions of 512,  1024-point FFT;
 *   taps [4096, taps)      partitions of 4096,   8192-point FFT, as many as needed.
 *
 * A level whose partitions have S taps starts at tap S, so the block of S inputs it needs is
 * complete one block before its output is due: the FFT levels add no latency. Every block
 * boundary is at an absolute sample position (multiples of S since prepare/reset), never at the
 * caller's block edges, so the output is bit-identical whatever the block sizes. Latency is the
 * filter's own (for a symmetric FIR of odd length: (taps − 1)/2), nothing more.
 *
 * Each level: a frequency-domain delay line (FDL) of the last P input spectra, each the FFT of
 * the last 2S inputs; when a block of S inputs completes, the spectra are multiplied by the P
 * partition spectra and summed, and one inverse FFT gives the next S outputs (last S of 2S).
 * All arithmetic in Float64. `ConvolutionEngine` is one mono lane; `FirConvolver` runs the same
 * FIR on every channel.
 */
const HEAD = 64;
const LEVEL_GROWTH = 8;
const MAX_PARTITION = 4096;

interface Level {
  readonly size: number; // S: partition length = hop
  readonly partitions: number; // P
  readonly fft: RealFft; // 2S points
  readonly spectra: Float64Array; // P packed spectra of the filter partitions, 2S each
  readonly fdl: Float64Array; // P packed input spectra, ring
  fdlHead: number; // slot of the newest spectrum
  readonly input: Float64Array; // last 2S inputs: previous block, current block
  readonly work: Float64Array; // 2S
  readonly acc: Float64Array; // 2S
  readonly output: Float64Array; // S outputs of the current block
}

export class ConvolutionEngine {
  readonly taps: number;
  private readonly head: Float64Array; // h[0..min(HEAD, taps)), reversed for the direct loop
  private readonly headHistory: Float64Array; // 2·HEAD: previous and current head block of x
  private readonly levels: Level[] = [];
  private position = 0; // absolute sample index since reset, mod HEAD is what matters

  constructor(h: Float64Array) {
    this.taps = h.length;
    const headLength = Math.min(HEAD, h.length);
    this.head = new Float64Array(headLength);
    this.headHistory = new Float64Array(2 * HEAD);
    for (let k = 0; k < headLength; k++) this.head[k] = h[k];
    let covered = HEAD;
    let size = HEAD;
    while (covered < h.length) {
      const remaining = Math.ceil((h.length - covered) / size);
      const partitions = size >= MAX_PARTITION ? remaining : Math.min(LEVEL_GROWTH - 1, remaining);
      const fftSize = 2 * size;
      const fft = new RealFft(fftSize);
      const spectra = new Float64Array(partitions * fftSize);
      for (let j = 0; j < partitions; j++) {
        const part = spectra.subarray(j * fftSize, (j + 1) * fftSize);
        for (let k = 0; k < size; k++) {
          const tap = covered + j * size + k;
          part[k] = tap < h.length ? h[tap] : 0;
        }
        fft.forward(part);
      }
      this.levels.push({
        size, partitions, fft, spectra,
        fdl: new Float64Array(partitions * fftSize), fdlHead: 0,
        input: new Float64Array(fftSize), work: new Float64Array(fftSize),
        acc: new Float64Array(fftSize), output: new Float64Array(size),
      });
      covered += partitions * size;
      size *= LEVEL_GROWTH;
      if (size > MAX_PARTITION) size = MAX_PARTITION;
      // When more taps remain, the previous levels were full, so covered = size: the next level
      // starts at tap S, exactly one block of S ahead of when its output is needed.
    }
  }

  reset(): void {
    this.position = 0;
    this.headHistory.fill(0);
    for (const level of this.levels) {
      level.fdl.fill(0);
      level.fdlHead = 0;
      level.input.fill(0);
      level.output.fill(0);
    }
  }

  /** Convolves `frames` samples of `x` into `y` (Float64; `y` may be `x`). */
  process(x: Float64Array, y: Float64Array, frames: number): void {
    const head = this.head;
    const headLength = head.length;
    const hist = this.headHistory;
    const levels = this.levels;
    const levelCount = levels.length;
    let i = 0;
    while (i < frames) {
      const p = this.position & (HEAD - 1);
      const len = Math.min(frames - i, HEAD - p);
      for (let t = 0; t < len; t++) {
        const xn = x[i + t];
        const at = HEAD + p + t;
        hist[at] = xn;
        let acc = 0;
        for (let k = 0; k < headLength; k++) acc += head[k] * hist[at - k];
        const pos = this.position + t;
        for (let l = 0; l < levelCount; l++) {
          const level = levels[l];
          const s = level.size;
          const q = pos & (s - 1);
          level.input[s + q] = xn;
          acc += level.output[q];
        }
        y[i + t] = acc < 1e-30 && acc > -1e-30 ? 0 : acc;
      }
      i += len;
      this.position += len;
      if ((this.position & (HEAD - 1)) === 0) {
        hist.copyWithin(0, HEAD, 2 * HEAD);
        for (let l = 0; l < levelCount; l++) {
          if ((this.position & (levels[l].size - 1)) === 0) this.runLevel(levels[l]);
        }
      }
    }
  }

  /** A block of S inputs is complete: compute the level's next S outputs. */
  private runLevel(level: Level): void {
    const n2 = 2 * level.size;
    const { fdl, work, acc, spectra, partitions } = level;
    level.fdlHead = (level.fdlHead + 1) % partitions;
    const slot = fdl.subarray(level.fdlHead * n2, (level.fdlHead + 1) * n2);
    slot.set(level.input);
    level.fft.forward(slot);
    // Σ_j X[m − j]·H[j]: the newest spectrum meets the first partition.
    for (let j = 0; j < partitions; j++) {
      const s = (level.fdlHead - j + partitions) % partitions;
      multiplyPacked(fdl.subarray(s * n2, (s + 1) * n2), spectra.subarray(j * n2, (j + 1) * n2), acc, n2, j > 0);
    }
    work.set(acc);
    level.fft.inverse(work);
    level.output.set(work.subarray(level.size, n2));
    level.input.copyWithin(0, level.size, n2);
  }
}

/**
 * A fixed FIR on every channel, as a Processor. `design(sampleRateHz)` returns the taps at
 * prepare time; `latencySamples` is what the caller says the FIR's delay is (for a symmetric,
 * odd-length FIR: (taps − 1)/2, the default).
 */
export class FirConvolver implements Processor {
  private latency = 0;
  private engines: ConvolutionEngine[] = [];
  private scratch = new Float64Array(0);

  constructor(
    private readonly design: (sampleRateHz: number) => Float64Array,
    private readonly latencyOf: (taps: Float64Array) => number = (h) => (h.length - 1) / 2,
  ) {}

  get latencySamples(): number {
    return this.latency;
  }

  prepare(spec: ProcessSpec): void {
    const h = this.design(spec.sampleRateHz);
    this.latency = this.latencyOf(h);
    this.engines = [];
    for (let c = 0; c < spec.channels; c++) this.engines.push(new ConvolutionEngine(h));
    this.scratch = new Float64Array(spec.maxBlockFrames);
  }

  process(channels: Float32Array[], frames: number): void {
    const x = this.scratch;
    for (let c = 0; c < channels.length; c++) {
      const ch = channels[c];
      for (let n = 0; n < frames; n++) x[n] = ch[n];
      this.engines[c].process(x, x, frames);
      for (let n = 0; n < frames; n++) ch[n] = x[n];
    }
  }

  reset(): void {
    for (const e of this.engines) e.reset();
  }
}
