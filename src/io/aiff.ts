/**
 * AIFF and AIFF-C header parsing (Apple "Audio Interchange File Format" 1.3 and the AIFF-C
 * draft of 1991). Big-endian IFF chunks padded to even sizes; COMM may come before or after
 * SSND, so the walk reads chunk headers only and collects both. The sample rate is an 80-bit
 * IEEE 754 extended float.
 */
import { MastersmithError } from "../core/codes.js";
import type { FileSource } from "./file-source.js";
import { bytesPerSample, codecName, type PcmEncoding } from "./pcm.js";
import type { PcmLayout } from "./pcm-reader.js";
import { checkFormat, fourcc, printable } from "./header-checks.js";

const MAX_CHUNKS = 100_000;

/** Decodes an 80-bit IEEE extended float (sign, 15-bit exponent, 64-bit mantissa with explicit integer bit). */
export function readExtended80(bytes: Uint8Array, offset: number): number {
  const sign = bytes[offset] & 0x80 ? -1 : 1;
  const exponent = ((bytes[offset] & 0x7f) << 8) | bytes[offset + 1];
  let mantissa = 0;
  for (let i = 0; i < 8; i++) mantissa = mantissa * 256 + bytes[offset + 2 + i];
  if (exponent === 0 && mantissa === 0) return 0;
  if (exponent === 0x7fff) return NaN;
  // value = mantissa · 2^(exponent − 16383 − 63)
  return sign * mantissa * Math.pow(2, exponent - 16383 - 63);
}

/** Encodes a number as an 80-bit IEEE extended float (for tests and writers). */
export function writeExtended80(value: number, out: Uint8Array, offset: number): void {
  out.fill(0, offset, offset + 10);
  if (value === 0) return;
  const sign = value < 0 ? 0x80 : 0;
  let v = Math.abs(value);
  let exponent = Math.floor(Math.log2(v));
  if (Math.pow(2, exponent) > v) exponent--;
  if (Math.pow(2, exponent + 1) <= v) exponent++;
  v = v / Math.pow(2, exponent); // in [1, 2)
  const biased = exponent + 16383;
  out[offset] = sign | ((biased >> 8) & 0x7f);
  out[offset + 1] = biased & 0xff;
  // 64-bit mantissa with the integer bit set; a double's 53 significant bits fill the top.
  const mantissa = BigInt(Math.round(v * 2 ** 52)) << 11n;
  new DataView(out.buffer, out.byteOffset).setBigUint64(offset + 2, mantissa, false);
}

/** AIFF-C compression types we read, and their sample encoding for a given sample size. */
function aifcEncoding(file: string, compression: string, sampleSizeBits: number): PcmEncoding {
  const intBe = (): PcmEncoding => (["s8", "s16be", "s24be", "s32be"] as const)[Math.ceil(sampleSizeBits / 8) - 1];
  switch (compression) {
    case "NONE": case "twos": return intBe();
    case "sowt": {
      const bytes = Math.ceil(sampleSizeBits / 8);
      return (["s8", "s16le", "s24le", "s32le"] as const)[bytes - 1];
    }
    case "in24": return "s24be";
    case "in32": return "s32be";
    case "raw ": return "u8";
    case "fl32": case "FL32": return "f32be";
    case "fl64": case "FL64": return "f64be";
    default:
      throw new MastersmithError("E_UNSUPPORTED_CODEC", { file, detail: `AIFF-C compression type '${printable(compression)}'` });
  }
}

export function parseAiff(source: FileSource, container: "aiff" | "aifc"): PcmLayout {
  const file = source.file;
  const fileBytes = source.sizeBytes;
  let comm: Uint8Array | null = null;
  let commBytes = 0;
  let ssndOffset = -1; // absolute offset of the SSND chunk body
  let ssndBytes = 0;

  let pos = 12;
  for (let n = 0; pos + 8 <= fileBytes; n++) {
    if (n === MAX_CHUNKS) throw new MastersmithError("E_BAD_HEADER", { file, detail: `more than ${MAX_CHUNKS} chunks` });
    const head = source.readExact(8, pos);
    if (head === null) break;
    const id = fourcc(head, 0);
    const size = new DataView(head.buffer).getUint32(4, false);
    const bodyStart = pos + 8;
    const remaining = fileBytes - bodyStart;
    if (size > remaining) {
      if (id === "SSND" || comm === null || ssndOffset < 0) {
        throw new MastersmithError("E_TRUNCATED", {
          file, detail: `'${printable(id)}' chunk at byte ${pos} claims ${size} bytes, the file holds ${remaining} after its header`,
        });
      }
      break; // trailing damage after everything we need
    }
    if (id === "COMM") {
      commBytes = size;
      if (size < 18) throw new MastersmithError("E_BAD_HEADER", { file, detail: `COMM chunk of ${size} bytes is too short (18 needed)` });
      comm = source.readExact(Math.min(size, 23), bodyStart)!;
    } else if (id === "SSND") {
      if (size < 8) throw new MastersmithError("E_BAD_HEADER", { file, detail: `SSND chunk of ${size} bytes is too short` });
      ssndOffset = bodyStart;
      ssndBytes = size;
    }
    if (comm !== null && ssndOffset >= 0) break;
    pos = bodyStart + size + (size & 1);
  }

  if (comm === null) {
    throw ssndOffset >= 0
      ? new MastersmithError("E_BAD_HEADER", { file, detail: "no COMM chunk" })
      : new MastersmithError("E_TRUNCATED", { file, detail: "no COMM chunk and no SSND chunk before the end of the file" });
  }
  const cv = new DataView(comm.buffer);
  const channels = cv.getUint16(0, false);
  const numSampleFrames = cv.getUint32(2, false);
  const sampleSizeBits = cv.getUint16(6, false);
  const sampleRateHz = readExtended80(comm, 8);

  let compression = "NONE";
  if (container === "aifc") {
    if (commBytes < 22) throw new MastersmithError("E_BAD_HEADER", { file, detail: `AIFF-C COMM chunk of ${commBytes} bytes has no compression type` });
    compression = fourcc(comm, 18);
  }

  checkFormat(file, channels, sampleRateHz);
  if (!Number.isInteger(sampleRateHz)) {
    throw new MastersmithError("E_BAD_HEADER", { file, detail: `non-integer sample rate ${sampleRateHz} Hz` });
  }
  const isFloat = /^(fl|FL)(32|64)$/.test(compression);
  if (!isFloat && (sampleSizeBits < 1 || sampleSizeBits > 32)) {
    throw new MastersmithError("E_BAD_HEADER", { file, detail: `${sampleSizeBits} bits per sample` });
  }
  const encoding = aifcEncoding(file, compression, sampleSizeBits);
  const bitDepth = isFloat ? bytesPerSample(encoding) * 8 : Math.min(sampleSizeBits, bytesPerSample(encoding) * 8);

  if (ssndOffset < 0) {
    if (numSampleFrames === 0) {
      // A valid empty AIFF may omit SSND (AIFF 1.3: "SSND is optional if numSampleFrames is 0").
      return layout(0, 0);
    }
    throw new MastersmithError("E_TRUNCATED", { file, detail: "no SSND chunk before the end of the file" });
  }
  const ssndHead = new DataView(source.readExact(8, ssndOffset)!.buffer);
  const blockOffset = ssndHead.getUint32(0, false);
  const dataOffsetBytes = ssndOffset + 8 + blockOffset;
  const availableBytes = ssndBytes - 8 - blockOffset;
  if (availableBytes < 0) throw new MastersmithError("E_BAD_HEADER", { file, detail: `SSND offset ${blockOffset} beyond its ${ssndBytes}-byte chunk` });
  const frameBytes = bytesPerSample(encoding) * channels;
  const neededBytes = numSampleFrames * frameBytes;
  if (neededBytes > availableBytes) {
    throw new MastersmithError("E_TRUNCATED", {
      file, detail: `COMM declares ${numSampleFrames} frames (${neededBytes} bytes), the SSND chunk holds ${availableBytes} bytes of samples`,
    });
  }
  return layout(numSampleFrames, dataOffsetBytes);

  function layout(frames: number, dataOffsetBytes: number): PcmLayout {
    return {
      encoding,
      dataOffsetBytes,
      info: {
        container,
        codec: codecName(encoding),
        sampleRateHz,
        channels,
        bitDepth,
        sampleFormat: isFloat ? "float" : "int",
        frames,
      },
    };
  }
}
