/**
 * WAV output: the streaming writer (RF64 past 4 GiB) with the release metadata: a BWF `bext`
 * chunk (EBU Tech 3285 v2) whose loudness fields are measured from the samples as they are
 * written and patched in at close (the chunk has a fixed size), a LIST/INFO chunk and an
 * `id3 ` chunk (ID3v2.4: TSRC holds the ISRC, APIC the cover).
 */
import { LoudnessMeter } from "../core/meter/loudness.js";
import { TruePeakMeter } from "../core/meter/true-peak.js";
import type { Encoder } from "./encode-common.js";
import { bextBody, type BextFields, type BextLoudness } from "./tags-bext.js";
import { id3v2Tag, loadCover, riffInfoBody, type Tags } from "./tags.js";
import { createWavWriter, type WavChunk } from "./wav-writer.js";

export interface WavEncoderOptions {
  sampleRateHz: number;
  channels: number;
  bitDepth: 16 | 24 | "32f";
  tags?: Tags;
  /** Software name for INFO ISFT and the bext originator. */
  software: string;
  /** Extra ID3 TXXX frames (e.g. the dither seed). */
  extraTags?: Record<string, string>;
  /** One EBU R98 coding-history line's worth of notes (dither), appended to the bext history. */
  codingNote?: string;
  force?: boolean;
  /** Test hook, passed to the writer. */
  rf64ThresholdBytes?: number;
}

export interface WavEncoder extends Encoder {
  /** The loudness written into bext (after close). */
  readonly loudness: BextLoudness | null;
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

export async function createWavEncoder(path: string, o: WavEncoderOptions): Promise<WavEncoder> {
  const tags = o.tags ?? {};
  const cover = tags.cover !== undefined ? loadCover(tags.cover) : null;
  const now = new Date();
  const mode = o.channels === 1 ? "mono" : o.channels === 2 ? "stereo" : "multichannel";
  const word = o.bitDepth === "32f" ? 32 : o.bitDepth;
  // EBU R98 coding history: A=algorithm, F=rate, W=word length, M=mode, T=free text; CR LF ended.
  const history = `A=PCM,F=${o.sampleRateHz},W=${word},M=${mode},T=${o.software}${o.codingNote ? `; ${o.codingNote}` : ""}\r\n`;
  const bextFields: BextFields = {
    description: tags.title ?? "",
    originator: o.software,
    originationDate: `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`,
    originationTime: `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`,
    loudness: null,
    codingHistory: history,
  };
  const chunks: WavChunk[] = [
    { id: "bext", body: bextBody(bextFields) },
    { id: "LIST", body: riffInfoBody(tags, o.software) },
  ];
  const hasId3 = Object.entries(tags).some(([k, v]) => k !== "cover" && v !== undefined) || cover !== null || Object.keys(o.extraTags ?? {}).length > 0;
  if (hasId3) chunks.push({ id: "id3 ", body: id3v2Tag(tags, cover, o.extraTags) });
  const writer = await createWavWriter(path, {
    sampleRateHz: o.sampleRateHz,
    channels: o.channels,
    bitDepth: word as 16 | 24 | 32,
    sampleFormat: o.bitDepth === "32f" ? "float" : "int",
    force: o.force,
    chunks,
    rf64ThresholdBytes: o.rf64ThresholdBytes,
  });
  // Measured on the samples handed to the writer (after dither): the file's own loudness.
  const loudnessMeter = new LoudnessMeter({ sampleRateHz: o.sampleRateHz, channels: o.channels });
  const peakMeter = new TruePeakMeter({ sampleRateHz: o.sampleRateHz, channels: o.channels });
  let loudness: BextLoudness | null = null;
  return {
    path,
    get framesWritten() { return writer.framesWritten; },
    get loudness() { return loudness; },
    async write(channels, frames) {
      await writer.write(channels, frames);
      loudnessMeter.add(channels, frames);
      peakMeter.add(channels, frames);
    },
    async close() {
      loudness = {
        integratedLufs: loudnessMeter.integratedLufs(),
        loudnessRangeLu: loudnessMeter.loudnessRangeLu(),
        maxTruePeakDbtp: peakMeter.truePeakDbtp(),
        maxMomentaryLufs: loudnessMeter.maxMomentaryLufs(),
        maxShortTermLufs: loudnessMeter.maxShortTermLufs(),
      };
      try {
        writer.replaceChunk("bext", bextBody({ ...bextFields, loudness }));
      } catch (e) {
        await writer.abort();
        throw e;
      }
      await writer.close();
    },
    abort: () => writer.abort(),
  };
}
