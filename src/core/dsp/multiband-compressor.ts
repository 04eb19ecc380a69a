import type { Processor, ProcessSpec } from "./processor.js";
import { CrossoverBank, sumBands } from "./crossover-bank.js";
import { CompressorCore, DEFAULTS as COMPRESSOR_DEFAULTS, type CompressorParams } from "./dynamics.js";

/** Settings of one band (units and ranges as on `CompressorParams`). */
export interface MultibandBandParams {
  /** dBFS, −80 to 0. Default −18. */
  readonly thresholdDb: number;
  /** 1 to 100, or Infinity. Default 2. */
  readonly ratio: number;
  /** ms, 0 to 500 (time constant, 63 %). Default 10. */
  readonly attackMs: number;
  /** ms, 0 to 5000 (time constant, 63 %). Default 150. */
  readonly releaseMs: number;
  /** dB, 0 to 24. Default 6. */
  readonly kneeDb: number;
  /** dB, −24 to 24. Default 0. */
  readonly makeupDb: number;
  /** true passes the band unchanged (still delayed by the look-ahead, so bands stay aligned). Default false. */
  readonly bypass: boolean;
}

export interface MultibandCompressorParams {
  /**
   * Crossover frequencies in Hz, strictly ascending, 1 to 4 of them (2 to 5 bands), each in
   * (0, 0.45·fs). Linkwitz-Riley LR4, all-pass compensated (src/core/design/crossover.ts).
   * Default [200, 2000].
   */
  readonly crossoversHz: readonly number[];
  /** One entry per band (crossoversHz.length + 1), low to high; missing fields take DEFAULT_BAND. */
  readonly bands: readonly Partial<MultibandBandParams>[];
  /** "stereo" or "midSide" (two channels), for every band. Default "stereo". */
  readonly stereoMode: "stereo" | "midSide";
  /** Stereo link per band, 0 to 100 %. Default 100. */
  readonly stereoLinkPercent: number;
  /** "peak" or "rms" detection, for every band. Default "peak". */
  readonly detection: "peak" | "rms";
  /** RMS averager time constant in ms, 1 to 300. Default 10. */
  readonly rmsWindowMs: number;
  /** Log-domain detector, "decoupled" or "branching". Default "decoupled". */
  readonly detector: "decoupled" | "branching";
  /** Look-ahead in ms, 0 to 20, shared by all bands; the latency. Default 0. */
  readonly lookaheadMs: number;
}

export const DEFAULT_BAND: MultibandBandParams = {
  thresholdDb: COMPRESSOR_DEFAULTS.thresholdDb,
  ratio: COMPRESSOR_DEFAULTS.ratio,
  attackMs: COMPRESSOR_DEFAULTS.attackMs,
  releaseMs: COMPRESSOR_DEFAULTS.releaseMs,
  kneeDb: COMPRESSOR_DEFAULTS.kneeDb,
  makeupDb: COMPRESSOR_DEFAULTS.makeupDb,
  bypass: false,
};

export const DEFAULTS: MultibandCompressorParams = {
  crossoversHz: [200, 2000],
  // Slower on the lows (long periods), faster on the highs.
  bands: [
    { attackMs: 20, releaseMs: 250 },
    {},
    { attackMs: 5, releaseMs: 100 },
  ],
  stereoMode: "stereo",
  stereoLinkPercent: 100,
  detection: "peak",
  rmsWindowMs: 10,
  detector: "decoupled",
  lookaheadMs: 0,
};

/**
 * Multiband compressor: the input is split by a phase-coherent LR4 crossover bank into 2 to 5
 * bands, each band is compressed by its own feed-forward core (dynamics.ts), and the bands are
 * summed. With every band at unity the result is the bank's all-pass: flat magnitude.
 */
export class MultibandCompressor implements Processor {
  readonly params: MultibandCompressorParams;
  private readonly bank: CrossoverBank;
  private readonly cores: CompressorCore[];
  private input: Float64Array[] = [];
  private channels = 0;

  /** Throws RangeError naming the problem when a parameter is out of range. */
  constructor(params: Partial<MultibandCompressorParams> = {}) {
    const p = { ...DEFAULTS, ...params };
    // Crossovers given without bands: default bands for that count.
    const bands = params.bands ?? (params.crossoversHz ? p.crossoversHz.map(() => ({})).concat([{}]) : DEFAULTS.bands);
    this.params = { ...p, bands };
    const count = p.crossoversHz.length + 1;
    if (count < 2 || count > 5) throw new RangeError(`multiband compressor: ${count} bands (2 to 5 allowed)`);
    if (bands.length !== count) throw new RangeError(`multiband compressor: ${bands.length} band settings for ${count} bands`);
    this.bank = new CrossoverBank({ crossoversHz: p.crossoversHz });
    this.cores = bands.map((b, i) => {
      const band = { ...DEFAULT_BAND, ...b };
      const core: CompressorParams = {
        ...COMPRESSOR_DEFAULTS,
        thresholdDb: band.thresholdDb, ratio: band.ratio, kneeDb: band.kneeDb,
        attackMs: band.attackMs, releaseMs: band.releaseMs, makeupDb: band.makeupDb,
        detection: p.detection, rmsWindowMs: p.rmsWindowMs, detector: p.detector,
        lookaheadMs: p.lookaheadMs, stereoLinkPercent: p.stereoLinkPercent, stereoMode: p.stereoMode,
      };
      try {
        const c = new CompressorCore(core);
        c.bypass = band.bypass;
        return c;
      } catch (e) {
        throw new RangeError(`band ${i + 1}: ${(e as Error).message}`);
      }
    });
  }

  get latencySamples(): number {
    return this.cores[0].latencySamples;
  }

  prepare(spec: ProcessSpec): void {
    this.bank.prepare(spec); // throws RangeError on crossovers invalid at this rate
    for (const core of this.cores) core.prepare(spec.sampleRateHz, spec.channels, spec.maxBlockFrames);
    this.channels = spec.channels;
    this.input = Array.from({ length: spec.channels }, () => new Float64Array(spec.maxBlockFrames));
  }

  process(channels: Float32Array[], frames: number): void {
    for (let c = 0; c < this.channels; c++) {
      const x = channels[c], y = this.input[c];
      for (let n = 0; n < frames; n++) y[n] = x[n];
    }
    const bank = this.bank;
    bank.split(this.input, frames);
    const bands = bank.bands;
    for (let b = 0; b < bands.length; b++) this.cores[b].process(bands[b], frames);
    for (let c = 0; c < this.channels; c++) sumBands(bands, c, channels[c], frames);
  }

  reset(): void {
    this.bank.reset();
    for (const core of this.cores) core.reset();
  }
}
