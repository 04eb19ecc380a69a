/**
 * Streaming WAV writer. Samples go to `<path>.partial-<random>` and the file appears under its
 * real name only on a successful close (DESIGN.md, Codes: never a half-written output).
 *
 * Layout: RIFF/WAVE, a 28-byte JUNK chunk reserved for a ds64 chunk, fmt, the caller's metadata
 * chunks (bext, LIST/INFO, `id3 `: see tags*.ts), data. Metadata chunks sit before the data so
 * a fixed-size one (bext, whose loudness fields are only known at the end) can be rewritten in
 * place with `replaceChunk` before `close`. When the data
 * passes 4 GiB the JUNK becomes ds64 and the file becomes RF64 in place (EBU Tech 3306 §3), so
 * the samples never move. WAVE_FORMAT_EXTENSIBLE is used for more than 2 channels or more than
 * 16 bits (Microsoft's WAVEFORMATEXTENSIBLE guidance; 32-bit float is always > 16 bits).
 *
 * Integer output is round-to-nearest and clamped to the word, with NO dither: callers that
 * reduce word length must dither first (dither is a separate step of the pipeline).
 */
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { MastersmithError } from "../core/codes.js";
import { checkFormat } from "./header-checks.js";

export interface WavWriterOptions {
  sampleRateHz: number;
  channels: number;
  bitDepth: 16 | 24 | 32;
  sampleFormat: "int" | "float";
  /** dwChannelMask for WAVE_FORMAT_EXTENSIBLE; defaults to the usual mask for 1, 2, 4, 6, 8 channels, else 0. */
  channelMask?: number;
  /** Replace an existing file at `path` (otherwise E_OUTPUT_EXISTS). */
  force?: boolean;
  /** Test hook: data size above which the file becomes RF64 (default 0xFFFFFFFF − header). */
  rf64ThresholdBytes?: number;
  /** Chunks written between fmt and data, in order (four-character id, body without header). */
  chunks?: readonly WavChunk[];
}

export interface WavChunk {
  readonly id: string;
  readonly body: Uint8Array;
}

export interface WavWriter {
  readonly path: string;
  /** Frames written so far. */
  readonly framesWritten: number;
  /** Appends `frames` frames of planar samples (nominal range [-1, 1)). */
  write(channels: Float32Array[], frames: number): Promise<void>;
  /** Rewrites a metadata chunk given at creation with a body of the same length (e.g. bext at the end). */
  replaceChunk(id: string, body: Uint8Array): void;
  /** Finishes the header and renames the partial file to `path`. */
  close(): Promise<void>;
  /** Deletes the partial file; `path` is left untouched. */
  abort(): Promise<void>;
}

const JUNK_BYTES = 28; // = ds64 body: riffSize64, dataSize64, sampleCount64, tableLength
const DEFAULT_MASKS: Record<number, number> = { 1: 0x4, 2: 0x3, 4: 0x33, 6: 0x3f, 8: 0x63f };
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const WRITE_CHUNK_FRAMES = 8192;

export async function createWavWriter(path: string, options: WavWriterOptions): Promise<WavWriter> {
  const { sampleRateHz, channels, bitDepth, sampleFormat } = options;
  try {
    checkFormat(path, channels, sampleRateHz);
  } catch (e) {
    throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: (e as MastersmithError).detail });
  }
  for (const chunk of options.chunks ?? []) {
    if (!/^[\x20-\x7e]{4}$/.test(chunk.id) || chunk.id === "data" || chunk.id === "fmt ") {
      throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `metadata chunk id '${chunk.id}'` });
    }
  }
  const validDepth = sampleFormat === "float" ? bitDepth === 32 : bitDepth === 16 || bitDepth === 24 || bitDepth === 32;
  if (!validDepth) {
    throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `${bitDepth}-bit ${sampleFormat} (int 16/24/32 or float 32)` });
  }
  if (!options.force && existsSync(path)) throw new MastersmithError("E_OUTPUT_EXISTS", { file: path });
  const partial = `${path}.partial-${randomBytes(6).toString("hex")}`;
  let fd: number;
  try {
    fd = openSync(partial, "wx");
  } catch (e) {
    throw new MastersmithError("E_WRITE_FAILED", { file: path, detail: (e as { code?: string }).code, cause: e });
  }
  return new Writer(path, partial, fd, options);
}

class Writer implements WavWriter {
  readonly path: string;
  framesWritten = 0;
  private readonly partial: string;
  private fd: number | null;
  private readonly channels: number;
  private readonly sampleRateHz: number;
  private readonly bitDepth: number;
  private readonly isFloat: boolean;
  private readonly extensible: boolean;
  private readonly channelMask: number;
  private readonly force: boolean;
  private readonly bytesPerSample: number;
  private readonly frameBytes: number;
  private readonly headerBytes: number;
  private readonly rf64ThresholdBytes: number;
  /** Metadata chunks: id, body, byte offset of the chunk header in the file. */
  private readonly chunks: { id: string; body: Uint8Array; offsetBytes: number }[] = [];
  private dataBytes = 0;
  private buffer: Uint8Array;
  private view: DataView;

  constructor(path: string, partial: string, fd: number, o: WavWriterOptions) {
    this.path = path;
    this.partial = partial;
    this.fd = fd;
    this.channels = o.channels;
    this.sampleRateHz = o.sampleRateHz;
    this.bitDepth = o.bitDepth;
    this.isFloat = o.sampleFormat === "float";
    this.extensible = o.channels > 2 || o.bitDepth > 16;
    this.channelMask = o.channelMask ?? DEFAULT_MASKS[o.channels] ?? 0;
    this.force = o.force === true;
    this.bytesPerSample = o.bitDepth / 8;
    this.frameBytes = this.bytesPerSample * o.channels;
    let offsetBytes = 12 + 8 + JUNK_BYTES + 8 + (this.extensible ? 40 : 16);
    for (const c of o.chunks ?? []) {
      this.chunks.push({ id: c.id, body: c.body, offsetBytes });
      offsetBytes += 8 + c.body.length + (c.body.length & 1); // RIFF pad byte
    }
    this.headerBytes = offsetBytes + 8;
    this.rf64ThresholdBytes = o.rf64ThresholdBytes ?? 0xffffffff - this.headerBytes - 1;
    this.buffer = new Uint8Array(WRITE_CHUNK_FRAMES * this.frameBytes);
    this.view = new DataView(this.buffer.buffer);
    this.writeAt(this.header(false), 0);
  }

  async write(planes: Float32Array[], frames: number): Promise<void> {
    if (this.fd === null) throw new MastersmithError("E_INTERNAL", { file: this.path, detail: "write after close" });
    if (planes.length !== this.channels) {
      throw new MastersmithError("E_BAD_ARGUMENT", { file: this.path, detail: `${planes.length} channels given, ${this.channels} expected` });
    }
    for (let start = 0; start < frames; start += WRITE_CHUNK_FRAMES) {
      const n = Math.min(WRITE_CHUNK_FRAMES, frames - start);
      this.encode(planes, start, n);
      this.writeAt(this.buffer.subarray(0, n * this.frameBytes), this.headerBytes + this.dataBytes);
      this.dataBytes += n * this.frameBytes;
      this.framesWritten += n;
    }
  }

  /** Interleaves and quantizes `n` frames from `start` into the reusable byte buffer. */
  private encode(planes: Float32Array[], start: number, n: number): void {
    const ch = this.channels;
    const dv = this.view;
    const bps = this.bytesPerSample;
    const stride = this.frameBytes;
    if (this.isFloat) {
      for (let c = 0; c < ch; c++) {
        const s = planes[c];
        for (let i = 0, p = c * 4; i < n; i++, p += stride) dv.setFloat32(p, s[start + i], true);
      }
      return;
    }
    // Round to nearest and clamp: full scale is 2^(bits-1); +1.0 clips to the largest code.
    const scale = 2 ** (this.bitDepth - 1);
    const max = scale - 1;
    const min = -scale;
    const b = this.buffer;
    for (let c = 0; c < ch; c++) {
      const s = planes[c];
      for (let i = 0, p = c * bps; i < n; i++, p += stride) {
        let v = Math.round(s[start + i] * scale);
        if (!(v <= max)) v = v > max ? max : 0; // NaN becomes 0
        if (v < min) v = min;
        if (bps === 2) dv.setInt16(p, v, true);
        else if (bps === 3) {
          b[p] = v & 0xff;
          b[p + 1] = (v >> 8) & 0xff;
          b[p + 2] = (v >> 16) & 0xff;
        } else dv.setInt32(p, v, true);
      }
    }
  }

  replaceChunk(id: string, body: Uint8Array): void {
    const chunk = this.chunks.find((c) => c.id === id);
    if (chunk === undefined || chunk.body.length !== body.length) {
      throw new MastersmithError("E_INTERNAL", { file: this.path, detail: `no '${id}' chunk of ${body.length} bytes to replace` });
    }
    chunk.body = body;
    this.writeAt(body, chunk.offsetBytes + 8);
  }

  async close(): Promise<void> {
    if (this.fd === null) return;
    try {
      const rf64 = this.dataBytes > this.rf64ThresholdBytes;
      // RIFF chunks are padded to even length (the pad is not counted in the data size).
      if (this.dataBytes & 1) this.writeAt(new Uint8Array(1), this.headerBytes + this.dataBytes);
      this.writeAt(this.header(rf64), 0);
      closeSync(this.fd);
      this.fd = null;
      if (this.force) renameSync(this.partial, this.path);
      else {
        // link() fails if the name appeared meanwhile: no silent overwrite even in a race.
        linkSync(this.partial, this.path);
        unlinkSync(this.partial);
      }
    } catch (e) {
      await this.abort();
      if (e instanceof MastersmithError) throw e;
      const code = (e as { code?: string }).code;
      if (code === "EEXIST") throw new MastersmithError("E_OUTPUT_EXISTS", { file: this.path, cause: e });
      throw new MastersmithError("E_WRITE_FAILED", { file: this.path, detail: code, cause: e });
    }
  }

  async abort(): Promise<void> {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Already failing; the unlink below is what matters.
      }
      this.fd = null;
    }
    try {
      unlinkSync(this.partial);
    } catch {
      // Already gone (closed successfully, or never created).
    }
  }

  private writeAt(bytes: Uint8Array, position: number): void {
    if (this.fd === null) return;
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, position + done);
    } catch (e) {
      const code = (e as { code?: string }).code;
      void this.abort();
      throw new MastersmithError("E_WRITE_FAILED", { file: this.path, detail: code, cause: e });
    }
  }

  /** The header for the current data size; `rf64` turns JUNK into ds64 (EBU Tech 3306). */
  private header(rf64: boolean): Uint8Array {
    const h = new Uint8Array(this.headerBytes);
    const dv = new DataView(h.buffer);
    const ascii = (s: string, at: number) => { for (let i = 0; i < 4; i++) h[at + i] = s.charCodeAt(i); };
    const padded = this.dataBytes + (this.dataBytes & 1);
    const riffBytes = this.headerBytes - 8 + padded;
    ascii(rf64 ? "RF64" : "RIFF", 0);
    dv.setUint32(4, rf64 ? 0xffffffff : riffBytes, true);
    ascii("WAVE", 8);
    ascii(rf64 ? "ds64" : "JUNK", 12);
    dv.setUint32(16, JUNK_BYTES, true);
    if (rf64) {
      dv.setBigUint64(20, BigInt(riffBytes), true);
      dv.setBigUint64(28, BigInt(this.dataBytes), true);
      dv.setBigUint64(36, BigInt(this.framesWritten), true);
      dv.setUint32(44, 0, true); // no table entries
    }
    let p = 20 + JUNK_BYTES;
    ascii("fmt ", p);
    dv.setUint32(p + 4, this.extensible ? 40 : 16, true);
    p += 8;
    const formatTag = this.extensible ? 0xfffe : this.isFloat ? 3 : 1;
    dv.setUint16(p, formatTag, true);
    dv.setUint16(p + 2, this.channels, true);
    dv.setUint32(p + 4, this.sampleRateHz, true);
    dv.setUint32(p + 8, this.sampleRateHz * this.frameBytes, true);
    dv.setUint16(p + 12, this.frameBytes, true);
    dv.setUint16(p + 14, this.bitDepth, true);
    if (this.extensible) {
      dv.setUint16(p + 16, 22, true); // cbSize
      dv.setUint16(p + 18, this.bitDepth, true); // wValidBitsPerSample
      dv.setUint32(p + 20, this.channelMask, true);
      dv.setUint16(p + 24, this.isFloat ? 3 : 1, true); // SubFormat GUID, first two bytes
      GUID_TAIL.forEach((b, i) => { h[p + 26 + i] = b; });
      p += 40;
    } else {
      p += 16;
    }
    for (const c of this.chunks) {
      ascii(c.id, p);
      dv.setUint32(p + 4, c.body.length, true);
      h.set(c.body, p + 8);
      p += 8 + c.body.length + (c.body.length & 1);
    }
    ascii("data", p);
    dv.setUint32(p + 4, rf64 ? 0xffffffff : this.dataBytes, true);
    return h;
  }
}
