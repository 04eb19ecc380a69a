/**
 * Audio travels as planar blocks: one Float32Array per channel, `frames` valid samples in each
 * (the arrays may be longer: they are reused buffers). Processors work on them in place; meters
 * read them. Nothing in core holds a whole track.
 */
export type Planar = Float32Array[];

/** Sample rate and channel count of a stream. */
export interface StreamFormat {
  readonly sampleRateHz: number;
  readonly channels: number;
}

/** Allocates a planar block of `channels` × `frames` zeros. */
export function allocPlanar(channels: number, frames: number): Planar {
  const out: Planar = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  return out;
}

/** Copies `frames` frames of `src` starting at `srcOffset` into `dst` at `dstOffset`. */
export function copyPlanar(src: Planar, srcOffset: number, dst: Planar, dstOffset: number, frames: number): void {
  for (let c = 0; c < src.length; c++) {
    dst[c].set(src[c].subarray(srcOffset, srcOffset + frames), dstOffset);
  }
}
