/**
 * Output files behind one interface, for convert, render and master: the format from the
 * extension (or given), the final dither where the word length is shorter than the signal's
 * (DESIGN.md: dither is the last step of each output, seeded), then the format's encoder.
 *
 *   const out = await openOutput("master.flac", { sampleRateHz: 48000, channels: 2, bitDepth: 16 });
 *   await out.write(block, frames);   // planar Float32Array[], not modified
 *   const report = await out.close(); // or out.abort() on failure: no file is left behind
 */
import { MastersmithError } from "../core/codes.js";
import { Dither } from "../core/dsp/dither.js";
import { createAacEncoder, DEFAULT_AAC_KBPS } from "../io/encode-aac.js";
import type { Encoder } from "../io/encode-common.js";
import { createFlacEncoder } from "../io/encode-flac.js";
import { createMp3Encoder } from "../io/encode-mp3.js";
import { createOpusEncoder, DEFAULT_OPUS_KBPS } from "../io/encode-opus.js";
import { createWavEncoder, type WavEncoder } from "../io/encode-wav.js";
import type { BextLoudness } from "../io/tags-bext.js";
import type { Tags } from "../io/tags.js";

export type OutputFormat = "wav" | "flac" | "mp3" | "aac" | "opus";
export type OutputBitDepth = 16 | 24 | "32f";
export type DitherMode = "tpdf" | "shaped" | "none";

export const SOFTWARE = "Mastersmith 0.1.0";
const MIN_DITHER_BLOCK_FRAMES = 8192;

const EXTENSIONS: Record<string, OutputFormat> = {
  ".wav": "wav", ".wave": "wav", ".flac": "flac", ".mp3": "mp3", ".m4a": "aac", ".mp4": "aac", ".aac": "aac", ".opus": "opus", ".ogg": "opus",
};

/** The format implied by a file name's extension, or null. */
export function formatFromPath(path: string): OutputFormat | null {
  const dot = path.lastIndexOf(".");
  if (dot < 0 || dot < path.lastIndexOf("/")) return null;
  return EXTENSIONS[path.slice(dot).toLowerCase()] ?? null;
}

export interface OutputOptions {
  /** Default: from the extension (E_BAD_ARGUMENT when it names no format). */
  format?: OutputFormat;
  /** WAV: 16, 24 or "32f"; FLAC: 16 or 24 (default 24). Ignored by the lossy formats. */
  bitDepth?: OutputBitDepth;
  sampleRateHz: number;
  channels: number;
  tags?: Tags;
  force?: boolean;
  /** MP3: CBR at this rate (default VBR V0); AAC: default 256; Opus: default 160. */
  bitrateKbps?: number;
  /**
   * Dither for integer outputs (WAV/FLAC 16 or 24 bits), default "tpdf". Pass "none" when no
   * precision is lost (an unprocessed integer source at the same or a longer word length: see
   * `needsDither` in core/dsp/dither.ts); float and lossy outputs are never dithered.
   */
  dither?: DitherMode;
  /** Dither seed (unsigned 32-bit), default 1: same seed, same output. */
  seed?: number;
}

export interface OutputReport {
  path: string;
  format: OutputFormat;
  sampleRateHz: number;
  channels: number;
  frames: number;
  /** PCM word length for WAV/FLAC. */
  bitDepth: OutputBitDepth | null;
  /** Lossy formats: the bitrate and mode. */
  bitrateKbps: number | null;
  bitrateMode: "cbr" | "vbr" | null;
  /** The dither applied (shape and seed), or null. */
  dither: { shape: "tpdf" | "shaped"; seed: number; bitDepth: 16 | 24 } | null;
  encoder: string;
  /** WAV: the loudness written into bext. */
  bextLoudness: BextLoudness | null;
}

export interface AudioOutput {
  readonly path: string;
  readonly format: OutputFormat;
  readonly framesWritten: number;
  /** Appends `frames` frames of planar samples; the caller's arrays are not modified. */
  write(channels: Float32Array[], frames: number): Promise<void>;
  close(): Promise<OutputReport>;
  abort(): Promise<void>;
}

function bad(path: string, detail: string): MastersmithError {
  return new MastersmithError("E_BAD_ARGUMENT", { file: path, detail });
}

export async function openOutput(path: string, o: OutputOptions): Promise<AudioOutput> {
  const format = o.format ?? formatFromPath(path);
  if (format === null) throw bad(path, "unknown output extension: give --format or use .wav, .flac, .mp3, .m4a or .opus");
  const lossy = format === "mp3" || format === "aac" || format === "opus";
  let bitDepth: OutputBitDepth | null = null;
  if (!lossy) {
    bitDepth = o.bitDepth ?? 24;
    if (format === "flac" && bitDepth === "32f") throw bad(path, "FLAC holds 16 or 24-bit integers, not 32-bit float");
    if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== "32f") throw bad(path, `bit depth ${String(bitDepth)}`);
  }
  const seed = (o.seed ?? 1) >>> 0;
  const shape = o.dither ?? "tpdf";
  if (shape !== "tpdf" && shape !== "shaped" && shape !== "none") throw bad(path, `dither '${String(shape)}' (tpdf, shaped or none)`);
  const ditherDepth = bitDepth === 16 || bitDepth === 24 ? bitDepth : null;
  const dither = ditherDepth !== null && shape !== "none" ? { shape, seed, bitDepth: ditherDepth } : null;
  const ditherNote = dither ? `dither ${dither.shape} seed ${dither.seed}` : undefined;
  const extra: Record<string, string> = ditherNote ? { MASTERSMITH_DITHER: ditherNote } : {};

  let encoder: Encoder;
  let encoderName: string;
  let bitrateKbps: number | null = null;
  let bitrateMode: "cbr" | "vbr" | null = null;
  let wav: WavEncoder | null = null;
  const common = { sampleRateHz: o.sampleRateHz, channels: o.channels, tags: o.tags, force: o.force };
  switch (format) {
    case "wav":
      wav = await createWavEncoder(path, { ...common, bitDepth: bitDepth as OutputBitDepth, software: SOFTWARE, extraTags: extra, codingNote: ditherNote });
      encoder = wav;
      encoderName = "mastersmith wav";
      break;
    case "flac":
      encoder = createFlacEncoder(path, { ...common, bitDepth: bitDepth as 16 | 24, extraComments: extra });
      encoderName = "flac (system)";
      break;
    case "mp3":
      encoder = createMp3Encoder(path, { ...common, bitrateKbps: o.bitrateKbps });
      encoderName = "lame (system)";
      bitrateKbps = o.bitrateKbps ?? null;
      bitrateMode = o.bitrateKbps === undefined ? "vbr" : "cbr";
      break;
    case "aac":
      encoder = createAacEncoder(path, { ...common, bitrateKbps: o.bitrateKbps });
      encoderName = "ffmpeg aac (system)";
      bitrateKbps = o.bitrateKbps ?? DEFAULT_AAC_KBPS;
      bitrateMode = "cbr";
      break;
    case "opus":
      encoder = createOpusEncoder(path, { ...common, bitrateKbps: o.bitrateKbps });
      encoderName = "ffmpeg libopus (system)";
      bitrateKbps = o.bitrateKbps ?? DEFAULT_OPUS_KBPS;
      bitrateMode = "vbr";
      break;
  }
  return new Output(path, format, encoder, o, dither, {
    path, format, sampleRateHz: o.sampleRateHz, channels: o.channels, frames: 0, bitDepth,
    bitrateKbps, bitrateMode, dither, encoder: encoderName, bextLoudness: null,
  }, wav);
}

class Output implements AudioOutput {
  private readonly ditherer: Dither | null;
  /** Scratch copy for the dither (which works in place): grown only when a larger block arrives. */
  private scratch: Float32Array[];
  private ditherMaxFrames = 0;

  constructor(
    readonly path: string,
    readonly format: OutputFormat,
    private readonly encoder: Encoder,
    private readonly options: OutputOptions,
    dither: OutputReport["dither"],
    private readonly report: OutputReport,
    private readonly wav: WavEncoder | null,
  ) {
    this.ditherer = dither ? new Dither({ bitDepth: dither.bitDepth, shape: dither.shape, seed: dither.seed }) : null;
    this.scratch = [];
  }

  get framesWritten(): number {
    return this.encoder.framesWritten;
  }

  async write(channels: Float32Array[], frames: number): Promise<void> {
    if (channels.length !== this.options.channels) {
      throw bad(this.path, `${channels.length} channels given, ${this.options.channels} expected`);
    }
    if (this.ditherer === null) return this.encoder.write(channels, frames);
    if (this.ditherMaxFrames === 0) {
      // prepare() allocates and resets the dither state: done once; larger blocks go in pieces.
      this.ditherMaxFrames = Math.max(frames, MIN_DITHER_BLOCK_FRAMES);
      this.scratch = channels.map(() => new Float32Array(this.ditherMaxFrames));
      this.ditherer.prepare({ sampleRateHz: this.options.sampleRateHz, channels: channels.length, maxBlockFrames: this.ditherMaxFrames });
    }
    for (let start = 0; start < frames; start += this.ditherMaxFrames) {
      const n = Math.min(this.ditherMaxFrames, frames - start);
      for (let c = 0; c < channels.length; c++) this.scratch[c].set(channels[c].subarray(start, start + n));
      this.ditherer.process(this.scratch, n);
      await this.encoder.write(this.scratch, n);
    }
  }

  async close(): Promise<OutputReport> {
    await this.encoder.close();
    return { ...this.report, frames: this.encoder.framesWritten, bextLoudness: this.wav?.loudness ?? null };
  }

  abort(): Promise<void> {
    return this.encoder.abort();
  }
}
