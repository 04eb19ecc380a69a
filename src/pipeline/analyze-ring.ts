/**
 * The hand-off between the reading thread and the analysis worker: a ring of planar Float32
 * blocks in one SharedArrayBuffer, and an Int32 control array advanced with Atomics.
 *
 * Control words: WRITTEN (blocks published by the reader), CONSUMED (blocks the worker has
 * finished with), DONE (the reader will publish nothing more), then the frame count of each slot.
 * A slot is free again once CONSUMED has passed it, so the reader runs at most `slots` blocks ahead
 * and memory stays flat whatever the length of the file.
 */
import type { SignalChecksResult } from "../core/meter/signal-checks.js";

export const WRITTEN = 0;
export const CONSUMED = 1;
export const DONE = 2;
export const SLOT_FRAMES = 3;

/**
 * The meters the worker can run; the others stay on the reading thread. "truePeakShare": the
 * worker runs the true-peak meter on the upper half of the channels (from `truePeakSplit`), the
 * reading thread on the lower half (BS.1770-4 Annex 2 true peak is per channel, so the maximum of
 * the two halves is the same number).
 */
export type RemoteMeter = "truePeak" | "truePeakShare" | "loudness" | "checks";

/** The first channel whose true peak the worker measures under "truePeakShare". */
export function truePeakSplit(channels: number): number {
  return channels >> 1;
}

export interface RingLayout {
  readonly slots: number;
  readonly channels: number;
  readonly blockFrames: number;
  /** slots x channels x blockFrames Float32. */
  readonly data: SharedArrayBuffer;
  /** SLOT_FRAMES + slots Int32. */
  readonly control: SharedArrayBuffer;
}

/** The message that starts the worker's measurement. */
export interface StartMessage {
  readonly type: "start";
  readonly ring: RingLayout;
  readonly sampleRateHz: number;
  readonly channelMask?: number;
  readonly series: boolean;
  readonly meters: readonly RemoteMeter[];
}

/** The worker's results: the readouts the Analyzer asks of each remote meter. */
export interface RemoteResults {
  truePeak?: { truePeakDbtp: number; samplePeakDbfs: number };
  /** Linear maxima over the worker's channels, combined with the reading thread's. */
  truePeakShare?: { truePeakLinear: number; samplePeakLinear: number };
  checks?: SignalChecksResult;
  loudness?: {
    integratedLufs: number;
    loudnessRangeLu: number;
    maxMomentaryLufs: number;
    maxShortTermLufs: number;
    series: { hopFrames: number; hopS: number; momentaryLufs: Float64Array; shortTermLufs: Float64Array };
  };
}

export type WorkerReply =
  | { readonly type: "result"; readonly results: RemoteResults }
  | { readonly type: "error"; readonly code: string; readonly detail: string };

export function createRing(slots: number, channels: number, blockFrames: number): RingLayout {
  return {
    slots,
    channels,
    blockFrames,
    data: new SharedArrayBuffer(slots * channels * blockFrames * 4),
    control: new SharedArrayBuffer((SLOT_FRAMES + slots) * 4),
  };
}

/** Planar views of every slot: views[slot][channel], each blockFrames long. */
export function slotViews(ring: RingLayout): Float32Array[][] {
  const views: Float32Array[][] = [];
  for (let s = 0; s < ring.slots; s++) {
    const channels: Float32Array[] = [];
    for (let c = 0; c < ring.channels; c++) {
      channels.push(new Float32Array(ring.data, ((s * ring.channels + c) * ring.blockFrames) * 4, ring.blockFrames));
    }
    views.push(channels);
  }
  return views;
}
