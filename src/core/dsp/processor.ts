/**
 * The processor lifecycle (DESIGN.md, "The processor contract"; after JUCE's juce_dsp):
 *
 * - `prepare(spec)` allocates buffers and computes coefficients. Nothing else allocates.
 * - `process(channels, frames)` works in place on the first `frames` samples of each planar
 *   channel; it never allocates and never throws. `frames <= spec.maxBlockFrames`.
 * - `reset()` clears all state (delay lines, envelopes) without allocating.
 * - `latencySamples` is fixed once `prepare` returns: the renderer removes it.
 */
export interface ProcessSpec {
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly maxBlockFrames: number;
}

export interface Processor {
  prepare(spec: ProcessSpec): void;
  process(channels: Float32Array[], frames: number): void;
  reset(): void;
  readonly latencySamples: number;
}
