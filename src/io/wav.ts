/**
 * WAV header parsing: RIFF/WAVE, RF64 (EBU Tech 3306) and BW64 (ITU-R BS.2088), with
 * WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT and WAVE_FORMAT_EXTENSIBLE. Chunks are walked by
 * reading their 8-byte headers only, so big metadata chunks (bext, iXML, LIST, JUNK) cost nothing
 * and the file is never read whole. RIFF chunks are padded to an even size (the pad byte is not
 * counted in the chunk size); unknown chunks are skipped.
 */
import { MastersmithError } from "../core/codes.js";
import type { FileSource } from "./file-source.js";
import { bytesPerSample, codecName, type PcmEncoding } from "./pcm.js";
import type { PcmLayout } from "./pcm-reader.js";
import { checkFormat, fourcc, printable } from "./header-checks.js";
import type { Container } from "./types.js";

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Names for the tags people actually meet, so E_UNSUPPORTED_CODEC can say what the file is. */
const KNOWN_TAGS: Record<number, string> = {
  0x0002: "Microsoft ADPCM",
  0x0006: "A-law",
  0x0007: "mu-law",
  0x0011: "IMA ADPCM",
  0x0031: "GSM 6.10",
  0x0050: "MPEG-1 Layer I/II",
  0x0055: "MPEG-1 Layer III (MP3)",
  0x0092: "Dolby AC-3 SPDIF",
  0x00ff: "AAC",
  0x0161: "Windows Media Audio",
  0x2000: "Dolby AC-3",
  0x2001: "DTS",
  0xf1ac: "FLAC",
};

/** The KSDATAFORMAT_SUBTYPE GUID tail shared by PCM and IEEE float subformats. */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** Stop walking after this many chunks: a crafted file cannot make the walk long. */
const MAX_CHUNKS = 100_000;

function tagName(tag: number): string {
  const hex = `0x${tag.toString(16).padStart(4, "0")}`;
  return KNOWN_TAGS[tag] === undefined ? `format tag ${hex}` : `format tag ${hex}, ${KNOWN_TAGS[tag]}`;
}

export function parseWav(source: FileSource, container: Extract<Container, "wav" | "rf64" | "bw64">): PcmLayout {
  const file = source.file;
  const fileBytes = source.sizeBytes;
  const isRf64 = container !== "wav";

  let fmt: DataView | null = null;
  let dataOffsetBytes = -1;
  let dataBytes = -1;
  let ds64DataBytes = -1;

  let pos = 12;
  for (let n = 0; pos + 8 <= fileBytes; n++) {
    if (n === MAX_CHUNKS) throw new MastersmithError("E_BAD_HEADER", { file, detail: `more than ${MAX_CHUNKS} chunks` });
    const head = source.readExact(8, pos);
    if (head === null) break;
    const hv = new DataView(head.buffer);
    const id = fourcc(head, 0);
    const size32 = hv.getUint32(4, true);
    const bodyStart = pos + 8;
    const remaining = fileBytes - bodyStart;

    if (id === "data") {
      // RF64/BW64: a size of 0xFFFFFFFF means "see ds64" (EBU Tech 3306 §3).
      let size = size32;
      if (isRf64 && size32 === 0xffffffff) {
        if (ds64DataBytes < 0) throw new MastersmithError("E_BAD_HEADER", { file, detail: "RF64 data size refers to a missing ds64 chunk" });
        size = ds64DataBytes;
      }
      dataOffsetBytes = bodyStart;
      dataBytes = size;
      if (size > remaining) {
        throw new MastersmithError("E_TRUNCATED", {
          file,
          detail: `data chunk claims ${size} bytes, the file holds ${remaining} after the chunk header`,
        });
      }
      if (fmt !== null) break; // everything needed; trailing chunks are irrelevant
      pos = bodyStart + size + (size & 1);
      continue;
    }

    if (size32 > remaining) {
      // A chunk that runs past the end: fatal only while something we need is still missing.
      if (fmt !== null && dataOffsetBytes >= 0) break;
      throw new MastersmithError("E_TRUNCATED", {
        file,
        detail: `'${printable(id)}' chunk at byte ${pos} claims ${size32} bytes, the file holds ${remaining} after its header`,
      });
    }

    if (id === "ds64" && isRf64) {
      if (size32 < 24) throw new MastersmithError("E_BAD_HEADER", { file, detail: `ds64 chunk of ${size32} bytes is too short` });
      const body = new DataView(source.readExact(24, bodyStart)!.buffer);
      ds64DataBytes = Number(body.getBigUint64(8, true));
    } else if (id === "fmt ") {
      if (size32 < 16) throw new MastersmithError("E_BAD_HEADER", { file, detail: `fmt chunk of ${size32} bytes is too short (16 needed)` });
      const len = Math.min(size32, 40);
      fmt = new DataView(source.readExact(len, bodyStart)!.buffer);
      if (dataOffsetBytes >= 0) break; // data came first; both found
    }
    pos = bodyStart + size32 + (size32 & 1);
  }

  if (fmt === null) {
    throw dataOffsetBytes >= 0
      ? new MastersmithError("E_BAD_HEADER", { file, detail: "no fmt chunk" })
      : new MastersmithError("E_TRUNCATED", { file, detail: "no fmt chunk and no data chunk before the end of the file" });
  }
  if (dataOffsetBytes < 0) throw new MastersmithError("E_TRUNCATED", { file, detail: "no data chunk before the end of the file" });

  const formatTag = fmt.getUint16(0, true);
  const channels = fmt.getUint16(2, true);
  const sampleRateHz = fmt.getUint32(4, true);
  const blockAlign = fmt.getUint16(12, true);
  const bitsPerSample = fmt.getUint16(14, true);

  let subFormat = formatTag;
  let validBits = bitsPerSample;
  let channelMask: number | undefined;
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.byteLength < 40) throw new MastersmithError("E_BAD_HEADER", { file, detail: `WAVE_FORMAT_EXTENSIBLE fmt chunk of ${fmt.byteLength} bytes (40 needed)` });
    const valid = fmt.getUint16(18, true);
    if (valid !== 0) validBits = valid; // 0 means "all bits valid" in practice
    channelMask = fmt.getUint32(20, true);
    subFormat = fmt.getUint16(24, true);
    const guid = new Uint8Array(fmt.buffer, fmt.byteOffset + 24, 16);
    const tailOk = GUID_TAIL.every((b, i) => guid[i + 2] === b);
    if (!tailOk) throw new MastersmithError("E_UNSUPPORTED_CODEC", { file, detail: "WAVE_FORMAT_EXTENSIBLE with a non-standard SubFormat GUID" });
  }

  checkFormat(file, channels, sampleRateHz);

  let encoding: PcmEncoding;
  if (subFormat === WAVE_FORMAT_PCM) {
    if (bitsPerSample < 1 || bitsPerSample > 32) throw new MastersmithError("E_BAD_HEADER", { file, detail: `${bitsPerSample} bits per sample` });
    const containerBytes = Math.ceil(bitsPerSample / 8);
    encoding = (["u8", "s16le", "s24le", "s32le"] as const)[containerBytes - 1];
  } else if (subFormat === WAVE_FORMAT_IEEE_FLOAT) {
    if (bitsPerSample !== 32 && bitsPerSample !== 64) {
      throw new MastersmithError("E_BAD_HEADER", { file, detail: `IEEE float with ${bitsPerSample} bits per sample (32 or 64 expected)` });
    }
    encoding = bitsPerSample === 32 ? "f32le" : "f64le";
  } else {
    throw new MastersmithError("E_UNSUPPORTED_CODEC", { file, detail: tagName(subFormat) });
  }
  if (validBits > bitsPerSample) throw new MastersmithError("E_BAD_HEADER", { file, detail: `${validBits} valid bits in a ${bitsPerSample}-bit sample` });

  const frameBytes = bytesPerSample(encoding) * channels;
  if (blockAlign !== frameBytes) {
    throw new MastersmithError("E_BAD_HEADER", { file, detail: `block align ${blockAlign} does not match ${channels} channels of ${bitsPerSample} bits (${frameBytes})` });
  }
  // RF64 files below 4 GiB may leave ds64 empty and use the 32-bit size: both are honoured above.
  const frames = Math.floor(dataBytes / frameBytes);

  return {
    encoding,
    dataOffsetBytes,
    info: {
      container,
      codec: codecName(encoding),
      sampleRateHz,
      channels,
      bitDepth: validBits,
      sampleFormat: encoding.startsWith("f") ? "float" : "int",
      frames,
      ...(channelMask === undefined ? {} : { channelMask }),
    },
  };
}
