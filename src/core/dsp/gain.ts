import type { Processor, ProcessSpec } from "./processor.js";
import { dbToLinear } from "../units.js";

/**
 * A static gain. 0 dB is an exact identity (the multiply is skipped), so an empty-looking chain
 * stays bit-exact.
 */
export class Gain implements Processor {
  readonly latencySamples = 0;
  private readonly factor: number;

  constructor(readonly gainDb: number) {
    this.factor = dbToLinear(gainDb);
  }

  prepare(_spec: ProcessSpec): void {}

  process(channels: Float32Array[], frames: number): void {
    if (this.gainDb === 0) return;
    const g = this.factor;
    for (const ch of channels) {
      for (let n = 0; n < frames; n++) ch[n] *= g;
    }
  }

  reset(): void {}
}
