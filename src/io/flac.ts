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

/**
 * The WASM build prints decode errors with console.error; we report them as E_CORRUPT instead.
 * The decoder works synchronously inside the call (the promise is already settled when it
 * returns), so console.error is silenced for exactly that span and nothing else.
 */
function quietly(call: () => Promise<FLACDecodedAudio>): Promise<FLACDecodedAudio> {
  const saved = console.error;
  console.error = () => {};
  try {
    return call();
  } finally {
    console.error = saved;
  }
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
        throw new MastersmithError("E_TRUNCATED", { file, detail: `STREAMINFO declares ${totalFrames} frames, the stream decodes to ${emitted}` });
      }
    } finally {
      try {
        decoder.free();
      } catch {
        // Freeing a decoder whose WASM never became ready cannot be reported usefully.
      }
    }
  }

  async close(): Promise<void> {
    this.source.close();
  }
}
