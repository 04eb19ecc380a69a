/**
 * Long-term average spectrum (LTAS) of MID = (L+R)/2 and SIDE = (L-R)/2 in 1/3-octave bands,
 * overall and over the loudest half of the track, streaming.
 *
 * Bands: the 31 ISO 266 nominal centres 20 Hz .. 20 kHz; exact centres and edges are the base-10
 * ones of IEC 61260-1 (fm = 1000·10^(n/10), edges fm·10^(±1/20)). A band's level is the mean
 * square of the signal in that band relative to a full-scale sine (mean square 1/2): a 0 dBFS
 * sine at 1 kHz reads 0 dB in the 1 kHz band. Pink noise (equal power per band) reads flat.
 *
 * Method (Welch periodograms, Hann window; band power = Σ bin powers between the band edges,
 * a bin's cell [k-½, k+½]·Δf weighted by its overlap with the band), run at two resolutions so
 * the 20 Hz band holds several bins and the cost stays low (the meter runs inside `analyze`):
 * - LOW (bands up to 250 Hz, f < 281.8 Hz): MID and SIDE decimated by D = 32 at 44.1/48 kHz
 *   (D scales with the rate) with a second-order CIC (triangular, 2D-1 taps, computed from two
 *   running sums per block), then 1024-point frames with 50 % overlap: Δf = 1.35 Hz at 44.1 kHz,
 *   3.4 bins in the 20 Hz band. The CIC droop is divided out exactly per bin (-1.2 dB at 282 Hz);
 *   its aliases reach that range attenuated by ≥ 25 dB, before the spectral tilt of real music.
 * - HIGH (bands from 315 Hz, f ≥ 281.8 Hz): full rate, 4096-point frames (Δf = 10.8 Hz), one
 *   frame every `highFrameStride` frame lengths. The default stride 8 analyses an eighth of the
 *   samples, evenly spread (about 4 frames in every 3 s window): for a long-term average that
 *   estimate is statistically sound, and it keeps the whole meter inside its time budget (the
 *   FFT is the cost). `highFrameStride: 1` analyses every sample.
 * MID and SIDE share one complex FFT (z = mid + i·side, split by conjugate symmetry).
 *
 * Loudest sections: consecutive, non-overlapping 3 s windows; MID RMS per window; the louder
 * ceil(n/2) windows (ties: the earlier window first). A frame belongs to the window holding its
 * centre. A trailing partial window is ignored unless it is the only window. Per-window band
 * sums are stored (a few hundred numbers per window) so it is one streaming pass.
 *
 * Channels: channel 0 is L, channel 1 is R; a mono input has SIDE = 0 (its side bands are null);
 * channels beyond 2 are ignored. Silence (zero power) is null in the result, never -Infinity.
 */
import { ComplexFft } from "../design/fft.js";
import { finiteOrNull, powerToDb } from "../units.js";

/** ISO 266 nominal 1/3-octave centres, 20 Hz .. 20 kHz (31 bands). */
export const THIRD_OCTAVE_CENTRES_HZ: readonly number[] = [
  20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600,
  2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000,
];

/** Exact base-10 band edges (IEC 61260-1): [lowerHz, upperHz] of band i, i = 0..30. */
export function thirdOctaveEdgesHz(index: number): [number, number] {
  const exactCentreHz = 1000 * Math.pow(10, (index - 17) / 10);
  const half = Math.pow(10, 1 / 20);
  return [exactCentreHz / half, exactCentreHz * half];
}

/** The broad bands the stereo meter reports side/mid ratios in. */
export const STEREO_BANDS: readonly { readonly name: string; readonly lowHz: number; readonly highHz: number }[] = [
  { name: "low", lowHz: 20, highHz: 120 },
  { name: "lowMid", lowHz: 120, highHz: 500 },
  { name: "mid", lowHz: 500, highHz: 2000 },
  { name: "highMid", lowHz: 2000, highHz: 8000 },
  { name: "high", lowHz: 8000, highHz: Infinity },
];

/** Frequency where the low (decimated) analysis hands over to the full-rate one. */
const CROSSOVER_HZ = thirdOctaveEdgesHz(12)[0]; // lower edge of the 315 Hz band, 281.8 Hz
const WINDOW_S = 3;
/**
 * Band powers below -200 dB re full scale are numerically zero (24-bit LSB is -144 dBFS; MID/SIDE
 * sharing one FFT leaves ~1e-31 of rounding in the silent one): reported as null (silence).
 */
const SILENT_POWER = 1e-20;

export interface SpectrumOptions {
  readonly sampleRateHz: number;
  readonly channels: number;
  /** Full-rate analysis: one 4096-point frame every `highFrameStride` frame lengths (default 4). */
  readonly highFrameStride?: number;
}

export interface SpectrumResult {
  /** ISO 266 nominal centres. */
  readonly bandsHz: number[];
  /** Band levels in dB relative to a full-scale sine; null where the band is silent. */
  readonly midDb: (number | null)[];
  readonly sideDb: (number | null)[];
  /** The same over the loudest half of the 3 s windows. */
  readonly loudestMidDb: (number | null)[];
  readonly loudestSideDb: (number | null)[];
  readonly loudestWindowCount: number;
  readonly windowCount: number;
  readonly windowS: number;
}

/** Band sums of one analysis for one set of bands: per band a bin range and per-bin weights. */
interface BandMap {
  readonly startBin: Int32Array;
  readonly binCount: Int32Array;
  readonly offset: Int32Array;
  /** Overlap weight × normalisation × droop correction, flat over all bands. */
  readonly weight: Float64Array;
}

/**
 * Maps bands [lowHz, highHz) ∩ [rangeLoHz, rangeHiHz) onto the bins of an n-point one-sided
 * spectrum at `rateHz`; `binScale[k]` (normalisation, droop) is folded into the weights.
 */
function buildBandMap(bands: readonly [number, number][], n: number, rateHz: number, rangeLoHz: number,
  rangeHiHz: number, binScale: Float64Array): BandMap {
  const df = rateHz / n;
  const nyquistHz = rateHz / 2;
  const startBin = new Int32Array(bands.length);
  const binCount = new Int32Array(bands.length);
  const offset = new Int32Array(bands.length);
  const weights: number[] = [];
  bands.forEach(([bandLoHz, bandHiHz], b) => {
    const lo = Math.max(bandLoHz, rangeLoHz);
    const hi = Math.min(bandHiHz, rangeHiHz, nyquistHz);
    offset[b] = weights.length;
    if (hi <= lo) return;
    const first = Math.max(0, Math.floor(lo / df + 0.5));
    const last = Math.min(n / 2, Math.ceil(hi / df - 0.5));
    startBin[b] = first;
    for (let k = first; k <= last; k++) {
      const cellLo = Math.max(0, (k - 0.5) * df);
      const cellHi = Math.min(nyquistHz, (k + 0.5) * df);
      const overlap = Math.max(0, Math.min(cellHi, hi) - Math.max(cellLo, lo)) / df;
      weights.push(overlap * binScale[k]);
    }
    binCount[b] = last - first + 1;
  });
  return { startBin, binCount, offset, weight: Float64Array.from(weights) };
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  return w;
}

/**
 * One periodogram stage: a frame of `n` complex points z = w·(mid + i·side), transformed and
 * split into MID and SIDE bin powers, which are summed into bands by the maps.
 */
class Stage {
  readonly n: number;
  readonly fft: ComplexFft;
  readonly window: Float64Array;
  readonly frame: Float64Array;
  readonly powMid: Float64Array;
  readonly powSide: Float64Array;
  /** Normalisation for a full frame: 2/(n·Σw²) (one-sided mean square) / ½ (full-scale sine). */
  readonly fullScale: number;
  readonly binScale: Float64Array;

  constructor(n: number, droop: (k: number) => number) {
    this.n = n;
    this.fft = new ComplexFft(n);
    this.window = hann(n);
    this.frame = new Float64Array(2 * n);
    this.powMid = new Float64Array(n / 2 + 1);
    this.powSide = new Float64Array(n / 2 + 1);
    let sumW2 = 0;
    for (let i = 0; i < n; i++) sumW2 += this.window[i] * this.window[i];
    this.fullScale = 2 / (n * sumW2) / 0.5;
    this.binScale = new Float64Array(n / 2 + 1);
    for (let k = 0; k <= n / 2; k++) {
      // DC and Nyquist have no mirror image: count them once.
      this.binScale[k] = ((k === 0 || k === n / 2) ? 0.5 : 1) / droop(k);
    }
  }

  /** Transforms `frame` (already windowed) and fills powMid/powSide. */
  analyse(): void {
    const n = this.n;
    const z = this.frame;
    this.fft.forward(z);
    const pm = this.powMid;
    const ps = this.powSide;
    // Bin 0 (and n/2) are their own mirror: MID = Re Z, SIDE = Im Z.
    pm[0] = z[0] * z[0];
    ps[0] = z[1] * z[1];
    pm[n / 2] = z[n] * z[n];
    ps[n / 2] = z[n + 1] * z[n + 1];
    for (let k = 1, j = 2 * n - 2; k < n / 2; k++, j -= 2) {
      const zr = z[2 * k];
      const zi = z[2 * k + 1];
      const yr = z[j];
      const yi = z[j + 1];
      // MID = (Z[k] + conj Z[n-k]) / 2, SIDE = (Z[k] - conj Z[n-k]) / 2i
      const mr = zr + yr;
      const mi = zi - yi;
      const sr = zi + yi;
      const si = yr - zr;
      pm[k] = 0.25 * (mr * mr + mi * mi);
      ps[k] = 0.25 * (sr * sr + si * si);
    }
  }

  /** Adds `scale`·band power of the current frame to mid[b], side[b] (at `at` in the arrays). */
  accumulate(map: BandMap, scale: number, mid: Float64Array, side: Float64Array, at: number): void {
    const pm = this.powMid;
    const ps = this.powSide;
    const w = map.weight;
    for (let b = 0; b < map.startBin.length; b++) {
      const start = map.startBin[b];
      const count = map.binCount[b];
      const off = map.offset[b];
      let sm = 0;
      let ss = 0;
      for (let i = 0; i < count; i++) {
        sm += w[off + i] * pm[start + i];
        ss += w[off + i] * ps[start + i];
      }
      mid[at + b] += scale * sm;
      side[at + b] += scale * ss;
    }
  }
}

/** Per-window record layout in `windows` (Float64, grows by doubling). */
const W_MID_SQ = 0;
const W_LO_FRAMES = 1;
const W_HI_FRAMES = 2;
const W_HEADER = 3;

export class SpectrumMeter {
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly bandsHz: number[] = [...THIRD_OCTAVE_CENTRES_HZ];

  // Decimation (CIC order 2) — D input samples per decimated sample.
  private readonly decimation: number;
  private decPos = 0;
  private s0m = 0;
  private s1m = 0;
  private s0s = 0;
  private s1s = 0;
  /** Tail of the previous block's triangle: s1 + s0 of block j-1 (MID, SIDE). */
  private tailM = 0;
  private tailS = 0;
  private readonly cicGain: number;

  private readonly lo: Stage;
  private readonly loHop: number;
  private readonly loHistM: Float64Array;
  private readonly loHistS: Float64Array;
  private loFill = 0;
  /** Decimated samples emitted so far. */
  private loIndex = 0;

  private readonly hi: Stage;
  private readonly hiPeriod: number;
  /** Position in the current period; frames occupy [0, hi.n). */
  private hiPos = 0;

  private readonly thirdLo: BandMap;
  private readonly thirdHi: BandMap;
  private readonly stereoLo: BandMap;
  private readonly stereoHi: BandMap;
  private readonly nBands = THIRD_OCTAVE_CENTRES_HZ.length;

  // Totals: band sums of per-frame powers, separately for the two stages.
  private readonly totLoMid: Float64Array;
  private readonly totLoSide: Float64Array;
  private readonly totHiMid: Float64Array;
  private readonly totHiSide: Float64Array;
  private readonly stLoMid: Float64Array;
  private readonly stLoSide: Float64Array;
  private readonly stHiMid: Float64Array;
  private readonly stHiSide: Float64Array;
  private loFrames = 0;
  private hiFrames = 0;

  private readonly windowFrames: number;
  private readonly recordSize: number;
  private windows: Float64Array;
  private totalFrames = 0;

  constructor(options: SpectrumOptions) {
    const { sampleRateHz, channels } = options;
    if (!(sampleRateHz > 0) || !(channels >= 1)) throw new RangeError("SpectrumMeter: bad sample rate or channel count");
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    const stride = options.highFrameStride ?? 8;
    if (!Number.isInteger(stride) || stride < 1) throw new RangeError("SpectrumMeter: highFrameStride must be an integer >= 1");

    // D = 32 and 4096 points at 44.1/48 kHz, scaled by powers of two with the rate.
    this.decimation = Math.max(1, 2 ** Math.round(Math.log2(sampleRateHz / 1378)));
    const d = this.decimation;
    this.cicGain = 1 / (d * d);
    const loRateHz = sampleRateHz / d;
    const nLo = 1024;
    const droop = (k: number): number => {
      // |H(f)|² of the order-2 CIC, squared again for power: (sin(πfD/fs) / (D·sin(πf/fs)))^4
      const x = (Math.PI * k * loRateHz) / nLo / sampleRateHz;
      if (x === 0) return 1;
      const h = Math.sin(x * d) / (d * Math.sin(x));
      return Math.max(h ** 4, 1e-12);
    };
    this.lo = new Stage(nLo, droop);
    this.loHop = nLo / 2;
    this.loHistM = new Float64Array(nLo);
    this.loHistS = new Float64Array(nLo);
    const nHi = Math.max(256, 2 ** Math.round(Math.log2(sampleRateHz / 10.77)));
    this.hi = new Stage(nHi, () => 1);
    this.hiPeriod = nHi * stride;

    const thirdEdges = THIRD_OCTAVE_CENTRES_HZ.map((_, i) => thirdOctaveEdgesHz(i));
    const stereoEdges = STEREO_BANDS.map((b) => [b.lowHz, b.highHz] as [number, number]);
    this.thirdLo = buildBandMap(thirdEdges, nLo, loRateHz, 0, CROSSOVER_HZ, this.lo.binScale);
    this.thirdHi = buildBandMap(thirdEdges, nHi, sampleRateHz, CROSSOVER_HZ, Infinity, this.hi.binScale);
    this.stereoLo = buildBandMap(stereoEdges, nLo, loRateHz, 0, CROSSOVER_HZ, this.lo.binScale);
    this.stereoHi = buildBandMap(stereoEdges, nHi, sampleRateHz, CROSSOVER_HZ, Infinity, this.hi.binScale);
    const nb = this.nBands;
    this.totLoMid = new Float64Array(nb);
    this.totLoSide = new Float64Array(nb);
    this.totHiMid = new Float64Array(nb);
    this.totHiSide = new Float64Array(nb);
    const ns = STEREO_BANDS.length;
    this.stLoMid = new Float64Array(ns);
    this.stLoSide = new Float64Array(ns);
    this.stHiMid = new Float64Array(ns);
    this.stHiSide = new Float64Array(ns);

    this.windowFrames = Math.round(WINDOW_S * sampleRateHz);
    // header, then lo mid, lo side, hi mid, hi side band sums
    this.recordSize = W_HEADER + 4 * nb;
    this.windows = new Float64Array(this.recordSize * 64);
  }

  /** Adds `frames` frames of planar audio (any block size; results do not depend on it). */
  add(channels: Float32Array[], frames: number): void {
    const left = channels[0];
    const right = this.channels >= 2 && channels.length >= 2 ? channels[1] : channels[0];
    const w = this.windowFrames;
    const hiN = this.hi.n;
    let i = 0;
    while (i < frames) {
      const winPos = this.totalFrames % w;
      const winIndex = (this.totalFrames - winPos) / w;
      this.ensureWindow(winIndex);
      // A region never crosses a window or a high-stage frame boundary (addRegion splits it
      // further at the decimation blocks).
      const inFrame = this.hiPos < hiN;
      const len = Math.min(frames - i, w - winPos, inFrame ? hiN - this.hiPos : this.hiPeriod - this.hiPos);
      this.addRegion(left, right, i, i + len, winIndex, inFrame);
      const startAbs = this.totalFrames;
      this.totalFrames += len;
      i += len;
      this.hiPos += len;
      if (inFrame && this.hiPos === hiN) this.hiFrameDone(startAbs + len - hiN);
      if (this.hiPos === this.hiPeriod) this.hiPos = 0;
    }
  }

  /**
   * Frames [start, end) of one region (inside one 3 s window, inside or outside one high-stage
   * frame): MID/SIDE, the CIC sums, the window's MID energy and the high-stage frame. The CIC
   * state stays in locals across the decimation blocks (it was reloaded every D samples); the
   * MID energy is still added to the window once per decimation block, in the same order, so
   * every sum is bit-identical to the block-by-block loop.
   */
  private addRegion(left: Float32Array, right: Float32Array, start: number, end: number, winIndex: number, inFrame: boolean): void {
    const d = this.decimation;
    const hiWin = this.hi.window;
    const hiFrame = this.hi.frame;
    const recAt = winIndex * this.recordSize + W_MID_SQ;
    let s0m = this.s0m;
    let s1m = this.s1m;
    let s0s = this.s0s;
    let s1s = this.s1s;
    let n = this.decPos;
    let p = 2 * this.hiPos;
    let q = this.hiPos;
    let j = start;
    while (j < end) {
      const subEnd = Math.min(end, j + (d - n));
      let midSq = 0;
      if (inFrame) {
        for (; j < subEnd; j++, n++, p += 2, q++) {
          const l = left[j];
          const r = right[j];
          const m = 0.5 * (l + r);
          const s = 0.5 * (l - r);
          s0m += m;
          s1m += n * m;
          s0s += s;
          s1s += n * s;
          midSq += m * m;
          const wq = hiWin[q];
          hiFrame[p] = wq * m;
          hiFrame[p + 1] = wq * s;
        }
      } else {
        for (; j < subEnd; j++, n++) {
          const l = left[j];
          const r = right[j];
          const m = 0.5 * (l + r);
          const s = 0.5 * (l - r);
          s0m += m;
          s1m += n * m;
          s0s += s;
          s1s += n * s;
          midSq += m * m;
        }
      }
      // Reloaded each time: a low-stage frame may grow the window records.
      this.windows[recAt] += midSq;
      if (n === d) {
        this.s0m = s0m;
        this.s1m = s1m;
        this.s0s = s0s;
        this.s1s = s1s;
        this.emitDecimated();
        s0m = s1m = s0s = s1s = 0;
        n = 0;
      }
    }
    this.s0m = s0m;
    this.s1m = s1m;
    this.s0s = s0s;
    this.s1s = s1s;
    this.decPos = n;
  }

  private ensureWindow(index: number): void {
    const need = (index + 1) * this.recordSize;
    if (need <= this.windows.length) return;
    // Grows by doubling: amortised, once per many blocks.
    const bigger = new Float64Array(Math.max(need, 2 * this.windows.length));
    bigger.set(this.windows);
    this.windows = bigger;
  }

  /** One decimated sample of the order-2 CIC: triangle over blocks j-1 and j (2D-1 taps). */
  private emitDecimated(): void {
    const d = this.decimation;
    const m = this.cicGain * (this.tailM + (d - 1) * this.s0m - this.s1m);
    const s = this.cicGain * (this.tailS + (d - 1) * this.s0s - this.s1s);
    this.tailM = this.s1m + this.s0m;
    this.tailS = this.s1s + this.s0s;
    this.s0m = this.s1m = this.s0s = this.s1s = 0;
    this.decPos = 0;
    this.loHistM[this.loFill] = m;
    this.loHistS[this.loFill] = s;
    this.loFill++;
    this.loIndex++;
    const n = this.lo.n;
    if (this.loFill < n) return;
    const win = this.lo.window;
    const f = this.lo.frame;
    for (let k = 0; k < n; k++) {
      f[2 * k] = win[k] * this.loHistM[k];
      f[2 * k + 1] = win[k] * this.loHistS[k];
    }
    this.lo.analyse();
    const centreAbs = (this.loIndex - n / 2) * d;
    this.addFrame(this.lo, this.thirdLo, this.stereoLo, this.totLoMid, this.totLoSide, this.stLoMid, this.stLoSide,
      W_HEADER, centreAbs, W_LO_FRAMES);
    this.loFrames++;
    this.loHistM.copyWithin(0, this.loHop, n);
    this.loHistS.copyWithin(0, this.loHop, n);
    this.loFill = n - this.loHop;
  }

  private hiFrameDone(startAbs: number): void {
    this.hi.analyse();
    this.addFrame(this.hi, this.thirdHi, this.stereoHi, this.totHiMid, this.totHiSide, this.stHiMid, this.stHiSide,
      W_HEADER + 2 * this.nBands, startAbs + this.hi.n / 2, W_HI_FRAMES);
    this.hiFrames++;
  }

  private addFrame(stage: Stage, third: BandMap, stereo: BandMap, totMid: Float64Array, totSide: Float64Array,
    stMid: Float64Array, stSide: Float64Array, recordOffset: number, centreAbs: number, countSlot: number): void {
    const scale = stage.fullScale;
    stage.accumulate(third, scale, totMid, totSide, 0);
    stage.accumulate(stereo, scale, stMid, stSide, 0);
    const winIndex = Math.max(0, Math.floor(centreAbs / this.windowFrames));
    this.ensureWindow(winIndex);
    const at = winIndex * this.recordSize;
    const rec = this.windows;
    // Per-window sums: mid bands at recordOffset, side bands right after.
    const nb = this.nBands;
    const pm = stage.powMid;
    const ps = stage.powSide;
    const w = third.weight;
    for (let b = 0; b < nb; b++) {
      const start = third.startBin[b];
      const count = third.binCount[b];
      const off = third.offset[b];
      let sm = 0;
      let ss = 0;
      for (let k = 0; k < count; k++) {
        sm += w[off + k] * pm[start + k];
        ss += w[off + k] * ps[start + k];
      }
      rec[at + recordOffset + b] += scale * sm;
      rec[at + recordOffset + nb + b] += scale * ss;
    }
    rec[at + countSlot] += 1;
  }

  /**
   * Mean band powers (linear, re full-scale sine) of both stages for a band map pair, including
   * a zero-padded partial frame when a stage has seen too little audio for a full one (short
   * files). Allocates: a query, not the streaming path.
   */
  private partialFrame(stage: Stage, fill: number, fillM: (k: number) => number, fillS: (k: number) => number,
    map: BandMap, outMid: Float64Array, outSide: Float64Array): boolean {
    if (fill < 8) return false;
    const n = stage.n;
    const w = hann(fill);
    let sumW2 = 0;
    for (let k = 0; k < fill; k++) sumW2 += w[k] * w[k];
    // The frame buffer may hold the high stage's frame in progress: keep it intact.
    const saved = Float64Array.from(stage.frame);
    const mids = Float64Array.from({ length: fill }, (_, k) => fillM(k));
    const sides = Float64Array.from({ length: fill }, (_, k) => fillS(k));
    stage.frame.fill(0);
    for (let k = 0; k < fill; k++) {
      stage.frame[2 * k] = w[k] * mids[k];
      stage.frame[2 * k + 1] = w[k] * sides[k];
    }
    stage.analyse();
    stage.accumulate(map, 2 / (n * sumW2) / 0.5, outMid, outSide, 0);
    stage.frame.set(saved);
    return true;
  }

  /** Linear band powers (overall) for the given maps; zero-padded frames stand in for short input. */
  private meanPowers(thirdOrStereo: "third" | "stereo"): { mid: Float64Array; side: Float64Array } {
    const third = thirdOrStereo === "third";
    const nb = third ? this.nBands : STEREO_BANDS.length;
    const mid = new Float64Array(nb);
    const side = new Float64Array(nb);
    const parts: [Stage, number, Float64Array, Float64Array, BandMap][] = [
      [this.lo, this.loFrames, third ? this.totLoMid : this.stLoMid, third ? this.totLoSide : this.stLoSide,
        third ? this.thirdLo : this.stereoLo],
      [this.hi, this.hiFrames, third ? this.totHiMid : this.stHiMid, third ? this.totHiSide : this.stHiSide,
        third ? this.thirdHi : this.stereoHi],
    ];
    for (const [stage, count, totM, totS, map] of parts) {
      if (count > 0) {
        for (let b = 0; b < nb; b++) {
          mid[b] += totM[b] / count;
          side[b] += totS[b] / count;
        }
        continue;
      }
      const pm = new Float64Array(nb);
      const ps = new Float64Array(nb);
      const ok = stage === this.lo
        ? this.partialFrame(stage, this.loFill, (k) => this.loHistM[k], (k) => this.loHistS[k], map, pm, ps)
        : this.partialHi(map, pm, ps);
      if (!ok) continue;
      for (let b = 0; b < nb; b++) {
        mid[b] += pm[b];
        side[b] += ps[b];
      }
    }
    return { mid, side };
  }

  /** The high stage's unfinished first frame still sits (windowed) in its buffer: un-window it. */
  private partialHi(map: BandMap, pm: Float64Array, ps: Float64Array): boolean {
    const fill = Math.min(this.hiPos, this.hi.n);
    const saved = Float64Array.from(this.hi.frame.subarray(0, 2 * fill));
    const win = this.hi.window;
    return this.partialFrame(this.hi, fill, (k) => (win[k] > 0 ? saved[2 * k] / win[k] : 0),
      (k) => (win[k] > 0 ? saved[2 * k + 1] / win[k] : 0), map, pm, ps);
  }

  /** Side/mid energy ratio in dB per STEREO_BANDS entry (null where mid or side is silent). */
  stereoBandRatiosDb(): (number | null)[] {
    const { mid, side } = this.meanPowers("stereo");
    return Array.from(mid, (m, b) => (m > SILENT_POWER && side[b] > SILENT_POWER ? powerToDb(side[b] / m) : null));
  }

  /** The louder ceil(n/2) complete 3 s windows (indices), or null when there is no complete one. */
  loudestWindows(): number[] | null {
    const n = Math.floor(this.totalFrames / this.windowFrames);
    if (n === 0) return null;
    const idx = Array.from({ length: n }, (_, k) => k);
    const rec = this.windows;
    const size = this.recordSize;
    idx.sort((a, b) => rec[b * size + W_MID_SQ] - rec[a * size + W_MID_SQ] || a - b);
    return idx.slice(0, Math.ceil(n / 2)).sort((a, b) => a - b);
  }

  result(): SpectrumResult {
    const toDb = (p: number): number | null => (p > SILENT_POWER ? finiteOrNull(powerToDb(p)) : null);
    const overall = this.meanPowers("third");
    const nb = this.nBands;
    const selected = this.loudestWindows();
    let loudMid = overall.mid;
    let loudSide = overall.side;
    if (selected !== null) {
      const sums = new Float64Array(4 * nb);
      let loCount = 0;
      let hiCount = 0;
      for (const wi of selected) {
        const at = wi * this.recordSize;
        loCount += this.windows[at + W_LO_FRAMES];
        hiCount += this.windows[at + W_HI_FRAMES];
        for (let k = 0; k < 4 * nb; k++) sums[k] += this.windows[at + W_HEADER + k];
      }
      loudMid = new Float64Array(nb);
      loudSide = new Float64Array(nb);
      for (let b = 0; b < nb; b++) {
        loudMid[b] = (loCount > 0 ? sums[b] / loCount : 0) + (hiCount > 0 ? sums[2 * nb + b] / hiCount : 0);
        loudSide[b] = (loCount > 0 ? sums[nb + b] / loCount : 0) + (hiCount > 0 ? sums[3 * nb + b] / hiCount : 0);
      }
    }
    return {
      bandsHz: [...this.bandsHz],
      midDb: Array.from(overall.mid, toDb),
      sideDb: Array.from(overall.side, toDb),
      loudestMidDb: Array.from(loudMid, toDb),
      loudestSideDb: Array.from(loudSide, toDb),
      loudestWindowCount: selected === null ? 0 : selected.length,
      windowCount: Math.ceil(this.totalFrames / this.windowFrames),
      windowS: WINDOW_S,
    };
  }
}
