/**
 * Opus in Ogg (RFC 7845) through the system ffmpeg (libopus), default 160 kbps VBR.
 *
 * Opus always codes at 48 kHz. For 48 kHz input the stream is gapless as ffmpeg writes it: the
 * OpusHead pre-skip covers the encoder delay and the last page's granule position ends the
 * stream at the original length (RFC 7845 §4.1, §4.5). For other rates ffmpeg resamples to
 * 48 kHz and ends the stream at ceil(N × 48000 / rate) frames; we then set the last granule to
 * M = floor(N × 48000 / rate) and write the
 * original rate into OpusHead's "input sample rate" (§5.1), which decoders use to pick their
 * output rate. Both edits rewrite one page and its CRC. Why floor: a decoder resampling back
 * (ffmpeg: ceil(M × rate / 48000) frames) then gives exactly N, since M × rate / 48000 lies in
 * (N − 1, N]; with ceil or round it gives N + 1 for some lengths (2000 at 44.1 kHz: 2001). The
 * trimmed part is under one 48 kHz sample.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { MastersmithError } from "../core/codes.js";
import type { Encoder } from "./encode-common.js";
import { createFfmpegEncoder, ffmpegTagFields } from "./encode-ffmpeg.js";
import { flacPictureBody, loadCover, type Tags } from "./tags.js";

export interface OpusEncoderOptions {
  sampleRateHz: number;
  channels: number;
  bitrateKbps?: number;
  tags?: Tags;
  extraTags?: Record<string, string>;
  force?: boolean;
}

export const DEFAULT_OPUS_KBPS = 160;
const OPUS_RATE_HZ = 48000;

export function createOpusEncoder(path: string, o: OpusEncoderOptions): Encoder {
  const kbps = o.bitrateKbps ?? DEFAULT_OPUS_KBPS;
  if (!(kbps >= 6 && kbps <= 510)) throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `Opus bitrate ${kbps} kbps (6 to 510)` });
  if (o.channels > 8) throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `Opus output of ${o.channels} channels` });
  const t = o.tags ?? {};
  const metadata = ffmpegTagFields(t);
  // Vorbis comments pass through ffmpeg's Ogg muxer under any name.
  if (t.isrc) metadata.push(["ISRC", t.isrc]);
  for (const [k, v] of Object.entries(o.extraTags ?? {})) metadata.push([k, v]);
  if (t.cover !== undefined) {
    // Ogg has no picture stream: art is a METADATA_BLOCK_PICTURE comment (base64 FLAC picture).
    metadata.push(["METADATA_BLOCK_PICTURE", Buffer.from(flacPictureBody(loadCover(t.cover))).toString("base64")]);
  }
  const args = ["-c:a", "libopus", "-b:a", `${kbps}k`];
  if (o.sampleRateHz !== OPUS_RATE_HZ) args.push("-ar", String(OPUS_RATE_HZ));
  args.push("-f", "ogg");
  return createFfmpegEncoder(path, {
    sampleRateHz: o.sampleRateHz,
    channels: o.channels,
    outputArgs: args,
    metadata,
    force: o.force,
    purpose: "Opus output",
    finish(partial, framesWritten) {
      if (o.sampleRateHz !== OPUS_RATE_HZ) {
        patchOggOpus(partial, o.sampleRateHz, Math.floor((framesWritten * OPUS_RATE_HZ) / o.sampleRateHz));
      }
    },
  });
}

/** Ogg's CRC-32: polynomial 0x04C11DB7, no reflection, initial value 0 (RFC 3533 §6). */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ page[i]) & 0xff]) >>> 0;
  return crc;
}

function rewritePage(fd: number, offset: number, page: Uint8Array): void {
  page.fill(0, 22, 26);
  new DataView(page.buffer, page.byteOffset).setUint32(22, oggCrc(page), true);
  let done = 0;
  while (done < page.length) done += writeSync(fd, page, done, page.length - done, offset + done);
}

/** Page boundaries of an Ogg file (offset, length), read header by header. */
function oggPages(fd: number, file: string): { offset: number; length: number }[] {
  const size = fstatSync(fd).size;
  const head = new Uint8Array(27 + 255);
  const pages: { offset: number; length: number }[] = [];
  let p = 0;
  while (p + 27 <= size) {
    readSync(fd, head, 0, head.length, p);
    if (head[0] !== 0x4f || head[1] !== 0x67 || head[2] !== 0x67 || head[3] !== 0x53) {
      throw new MastersmithError("E_INTERNAL", { file, detail: `no Ogg page at byte ${p}` });
    }
    const segments = head[26];
    let body = 0;
    for (let i = 0; i < segments; i++) body += head[27 + i];
    const length = 27 + segments + body;
    pages.push({ offset: p, length });
    p += length;
  }
  return pages;
}

/** Sets OpusHead's input sample rate and the final granule (pre-skip + `lengthFrames48k`). */
export function patchOggOpus(file: string, inputSampleRateHz: number, lengthFrames48k: number): void {
  const fd = openSync(file, "r+");
  try {
    const pages = oggPages(fd, file);
    if (pages.length < 3) throw new MastersmithError("E_INTERNAL", { file, detail: "Ogg Opus stream too short" });
    const read = (pg: { offset: number; length: number }) => {
      const b = new Uint8Array(pg.length);
      readSync(fd, b, 0, pg.length, pg.offset);
      return b;
    };
    const first = read(pages[0]);
    const head = 27 + first[26];
    if (new TextDecoder().decode(first.subarray(head, head + 8)) !== "OpusHead") {
      throw new MastersmithError("E_INTERNAL", { file, detail: "first Ogg page is not OpusHead" });
    }
    const dv = new DataView(first.buffer);
    const preSkip = dv.getUint16(head + 10, true);
    dv.setUint32(head + 12, inputSampleRateHz, true);
    rewritePage(fd, pages[0].offset, first);
    const lastPage = pages[pages.length - 1];
    const last = read(lastPage);
    const ldv = new DataView(last.buffer);
    const granule = Number(ldv.getBigInt64(6, true));
    const wanted = preSkip + lengthFrames48k;
    // Only ever shorten, and by less than the last page holds (RFC 7845 §4.5 end trimming).
    if (wanted < granule) {
      ldv.setBigInt64(6, BigInt(wanted), true);
      rewritePage(fd, lastPage.offset, last);
    }
  } finally {
    closeSync(fd);
  }
}
