/**
 * Opening an audio file: the format is detected from the content (magic bytes), never from the
 * file name, so a FLAC named .wav still opens and a PDF named .wav is refused with a clear code.
 */
import { MastersmithError } from "../core/codes.js";
import { parseAiff } from "./aiff.js";
import { FileSource } from "./file-source.js";
import { fourcc } from "./header-checks.js";
import { parseMpegFrameHeader } from "./mpeg-frame.js";
import { PcmReader } from "./pcm-reader.js";
import type { AudioReader, Container } from "./types.js";
import { parseWav } from "./wav.js";

/** Bytes read for sniffing; also covers an ID3v2 header in front of a FLAC stream. */
const HEAD_BYTES = 64;

/** The container of a file from its first bytes (at least 12), or null when it is not one we read. */
export function sniffFormat(head: Uint8Array): Container | null {
  if (head.length >= 4 && fourcc(head, 0) === "fLaC") return "flac";
  if (head.length >= 4 && fourcc(head, 0) === "OggS") return "ogg";
  if (head.length >= 4 && parseMpegFrameHeader(head, 0) !== null) return "mp3";
  if (head.length < 12) return null;
  const outer = fourcc(head, 0);
  const form = fourcc(head, 8);
  if (form === "WAVE") {
    if (outer === "RIFF") return "wav";
    if (outer === "RF64") return "rf64";
    if (outer === "BW64") return "bw64";
  }
  if (outer === "FORM") {
    if (form === "AIFF") return "aiff";
    if (form === "AIFC") return "aifc";
  }
  // ISO base media (MP4/M4A/MOV): a file-type box first (ISO/IEC 14496-12 §4.3).
  if (fourcc(head, 4) === "ftyp") return "mp4";
  return null;
}

/** What an unreadable file most likely is, for the E_UNSUPPORTED_FORMAT message. */
function describe(head: Uint8Array): string {
  const text = fourcc(head, 0);
  if (text === "RIFX") return "big-endian RIFX WAV is not supported";
  if (text === "OggS") return "looks like Ogg (Vorbis/Opus/Ogg FLAC); convert to WAV or FLAC first";
  if (text === "%PDF") return "looks like a PDF document";
  if (text.startsWith("ID3") || (head[0] === 0xff && (head[1] & 0xe0) === 0xe0)) return "looks like MP3; convert to WAV or FLAC first";
  if (head.length >= 8 && fourcc(head, 4) === "ftyp") return "looks like MP4/M4A; convert to WAV or FLAC first";
  if (text === "caff") return "looks like Core Audio Format (CAF); convert to WAV or FLAC first";
  if (text === "FORM") return `IFF form '${fourcc(head, 8)}' is not AIFF`;
  if (text === "RIFF") return `RIFF form '${fourcc(head, 8)}' is not WAVE`;
  let printable = 0;
  for (const b of head) if ((b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d) printable++;
  if (printable === head.length) return "looks like text";
  return "no WAV, AIFF, FLAC, MP3, Ogg or MP4 signature";
}

/** Size of an ID3v2 tag at the start of `head` (header + body, RFC-less de facto ID3v2.4 §3.1), or 0. */
function id3v2Bytes(head: Uint8Array): number {
  if (head.length < 10 || fourcc(head, 0).slice(0, 3) !== "ID3") return 0;
  // Syncsafe size: 4 × 7 bits.
  const size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9];
  const footer = head[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/**
 * Opens an audio file for streamed reading. The header is fully validated here, so a bad file
 * fails at open with a MastersmithError naming it: E_NOT_FOUND, E_IS_DIRECTORY, E_EMPTY_FILE,
 * E_UNSUPPORTED_FORMAT, E_UNSUPPORTED_CODEC, E_BAD_HEADER, E_TRUNCATED, E_CORRUPT.
 */
export async function openAudioFile(path: string): Promise<AudioReader> {
  const source = FileSource.open(path);
  try {
    const head = new Uint8Array(HEAD_BYTES);
    const headBytes = source.readAt(head, HEAD_BYTES, 0);
    const view = head.subarray(0, headBytes);
    let container = sniffFormat(view);
    let streamOffsetBytes = 0;
    if (container === null) {
      // A FLAC or MP3 stream may be preceded by an ID3v2 tag (some taggers write one).
      const skip = id3v2Bytes(view);
      if (skip > 0 && skip + 4 <= source.sizeBytes) {
        const marker = source.readExact(4, skip);
        if (marker !== null && fourcc(marker, 0) === "fLaC") {
          container = "flac";
          streamOffsetBytes = skip;
        } else if (marker !== null && parseMpegFrameHeader(marker, 0) !== null) {
          container = "mp3";
          streamOffsetBytes = skip;
        }
      } else if (skip > 0) {
        throw new MastersmithError("E_TRUNCATED", { file: path, detail: `the file ends inside its ${skip}-byte ID3v2 tag` });
      }
    }
    if (container === null) {
      throw new MastersmithError("E_UNSUPPORTED_FORMAT", { file: path, detail: describe(view) });
    }
    switch (container) {
      // The decoders (WebAssembly, or ffmpeg for MP4) load only for their own format: start-up
      // for a WAV does not pay for them.
      case "flac": {
        const { FlacReader, parseFlacHeader } = await import("./flac.js");
        return new FlacReader(source, parseFlacHeader(source, streamOffsetBytes));
      }
      case "wav": case "rf64": case "bw64":
        return new PcmReader(source, parseWav(source, container));
      case "aiff": case "aifc":
        return new PcmReader(source, parseAiff(source, container));
      case "mp3": {
        const { Mp3Reader, parseMp3Header } = await import("./decode-mp3.js");
        return new Mp3Reader(source, parseMp3Header(source, streamOffsetBytes));
      }
      case "ogg": {
        const { OggReader, parseOggHeader } = await import("./decode-ogg.js");
        return new OggReader(source, parseOggHeader(source));
      }
      case "mp4": {
        const { findFfmpeg, Mp4Reader, parseMp4Header } = await import("./decode-mp4.js");
        const track = parseMp4Header(source);
        return new Mp4Reader(source, track, findFfmpeg(path, track.codec));
      }
    }
  } catch (e) {
    source.close();
    if (e instanceof MastersmithError) throw e.withFile(path);
    // Anything else is our bug, but the user still gets a code and the file name, not a trace.
    throw new MastersmithError("E_INTERNAL", { file: path, detail: e instanceof Error ? e.message : String(e), cause: e });
  }
}
