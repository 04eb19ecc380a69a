/**
 * The embedded JobRunner: a pool of worker threads, one job per thread at a time, jobs started
 * in the order they were queued. The server's thread only routes messages, so HTTP stays
 * responsive however busy the pool is. Threads are started lazily and reused between jobs (a
 * thread's start-up and module loading cost more than a short job's analysis); a job is stopped by
 * terminating its thread, and a thread that dies fails its job with E_INTERNAL and is replaced.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { JobError, JobEvents, JobProgress, JobResult, JobRunner, JobSpec } from "./types.js";

export interface PoolRequest {
  readonly type: "run";
  readonly spec: JobSpec;
}

export type PoolReply =
  | { readonly type: "progress"; readonly id: string; readonly progress: JobProgress }
  | { readonly type: "done"; readonly id: string; readonly result: JobResult }
  | { readonly type: "failed"; readonly id: string; readonly error: JobError };

/**
 * Default pool size: one job per core. The HTTP thread is idle most of the time, and a job's
 * own helper thread (analysis of files >= 20 s) overlaps with the I/O waits of the others.
 */
export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

/** The worker module beside this one (dist/server/job-worker.js once built). */
function startWorkerThread(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./job-worker.js", import.meta.url));
  // Running from the TypeScript sources (tests through tsx): tsx's hooks do not reach workers
  // by themselves, so the worker registers them before importing its module.
  const url = JSON.stringify(new URL("./job-worker.ts", import.meta.url).href);
  return new Worker(`import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${url}); });`, { eval: true });
}

interface Slot {
  worker: Worker | null;
  /** The job this slot runs, or null when idle. */
  spec: JobSpec | null;
}

export class WorkerPoolRunner implements JobRunner {
  readonly size: number;
  private readonly queue: JobSpec[] = [];
  private readonly slots: Slot[];
  private closed = false;

  constructor(private readonly events: JobEvents, options: { size?: number } = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultPoolSize()));
    this.slots = Array.from({ length: this.size }, () => ({ worker: null, spec: null }));
  }

  enqueue(spec: JobSpec): void {
    if (this.closed) return;
    this.queue.push(spec);
    this.pump();
  }

  async cancel(id: string): Promise<void> {
    const queued = this.queue.findIndex((s) => s.id === id);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = this.slots.find((s) => s.spec?.id === id);
    if (slot !== undefined) {
      await this.retire(slot);
      this.pump();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.all(this.slots.map((slot) => this.retire(slot)));
  }

  /** Jobs waiting and running, for the API's queue position. */
  queuedIds(): string[] {
    return this.queue.map((s) => s.id);
  }

  /** Terminates a slot's thread (its job, if any, simply stops) and frees the slot. */
  private async retire(slot: Slot): Promise<void> {
    const worker = slot.worker;
    slot.worker = null;
    slot.spec = null;
    if (worker !== null) {
      worker.removeAllListeners();
      worker.on("error", () => {}); // a late error from a thread being stopped is of no interest
      await worker.terminate();
    }
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.spec !== null) continue;
      const spec = this.queue.shift()!;
      this.start(slot, spec);
    }
  }

  private start(slot: Slot, spec: JobSpec): void {
    slot.spec = spec;
    if (slot.worker === null) slot.worker = this.spawn(slot);
    this.events.started(spec.id);
    const request: PoolRequest = { type: "run", spec };
    slot.worker.postMessage(request);
  }

  private spawn(slot: Slot): Worker {
    const worker = startWorkerThread();
    worker.on("message", (reply: PoolReply) => {
      if (slot.worker !== worker || slot.spec === null || reply.id !== slot.spec.id) return;
      if (reply.type === "progress") this.events.progress(reply.id, reply.progress);
      else {
        slot.spec = null;
        if (reply.type === "done") this.events.done(reply.id, reply.result);
        else this.events.failed(reply.id, reply.error);
        this.pump();
      }
    });
    const died = (detail: string): void => {
      if (slot.worker !== worker) return;
      const spec = slot.spec;
      slot.worker = null;
      slot.spec = null;
      if (spec !== null) this.events.failed(spec.id, { code: "E_INTERNAL", message: `internal error (job worker ${detail})` });
      this.pump();
    };
    worker.on("error", (e) => died(`failed: ${e?.message ?? String(e)}`));
    worker.on("exit", (code) => died(`exited with status ${code}`));
    return worker;
  }
}
