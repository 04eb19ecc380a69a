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
 * `PairConvolutionEngine` two lanes in one complex FFT; `FirConvolver` runs the same FIR on
 * every channel (pairs of channels through a `PairConvolutionEngine`).
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
 * Complex FFT for fast convolution, on interleaved re/im Float64 data (n points, 2n numbers):
 * `forward` is decimation in frequency (natural order in, bit-reversed order out), `inverse`
 * decimation in time (bit-reversed in, natural out, unscaled). A spectral product does not care
 * about bin order, so the bit-reversal permutation is never done, and the 1/n of the inverse is
 * folded into the filter spectra. Radix 4 (pairs of radix-2 stages in one pass: 3 complex
 * multiplications per 4 points instead of 4, half the passes over memory), plus one trivial
 * radix-2 stage when log2 n is odd.
 */
class ConvolutionFft {
  readonly size: number;
  private readonly odd: boolean; // log2(size) is odd: one radix-2 stage (span 2) as well
  /**
   * Per radix-4 pass of quarter q (q = 1 or 2, then ×4 up to size/4): at offset[q], q entries of
   * (w1, w2, w3) = e^(−2πi·(k, 2k, 3k)/(4q)), 6 numbers each, exact angles.
   */
  private readonly twiddles: Float64Array;
  private readonly offsets: Int32Array; // indexed by log2(q)

  constructor(size: number) {
    this.size = size;
    const bits = Math.round(Math.log2(size));
    this.odd = bits % 2 === 1;
    this.offsets = new Int32Array(bits + 1);
    let total = 0;
    for (let q = this.odd ? 2 : 1; 4 * q <= size; q *= 4) { this.offsets[Math.round(Math.log2(q))] = total; total += 6 * q; }
    this.twiddles = new Float64Array(Math.max(total, 1));
    for (let q = this.odd ? 2 : 1; 4 * q <= size; q *= 4) {
      const at = this.offsets[Math.round(Math.log2(q))];
      for (let k = 0; k < q; k++) {
        for (let m = 1; m <= 3; m++) {
          const angle = (-2 * Math.PI * m * k) / (4 * q);
          this.twiddles[at + 6 * k + 2 * (m - 1)] = Math.cos(angle);
          this.twiddles[at + 6 * k + 2 * (m - 1) + 1] = Math.sin(angle);
        }
      }
    }
  }

  forward(d: Float64Array): void {
    const n = this.size, tw = this.twiddles, n2 = 2 * n;
    for (let q = n >> 2; q >= 1; q >>= 2) {
      const at = this.offsets[31 - Math.clz32(q)];
      const q2 = 2 * q;
      for (let g = 0; g < n2; g += 4 * q2) {
        for (let k = 0; k < q; k++) {
          const i0 = g + 2 * k, i1 = i0 + q2, i2 = i1 + q2, i3 = i2 + q2;
          const x0r = d[i0], x0i = d[i0 + 1], x1r = d[i1], x1i = d[i1 + 1];
          const x2r = d[i2], x2i = d[i2 + 1], x3r = d[i3], x3i = d[i3 + 1];
          const t0r = x0r + x2r, t0i = x0i + x2i, t1r = x1r + x3r, t1i = x1i + x3i;
          const t2r = x0r - x2r, t2i = x0i - x2i, t3r = x1r - x3r, t3i = x1i - x3i;
          d[i0] = t0r + t1r;
          d[i0 + 1] = t0i + t1i;
          const w = at + 6 * k;
          const w1r = tw[w], w1i = tw[w + 1], w2r = tw[w + 2], w2i = tw[w + 3], w3r = tw[w + 4], w3i = tw[w + 5];
          const ur = t0r - t1r, ui = t0i - t1i; // → ·w2 at +q
          d[i1] = ur * w2r - ui * w2i;
          d[i1 + 1] = ur * w2i + ui * w2r;
          const vr = t2r + t3i, vi = t2i - t3r; // t2 − i·t3 → ·w1 at +2q
          d[i2] = vr * w1r - vi * w1i;
          d[i2 + 1] = vr * w1i + vi * w1r;
          const zr = t2r - t3i, zi = t2i + t3r; // t2 + i·t3 → ·w3 at +3q
          d[i3] = zr * w3r - zi * w3i;
          d[i3 + 1] = zr * w3i + zi * w3r;
        }
      }
    }
    if (this.odd) {
      for (let g = 0; g < n2; g += 4) {
        const ar = d[g], ai = d[g + 1], br = d[g + 2], bi = d[g + 3];
        d[g] = ar + br; d[g + 1] = ai + bi; d[g + 2] = ar - br; d[g + 3] = ai - bi;
      }
    }
  }

  inverse(d: Float64Array): void {
    const n = this.size, tw = this.twiddles, n2 = 2 * n;
    if (this.odd) {
      for (let g = 0; g < n2; g += 4) {
        const ar = d[g], ai = d[g + 1], br = d[g + 2], bi = d[g + 3];
        d[g] = ar + br; d[g + 1] = ai + bi; d[g + 2] = ar - br; d[g + 3] = ai - bi;
      }
    }
    for (let q = this.odd ? 2 : 1; 4 * q <= n; q *= 4) {
      const at = this.offsets[31 - Math.clz32(q)];
      const q2 = 2 * q;
      for (let g = 0; g < n2; g += 4 * q2) {
        for (let k = 0; k < q; k++) {
          const i0 = g + 2 * k, i1 = i0 + q2, i2 = i1 + q2, i3 = i2 + q2;
          const w = at + 6 * k;
          // Conjugate twiddles: B = x1·w̄2, C = x2·w̄1, D = x3·w̄3.
          const w1r = tw[w], w1i = -tw[w + 1], w2r = tw[w + 2], w2i = -tw[w + 3], w3r = tw[w + 4], w3i = -tw[w + 5];
          const x1r = d[i1], x1i = d[i1 + 1], x2r = d[i2], x2i = d[i2 + 1], x3r = d[i3], x3i = d[i3 + 1];
          const br = x1r * w2r - x1i * w2i, bi = x1r * w2i + x1i * w2r;
          const cr = x2r * w1r - x2i * w1i, ci = x2r * w1i + x2i * w1r;
          const er = x3r * w3r - x3i * w3i, ei = x3r * w3i + x3i * w3r;
          const ar = d[i0], ai = d[i0 + 1];
          const sr = ar + br, si = ai + bi, dr = ar - br, di = ai - bi;
          const pr = cr + er, pi = ci + ei, fr = cr - er, fi = ci - ei;
          d[i0] = sr + pr; d[i0 + 1] = si + pi;
          d[i2] = sr - pr; d[i2 + 1] = si - pi;
          d[i1] = dr - fi; d[i1 + 1] = di + fr; // dd + i·f
          d[i3] = dr + fi; d[i3 + 1] = di - fr; // dd − i·f
        }
      }
    }
  }
}

/** FDL slot of the input spectrum that meets partition j (d = skip + 1 blocks back, then j more). */
function slotOf(level: PairLevel, j: number): number {
  let s = level.fdlHead - level.skip - j;
  while (s < 0) s += level.fdl.length;
  return s;
}

interface PairLevel {
  readonly size: number; // S
  readonly partitions: number;
  readonly skip: number;
  readonly fft: ConvolutionFft; // 2S complex points
  readonly spectra: Float64Array[]; // filter partitions, bit-reversed order, scaled by 1/(2S)
  readonly fdl: Float64Array[];
  fdlHead: number;
  readonly input: Float64Array; // last 2S inputs as z = x0 + i·x1, interleaved
  readonly acc: Float64Array;
  readonly output0: Float64Array;
  readonly output1: Float64Array;
}

/**
 * Two lanes through the same FIR at the cost of about one: the FIR is real, so the FFT
 * convolution of z = x0 + i·x1 is h∗x0 + i·h∗x1, one complex FFT pair for both lanes (and no
 * real-FFT split/merge passes, no bit reversal, see ConvolutionFft). Same level layout, head
 * and block-position rules as `ConvolutionEngine`.
 */
export class PairConvolutionEngine {
  readonly taps: number;
  private readonly head: Float64Array;
  private readonly history0: Float64Array;
  private readonly history1: Float64Array;
  private readonly levels: PairLevel[] = [];
  private readonly hop: number;
  private position = 0;

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
    this.history0 = new Float64Array(2 * HEAD);
    this.history1 = new Float64Array(2 * HEAD);
    for (const { size: levelSize, partitions, start } of cheapestPlan(h.length, size)) {
      const skip = start / levelSize - 1;
      const points = 2 * levelSize;
      const fft = new ConvolutionFft(points);
      const scale = 1 / points;
      const spectra: Float64Array[] = [];
      const fdl: Float64Array[] = [];
      for (let j = 0; j < partitions; j++) {
        const part = new Float64Array(2 * points);
        for (let k = 0; k < levelSize; k++) {
          const tap = start + j * levelSize + k;
          part[2 * k] = tap < h.length ? h[tap] : 0;
        }
        fft.forward(part);
        for (let k = 0; k < 2 * points; k++) part[k] *= scale;
        spectra.push(part);
      }
      for (let j = 0; j < partitions + skip; j++) fdl.push(new Float64Array(2 * points));
      this.levels.push({
        size: levelSize, partitions, skip, fft, spectra, fdl, fdlHead: 0,
        input: new Float64Array(2 * points), acc: new Float64Array(2 * points),
        output0: new Float64Array(levelSize), output1: new Float64Array(levelSize),
      });
    }
  }

  reset(): void {
    this.position = 0;
    this.history0.fill(0);
    this.history1.fill(0);
    for (const level of this.levels) {
      for (const slot of level.fdl) slot.fill(0);
      level.fdlHead = 0;
      level.input.fill(0);
      level.output0.fill(0);
      level.output1.fill(0);
    }
  }

  /** Convolves `frames` samples of x0 and x1 into y0 and y1 (each y may be its x). */
  process(x0: Float64Array, x1: Float64Array, y0: Float64Array, y1: Float64Array, frames: number): void {
    const head = this.head, headLength = head.length;
    const hist0 = this.history0, hist1 = this.history1;
    const levels = this.levels, levelCount = levels.length;
    const hop = this.hop;
    let i = 0;
    while (i < frames) {
      const p = this.position & (hop - 1);
      const len = Math.min(frames - i, hop - p);
      for (let l = 0; l < levelCount; l++) {
        const level = levels[l];
        const input = level.input;
        const at = 2 * (level.size + (this.position & (level.size - 1)));
        for (let t = 0; t < len; t++) {
          input[at + 2 * t] = x0[i + t];
          input[at + 2 * t + 1] = x1[i + t];
        }
      }
      if (headLength > 0) {
        for (let t = 0; t < len; t++) {
          const at = HEAD + p + t;
          hist0[at] = x0[i + t];
          hist1[at] = x1[i + t];
          let acc0 = 0, acc1 = 0;
          for (let k = 0; k < headLength; k++) {
            acc0 += head[k] * hist0[at - k];
            acc1 += head[k] * hist1[at - k];
          }
          y0[i + t] = acc0;
          y1[i + t] = acc1;
        }
      } else {
        for (let t = 0; t < len; t++) { y0[i + t] = 0; y1[i + t] = 0; }
      }
      for (let l = 0; l < levelCount; l++) {
        const level = levels[l];
        const out0 = level.output0, out1 = level.output1;
        const q = this.position & (level.size - 1);
        for (let t = 0; t < len; t++) { y0[i + t] += out0[q + t]; y1[i + t] += out1[q + t]; }
      }
      for (let t = 0; t < len; t++) {
        const v0 = y0[i + t], v1 = y1[i + t];
        if (v0 < 1e-30 && v0 > -1e-30) y0[i + t] = 0; // no denormals downstream
        if (v1 < 1e-30 && v1 > -1e-30) y1[i + t] = 0;
      }
      i += len;
      this.position += len;
      if ((this.position & (hop - 1)) === 0) {
        if (headLength > 0) { hist0.copyWithin(0, HEAD, 2 * HEAD); hist1.copyWithin(0, HEAD, 2 * HEAD); }
        for (let l = 0; l < levelCount; l++) {
          if ((this.position & (levels[l].size - 1)) === 0) this.runLevel(levels[l]);
        }
      }
    }
  }

  private runLevel(level: PairLevel): void {
    const size = level.size, n4 = 4 * size; // 2S complex points
    const { fdl, acc, spectra, partitions } = level;
    const ring = fdl.length;
    level.fdlHead = level.fdlHead + 1 === ring ? 0 : level.fdlHead + 1;
    const slot = fdl[level.fdlHead];
    slot.set(level.input);
    level.fft.forward(slot);
    // Σ_j X[m − d − j]·H[j], two partitions per pass over the accumulator (half the
    // accumulator loads and stores; the products stream from the FDL and the filter spectra).
    let j = 0;
    if (partitions % 2 === 1) {
      const x = fdl[slotOf(level, 0)], h = spectra[0];
      for (let i = 0; i < n4; i += 2) {
        const xr = x[i], xi = x[i + 1], hr = h[i], hi = h[i + 1];
        acc[i] = xr * hr - xi * hi;
        acc[i + 1] = xr * hi + xi * hr;
      }
      j = 1;
    } else {
      acc.fill(0);
    }
    for (; j < partitions; j += 2) {
      const x = fdl[slotOf(level, j)], h = spectra[j];
      const u = fdl[slotOf(level, j + 1)], g = spectra[j + 1];
      for (let i = 0; i < n4; i += 2) {
        const xr = x[i], xi = x[i + 1], hr = h[i], hi = h[i + 1];
        const ur = u[i], ui = u[i + 1], gr = g[i], gi = g[i + 1];
        acc[i] += xr * hr - xi * hi + (ur * gr - ui * gi);
        acc[i + 1] += xr * hi + xi * hr + (ur * gi + ui * gr);
      }
    }
    level.fft.inverse(acc);
    const out0 = level.output0, out1 = level.output1;
    for (let k = 0; k < size; k++) {
      out0[k] = acc[2 * (size + k)];
      out1[k] = acc[2 * (size + k) + 1];
    }
    level.input.copyWithin(0, 2 * size, n4);
  }
}

/**
 * A fixed FIR on every channel, as a Processor. `design(sampleRateHz)` returns the taps at
 * prepare time; `latencySamples` is what the caller says the FIR's delay is (for a symmetric,
 * odd-length FIR: (taps − 1)/2, the default).
 */
export class FirConvolver implements Processor {
  private latency = 0;
  private pairs: PairConvolutionEngine[] = []; // channels 2k and 2k + 1
  private single: ConvolutionEngine | null = null; // the last channel of an odd count
  private scratch0 = new Float64Array(0);
  private scratch1 = new Float64Array(0);

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
    this.pairs = [];
    for (let c = 0; c + 1 < spec.channels; c += 2) this.pairs.push(new PairConvolutionEngine(h));
    this.single = spec.channels % 2 === 1 ? new ConvolutionEngine(h) : null;
    this.scratch0 = new Float64Array(spec.maxBlockFrames);
    this.scratch1 = new Float64Array(spec.maxBlockFrames);
  }

  process(channels: Float32Array[], frames: number): void {
    const x0 = this.scratch0, x1 = this.scratch1;
    for (let k = 0; k < this.pairs.length; k++) {
      const a = channels[2 * k], b = channels[2 * k + 1];
      for (let n = 0; n < frames; n++) { x0[n] = a[n]; x1[n] = b[n]; }
      this.pairs[k].process(x0, x1, x0, x1, frames);
      for (let n = 0; n < frames; n++) { a[n] = x0[n]; b[n] = x1[n]; }
    }
    if (this.single !== null) {
      const a = channels[channels.length - 1];
      for (let n = 0; n < frames; n++) x0[n] = a[n];
      this.single.process(x0, x0, frames);
      for (let n = 0; n < frames; n++) a[n] = x0[n];
    }
  }

  reset(): void {
    for (const e of this.pairs) e.reset();
    this.single?.reset();
  }
}
