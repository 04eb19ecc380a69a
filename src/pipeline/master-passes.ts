/**
 * The streaming passes of `master` (DESIGN.md principles 2 and 3: render, verify; memory flat):
 *
 *   1. prerender: the mix through every stage before the limiter drive, once, into a temporary
 *      32-bit float WAV on disk (streamed);
 *   2. drive:     only `gain(drive) -> limiter` over that file, measuring integrated loudness
 *      (BS.1770-4), as often as the secant search on the drive needs;
 *   3. final:     the same two stages once more, every output written from the same blocks, the
 *      full Analyzer on the rendered signal and the limiter-error energy accumulated.
 *
 * Every pass is a read-process-write loop over blocks; nothing holds the track.
 */
import { ReconstructionPeakMeter } from "../core/meter/reconstruction-peak.js";
import { ChainRenderer } from "../core/chain/renderer.js";
import { buildChain, buildStage } from "../core/chain/build.js";
import type { ChainSpec, StageSpec } from "../core/chain/spec.js";
import { Gain } from "../core/dsp/gain.js";
import type { Limiter, LimiterStats } from "../core/dsp/limiter.js";
import type { Processor } from "../core/dsp/processor.js";
import { Analyzer, type AnalysisReport } from "../core/meter/analyzer.js";
import { LoudnessMeter } from "../core/meter/loudness.js";
import { openAudioFile } from "../io/open.js";
import { createWavWriter } from "../io/wav-writer.js";
import type { AudioOutput } from "./outputs.js";

/** Frames read per block from disk. */
export const PASS_BLOCK_FRAMES = 16384;
/** Frames per processing block inside the chain renderer. */
const RENDER_BLOCK_FRAMES = 8192;

export interface PassHooks {
  readonly signal?: AbortSignal;
  /** Fraction of this pass done (0..1). */
  readonly onFraction?: (fraction: number) => void;
}

/** Collects the renderer's synchronous sink output as copies, to be awaited by the caller. */
class Pending {
  readonly blocks: { channels: Float32Array[]; frames: number }[] = [];
  readonly sink = (channels: Float32Array[], frames: number): void => {
    this.blocks.push({ channels: channels.map((ch) => ch.slice(0, frames)), frames });
  };
  take(): { channels: Float32Array[]; frames: number }[] {
    return this.blocks.splice(0);
  }
}

/**
 * Pass 1: renders `stages` (those before the drive) from `input` into a float WAV at `tempPath`.
 * Returns the frame count (the input's).
 */
export async function prerender(input: string, stages: readonly StageSpec[], tempPath: string, hooks: PassHooks): Promise<number> {
  const reader = await openAudioFile(input);
  try {
    const { info } = reader;
    const renderer = new ChainRenderer(buildChain({ version: 1, stages } as ChainSpec), {
      sampleRateHz: info.sampleRateHz, channels: info.channels, maxBlockFrames: RENDER_BLOCK_FRAMES,
    });
    const writer = await createWavWriter(tempPath, {
      sampleRateHz: info.sampleRateHz, channels: info.channels, channelMask: info.channelMask, bitDepth: 32, sampleFormat: "float", force: true,
    });
    const pending = new Pending();
    try {
      let frames = 0;
      for await (const block of reader.blocks(PASS_BLOCK_FRAMES)) {
        hooks.signal?.throwIfAborted();
        renderer.push(block, block[0].length, pending.sink);
        frames += block[0].length;
        for (const b of pending.take()) await writer.write(b.channels, b.frames);
        if (info.frames > 0) hooks.onFraction?.(Math.min(1, frames / info.frames));
      }
      renderer.finish(pending.sink);
      for (const b of pending.take()) await writer.write(b.channels, b.frames);
      await writer.close();
      return frames;
    } catch (e) {
      await writer.abort();
      throw e;
    }
  } finally {
    await reader.close();
  }
}

/**
 * The drive and the stages after it as processors: `tail` is [clipper?, limiter], the limiter
 * last (its ceiling given here, for codec-safe steps), kept for its statistics.
 */
function driveStages(driveDb: number, tail: readonly StageSpec[], ceilingDbtp: number): { processors: Processor[]; limiter: Limiter } {
  const built = tail.map((s, i) => buildStage(i === tail.length - 1 ? { ...s, ceilingDbtp } : s));
  return { processors: [new Gain(driveDb), ...built], limiter: built[built.length - 1] as Limiter };
}

export interface DriveMeasurement {
  readonly driveDb: number;
  /** Integrated loudness of the limited signal (BS.1770-4), null when gated out (silence). */
  readonly integratedLufs: number | null;
  readonly limiter: LimiterStats;
}

/** Pass 2: gain(drive) -> limiter over `source`, measuring only integrated loudness. */
export async function measureDrive(source: string, driveDb: number, tail: readonly StageSpec[], ceilingDbtp: number, channelMask: number | undefined, hooks: PassHooks): Promise<DriveMeasurement> {
  const reader = await openAudioFile(source);
  try {
    const { info } = reader;
    const { processors, limiter } = driveStages(driveDb, tail, ceilingDbtp);
    const renderer = new ChainRenderer(processors, { sampleRateHz: info.sampleRateHz, channels: info.channels, maxBlockFrames: RENDER_BLOCK_FRAMES });
    const meter = new LoudnessMeter({ sampleRateHz: info.sampleRateHz, channels: info.channels, channelMask });
    // The meter reads the renderer's reused arrays synchronously: no copy needed.
    const sink = (channels: Float32Array[], frames: number): void => meter.add(channels, frames);
    let frames = 0;
    for await (const block of reader.blocks(PASS_BLOCK_FRAMES)) {
      hooks.signal?.throwIfAborted();
      renderer.push(block, block[0].length, sink);
      frames += block[0].length;
      if (info.frames > 0) hooks.onFraction?.(Math.min(1, frames / info.frames));
    }
    renderer.finish(sink);
    const lufs = meter.integratedLufs();
    return { driveDb, integratedLufs: Number.isFinite(lufs) ? lufs : null, limiter: limiter.stats() };
  } finally {
    await reader.close();
  }
}

/**
 * The input frames the renderer has not emitted yet (its latency), so each emitted output frame
 * can be compared with the drive-scaled input it came from (limiter error).
 */
class InputFifo {
  private readonly blocks: Float32Array[][] = [];
  private offset = 0;

  push(block: Float32Array[], frames: number): void {
    this.blocks.push(block.map((ch) => ch.slice(0, frames)));
  }

  /**
   * Accumulates Σ (y - g·x)² and Σ y² over the next `frames` frames of `output` (Float64:
   * millions of terms), consuming the matching input frames.
   */
  compare(output: Float32Array[], frames: number, gainLinear: number, acc: { errorEnergy: number; outputEnergy: number }): void {
    let done = 0;
    let errorEnergy = acc.errorEnergy;
    let outputEnergy = acc.outputEnergy;
    while (done < frames) {
      const head = this.blocks[0];
      const n = Math.min(frames - done, head[0].length - this.offset);
      for (let c = 0; c < output.length; c++) {
        const y = output[c];
        const x = head[c];
        const xo = this.offset - done;
        for (let i = done; i < done + n; i++) {
          const yi = y[i];
          const d = yi - gainLinear * x[i + xo];
          errorEnergy += d * d;
          outputEnergy += yi * yi;
        }
      }
      done += n;
      this.offset += n;
      if (this.offset === head[0].length) {
        this.blocks.shift();
        this.offset = 0;
      }
    }
    acc.errorEnergy = errorEnergy;
    acc.outputEnergy = outputEnergy;
  }
}

export interface FinalPassResult {
  readonly frames: number;
  readonly analysis: AnalysisReport;
  readonly limiter: LimiterStats;
  /** 10·log10(Σ(y − g·x)² / Σy²): how much the limiter changed the signal, dB (null for silence). */
  readonly limiterErrorDb: number | null;
  /** Peak of the master's band-limited reconstruction (core/meter/reconstruction-peak.ts), dBTP; null for silence. */
  readonly reconstructionPeakDbtp: number | null;
}

export interface FinalPassOptions {
  readonly driveDb: number;
  /** The stages after the drive: [clipper?, limiter]. */
  readonly tail: readonly StageSpec[];
  readonly ceilingDbtp: number;
  readonly channelMask?: number;
  readonly sourceBitDepth?: number;
  readonly outputs: readonly AudioOutput[];
}

/** Pass 3: gain(drive) -> limiter, written to every output, measured by the full Analyzer. */
export async function finalPass(source: string, o: FinalPassOptions, hooks: PassHooks): Promise<FinalPassResult> {
  const reader = await openAudioFile(source);
  try {
    const { info } = reader;
    const { processors, limiter } = driveStages(o.driveDb, o.tail, o.ceilingDbtp);
    const renderer = new ChainRenderer(processors, { sampleRateHz: info.sampleRateHz, channels: info.channels, maxBlockFrames: RENDER_BLOCK_FRAMES });
    const analyzer = new Analyzer({ sampleRateHz: info.sampleRateHz, channels: info.channels, channelMask: o.channelMask, sourceBitDepth: o.sourceBitDepth });
    const reconstruction = new ReconstructionPeakMeter({ sampleRateHz: info.sampleRateHz, channels: info.channels, maxBlockFrames: RENDER_BLOCK_FRAMES });
    const fifo = new InputFifo();
    const acc = { errorEnergy: 0, outputEnergy: 0 };
    const g = Math.pow(10, o.driveDb / 20);
    const pending = new Pending();
    const sink = (channels: Float32Array[], frames: number): void => {
      analyzer.add(channels, frames);
      reconstruction.add(channels, frames);
      fifo.compare(channels, frames, g, acc);
      if (o.outputs.length > 0) pending.sink(channels, frames);
    };
    const flush = async (): Promise<void> => {
      for (const b of pending.take()) for (const out of o.outputs) await out.write(b.channels, b.frames);
    };
    let frames = 0;
    for await (const block of reader.blocks(PASS_BLOCK_FRAMES)) {
      hooks.signal?.throwIfAborted();
      const n = block[0].length;
      fifo.push(block, n);
      renderer.push(block, n, sink);
      frames += n;
      await flush();
      if (info.frames > 0) hooks.onFraction?.(Math.min(1, frames / info.frames));
    }
    renderer.finish(sink);
    await flush();
    const limiterErrorDb = acc.outputEnergy > 0 && acc.errorEnergy > 0 ? 10 * Math.log10(acc.errorEnergy / acc.outputEnergy)
      : acc.outputEnergy > 0 ? -Infinity : null;
    reconstruction.finish();
    const reconstructionPeakDbtp = reconstruction.peakDbtp();
    return {
      frames, analysis: analyzer.report(), limiter: limiter.stats(), limiterErrorDb: limiterErrorDb === -Infinity ? -200 : limiterErrorDb,
      reconstructionPeakDbtp: Number.isFinite(reconstructionPeakDbtp) ? reconstructionPeakDbtp : null,
    };
  } finally {
    await reader.close();
  }
}
