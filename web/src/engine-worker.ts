/**
 * The engine Worker: decodes the dropped file with the src/io readers, analyzes it with the core
 * Analyzer, plans, and renders the master with the core chain, off the page's thread.
 *
 * Preview order (so sound comes within a couple of seconds): the loudest 10 s (from the
 * analysis' short-term series) first, with 2 s of pre-roll so the dynamics stages have settled;
 * then the whole track. The whole-track render runs the chain up to the limiter drive once, then
 * only the drive + limiter pair for each verify step (DESIGN.md principle 2: re-measure with the
 * same meter, tune the drive until the integrated loudness is within 0.05 LU of the target).
 * Renders run in chunks with a yield between them, so a newer request (a changed control)
 * cancels the one in flight instead of queueing behind it.
 *
 * Private-mode export renders the tuned ChainSpec in one chain (exactly what the server renders
 * for the same spec) and writes WAV 16/24 through the core dither.
 */
import { Analyzer, type AnalysisReport } from "../../src/core/meter/analyzer.js";
import { LoudnessMeter } from "../../src/core/meter/loudness.js";
import { buildChain } from "../../src/core/chain/build.js";
import { ChainRenderer } from "../../src/core/chain/renderer.js";
import { validateChainSpec, type ChainSpec, type StageSpec } from "../../src/core/chain/spec.js";
import { MastersmithError } from "../../src/core/codes.js";
import type { MasterIntent, MasterPlan } from "../../src/core/plan/types.js";
import type { AudioInfo } from "../../src/io/types.js";
import { decodeBytes } from "./decode.js";
import { makePlan } from "./plan.js";
import type { EngineReply, EngineRequest, MasterSummary, Peaks, Step } from "./protocol.js";
import { encodeWav } from "./wav-encode.js";

const CHUNK_FRAMES = 65536;
const BLOCK_FRAMES = 4096;
const PEAK_COLUMNS = 1200;
const SECTION_S = 10;
const PREROLL_S = 2;
/** The drive search's tolerance and step limit, as in src/pipeline/master.ts (the verify accepts 0.1 LU). */
const VERIFY_TOLERANCE_LU = 0.02;
const VERIFY_MAX_STEPS = 6;

interface Mix {
  name: string;
  info: AudioInfo;
  channels: Float32Array[];
  report: AnalysisReport;
}

let mix: Mix | null = null;
const references: AnalysisReport[] = [];
let latestGeneration = 0;
/** The last finished whole-track preview: its tuned spec, for export. */
let master: { plan: MasterPlan; spec: ChainSpec } | null = null;

class Cancelled extends Error {}

function post(reply: EngineReply, transfer: Transferable[] = []): void {
  self.postMessage(reply, { transfer });
}

const yieldToMessages = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function progress(step: Step, fraction: number): void {
  post({ type: "progress", step, fraction });
}

/** Renders `input[from, to)` through `spec`, chunked with yields; throws Cancelled when `stillWanted()` turns false. */
async function renderChunked(spec: ChainSpec, input: readonly Float32Array[], sampleRateHz: number, from: number, to: number,
  onProgress: (fraction: number) => void, stillWanted: () => boolean): Promise<Float32Array[]> {
  const renderer = new ChainRenderer(buildChain(spec), { sampleRateHz, channels: input.length, maxBlockFrames: BLOCK_FRAMES });
  const frames = to - from;
  const output = input.map(() => new Float32Array(frames));
  let written = 0;
  const sink = (channels: Float32Array[], n: number): void => {
    for (let c = 0; c < channels.length; c++) output[c].set(channels[c].subarray(0, n), written);
    written += n;
  };
  for (let at = from; at < to; at += CHUNK_FRAMES) {
    const n = Math.min(CHUNK_FRAMES, to - at);
    renderer.push(input.map((ch) => ch.subarray(at, at + n)), n, sink);
    onProgress((at + n - from) / frames);
    await yieldToMessages();
    if (!stillWanted()) throw new Cancelled();
  }
  renderer.finish(sink);
  return output;
}

function computePeaks(channels: readonly Float32Array[]): Peaks {
  const frames = channels[0].length;
  const columns = Math.min(PEAK_COLUMNS, frames);
  const min = new Float32Array(columns);
  const max = new Float32Array(columns);
  for (let col = 0; col < columns; col++) {
    const start = Math.floor((col * frames) / columns);
    const end = Math.floor(((col + 1) * frames) / columns);
    let lo = 0;
    let hi = 0;
    for (const ch of channels) {
      for (let n = start; n < end; n++) {
        const v = ch[n];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    min[col] = lo;
    max[col] = hi;
  }
  return { min, max };
}

async function analyze(channels: readonly Float32Array[], info: AudioInfo, step: Step, series: boolean): Promise<AnalysisReport> {
  const analyzer = new Analyzer({ sampleRateHz: info.sampleRateHz, channels: channels.length, channelMask: info.channelMask, series,
    sourceBitDepth: info.sampleFormat === "int" ? info.bitDepth : undefined });
  const frames = channels[0].length;
  for (let at = 0; at < frames; at += CHUNK_FRAMES) {
    const n = Math.min(CHUNK_FRAMES, frames - at);
    analyzer.add(channels.map((ch) => ch.subarray(at, at + n)), n);
    if ((at / CHUNK_FRAMES) % 8 === 7) {
      progress(step, (at + n) / frames);
      await yieldToMessages();
    }
  }
  progress(step, 1);
  return analyzer.report();
}

function summary(report: AnalysisReport): MasterSummary {
  return {
    integratedLufs: report.loudness.integratedLufs,
    truePeakDbtp: report.loudness.truePeakDbtp,
    lraLu: report.loudness.lraLu,
    plrDb: report.loudness.plrDb,
    sideToMidDb: report.stereo.sideToMidDb,
    correlation: report.stereo.correlation,
    midDb: report.spectrum.midDb,
    sideDb: report.spectrum.sideDb,
  };
}

function errorReply(step: Step | "export", e: unknown): EngineReply {
  if (e instanceof MastersmithError) return { type: "error", step, code: e.code, message: e.message };
  return { type: "error", step, code: "E_INTERNAL", message: e instanceof Error ? e.message : String(e) };
}

async function load(name: string, bytes: ArrayBuffer): Promise<void> {
  mix = null;
  master = null;
  const t0 = performance.now();
  const decoded = await decodeBytes(name, new Uint8Array(bytes), (f) => progress("decode", f));
  const t1 = performance.now();
  const report = await analyze(decoded.channels, decoded.info, "analyze", true);
  const t2 = performance.now();
  mix = { name, info: decoded.info, channels: decoded.channels, report };
  const copy = decoded.channels.map((ch) => ch.slice());
  post({ type: "analysis", name, info: decoded.info, report, peaks: computePeaks(decoded.channels), mix: copy,
    decodeMs: t1 - t0, analyzeMs: t2 - t1 }, copy.map((ch) => ch.buffer));
}

/** Start frame of the loudest section: the loudest short-term window, with the section ending a little after it. */
function loudestSectionStart(report: AnalysisReport, sampleRateHz: number, frames: number): number {
  const st = report.series?.shortTermLufs ?? [];
  const hopS = report.series?.hopS ?? 0.01;
  let best = -1;
  let bestLufs = -Infinity;
  for (let k = 0; k < st.length; k++) {
    const v = st[k];
    if (v !== null && v > bestLufs) { bestLufs = v; best = k; }
  }
  if (best < 0) return 0;
  // Window k covers ((k+1)·hop − 3 s, (k+1)·hop]: centre the 10 s section on it.
  const centreS = (best + 1) * hopS - 1.5;
  const startS = Math.max(0, centreS - SECTION_S / 2);
  return Math.max(0, Math.min(frames - Math.round(SECTION_S * sampleRateHz), Math.round(startS * sampleRateHz)));
}

function withDrive(spec: ChainSpec, driveDb: number): ChainSpec {
  const stages = spec.stages.slice();
  const at = stages.length - 2;
  stages[at] = { ...stages[at], gainDb: Math.max(-60, Math.min(60, driveDb)) } as StageSpec;
  return { version: 1, stages };
}

function integratedOf(channels: readonly Float32Array[], sampleRateHz: number): number {
  const meter = new LoudnessMeter({ sampleRateHz, channels: channels.length });
  meter.add(channels as Float32Array[], channels[0].length);
  return meter.integratedLufs();
}

async function render(generation: number, intent: MasterIntent): Promise<void> {
  if (!mix) throw new MastersmithError("E_BAD_ARGUMENT", { detail: "no mix loaded" });
  const current = mix;
  const stillWanted = (): boolean => generation === latestGeneration && mix === current;
  const rate = current.info.sampleRateHz;
  const frames = current.channels[0].length;
  const t0 = performance.now();
  const plan = makePlan(current.report, rate, current.channels.length, intent, references);
  const spec = validateChainSpec(plan.chain);
  const last = spec.stages[spec.stages.length - 1];
  const drive = spec.stages[spec.stages.length - 2];
  if (last?.type !== "limiter" || drive?.type !== "gain") {
    throw new MastersmithError("E_INVALID_CHAIN", { detail: "the plan does not end with the drive gain and the limiter" });
  }

  // 1. The loudest section, so playback can start.
  const sectionStart = loudestSectionStart(current.report, rate, frames);
  const sectionEnd = Math.min(frames, sectionStart + Math.round(SECTION_S * rate));
  const prerollStart = Math.max(0, sectionStart - Math.round(PREROLL_S * rate));
  if (sectionEnd - sectionStart < frames) {
    const part = await renderChunked(spec, current.channels, rate, prerollStart, sectionEnd, () => {}, stillWanted);
    const trimmed = part.map((ch) => ch.slice(sectionStart - prerollStart));
    // Loudness match for the section alone (the whole-track figure follows with the full preview).
    const differenceLu = integratedOf(trimmed, rate) - integratedOf(current.channels.map((ch) => ch.subarray(sectionStart, sectionEnd)), rate);
    post({ type: "previewPart", generation, startFrame: sectionStart, channels: trimmed, plan, differenceLu: Number.isFinite(differenceLu) ? differenceLu : 0 },
      trimmed.map((ch) => ch.buffer));
  }

  // 2. The whole track: everything before the drive once, then drive + limiter per verify step.
  const prefix: ChainSpec = { version: 1, stages: spec.stages.slice(0, -2) };
  const preLimiter = prefix.stages.length === 0 ? current.channels
    : await renderChunked(prefix, current.channels, rate, 0, frames, (f) => progress("render", f), stillWanted);
  const target = plan.target.integratedLufs;
  let driveDb = drive.gainDb as number;
  let best: { driveDb: number; lufs: number; out: Float32Array[] } | null = null;
  let previous: { driveDb: number; lufs: number } | null = null;
  for (let step = 0; step < VERIFY_MAX_STEPS; step++) {
    const suffix: ChainSpec = { version: 1, stages: withDrive(spec, driveDb).stages.slice(-2) };
    const out = await renderChunked(suffix, preLimiter, rate, 0, frames, (f) => progress("verify", (step + f) / VERIFY_MAX_STEPS), stillWanted);
    const measured = integratedOf(out, rate);
    if (!best || !Number.isFinite(best.lufs) || Math.abs(measured - target) < Math.abs(best.lufs - target)) best = { driveDb, lufs: measured, out };
    if (!Number.isFinite(measured) || Math.abs(target - measured) <= VERIFY_TOLERANCE_LU) break;
    // Secant search (slope 1 while the limiter idles, flatter as it works; floored so a flat
    // stretch cannot throw the drive far away), as the pipeline's drive search.
    let slope = 1;
    if (previous && driveDb !== previous.driveDb) {
      const s = (measured - previous.lufs) / (driveDb - previous.driveDb);
      slope = Number.isFinite(s) ? Math.min(1.2, Math.max(0.05, s)) : 1;
    }
    previous = { driveDb, lufs: measured };
    const next = Math.max(-60, Math.min(60, Math.round((driveDb + (target - measured) / slope) * 1000) / 1000));
    if (next === driveDb) break;
    driveDb = next;
  }
  driveDb = best!.driveDb;
  const out = best!.out;
  progress("verify", 1);
  const tuned = withDrive(spec, driveDb);
  const tunedPlan: MasterPlan = { ...plan, chain: tuned };
  master = { plan: tunedPlan, spec: tuned };
  const masterReport = await analyze(out, current.info, "verify", false);
  const copy = out.map((ch) => ch.slice());
  post({ type: "preview", generation, channels: copy, plan: tunedPlan, driveDb, master: summary(masterReport), renderMs: performance.now() - t0 },
    copy.map((ch) => ch.buffer));
}

async function exportWav(bitDepth: 16 | 24): Promise<void> {
  if (!mix || !master) throw new MastersmithError("E_BAD_ARGUMENT", { detail: "nothing rendered yet" });
  const current = mix;
  const { plan, spec } = master;
  const rate = current.info.sampleRateHz;
  const out = await renderChunked(spec, current.channels, rate, 0, current.channels[0].length, (f) => progress("render", f), () => mix === current);
  const report = await analyze(out, current.info, "verify", false);
  progress("encode", 0);
  const bytes = encodeWav(out, rate, bitDepth);
  progress("encode", 1);
  post({ type: "exported", bytes: bytes.buffer as ArrayBuffer, bitDepth, plan, master: summary(report) }, [bytes.buffer as ArrayBuffer]);
}

async function referenceLoad(name: string, bytes: ArrayBuffer): Promise<void> {
  const decoded = await decodeBytes(name, new Uint8Array(bytes), (f) => progress("reference", f * 0.5));
  const report = await analyze(decoded.channels, decoded.info, "reference", false);
  references.length = 0;
  references.push(report);
  post({ type: "referenceReady", name, integratedLufs: report.loudness.integratedLufs });
}

self.onmessage = (event: MessageEvent<EngineRequest>): void => {
  const request = event.data;
  const run = async (): Promise<void> => {
    switch (request.type) {
      case "load":
        latestGeneration++;
        try { await load(request.name, request.bytes); } catch (e) { post(errorReply("decode", e)); }
        return;
      case "reference":
        try { await referenceLoad(request.name, request.bytes); } catch (e) { post(errorReply("reference", e)); }
        return;
      case "clearReference":
        references.length = 0;
        return;
      case "render":
        latestGeneration = request.generation;
        try { await render(request.generation, request.intent); } catch (e) { if (!(e instanceof Cancelled)) post(errorReply("render", e)); }
        return;
      case "export":
        try { await exportWav(request.bitDepth); } catch (e) { if (!(e instanceof Cancelled)) post(errorReply("export", e)); }
        return;
    }
  };
  void run();
};
