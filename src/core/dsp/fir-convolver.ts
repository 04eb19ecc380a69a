import type { Processor, ProcessSpec } from "./processor.js";
import { RealFft } from "../design/fft.js";

/**
 * Partitioned FFT convolution with no added delay (W. G. Gardner, "Efficient Convolution without
 * Input-Output Delay", JAES 43(3), 1995, in its uniform-per-level form). Taps [0, 64) run in
 * direct form, per sample (the "head"); from tap 64 on, levels of uniformly partitioned
 * overlap-save FFT convolution: a level of partitions of S taps uses 2S-point FFTs. A Gardner
 * ladder grows the size level by level (e.g. 7 × 64, 7 × 512, then 4096s); `cheapestPlan`
 * picks, by a fitted cost model, the growth (2, 4 or 8) and the size cap (whose level takes all
 * remaining taps) — often a short ladder or a single uniform level, because the FFTs cost more
 * than the spectral products.
 *
 * A level whose partitions have S taps starts at tap d·S, d ≥ 1, so the block of S inputs it
 * needs is complete one block before its output is due: the FFT levels add no latency. When the
 * FIR starts with Z ≥ 64 exact zeros (the linear-phase designs here put zeros at both ends for
 * this, see fir-design.ts), the head is dropped and the first level gets S = the largest power
 * of two ≤ Z (up to 8192): far fewer, larger FFTs, still no added latency.
 *
 * Every block boundary is at an absolute sample position (multiples of S since prepare/reset),
 * never at the caller's block edges, so the output is bit-identical whatever the block sizes.
 * Latency is the filter's own (for a symmetric FIR of odd length: (taps − 1)/2), nothing more.
 *
 * Each level: a frequency-domain delay line (FDL) of the last P input spectra, each the FFT of
 * the last 2S inputs; when a block of S inputs completes, the spectra are multiplied by the P
 * partition spectra and summed, and one inverse FFT gives the next S outputs (last S of 2S,
 * overlap-save). All arithmetic in Float64. `ConvolutionEngine` is one mono lane;
 * `FirConvolver` runs the same FIR on every channel.
 */
const HEAD = 64;
const MAX_PARTITION = 8192;

interface LevelPlan {
  readonly size: number;
  readonly partitions: number;
  readonly start: number; // first tap, a multiple of size, ≥ size
}

/**
 * Levels for taps [first, taps) when each level grows by `growth` (its partitions cover up to
 * `growth` times its size, where the next level can start) until `cap`, whose level takes the rest.
 */
function planLevels(taps: number, first: number, growth: number, cap: number): LevelPlan[] {
  const plan: LevelPlan[] = [];
  let size = first;
  let covered = first;
  while (covered < taps) {
    const remaining = Math.ceil((taps - covered) / size);
    const partitions = size >= cap ? remaining : Math.min(growth - 1, remaining);
    plan.push({ size, partitions, start: covered });
    covered += partitions * size;
    size = Math.min(size * growth, cap);
  }
  return plan;
}

// Per-sample cost model of one level of size S with P partitions, fitted to timings of this
// file's loops in V8 (stereo, 44.1 kHz, 15279 taps; S = 256, 512, 1024 uniform): the forward
// and inverse FFT ≈ 12·log2(2S), the spectral products ≈ 6·P. The FFTs dominate, so one
// uniform level with many partitions often beats a Gardner ladder of growing levels (a 15279-tap
// EQ with 1024 leading zeros: 14 × 1024 in one level is ~1.4x faster than 7 × 1024 + 2 × 4096).
const FFT_COST_PER_LOG2 = 12;
const PRODUCT_COST = 6;

/** The cheapest layout (by the model above) among Gardner ladders of growth 2, 4, 8 and their caps. */
function cheapestPlan(taps: number, first: number): LevelPlan[] {
  let best: LevelPlan[] = [];
  let bestCost = Infinity;
  for (const growth of [2, 4, 8]) {
    for (let cap = first; cap <= Math.max(first, MAX_PARTITION); cap *= 2) {
      const plan = planLevels(taps, first, growth, cap);
      let cost = 0;
      for (const level of plan) cost += FFT_COST_PER_LOG2 * Math.log2(2 * level.size) + PRODUCT_COST * level.partitions;
      if (cost < bestCost) { bestCost = cost; best = plan; }
    }
  }
  return best;
}

interface Level {
  readonly size: number; // S: partition length = hop
  readonly partitions: number; // P
  readonly skip: number; // d − 1, where the level starts at tap d·S (d ≥ 1)
  readonly fft: RealFft; // 2S points
  readonly spectra: Float64Array[]; // P packed spectra of the filter partitions, 2S each
  readonly fdl: Float64Array[]; // the last P + d − 1 packed input spectra, a ring
  fdlHead: number; // slot of the newest spectrum
  readonly input: Float64Array; // last 2S inputs: previous block, current block
  readonly acc: Float64Array; // 2S
  readonly output: Float64Array; // S outputs of the current block
}

export class ConvolutionEngine {
  readonly taps: number;
  private readonly head: Float64Array; // h[0..HEAD) when the FIR does not start with zeros
  private readonly headHistory: Float64Array; // 2·HEAD: previous and current head block of x
  private readonly levels: Level[] = [];
  /** Smallest level size (or HEAD): the hop of the processing loop. */
  private readonly hop: number;
  private position = 0; // samples since reset

  constructor(h: Float64Array) {
    this.taps = h.length;
    let zeros = 0;
    while (zeros < h.length && h[zeros] === 0) zeros++;
    let size = HEAD;
    if (zeros >= HEAD && zeros < h.length) {
      while (size * 2 <= Math.min(zeros, MAX_PARTITION)) size *= 2;
      this.head = new Float64Array(0);
    } else {
      this.head = h.slice(0, Math.min(HEAD, h.length));
    }
    this.hop = size;
    this.headHistory = new Float64Array(2 * HEAD);
    for (const { size: levelSize, partitions, start } of cheapestPlan(h.length, size)) {
      const skip = start / levelSize - 1; // start is a multiple of the size: levels only grow
      const fftSize = 2 * levelSize;
      const fft = new RealFft(fftSize);
      const spectra: Float64Array[] = [];
      const fdl: Float64Array[] = [];
      for (let j = 0; j < partitions; j++) {
        const part = new Float64Array(fftSize);
        for (let k = 0; k < levelSize; k++) {
          const tap = start + j * levelSize + k;
          part[k] = tap < h.length ? h[tap] : 0;
        }
        fft.forward(part);
        spectra.push(part);
      }
      // A level that starts d > 1 blocks late (its size was capped) keeps d − 1 more spectra.
      for (let j = 0; j < partitions + skip; j++) fdl.push(new Float64Array(fftSize));
      this.levels.push({
        size: levelSize, partitions, skip, fft, spectra, fdl, fdlHead: 0,
        input: new Float64Array(fftSize), acc: new Float64Array(fftSize), output: new Float64Array(levelSize),
      });
    }
  }

  reset(): void {
    this.position = 0;
    this.headHistory.fill(0);
    for (const level of this.levels) {
      for (const slot of level.fdl) slot.fill(0);
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
    const hop = this.hop;
    let i = 0;
    while (i < frames) {
      const p = this.position & (hop - 1);
      const len = Math.min(frames - i, hop - p);
      // Inputs into every level first (y may alias x).
      for (let l = 0; l < levelCount; l++) {
        const level = levels[l];
        const input = level.input;
        const at = level.size + (this.position & (level.size - 1));
        for (let t = 0; t < len; t++) input[at + t] = x[i + t];
      }
      if (headLength > 0) {
        for (let t = 0; t < len; t++) {
          const at = HEAD + p + t;
          hist[at] = x[i + t];
          let acc = 0;
          for (let k = 0; k < headLength; k++) acc += head[k] * hist[at - k];
          y[i + t] = acc;
        }
      } else {
        for (let t = 0; t < len; t++) y[i + t] = 0;
      }
      for (let l = 0; l < levelCount; l++) {
        const level = levels[l];
        const output = level.output;
        const q = this.position & (level.size - 1);
        for (let t = 0; t < len; t++) y[i + t] += output[q + t];
      }
      for (let t = 0; t < len; t++) {
        const v = y[i + t];
        if (v < 1e-30 && v > -1e-30) y[i + t] = 0; // no denormals downstream
      }
      i += len;
      this.position += len;
      if ((this.position & (hop - 1)) === 0) {
        if (headLength > 0) hist.copyWithin(0, HEAD, 2 * HEAD);
        for (let l = 0; l < levelCount; l++) {
          if ((this.position & (levels[l].size - 1)) === 0) this.runLevel(levels[l]);
        }
      }
    }
  }

  /** A block of S inputs is complete: compute the level's next S outputs. */
  private runLevel(level: Level): void {
    const n2 = 2 * level.size;
    const { fdl, acc, spectra, partitions, skip } = level;
    const ring = fdl.length;
    level.fdlHead = level.fdlHead + 1 === ring ? 0 : level.fdlHead + 1;
    const slot = fdl[level.fdlHead];
    slot.set(level.input);
    level.fft.forward(slot);
    acc.fill(0);
    // Output block m + 1 = Σ_j X[m + 1 − d − j]·H[j] on packed spectra (fft.ts layout:
    // [X0, X(n/2), re1, im1, ...]); for d = 1 the newest input spectrum meets the first partition.
    for (let j = 0; j < partitions; j++) {
      let s = level.fdlHead - skip - j;
      while (s < 0) s += ring;
      const x = fdl[s];
      const h = spectra[j];
      acc[0] += x[0] * h[0];
      acc[1] += x[1] * h[1];
      for (let i = 2; i < n2; i += 2) {
        const xr = x[i];
        const xi = x[i + 1];
        const hr = h[i];
        const hi = h[i + 1];
        acc[i] += xr * hr - xi * hi;
        acc[i + 1] += xr * hi + xi * hr;
      }
    }
    level.fft.inverse(acc);
    const out = level.output;
    for (let k = 0, size = level.size; k < size; k++) out[k] = acc[size + k];
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
