/**
 * AAC-LC in M4A through the system ffmpeg (its native `aac` encoder), default 256 kbps.
 *
 * Gapless: ffmpeg's MP4 muxer writes an edit list whose media_time skips the encoder delay
 * (1024 frames) and whose duration is the original length; with `-movie_timescale` equal to the
 * sample rate that duration is exact to the frame (at the default 1000 it would be rounded to
 * milliseconds). We then add the iTunSMPB freeform tag (delay, padding, length) that Apple's
 * players read, and the ISRC as a `----:com.apple.iTunes:ISRC` atom, which ffmpeg cannot write.
 */
import { MastersmithError } from "../core/codes.js";
import type { Encoder } from "./encode-common.js";
import { createFfmpegEncoder, ffmpegTagFields } from "./encode-ffmpeg.js";
import { addMp4FreeformTags, iTunSmpb, readMp4Gapless } from "./tags-mp4.js";
import type { Tags } from "./tags.js";

export interface AacEncoderOptions {
  sampleRateHz: number;
  channels: number;
  bitrateKbps?: number;
  tags?: Tags;
  extraTags?: Record<string, string>;
  force?: boolean;
}

export const DEFAULT_AAC_KBPS = 256;
/** AAC-LC frame length (ISO/IEC 14496-3: 1024 samples per raw_data_block). */
const AAC_FRAME_LENGTH = 1024;
/** MPEG-4 audio sampling frequency index table (ISO/IEC 14496-3 Table 1.18). */
const AAC_SAMPLE_RATES_HZ = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000];

export function createAacEncoder(path: string, o: AacEncoderOptions): Encoder {
  if (!AAC_SAMPLE_RATES_HZ.includes(o.sampleRateHz)) {
    throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `AAC cannot hold ${o.sampleRateHz} Hz` });
  }
  if (o.channels > 8) throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `AAC output of ${o.channels} channels` });
  const kbps = o.bitrateKbps ?? DEFAULT_AAC_KBPS;
  if (!(kbps >= 16 && kbps <= 512)) throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `AAC bitrate ${kbps} kbps (16 to 512)` });
  const metadata = ffmpegTagFields(o.tags ?? {});
  return createFfmpegEncoder(path, {
    sampleRateHz: o.sampleRateHz,
    channels: o.channels,
    outputArgs: ["-c:a", "aac", "-b:a", `${kbps}k`, "-movie_timescale", String(o.sampleRateHz), "-f", "ipod"],
    metadata,
    coverPath: o.tags?.cover,
    force: o.force,
    purpose: "AAC output",
    finish(partial, framesWritten) {
      const g = readMp4Gapless(partial);
      const delay = g.editMediaTime ?? 0;
      const padding = Math.max(0, g.packetCount * AAC_FRAME_LENGTH - delay - framesWritten);
      const freeform: [string, string][] = [["iTunSMPB", iTunSmpb(delay, padding, framesWritten)]];
      if (o.tags?.isrc) freeform.push(["ISRC", o.tags.isrc]);
      for (const [k, v] of Object.entries(o.extraTags ?? {})) freeform.push([k, v]);
      addMp4FreeformTags(partial, freeform);
    },
  });
}
