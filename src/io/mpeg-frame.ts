/**
 * MPEG audio frame headers (ISO/IEC 11172-3 §2.4.2.3, 13818-3): parsed without the decoder, so
 * sniffing a file's format does not load the MP3 decoder's WebAssembly.
 */
// kbit/s by [version row][layer row][index]; version row 0 = MPEG-1, 1 = MPEG-2/2.5.
const BITRATES_KBPS = [
  [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], // Layer I
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384], // Layer II
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], // Layer III
  ],
  [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];
const RATES_HZ = [44100, 48000, 32000];

export interface MpegFrameHeader {
  /** 1 (MPEG-1), 2 (MPEG-2), 2.5 (MPEG-2.5). */
  version: number;
  layer: 1 | 2 | 3;
  sampleRateHz: number;
  channels: number;
  /** 0 for free format (not supported by our sniffing: no frame length). */
  frameBytes: number;
  samplesPerFrame: number;
}

/** The MPEG audio frame header at `offset`, or null when those 4 bytes are not a valid one. */
export function parseMpegFrameHeader(b: Uint8Array, offset: number): MpegFrameHeader | null {
  if (offset + 4 > b.length || b[offset] !== 0xff || (b[offset + 1] & 0xe0) !== 0xe0) return null;
  const versionBits = (b[offset + 1] >> 3) & 3;
  const layerBits = (b[offset + 1] >> 1) & 3;
  const bitrateIndex = b[offset + 2] >> 4;
  const rateIndex = (b[offset + 2] >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 15 || bitrateIndex === 0 || rateIndex === 3) return null;
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const sampleRateHz = RATES_HZ[rateIndex] / (version === 1 ? 1 : version === 2 ? 2 : 4);
  const bitrate = BITRATES_KBPS[version === 1 ? 0 : 1][layer - 1][bitrateIndex] * 1000;
  const padding = (b[offset + 2] >> 1) & 1;
  const channels = b[offset + 3] >> 6 === 3 ? 1 : 2;
  let frameBytes: number;
  let samplesPerFrame: number;
  if (layer === 1) {
    frameBytes = (Math.floor((12 * bitrate) / sampleRateHz) + padding) * 4;
    samplesPerFrame = 384;
  } else if (layer === 2 || version === 1) {
    frameBytes = Math.floor((144 * bitrate) / sampleRateHz) + padding;
    samplesPerFrame = 1152;
  } else {
    frameBytes = Math.floor((72 * bitrate) / sampleRateHz) + padding;
    samplesPerFrame = 576;
  }
  return { version, layer, sampleRateHz, channels, frameBytes, samplesPerFrame };
}

