/**
 * AAC and ALAC in MP4/M4A. No permissively licensed AAC decoder runs in Node, so the audio is
 * decoded by a system `ffmpeg` found at run time (`MASTERSMITH_FFMPEG`, else `ffmpeg` on PATH),
 * spawned per read and streamed through a pipe as 32-bit float WAV: never the whole file in
 * memory. Without ffmpeg, opening fails with E_DECODER_UNAVAILABLE saying how to install it.
 *
 * The boxes are parsed here first (ISO/IEC 14496-12: moov/trak/mdia/mdhd, hdlr, stsd, stts,
 * edts/elst; Apple's ilst '----' iTunSMPB), so the length and the gapless trim are ours, not the
 * decoder's. Debian's ffmpeg 5.1 trims the priming from the edit list (and, found by test, from
 * iTunSMPB even with the edit list ignored) but keeps the end padding; so ffmpeg runs with
 * `-ignore_editlist 1 -flags2 +skip_manual` (no trimming of its own at all) and we drop
 * `priming` frames at the start and stop after `frames`:
 *   - iTunSMPB (" 00000000 PPPPPPPP AAAAAAAA LLLLLLLLLLLLLLLL ...", hex): priming P, length L;
 *   - else the edit list: priming = media_time of the first non-empty edit; length = the sample
 *     table's total (stts) minus priming, or the edit's duration when that is clearly shorter
 *     (writers that keep whole-frame padding in stts state the true length there);
 *   - else (no edit, no iTunSMPB) nothing is trimmed: the encoder's priming cannot be known
 *     and stays in the output (ALAC has none).
 */
import { spawn, spawnSync, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { MastersmithError } from "../core/codes.js";
import { checkBlockFrames, Reblocker } from "./decode-common.js";
import type { FileSource } from "./file-source.js";
import { checkFormat, fourcc, printable } from "./header-checks.js";
import { DEFAULT_BLOCK_FRAMES, type AudioInfo, type AudioReader } from "./types.js";

/** moov larger than this is refused (a real one is kilobytes to a few megabytes). */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;

export interface Mp4Track {
  codec: "aac" | "alac";
  sampleRateHz: number;
  channels: number;
  /** ALAC bit depth; 0 for AAC. */
  bitDepth: number;
  primingFrames: number;
  totalFrames: number;
  /** Where the trim came from: "iTunSMPB", "edit list" or "none". */
  trimSource: "iTunSMPB" | "edit list" | "none";
  /** A top-level box (the media data) runs past the end of the file. */
  dataCut: boolean;
}

interface Box {
  type: string;
  /** Payload start and end (absolute in the buffer). */
  start: number;
  end: number;
}

function* children(b: Uint8Array, start: number, end: number): Generator<Box> {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = start;
  while (p + 8 <= end) {
    let size = dv.getUint32(p);
    const type = fourcc(b, p + 4);
    let header = 8;
    if (size === 1) {
      if (p + 16 > end) return;
      size = dv.getUint32(p + 8) * 2 ** 32 + dv.getUint32(p + 12);
      header = 16;
    } else if (size === 0) {
      size = end - p;
    }
    if (size < header || p + size > end) throw new Error(`box '${printable(type)}' of ${size} bytes overruns its parent`);
    yield { type, start: p + header, end: p + size };
    p += size;
  }
}

function child(b: Uint8Array, parent: Box, type: string, skip = 0): Box | null {
  for (const c of children(b, parent.start + skip, parent.end)) if (c.type === type) return c;
  return null;
}

/** Parses Apple's iTunSMPB value: priming and original length, or null when malformed. */
export function parseItunSmpb(text: string): { primingFrames: number; paddingFrames: number; totalFrames: number } | null {
  const f = text.trim().split(/\s+/);
  if (f.length < 4 || !f.slice(0, 4).every((x) => /^[0-9a-fA-F]+$/.test(x))) return null;
  const primingFrames = parseInt(f[1], 16);
  const paddingFrames = parseInt(f[2], 16);
  const totalFrames = parseInt(f[3], 16);
  // Fields longer than their 8/16 hex digits parse to huge numbers or Infinity (found by fuzzing):
  // such a value is no frame count, so the tag is ignored like any other malformed one.
  if (![primingFrames, paddingFrames, totalFrames].every(Number.isSafeInteger)) return null;
  return totalFrames > 0 ? { primingFrames, paddingFrames, totalFrames } : null;
}

/** Finds the top-level moov box and returns its bytes, and whether a later box is cut short. */
function readMoov(source: FileSource): { moov: Uint8Array; dataCut: boolean } {
  const file = source.file;
  let moov: Uint8Array | null = null;
  let p = 0;
  const h = new Uint8Array(16);
  while (p + 8 <= source.sizeBytes) {
    source.readAt(h, 16, p);
    const dv = new DataView(h.buffer);
    let size = dv.getUint32(0);
    const type = fourcc(h, 4);
    if (size === 1) size = dv.getUint32(8) * 2 ** 32 + dv.getUint32(12);
    else if (size === 0) size = source.sizeBytes - p;
    if (size < 8) throw new MastersmithError("E_CORRUPT", { file, detail: `MP4 box '${printable(type)}' at byte ${p} has size ${size}` });
    if (type === "moov") {
      if (p + size > source.sizeBytes) throw new MastersmithError("E_TRUNCATED", { file, detail: `the moov box runs past the end of the file (${p + size} > ${source.sizeBytes} bytes)` });
      if (size > MAX_MOOV_BYTES) throw new MastersmithError("E_CORRUPT", { file, detail: `moov box of ${size} bytes` });
      moov = source.readExact(size, p);
      if (moov === null) throw new MastersmithError("E_TRUNCATED", { file, detail: "the file ends inside the moov box" });
    } else if (p + size > source.sizeBytes) {
      if (moov !== null) return { moov, dataCut: true };
      throw new MastersmithError("E_TRUNCATED", { file, detail: `MP4 box '${printable(type)}' runs past the end of the file and no moov box precedes it` });
    }
    p += size;
  }
  if (moov !== null) return { moov, dataCut: false };
  throw new MastersmithError("E_TRUNCATED", { file, detail: "no moov box (the MP4 index is missing: an interrupted recording or download?)" });
}

/** The first sound track of an MP4/M4A: codec, format, priming and length. */
export function parseMp4Header(source: FileSource): Mp4Track {
  const file = source.file;
  const { moov, dataCut } = readMoov(source);
  try {
    return { ...parseMoov(file, moov), dataCut };
  } catch (e) {
    if (e instanceof MastersmithError) throw e;
    throw new MastersmithError("E_CORRUPT", { file, detail: `MP4 index: ${e instanceof Error ? e.message : String(e)}` });
  }
}

function parseMoov(file: string, b: Uint8Array): Omit<Mp4Track, "dataCut"> {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const moov: Box = { type: "moov", start: 8, end: b.length };
  const mvhd = child(b, moov, "mvhd");
  if (mvhd === null) throw new MastersmithError("E_CORRUPT", { file, detail: "no mvhd box" });
  const movieTimescale = dv.getUint32(mvhd.start + (b[mvhd.start] === 1 ? 20 : 12));

  for (const trak of children(b, moov.start, moov.end)) {
    if (trak.type !== "trak") continue;
    const mdia = child(b, trak, "mdia");
    const hdlr = mdia && child(b, mdia, "hdlr");
    if (mdia === null || hdlr === null || fourcc(b, hdlr.start + 8) !== "soun") continue;
    const mdhd = child(b, mdia, "mdhd");
    const stbl = child(b, child(b, mdia, "minf") ?? mdia, "stbl");
    const stsd = stbl && child(b, stbl, "stsd");
    const stts = stbl && child(b, stbl, "stts");
    if (mdhd === null || stsd === null || stts === null) throw new MastersmithError("E_CORRUPT", { file, detail: "a sound track lacks mdhd, stsd or stts" });
    const mediaTimescale = dv.getUint32(mdhd.start + (b[mdhd.start] === 1 ? 20 : 12));

    // stsd: full box, entry count, then the first AudioSampleEntry (ISO/IEC 14496-12 §12.2.3).
    const entry = children(b, stsd.start + 8, stsd.end).next().value;
    if (!entry) throw new MastersmithError("E_CORRUPT", { file, detail: "empty stsd box" });
    const format = entry.type;
    let channels = dv.getUint16(entry.start + 16);
    let sampleRateHz = dv.getUint32(entry.start + 24) >>> 16;
    let bitDepth = 0;
    let codec: Mp4Track["codec"];
    if (format === "mp4a") {
      codec = "aac";
      // The 16.16 field cannot hold rates above 65535 Hz; the media timescale is the rate in practice.
      if (mediaTimescale >= 8000 && mediaTimescale <= 768000) sampleRateHz = mediaTimescale;
    } else if (format === "alac") {
      codec = "alac";
      // ALACSpecificConfig (Apple ALAC spec): bit depth, channels and a 32-bit rate.
      const cfg = child(b, entry, "alac", 28);
      if (cfg !== null && cfg.end - cfg.start >= 28) {
        bitDepth = b[cfg.start + 9];
        channels = b[cfg.start + 13];
        sampleRateHz = dv.getUint32(cfg.start + 24);
      } else {
        bitDepth = dv.getUint16(entry.start + 18);
      }
    } else {
      throw new MastersmithError("E_UNSUPPORTED_CODEC", { file, detail: `MP4 sound track in '${printable(format)}'; AAC and ALAC are read` });
    }
    checkFormat(file, channels, sampleRateHz);

    let sttsFrames = 0;
    const sttsCount = dv.getUint32(stts.start + 4);
    if (stts.start + 8 + sttsCount * 8 > stts.end) throw new MastersmithError("E_CORRUPT", { file, detail: "stts box shorter than its entry count" });
    for (let i = 0; i < sttsCount; i++) sttsFrames += dv.getUint32(stts.start + 8 + 8 * i) * dv.getUint32(stts.start + 12 + 8 * i);

    const smpb = itunSmpb(b, moov);
    if (smpb !== null) {
      return { codec, sampleRateHz, channels, bitDepth, primingFrames: smpb.primingFrames, totalFrames: Math.min(smpb.totalFrames, Math.max(0, sttsFrames - smpb.primingFrames)), trimSource: "iTunSMPB" };
    }
    const edts = child(b, trak, "edts");
    const elst = edts && child(b, edts, "elst");
    if (elst !== null) {
      const v1 = b[elst.start] === 1;
      const count = dv.getUint32(elst.start + 4);
      for (let i = 0, p = elst.start + 8; i < count && p + (v1 ? 20 : 12) <= elst.end; i++, p += v1 ? 20 : 12) {
        const duration = v1 ? dv.getUint32(p) * 2 ** 32 + dv.getUint32(p + 4) : dv.getUint32(p);
        const mediaTime = v1 ? dv.getInt32(p + 8) * 2 ** 32 + dv.getUint32(p + 12) : dv.getInt32(p + 4);
        if (mediaTime < 0) continue; // an empty edit (a delay before the track): not a trim
        const fromTable = Math.max(0, sttsFrames - mediaTime);
        const fromEdit = movieTimescale > 0 ? (duration * mediaTimescale) / movieTimescale : fromTable;
        // The edit's duration is in the movie timescale (often 1/1000 s): trust it over the
        // table only when it is shorter by more than its own rounding.
        const totalFrames = duration > 0 && fromEdit < fromTable - (mediaTimescale / movieTimescale + 1) ? Math.round(fromEdit) : fromTable;
        return { codec, sampleRateHz, channels, bitDepth, primingFrames: mediaTime, totalFrames, trimSource: "edit list" };
      }
    }
    return { codec, sampleRateHz, channels, bitDepth, primingFrames: 0, totalFrames: sttsFrames, trimSource: "none" };
  }
  throw new MastersmithError("E_UNSUPPORTED_FORMAT", { file, detail: "an MP4 file without a sound track" });
}

/** moov/udta/meta/ilst/'----' with name "iTunSMPB": its data value, parsed. */
function itunSmpb(b: Uint8Array, moov: Box): ReturnType<typeof parseItunSmpb> {
  const udta = child(b, moov, "udta");
  if (udta === null) return null;
  const meta = child(b, udta, "meta");
  if (meta === null) return null;
  // 'meta' is a full box in ISO files (4 bytes of version/flags), a plain box in old QuickTime.
  let ilst: Box | null = null;
  try { ilst = child(b, meta, "ilst", 4); } catch { /* try the QuickTime layout */ }
  if (ilst === null) ilst = child(b, meta, "ilst");
  if (ilst === null) return null;
  for (const item of children(b, ilst.start, ilst.end)) {
    if (item.type !== "----") continue;
    let name = "";
    let value = "";
    for (const part of children(b, item.start, item.end)) {
      const text = new TextDecoder().decode(b.subarray(part.start + (part.type === "data" ? 8 : 4), part.end));
      if (part.type === "name") name = text;
      else if (part.type === "data") value = text;
    }
    if (name === "iTunSMPB") return parseItunSmpb(value);
  }
  return null;
}

const availability = new Map<string, string | null>();

/** The ffmpeg binary to use, or throws E_DECODER_UNAVAILABLE (checked once per process and path). */
export function findFfmpeg(file: string, codec: string): string {
  const bin = process.env.MASTERSMITH_FFMPEG || "ffmpeg";
  if (!availability.has(bin)) {
    const r = spawnSync(bin, ["-hide_banner", "-version"], { stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 });
    availability.set(bin, r.status === 0 ? bin : null);
  }
  if (availability.get(bin) === null) {
    throw new MastersmithError("E_DECODER_UNAVAILABLE", {
      file,
      detail: `${codec.toUpperCase()} in MP4 is decoded with ffmpeg, and '${bin}' could not be run; install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or set MASTERSMITH_FFMPEG to its path`,
    });
  }
  return bin;
}

export class Mp4Reader implements AudioReader {
  readonly file: string;
  readonly info: AudioInfo;
  private readonly source: FileSource;
  private readonly track: Mp4Track;
  private readonly ffmpeg: string;
  private child: ChildProcessByStdio<null, Readable, Readable> | null = null;

  constructor(source: FileSource, track: Mp4Track, ffmpeg: string) {
    this.source = source;
    this.file = source.file;
    this.track = track;
    this.ffmpeg = ffmpeg;
    this.info = {
      container: "mp4",
      codec: track.codec,
      sampleRateHz: track.sampleRateHz,
      channels: track.channels,
      bitDepth: track.codec === "alac" ? track.bitDepth : 32,
      sampleFormat: track.codec === "alac" ? "int" : "float",
      frames: track.totalFrames,
    };
  }

  async *blocks(blockFrames: number = DEFAULT_BLOCK_FRAMES): AsyncGenerator<Float32Array[]> {
    checkBlockFrames(blockFrames);
    const file = this.file;
    const { channels, sampleRateHz, frames: total } = this.info;
    const out = new Reblocker(channels, blockFrames, this.track.primingFrames, total);
    // Interleaved float32 WAV on stdout: its header lets us check ffmpeg's rate and channels.
    const proc = spawn(this.ffmpeg, [
      "-nostdin", "-hide_banner", "-v", "error", "-flags2", "+skip_manual", "-ignore_editlist", "1", "-i", file,
      "-map", "0:a:0", "-vn", "-c:a", "pcm_f32le", "-f", "wav", "-",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = proc;
    let stderr = "";
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (s: string) => { if (stderr.length < 4000) stderr += s; });
    const exited = new Promise<number | null>((resolve) => {
      proc.on("error", (e) => { stderr += String(e); resolve(-1); });
      proc.on("close", (code) => resolve(code));
    });

    // Frame staging: one block of de-interleaved samples per push.
    const stage: Float32Array[] = [];
    for (let c = 0; c < channels; c++) stage.push(new Float32Array(blockFrames));
    const frameBytes = 4 * channels;
    const carry = new Uint8Array(frameBytes);
    let carryBytes = 0;
    let header: Uint8Array | null = new Uint8Array(0);
    try {
      for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
        let bytes: Uint8Array = chunk;
        if (header !== null) {
          // Accumulate until the WAV 'data' chunk starts, then check the format.
          const joined: Uint8Array = new Uint8Array(header.length + bytes.length);
          joined.set(header);
          joined.set(bytes, header.length);
          const dataAt = wavDataOffset(file, joined, channels, sampleRateHz);
          if (dataAt < 0) { header = joined; continue; }
          header = null;
          bytes = joined.subarray(dataAt);
        }
        let p = 0;
        if (carryBytes > 0) {
          const need = Math.min(frameBytes - carryBytes, bytes.length);
          carry.set(bytes.subarray(0, need), carryBytes);
          carryBytes += need;
          p = need;
          if (carryBytes === frameBytes) {
            const dv = new DataView(carry.buffer);
            for (let c = 0; c < channels; c++) stage[c][0] = dv.getFloat32(4 * c, true);
            out.push(stage, 1);
            for (let b = out.next(); b !== null; b = out.next()) yield b;
            carryBytes = 0;
          }
        }
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        while (bytes.length - p >= frameBytes && !out.full) {
          const n = Math.min(blockFrames, Math.floor((bytes.length - p) / frameBytes));
          for (let i = 0; i < n; i++) {
            for (let c = 0; c < channels; c++) stage[c][i] = dv.getFloat32(p + 4 * c, true);
            p += frameBytes;
          }
          out.push(stage, n);
          for (let b = out.next(); b !== null; b = out.next()) yield b;
        }
        if (out.full) continue; // drain the end padding: closing the pipe early would look like an error
        carry.set(bytes.subarray(p), 0);
        carryBytes = bytes.length - p;
      }
      const rest = out.rest();
      if (rest !== null) yield rest;
      const code = await exited;
      const reason = stderr.trim().split("\n").slice(-3).join("; ");
      if (code === -1) throw new MastersmithError("E_DECODER_UNAVAILABLE", { file, detail: `ffmpeg could not be run: ${reason}` });
      // ffmpeg conceals damaged AAC frames and carries on: any error it reports means the
      // samples are not what was encoded, so the read fails rather than pass them on.
      if (code !== 0 || reason !== "" || !out.full) {
        const cut = this.track.dataCut || /partial file/.test(reason);
        throw new MastersmithError(cut ? "E_TRUNCATED" : "E_CORRUPT", {
          file, detail: `the MP4 index declares ${total} frames; ${out.emittedFrames} decode${reason ? `, ffmpeg reports: ${reason}` : code !== 0 ? `, ffmpeg exit code ${code}` : ""}`,
        });
      }
    } finally {
      this.stop();
    }
  }

  private stop(): void {
    const proc = this.child;
    this.child = null;
    if (proc !== null && proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  }

  async close(): Promise<void> {
    this.stop();
    this.source.close();
  }
}

/**
 * Offset of the sample data in the WAV header ffmpeg writes to a pipe, or −1 when more bytes are
 * needed. E_CORRUPT when its format differs from what the MP4 header said.
 */
function wavDataOffset(file: string, b: Uint8Array, channels: number, sampleRateHz: number): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 12;
  while (p + 8 <= b.length) {
    const id = fourcc(b, p);
    const size = dv.getUint32(p + 4, true);
    if (id === "data") return p + 8;
    if (id === "fmt ") {
      if (p + 16 > b.length) return -1;
      const ch = dv.getUint16(p + 10, true);
      const rate = dv.getUint32(p + 12, true);
      if (ch !== channels || rate !== sampleRateHz) {
        throw new MastersmithError("E_CORRUPT", { file, detail: `ffmpeg decodes ${ch} channels at ${rate} Hz, the MP4 header says ${channels} at ${sampleRateHz} Hz` });
      }
    }
    p += 8 + size + (size & 1);
  }
  return -1;
}
