/**
 * MP3 output through the system `lame` program (LAME 3.100): CBR (e.g. 320 kbps) or VBR V0.
 *
 * Why lame: gapless playback needs the Xing/LAME info frame with the encoder delay and end
 * padding (LAME tag rev 1, bytes "enc_delay/enc_padding"); decoders (ffmpeg, foobar2000,
 * iTunes, mpg123) trim exactly those samples. The npm encoders (lamejs and its forks) write no
 * info frame at all, and writing one ourselves means predicting LAME's internal delay and the
 * frame count; the lame binary writes a correct tag (with its CRC) after the last frame.
 *
 * Tags: our own ID3v2.4 tag (tags.ts, the one the WAV id3 chunk uses) put in front of lame's
 * output: TSRC carries the ISRC, TPE2 the album artist, APIC the cover. Not lame's tag writer:
 * in UTF-16 mode (its default for non-ASCII text) LAME 3.100 writes a COMM frame that ffmpeg
 * rejects ("Incorrect BOM value"), and its Latin-1 mode loses other scripts. The LAME info frame
 * stays the first audio frame, which is where decoders look for it.
 */
import { MastersmithError } from "../core/codes.js";
import { checkTarget, khz, partialName, PipeEncoder, pipedEncoder, prependBytes, requireTool, type Encoder } from "./encode-common.js";
import { id3v2Tag, loadCover, type Tags } from "./tags.js";

export interface Mp3EncoderOptions {
  sampleRateHz: number;
  channels: number;
  /** Constant bitrate in kbps; absent: VBR V0 (LAME's highest VBR quality). */
  bitrateKbps?: number;
  tags?: Tags;
  /** Extra ID3 TXXX frames. */
  extraFrames?: Record<string, string>;
  force?: boolean;
}

/** MPEG-1/2/2.5 Layer III sample rates (ISO/IEC 11172-3, 13818-3). */
export const MP3_SAMPLE_RATES_HZ = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];
const MPEG1_BITRATES_KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];

export function createMp3Encoder(path: string, o: Mp3EncoderOptions): Encoder {
  if (!MP3_SAMPLE_RATES_HZ.includes(o.sampleRateHz)) {
    throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `MP3 cannot hold ${o.sampleRateHz} Hz (use --sample-rate 44100 or 48000)` });
  }
  if (o.channels !== 1 && o.channels !== 2) throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `MP3 holds 1 or 2 channels, not ${o.channels}` });
  if (o.bitrateKbps !== undefined && !MPEG1_BITRATES_KBPS.includes(o.bitrateKbps)) {
    throw new MastersmithError("E_BAD_ARGUMENT", { file: path, detail: `MP3 bitrate ${o.bitrateKbps} kbps (one of ${MPEG1_BITRATES_KBPS.join(", ")})` });
  }
  const tool = requireTool("lame", path, "MP3 output");
  checkTarget(path, o.force === true);
  const cover = o.tags?.cover !== undefined ? loadCover(o.tags.cover) : null;
  const partial = partialName(path);
  const rate = khz(o.sampleRateHz);
  // 24-bit input: the encoder works in float, 24 bits lose nothing audible, no dither needed.
  const args = ["--quiet", "-r", "--little-endian", "--signed", "--bitwidth", "24", "-s", rate, "--resample", rate,
    "-m", o.channels === 1 ? "m" : "j"];
  if (o.bitrateKbps !== undefined) args.push("--cbr", "-b", String(o.bitrateKbps));
  else args.push("-V", "0");
  args.push("-", partial);
  const pipe = new PipeEncoder(path, tool, args, o.channels, "s24");
  return pipedEncoder(path, partial, pipe, o.force === true, (file) => {
    const tagged = Object.values(o.tags ?? {}).some((v) => v !== undefined) || Object.keys(o.extraFrames ?? {}).length > 0;
    if (tagged) prependBytes(file, id3v2Tag(o.tags ?? {}, cover, o.extraFrames));
  });
}
