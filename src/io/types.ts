/**
 * The reading side of src/io: what a decoded file looks like to the rest of Mastersmith.
 * The CLI and the pipeline code against these names; the meter consumes the planar blocks.
 */

/** The container, as detected from the file's content (magic bytes), never from its name. */
export type Container = "wav" | "rf64" | "bw64" | "aiff" | "aifc" | "flac" | "mp3" | "ogg" | "mp4";

export interface AudioInfo {
  container: Container;
  /** ffmpeg-style codec name: "pcm_s16le", "pcm_s24be", "pcm_u8", "pcm_f32le", "pcm_f64be", "flac",
   *  "mp3", "vorbis", "opus", "aac", "alac" (lossy codecs decode to float: sampleFormat "float", bitDepth 32). */
  codec: string;
  sampleRateHz: number;
  channels: number;
  /** Meaningful bits per sample (WAVE_FORMAT_EXTENSIBLE wValidBitsPerSample when given). */
  bitDepth: number;
  sampleFormat: "int" | "float";
  /** Total frames, from the header (FLAC: STREAMINFO total samples). */
  frames: number;
  /** WAVE_FORMAT_EXTENSIBLE dwChannelMask (speaker positions), when the file has one. */
  channelMask?: number;
  /** True when the header does not state the length (FLAC STREAMINFO total of 0): `frames` is then 0. */
  framesUnknown?: boolean;
}

export interface AudioReader {
  readonly file: string;
  readonly info: AudioInfo;
  /**
   * Planar blocks of up to `blockFrames` frames (default 4096), one Float32Array per channel, each
   * of length = frames in the block. The arrays are reused: a block is valid until the next step.
   * Integer PCM maps to [-1, 1) by dividing by 2^(bits-1); float samples are passed through.
   * Broken data raises a MastersmithError (E_TRUNCATED, E_CORRUPT, E_READ_FAILED) naming the file.
   */
  blocks(blockFrames?: number): AsyncIterable<Float32Array[]>;
  /** Releases the file handle (and the decoder). Safe to call twice. */
  close(): Promise<void>;
}

/** Default frames per block: small enough for caches, large enough to amortize the read calls. */
export const DEFAULT_BLOCK_FRAMES = 4096;

/** Limits checked on every header (the brief's "impossible values"): E_BAD_HEADER outside them. */
export const MAX_CHANNELS = 64;
export const MIN_SAMPLE_RATE_HZ = 1000;
export const MAX_SAMPLE_RATE_HZ = 768000;
