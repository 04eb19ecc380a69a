/**
 * Release metadata ("tags") and its encodings for every output format: RIFF LIST/INFO and an
 * ID3v2.4 tag (WAV `id3 ` chunk), Vorbis comments (FLAC, Opus), the FLAC/Vorbis picture block,
 * and the ffmetadata text that hands tags to ffmpeg. The bext chunk lives in tags-bext.ts, the
 * MP4 freeform atoms in tags-mp4.ts.
 *
 * One tag set for all formats: title, artist, album, album artist, track number, year, genre,
 * ISRC, comment, and a cover image (where the format holds one).
 */
import { readFileSync, statSync } from "node:fs";
import { MastersmithError } from "../core/codes.js";

export interface Tags {
  title?: string;
  artist?: string;
  album?: string;
  albumArtist?: string;
  /** "3" or "3/12". */
  track?: string;
  /** "2024" or "2024-05-01". */
  year?: string;
  genre?: string;
  /** 12 characters, ISO 3901: CC-XXX-YY-NNNNN without the dashes (normalized by parseTagArgs). */
  isrc?: string;
  comment?: string;
  /** Path of a JPEG or PNG image for the front cover. */
  cover?: string;
}

/** `--tag` keys as users write them, to the Tags field they set. */
const KEY_ALIASES: Record<string, keyof Tags> = {
  title: "title",
  artist: "artist",
  album: "album",
  albumartist: "albumArtist",
  album_artist: "albumArtist",
  "album-artist": "albumArtist",
  track: "track",
  tracknumber: "track",
  year: "year",
  date: "year",
  genre: "genre",
  isrc: "isrc",
  comment: "comment",
  cover: "cover",
};

export const TAG_KEYS = Object.keys(KEY_ALIASES);

/** Validates and normalizes one tag value; throws E_BAD_ARGUMENT naming the key. */
function normalize(field: keyof Tags, value: string): string {
  const bad = (why: string) => new MastersmithError("E_BAD_ARGUMENT", { detail: `--tag ${field}: ${why}` });
  switch (field) {
    case "isrc": {
      // ISO 3901: country (2 letters), registrant (3 alphanumerics), year (2 digits), designation (5 digits).
      const code = value.replace(/-/g, "").toUpperCase();
      if (!/^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$/.test(code)) throw bad(`'${value}' is not an ISRC (CC-XXX-YY-NNNNN)`);
      return code;
    }
    case "track":
      if (!/^[1-9][0-9]*(\/[1-9][0-9]*)?$/.test(value)) throw bad(`'${value}' is not a track number ("3" or "3/12")`);
      return value;
    case "year":
      if (!/^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$/.test(value)) throw bad(`'${value}' is not a year (YYYY or YYYY-MM-DD)`);
      return value;
    default:
      if (value.includes("\0")) throw bad("contains a NUL character");
      return value;
  }
}

/** Parses repeated `key=value` arguments into Tags (E_BAD_ARGUMENT on an unknown key or bad value). */
export function parseTagArgs(args: readonly string[]): Tags {
  const tags: Tags = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new MastersmithError("E_BAD_ARGUMENT", { detail: `--tag '${arg}': expected key=value` });
    const key = arg.slice(0, eq).trim().toLowerCase();
    const field = KEY_ALIASES[key];
    if (field === undefined) {
      throw new MastersmithError("E_BAD_ARGUMENT", { detail: `--tag '${key}': unknown key (known: ${TAG_KEYS.join(", ")})` });
    }
    tags[field] = normalize(field, arg.slice(eq + 1));
  }
  return tags;
}

export interface CoverArt {
  mime: "image/jpeg" | "image/png";
  data: Uint8Array;
}

/** Cover images above this size are refused: tags are read whole by players. */
const MAX_COVER_BYTES = 16 << 20;

/** Reads the cover image; the type comes from its magic bytes (JPEG FF D8 FF, PNG 89 'PNG'). */
export function loadCover(path: string): CoverArt {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new MastersmithError("E_NOT_FOUND", { file: path, detail: "cover image", cause: e });
  }
  if (size > MAX_COVER_BYTES) throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `cover image of ${size} bytes (max ${MAX_COVER_BYTES})` });
  const data = new Uint8Array(readFileSync(path));
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return { mime: "image/jpeg", data };
  if (data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return { mime: "image/png", data };
  throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: "cover image is neither JPEG nor PNG" });
}

const utf8 = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u32be(v: number): Uint8Array {
  return new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

function u32le(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
}

/**
 * The body of a RIFF `LIST` chunk of type INFO (RIFF spec 1991, §2-14 "INFO list chunk"): each
 * value a NUL-terminated string padded to even length. ISRC is not written here on purpose:
 * INFO's `ISRC` means "source", not the recording code; the ISRC goes to the ID3 TSRC frame.
 * The INFO list has no album-artist field either.
 */
export function riffInfoBody(tags: Tags, software: string): Uint8Array {
  const items: [string, string | undefined][] = [
    ["INAM", tags.title], ["IART", tags.artist], ["IPRD", tags.album], ["ITRK", tags.track],
    ["ICRD", tags.year], ["IGNR", tags.genre], ["ICMT", tags.comment], ["ISFT", software],
  ];
  const parts: Uint8Array[] = [utf8.encode("INFO")];
  for (const [id, value] of items) {
    if (value === undefined || value === "") continue;
    const text = utf8.encode(value);
    const size = text.length + 1;
    parts.push(utf8.encode(id), u32le(size), text, new Uint8Array(1 + (size & 1)));
  }
  return concat(parts);
}

/** ID3v2 syncsafe integer: 4 × 7 bits (ID3v2.4 structure §6.2). */
function syncsafe(v: number): Uint8Array {
  return new Uint8Array([(v >>> 21) & 0x7f, (v >>> 14) & 0x7f, (v >>> 7) & 0x7f, v & 0x7f]);
}

function id3Frame(id: string, body: Uint8Array): Uint8Array {
  // ID3v2.4 §4: frame id, syncsafe size, two flag bytes.
  return concat([utf8.encode(id), syncsafe(body.length), new Uint8Array(2), body]);
}

/** Text frame with encoding 3 (UTF-8, ID3v2.4 §4.2). */
function id3Text(id: string, value: string): Uint8Array {
  return id3Frame(id, concat([new Uint8Array([3]), utf8.encode(value)]));
}

/**
 * A complete ID3v2.4 tag (header + frames, no padding): TIT2, TPE1, TALB, TPE2 (album artist),
 * TRCK, TDRC, TCON, TSRC (ISRC, ID3v2.4 frames §4.2.1), COMM, TXXX for `extra`, APIC (front cover).
 */
export function id3v2Tag(tags: Tags, cover: CoverArt | null, extra: Record<string, string> = {}): Uint8Array {
  const frames: Uint8Array[] = [];
  const text: [string, string | undefined][] = [
    ["TIT2", tags.title], ["TPE1", tags.artist], ["TALB", tags.album], ["TPE2", tags.albumArtist],
    ["TRCK", tags.track], ["TDRC", tags.year], ["TCON", tags.genre], ["TSRC", tags.isrc],
  ];
  for (const [id, value] of text) if (value !== undefined && value !== "") frames.push(id3Text(id, value));
  if (tags.comment !== undefined && tags.comment !== "") {
    // COMM: encoding, language, empty short description (NUL), text (§4.10).
    frames.push(id3Frame("COMM", concat([new Uint8Array([3]), utf8.encode("eng"), new Uint8Array(1), utf8.encode(tags.comment)])));
  }
  for (const [description, value] of Object.entries(extra)) {
    frames.push(id3Frame("TXXX", concat([new Uint8Array([3]), utf8.encode(description), new Uint8Array(1), utf8.encode(value)])));
  }
  if (cover !== null) {
    // APIC: encoding, MIME (ISO-8859-1, NUL), picture type 3 = front cover, description (NUL), data (§4.14).
    frames.push(id3Frame("APIC", concat([new Uint8Array([3]), utf8.encode(cover.mime), new Uint8Array([0, 3, 0]), cover.data])));
  }
  const body = concat(frames);
  return concat([utf8.encode("ID3"), new Uint8Array([4, 0, 0]), syncsafe(body.length), body]);
}

/**
 * Vorbis comment fields (Xiph "Ogg Vorbis I format specification: comment field and header
 * specification", recommended names; ALBUMARTIST, TRACKNUMBER/TRACKTOTAL and ISRC as written by
 * the common taggers and read by ffmpeg).
 */
export function vorbisCommentFields(tags: Tags, extra: Record<string, string> = {}): [string, string][] {
  const fields: [string, string][] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== "") fields.push([name, value]);
  };
  add("TITLE", tags.title);
  add("ARTIST", tags.artist);
  add("ALBUM", tags.album);
  add("ALBUMARTIST", tags.albumArtist);
  if (tags.track !== undefined) {
    const [number, total] = tags.track.split("/");
    add("TRACKNUMBER", number);
    add("TRACKTOTAL", total);
  }
  add("DATE", tags.year);
  add("GENRE", tags.genre);
  add("ISRC", tags.isrc);
  add("COMMENT", tags.comment);
  for (const [k, v] of Object.entries(extra)) add(k, v);
  return fields;
}

/** Width and height of a PNG (IHDR) or JPEG (first SOFn marker); 0 when not found. */
function imageSize(cover: CoverArt): { widthPx: number; heightPx: number } {
  const d = cover.data;
  if (cover.mime === "image/png" && d.length >= 24) {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    return { widthPx: dv.getUint32(16), heightPx: dv.getUint32(20) };
  }
  let p = 2;
  while (p + 9 < d.length && d[p] === 0xff) {
    const marker = d[p + 1];
    const length = (d[p + 2] << 8) | d[p + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { heightPx: (d[p + 5] << 8) | d[p + 6], widthPx: (d[p + 7] << 8) | d[p + 8] };
    }
    p += 2 + length;
  }
  return { widthPx: 0, heightPx: 0 };
}

/**
 * A FLAC METADATA_BLOCK_PICTURE body (FLAC format §"METADATA_BLOCK_PICTURE"), type 3 (front
 * cover). Base64 of it is the METADATA_BLOCK_PICTURE Vorbis comment that Ogg Opus uses for art.
 */
export function flacPictureBody(cover: CoverArt): Uint8Array {
  const { widthPx, heightPx } = imageSize(cover);
  const mime = utf8.encode(cover.mime);
  return concat([
    u32be(3), u32be(mime.length), mime, u32be(0), // type, MIME, empty description
    u32be(widthPx), u32be(heightPx), u32be(cover.mime === "image/png" ? 32 : 24), u32be(0), // colour depth, indexed colours
    u32be(cover.data.length), cover.data,
  ]);
}

/** Escapes a key or value for ffmpeg's ffmetadata format ('=', ';', '#', '\' and newline). */
function ffEscape(s: string): string {
  return s.replace(/[=;#\\\n]/g, (c) => `\\${c}`);
}

/** An ffmetadata file (`;FFMETADATA1`) with global tags: how long values reach ffmpeg safely. */
export function ffmetadata(fields: readonly [string, string][]): string {
  return ";FFMETADATA1\n" + fields.map(([k, v]) => `${ffEscape(k)}=${ffEscape(v)}\n`).join("");
}
