/**
 * FLAC: STREAMINFO is parsed here (format, total frames) before any decoding, then the frames are
 * decoded by the MIT-licensed `@wasm-audio-decoders/flac` (libFLAC compiled to WASM), fed the file
 * in 64 KiB chunks so memory stays flat, and re-blocked into planar blocks.
 *
 * Exactness: the decoder returns floats scaled by 1/(2^(bps-1) − 1), not 1/2^(bps-1). For
 * bps ≤ 24 the float32 value still identifies the integer exactly (its rounding error is under a
 * quarter step), so each sample is recovered with round(x·(2^(bps-1) − 1)) and rescaled by
 * 1/2^(bps-1): the same [-1, 1) mapping as integer WAV, bit-exact against `flac -d` (tested).
 * 32-bit FLAC cannot be exact through float32 output; it is passed through the same formula.
 *
 * Format reference: RFC 9639 (FLAC), §8.1 metadata block header, §8.2 STREAMINFO.
 */
import { freeDecoder, quietly } from "./decode-common.js";
import { FLACDecoder, type FLACDecodedAudio } from "@wasm-audio-decoders/flac";
import { MastersmithError } from "../core/codes.js";
import type { FileSource } from "./file-source.js";
import { checkFormat, fourcc } from "./header-checks.js";
import { DEFAULT_BLOCK_FRAMES, type AudioInfo, type AudioReader } from "./types.js";

const INPUT_CHUNK_BYTES = 64 * 1024;
const MAX_METADATA_BLOCKS = 10_000;

export interface FlacStreamInfo {
  minBlockFrames: number;
  maxBlockFrames: number;
  sampleRateHz: number;
  channels: number;
  bitsPerSample: number;
  /** 0 when unknown (RFC 9639 §8.2). */
  totalFrames: number;
  /** Offset of the "fLaC" marker (non-zero when an ID3v2 tag precedes it). */
  streamOffsetBytes: number;
  /** Offset of the first audio frame, after the last metadata block. */
  audioOffsetBytes: number;
}

/** Reads "fLaC", STREAMINFO and the metadata block chain starting at `streamOffsetBytes`. */
export function parseFlacHeader(source: FileSource, streamOffsetBytes: number): FlacStreamInfo {
  const file = source.file;
  const head = source.readExact(4 + 4 + 34, streamOffsetBytes);
  if (head === null) throw new MastersmithError("E_TRUNCATED", { file, detail: "the file ends inside the FLAC STREAMINFO block" });
  if (fourcc(head, 0) !== "fLaC") throw new MastersmithError("E_UNSUPPORTED_FORMAT", { file, detail: "no fLaC marker" });
  const firstType = head[4] & 0x7f;
  const firstLength = (head[5] << 16) | (head[6] << 8) | head[7];
  // RFC 9639 §8.1: STREAMINFO must be the first metadata block and is 34 bytes.
  if (firstType !== 0 || firstLength !== 34) {
    throw new MastersmithError("E_CORRUPT", { file, detail: `first FLAC metadata block is type ${firstType} of ${firstLength} bytes, not a 34-byte STREAMINFO` });
  }
  const s = head.subarray(8);
  const minBlockFrames = (s[0] << 8) | s[1];
  const maxBlockFrames = (s[2] << 8) | s[3];
  const sampleRateHz = (s[10] << 12) | (s[11] << 4) | (s[12] >> 4);
  const channels = ((s[12] >> 1) & 0x07) + 1;
  const bitsPerSample = (((s[12] & 0x01) << 4) | (s[13] >> 4)) + 1;
  const totalFrames = (s[13] & 0x0f) * 2 ** 32 + ((s[14] << 24) >>> 0) + ((s[15] << 16) | (s[16] << 8) | s[17]);

  checkFormat(file, channels, sampleRateHz);
  if (bitsPerSample < 4) throw new MastersmithError("E_BAD_HEADER", { file, detail: `${bitsPerSample} bits per sample (4 to 32 in FLAC)` });
  if (maxBlockFrames < 16 || minBlockFrames > maxBlockFrames) {
    throw new MastersmithError("E_BAD_HEADER", { file, detail: `block sizes ${minBlockFrames}..${maxBlockFrames} frames` });
  }

  // Walk the metadata chain to where the audio frames begin; each block must fit in the file.
  let pos = streamOffsetBytes + 4;
  let last = (head[4] & 0x80) !== 0;
  pos += 4 + 34;
  for (let n = 1; !last; n++) {
    if (n > MAX_METADATA_BLOCKS) throw new MastersmithError("E_CORRUPT", { file, detail: `more than ${MAX_METADATA_BLOCKS} FLAC metadata blocks` });
    const bh = source.readExact(4, pos);
    if (bh === null) throw new MastersmithError("E_TRUNCATED", { file, detail: `the file ends inside FLAC metadata at byte ${pos}` });
    const type = bh[0] & 0x7f;
    if (type === 127) throw new MastersmithError("E_CORRUPT", { file, detail: `invalid FLAC metadata block type 127 at byte ${pos}` });
    const length = (bh[1] << 16) | (bh[2] << 8) | bh[3];
    last = (bh[0] & 0x80) !== 0;
    pos += 4 + length;
    if (pos > source.sizeBytes) {
      throw new MastersmithError("E_TRUNCATED", { file, detail: `FLAC metadata block (type ${type}) runs past the end of the file` });
    }
  }
  return { minBlockFrames, maxBlockFrames, sampleRateHz, channels, bitsPerSample, totalFrames, streamOffsetBytes, audioOffsetBytes: pos };
}

export class FlacReader implements AudioReader {
  readonly file: string;
  readonly info: AudioInfo;
  private readonly source: FileSource;
  private readonly stream: FlacStreamInfo;

  constructor(source: FileSource, stream: FlacStreamInfo) {
    this.source = source;
    this.file = source.file;
    this.stream = stream;
    this.info = {
      container: "flac",
      codec: "flac",
      sampleRateHz: stream.sampleRateHz,
      channels: stream.channels,
      bitDepth: stream.bitsPerSample,
      sampleFormat: "int",
      frames: stream.totalFrames,
      ...(stream.totalFrames === 0 ? { framesUnknown: true } : {}),
    };
  }

  async *blocks(blockFrames: number = DEFAULT_BLOCK_FRAMES): AsyncGenerator<Float32Array[]> {
    if (!Number.isInteger(blockFrames) || blockFrames < 1) {
      throw new MastersmithError("E_BAD_ARGUMENT", { detail: `blockFrames must be a positive integer, got ${blockFrames}` });
    }
    const file = this.file;
    const { channels, bitsPerSample, sampleRateHz, totalFrames, streamOffsetBytes } = this.stream;
    const limitFrames = totalFrames === 0 ? Infinity : totalFrames;
    const decoderScale = 2 ** (bitsPerSample - 1) - 1;
    const outScale = 1 / 2 ** (bitsPerSample - 1);
    const exact = bitsPerSample <= 24;

    const planes: Float32Array[] = [];
    for (let c = 0; c < channels; c++) planes.push(new Float32Array(blockFrames));
    const input = new Uint8Array(INPUT_CHUNK_BYTES);

    const decoder = new FLACDecoder();
    try {
      await decoder.ready;
      let position = streamOffsetBytes;
      let fill = 0; // frames in `planes`
      let emitted = 0; // frames yielded so far (including those in `planes`)
      let eof = false;
      while (!eof && emitted < limitFrames) {
        const n = this.source.readAt(input, INPUT_CHUNK_BYTES, position);
        position += n;
        let decoded: FLACDecodedAudio;
        try {
          decoded = n > 0 ? await quietly(() => decoder.decode(input.subarray(0, n))) : await quietly(() => decoder.flush());
        } catch (e) {
          throw new MastersmithError("E_CORRUPT", { file, detail: `FLAC decoder failed: ${e instanceof Error ? e.message : String(e)}`, cause: e });
        }
        if (n === 0) eof = true;
        if (decoded.errors.length > 0) {
          const err = decoded.errors[0];
          if (eof && totalFrames > 0 && emitted + decoded.samplesDecoded < totalFrames) {
            // The damaged frame is the last one, cut short: the file is truncated, not corrupt.
            throw new MastersmithError("E_TRUNCATED", {
              file, detail: `STREAMINFO declares ${totalFrames} frames, the stream ends in an incomplete frame after ${emitted + decoded.samplesDecoded}`,
            });
          }
          throw new MastersmithError("E_CORRUPT", {
            file, detail: `FLAC frame ${err.frameNumber} near byte ${err.inputBytes + streamOffsetBytes}: ${err.message}`,
          });
        }
        const got = decoded.samplesDecoded;
        if (got === 0) continue;
        if (decoded.channelData.length !== channels || decoded.sampleRate !== sampleRateHz) {
          throw new MastersmithError("E_CORRUPT", {
            file,
            detail: `a FLAC frame has ${decoded.channelData.length} channels at ${decoded.sampleRate} Hz, STREAMINFO says ${channels} at ${sampleRateHz} Hz`,
          });
        }
        // Copy the decoded run into fixed-size blocks, recovering the exact integers.
        const src = decoded.channelData;
        let offset = 0;
        const usable = Math.min(got, limitFrames - emitted);
        while (offset < usable) {
          const take = Math.min(blockFrames - fill, usable - offset);
          for (let c = 0; c < channels; c++) {
            const s = src[c];
            const o = planes[c];
            if (exact) {
              for (let i = 0; i < take; i++) o[fill + i] = Math.round(s[offset + i] * decoderScale) * outScale;
            } else {
              for (let i = 0; i < take; i++) o[fill + i] = s[offset + i] * decoderScale * outScale;
            }
          }
          fill += take;
          offset += take;
          emitted += take;
          if (fill === blockFrames) {
            yield planes;
            fill = 0;
          }
        }
      }
      if (fill > 0) yield planes.map((p) => p.subarray(0, fill));
      if (emitted < totalFrames) {
        // Frames went missing without a decoder error: the frame parser skips what it cannot
        // sync to, and drops an incomplete last frame. If the file's last frame header claims
        // the declared end and the loss lies before that frame, the middle is damaged; else
        // the file was cut short (possibly inside its last frame).
        const last = lastFrameInTail(this.source, this.stream);
        const code = last !== null && last.endSample >= totalFrames && emitted < last.firstSample ? "E_CORRUPT" : "E_TRUNCATED";
        throw new MastersmithError(code, {
          file,
          detail: code === "E_CORRUPT"
            ? `STREAMINFO declares ${totalFrames} frames, only ${emitted} decode: unreadable FLAC frames before the end`
            : `STREAMINFO declares ${totalFrames} frames, the stream decodes to ${emitted}`,
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

const TAIL_SCAN_BYTES = 256 * 1024;

/** CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), initial 0: the FLAC frame header check (RFC 9639 §9.1.8). */
function crc8(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i];
    for (let k = 0; k < 8; k++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/**
 * The sample span of the last frame whose header is intact in the file's tail, or null if none
 * is found. Parses frame headers per RFC 9639 §9.1 (sync, block size and rate codes, the
 * UTF-8-style coded number, CRC-8); used only to tell truncation from mid-file corruption.
 */
export function lastFrameInTail(source: FileSource, stream: FlacStreamInfo): { firstSample: number; endSample: number } | null {
  const start = Math.max(stream.audioOffsetBytes, source.sizeBytes - TAIL_SCAN_BYTES);
  const tail = new Uint8Array(source.sizeBytes - start);
  const n = source.readAt(tail, tail.length, start);
  for (let p = n - 6; p >= 0; p--) {
    if (tail[p] !== 0xff || (tail[p + 1] & 0xfe) !== 0xf8) continue;
    const variable = (tail[p + 1] & 1) === 1;
    const bsCode = tail[p + 2] >> 4;
    const rateCode = tail[p + 2] & 0x0f;
    const chanCode = tail[p + 3] >> 4;
    const depthCode = (tail[p + 3] >> 1) & 0x07;
    if (bsCode === 0 || rateCode === 0x0f || chanCode > 10 || depthCode === 3 || (tail[p + 3] & 1) !== 0) continue;
    // Coded number: 1 to 7 bytes, UTF-8 style (36 bits max).
    let q = p + 4;
    const lead = tail[q];
    let extra = 0;
    if (lead < 0x80) extra = 0;
    else if (lead >= 0xc0 && lead < 0xe0) extra = 1;
    else if (lead >= 0xe0 && lead < 0xf0) extra = 2;
    else if (lead >= 0xf0 && lead < 0xf8) extra = 3;
    else if (lead >= 0xf8 && lead < 0xfc) extra = 4;
    else if (lead >= 0xfc && lead < 0xfe) extra = 5;
    else if (lead === 0xfe) extra = 6;
    else continue;
    if (q + 1 + extra + 4 > n) continue;
    let number = extra === 0 ? lead : lead & (0x3f >> extra);
    let ok = true;
    for (let i = 1; i <= extra; i++) {
      const b = tail[q + i];
      if ((b & 0xc0) !== 0x80) { ok = false; break; }
      number = number * 64 + (b & 0x3f);
    }
    if (!ok) continue;
    q += 1 + extra;
    let blockFrames: number;
    if (bsCode === 1) blockFrames = 192;
    else if (bsCode <= 5) blockFrames = 576 << (bsCode - 2);
    else if (bsCode === 6) blockFrames = tail[q++] + 1;
    else if (bsCode === 7) { blockFrames = ((tail[q] << 8) | tail[q + 1]) + 1; q += 2; }
    else blockFrames = 256 << (bsCode - 8);
    if (rateCode === 0x0c) q += 1;
    else if (rateCode === 0x0d || rateCode === 0x0e) q += 2;
    if (q >= n || crc8(tail, p, q) !== tail[q]) continue;
    // Fixed block size: the number counts frames of the stream's block size (RFC 9639 §9.1.5).
    const firstSample = variable ? number : number * stream.maxBlockFrames;
    return { firstSample, endSample: firstSample + blockFrames };
  }
  return null;
}
