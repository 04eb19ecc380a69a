/**
 * Rendering a file through an explicit ChainSpec: read in blocks, stream through the chain
 * (latency removed, same length, sample-aligned), write in any output format (dither where word
 * length is lost).
 * Memory stays flat whatever the length of the file.
 */
import { ChainRenderer } from "../core/chain/renderer.js";
import { buildChain } from "../core/chain/build.js";
import type { ChainSpec } from "../core/chain/spec.js";
import { needsDither } from "../core/dsp/dither.js";
import { openAudioFile } from "../io/open.js";
import { formatFromPath, openOutput, type OutputBitDepth, type OutputFormat, type OutputReport } from "./outputs.js";

export interface RenderOptions {
  readonly output: string;
  /** Output format; default from the output's extension (.wav .flac .mp3 .m4a .opus). */
  readonly format?: OutputFormat;
  /** Output word length (WAV/FLAC); default: the source's (24 for 32-bit int sources, 32f for float WAV). */
  readonly bitDepth?: OutputBitDepth;
  readonly dither?: "tpdf" | "shaped" | "none";
  /** Dither seed, recorded in the result so a render can be reproduced exactly. */
  readonly seed?: number;
  readonly bitrateKbps?: number;
  readonly force?: boolean;
  /** Called with the fraction done (0..1) now and then. */
  readonly onProgress?: (fraction: number) => void;
}

export interface RenderResult {
  input: string;
  frames: number;
  sampleRateHz: number;
  channels: number;
  latencySamples: number;
  output: OutputReport;
}

const BLOCK_FRAMES = 8192;

function defaultDepth(sampleFormat: "int" | "float", bits: number): OutputBitDepth {
  if (sampleFormat === "float") return "32f";
  return bits <= 16 ? 16 : 24;
}

export async function renderFile(input: string, spec: ChainSpec, options: RenderOptions): Promise<RenderResult> {
  const reader = await openAudioFile(input);
  try {
    const { info } = reader;
    const format = options.format ?? formatFromPath(options.output) ?? undefined;
    const depth = options.bitDepth ?? defaultDepth(info.sampleFormat, info.bitDepth);
    const renderer = new ChainRenderer(buildChain(spec), { sampleRateHz: info.sampleRateHz, channels: info.channels, maxBlockFrames: BLOCK_FRAMES });
    // Dither only where precision is lost (DESIGN.md, Dither): any stage, a float source, or fewer bits.
    const targetBits = depth === "32f" ? 32 : depth;
    const lost = needsDither(info.bitDepth, info.sampleFormat === "float", spec.stages.length > 0, targetBits);
    const output = await openOutput(options.output, {
      format, bitDepth: depth, sampleRateHz: info.sampleRateHz, channels: info.channels,
      force: options.force, bitrateKbps: options.bitrateKbps, dither: lost ? options.dither ?? "tpdf" : "none", seed: options.seed,
    });
    // The renderer's sink is synchronous; blocks are copied and written after each push.
    const pending: { channels: Float32Array[]; frames: number }[] = [];
    const sink = (channels: Float32Array[], frames: number): void => {
      pending.push({ channels: channels.map((ch) => ch.slice(0, frames)), frames });
    };
    const flush = async (): Promise<void> => {
      for (const block of pending.splice(0)) await output.write(block.channels, block.frames);
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
      const report = await output.close();
      return { input, frames, sampleRateHz: info.sampleRateHz, channels: info.channels, latencySamples: renderer.latencySamples, output: report };
    } catch (e) {
      await output.abort();
      throw e;
    }
  } finally {
    await reader.close();
  }
}
