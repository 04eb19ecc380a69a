/**
 * Analysis of one file: the reader's blocks feed the core analyzer in one streaming pass, so
 * memory stays flat whatever the length of the file.
 *
 * Two threads for files of MIN_WORKER_SECONDS or more: the reading thread publishes each block
 * into a shared ring (analyze-ring.ts) and runs the spectrum and stereo meters and the true peak
 * of the lower channels, while a worker (analyze-worker.ts) runs the loudness and signal-check
 * meters and the true peak of the upper channels. The same
 * deterministic meters see the same blocks in the same order: the report is identical to the
 * single-thread one. Shorter files stay on one thread (the worker's start-up would not pay).
 */
import { Worker } from "node:worker_threads";
import { Analyzer, type AnalysisReport, type LoudnessReadout, type SignalChecksReadout, type TruePeakReadout } from "../core/meter/analyzer.js";
import { ERROR_MESSAGES, MastersmithError, isMastersmithError, type ErrorCode } from "../core/codes.js";
import { openAudioFile } from "../io/open.js";
import type { AudioInfo } from "../io/types.js";
import { TruePeakMeter } from "../core/meter/true-peak.js";
import { linearToDb } from "../core/units.js";
import { CONSUMED, DONE, SLOT_FRAMES, WRITTEN, createRing, slotViews, truePeakSplit, type RemoteMeter, type RemoteResults, type RingLayout, type StartMessage, type WorkerReply } from "./analyze-ring.js";

export type { RemoteMeter } from "./analyze-ring.js";

/** Frames per block read from disk: large blocks amortize the per-block costs of every meter. */
const ANALYSIS_BLOCK_FRAMES = 16384;
/** Below this length the worker's start-up (~30-50 ms of CPU) costs more than it saves. */
const MIN_WORKER_SECONDS = 20;
/**
 * Meters run on the worker by default. Measured per 4 minutes of stereo 44.1 kHz inside the CLI
 * (first run, JIT warm-up included): true peak ~220 ms, loudness ~160, spectrum ~135, signal
 * checks ~75, stereo ~45, reading ~90, worker start-up ~40. Loudness, signal checks and the
 * true peak of the upper half of the channels on the worker balance the two threads best
 * (analyzeFile 460 ms -> 400 ms against true peak and loudness whole on the worker).
 */
const DEFAULT_REMOTE_METERS: readonly RemoteMeter[] = ["truePeakShare", "loudness", "checks"];
/** Ring memory bound (the reader runs at most this far ahead of the worker). */
const RING_BYTES = 4 << 20;
const MAX_RING_SLOTS = 8;

/** The worker module beside this one (dist/pipeline/analyze-worker.js once built). */
function startWorkerThread(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./analyze-worker.js", import.meta.url));
  // Running from the TypeScript sources (tests through tsx): tsx's hooks do not reach workers
  // by themselves, so the worker registers them before importing its module.
  const url = JSON.stringify(new URL("./analyze-worker.ts", import.meta.url).href);
  return new Worker(`import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${url}); });`, { eval: true });
}

/** Atomics.waitAsync (Node 16+, ES2024; lib ES2022 does not declare it). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

export interface FormatReport {
  container: AudioInfo["container"];
  codec: string;
  sampleRate: number;
  channels: number;
  bitDepth: number;
  sampleFormat: AudioInfo["sampleFormat"];
  frames: number;
  durationS: number;
  channelMask?: number;
}

export interface FileAnalysis extends AnalysisReport {
  file: string;
  format: FormatReport;
}

export interface FileFailure {
  file: string;
  error: { code: string; message: string };
}

export interface AnalyzeOptions {
  /** Keep the momentary and short-term loudness series (for plots and `--series`). */
  readonly series?: boolean;
  /** Run some meters on a worker thread: default by length (>= 20 s). */
  readonly worker?: boolean;
  /** Which meters the worker runs (default: its share of true peak, loudness, checks); for tests and tuning. */
  readonly workerMeters?: readonly RemoteMeter[];
}

/**
 * The analysis worker seen from the reading thread. Every failure of the worker (an error it
 * reports, an uncaught exception, an exit before its result) rejects `failed`, which every wait
 * races against: a dead worker is an error, never a hang.
 */
class AnalysisWorker {
  private readonly worker: Worker;
  private readonly failed: Promise<never>;
  private readonly result: Promise<RemoteResults>;
  private ring: RingLayout | null = null;
  private control: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private views: Float32Array[][] = [];
  private written = 0;

  private constructor() {
    this.worker = startWorkerThread();
    let fail: (e: MastersmithError) => void = () => {};
    this.failed = new Promise<never>((_, reject) => { fail = reject; });
    this.failed.catch(() => {}); // observed through the races below; never an unhandled rejection
    this.result = new Promise<RemoteResults>((resolve) => {
      this.worker.on("message", (reply: WorkerReply) => {
        if (reply.type === "result") resolve(reply.results);
        else {
          const code: ErrorCode = reply.code in ERROR_MESSAGES ? reply.code as ErrorCode : "E_INTERNAL";
          fail(new MastersmithError(code, { detail: reply.detail }));
        }
      });
    });
    this.worker.on("error", (e) => fail(new MastersmithError("E_INTERNAL", { detail: `analysis worker: ${e?.message ?? String(e)}`, cause: e })));
    this.worker.on("exit", (code) => fail(new MastersmithError("E_INTERNAL", { detail: `analysis worker exited (status ${code}) before its result` })));
  }

  /** Starts the worker thread (module loading overlaps with opening the file). */
  static start(): AnalysisWorker {
    return new AnalysisWorker();
  }

  begin(info: AudioInfo, series: boolean, meters: readonly RemoteMeter[]): void {
    const { channels, sampleRateHz } = info;
    const slotBytes = channels * ANALYSIS_BLOCK_FRAMES * 4;
    const ring = createRing(Math.max(2, Math.min(MAX_RING_SLOTS, Math.floor(RING_BYTES / slotBytes))), channels, ANALYSIS_BLOCK_FRAMES);
    this.ring = ring;
    this.control = new Int32Array(ring.control);
    this.views = slotViews(ring);
    const start: StartMessage = { type: "start", ring, sampleRateHz, channelMask: info.channelMask, series, meters };
    this.worker.postMessage(start);
  }

  /** Copies a block into the next free slot (waiting while the ring is full) and publishes it. */
  async publish(block: Float32Array[], frames: number): Promise<void> {
    const ring = this.ring!, control = this.control;
    for (;;) {
      const consumed = Atomics.load(control, CONSUMED);
      if (this.written - consumed < ring.slots) break;
      const wait = waitAsync(control, CONSUMED, consumed, 1000);
      if (wait.async) await Promise.race([wait.value, this.failed]);
    }
    const slot = this.written % ring.slots;
    const views = this.views[slot];
    for (let c = 0; c < ring.channels; c++) views[c].set(block[c].subarray(0, frames));
    control[SLOT_FRAMES + slot] = frames;
    this.written++;
    Atomics.store(control, WRITTEN, this.written);
    Atomics.notify(control, WRITTEN);
  }

  /** Ends the stream and waits for the worker's readouts. */
  async finish(): Promise<RemoteResults> {
    Atomics.store(this.control, DONE, 1);
    Atomics.notify(this.control, WRITTEN);
    return Promise.race([this.result, this.failed]);
  }

  stop(): void {
    void this.worker.terminate();
  }
}

/** Analyzer stand-ins whose readouts arrive from the worker once the stream has ended. */
type StandIns = { truePeak?: TruePeakReadout; loudness?: LoudnessReadout; checks?: SignalChecksReadout };

/**
 * The reading thread's share of the true-peak meter: channels below `truePeakSplit`, combined with
 * the worker's linear maxima. Math.max over the same per-channel values in any grouping is the
 * same number, so the readout is identical to one meter over every channel.
 */
function sharedTruePeak(sampleRateHz: number, channels: number, results: () => RemoteResults): TruePeakReadout {
  const split = truePeakSplit(channels);
  const local = split > 0 ? new TruePeakMeter({ sampleRateHz, channels: split }) : null;
  const lower: Float32Array[] = new Array<Float32Array>(split);
  return {
    add(block: Float32Array[], frames: number): void {
      if (local === null) return;
      for (let c = 0; c < split; c++) lower[c] = block[c];
      local.add(lower, frames);
    },
    truePeakDbtp: () => linearToDb(Math.max(local?.truePeakLinear() ?? 0, results().truePeakShare!.truePeakLinear)),
    samplePeakDbfs: () => linearToDb(Math.max(local?.samplePeakLinear() ?? 0, results().truePeakShare!.samplePeakLinear)),
  };
}

function standIns(meters: readonly RemoteMeter[], info: AudioInfo, results: () => RemoteResults): StandIns {
  const out: StandIns = {};
  const ignore = (): void => {};
  if (meters.includes("truePeak")) {
    out.truePeak = {
      add: ignore,
      truePeakDbtp: () => results().truePeak!.truePeakDbtp,
      samplePeakDbfs: () => results().truePeak!.samplePeakDbfs,
    };
  } else if (meters.includes("truePeakShare")) {
    out.truePeak = sharedTruePeak(info.sampleRateHz, info.channels, results);
  }
  if (meters.includes("checks")) out.checks = { add: ignore, result: () => results().checks! };
  if (meters.includes("loudness")) {
    out.loudness = {
      add: ignore,
      integratedLufs: () => results().loudness!.integratedLufs,
      loudnessRangeLu: () => results().loudness!.loudnessRangeLu,
      maxMomentaryLufs: () => results().loudness!.maxMomentaryLufs,
      maxShortTermLufs: () => results().loudness!.maxShortTermLufs,
      series: () => results().loudness!.series,
    };
  }
  return out;
}

export function formatReport(info: AudioInfo, frames: number): FormatReport {
  const report: FormatReport = {
    container: info.container,
    codec: info.codec,
    sampleRate: info.sampleRateHz,
    channels: info.channels,
    bitDepth: info.bitDepth,
    sampleFormat: info.sampleFormat,
    frames,
    durationS: frames / info.sampleRateHz,
  };
  if (info.channelMask !== undefined) report.channelMask = info.channelMask;
  return report;
}

/** Analyzes one file; throws a MastersmithError naming the file when it cannot. */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<FileAnalysis> {
  // Started before the file is opened so that its start-up overlaps; stopped if not needed.
  let worker = options.worker === false ? null : AnalysisWorker.start();
  try {
    const reader = await openAudioFile(path);
    try {
      const { info } = reader;
      const series = options.series ?? false;
      const long = info.framesUnknown === true || info.frames >= MIN_WORKER_SECONDS * info.sampleRateHz;
      if (worker !== null && options.worker !== true && !long) {
        worker.stop();
        worker = null;
      }
      let remote: RemoteResults | null = null;
      const remoteMeters = options.workerMeters ?? DEFAULT_REMOTE_METERS;
      const analyzer = new Analyzer({
        sampleRateHz: info.sampleRateHz,
        channels: info.channels,
        channelMask: info.channelMask,
        series,
        sourceBitDepth: info.sampleFormat === "int" ? info.bitDepth : undefined,
        meters: worker === null ? undefined : standIns(remoteMeters, info, () => remote!),
      });
      worker?.begin(info, series, remoteMeters);
      let frames = 0;
      for await (const block of reader.blocks(ANALYSIS_BLOCK_FRAMES)) {
        const n = block[0].length;
        // Publish first, so the worker measures this block while this thread does.
        if (worker !== null) await worker.publish(block, n);
        analyzer.add(block, n);
        frames += n;
      }
      if (worker !== null) remote = await worker.finish();
      return { file: path, format: formatReport(info, frames), ...analyzer.report() };
    } finally {
      await reader.close();
    }
  } finally {
    worker?.stop();
  }
}

/** Like analyzeFile, but a failure becomes a result (the batch goes on with the other files). */
export async function analyzeFileSafe(path: string, options: AnalyzeOptions = {}): Promise<FileAnalysis | FileFailure> {
  try {
    return await analyzeFile(path, options);
  } catch (e) {
    const error = isMastersmithError(e)
      ? e.withFile(path)
      : new MastersmithError("E_INTERNAL", { file: path, detail: (e as Error)?.message ?? String(e) });
    return { file: path, error: error.toJSON() };
  }
}
