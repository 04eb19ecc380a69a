/**
 * MPEG audio (MP3, and MP1/MP2 which the same library decodes): the first frame header and its
 * Xing/Info + LAME tag are parsed here, then frames are decoded by the MIT-licensed
 * `mpg123-decoder` (libmpg123 compiled to WASM), fed the file in 64 KiB chunks.
 *
 * Gapless: LAME writes the encoder delay and end padding in its tag (LAME tag rev. 1, bytes
 * 21..23 after "LAME": 12 bits delay, 12 bits padding); libmpg123's gapless mode removes them
 * together with its own decoder delay (529 samples, Layer III synthesis), so the decoded length
 * is frames·samplesPerFrame − delay − padding: the original length, sample-aligned (tested with
 * impulses). Without a LAME tag the delay cannot be known: `framesUnknown` is then set and the
 * output keeps the codec's delay (about 1105 samples for LAME defaults; this is said, not hidden).
 *
 * Header reference: ISO/IEC 11172-3 §2.4.2.3 (MPEG-1), ISO/IEC 13818-3 (MPEG-2 LSF) and the
 * de facto "MPEG 2.5" extension; Xing/Info and the LAME tag as documented by the LAME project.
 */
import { MPEGDecoder, type MPEGDecodedAudio } from "mpg123-decoder";
import { MastersmithError } from "../core/codes.js";
import { checkBlockFrames, freeDecoder, INPUT_CHUNK_BYTES, quietly, Reblocker } from "./decode-common.js";
import type { FileSource } from "./file-source.js";
import { checkFormat, fourcc } from "./header-checks.js";
import { DEFAULT_BLOCK_FRAMES, type AudioInfo, type AudioReader } from "./types.js";
import { parseMpegFrameHeader, type MpegFrameHeader } from "./mpeg-frame.js";

export { parseMpegFrameHeader, type MpegFrameHeader };

export interface Mp3Stream {
  header: MpegFrameHeader;
  /** Offset of the first frame (after any ID3v2 tag). */
  streamOffsetBytes: number;
  /** Frames after delay/padding removal (0 when unknown). */
  totalFrames: number;
  /** Xing/Info byte count of the stream (0 when absent): a shorter file is truncated. */
  streamBytes: number;
  gapless: boolean;
  /**
   * LAME tag "music CRC" (CRC-16/ARC of the stream bytes from `crcFromBytes` to `crcToBytes`,
   * relative to streamOffsetBytes), or −1 when the tag is absent or its own CRC fails.
   */
  musicCrc: number;
  crcFromBytes: number;
  crcToBytes: number;
}

/** CRC-16/ARC table (polynomial 0x8005 reflected: 0xA001), as LAME computes its tag CRCs. */
const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16Arc(crc: number, bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ CRC16_TABLE[(crc ^ bytes[i]) & 0xff];
  return crc;
}

/** Reads and checks the first frame (and the next sync), Xing/Info and LAME tags. */
export function parseMp3Header(source: FileSource, streamOffsetBytes: number): Mp3Stream {
  const file = source.file;
  const first = source.readExact(Math.min(2048, source.sizeBytes - streamOffsetBytes), streamOffsetBytes);
  const header = first === null ? null : parseMpegFrameHeader(first, 0);
  if (first === null || header === null) {
    throw new MastersmithError("E_UNSUPPORTED_FORMAT", { file, detail: "no MPEG audio frame where one should begin" });
  }
  checkFormat(file, header.channels, header.sampleRateHz);
  // A lone 0xFFFx word is weak evidence: the next frame must follow where this one ends.
  const nextAt = streamOffsetBytes + header.frameBytes;
  if (nextAt + 4 > source.sizeBytes) {
    throw new MastersmithError("E_TRUNCATED", { file, detail: "the file ends inside its first MPEG audio frame" });
  }
  const next = source.readExact(4, nextAt);
  if (next === null || parseMpegFrameHeader(next, 0) === null) {
    throw new MastersmithError("E_CORRUPT", { file, detail: `no MPEG frame sync at byte ${nextAt} after the first frame` });
  }

  let totalFrames = 0;
  let streamBytes = 0;
  let gapless = false;
  let musicCrc = -1;
  let crcToBytes = 0;
  if (header.layer === 3) {
    // Xing/Info lives right after the side information (ISO/IEC 11172-3 §2.4.1.7).
    const sideBytes = header.version === 1 ? (header.channels === 1 ? 17 : 32) : header.channels === 1 ? 9 : 17;
    let p = 4 + sideBytes;
    const tag = fourcc(first, p);
    if ((tag === "Xing" || tag === "Info") && p + 8 <= first.length) {
      const dv = new DataView(first.buffer, first.byteOffset, first.byteLength);
      const flags = dv.getUint32(p + 4);
      p += 8;
      let frameCount = -1;
      if (flags & 1) { frameCount = dv.getUint32(p); p += 4; }
      if (flags & 2) { streamBytes = dv.getUint32(p); p += 4; }
      if (flags & 4) p += 100;
      if (flags & 8) p += 4;
      // LAME tag: 9-byte encoder string, ..., delay/padding in bytes 21..23.
      if (frameCount >= 0 && p + 24 <= first.length && /^(LAME|Lavc|Lavf|L3.99|GOGO)/.test(String.fromCharCode(...first.subarray(p, p + 4)))) {
        const delay = (first[p + 21] << 4) | (first[p + 22] >> 4);
        const padding = ((first[p + 22] & 0x0f) << 8) | first[p + 23];
        totalFrames = Math.max(0, frameCount * header.samplesPerFrame - delay - padding);
        gapless = true;
        // Bytes 28..35 of the LAME tag: music length, music CRC, and the tag's own CRC over the
        // first 190 bytes of this frame (LAME tag rev. 1). Only a tag that checks is trusted.
        if (p + 36 <= first.length && crc16Arc(0, first, 0, 190) === dv.getUint16(p + 34)) {
          crcToBytes = dv.getUint32(p + 28);
          musicCrc = dv.getUint16(p + 32);
        }
      }
    }
  }
  return { header, streamOffsetBytes, totalFrames, streamBytes, gapless, musicCrc, crcFromBytes: header.frameBytes, crcToBytes };
}

export class Mp3Reader implements AudioReader {
  readonly file: string;
  readonly info: AudioInfo;
  private readonly source: FileSource;
  private readonly stream: Mp3Stream;

  constructor(source: FileSource, stream: Mp3Stream) {
    this.source = source;
    this.file = source.file;
    this.stream = stream;
    const h = stream.header;
    this.info = {
      container: "mp3",
      codec: h.layer === 3 ? "mp3" : h.layer === 2 ? "mp2" : "mp1",
      sampleRateHz: h.sampleRateHz,
      channels: h.channels,
      bitDepth: 32,
      sampleFormat: "float",
      frames: stream.totalFrames,
      ...(stream.totalFrames === 0 ? { framesUnknown: true } : {}),
    };
  }

  async *blocks(blockFrames: number = DEFAULT_BLOCK_FRAMES): AsyncGenerator<Float32Array[]> {
    checkBlockFrames(blockFrames);
    const file = this.file;
    const { channels, sampleRateHz } = this.info;
    const total = this.stream.totalFrames;
    const out = new Reblocker(channels, blockFrames, 0, total === 0 ? Infinity : total);
    const input = new Uint8Array(INPUT_CHUNK_BYTES);
    const decoder = new MPEGDecoder({ enableGapless: true });
    try {
      await decoder.ready;
      const { streamOffsetBytes, musicCrc, crcFromBytes, crcToBytes } = this.stream;
      let crc = 0;
      let position = streamOffsetBytes;
      // Read to the end even once all frames are out, so the music CRC covers the whole stream.
      for (;;) {
        const n = this.source.readAt(input, INPUT_CHUNK_BYTES, position);
        if (n === 0) break;
        if (musicCrc >= 0) {
          const rel = position - streamOffsetBytes;
          crc = crc16Arc(crc, input, Math.max(0, crcFromBytes - rel), Math.max(0, Math.min(n, crcToBytes - rel)));
        }
        position += n;
        if (out.full) continue;
        let decoded: MPEGDecodedAudio;
        try {
          decoded = quietly(() => decoder.decode(input.subarray(0, n)));
        } catch (e) {
          throw new MastersmithError("E_CORRUPT", { file, detail: `MPEG decoder failed: ${e instanceof Error ? e.message : String(e)}`, cause: e });
        }
        if (decoded.errors.length > 0) {
          const err = decoded.errors[0];
          throw new MastersmithError("E_CORRUPT", { file, detail: `MPEG frame ${err.frameNumber} near byte ${err.inputBytes + this.stream.streamOffsetBytes}: ${err.message}` });
        }
        if (decoded.samplesDecoded === 0) continue;
        // libmpg123 here always hands back two channels; a mono stream comes out duplicated.
        if (decoded.sampleRate !== sampleRateHz || decoded.channelData.length < channels) {
          throw new MastersmithError("E_CORRUPT", {
            file, detail: `an MPEG frame has ${decoded.channelData.length} channels at ${decoded.sampleRate} Hz, the first frame ${channels} at ${sampleRateHz} Hz`,
          });
        }
        out.push(decoded.channelData.length === channels ? decoded.channelData : decoded.channelData.slice(0, channels), decoded.samplesDecoded);
        for (let b = out.next(); b !== null; b = out.next()) yield b;
      }
      const last = out.rest();
      if (last !== null) yield last;
      const fileBytes = this.source.sizeBytes - streamOffsetBytes;
      if (musicCrc >= 0 && crcToBytes <= fileBytes && crc !== musicCrc) {
        // MP3 frames carry no checksum of their own: libmpg123 decodes damaged data without
        // complaint. The LAME music CRC is the one check that catches it.
        throw new MastersmithError("E_CORRUPT", { file, detail: `the MP3 data fails the LAME tag's music CRC (0x${crc.toString(16)}, tag says 0x${musicCrc.toString(16)})` });
      }
      if (total > 0 && out.emittedFrames < total) {
        const cut = this.stream.streamBytes === 0 || this.source.sizeBytes - this.stream.streamOffsetBytes < this.stream.streamBytes;
        throw new MastersmithError(cut ? "E_TRUNCATED" : "E_CORRUPT", {
          file,
          detail: cut
            ? `the Xing header declares ${this.stream.streamBytes} bytes of MP3 stream, the file holds ${this.source.sizeBytes - this.stream.streamOffsetBytes}; ${out.emittedFrames} of ${total} frames decode`
            : `the LAME tag declares ${total} frames, only ${out.emittedFrames} decode`,
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
