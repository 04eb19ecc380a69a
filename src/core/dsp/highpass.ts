import type { Processor, ProcessSpec } from "./processor.js";
import { BiquadCascade } from "./biquad-cascade.js";
import { designButterworth } from "../design/eq-design.js";

/**
 * Parameters of the `highpass` stage (DC and subsonic removal).
 * - `cutoffHz`: −3 dB frequency, 5..500 Hz, default 20.
 * - `order`: Butterworth order 1..8, default 2 (12 dB/octave; 6 dB/octave per order).
 */
export interface HighpassParams {
  readonly cutoffHz: number;
  readonly order: number;
}

export const DEFAULTS: HighpassParams = { cutoffHz: 20, order: 2 };

/**
 * Butterworth high-pass, minimum phase, latency 0. The sections come from
 * `designButterworth` (bilinear pre-warped at these low cutoffs, matched above fs/40: see
 * eq-design.ts), run as a Float64 biquad cascade.
 */
export class Highpass implements Processor {
  readonly latencySamples = 0;
  readonly params: HighpassParams;
  private readonly cascade: BiquadCascade;

  constructor(params: Partial<HighpassParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    const { cutoffHz, order } = this.params;
    this.cascade = new BiquadCascade((sampleRateHz) => designButterworth("highPass", cutoffHz, order, sampleRateHz));
  }

  prepare(spec: ProcessSpec): void {
    this.cascade.prepare(spec);
  }

  process(channels: Float32Array[], frames: number): void {
    this.cascade.process(channels, frames);
  }

  reset(): void {
    this.cascade.reset();
  }
}
