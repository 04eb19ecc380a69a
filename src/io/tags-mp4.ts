/**
 * MP4/M4A (ISO/IEC 14496-12) post-processing for AAC outputs: reading the gapless facts (edit
 * list, coded sample count) and adding iTunes freeform tags (`----` atoms under
 * moov/udta/meta/ilst: iTunSMPB, ISRC) that ffmpeg's muxer does not write.
 *
 * The file must have its moov box last (ffmpeg's default, no "faststart"): growing moov then
 * moves no media data, so the chunk offsets (stco) stay valid.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { MastersmithError } from "../core/codes.js";

interface Box {
  type: string;
  /** Offset of the box header within the buffer. */
  offset: number;
  size: number;
  headerBytes: number;
}

function boxesIn(buf: Uint8Array, start: number, end: number): Box[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Box[] = [];
  let p = start;
  while (p + 8 <= end) {
    let size = dv.getUint32(p);
    let headerBytes = 8;
    if (size === 1) {
      size = Number(dv.getBigUint64(p + 8));
      headerBytes = 16;
    } else if (size === 0) size = end - p;
    if (size < headerBytes || p + size > end) break;
    out.push({ type: String.fromCharCode(buf[p + 4], buf[p + 5], buf[p + 6], buf[p + 7]), offset: p, size, headerBytes });
    p += size;
  }
  return out;
}

/** Children start after the header, and after 4 version/flags bytes for `meta` (a full box). */
function childStart(box: Box): number {
  return box.offset + box.headerBytes + (box.type === "meta" ? 4 : 0);
}

/** The chain of boxes along `path` under [start, end), or null when one is missing. */
function findPath(buf: Uint8Array, start: number, end: number, path: readonly string[]): Box[] | null {
  const chain: Box[] = [];
  let s = start;
  let e = end;
  for (const type of path) {
    const box = boxesIn(buf, s, e).find((b) => b.type === type);
    if (box === undefined) return null;
    chain.push(box);
    s = childStart(box);
    e = box.offset + box.size;
  }
  return chain;
}

/** Locates the top-level moov box of a file: offset and size, and whether it is the last box. */
function locateMoov(fd: number, file: string): { offset: number; size: number; last: boolean } {
  const fileBytes = fstatSync(fd).size;
  const head = new Uint8Array(16);
  let p = 0;
  let moov: { offset: number; size: number } | null = null;
  while (p + 8 <= fileBytes) {
    readSync(fd, head, 0, 16, p);
    const dv = new DataView(head.buffer);
    let size = dv.getUint32(0);
    if (size === 1) size = Number(dv.getBigUint64(8));
    else if (size === 0) size = fileBytes - p;
    if (size < 8) break;
    if (String.fromCharCode(head[4], head[5], head[6], head[7]) === "moov") moov = { offset: p, size };
    p += size;
  }
  if (moov === null) throw new MastersmithError("E_INTERNAL", { file, detail: "encoder wrote no moov box" });
  return { ...moov, last: moov.offset + moov.size === fileBytes };
}

/** moov larger than this is refused (one for a few hours of AAC is well under a megabyte). */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;

function readMoov(fd: number, file: string): { moov: Uint8Array; offset: number; last: boolean } {
  const loc = locateMoov(fd, file);
  // A size field past the end of the file must not become a multi-gigabyte allocation (fuzzing).
  const fileBytes = fstatSync(fd).size;
  if (loc.offset + loc.size > fileBytes) {
    throw new MastersmithError("E_TRUNCATED", { file, detail: `the moov box runs past the end of the file (${loc.offset + loc.size} > ${fileBytes} bytes)` });
  }
  if (loc.size > MAX_MOOV_BYTES) throw new MastersmithError("E_CORRUPT", { file, detail: `moov box of ${loc.size} bytes` });
  const moov = new Uint8Array(loc.size);
  readSync(fd, moov, 0, loc.size, loc.offset);
  return { moov, offset: loc.offset, last: loc.last };
}

export interface Mp4Gapless {
  /** Audio track timescale (mdhd): the sample rate for audio written by ffmpeg. */
  mediaTimescale: number;
  /** Movie timescale (mvhd), in which the edit's segment duration is counted. */
  movieTimescale: number;
  /** Edit list: first media sample presented (the encoder delay), or null without an edit list. */
  editMediaTime: number | null;
  /** Edit list: presented duration in movie timescale units. */
  editDurationMovie: number | null;
  /** Track duration in media units (sum of stts): ffmpeg trims the last packet, so delay + audio. */
  sttsFrames: number;
  /** Packets (stsz sample count): for AAC-LC, × 1024 = every coded frame, padding included. */
  packetCount: number;
}

/**
 * Reads the gapless facts of the first track. Every failure is a MastersmithError naming the
 * file: a box field read past its box (a damaged index) is E_CORRUPT, not a RangeError.
 */
export function readMp4Gapless(file: string): Mp4Gapless {
  const fd = openSync(file, "r");
  try {
    return gaplessFacts(fd, file);
  } catch (e) {
    if (e instanceof MastersmithError) throw e;
    throw new MastersmithError("E_CORRUPT", { file, detail: `MP4 index: ${e instanceof Error ? e.message : String(e)}`, cause: e });
  } finally {
    closeSync(fd);
  }
}

function gaplessFacts(fd: number, file: string): Mp4Gapless {
  const { moov } = readMoov(fd, file);
  const dv = new DataView(moov.buffer);
  const all = [0, moov.length] as const;
  const fullBoxTimescale = (box: Box) => {
    const b = box.offset + box.headerBytes;
    return moov[b] === 1 ? dv.getUint32(b + 4 + 16) : dv.getUint32(b + 4 + 8);
  };
  const mvhd = findPath(moov, all[0], all[1], ["moov", "mvhd"]);
  const mdhd = findPath(moov, all[0], all[1], ["moov", "trak", "mdia", "mdhd"]);
  const stts = findPath(moov, all[0], all[1], ["moov", "trak", "mdia", "minf", "stbl", "stts"]);
  const stsz = findPath(moov, all[0], all[1], ["moov", "trak", "mdia", "minf", "stbl", "stsz"]);
  if (mvhd === null || mdhd === null || stts === null || stsz === null) throw new MastersmithError("E_INTERNAL", { file, detail: "no mvhd/mdhd/stts/stsz box" });
  const stszBox = stsz[stsz.length - 1];
  const packetCount = dv.getUint32(stszBox.offset + stszBox.headerBytes + 8); // after version/flags, sample_size
  const sttsBox = stts[stts.length - 1];
  let p = sttsBox.offset + sttsBox.headerBytes + 4;
  const entries = dv.getUint32(p);
  p += 4;
  let sttsFrames = 0;
  for (let i = 0; i < entries; i++, p += 8) sttsFrames += dv.getUint32(p) * dv.getUint32(p + 4);
  let editMediaTime: number | null = null;
  let editDurationMovie: number | null = null;
  const elst = findPath(moov, all[0], all[1], ["moov", "trak", "edts", "elst"]);
  if (elst !== null) {
    const e = elst[elst.length - 1];
    const b = e.offset + e.headerBytes;
    const count = dv.getUint32(b + 4);
    // Skip empty edits (media_time −1): the first real one carries the delay (14496-12 §8.6.6).
    for (let i = 0, q = b + 8; i < count; i++) {
      const v1 = moov[b] === 1;
      const duration = v1 ? Number(dv.getBigUint64(q)) : dv.getUint32(q);
      const mediaTime = v1 ? Number(dv.getBigInt64(q + 8)) : dv.getInt32(q + 4);
      q += v1 ? 20 : 12;
      if (mediaTime >= 0) {
        editMediaTime = mediaTime;
        editDurationMovie = duration;
        break;
      }
    }
  }
  return {
    mediaTimescale: fullBoxTimescale(mdhd[mdhd.length - 1]),
    movieTimescale: fullBoxTimescale(mvhd[mvhd.length - 1]),
    editMediaTime,
    editDurationMovie,
    sttsFrames,
    packetCount,
  };
}

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const size = 8 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = new TextEncoder();

/** An iTunes freeform atom: ----{mean "com.apple.iTunes", name, data (type 1 = UTF-8)}. */
function freeform(name: string, value: string): Uint8Array {
  const zero4 = new Uint8Array(4);
  return box("----",
    box("mean", zero4, utf8.encode("com.apple.iTunes")),
    box("name", zero4, utf8.encode(name)),
    box("data", new Uint8Array([0, 0, 0, 1]), zero4, utf8.encode(value)));
}

/**
 * The iTunSMPB value players use for gapless AAC (Apple's de facto format): encoder delay,
 * end padding and the original length, in hex, between fixed zero words.
 */
export function iTunSmpb(delayFrames: number, paddingFrames: number, lengthFrames: number): string {
  const hex = (v: number, width: number) => v.toString(16).toUpperCase().padStart(width, "0");
  return ` 00000000 ${hex(delayFrames, 8)} ${hex(paddingFrames, 8)} ${hex(lengthFrames, 16)}` + " 00000000".repeat(8);
}

/** Appends freeform tags to moov/udta/meta/ilst, growing every enclosing box. moov must be last. */
export function addMp4FreeformTags(file: string, tags: readonly [string, string][]): void {
  if (tags.length === 0) return;
  const fd = openSync(file, "r+");
  try {
    const { moov, offset, last } = readMoov(fd, file);
    if (!last) throw new MastersmithError("E_INTERNAL", { file, detail: "moov box is not at the end of the file" });
    const chain = findPath(moov, 0, moov.length, ["moov", "udta", "meta", "ilst"]);
    if (chain === null) throw new MastersmithError("E_INTERNAL", { file, detail: "no moov/udta/meta/ilst box to add tags to" });
    const added = tags.map(([name, value]) => freeform(name, value));
    const addedBytes = added.reduce((n, a) => n + a.length, 0);
    const ilst = chain[chain.length - 1];
    const insertAt = ilst.offset + ilst.size;
    const out = new Uint8Array(moov.length + addedBytes);
    out.set(moov.subarray(0, insertAt), 0);
    let at = insertAt;
    for (const a of added) {
      out.set(a, at);
      at += a.length;
    }
    out.set(moov.subarray(insertAt), at);
    const dv = new DataView(out.buffer);
    for (const b of chain) {
      if (b.headerBytes !== 8) throw new MastersmithError("E_INTERNAL", { file, detail: `64-bit ${b.type} box` });
      dv.setUint32(b.offset, b.size + addedBytes);
    }
    ftruncateSync(fd, offset);
    let done = 0;
    while (done < out.length) done += writeSync(fd, out, done, out.length - done, offset + done);
  } finally {
    closeSync(fd);
  }
}
