/**
 * Interleaved PCM bytes -> planar Float32. This is in the `analyze` hot path (a 4-minute 24-bit
 * stereo file is ~21 M samples), so each encoding has its own tight loop, the byte buffer and its
 * typed views are allocated once per reader, and nothing is allocated per block or per sample.
 *
 * Integer PCM maps to [-1, 1) by dividing by 2^(bits-1) of the container (left-justified samples
 * with fewer valid bits keep their scale); 8-bit WAV is unsigned with 128 as zero; floats pass
 * through unchanged.
 */

export type PcmEncoding =
  | "u8" | "s8"
  | "s16le" | "s16be"
  | "s24le" | "s24be"
  | "s32le" | "s32be"
  | "f32le" | "f32be"
  | "f64le" | "f64be";

export function bytesPerSample(encoding: PcmEncoding): number {
  switch (encoding) {
    case "u8": case "s8": return 1;
    case "s16le": case "s16be": return 2;
    case "s24le": case "s24be": return 3;
    case "s32le": case "s32be": case "f32le": case "f32be": return 4;
    case "f64le": case "f64be": return 8;
  }
}

/** ffmpeg's name for the encoding ("pcm_s24le"), used as AudioInfo.codec. */
export function codecName(encoding: PcmEncoding): string {
  return `pcm_${encoding}`;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Getter = (dv: DataView, p: number, le: boolean) => number;
// Module-level so the DataView paths allocate no closure per block.
const getI16: Getter = (dv, p, le) => dv.getInt16(p, le);
const getI32: Getter = (dv, p, le) => dv.getInt32(p, le);
const getF32: Getter = (dv, p, le) => dv.getFloat32(p, le);
const getF64: Getter = (dv, p, le) => dv.getFloat64(p, le);

const SCALE_8 = 1 / 128;
const SCALE_16 = 1 / 32768;
const SCALE_24 = 1 / 8388608;
const SCALE_32 = 1 / 2147483648;

/**
 * Owns one reusable byte buffer sized for `maxFrames` interleaved frames, and converts the first
 * `frames` frames in it into planar outputs. Fill `bytes` (from offset 0), then call `convert`.
 */
export class PcmConverter {
  readonly encoding: PcmEncoding;
  readonly channels: number;
  readonly frameBytes: number;
  readonly maxFrames: number;
  /** Fill this with interleaved frames, starting at index 0. */
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly i16: Int16Array;
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;

  constructor(encoding: PcmEncoding, channels: number, maxFrames: number) {
    this.encoding = encoding;
    this.channels = channels;
    this.frameBytes = bytesPerSample(encoding) * channels;
    this.maxFrames = maxFrames;
    // Rounded up to 8 bytes so every typed view below covers the whole buffer.
    const byteLength = Math.ceil((this.frameBytes * maxFrames) / 8) * 8;
    const buffer = new ArrayBuffer(byteLength);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.i16 = new Int16Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
  }

  /** Converts `frames` interleaved frames from `bytes` into `out[c][0..frames)`. */
  convert(frames: number, out: Float32Array[]): void {
    const ch = this.channels;
    const b = this.bytes;
    switch (this.encoding) {
      case "u8":
        for (let c = 0; c < ch; c++) {
          const o = out[c];
          for (let i = 0, p = c; i < frames; i++, p += ch) o[i] = (b[p] - 128) * SCALE_8;
        }
        return;
      case "s8":
        for (let c = 0; c < ch; c++) {
          const o = out[c];
          for (let i = 0, p = c; i < frames; i++, p += ch) o[i] = ((b[p] << 24) >> 24) * SCALE_8;
        }
        return;
      case "s16le":
        if (LITTLE_ENDIAN_HOST) {
          const v = this.i16;
          for (let c = 0; c < ch; c++) {
            const o = out[c];
            for (let i = 0, p = c; i < frames; i++, p += ch) o[i] = v[p] * SCALE_16;
          }
          return;
        }
        return this.viaDataView(frames, out, 2, true, SCALE_16, getI16);
      case "s16be": {
        const stride = 2 * ch;
        for (let c = 0; c < ch; c++) {
          const o = out[c];
          for (let i = 0, p = 2 * c; i < frames; i++, p += stride) o[i] = (((b[p] << 24) | (b[p + 1] << 16)) >> 16) * SCALE_16;
        }
        return;
      }
      case "s24le": {
        if (LITTLE_ENDIAN_HOST && ch <= 2) return this.s24leWords(frames, out);
        const stride = 3 * ch;
        for (let c = 0; c < ch; c++) {
          const o = out[c];
          // Assemble into the top 24 bits, then an arithmetic shift sign-extends.
          for (let i = 0, p = 3 * c; i < frames; i++, p += stride) {
            o[i] = (((b[p] << 8) | (b[p + 1] << 16) | (b[p + 2] << 24)) >> 8) * SCALE_24;
          }
        }
        return;
      }
      case "s24be": {
        const stride = 3 * ch;
        for (let c = 0; c < ch; c++) {
          const o = out[c];
          for (let i = 0, p = 3 * c; i < frames; i++, p += stride) {
            o[i] = (((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8)) >> 8) * SCALE_24;
          }
        }
        return;
      }
      case "s32le":
        if (LITTLE_ENDIAN_HOST) {
          const v = this.i32;
          for (let c = 0; c < ch; c++) {
            const o = out[c];
            for (let i = 0, p = c; i < frames; i++, p += ch) o[i] = v[p] * SCALE_32;
          }
          return;
        }
        return this.viaDataView(frames, out, 4, true, SCALE_32, getI32);
      case "s32be": {
        const stride = 4 * ch;
        for (let c = 0; c < ch; c++) {
          const o = out[c];
          for (let i = 0, p = 4 * c; i < frames; i++, p += stride) {
            o[i] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) * SCALE_32;
          }
        }
        return;
      }
      case "f32le":
        if (LITTLE_ENDIAN_HOST) {
          const v = this.f32;
          for (let c = 0; c < ch; c++) {
            const o = out[c];
            for (let i = 0, p = c; i < frames; i++, p += ch) o[i] = v[p];
          }
          return;
        }
        return this.viaDataView(frames, out, 4, true, 1, getF32);
      case "f32be":
        return this.viaDataView(frames, out, 4, false, 1, getF32);
      case "f64le":
        if (LITTLE_ENDIAN_HOST) {
          const v = this.f64;
          for (let c = 0; c < ch; c++) {
            const o = out[c];
            for (let i = 0, p = c; i < frames; i++, p += ch) o[i] = v[p];
          }
          return;
        }
        return this.viaDataView(frames, out, 8, true, 1, getF64);
      case "f64be":
        return this.viaDataView(frames, out, 8, false, 1, getF64);
    }
  }

  /**
   * 24-bit little-endian, mono or stereo: four samples are exactly three 32-bit words, so whole
   * words are loaded and the samples cut out of them with shifts. About 3x faster than assembling
   * bytes (the 24-bit stereo WAV is the common delivery format, and `analyze` reads it whole).
   */
  private s24leWords(frames: number, out: Float32Array[]): void {
    const w = this.i32;
    const samples = frames * this.channels;
    const groups = samples >> 2;
    if (this.channels === 2) {
      const l = out[0];
      const r = out[1];
      for (let g = 0, q = 0, i = 0; g < groups; g++, q += 3, i += 2) {
        const w0 = w[q], w1 = w[q + 1], w2 = w[q + 2];
        l[i] = ((w0 << 8) >> 8) * SCALE_24;
        r[i] = ((((w0 >>> 24) | (w1 << 8)) << 8) >> 8) * SCALE_24;
        l[i + 1] = ((((w1 >>> 16) | (w2 << 16)) << 8) >> 8) * SCALE_24;
        r[i + 1] = (w2 >> 8) * SCALE_24;
      }
    } else {
      const m = out[0];
      for (let g = 0, q = 0, i = 0; g < groups; g++, q += 3, i += 4) {
        const w0 = w[q], w1 = w[q + 1], w2 = w[q + 2];
        m[i] = ((w0 << 8) >> 8) * SCALE_24;
        m[i + 1] = ((((w0 >>> 24) | (w1 << 8)) << 8) >> 8) * SCALE_24;
        m[i + 2] = ((((w1 >>> 16) | (w2 << 16)) << 8) >> 8) * SCALE_24;
        m[i + 3] = (w2 >> 8) * SCALE_24;
      }
    }
    // The 0..3 samples left over are assembled from bytes.
    const b = this.bytes;
    for (let k = groups * 4; k < samples; k++) {
      const p = 3 * k;
      out[k % this.channels][Math.floor(k / this.channels)] = (((b[p] << 8) | (b[p + 1] << 16) | (b[p + 2] << 24)) >> 8) * SCALE_24;
    }
  }

  /** Byte-swapped (or big-endian-host) path: slower than the typed views, still allocation-free. */
  private viaDataView(
    frames: number, out: Float32Array[], size: number, littleEndian: boolean, scale: number,
    get: Getter,
  ): void {
    const ch = this.channels;
    const dv = this.view;
    const stride = size * ch;
    for (let c = 0; c < ch; c++) {
      const o = out[c];
      for (let i = 0, p = size * c; i < frames; i++, p += stride) o[i] = get(dv, p, littleEndian) * scale;
    }
  }
}
