/**
 * The Broadcast Wave `bext` chunk, version 2 (EBU Tech 3285 v2, 2011), with its loudness fields
 * (EBU R128 values: integrated loudness, loudness range, maximum true peak, maximum momentary
 * and short-term loudness). The chunk is fixed-size once the coding history is chosen, so a
 * writer can reserve it at the start and rewrite it at close with the measured loudness.
 */
import { MastersmithError } from "../core/codes.js";

export interface BextLoudness {
  integratedLufs: number;
  loudnessRangeLu: number;
  maxTruePeakDbtp: number;
  maxMomentaryLufs: number;
  maxShortTermLufs: number;
}

export interface BextFields {
  description?: string;
  originator?: string;
  originatorReference?: string;
  /** "yyyy-mm-dd" (Tech 3285 §2.3 allows '-', '_', ':', ' ' or '.' as separators). */
  originationDate?: string;
  /** "hh:mm:ss". */
  originationTime?: string;
  /** First sample's position since midnight, in samples (TimeReference, 64-bit). */
  timeReferenceFrames?: number;
  /** Null or absent: the loudness fields hold the "not known" value. */
  loudness?: BextLoudness | null;
  /** CodingHistory text (EBU R98 lines, each ended by CR LF). */
  codingHistory?: string;
}

/** Bytes before CodingHistory (Tech 3285 v2 §2.3: 256+32+32+10+8+8+2+64+10+180). */
export const BEXT_FIXED_BYTES = 602;
const LOUDNESS_OFFSET = 412;

/**
 * Value stored for an unknown loudness field. Tech 3285 v2 gives no sentinel for "not measured";
 * 0x7FFF (+327.67, impossible for any of these quantities) is the common convention (BWF
 * MetaEdit) and what we write for -inf (digital silence) or an unmeasured value.
 */
export const BEXT_LOUDNESS_UNKNOWN = 0x7fff;

const ascii = new TextEncoder();

function putText(bytes: Uint8Array, at: number, length: number, text: string | undefined): void {
  if (text === undefined) return;
  // Fixed ASCII fields, NUL-padded (and not necessarily NUL-terminated when full).
  bytes.set(ascii.encode(text).subarray(0, length), at);
}

/** round(100 × value) as int16 (Tech 3285 v2: "multiplied by 100"), or the unknown sentinel. */
function centi(value: number): number {
  if (!Number.isFinite(value)) return BEXT_LOUDNESS_UNKNOWN;
  const v = Math.round(value * 100);
  return v > 32767 || v < -32768 ? BEXT_LOUDNESS_UNKNOWN : v;
}

/** The chunk body (without the 8-byte chunk header). Length = 602 + coding history bytes. */
export function bextBody(fields: BextFields): Uint8Array {
  const history = ascii.encode(fields.codingHistory ?? "");
  const b = new Uint8Array(BEXT_FIXED_BYTES + history.length);
  const dv = new DataView(b.buffer);
  putText(b, 0, 256, fields.description);
  putText(b, 256, 32, fields.originator);
  putText(b, 288, 32, fields.originatorReference);
  putText(b, 320, 10, fields.originationDate);
  putText(b, 330, 8, fields.originationTime);
  const ref = BigInt(Math.max(0, Math.floor(fields.timeReferenceFrames ?? 0)));
  dv.setBigUint64(338, ref, true); // TimeReferenceLow, TimeReferenceHigh
  dv.setUint16(346, 2, true); // Version 2: the loudness fields are defined
  // UMID (64 bytes at 348) left zero: none assigned.
  const l = fields.loudness;
  const values = l ? [l.integratedLufs, l.loudnessRangeLu, l.maxTruePeakDbtp, l.maxMomentaryLufs, l.maxShortTermLufs] : [NaN, NaN, NaN, NaN, NaN];
  values.forEach((v, i) => dv.setInt16(LOUDNESS_OFFSET + 2 * i, centi(v), true));
  b.set(history, BEXT_FIXED_BYTES);
  return b;
}

export interface ParsedBext {
  description: string;
  originator: string;
  originationDate: string;
  originationTime: string;
  version: number;
  /** null where the field holds the unknown sentinel. */
  integratedLufs: number | null;
  loudnessRangeLu: number | null;
  maxTruePeakDbtp: number | null;
  maxMomentaryLufs: number | null;
  maxShortTermLufs: number | null;
  codingHistory: string;
}

/**
 * Reads a bext body (for tests and for reports on existing files). A body shorter than the fixed
 * 602 bytes is E_CORRUPT (found by fuzzing: it used to escape as a RangeError). The loudness
 * fields exist from version 2 (Tech 3285 v2 §2.3); in older chunks those bytes are reserved
 * zeros, so they read as null, not as 0 LUFS.
 */
export function parseBext(body: Uint8Array, file?: string): ParsedBext {
  if (body.length < BEXT_FIXED_BYTES) {
    throw new MastersmithError("E_CORRUPT", { file, detail: `bext chunk of ${body.length} bytes (Tech 3285 fixes at least ${BEXT_FIXED_BYTES})` });
  }
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const text = (at: number, length: number) => new TextDecoder().decode(body.subarray(at, at + length)).replace(/\0.*$/s, "");
  const version = dv.getUint16(346, true);
  const loud = (i: number) => {
    const v = dv.getInt16(LOUDNESS_OFFSET + 2 * i, true);
    return version < 2 || v === BEXT_LOUDNESS_UNKNOWN ? null : v / 100;
  };
  return {
    description: text(0, 256),
    originator: text(256, 32),
    originationDate: text(320, 10),
    originationTime: text(330, 8),
    version,
    integratedLufs: loud(0),
    loudnessRangeLu: loud(1),
    maxTruePeakDbtp: loud(2),
    maxMomentaryLufs: loud(3),
    maxShortTermLufs: loud(4),
    codingHistory: text(BEXT_FIXED_BYTES, body.length - BEXT_FIXED_BYTES),
  };
}
