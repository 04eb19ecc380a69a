/**
 * Streaming loudness meter: ITU-R BS.1770-4 (K-weighting, gating, integrated loudness) and
 * EBU R128 / Tech 3341 (momentary, short-term) / Tech 3342 (loudness range), in the spirit of
 * libebur128: created for (rate, channels), fed planar blocks of any size, queried at any time.
 * Results do not depend on how the stream is cut into blocks.
 *
 * State legend (all energies are sums of z[n] = sum_i G_i y_i[n]^2, y = K-weighted samples):
 *   ring        the last `shortTermFrames` values of z (per-sample history)
 *   runM, runS  running window sums for the momentary (400 ms) and short-term (3 s) windows,
 *               updated per sample so the MAX is exact for a burst at any offset (Tech 3341
 *               cases 13 and 14), and re-synchronised from exact hop sums at every hop so
 *               floating-point drift cannot build up
 *   hop*        sums of z over consecutive hops of `hopFrames` (10 ms): the M/S series
 *   sub*        sums of z over consecutive 100 ms sub-blocks: gating blocks (BS.1770-4 §2.8,
 *               400 ms with 75 % overlap = 4 sub-blocks every 100 ms) and Tech 3342 short-term
 *               values for the loudness range
 */
import { designKWeighting } from "../design/k-weighting.js";
import { channelWeights } from "./channels.js";

export interface LoudnessMeterOptions {
  sampleRateHz: number;
  channels: number;
  channelMask?: number;
  /** Keep the momentary and short-term series at `hopFrames` (memory grows with length). */
  series?: boolean;
}

export interface LoudnessSeries {
  hopFrames: number;
  hopS: number;
  /** Entry k: the window ending at (k+1)*hopFrames. NaN before the window is full, -Infinity for silence. */
  momentaryLufs: Float64Array;
  shortTermLufs: Float64Array;
}

/** BS.1770-4 eq. 2: L = -0.691 + 10 log10(sum_i G_i z_i). */
const LOUDNESS_OFFSET_DB = -0.691;
/** BS.1770-4 §2.8: absolute gate Γa = -70 LKFS. Tech 3342 uses the same for LRA. */
const ABSOLUTE_GATE_LUFS = -70;
/** BS.1770-4 eq. 6: relative gate 10 LU below the abs-gated loudness. */
const INTEGRATED_RELATIVE_GATE_LU = -10;
/** Tech 3342 §3: relative gate 20 LU below the abs-gated short-term loudness. */
const LRA_RELATIVE_GATE_LU = -20;
/** Tech 3342 §3: LRA = L(95th percentile) - L(10th percentile). */
const LRA_LOW_PERCENTILE = 0.1;
const LRA_HIGH_PERCENTILE = 0.95;
/** Frames per internal chunk of K-weighted power (bounds the scratch buffer, no per-block allocation). */
const CHUNK_FRAMES = 4096;
/** Filter states below this are flushed to zero after each chunk, so long silence never runs in denormals. */
const DENORMAL_FLOOR = 1e-30;

/** Mean-square energy (already weighted and summed over channels) to LUFS; silence is -Infinity. */
export function energyToLufs(energy: number): number {
  return energy > 0 ? LOUDNESS_OFFSET_DB + 10 * Math.log10(energy) : -Infinity;
}

/** LUFS to mean-square energy. */
export function lufsToEnergy(loudnessLufs: number): number {
  return Math.pow(10, (loudnessLufs - LOUDNESS_OFFSET_DB) / 10);
}

/** A growable Float64 store (doubling), so memory is amortised, never per block. */
class Float64Store {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Sum of z over the last `windowFrames` frames of the stream, exactly (no running-sum drift):
 * the open partial block `openSum` (`openFrames` frames), whole blocks from `blockSums`, and any
 * remaining frames read one by one from the per-sample history `ring`.
 */
function windowSum(
  windowFrames: number,
  openSum: number,
  openFrames: number,
  blockSums: Float64Array,
  blockCount: number,
  blockFrames: number,
  ring: Float64Array,
  ringPos: number,
  totalFrames: number,
): number {
  const framesWanted = Math.min(windowFrames, totalFrames);
  let sum = openSum;
  let remaining = framesWanted - openFrames;
  const wholeBlocks = Math.min(Math.floor(remaining / blockFrames), blockCount);
  const ringBlocks = blockSums.length;
  // Newest block first, as (blockCount - j) % ringBlocks for j = 1, 2, ... (no division per step:
  // this runs every 10 ms hop over up to 300 blocks).
  for (let j = 1, index = (blockCount - 1) % ringBlocks; j <= wholeBlocks; j++) {
    sum += blockSums[index];
    if (--index < 0) index = ringBlocks - 1;
  }
  remaining -= wholeBlocks * blockFrames;
  if (remaining > 0) {
    // Frames [totalFrames - framesWanted, totalFrames - framesWanted + remaining): the oldest part.
    const ringLength = ring.length;
    let index = ringPos - framesWanted;
    index = ((index % ringLength) + ringLength) % ringLength;
    for (let j = 0; j < remaining; j++) {
      sum += ring[index];
      if (++index === ringLength) index = 0;
    }
  }
  return sum;
}

export class LoudnessMeter {
  readonly sampleRateHz: number;
  readonly channels: number;
  /** Series hop: 10 ms where rate/100 is whole, else floor(rate/100). */
  readonly hopFrames: number;
  /** 400 ms momentary window (Tech 3341 §2.2). */
  readonly momentaryFrames: number;
  /** 3 s short-term window (Tech 3341 §2.2). */
  readonly shortTermFrames: number;
  /** 100 ms gating step (BS.1770-4 §2.8: 400 ms blocks with 75 % overlap). */
  readonly subBlockFrames: number;

  private readonly weights: Float64Array;
  private readonly keepSeries: boolean;
  // K-weighting coefficients (BS.1770-4 Annex 1) and per-channel DF-II-transposed states.
  private readonly sb0: number; private readonly sb1: number; private readonly sb2: number;
  private readonly sa1: number; private readonly sa2: number;
  private readonly ha1: number; private readonly ha2: number;
  private readonly filterState: Float64Array; // 4 per channel: shelf s1, s2, high-pass s1, s2
  private readonly power: Float64Array = new Float64Array(CHUNK_FRAMES);
  /** b0, b1, b2, a1, a2 (shelf), a1, a2 (high-pass), G_0, G_1: the stereo loop's coefficients. */
  private readonly coefficients = new Float64Array(9);

  private readonly ring: Float64Array;
  private ringPos = 0;
  private totalFrames = 0;
  private runM = 0;
  private runS = 0;
  private maxM = 0;
  private maxS = 0;

  private hopSum = 0;
  private hopFill = 0;
  private hopCount = 0;
  private readonly hopSums: Float64Array;

  private subSum = 0;
  private subFill = 0;
  private subCount = 0;
  private readonly subSums: Float64Array;

  /** Mean-square energy of every complete 400 ms gating block (BS.1770-4 eq. 3/4). */
  private readonly gatingBlocks = new Float64Store(1024);
  /** Mean-square energy of the 3 s short-term window every 100 ms, for the LRA (Tech 3342). */
  private readonly shortTermBlocks = new Float64Store(1024);
  private readonly seriesM = new Float64Store(256);
  private readonly seriesS = new Float64Store(256);

  constructor(options: LoudnessMeterOptions) {
    const { sampleRateHz, channels } = options;
    if (!Number.isFinite(sampleRateHz) || sampleRateHz < 8000) throw new RangeError(`sample rate ${sampleRateHz} Hz is below 8 kHz`);
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channel count ${channels} is invalid`);
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    this.weights = channelWeights(channels, options.channelMask);
    this.keepSeries = options.series === true;
    const k = designKWeighting(sampleRateHz);
    this.sb0 = k.shelf.b0; this.sb1 = k.shelf.b1; this.sb2 = k.shelf.b2;
    this.sa1 = k.shelf.a1; this.sa2 = k.shelf.a2;
    this.ha1 = k.highPass.a1; this.ha2 = k.highPass.a2;
    this.filterState = new Float64Array(4 * channels);
    this.coefficients.set([this.sb0, this.sb1, this.sb2, this.sa1, this.sa2, this.ha1, this.ha2, this.weights[0], channels > 1 ? this.weights[1] : 0]);
    this.hopFrames = Math.floor(sampleRateHz / 100);
    this.momentaryFrames = Math.round(0.4 * sampleRateHz);
    this.shortTermFrames = Math.round(3 * sampleRateHz);
    // libebur128 rounds the same way: (rate + 5) / 10.
    this.subBlockFrames = Math.round(sampleRateHz / 10);
    this.ring = new Float64Array(this.shortTermFrames);
    this.hopSums = new Float64Array(Math.ceil(this.shortTermFrames / this.hopFrames) + 2);
    this.subSums = new Float64Array(Math.ceil(this.shortTermFrames / this.subBlockFrames) + 2);
  }

  /** Adds `frames` frames of planar audio (one Float32Array per channel). Any block size. */
  add(channels: Float32Array[], frames: number): void {
    if (channels.length !== this.channels) throw new RangeError(`expected ${this.channels} channels, got ${channels.length}`);
    for (let offset = 0; offset < frames; offset += CHUNK_FRAMES) {
      const n = Math.min(CHUNK_FRAMES, frames - offset);
      this.weightChunk(channels, offset, n);
      this.accumulateChunk(n);
    }
  }

  /** K-weights `n` frames of every channel and writes z[n] = sum_i G_i y_i^2 into `power` (BS.1770-4 eq. 1-2). */
  private weightChunk(channels: Float32Array[], offset: number, n: number): void {
    const power = this.power, state = this.filterState;
    const b0 = this.sb0, b1 = this.sb1, b2 = this.sb2, a1 = this.sa1, a2 = this.sa2;
    const ha1 = this.ha1, ha2 = this.ha2;
    if (this.channels === 2 && this.weights[0] !== 0 && this.weights[1] !== 0) {
      this.weightStereoChunk(channels[0], channels[1], offset, n);
      return;
    }
    let first = true;
    for (let c = 0; c < this.channels; c++) {
      const g = this.weights[c];
      if (g === 0) continue; // LFE: excluded (BS.1770-4 Table 3)
      const x = channels[c];
      let s1 = state[4 * c], s2 = state[4 * c + 1], t1 = state[4 * c + 2], t2 = state[4 * c + 3];
      if (first) {
        for (let i = 0; i < n; i++) {
          const xi = x[offset + i];
          const y = b0 * xi + s1;
          s1 = b1 * xi - a1 * y + s2;
          s2 = b2 * xi - a2 * y;
          // RLB high-pass: numerator 1, -2, 1.
          const w = y + t1;
          t1 = -2 * y - ha1 * w + t2;
          t2 = y - ha2 * w;
          power[i] = g * w * w;
        }
        first = false;
      } else {
        for (let i = 0; i < n; i++) {
          const xi = x[offset + i];
          const y = b0 * xi + s1;
          s1 = b1 * xi - a1 * y + s2;
          s2 = b2 * xi - a2 * y;
          const w = y + t1;
          t1 = -2 * y - ha1 * w + t2;
          t2 = y - ha2 * w;
          power[i] += g * w * w;
        }
      }
      if (Math.abs(s1) < DENORMAL_FLOOR) s1 = 0;
      if (Math.abs(s2) < DENORMAL_FLOOR) s2 = 0;
      if (Math.abs(t1) < DENORMAL_FLOOR) t1 = 0;
      if (Math.abs(t2) < DENORMAL_FLOOR) t2 = 0;
      state[4 * c] = s1; state[4 * c + 1] = s2; state[4 * c + 2] = t1; state[4 * c + 3] = t2;
    }
    if (first) power.fill(0, 0, n); // every channel is LFE
  }

  /**
   * weightChunk for two weighted channels in one pass. Each channel's filters are recursive, so
   * one channel alone is bound by the latency of its feedback chain; running both chains in
   * the same loop lets the CPU overlap them (about twice as fast). Every value is computed by
   * the same operations in the same order as the per-channel loops: z = G_0 y_0^2, then
   * z + G_1 y_1^2, so the results are bit-identical.
   */
  private weightStereoChunk(x0: Float32Array, x1: Float32Array, offset: number, n: number): void {
    const power = this.power, state = this.filterState, k = this.coefficients;
    let s1 = state[0], s2 = state[1], t1 = state[2], t2 = state[3];
    let r1 = state[4], r2 = state[5], q1 = state[6], q2 = state[7];
    for (let i = 0; i < n; i++) {
      // Coefficients are read from memory, not held in locals: that leaves the registers to
      // the eight filter states, whose recursions must not go through the stack.
      const xi = x0[offset + i];
      const xj = x1[offset + i];
      const y = k[0] * xi + s1;
      const yj = k[0] * xj + r1;
      s1 = k[1] * xi - k[3] * y + s2;
      r1 = k[1] * xj - k[3] * yj + r2;
      s2 = k[2] * xi - k[4] * y;
      r2 = k[2] * xj - k[4] * yj;
      const w = y + t1;
      const wj = yj + q1;
      t1 = -2 * y - k[5] * w + t2;
      q1 = -2 * yj - k[5] * wj + q2;
      t2 = y - k[6] * w;
      q2 = yj - k[6] * wj;
      const z = k[7] * w * w;
      power[i] = z + k[8] * wj * wj;
    }
    if (Math.abs(s1) < DENORMAL_FLOOR) s1 = 0;
    if (Math.abs(s2) < DENORMAL_FLOOR) s2 = 0;
    if (Math.abs(t1) < DENORMAL_FLOOR) t1 = 0;
    if (Math.abs(t2) < DENORMAL_FLOOR) t2 = 0;
    if (Math.abs(r1) < DENORMAL_FLOOR) r1 = 0;
    if (Math.abs(r2) < DENORMAL_FLOOR) r2 = 0;
    if (Math.abs(q1) < DENORMAL_FLOOR) q1 = 0;
    if (Math.abs(q2) < DENORMAL_FLOOR) q2 = 0;
    state[0] = s1; state[1] = s2; state[2] = t1; state[3] = t2;
    state[4] = r1; state[5] = r2; state[6] = q1; state[7] = q2;
  }

  /** Feeds `n` values of z through the windows, stopping at every hop and 100 ms boundary. */
  private accumulateChunk(n: number): void {
    const power = this.power, ring = this.ring, ringLength = ring.length;
    const hopFrames = this.hopFrames, subFrames = this.subBlockFrames;
    let i = 0;
    while (i < n) {
      const run = Math.min(n - i, hopFrames - this.hopFill, subFrames - this.subFill);
      let pos = this.ringPos;
      let posM = pos - this.momentaryFrames;
      if (posM < 0) posM += ringLength;
      let runM = this.runM, runS = this.runS, maxM = this.maxM, maxS = this.maxS;
      let hopSum = this.hopSum, subSum = this.subSum;
      const end = i + run;
      for (; i < end; i++) {
        const z = power[i];
        const oldS = ring[pos]; // z from exactly 3 s ago (the ring is 3 s long)
        const oldM = ring[posM]; // z from exactly 400 ms ago
        ring[pos] = z;
        if (++pos === ringLength) pos = 0;
        if (++posM === ringLength) posM = 0;
        runM += z - oldM;
        runS += z - oldS;
        // Before a window is full its sum is at most the first full window's (z >= 0), so
        // tracking from the start cannot raise the maximum; queries check fullness.
        if (runM > maxM) maxM = runM;
        if (runS > maxS) maxS = runS;
        hopSum += z;
        subSum += z;
      }
      this.ringPos = pos;
      this.runM = runM; this.runS = runS; this.maxM = maxM; this.maxS = maxS;
      this.hopSum = hopSum; this.subSum = subSum;
      this.totalFrames += run;
      this.hopFill += run;
      this.subFill += run;
      if (this.hopFill === hopFrames) this.endHop();
      if (this.subFill === subFrames) this.endSubBlock();
    }
  }

  private endHop(): void {
    this.hopSums[this.hopCount % this.hopSums.length] = this.hopSum;
    this.hopCount++;
    this.hopSum = 0;
    this.hopFill = 0;
    // Exact window sums from hop sums: resynchronise the running sums (no drift).
    const m = this.exactHopWindowSum(this.momentaryFrames);
    const s = this.exactHopWindowSum(this.shortTermFrames);
    this.runM = m;
    this.runS = s;
    if (m > this.maxM) this.maxM = m;
    if (s > this.maxS) this.maxS = s;
    if (this.keepSeries) {
      this.seriesM.push(this.totalFrames >= this.momentaryFrames ? energyToLufs(m / this.momentaryFrames) : NaN);
      this.seriesS.push(this.totalFrames >= this.shortTermFrames ? energyToLufs(s / this.shortTermFrames) : NaN);
    }
  }

  private endSubBlock(): void {
    this.subSums[this.subCount % this.subSums.length] = this.subSum;
    this.subCount++;
    this.subSum = 0;
    this.subFill = 0;
    // BS.1770-4 §2.8: a 400 ms gating block every 100 ms (75 % overlap), complete blocks only.
    if (this.subCount >= 4) {
      const len = this.subSums.length, k = this.subCount;
      const sum = this.subSums[(k - 1) % len] + this.subSums[(k - 2) % len] + this.subSums[(k - 3) % len] + this.subSums[(k - 4) % len];
      this.gatingBlocks.push(sum / (4 * this.subBlockFrames));
    }
    // Tech 3342: short-term loudness every 100 ms once the 3 s window is full. (Tech 3342 asks
    // for at least 10 Hz; ffmpeg's ebur128 filter also uses 100 ms, so our LRA agrees with it.
    // libebur128's LRA differs by up to ~0.4 LU on programme material; we believe it uses a
    // coarser short-term step, not verified against its source.)
    if (this.totalFrames >= this.shortTermFrames) {
      const s = windowSum(this.shortTermFrames, 0, 0, this.subSums, this.subCount, this.subBlockFrames, this.ring, this.ringPos, this.totalFrames);
      this.shortTermBlocks.push(s / this.shortTermFrames);
    }
  }

  private exactHopWindowSum(windowFrames: number): number {
    return windowSum(windowFrames, this.hopSum, this.hopFill, this.hopSums, this.hopCount, this.hopFrames, this.ring, this.ringPos, this.totalFrames);
  }

  /** Integrated loudness (BS.1770-4 §2.8, eq. 4-7); -Infinity when nothing passes the gates. */
  integratedLufs(): number {
    return LoudnessMeter.integratedLufsOf([this]);
  }

  /** Loudness range in LU (EBU Tech 3342); 0 when undefined. */
  loudnessRangeLu(): number {
    return LoudnessMeter.loudnessRangeOf([this]);
  }

  /** Maximum momentary loudness over every 400 ms window (per sample); -Infinity before 400 ms. */
  maxMomentaryLufs(): number {
    return this.totalFrames >= this.momentaryFrames ? energyToLufs(this.maxM / this.momentaryFrames) : -Infinity;
  }

  /** Maximum short-term loudness over every 3 s window (per sample); -Infinity before 3 s. */
  maxShortTermLufs(): number {
    return this.totalFrames >= this.shortTermFrames ? energyToLufs(this.maxS / this.shortTermFrames) : -Infinity;
  }

  /** Momentary loudness of the last 400 ms; -Infinity before 400 ms have been added. */
  momentaryLufs(): number {
    if (this.totalFrames < this.momentaryFrames) return -Infinity;
    return energyToLufs(this.exactHopWindowSum(this.momentaryFrames) / this.momentaryFrames);
  }

  /** Short-term loudness of the last 3 s; -Infinity before 3 s have been added. */
  shortTermLufs(): number {
    if (this.totalFrames < this.shortTermFrames) return -Infinity;
    return energyToLufs(this.exactHopWindowSum(this.shortTermFrames) / this.shortTermFrames);
  }

  /** Frames added since construction or reset. */
  get framesAdded(): number {
    return this.totalFrames;
  }

  /** The M and S series (copies), when the meter was created with `series: true`. */
  series(): LoudnessSeries {
    return {
      hopFrames: this.hopFrames,
      hopS: this.hopFrames / this.sampleRateHz,
      momentaryLufs: this.seriesM.view().slice(),
      shortTermLufs: this.seriesS.view().slice(),
    };
  }

  /** Clears all state (keeps allocated buffers). */
  reset(): void {
    this.filterState.fill(0);
    this.ring.fill(0);
    this.ringPos = 0;
    this.totalFrames = 0;
    this.runM = this.runS = this.maxM = this.maxS = 0;
    this.hopSum = 0; this.hopFill = 0; this.hopCount = 0;
    this.subSum = 0; this.subFill = 0; this.subCount = 0;
    this.gatingBlocks.length = 0;
    this.shortTermBlocks.length = 0;
    this.seriesM.length = 0;
    this.seriesS.length = 0;
  }

  /** Integrated loudness over several meters' gating blocks, e.g. an album (BS.1770-4 eq. 4-7). */
  static integratedLufsOf(meters: readonly LoudnessMeter[]): number {
    const absoluteGate = lufsToEnergy(ABSOLUTE_GATE_LUFS);
    let sum = 0, count = 0;
    for (const m of meters) {
      const blocks = m.gatingBlocks.view();
      for (let j = 0; j < blocks.length; j++) if (blocks[j] > absoluteGate) { sum += blocks[j]; count++; }
    }
    if (count === 0) return -Infinity;
    // eq. 6: Γr = L(abs-gated mean) - 10 LU, i.e. an energy ratio of 0.1.
    const gate = Math.max(absoluteGate, (sum / count) * Math.pow(10, INTEGRATED_RELATIVE_GATE_LU / 10));
    sum = 0; count = 0;
    for (const m of meters) {
      const blocks = m.gatingBlocks.view();
      for (let j = 0; j < blocks.length; j++) if (blocks[j] > gate) { sum += blocks[j]; count++; }
    }
    return count === 0 ? -Infinity : energyToLufs(sum / count);
  }

  /** Loudness range over several meters' short-term values (EBU Tech 3342 §3); 0 when undefined. */
  static loudnessRangeOf(meters: readonly LoudnessMeter[]): number {
    const absoluteGate = lufsToEnergy(ABSOLUTE_GATE_LUFS);
    let sum = 0, count = 0;
    for (const m of meters) {
      const values = m.shortTermBlocks.view();
      for (let j = 0; j < values.length; j++) if (values[j] > absoluteGate) { sum += values[j]; count++; }
    }
    if (count === 0) return 0;
    // Relative gate: 20 LU below the energy mean of the abs-gated short-term values.
    const gate = Math.max(absoluteGate, (sum / count) * Math.pow(10, LRA_RELATIVE_GATE_LU / 10));
    const kept = new Float64Array(count);
    let n = 0;
    for (const m of meters) {
      const values = m.shortTermBlocks.view();
      for (let j = 0; j < values.length; j++) if (values[j] > gate) kept[n++] = values[j];
    }
    if (n === 0) return 0;
    const sorted = kept.subarray(0, n).sort();
    // Nearest-rank percentiles on (n - 1), as libebur128 does.
    const low = sorted[Math.round((n - 1) * LRA_LOW_PERCENTILE)];
    const high = sorted[Math.round((n - 1) * LRA_HIGH_PERCENTILE)];
    return energyToLufs(high) - energyToLufs(low);
  }
}
