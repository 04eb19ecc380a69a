/**
 * A worker thread of the embedded pool (pool.ts): runs one job at a time with `runJob` and posts
 * its progress and outcome. The pool stops a job by terminating the thread, so the work needs no
 * cancellation points to be stoppable.
 */
import { parentPort } from "node:worker_threads";
import { MastersmithError, isMastersmithError } from "../core/codes.js";
import type { JobSpec } from "./types.js";
import { runJob } from "./work.js";
import type { PoolReply, PoolRequest } from "./pool.js";

const port = parentPort;
if (port === null) throw new Error("job-worker.ts runs as a worker thread");

port.on("message", (request: PoolRequest) => {
  void run(request.spec);
});

async function run(spec: JobSpec): Promise<void> {
  const post = (reply: PoolReply): void => port!.postMessage(reply);
  const controller = new AbortController();
  try {
    const result = await runJob(spec, { onProgress: (progress) => post({ type: "progress", id: spec.id, progress }), signal: controller.signal });
    post({ type: "done", id: spec.id, result });
  } catch (e) {
    post({ type: "failed", id: spec.id, error: publicError(e, spec) });
  }
}

/** The error as the API shows it: files named by their client names, never by data-dir paths. */
function publicError(e: unknown, spec: JobSpec): { code: string; message: string } {
  const names = new Map<string, string>([[spec.inputPath, spec.inputName]]);
  spec.referencePaths.forEach((path, i) => names.set(path, `reference ${i + 1}`));
  let error = isMastersmithError(e) ? e : new MastersmithError("E_INTERNAL", { detail: (e as Error)?.message ?? String(e) });
  if (error.file !== undefined) {
    error = new MastersmithError(error.code, { file: names.get(error.file) ?? "output", detail: error.detail });
  }
  let message = error.message;
  for (const [path, name] of names) message = message.split(path).join(name);
  message = message.split(spec.outDir).join("output");
  return { code: error.code, message };
}
