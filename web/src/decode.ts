/**
 * Decoding a dropped file in the browser with the same readers as src/io (WAV/RF64/BW64 and
 * AIFF/AIFC header parsers + PCM converter, the WASM FLAC, MP3 and Ogg Vorbis/Opus decoders), so
 * the browser sees the very samples `mastersmith analyze` sees. Never decodeAudioData: it
 * resamples to the device rate (STYLE.md, patterns to avoid).
 *
 * The src/io readers take a FileSource (a synchronous random-access byte source) and use only
 * `file`, `sizeBytes`, `readAt`, `readExact` and `close` of it; `BytesSource` gives them the same
 * surface over the bytes of a File already in memory, without node:fs.
 *
 * MP4/M4A (AAC, ALAC) is not read here: src/io decodes it through ffmpeg, which a browser does
 * not have. Such a file gets E_UNSUPPORTED_FORMAT on the page in private mode; the server reads it.
 */
import { MastersmithError } from "../../src/core/codes.js";
import { parseAiff } from "../../src/io/aiff.js";
import { Mp3Reader, parseMp3Header, parseMpegFrameHeader } from "../../src/io/decode-mp3.js";
import { OggReader, parseOggHeader } from "../../src/io/decode-ogg.js";
import type { FileSource } from "../../src/io/file-source.js";
import { FlacReader, parseFlacHeader } from "../../src/io/flac.js";
import { fourcc } from "../../src/io/header-checks.js";
import { PcmReader } from "../../src/io/pcm-reader.js";
import type { AudioInfo, AudioReader } from "../../src/io/types.js";
import { parseWav } from "../../src/io/wav.js";

/** The formats private mode reads (and says so on the page). */
export const PRIVATE_READS = "WAV, RF64/BW64, AIFF/AIFC, FLAC, MP3, Ogg Vorbis, Ogg Opus";

/** FileSource's reading surface over an in-memory byte array. */
class BytesSource {
  readonly file: string;
  readonly sizeBytes: number;
  private readonly bytes: Uint8Array;

  constructor(file: string, bytes: Uint8Array) {
    this.file = file;
    this.bytes = bytes;
    this.sizeBytes = bytes.length;
  }

  readAt(buf: Uint8Array, length: number, position: number): number {
    const end = Math.min(this.sizeBytes, position + length);
    if (end <= position) return 0;
    buf.set(this.bytes.subarray(position, end), 0);
    return end - position;
  }

  readExact(length: number, position: number): Uint8Array | null {
    if (position + length > this.sizeBytes || position < 0) return null;
    return this.bytes.slice(position, position + length);
  }

  close(): void {
    // Nothing to release: the bytes belong to the caller.
  }
}

/** Size of an ID3v2 tag at the start (ID3v2.4 §3.1: 10-byte header, syncsafe size), or 0. */
function id3v2Bytes(head: Uint8Array): number {
  if (head.length < 10 || head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) return 0;
  const size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9];
  return 10 + size + (head[5] & 0x10 ? 10 : 0);
}

function describe(head: Uint8Array): string {
  if (head.length >= 4 && fourcc(head, 0) === "%PDF") return "looks like a PDF document";
  if (head.length >= 8 && fourcc(head, 4) === "ftyp") return "MP4/M4A is decoded by the server only (turn private mode off, or convert to WAV or FLAC)";
  let printable = 0;
  for (const b of head) if ((b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d) printable++;
  if (head.length > 0 && printable === head.length) return "looks like text";
  return "no WAV, AIFF, FLAC, MP3 or Ogg signature";
}

/** Opens `bytes` (the whole file) with the reader its content calls for; errors are MastersmithErrors naming `name`. */
export function openBytes(name: string, bytes: Uint8Array): AudioReader {
  if (bytes.length === 0) throw new MastersmithError("E_EMPTY_FILE", { file: name });
  const source = new BytesSource(name, bytes) as unknown as FileSource;
  const head = bytes.subarray(0, 64);
  let offset = 0;
  const skip = id3v2Bytes(head);
  if (skip > 0) {
    if (skip + 4 > bytes.length) throw new MastersmithError("E_TRUNCATED", { file: name, detail: `the file ends inside its ${skip}-byte ID3v2 tag` });
    offset = skip;
  }
  const at = bytes.subarray(offset, offset + 12);
  if (at.length >= 4 && fourcc(at, 0) === "fLaC") return new FlacReader(source, parseFlacHeader(source, offset));
  if (at.length >= 4 && fourcc(at, 0) === "OggS") return new OggReader(source, parseOggHeader(source));
  if (at.length >= 4 && parseMpegFrameHeader(at, 0) !== null) return new Mp3Reader(source, parseMp3Header(source, offset));
  if (at.length >= 12) {
    const outer = fourcc(at, 0);
    const form = fourcc(at, 8);
    if (form === "WAVE" && outer === "RIFF") return new PcmReader(source, parseWav(source, "wav"));
    if (form === "WAVE" && outer === "RF64") return new PcmReader(source, parseWav(source, "rf64"));
    if (form === "WAVE" && outer === "BW64") return new PcmReader(source, parseWav(source, "bw64"));
    if (outer === "FORM" && form === "AIFF") return new PcmReader(source, parseAiff(source, "aiff"));
    if (outer === "FORM" && form === "AIFC") return new PcmReader(source, parseAiff(source, "aifc"));
  }
  throw new MastersmithError("E_UNSUPPORTED_FORMAT", { file: name, detail: describe(head) });
}

export interface DecodedAudio {
  readonly info: AudioInfo;
  /** Planar samples, one Float32Array per channel, all the same length. */
  readonly channels: Float32Array[];
}

/**
 * Decodes the whole file to planar Float32. `onProgress(fraction)` after every block. The
 * output grows by doubling when the header does not state the length (and is trimmed at the end).
 */
export async function decodeBytes(name: string, bytes: Uint8Array, onProgress: (fraction: number) => void): Promise<DecodedAudio> {
  const reader = openBytes(name, bytes);
  try {
    const { channels, frames: statedFrames } = reader.info;
    let capacity = statedFrames > 0 ? statedFrames : 1 << 20;
    let planes = Array.from({ length: channels }, () => new Float32Array(capacity));
    let frames = 0;
    let lastReport = 0;
    for await (const block of reader.blocks(16384)) {
      const n = block[0].length;
      if (frames + n > capacity) {
        capacity = Math.max(capacity * 2, frames + n);
        planes = planes.map((p) => { const grown = new Float32Array(capacity); grown.set(p.subarray(0, frames)); return grown; });
      }
      for (let c = 0; c < channels; c++) planes[c].set(block[c], frames);
      frames += n;
      if (statedFrames > 0 && frames - lastReport > statedFrames / 50) {
        lastReport = frames;
        onProgress(Math.min(1, frames / statedFrames));
      }
    }
    if (frames === 0) throw new MastersmithError("E_CORRUPT", { file: name, detail: "no audio frames decode" });
    if (frames < capacity) planes = planes.map((p) => p.slice(0, frames));
    onProgress(1);
    return { info: { ...reader.info, frames }, channels: planes };
  } finally {
    await reader.close();
  }
}
