/**
 * Ogg Vorbis and Ogg Opus. The identification header of the first page and the granule position
 * of the last page are parsed here (RFC 3533 §6 page layout; Vorbis I spec §4.2.2 and §A.2;
 * RFC 7845 §5.1 OpusHead, §4 granule position and pre-skip), then the pages are decoded by the
 * MIT-licensed `@wasm-audio-decoders/ogg-vorbis` (libvorbis) or `ogg-opus-decoder` (libopus),
 * fed the file in 64 KiB chunks.
 *
 * Length: the decoders honour the granule positions (the pre-skip at the start of Opus, the end
 * trim on the last page of both), so the decoded length equals the last granule position
 * (Vorbis) or that minus the pre-skip (Opus): the encoder's input length (tested). Opus always
 * decodes at 48 kHz (RFC 7845 §5.1: the "input sample rate" field is informational only);
 * resample with resampleStream when another rate is needed.
 *
 * Not supported: chained (concatenated) or multiplexed logical streams (only the first logical
 * stream's serial is followed for the length), Ogg FLAC, Speex.
 */
import { OggVorbisDecoder } from "@wasm-audio-decoders/ogg-vorbis";
import { OggOpusDecoder } from "ogg-opus-decoder";
import { MastersmithError } from "../core/codes.js";
import { checkBlockFrames, freeDecoder, INPUT_CHUNK_BYTES, quietlyAsync, Reblocker } from "./decode-common.js";
import type { FileSource } from "./file-source.js";
import { checkFormat, fourcc } from "./header-checks.js";
import { DEFAULT_BLOCK_FRAMES, type AudioInfo, type AudioReader } from "./types.js";

/** Largest possible Ogg page: 27-byte header, 255 lacing values, 255 × 255 body bytes. */
const MAX_PAGE_BYTES = 27 + 255 + 255 * 255;

export interface OggStream {
  codec: "vorbis" | "opus";
  channels: number;
  /** Decoded rate: the Vorbis rate, or 48000 for Opus. */
  sampleRateHz: number;
  /** Opus "input sample rate" (informational), else equal to sampleRateHz. */
  inputRateHz: number;
  preSkipFrames: number;
  totalFrames: number;
}

interface PageHead {
  headerType: number;
  granule: number;
  serial: number;
  headerBytes: number;
  bodyBytes: number;
}

function pageAt(b: Uint8Array, p: number): PageHead | null {
  if (p + 27 > b.length || fourcc(b, p) !== "OggS" || b[p + 4] !== 0) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const nsegs = b[p + 26];
  if (p + 27 + nsegs > b.length) return null;
  let bodyBytes = 0;
  for (let i = 0; i < nsegs; i++) bodyBytes += b[p + 27 + i];
  // int64 granule; −1 (all ones) means "no packet ends on this page".
  const lo = dv.getUint32(p + 6, true);
  const hi = dv.getInt32(p + 10, true);
  return { headerType: b[p + 5], granule: hi * 2 ** 32 + lo, serial: dv.getUint32(p + 14, true), headerBytes: 27 + nsegs, bodyBytes };
}

/** Parses the first page's identification header and the last page's granule position. */
export function parseOggHeader(source: FileSource): OggStream {
  const file = source.file;
  const head = new Uint8Array(Math.min(source.sizeBytes, MAX_PAGE_BYTES));
  source.readAt(head, head.length, 0);
  const first = pageAt(head, 0);
  if (first === null) throw new MastersmithError("E_TRUNCATED", { file, detail: "the file ends inside the first Ogg page" });
  if (first.headerBytes + first.bodyBytes > source.sizeBytes) {
    throw new MastersmithError("E_TRUNCATED", { file, detail: "the file ends inside the first Ogg page" });
  }
  const id = head.subarray(first.headerBytes, first.headerBytes + first.bodyBytes);
  const dv = new DataView(id.buffer, id.byteOffset, id.byteLength);
  let stream: OggStream;
  const magic = String.fromCharCode(...id.subarray(0, 8));
  if (id.length >= 30 && id[0] === 1 && magic.slice(1, 7) === "vorbis") {
    const channels = id[11];
    const rate = dv.getUint32(12, true);
    checkFormat(file, channels, rate);
    stream = { codec: "vorbis", channels, sampleRateHz: rate, inputRateHz: rate, preSkipFrames: 0, totalFrames: 0 };
  } else if (id.length >= 19 && magic === "OpusHead") {
    const channels = id[9];
    checkFormat(file, channels, 48000);
    stream = { codec: "opus", channels, sampleRateHz: 48000, inputRateHz: dv.getUint32(12, true) || 48000, preSkipFrames: dv.getUint16(10, true), totalFrames: 0 };
  } else {
    const what = magic.slice(1, 5) === "FLAC" ? "Ogg FLAC" : magic.startsWith("Speex") ? "Speex" : magic.slice(1, 7) === "theora" ? "Theora video" : "an unknown codec";
    throw new MastersmithError("E_UNSUPPORTED_CODEC", { file, detail: `Ogg stream of ${what}; Vorbis and Opus are read` });
  }

  // The last page of our logical stream: scan the tail backwards for a page that ends exactly at
  // (or before) the end of the file. Its granule position is the stream's end (RFC 7845 §4.4).
  const tailStart = Math.max(0, source.sizeBytes - MAX_PAGE_BYTES);
  const tail = new Uint8Array(source.sizeBytes - tailStart);
  source.readAt(tail, tail.length, tailStart);
  let last: PageHead | null = null;
  let lastEnd = 0;
  for (let p = tail.length - 27; p >= 0; p--) {
    if (tail[p] !== 0x4f) continue; // 'O'
    const page = pageAt(tail, p);
    if (page === null || page.serial !== first.serial) continue;
    const end = p + page.headerBytes + page.bodyBytes;
    if (end > tail.length) continue; // a page cut short by the end of the file
    last = page;
    lastEnd = end;
    break;
  }
  if (last === null || (last.headerType & 0x04) === 0 || last.granule < 0) {
    const detail = last === null
      ? "no complete Ogg page at the end of the file"
      : `the last complete Ogg page (ending at byte ${tailStart + lastEnd} of ${source.sizeBytes}) is not an end-of-stream page`;
    throw new MastersmithError("E_TRUNCATED", { file, detail });
  }
  stream.totalFrames = Math.max(0, last.granule - stream.preSkipFrames);
  return stream;
}

/** Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0 (RFC 3533 §6). */
const CRC32_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/**
 * Checks every page's CRC as the bytes stream past (pages may straddle input chunks). The
 * decoders do not: a damaged page would otherwise decode to wrong samples or a silent gap.
 */
export class OggPageChecker {
  /** Absolute offset of the current page. */
  private pageStart = 0;
  /** Bytes of the current page seen so far. */
  private seen = 0;
  /** Header length (27 + segments) once known, and the page's total length. */
  private headerBytes = 27;
  private pageBytes = 0;
  private crc = 0;
  private expected = 0;
  private readonly head = new Uint8Array(27 + 255);

  /** Feeds the next `n` bytes of the file; returns an error text for the first bad page, or null. */
  feed(bytes: Uint8Array, n: number): string | null {
    let i = 0;
    while (i < n) {
      if (this.pageBytes === 0) {
        // Still collecting the header (the segment table tells the body length).
        const b = bytes[i++];
        this.head[this.seen++] = b;
        if (this.seen === 4 && fourcc(this.head, 0) !== "OggS") return `no Ogg page at byte ${this.pageStart}`;
        if (this.seen === 27) this.headerBytes = 27 + this.head[26];
        if (this.seen === this.headerBytes && this.seen >= 27) {
          let body = 0;
          for (let k = 27; k < this.headerBytes; k++) body += this.head[k];
          this.pageBytes = this.headerBytes + body;
          this.expected = (this.head[22] | (this.head[23] << 8) | (this.head[24] << 16) | (this.head[25] << 24)) >>> 0;
          this.head[22] = this.head[23] = this.head[24] = this.head[25] = 0;
          let crc = 0;
          for (let k = 0; k < this.headerBytes; k++) crc = ((crc << 8) ^ CRC32_TABLE[((crc >>> 24) ^ this.head[k]) & 0xff]) >>> 0;
          this.crc = crc;
        }
      } else {
        const take = Math.min(n - i, this.pageBytes - this.seen);
        let crc = this.crc;
        for (let k = i; k < i + take; k++) crc = ((crc << 8) ^ CRC32_TABLE[((crc >>> 24) ^ bytes[k]) & 0xff]) >>> 0;
        this.crc = crc;
        this.seen += take;
        i += take;
      }
      if (this.pageBytes > 0 && this.seen === this.pageBytes) {
        if (this.crc !== this.expected) return `the Ogg page at byte ${this.pageStart} fails its CRC`;
        this.pageStart += this.pageBytes;
        this.seen = 0;
        this.pageBytes = 0;
        this.headerBytes = 27;
      }
    }
    return null;
  }
}

type OggDecoded = { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number; errors: { message: string; frameNumber: number; inputBytes: number }[] };
interface OggDecoder {
  ready: Promise<void>;
  decode(data: Uint8Array): OggDecoded | Promise<OggDecoded>;
  flush(): Promise<OggDecoded>;
  free(): void;
}

export class OggReader implements AudioReader {
  readonly file: string;
  readonly info: AudioInfo;
  private readonly source: FileSource;
  private readonly stream: OggStream;

  constructor(source: FileSource, stream: OggStream) {
    this.source = source;
    this.file = source.file;
    this.stream = stream;
    this.info = {
      container: "ogg",
      codec: stream.codec,
      sampleRateHz: stream.sampleRateHz,
      channels: stream.channels,
      bitDepth: 32,
      sampleFormat: "float",
      frames: stream.totalFrames,
    };
  }

  async *blocks(blockFrames: number = DEFAULT_BLOCK_FRAMES): AsyncGenerator<Float32Array[]> {
    checkBlockFrames(blockFrames);
    const file = this.file;
    const { channels, sampleRateHz, frames: total } = this.info;
    const out = new Reblocker(channels, blockFrames, 0, total);
    const input = new Uint8Array(INPUT_CHUNK_BYTES);
    const decoder: OggDecoder = this.stream.codec === "vorbis" ? new OggVorbisDecoder() : new OggOpusDecoder();
    try {
      await decoder.ready;
      const pages = new OggPageChecker();
      let position = 0;
      let eof = false;
      while (!eof && !out.full) {
        const n = this.source.readAt(input, INPUT_CHUNK_BYTES, position);
        const bad = pages.feed(input, n);
        if (bad !== null) throw new MastersmithError("E_CORRUPT", { file, detail: bad });
        position += n;
        eof = n === 0;
        let decoded: OggDecoded;
        try {
          // The decoders copy their input before returning (the promise settles inside the call).
          decoded = await quietlyAsync(() => (eof ? decoder.flush() : decoder.decode(input.slice(0, n))));
        } catch (e) {
          throw new MastersmithError("E_CORRUPT", { file, detail: `${this.stream.codec} decoder failed: ${e instanceof Error ? e.message : String(e)}`, cause: e });
        }
        if (decoded.errors.length > 0) {
          const err = decoded.errors[0];
          throw new MastersmithError("E_CORRUPT", { file, detail: `${this.stream.codec} packet ${err.frameNumber} near byte ${err.inputBytes}: ${err.message}` });
        }
        if (decoded.samplesDecoded === 0) continue;
        if (decoded.sampleRate !== sampleRateHz || decoded.channelData.length !== channels) {
          throw new MastersmithError("E_CORRUPT", {
            file, detail: `decoded ${decoded.channelData.length} channels at ${decoded.sampleRate} Hz, the header says ${channels} at ${sampleRateHz} Hz`,
          });
        }
        out.push(decoded.channelData, decoded.samplesDecoded);
        for (let b = out.next(); b !== null; b = out.next()) yield b;
      }
      const rest = out.rest();
      if (rest !== null) yield rest;
      if (out.emittedFrames < total) {
        // The last page was found intact at open, so frames lost on the way are damaged pages
        // (a failed CRC makes the Ogg layer drop the page: RFC 3533 §6).
        throw new MastersmithError("E_CORRUPT", {
          file, detail: `the last Ogg page declares ${total} frames, only ${out.emittedFrames} decode (damaged pages)`,
        });
      }
    } finally {
      freeDecoder(decoder);
    }
  }

  async close(): Promise<void> {
    this.source.close();
  }
}
