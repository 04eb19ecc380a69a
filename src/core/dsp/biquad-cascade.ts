import type { Processor, ProcessSpec } from "./processor.js";
import type { BiquadCoefficients } from "../design/eq-design.js";

/**
 * A cascade of biquad sections, the same sections on every channel (the engine behind the
 * high-pass and the minimum-phase EQ). Transposed direct form II in Float64: the whole cascade
 * runs on a Float64 copy of the block, so the signal is rounded to Float32 once, at the end.
 *
 * Sections are designed per sample rate by `design(sampleRateHz)` at prepare time. An empty
 * cascade is an exact identity (the block is not touched). Latency 0 (minimum phase).
 *
 * Denormals: each section's output is flushed to 0 below 1e-30 (−600 dBFS), per sample, so a
 * decaying tail reaches exact zero instead of float denormals; per sample, hence independent of
 * the block size.
 */
export class BiquadCascade implements Processor {
  readonly latencySamples = 0;
  /** Coefficients, 5 per section: b0, b1, b2, a1, a2. */
  private coefs = new Float64Array(0);
  /** State, 2 per section per channel: s1, s2 (TDF-II). */
  private state = new Float64Array(0);
  private scratch = new Float64Array(0);
  private sectionCount = 0;

  constructor(private readonly design: (sampleRateHz: number) => readonly BiquadCoefficients[]) {}

  prepare(spec: ProcessSpec): void {
    const sections = this.design(spec.sampleRateHz);
    this.sectionCount = sections.length;
    this.coefs = new Float64Array(5 * sections.length);
    sections.forEach((s, i) => this.coefs.set([s.b0, s.b1, s.b2, s.a1, s.a2], 5 * i));
    this.state = new Float64Array(2 * sections.length * spec.channels);
    this.scratch = new Float64Array(spec.maxBlockFrames);
  }

  process(channels: Float32Array[], frames: number): void {
    const count = this.sectionCount;
    if (count === 0) return;
    const x = this.scratch;
    const coefs = this.coefs;
    const state = this.state;
    for (let c = 0; c < channels.length; c++) {
      const ch = channels[c];
      for (let n = 0; n < frames; n++) x[n] = ch[n];
      for (let k = 0; k < count; k++) {
        const b0 = coefs[5 * k];
        const b1 = coefs[5 * k + 1];
        const b2 = coefs[5 * k + 2];
        const a1 = coefs[5 * k + 3];
        const a2 = coefs[5 * k + 4];
        const si = 2 * (c * count + k);
        let s1 = state[si];
        let s2 = state[si + 1];
        for (let n = 0; n < frames; n++) {
          const xn = x[n];
          let y = b0 * xn + s1;
          if (y < 1e-30 && y > -1e-30) y = 0;
          s1 = b1 * xn - a1 * y + s2;
          s2 = b2 * xn - a2 * y;
          x[n] = y;
        }
        state[si] = s1;
        state[si + 1] = s2;
      }
      for (let n = 0; n < frames; n++) ch[n] = x[n];
    }
  }

  reset(): void {
    this.state.fill(0);
  }
}
