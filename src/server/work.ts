/**
 * The work of one job, as a runner's worker executes it: the mix in, the outputs and report.json
 * out, progress reported as it goes. Runs on a worker thread (job-worker.ts) in the embedded pool;
 * any other runner (a queue worker) calls the same function.
 *
 * Until the assistant (`master` in src/pipeline/master.ts) lands, a job analyzes the mix and
 * writes it unchanged in each requested format (`convert`): the service, its store and its API
 * are exercised end to end by the real decoders, meters and encoders.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MastersmithError } from "../core/codes.js";
import { analyzeFile } from "../pipeline/analyze.js";
import { convert } from "../pipeline/convert.js";
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

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new MastersmithError("E_INTERNAL", { detail: "job cancelled" });
}

/**
 * Test hook for the restart test: with MASTERSMITH_TEST_STALL_JOBS=1 in the environment a job
 * stops after its analysis, in its render phase, until it is cancelled or its process killed,
 * so the test can kill the server mid-render deterministically. Never set in production.
 */
async function stallForTests(signal: AbortSignal): Promise<void> {
  if (process.env.MASTERSMITH_TEST_STALL_JOBS !== "1") return;
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

export const runJob: JobWork = async (spec, { onProgress, signal }) => {
  onProgress({ phase: "analyze", fraction: 0 });
  const analysis = await analyzeFile(spec.inputPath, { series: true });
  checkAborted(signal);
  const outputs = spec.options.analyzeOnly === true ? [] : (spec.options.outputs ?? DEFAULT_OUTPUTS);
  const analyzeShare = outputs.length === 0 ? 1 : 0.3;
  onProgress({ phase: outputs.length === 0 ? "analyze" : "render", fraction: analyzeShare });
  await stallForTests(signal);
  checkAborted(signal);
  const files: string[] = [];
  const written = [];
  for (let i = 0; i < outputs.length; i++) {
    const kind = outputs[i];
    const name = outputName(spec.inputName, kind);
    const { format, bitDepth } = OUTPUT_KINDS[kind];
    const report = await convert(spec.inputPath, join(spec.outDir, name), { format, bitDepth });
    checkAborted(signal);
    written.push({ kind, name, ...report.output, path: undefined });
    files.push(name);
    onProgress({ phase: "encode", fraction: analyzeShare + ((1 - analyzeShare) * (i + 1)) / outputs.length });
  }
  const report = {
    version: 1,
    kind: outputs.length === 0 ? "analysis" : "conversion",
    // The analysis names the input by its client name, never by its path in the data directory.
    analysis: { ...analysis, file: spec.inputName },
    outputs: written,
  };
  await writeFile(join(spec.outDir, REPORT_NAME), JSON.stringify(report, null, 2) + "\n");
  return { files: [REPORT_NAME, ...files] };
};
