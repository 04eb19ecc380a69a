/**
 * Private mode's writer: planar Float32 -> a RIFF/WAVE file in memory, integer PCM at 16 or
 * 24 bits (WAVE_FORMAT_PCM; WAVE_FORMAT_EXTENSIBLE is only required above 2 channels or 16 bits
 * by Microsoft's guidance, and every reader we target takes plain PCM at 24 bits too).
 * The word-length reduction goes through the core Dither (TPDF, seeded): the same samples as
 * the CLI's WAV output for the same seed. Its output is exact integers / 2^(bits-1), so the
 * integer conversion below is exact (no second rounding).
 */
import { Dither } from "../../src/core/dsp/dither.js";

/** The formats private mode writes. */
export const PRIVATE_WRITES = "WAV 16-bit and 24-bit (TPDF dither, seed 1)";

const BLOCK_FRAMES = 4096;

export function encodeWav(channels: readonly Float32Array[], sampleRateHz: number, bitDepth: 16 | 24, seed = 1): Uint8Array {
  const channelCount = channels.length;
  const frames = channelCount === 0 ? 0 : channels[0].length;
  const bytesPerSample = bitDepth / 8;
  const dataBytes = frames * channelCount * bytesPerSample;
  const out = new Uint8Array(44 + dataBytes + (dataBytes & 1));
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string): void => { for (let i = 0; i < 4; i++) out[at + i] = text.charCodeAt(i); };
  ascii(0, "RIFF");
  view.setUint32(4, out.length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // WAVE_FORMAT_PCM
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRateHz, true);
  view.setUint32(28, sampleRateHz * channelCount * bytesPerSample, true);
  view.setUint16(32, channelCount * bytesPerSample, true);
  view.setUint16(34, bitDepth, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);

  const dither = new Dither({ bitDepth, shape: "tpdf", seed });
  dither.prepare({ sampleRateHz, channels: channelCount, maxBlockFrames: BLOCK_FRAMES });
  const block = Array.from({ length: channelCount }, () => new Float32Array(BLOCK_FRAMES));
  const scale = 2 ** (bitDepth - 1);
  let pos = 44;
  for (let start = 0; start < frames; start += BLOCK_FRAMES) {
    const n = Math.min(BLOCK_FRAMES, frames - start);
    for (let c = 0; c < channelCount; c++) block[c].set(channels[c].subarray(start, start + n));
    dither.process(block, n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < channelCount; c++) {
        const q = Math.round(block[c][i] * scale); // exact: the dither output lies on the grid
        if (bitDepth === 16) {
          view.setInt16(pos, q, true);
          pos += 2;
        } else {
          out[pos] = q & 0xff;
          out[pos + 1] = (q >> 8) & 0xff;
          out[pos + 2] = (q >> 16) & 0xff;
          pos += 3;
        }
      }
    }
  }
  return out;
}
