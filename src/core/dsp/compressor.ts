import type { Processor, ProcessSpec } from "./processor.js";
import { CompressorCore, DEFAULTS as CORE_DEFAULTS, type CompressorParams } from "./dynamics.js";

export type { CompressorParams } from "./dynamics.js";

/** Defaults of the `compressor` stage (every parameter is documented on `CompressorParams`). */
export const DEFAULTS: CompressorParams = CORE_DEFAULTS;

/**
 * Feed-forward compressor (Giannoulis, Massberg & Reiss, JAES 2012; see dynamics.ts): peak or
 * RMS detection, soft knee, log-domain attack/release, optional program-dependent release,
 * look-ahead (reported as latency), stereo link, stereo or mid/side, wet/dry mix, makeup.
 * Below threshold − knee/2 (and with 0 dB makeup) the output is the input, bit for bit, delayed
 * by the look-ahead.
 */
export class Compressor implements Processor {
  readonly params: CompressorParams;
  private readonly core: CompressorCore;
  private io: Float64Array[] = [];

  /** Throws RangeError naming the parameter when one is out of range. */
  constructor(params: Partial<CompressorParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    this.core = new CompressorCore(this.params);
  }

  get latencySamples(): number {
    return this.core.latencySamples;
  }

  prepare(spec: ProcessSpec): void {
    this.core.prepare(spec.sampleRateHz, spec.channels, spec.maxBlockFrames);
    this.io = Array.from({ length: spec.channels }, () => new Float64Array(spec.maxBlockFrames));
  }

  process(channels: Float32Array[], frames: number): void {
    const io = this.io;
    for (let c = 0; c < io.length; c++) {
      const x = channels[c], y = io[c];
      for (let n = 0; n < frames; n++) y[n] = x[n];
    }
    this.core.process(io, frames);
    for (let c = 0; c < io.length; c++) {
      const x = channels[c], y = io[c];
      for (let n = 0; n < frames; n++) x[n] = y[n];
    }
  }

  reset(): void {
    this.core.reset();
  }
}
