/**
 * resampleStream: an AudioReader at another sample rate, over any AudioReader. Pulls the source's
 * blocks, runs them through the core Resampler (core/dsp/resampler.ts, polyphase Kaiser sinc,
 * no time shift) and re-blocks the output. The length is round(frames·out/in) exactly; the
 * source is read once, in its own blocks, so memory stays flat.
 */
import { MastersmithError } from "../core/codes.js";
import { designResampler, resampledLength, type ResamplerOptions } from "../core/design/resampler-design.js";
import { Resampler } from "../core/dsp/resampler.js";
import { checkBlockFrames, Reblocker } from "./decode-common.js";
import { DEFAULT_BLOCK_FRAMES, MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ, type AudioInfo, type AudioReader } from "./types.js";

/** Source blocks pulled per resampler call. */
const SOURCE_BLOCK_FRAMES = 4096;

/**
 * Wraps `reader` so its blocks come out at `outRateHz`. The same reader is returned unchanged
 * when the rates already match (bit-exact pass-through). `close()` closes the source.
 */
export function resampleStream(reader: AudioReader, outRateHz: number, options: ResamplerOptions = {}): AudioReader {
  if (!Number.isInteger(outRateHz) || outRateHz < MIN_SAMPLE_RATE_HZ || outRateHz > MAX_SAMPLE_RATE_HZ) {
    throw new MastersmithError("E_BAD_ARGUMENT", { detail: `output sample rate must be an integer from ${MIN_SAMPLE_RATE_HZ} to ${MAX_SAMPLE_RATE_HZ} Hz, got ${outRateHz}` });
  }
  if (reader.info.sampleRateHz === outRateHz) return reader;
  let design;
  try {
    design = designResampler(reader.info.sampleRateHz, outRateHz, options);
  } catch (e) {
    throw new MastersmithError("E_BAD_ARGUMENT", { file: reader.file, detail: e instanceof Error ? e.message : String(e) });
  }
  const info: AudioInfo = {
    ...reader.info,
    sampleRateHz: outRateHz,
    frames: resampledLength(reader.info.frames, design),
    // The samples are now computed floats, whatever the source's word length was.
    sampleFormat: "float",
    bitDepth: 32,
  };
  return {
    file: reader.file,
    info,
    async *blocks(blockFrames: number = DEFAULT_BLOCK_FRAMES): AsyncGenerator<Float32Array[]> {
      checkBlockFrames(blockFrames);
      const channels = info.channels;
      const resampler = new Resampler(design, channels, SOURCE_BLOCK_FRAMES);
      const scratch: Float32Array[] = [];
      for (let c = 0; c < channels; c++) scratch.push(new Float32Array(resampler.maxOutputFrames(SOURCE_BLOCK_FRAMES)));
      const out = new Reblocker(channels, blockFrames, 0, Infinity);
      for await (const block of reader.blocks(SOURCE_BLOCK_FRAMES)) {
        const n = resampler.process(block, block[0].length, scratch);
        out.push(scratch, n);
        for (let b = out.next(); b !== null; b = out.next()) yield b;
      }
      out.push(scratch, resampler.flush(scratch));
      for (let b = out.next(); b !== null; b = out.next()) yield b;
      const rest = out.rest();
      if (rest !== null) yield rest;
    },
    close: () => reader.close(),
  };
}
