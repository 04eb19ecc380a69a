/**
 * The AudioReader for uncompressed containers (WAV/RF64/BW64/AIFF/AIFC): once a header parser
 * has found where the sample data lies and how it is encoded, reading is the same for all.
 */
import { MastersmithError } from "../core/codes.js";
import type { FileSource } from "./file-source.js";
import { PcmConverter, type PcmEncoding } from "./pcm.js";
import { DEFAULT_BLOCK_FRAMES, type AudioInfo, type AudioReader } from "./types.js";

/** Where the samples are: what a header parser hands to the PCM reader. */
export interface PcmLayout {
  info: AudioInfo;
  encoding: PcmEncoding;
  /** Absolute file offset of the first sample byte. */
  dataOffsetBytes: number;
}

export class PcmReader implements AudioReader {
  readonly file: string;
  readonly info: AudioInfo;
  private readonly source: FileSource;
  private readonly layout: PcmLayout;

  constructor(source: FileSource, layout: PcmLayout) {
    this.source = source;
    this.file = source.file;
    this.info = layout.info;
    this.layout = layout;
  }

  async *blocks(blockFrames: number = DEFAULT_BLOCK_FRAMES): AsyncGenerator<Float32Array[]> {
    if (!Number.isInteger(blockFrames) || blockFrames < 1) {
      throw new MastersmithError("E_BAD_ARGUMENT", { detail: `blockFrames must be a positive integer, got ${blockFrames}` });
    }
    const { channels, frames: totalFrames } = this.info;
    const conv = new PcmConverter(this.layout.encoding, channels, blockFrames);
    const frameBytes = conv.frameBytes;
    const planes: Float32Array[] = [];
    for (let c = 0; c < channels; c++) planes.push(new Float32Array(blockFrames));

    let position = this.layout.dataOffsetBytes;
    let doneFrames = 0;
    while (doneFrames < totalFrames) {
      const frames = Math.min(blockFrames, totalFrames - doneFrames);
      const wantBytes = frames * frameBytes;
      const gotBytes = this.source.readAt(conv.bytes, wantBytes, position);
      if (gotBytes < wantBytes) {
        // The header was checked against the file size at open: the file shrank since.
        const expected = this.layout.dataOffsetBytes + totalFrames * frameBytes;
        throw new MastersmithError("E_TRUNCATED", {
          file: this.file,
          detail: `file ended at byte ${position + gotBytes} while reading audio data expected to end at byte ${expected}`,
        });
      }
      conv.convert(frames, planes);
      position += wantBytes;
      doneFrames += frames;
      // Full blocks reuse the same arrays; only a short last block needs shorter views.
      yield frames === blockFrames ? planes : planes.map((p) => p.subarray(0, frames));
    }
  }

  async close(): Promise<void> {
    this.source.close();
  }
}
