/**
 * Shared by the compressed-format readers (decode-*.ts): the codec libraries hand back runs of
 * planar samples of whatever length their frames have; readers re-block them into the fixed-size
 * planar blocks of the AudioReader contract, dropping a number of leading frames (encoder
 * priming the library does not remove itself) and stopping at a known total (end padding).
 */
import { MastersmithError } from "../core/codes.js";

/** Bytes of compressed input handed to a decoder per call: memory stays flat in file length. */
export const INPUT_CHUNK_BYTES = 64 * 1024;

export function checkBlockFrames(blockFrames: number): void {
  if (!Number.isInteger(blockFrames) || blockFrames < 1) {
    throw new MastersmithError("E_BAD_ARGUMENT", { detail: `blockFrames must be a positive integer, got ${blockFrames}` });
  }
}

/**
 * Collects decoded runs into fixed-size planar blocks. `push` returns how many full blocks are
 * ready; each is taken with `take()` before the next push (the arrays are reused).
 */
export class Reblocker {
  readonly planes: Float32Array[];
  /** Frames already emitted or buffered (after the skip). */
  emittedFrames = 0;
  private fill = 0;
  private skipFrames: number;
  private readonly limitFrames: number;
  private readonly blockFrames: number;
  private src: Float32Array[] = [];
  private srcOffset = 0;
  private srcEnd = 0;

  /** `skipFrames` leading frames are dropped; at most `limitFrames` are emitted (Infinity: all). */
  constructor(channels: number, blockFrames: number, skipFrames: number, limitFrames: number) {
    this.planes = [];
    for (let c = 0; c < channels; c++) this.planes.push(new Float32Array(blockFrames));
    this.blockFrames = blockFrames;
    this.skipFrames = skipFrames;
    this.limitFrames = limitFrames;
  }

  /** True once `limitFrames` frames have been collected: further input can be ignored. */
  get full(): boolean {
    return this.emittedFrames >= this.limitFrames;
  }

  /** Queues a decoded run (`frames` samples per channel of `src`). */
  push(src: Float32Array[], frames: number): void {
    let offset = 0;
    if (this.skipFrames > 0) {
      offset = Math.min(this.skipFrames, frames);
      this.skipFrames -= offset;
    }
    this.src = src;
    this.srcOffset = offset;
    this.srcEnd = offset + Math.min(frames - offset, Math.max(0, this.limitFrames - this.emittedFrames));
  }

  /** Moves queued samples into the block; returns the block when full, else null (call until null). */
  next(): Float32Array[] | null {
    if (this.fill === this.blockFrames) this.fill = 0;
    const take = Math.min(this.blockFrames - this.fill, this.srcEnd - this.srcOffset);
    if (take > 0) {
      for (let c = 0; c < this.planes.length; c++) {
        this.planes[c].set(this.src[c].subarray(this.srcOffset, this.srcOffset + take), this.fill);
      }
      this.fill += take;
      this.srcOffset += take;
      this.emittedFrames += take;
    }
    return this.fill === this.blockFrames ? this.planes : null;
  }

  /** The final short block, or null when nothing is left. */
  rest(): Float32Array[] | null {
    if (this.fill === 0 || this.fill === this.blockFrames) return null;
    const n = this.fill;
    this.fill = 0;
    return this.planes.map((p) => p.subarray(0, n));
  }
}

/**
 * The WASM decoders print their errors with console.error; we report them as coded errors
 * instead. The decoders work synchronously inside the call, so console.error is silenced for
 * exactly that span (the FLAC decoder too: its promise is already settled when decode returns).
 */
export function quietly<T>(call: () => T): T {
  const saved = console.error;
  console.error = () => {};
  try {
    return call();
  } finally {
    console.error = saved;
  }
}

/**
 * The async variant for the Ogg decoders, which report a bad packet from a continuation after
 * the call returns: console.error stays silenced until the returned promise settles (one
 * decode call: microseconds to a few milliseconds).
 */
export async function quietlyAsync<T>(call: () => T | Promise<T>): Promise<T> {
  const saved = console.error;
  console.error = () => {};
  try {
    return await call();
  } finally {
    console.error = saved;
  }
}

/** Frees a WASM decoder; one whose WebAssembly never became ready cannot be freed usefully. */
export function freeDecoder(decoder: { free(): void }): void {
  try {
    decoder.free();
  } catch {
    // Nothing to report: the decoder holds no memory we could release.
  }
}
