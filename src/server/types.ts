/**
 * The job service's vocabulary: a job record (what the store keeps, durable), a job spec (what a
 * runner needs to do the work, plain JSON so it crosses a thread or a queue), progress and
 * results, and the JobRunner interface behind which the embedded worker pool sits, so a
 * distributed queue can take its place (DESIGN.md, "a job service that runs on one machine by
 * default and scales out on a real distributed queue").
 */
import type { JobOptions } from "./options.js";

export type JobStatus = "queued" | "running" | "done" | "failed";

export interface JobError {
  readonly code: string;
  readonly message: string;
}

export interface UploadedFileInfo {
  /** The client's file name, sanitized (no directories, no control characters). */
  readonly name: string;
  readonly bytes: number;
  /** What sniffing found (the content, never the name, decides). */
  readonly container: string;
  readonly codec: string;
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly durationS: number | null;
}

export interface OutputFileInfo {
  readonly name: string;
  readonly bytes: number;
}

/** One job as stored in `<data>/jobs/<id>/job.json` (version 1). */
export interface JobRecord {
  readonly version: 1;
  readonly id: string;
  status: JobStatus;
  readonly createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** How many times a runner started the job (more than 1 after an interrupted run). */
  attempts: number;
  readonly input: UploadedFileInfo;
  readonly references: readonly UploadedFileInfo[];
  readonly options: JobOptions;
  /** The outputs (report.json among them) once done; empty before. */
  files: OutputFileInfo[];
  error?: JobError;
}

/** Where a job's progress stands: a named phase and the fraction of the whole job done (0..1). */
export interface JobProgress {
  readonly phase: string;
  readonly fraction: number;
}

/** What a runner needs to run a job: absolute paths and the validated options. */
export interface JobSpec {
  readonly id: string;
  readonly inputPath: string;
  /** The sanitized client file name (output names derive from its stem). */
  readonly inputName: string;
  readonly referencePaths: readonly string[];
  readonly options: JobOptions;
  /** Empty directory the job writes its outputs into (report.json included). */
  readonly outDir: string;
}

export interface JobResult {
  /** Output file names inside `outDir` (report.json first). */
  readonly files: readonly string[];
}

/** How a runner reports back; called on the server's thread, never concurrently for one job. */
export interface JobEvents {
  started(id: string): void;
  progress(id: string, progress: JobProgress): void;
  done(id: string, result: JobResult): void;
  failed(id: string, error: JobError): void;
}

/**
 * Runs jobs. The embedded implementation is a worker-thread pool (pool.ts); a distributed one
 * would publish specs to a queue and forward its workers' events. Jobs are started in the order
 * they are enqueued.
 */
export interface JobRunner {
  /** Queues a job; returns at once. */
  enqueue(spec: JobSpec): void;
  /** Stops a job (queued or running); resolves once it no longer writes to its directory. */
  cancel(id: string): Promise<void>;
  /** Stops every job (running ones are abandoned mid-way, to be run again after a restart). */
  close(): Promise<void>;
}
