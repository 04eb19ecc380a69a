/**
 * Rendering a file through an explicit ChainSpec: read in blocks, stream through the chain
 * (latency removed, same length, sample-aligned), dither where word length is lost, write.
 * Memory stays flat whatever the length of the file.
 */
import { ChainRenderer } from "../core/chain/renderer.js";
import { buildChain } from "../core/chain/build.js";
import type { ChainSpec } from "../core/chain/spec.js";
import { Dither, needsDither } from "../core/dsp/dither.js";
import { MastersmithError } from "../core/codes.js";
import { openAudioFile } from "../io/open.js";
import { createWavWriter } from "../io/wav-writer.js";

export type OutputDepth = "16" | "24" | "32f";

export interface RenderOptions {
  readonly output: string;
  /** Output word length; default: the source's (24 for 32-bit int sources, 32f for float). */
  readonly bitDepth?: OutputDepth;
  readonly dither?: "tpdf" | "shaped" | "none";
  /** Dither seed, recorded in the result so a render can be reproduced exactly. */
  readonly seed?: number;
  readonly force?: boolean;
  /** Called with the fraction done (0..1) now and then. */
  readonly onProgress?: (fraction: number) => void;
}

export interface RenderResult {
  input: string;
  output: string;
  frames: number;
  sampleRateHz: number;
  channels: number;
  bitDepth: OutputDepth;
  latencySamples: number;
  dither: { applied: boolean; shape: "tpdf" | "shaped" | "none"; seed: number | null };
}

const BLOCK_FRAMES = 8192;

function defaultDepth(sampleFormat: "int" | "float", bits: number): OutputDepth {
  if (sampleFormat === "float") return "32f";
  return bits <= 16 ? "16" : "24";
}

export async function renderFile(input: string, spec: ChainSpec, options: RenderOptions): Promise<RenderResult> {
  const reader = await openAudioFile(input);
  try {
    const { info } = reader;
    const depth = options.bitDepth ?? defaultDepth(info.sampleFormat, info.bitDepth);
    const chain = buildChain(spec);
    const renderer = new ChainRenderer(chain, { sampleRateHz: info.sampleRateHz, channels: info.channels, maxBlockFrames: BLOCK_FRAMES });
    const targetBits = depth === "32f" ? 32 : Number(depth);
    const processed = spec.stages.length > 0;
    const shape = options.dither ?? "tpdf";
    const seed = options.seed ?? 1;
    const dithered = depth !== "32f" && shape !== "none" && needsDither(info.bitDepth, info.sampleFormat === "float", processed, targetBits);
    const dither = dithered ? new Dither({ bitDepth: targetBits as 16 | 24, shape: shape as "tpdf" | "shaped", seed }) : null;
    dither?.prepare({ sampleRateHz: info.sampleRateHz, channels: info.channels, maxBlockFrames: BLOCK_FRAMES });
    const writer = await createWavWriter(options.output, {
      sampleRateHz: info.sampleRateHz, channels: info.channels, channelMask: info.channelMask,
      bitDepth: depth === "32f" ? 32 : targetBits as 16 | 24, sampleFormat: depth === "32f" ? "float" : "int", force: options.force,
    });
    // The sink is synchronous (the renderer's contract); writes are collected per pushed block and awaited.
    const pending: { channels: Float32Array[]; frames: number }[] = [];
    const sink = (channels: Float32Array[], frames: number): void => {
      const copy = channels.map((ch) => ch.slice(0, frames));
      dither?.process(copy, frames);
      pending.push({ channels: copy, frames });
    };
    const flush = async (): Promise<void> => {
      for (const block of pending.splice(0)) await writer.write(block.channels, block.frames);
    };
    try {
      let frames = 0;
      for await (const block of reader.blocks(BLOCK_FRAMES)) {
        renderer.push(block, block[0].length, sink);
        frames += block[0].length;
        await flush();
        if (info.frames > 0) options.onProgress?.(Math.min(1, frames / info.frames));
      }
      renderer.finish(sink);
      await flush();
      await writer.close();
      return {
        input, output: options.output, frames, sampleRateHz: info.sampleRateHz, channels: info.channels, bitDepth: depth,
        latencySamples: renderer.latencySamples,
        dither: { applied: dithered, shape: dithered ? shape : "none", seed: dithered ? seed : null },
      };
    } catch (e) {
      await writer.abort();
      throw e;
    }
  } finally {
    await reader.close();
  }
}

export function parseDepth(value: string | undefined): OutputDepth | undefined {
  if (value === undefined) return undefined;
  if (value === "16" || value === "24" || value === "32f") return value;
  throw new MastersmithError("E_BAD_ARGUMENT", { detail: `--bit-depth must be 16, 24 or 32f (got ${value})` });
}
