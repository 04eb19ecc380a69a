/**
 * Worker thread of `analyzeFile`: runs the meters it is given (true peak, or its share of the
 * channels, loudness, signal checks) over the blocks the reading thread publishes in the shared ring (analyze-ring.ts),
 * then posts their readouts. The meters are the same deterministic core classes, fed the same blocks in the same
 * order, so the results are identical to a single-thread run.
 *
 * The module is loaded as soon as the pipeline starts the worker (before the file is opened),
 * so its start-up overlaps with opening the file; measurement begins with the "start" message.
 */
import { parentPort } from "node:worker_threads";
import { isMastersmithError } from "../core/codes.js";
import { LoudnessMeter } from "../core/meter/loudness.js";
import { SignalChecksMeter } from "../core/meter/signal-checks.js";
import { TruePeakMeter } from "../core/meter/true-peak.js";
import { CONSUMED, DONE, SLOT_FRAMES, WRITTEN, slotViews, truePeakSplit, type RemoteResults, type StartMessage, type WorkerReply } from "./analyze-ring.js";

/** Re-check the flags at least this often while waiting (the reader always notifies; belt and braces). */
const WAIT_MS = 1000;

function measure(start: StartMessage): RemoteResults {
  const { ring, sampleRateHz } = start;
  const { channels } = ring;
  const truePeak = start.meters.includes("truePeak") ? new TruePeakMeter({ sampleRateHz, channels }) : null;
  const loudness = start.meters.includes("loudness")
    ? new LoudnessMeter({ sampleRateHz, channels, channelMask: start.channelMask, series: start.series })
    : null;
  const checks = start.meters.includes("checks") ? new SignalChecksMeter({ sampleRateHz, channels }) : null;
  const split = truePeakSplit(channels);
  const share = truePeak === null && start.meters.includes("truePeakShare") ? new TruePeakMeter({ sampleRateHz, channels: channels - split }) : null;
  const control = new Int32Array(ring.control);
  const views = slotViews(ring);
  // The upper channels of each slot, for the shared true-peak meter (allocated once).
  const shareViews = views.map((slot) => slot.slice(split));
  let consumed = 0;
  for (;;) {
    let written = Atomics.load(control, WRITTEN);
    while (written === consumed) {
      if (Atomics.load(control, DONE) === 1) {
        // DONE is set after the last block is published: re-read WRITTEN once more.
        written = Atomics.load(control, WRITTEN);
        if (written === consumed) return results(truePeak, loudness, checks, share);
        break;
      }
      Atomics.wait(control, WRITTEN, consumed, WAIT_MS);
      written = Atomics.load(control, WRITTEN);
    }
    const slot = consumed % ring.slots;
    const frames = control[SLOT_FRAMES + slot];
    const block = views[slot];
    truePeak?.add(block, frames);
    loudness?.add(block, frames);
    checks?.add(block, frames);
    share?.add(shareViews[slot], frames);
    consumed++;
    Atomics.store(control, CONSUMED, consumed);
    Atomics.notify(control, CONSUMED);
  }
}

function results(
  truePeak: TruePeakMeter | null, loudness: LoudnessMeter | null, checks: SignalChecksMeter | null, share: TruePeakMeter | null,
): RemoteResults {
  const out: RemoteResults = {};
  if (share !== null) out.truePeakShare = { truePeakLinear: share.truePeakLinear(), samplePeakLinear: share.samplePeakLinear() };
  if (checks !== null) out.checks = checks.result();
  if (truePeak !== null) out.truePeak = { truePeakDbtp: truePeak.truePeakDbtp(), samplePeakDbfs: truePeak.samplePeakDbfs() };
  if (loudness !== null) {
    out.loudness = {
      integratedLufs: loudness.integratedLufs(),
      loudnessRangeLu: loudness.loudnessRangeLu(),
      maxMomentaryLufs: loudness.maxMomentaryLufs(),
      maxShortTermLufs: loudness.maxShortTermLufs(),
      series: loudness.series(),
    };
  }
  return out;
}

const port = parentPort;
if (port !== null) {
  port.once("message", (start: StartMessage) => {
    let reply: WorkerReply;
    try {
      reply = { type: "result", results: measure(start) };
    } catch (e) {
      reply = isMastersmithError(e)
        ? { type: "error", code: e.code, detail: e.detail ?? e.message }
        : { type: "error", code: "E_INTERNAL", detail: `analysis worker: ${(e as Error)?.message ?? String(e)}` };
    }
    port.postMessage(reply);
    port.close();
  });
}
