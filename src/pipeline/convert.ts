/**
 * convert(input, output): one streaming pass from a decoded file to an encoded one. The samples
 * are unchanged except for the output's word length (dither only where precision is lost, as
 * `needsDither` decides) and, with `sampleRateHz`, sample-rate conversion.
 */
import { MastersmithError, isMastersmithError } from "../core/codes.js";
import { needsDither } from "../core/dsp/dither.js";
import { openAudioFile } from "../io/open.js";
import { resampleStream } from "../io/resample.js";
import type { AudioInfo } from "../io/types.js";
import type { Tags } from "../io/tags.js";
import { formatFromPath, openOutput, type AudioOutput, type DitherMode, type OutputBitDepth, type OutputFormat, type OutputReport } from "./outputs.js";

export interface ConvertOptions {
  format?: OutputFormat;
  bitDepth?: OutputBitDepth;
  /** Output sample rate (polyphase sinc resampler, no time shift, length round(N·out/in)). */
  sampleRateHz?: number;
  /** Shape when dither is needed (default "tpdf"); "none" never dithers. */
  dither?: DitherMode;
  seed?: number;
  bitrateKbps?: number;
  tags?: Tags;
  force?: boolean;
}

export interface ConvertReport {
  input: string;
  source: { container: AudioInfo["container"]; codec: string; sampleRateHz: number; channels: number; bitDepth: number; sampleFormat: AudioInfo["sampleFormat"]; frames: number };
  output: OutputReport;
  /** Why the output was or was not dithered. */
  ditherReason: string;
}

const BLOCK_FRAMES = 16384;

/** The default PCM word length for a source: its own when the format holds it, else 24 (or 32f for float sources in WAV). */
function defaultBitDepth(format: OutputFormat, info: AudioInfo): OutputBitDepth | undefined {
  if (format !== "wav" && format !== "flac") return undefined;
  if (info.sampleFormat === "float") return format === "wav" ? "32f" : 24;
  return info.bitDepth <= 16 ? 16 : 24;
}

export async function convert(inputPath: string, outputPath: string, options: ConvertOptions = {}): Promise<ConvertReport> {
  const format = options.format ?? formatFromPath(outputPath);
  if (format === null) {
    throw new MastersmithError("E_BAD_ARGUMENT", { file: outputPath, detail: "unknown output extension: give --format or use .wav, .flac, .mp3, .m4a or .opus" });
  }
  const source = await openAudioFile(inputPath);
  let reader = source;
  let output: AudioOutput | null = null;
  try {
    const info = source.info;
    const sampleRateHz = options.sampleRateHz ?? info.sampleRateHz;
    // Resampling computes new samples: they lie off any integer grid, so they are "processed".
    const processed = sampleRateHz !== info.sampleRateHz;
    if (processed) reader = resampleStream(source, sampleRateHz);
    const bitDepth = options.bitDepth ?? defaultBitDepth(format, info);
    let dither: DitherMode = "none";
    let ditherReason: string;
    if (bitDepth === undefined) ditherReason = "lossy output: the encoder takes 24-bit or float samples, no word length is reduced";
    else if (bitDepth === "32f") ditherReason = "32-bit float output holds every source sample exactly";
    else if (options.dither === "none") ditherReason = "--dither none";
    else if (needsDither(info.bitDepth, info.sampleFormat === "float", processed, bitDepth)) {
      dither = options.dither ?? "tpdf";
      ditherReason = processed
        ? `resampled to ${sampleRateHz} Hz: new samples written as ${bitDepth}-bit integers`
        : info.sampleFormat === "float"
        ? `float source written as ${bitDepth}-bit integers`
        : `${info.bitDepth}-bit source reduced to ${bitDepth} bits`;
    } else ditherReason = `${info.bitDepth}-bit ${info.sampleFormat} source written unchanged at ${bitDepth} bits: bit-exact, no dither`;
    output = await openOutput(outputPath, {
      format, bitDepth, sampleRateHz, channels: info.channels, tags: options.tags, force: options.force,
      bitrateKbps: options.bitrateKbps, dither, seed: options.seed,
    });
    for await (const block of reader.blocks(BLOCK_FRAMES)) await output.write(block, block[0].length);
    const report = await output.close();
    output = null;
    return {
      input: inputPath,
      source: { container: info.container, codec: info.codec, sampleRateHz: info.sampleRateHz, channels: info.channels, bitDepth: info.bitDepth, sampleFormat: info.sampleFormat, frames: info.frames },
      output: report,
      ditherReason,
    };
  } catch (e) {
    if (output !== null) await output.abort();
    if (isMastersmithError(e)) throw e;
    throw new MastersmithError("E_INTERNAL", { file: inputPath, detail: e instanceof Error ? e.message : String(e), cause: e });
  } finally {
    await reader.close();
  }
}
