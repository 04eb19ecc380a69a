/**
 * The whole analysis of a mix in one streaming pass: every meter is fed the same blocks, and
 * `report()` gathers their results into the JSON the CLI, the API and the assistant share.
 * Silence is null in the report, never -Infinity.
 */
import { WARNING_MESSAGES, type Diagnostic } from "../codes.js";
import { finiteOrNull } from "../units.js";
import { diagnose } from "./diagnostics.js";
import { LoudnessMeter } from "./loudness.js";
import { SignalChecksMeter, type SignalChecksResult } from "./signal-checks.js";
import { SpectrumMeter, type SpectrumResult } from "./spectrum.js";
import { StereoMeter, type StereoResult } from "./stereo.js";
import { TruePeakMeter } from "./true-peak.js";

export interface AnalyzerOptions {
  readonly sampleRateHz: number;
  readonly channels: number;
  /** WAVE_FORMAT_EXTENSIBLE channel mask, for BS.1770 channel weights. */
  readonly channelMask?: number;
  /** Keep the momentary and short-term loudness series. */
  readonly series?: boolean;
  /** Bits of an integer source (undefined for float), for the delivery-standard check. */
  readonly sourceBitDepth?: number;
  /**
   * Stand-ins for meters measured elsewhere (the pipeline runs them on a worker thread): `add`
   * is still called on them, `report` reads their results. Default: the analyzer's own meters.
   */
  readonly meters?: { readonly truePeak?: TruePeakReadout; readonly loudness?: LoudnessReadout; readonly checks?: SignalChecksReadout };
}

/** What the analyzer uses of a true-peak meter. */
export type TruePeakReadout = Pick<TruePeakMeter, "add" | "truePeakDbtp" | "samplePeakDbfs">;
/** What the analyzer uses of a signal-checks meter. */
export type SignalChecksReadout = Pick<SignalChecksMeter, "add" | "result">;
/** What the analyzer uses of a loudness meter. */
export type LoudnessReadout = Pick<LoudnessMeter, "add" | "integratedLufs" | "loudnessRangeLu" | "maxMomentaryLufs" | "maxShortTermLufs" | "series">;

export interface LoudnessReport {
  integratedLufs: number | null;
  lraLu: number;
  maxMomentaryLufs: number | null;
  maxShortTermLufs: number | null;
  truePeakDbtp: number | null;
  samplePeakDbfs: number | null;
  /** Peak-to-loudness ratio: true peak minus integrated loudness. */
  plrDb: number | null;
}

export interface SeriesReport {
  hopS: number;
  hopFrames: number;
  /** Entry k: the window ending at (k+1)·hopS; null until the window is full or when silent. */
  momentaryLufs: (number | null)[];
  shortTermLufs: (number | null)[];
}

export interface AnalysisReport {
  loudness: LoudnessReport;
  stereo: StereoResult;
  spectrum: SpectrumResult;
  signal: SignalChecksResult;
  diagnostics: Diagnostic[];
  series?: SeriesReport;
}

/** Delivery standards for the mix-feedback notes: CD rate and word length. */
const MIN_DELIVERY_RATE_HZ = 44100;
const MIN_DELIVERY_BITS = 16;

function seriesToJson(values: Float64Array): (number | null)[] {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number.isFinite(values[i]) ? Math.round(values[i] * 1000) / 1000 : null;
  return out;
}

export class Analyzer {
  private readonly options: AnalyzerOptions;
  private readonly loudness: LoudnessReadout;
  private readonly truePeak: TruePeakReadout;
  private readonly spectrum: SpectrumMeter;
  private readonly stereo: StereoMeter;
  private readonly checks: SignalChecksReadout;

  constructor(options: AnalyzerOptions) {
    this.options = options;
    const { sampleRateHz, channels } = options;
    this.loudness = options.meters?.loudness ?? new LoudnessMeter({ sampleRateHz, channels, channelMask: options.channelMask, series: options.series ?? false });
    this.truePeak = options.meters?.truePeak ?? new TruePeakMeter({ sampleRateHz, channels });
    this.spectrum = new SpectrumMeter({ sampleRateHz, channels });
    // The stereo meter reads its per-band side/mid powers from the shared spectrum meter.
    this.stereo = new StereoMeter({ sampleRateHz, channels, spectrum: this.spectrum });
    this.checks = options.meters?.checks ?? new SignalChecksMeter({ sampleRateHz, channels });
  }

  add(channels: Float32Array[], frames: number): void {
    this.loudness.add(channels, frames);
    this.truePeak.add(channels, frames);
    this.spectrum.add(channels, frames);
    this.stereo.add(channels, frames);
    this.checks.add(channels, frames);
  }

  report(): AnalysisReport {
    const integratedLufs = finiteOrNull(this.loudness.integratedLufs());
    const truePeakDbtp = finiteOrNull(this.truePeak.truePeakDbtp());
    const loudness: LoudnessReport = {
      integratedLufs,
      lraLu: this.loudness.loudnessRangeLu(),
      maxMomentaryLufs: finiteOrNull(this.loudness.maxMomentaryLufs()),
      maxShortTermLufs: finiteOrNull(this.loudness.maxShortTermLufs()),
      truePeakDbtp,
      samplePeakDbfs: finiteOrNull(this.truePeak.samplePeakDbfs()),
      plrDb: integratedLufs !== null && truePeakDbtp !== null ? truePeakDbtp - integratedLufs : null,
    };
    const stereo = this.stereo.result();
    const signal = this.checks.result();
    const diagnostics = diagnose({
      integratedLufs: loudness.integratedLufs,
      truePeakDbtp: loudness.truePeakDbtp,
      samplePeakDbfs: loudness.samplePeakDbfs,
      plrDb: loudness.plrDb,
      clipping: signal.clipping,
      dcOffset: signal.dcOffset,
      stereo,
      silence: signal.silence,
    });
    diagnostics.push(...this.deliveryNotes());
    const report: AnalysisReport = { loudness, stereo, spectrum: this.spectrum.result(), signal, diagnostics };
    if (this.options.series) {
      const s = this.loudness.series();
      report.series = { hopS: s.hopS, hopFrames: s.hopFrames, momentaryLufs: seriesToJson(s.momentaryLufs), shortTermLufs: seriesToJson(s.shortTermLufs) };
    }
    return report;
  }

  /** Notes on the source format itself: below CD rate or word length is below delivery standards. */
  private deliveryNotes(): Diagnostic[] {
    const out: Diagnostic[] = [];
    const { sampleRateHz, sourceBitDepth } = this.options;
    if (sampleRateHz < MIN_DELIVERY_RATE_HZ) {
      out.push({ code: "W_LOW_SAMPLE_RATE", message: `${WARNING_MESSAGES.W_LOW_SAMPLE_RATE}: ${sampleRateHz} Hz; distributors expect at least 44100 Hz, and the high frequencies above ${sampleRateHz / 2} Hz are missing` });
    }
    if (sourceBitDepth !== undefined && sourceBitDepth < MIN_DELIVERY_BITS) {
      out.push({ code: "W_LOW_BIT_DEPTH", message: `${WARNING_MESSAGES.W_LOW_BIT_DEPTH}: ${sourceBitDepth}-bit; send a 24-bit (or at least 16-bit) export of the mix` });
    }
    return out;
  }
}
