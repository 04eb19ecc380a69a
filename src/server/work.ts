/**
 * The work of one job, as a runner's worker executes it: the mix in, the outputs and report.json
 * out, progress reported as it goes. Runs on a worker thread (job-worker.ts) in the embedded pool;
 * any other runner (a queue worker) calls the same function. A job is the assistant (`master`:
 * analyze, plan, render, verify, encode) writing every requested format from one render, or,
 * with `analyzeOnly`, the analysis alone.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MasterIntent } from "../core/plan/types.js";
import { analyzeFile } from "../pipeline/analyze.js";
import { master, type MasterStep } from "../pipeline/master.js";
import { masterReportJson } from "../pipeline/report.js";
import { DEFAULT_OUTPUTS, OUTPUT_KINDS, type OutputKind } from "./options.js";
import type { JobProgress, JobResult, JobSpec } from "./types.js";

export interface WorkContext {
  readonly onProgress: (progress: JobProgress) => void;
  readonly signal: AbortSignal;
}

export type JobWork = (spec: JobSpec, context: WorkContext) => Promise<JobResult>;

export const REPORT_NAME = "report.json";

const SUFFIXES: Record<OutputKind, string> = {
  wav16: "-16bit.wav", wav24: "-24bit.wav", wav32f: "-32f.wav", flac16: "-16bit.flac", flac24: "-24bit.flac",
  mp3: ".mp3", aac: ".m4a", opus: ".opus",
};

/** The stem of a sanitized upload name ("My Mix.final.wav" -> "My Mix.final"), never empty. */
export function stemOf(name: string): string {
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return stem === "" ? "master" : stem;
}

/** The file name of one deliverable. */
export function outputName(inputName: string, kind: OutputKind): string {
  return `${stemOf(inputName)}-master${SUFFIXES[kind]}`;
}

/** Share of the whole job per master step (the CLI's progress bar uses the same split). */
const STEP_SPAN: Record<MasterStep, readonly [number, number]> = {
  analyze: [0, 0.15], plan: [0.15, 0.16], prerender: [0.16, 0.35], drive: [0.35, 0.7], write: [0.7, 0.95], verify: [0.95, 1],
};

/**
 * Test hook for the restart test: with MASTERSMITH_TEST_STALL_JOBS=1 in the environment a job's
 * thread blocks for good as its render starts (temp files written, outputs not), so the test can
 * kill the server mid-render deterministically. Never set in production.
 */
function stallForTests(step: MasterStep): void {
  if (step !== "drive" || process.env.MASTERSMITH_TEST_STALL_JOBS !== "1") return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

async function writeReport(outDir: string, report: unknown): Promise<void> {
  // Silence is null in the report, never NaN or Infinity (JSON has neither).
  const text = JSON.stringify(report, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1);
  await writeFile(join(outDir, REPORT_NAME), text + "\n");
}

/** Analysis only: the page's first view of a mix. */
async function analyzeOnly(spec: JobSpec, { onProgress, signal }: WorkContext): Promise<JobResult> {
  onProgress({ phase: "analyze", fraction: 0 });
  const analysis = await analyzeFile(spec.inputPath, { series: true });
  signal.throwIfAborted();
  // The analysis names the input by its client name, never by its path in the data directory.
  await writeReport(spec.outDir, { schema: "mastersmith-analysis/1", ...analysis, file: spec.inputName });
  return { files: [REPORT_NAME] };
}

export const runJob: JobWork = async (spec, context) => {
  const { options } = spec;
  if (options.analyzeOnly === true) return analyzeOnly(spec, context);
  const kinds = options.outputs ?? DEFAULT_OUTPUTS;
  const names = kinds.map((kind) => outputName(spec.inputName, kind));
  const { target, lufs, ceiling, style, intensity, eqAmount, dynamicsAmount, widthAmount, width, monoBass } = options;
  const intent: MasterIntent = Object.fromEntries(Object.entries({ target, lufs, ceiling, style, intensity, eqAmount, dynamicsAmount, widthAmount, width, monoBass })
    .filter(([, v]) => v !== undefined));
  const result = await master(spec.inputPath, {
    intent,
    plan: options.plan,
    references: spec.referencePaths,
    outputs: kinds.map((kind, i) => ({ path: join(spec.outDir, names[i]), format: OUTPUT_KINDS[kind].format, bitDepth: OUTPUT_KINDS[kind].bitDepth })),
    sampleRateHz: options.sampleRate,
    bitrateKbps: options.bitrate,
    dither: options.dither,
    seed: options.seed,
    codecSafe: options.codecSafe,
    // The float temp render stays inside the job: an interrupted run's leftovers go with its outputs.
    tempDir: spec.outDir,
  }, {
    signal: context.signal,
    onProgress: ({ step, fraction }) => {
      const [from, to] = STEP_SPAN[step];
      context.onProgress({ phase: step, fraction: from + (to - from) * fraction });
      stallForTests(step);
    },
  });
  // Files are named by their client names in the report, never by their paths on the server.
  const report = masterReportJson(result);
  await writeReport(spec.outDir, {
    ...report,
    input: spec.inputName,
    outputs: report.outputs.map((o, i) => ({ ...o, path: names[i] })),
  });
  return { files: [REPORT_NAME, ...names] };
};
