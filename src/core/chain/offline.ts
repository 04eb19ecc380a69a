/**
 * Rendering a whole buffer at once, for the browser preview, tests and small jobs: the same
 * validation, the same processors and the same streaming renderer as the file pipeline, so the
 * result is sample for sample what a streamed render of the same input gives.
 */
import { ChainRenderer } from "./renderer.js";
import { buildChain } from "./build.js";
import { validateChainSpec } from "./spec.js";

/** Frames per block inside the renderer (the processors' maxBlockFrames). */
export const RENDER_BLOCK_FRAMES = 4096;

/** Renders `input` (planar) through the chain described by `spec`; returns a new planar buffer of the same length. */
export function renderChainOffline(spec: unknown, input: readonly Float32Array[], sampleRateHz: number): Float32Array[] {
  const chain = buildChain(validateChainSpec(spec));
  const frames = input.length === 0 ? 0 : input[0].length;
  const renderer = new ChainRenderer(chain, { sampleRateHz, channels: input.length, maxBlockFrames: RENDER_BLOCK_FRAMES });
  const output = input.map(() => new Float32Array(frames));
  let written = 0;
  const sink = (channels: Float32Array[], n: number): void => {
    for (let c = 0; c < channels.length; c++) output[c].set(channels[c].subarray(0, n), written);
    written += n;
  };
  renderer.push(input as Float32Array[], frames, sink);
  renderer.finish(sink);
  return output;
}
