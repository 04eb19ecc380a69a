/**
 * Test support for src/io (excluded from the build like every *.case.ts): hand-built RIFF and
 * IFF byte buffers, temp dirs, whole-file reads for small files, error assertions.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMastersmithError, type ErrorCode } from "../core/codes.js";
import { writeExtended80 } from "./aiff.js";
import { openAudioFile } from "./open.js";
import type { AudioInfo } from "./types.js";

export interface Chunk {
  id: string;
  body: Uint8Array;
  /** Size written in the header instead of body.length (for lying headers). */
  sizeOverride?: number;
  /** Omit the pad byte after an odd-sized body (some broken writers do). */
  noPad?: boolean;
}

/** A temp dir removed after the test (or suite) that created it. */
export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "mastersmith-io-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** RIFF-style (little-endian sizes) or IFF-style (big-endian) container with padded chunks. */
export function container(outer: string, form: string, chunks: Chunk[], littleEndian: boolean, outerSize?: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    const head = new Uint8Array(8);
    head.set(ascii(c.id), 0);
    new DataView(head.buffer).setUint32(4, c.sizeOverride ?? c.body.length, littleEndian);
    parts.push(head, c.body);
    if (c.body.length & 1 && !c.noPad) parts.push(new Uint8Array(1));
  }
  const body = concat(parts);
  const head = new Uint8Array(12);
  head.set(ascii(outer), 0);
  new DataView(head.buffer).setUint32(4, outerSize ?? body.length + 4, littleEndian);
  head.set(ascii(form), 8);
  return concat([head, body]);
}

export interface FmtOptions {
  tag?: number;
  channels: number;
  sampleRateHz: number;
  bits: number;
  blockAlign?: number;
  /** WAVE_FORMAT_EXTENSIBLE fields (tag 0xFFFE). */
  validBits?: number;
  channelMask?: number;
  subFormat?: number;
}

/** A fmt chunk body: 16 bytes, or 40 for WAVE_FORMAT_EXTENSIBLE. */
export function fmtBody(o: FmtOptions): Uint8Array {
  const tag = o.tag ?? 1;
  const ext = tag === 0xfffe;
  const b = new Uint8Array(ext ? 40 : 16);
  const dv = new DataView(b.buffer);
  const blockAlign = o.blockAlign ?? o.channels * Math.ceil(o.bits / 8);
  dv.setUint16(0, tag, true);
  dv.setUint16(2, o.channels, true);
  dv.setUint32(4, o.sampleRateHz, true);
  dv.setUint32(8, o.sampleRateHz * blockAlign, true);
  dv.setUint16(12, blockAlign, true);
  dv.setUint16(14, o.bits, true);
  if (ext) {
    dv.setUint16(16, 22, true);
    dv.setUint16(18, o.validBits ?? o.bits, true);
    dv.setUint32(20, o.channelMask ?? 0, true);
    dv.setUint16(24, o.subFormat ?? 1, true);
    b.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return b;
}

export type SampleKind = "u8" | "s8" | "s16" | "s24" | "s32" | "f32" | "f64";

/**
 * Interleaves per-channel values into bytes. Integer kinds take integer codes (u8: 0..255);
 * float kinds take floats.
 */
export function encodeSamples(kind: SampleKind, channels: number[][], littleEndian: boolean): Uint8Array {
  const size = { u8: 1, s8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 }[kind];
  const frames = channels[0].length;
  const out = new Uint8Array(frames * channels.length * size);
  const dv = new DataView(out.buffer);
  let p = 0;
  for (let i = 0; i < frames; i++) {
    for (const ch of channels) {
      const v = ch[i];
      switch (kind) {
        case "u8": dv.setUint8(p, v); break;
        case "s8": dv.setInt8(p, v); break;
        case "s16": dv.setInt16(p, v, littleEndian); break;
        case "s24": {
          const u = v & 0xffffff;
          const bytes = [u & 0xff, (u >> 8) & 0xff, (u >> 16) & 0xff];
          out.set(littleEndian ? bytes : bytes.reverse(), p);
          break;
        }
        case "s32": dv.setInt32(p, v, littleEndian); break;
        case "f32": dv.setFloat32(p, v, littleEndian); break;
        case "f64": dv.setFloat64(p, v, littleEndian); break;
      }
      p += size;
    }
  }
  return out;
}

/** A COMM chunk body; AIFC when `compression` is given. */
export function commBody(channels: number, frames: number, bits: number, sampleRateHz: number, compression?: string): Uint8Array {
  const b = new Uint8Array(compression === undefined ? 18 : 24);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, channels, false);
  dv.setUint32(2, frames, false);
  dv.setUint16(6, bits, false);
  writeExtended80(sampleRateHz, b, 8);
  if (compression !== undefined) {
    b.set(ascii(compression), 18);
    // Empty Pascal string (count 0) plus its pad byte.
  }
  return b;
}

/** An SSND chunk body: offset, blockSize, then (optional leading junk and) the samples. */
export function ssndBody(samples: Uint8Array, offset = 0): Uint8Array {
  const b = new Uint8Array(8 + offset + samples.length);
  new DataView(b.buffer).setUint32(0, offset, false);
  b.set(samples, 8 + offset);
  return b;
}

export function writeBytes(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Reads a (small) file whole through the public API, in blocks of `blockFrames`. */
export async function readAll(path: string, blockFrames?: number): Promise<{ info: AudioInfo; data: Float32Array[] }> {
  const reader = await openAudioFile(path);
  try {
    const parts: Float32Array[][] = [];
    for await (const block of reader.blocks(blockFrames)) parts.push(block.map((ch) => ch.slice()));
    const data = Array.from({ length: reader.info.channels }, (_, c) => {
      const out = new Float32Array(parts.reduce((n, p) => n + p[c].length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p[c], at);
        at += p[c].length;
      }
      return out;
    });
    return { info: reader.info, data };
  } finally {
    await reader.close();
  }
}

/** Asserts that `run` rejects with a MastersmithError of `code` whose message names `file`. */
export async function assertCode(run: () => Promise<unknown>, code: ErrorCode, file: string, detailPattern?: RegExp): Promise<void> {
  await assert.rejects(run, (e: unknown) => {
    assert.ok(isMastersmithError(e), `expected MastersmithError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(file), `message should name the file: ${e.message}`);
    if (detailPattern !== undefined) assert.match(e.message, detailPattern);
    return true;
  });
}

/** Runs a command; throws with its stderr if it fails. */
export function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** Deterministic pseudo-random generator (mulberry32) for reproducible test signals and fuzzing. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
