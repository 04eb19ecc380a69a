/**
 * FLAC output through the system `flac` program (libFLAC 1.4): samples stream to its stdin as
 * raw little-endian integers; it writes STREAMINFO with the true total samples and the MD5 of
 * the audio at the end (it seeks back in the output file), Vorbis comments and the PICTURE block.
 *
 * Why not an npm encoder: libflacjs (MIT, libFLAC 1.3.3 in emscripten) encodes, but its stream
 * API hands back STREAMINFO only through a metadata callback (we would have to patch the header
 * and splice in our own VORBIS_COMMENT and PICTURE blocks), and it ships a multi-megabyte asm.js
 * bundle; the flac CLI does all of it, exactly, and is installed wherever ffmpeg/sox are.
 */
import { MastersmithError } from "../core/codes.js";
import { checkTarget, partialName, PipeEncoder, pipedEncoder, requireTool, type Encoder } from "./encode-common.js";
import { vorbisCommentFields, type Tags } from "./tags.js";

export interface FlacEncoderOptions {
  sampleRateHz: number;
  channels: number;
  bitDepth: 16 | 24;
  tags?: Tags;
  /** Extra Vorbis comments (e.g. the dither seed). */
  extraComments?: Record<string, string>;
  force?: boolean;
}

/** FLAC's STREAMINFO limits (FLAC format §METADATA_BLOCK_STREAMINFO): 1..8 channels, rate < 2^20 (the CLI: ≤ 1 048 575 Hz). */
const MAX_FLAC_CHANNELS = 8;

export function createFlacEncoder(path: string, o: FlacEncoderOptions): Encoder {
  if (o.channels < 1 || o.channels > MAX_FLAC_CHANNELS) {
    throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `FLAC holds 1 to ${MAX_FLAC_CHANNELS} channels, not ${o.channels}` });
  }
  const tool = requireTool("flac", path, "FLAC output");
  checkTarget(path, o.force === true);
  const partial = partialName(path);
  const args = [
    "--silent", "--force-raw-format", "--endian=little", "--sign=signed",
    `--channels=${o.channels}`, `--bps=${o.bitDepth}`, `--sample-rate=${o.sampleRateHz}`,
    "-5", "--no-utf8-convert",
  ];
  for (const [k, v] of vorbisCommentFields(o.tags ?? {}, o.extraComments)) args.push(`--tag=${k}=${v}`);
  // PICTURE spec "TYPE|MIME|DESCRIPTION|SIZE|FILE": type 3 = front cover, the rest read from the file.
  if (o.tags?.cover !== undefined) args.push(`--picture=3||||${o.tags.cover}`);
  args.push("-o", partial, "-");
  const pipe = new PipeEncoder(path, tool, args, o.channels, o.bitDepth === 16 ? "s16" : "s24");
  return pipedEncoder(path, partial, pipe, o.force === true);
}
