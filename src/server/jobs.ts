/**
 * The job service: the records (durable, in the store), the live progress (in memory: it is
 * recomputed by a rerun, so it is never worth a disk write), and the runner doing the work.
 * A record is written on every change of status; on start, jobs found queued or running (the
 * server stopped or died under them) are queued again, in their original order, with their
 * outputs cleared: an interrupted render runs again from its intact upload.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { JobOptions } from "./options.js";
import type { JobStore } from "./store.js";
import type { JobError, JobEvents, JobProgress, JobRecord, JobResult, JobRunner, JobSpec, UploadedFileInfo } from "./types.js";

/** Runs a job may start before it is failed rather than resumed again (a job that crashes the process). */
export const MAX_ATTEMPTS = 3;

export interface NewJob {
  readonly id: string;
  readonly input: UploadedFileInfo;
  readonly references: readonly UploadedFileInfo[];
  readonly options: JobOptions;
}

export class JobService implements JobEvents {
  private readonly records = new Map<string, JobRecord>();
  private readonly live = new Map<string, JobProgress>();
  /** Per-job chain of record writes, so they land in the order they were made. */
  private readonly writes = new Map<string, Promise<void>>();
  private runner: JobRunner | null = null;

  constructor(readonly store: JobStore) {}

  /** Loads the stored jobs and hands the unfinished ones to the runner, oldest first. */
  async start(runner: JobRunner): Promise<{ resumed: number; total: number }> {
    this.runner = runner;
    await this.store.init();
    const all = await this.store.loadAll();
    all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    let resumed = 0;
    for (const record of all) {
      this.records.set(record.id, record);
      if (record.status === "running" && record.attempts >= MAX_ATTEMPTS) {
        // Interrupted every time: most likely the job itself takes the process down. Stop retrying.
        record.status = "failed";
        record.error = { code: "E_INTERNAL", message: `internal error (the job was interrupted ${record.attempts} times; not retried)` };
        record.finishedAt = record.updatedAt = new Date().toISOString();
        await this.store.clearOutputs(record.id);
        await this.store.save(record);
      } else if (record.status === "queued" || record.status === "running") {
        await this.store.clearOutputs(record.id);
        record.status = "queued";
        record.files = [];
        record.updatedAt = new Date().toISOString();
        await this.store.save(record);
        runner.enqueue(this.spec(record));
        resumed++;
      }
    }
    return { resumed, total: all.length };
  }

  /** Records a job whose files the store has adopted, and queues it. */
  async create(job: NewJob): Promise<JobRecord> {
    const now = new Date().toISOString();
    const record: JobRecord = {
      version: 1, id: job.id, status: "queued", createdAt: now, updatedAt: now, attempts: 0,
      input: job.input, references: job.references, options: job.options, files: [],
    };
    // Durable before the client hears of it: a restart after the answer finds the job.
    await this.store.save(record);
    this.records.set(record.id, record);
    this.runner!.enqueue(this.spec(record));
    return record;
  }

  get(id: string): JobRecord | undefined {
    return this.records.get(id);
  }

  /** Newest first. */
  list(): JobRecord[] {
    return [...this.records.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  progressOf(record: JobRecord): JobProgress {
    if (record.status === "done") return { phase: "done", fraction: 1 };
    if (record.status === "failed") return { phase: "failed", fraction: this.live.get(record.id)?.fraction ?? 0 };
    if (record.status === "queued") return { phase: "queued", fraction: 0 };
    return this.live.get(record.id) ?? { phase: "starting", fraction: 0 };
  }

  /** Stops the job if it runs, then removes it and its files. */
  async remove(id: string): Promise<boolean> {
    if (!this.records.has(id)) return false;
    this.records.delete(id);
    this.live.delete(id);
    await this.runner!.cancel(id);
    await this.writes.get(id)?.catch(() => {});
    await this.store.remove(id);
    this.writes.delete(id);
    return true;
  }

  async close(): Promise<void> {
    await this.runner?.close();
    await Promise.all([...this.writes.values()].map((w) => w.catch(() => {})));
  }

  // JobEvents: the runner's reports.

  started(id: string): void {
    const record = this.records.get(id);
    if (record === undefined) return;
    record.status = "running";
    record.attempts++;
    record.startedAt = new Date().toISOString();
    this.live.set(id, { phase: "starting", fraction: 0 });
    this.persist(record);
  }

  progress(id: string, progress: JobProgress): void {
    if (this.records.get(id)?.status === "running") this.live.set(id, progress);
  }

  done(id: string, result: JobResult): void {
    const record = this.records.get(id);
    if (record === undefined) return;
    this.live.set(id, { phase: "finishing", fraction: 1 });
    this.enqueueWrite(id, async () => {
      const outDir = this.store.outDir(id);
      const files = [];
      for (const name of result.files) files.push({ name, bytes: (await stat(join(outDir, name))).size });
      if (!this.records.has(id)) return;
      record.files = files;
      record.status = "done";
      record.finishedAt = record.updatedAt = new Date().toISOString();
      delete record.error;
      await this.store.save(record);
      this.live.delete(id);
    }, (e) => this.failed(id, { code: "E_INTERNAL", message: `internal error (listing the outputs: ${(e as Error).message})` }));
  }

  failed(id: string, error: JobError): void {
    const record = this.records.get(id);
    if (record === undefined) return;
    record.status = "failed";
    record.error = error;
    record.files = [];
    record.finishedAt = new Date().toISOString();
    this.persist(record);
  }

  private spec(record: JobRecord): JobSpec {
    return {
      id: record.id,
      inputPath: this.store.inputPath(record.id),
      inputName: record.input.name,
      referencePaths: record.references.map((_, i) => this.store.referencePath(record.id, i)),
      options: record.options,
      outDir: this.store.outDir(record.id),
    };
  }

  private persist(record: JobRecord): void {
    record.updatedAt = new Date().toISOString();
    const snapshot: JobRecord = { ...record, files: [...record.files] };
    this.enqueueWrite(record.id, async () => {
      if (this.records.has(record.id)) await this.store.save(snapshot);
    }, (e) => process.stderr.write(`mastersmith serve: could not save job ${record.id}: ${(e as Error).message}\n`));
  }

  private enqueueWrite(id: string, write: () => Promise<void>, onError: (e: unknown) => void): void {
    const previous = this.writes.get(id) ?? Promise.resolve();
    const next = previous.then(write).catch((e) => {
      // A job deleted meanwhile has no directory left to write into: nothing to report.
      if (this.records.has(id)) onError(e);
    });
    this.writes.set(id, next);
  }
}
