import type { Processor, ProcessSpec } from "./processor.js";
import { BiquadCascade } from "./biquad-cascade.js";
import { FirConvolver } from "./fir-convolver.js";
import { designBands, sectionsMagnitudeDb, type EqBand } from "../design/eq-design.js";
import { defaultLinearPhaseFir } from "../design/fir-design.js";

/**
 * Parameters of the `eq` stage.
 * - `bands`: the bands, applied in order (see `EqBand` in design/eq-design.ts for each field's
 *   unit, range and default); default none. Bands with gain 0 are skipped.
 * - `phase`: "minimum" (default): matched biquads, latency 0; a flat EQ is bit-exact.
 *   "linear": the same magnitude response as a symmetric FIR of `defaultLinearPhaseTaps(fs)`
 *   taps (15279 at 44.1 kHz), latency (taps − 1)/2 (7639 samples, 173 ms), reported for
 *   removal; a flat
 *   EQ is a pure delay (it nulls against the delayed input far below −120 dB).
 */
export interface EqParams {
  readonly bands: readonly EqBand[];
  readonly phase: "minimum" | "linear";
}

export const DEFAULTS: EqParams = { bands: [], phase: "minimum" };

/** Parametric EQ: bell, shelves, pass filters and tilt, minimum or linear phase. */
export class Eq implements Processor {
  readonly params: EqParams;
  private readonly inner: Processor;

  constructor(params: Partial<EqParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    const bands = this.params.bands;
    if (this.params.phase === "linear") {
      this.inner = new FirConvolver((sampleRateHz) => {
        const sections = designBands(bands, sampleRateHz);
        return defaultLinearPhaseFir((freqHz) => Math.pow(10, sectionsMagnitudeDb(sections, freqHz, sampleRateHz) / 20), sampleRateHz);
      });
    } else {
      this.inner = new BiquadCascade((sampleRateHz) => designBands(bands, sampleRateHz));
    }
  }

  get latencySamples(): number {
    return this.inner.latencySamples;
  }

  prepare(spec: ProcessSpec): void {
    this.inner.prepare(spec);
  }

  process(channels: Float32Array[], frames: number): void {
    this.inner.process(channels, frames);
  }

  reset(): void {
    this.inner.reset();
  }
}
