/**
 * Stereo meter, streaming: how L and R relate, to catch phase problems and fake stereo.
 *
 * - `correlation`: Pearson's r of L and R over the whole track (means removed):
 *   +1 mono, 0 unrelated, -1 polarity-inverted. Null when a channel is constant (silent).
 * - `sideToMidDb`: 10·log10(E_side / E_mid), MID = (L+R)/2, SIDE = (L-R)/2. -∞ (null) for mono,
 *   0 dB when side is as strong as mid, +∞ (null) when L = -R.
 * - `bands`: the same ratio per broad band (low < 120 Hz, from 20 Hz; 120-500; 500-2k; 2k-8k;
 *   > 8 kHz), from the MID/SIDE spectra of the spectrum meter (FFT band sums, Parseval): sharper
 *   band edges than a biquad band split and no extra cost when `analyze` runs the spectrum meter
 *   anyway. Pass that meter as `spectrum` (it must be fed the same audio); otherwise the stereo
 *   meter runs a private one.
 * - `windows`: r per consecutive, non-overlapping 3 s window (the grid of the spectrum meter's
 *   loudest-section windows); `minWindowCorrelation` flags phase problems that come and go. A
 *   window where either channel is quieter than -70 dBFS RMS gives null (r of noise floors is
 *   meaningless); a trailing partial window counts only if it is the only window.
 * - `identical`: every sample of L equals R (a mono mix in a stereo file).
 *
 * One channel: every field is null (`stereo: false`). Beyond two channels, only 0 and 1 are read.
 */
import { linearToDb, powerToDb } from "../units.js";
import { STEREO_BANDS, SpectrumMeter } from "./spectrum.js";

const WINDOW_S = 3;
/** -70 dBFS RMS, as mean square: below this a window's correlation is not reported. */
const WINDOW_MIN_MEAN_SQUARE = 1e-7;

export interface StereoOptions {
  readonly sampleRateHz: number;
  readonly channels: number;
  /** A spectrum meter fed the same audio, to read band powers from (saves a second FFT analysis). */
  readonly spectrum?: SpectrumMeter;
}

export interface StereoBandResult {
  readonly name: string;
  readonly lowHz: number;
  /** null: up to Nyquist. */
  readonly highHz: number | null;
  readonly sideToMidDb: number | null;
}

export interface StereoResult {
  readonly stereo: boolean;
  readonly correlation: number | null;
  readonly sideToMidDb: number | null;
  readonly identical: boolean | null;
  readonly bands: StereoBandResult[] | null;
  readonly windowS: number;
  readonly windowCorrelations: (number | null)[] | null;
  readonly minWindowCorrelation: number | null;
  /** Start of the window with the lowest correlation, in seconds. */
  readonly minWindowStartS: number | null;
  /** Sample peak of |L - R| / 2, in dBFS: how loud the side signal gets at worst. */
  readonly sidePeakDbfs: number | null;
}

/** Running sums for Pearson's r: n, Σl, Σr, Σl², Σr², Σlr. */
function pearson(n: number, sl: number, sr: number, sll: number, srr: number, slr: number): number | null {
  if (n === 0) return null;
  const vl = sll - (sl * sl) / n;
  const vr = srr - (sr * sr) / n;
  if (!(vl > 0 && vr > 0)) return null;
  const r = (slr - (sl * sr) / n) / Math.sqrt(vl * vr);
  return Math.max(-1, Math.min(1, r));
}

export class StereoMeter {
  readonly sampleRateHz: number;
  readonly channels: number;
  private readonly spectrum: SpectrumMeter | null;
  private readonly ownsSpectrum: boolean;
  private readonly windowFrames: number;

  // Whole-track sums (Float64) and the current window's.
  private n = 0;
  private sl = 0;
  private sr = 0;
  private sll = 0;
  private srr = 0;
  private slr = 0;
  private wn = 0;
  private wsl = 0;
  private wsr = 0;
  private wsll = 0;
  private wsrr = 0;
  private wslr = 0;
  private identical = true;
  private sidePeak = 0;
  /** Correlation per completed window, NaN for "not reported"; grows by doubling. */
  private windowR = new Float64Array(64);
  private windowCount = 0;

  constructor(options: StereoOptions) {
    const { sampleRateHz, channels } = options;
    if (!(sampleRateHz > 0) || !(channels >= 1)) throw new RangeError("StereoMeter: bad sample rate or channel count");
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    this.windowFrames = Math.round(WINDOW_S * sampleRateHz);
    if (channels < 2) {
      this.spectrum = null;
      this.ownsSpectrum = false;
    } else if (options.spectrum !== undefined) {
      this.spectrum = options.spectrum;
      this.ownsSpectrum = false;
    } else {
      this.spectrum = new SpectrumMeter({ sampleRateHz, channels });
      this.ownsSpectrum = true;
    }
  }

  add(channels: Float32Array[], frames: number): void {
    if (this.channels < 2) return;
    if (this.ownsSpectrum && this.spectrum !== null) this.spectrum.add(channels, frames);
    const left = channels[0];
    const right = channels[1];
    let i = 0;
    while (i < frames) {
      const len = Math.min(frames - i, this.windowFrames - this.wn);
      let sl = 0;
      let sr = 0;
      let sll = 0;
      let srr = 0;
      let slr = 0;
      let diff = 0;
      let peak = this.sidePeak;
      const end = i + len;
      for (let j = i; j < end; j++) {
        const l = left[j];
        const r = right[j];
        sl += l;
        sr += r;
        sll += l * l;
        srr += r * r;
        slr += l * r;
        const d = Math.abs(l - r);
        diff += d;
        if (d > peak) peak = d;
      }
      if (diff !== 0) this.identical = false;
      this.sidePeak = peak;
      this.wn += len;
      this.wsl += sl;
      this.wsr += sr;
      this.wsll += sll;
      this.wsrr += srr;
      this.wslr += slr;
      i = end;
      if (this.wn === this.windowFrames) this.closeWindow();
    }
  }

  /** Folds the current window into the totals and records its correlation. */
  private closeWindow(): void {
    if (this.windowCount === this.windowR.length) {
      const bigger = new Float64Array(2 * this.windowR.length);
      bigger.set(this.windowR);
      this.windowR = bigger;
    }
    this.windowR[this.windowCount++] = this.windowCorrelation();
    this.n += this.wn;
    this.sl += this.wsl;
    this.sr += this.wsr;
    this.sll += this.wsll;
    this.srr += this.wsrr;
    this.slr += this.wslr;
    this.wn = this.wsl = this.wsr = this.wsll = this.wsrr = this.wslr = 0;
  }

  private windowCorrelation(): number {
    const n = this.wn;
    if (n === 0 || this.wsll / n < WINDOW_MIN_MEAN_SQUARE || this.wsrr / n < WINDOW_MIN_MEAN_SQUARE) return NaN;
    return pearson(n, this.wsl, this.wsr, this.wsll, this.wsrr, this.wslr) ?? NaN;
  }

  result(): StereoResult {
    if (this.channels < 2) {
      return {
        stereo: false, correlation: null, sideToMidDb: null, identical: null, bands: null, windowS: WINDOW_S,
        windowCorrelations: null, minWindowCorrelation: null, minWindowStartS: null, sidePeakDbfs: null,
      };
    }
    // Totals including the window in progress.
    const n = this.n + this.wn;
    const sll = this.sll + this.wsll;
    const srr = this.srr + this.wsrr;
    const slr = this.slr + this.wslr;
    const correlation = pearson(n, this.sl + this.wsl, this.sr + this.wsr, sll, srr, slr);
    const midEnergy = (sll + 2 * slr + srr) / 4;
    const sideEnergy = Math.max(0, (sll - 2 * slr + srr) / 4);
    const sideToMidDb = midEnergy > 0 && sideEnergy > 0 ? powerToDb(sideEnergy / midEnergy) : null;

    const windows: (number | null)[] = [];
    for (let k = 0; k < this.windowCount; k++) windows.push(Number.isNaN(this.windowR[k]) ? null : this.windowR[k]);
    if (this.windowCount === 0 && this.wn > 0) {
      const r = this.windowCorrelation();
      windows.push(Number.isNaN(r) ? null : r);
    }
    let minR: number | null = null;
    let minAt = -1;
    windows.forEach((r, k) => {
      if (r !== null && (minR === null || r < minR)) {
        minR = r;
        minAt = k;
      }
    });

    const ratios = this.spectrum === null ? null : this.spectrum.stereoBandRatiosDb();
    const bands = STEREO_BANDS.map((b, k) => ({
      name: b.name,
      lowHz: b.lowHz,
      highHz: Number.isFinite(b.highHz) ? b.highHz : null,
      sideToMidDb: n === 0 || ratios === null || this.identical ? null : ratios[k],
    }));
    return {
      stereo: true,
      correlation,
      sideToMidDb: this.identical ? null : sideToMidDb,
      identical: n === 0 ? null : this.identical,
      bands,
      windowS: WINDOW_S,
      windowCorrelations: windows,
      minWindowCorrelation: minR,
      minWindowStartS: minR === null ? null : minAt * WINDOW_S,
      sidePeakDbfs: this.sidePeak > 0 ? linearToDb(this.sidePeak / 2) : null,
    };
  }
}
