/**
 * The embedded job store: one directory per job under `<data>/jobs/<id>/`, holding
 *   job.json          the job record, replaced atomically (temp file, fsync, rename)
 *   input             the uploaded mix (fixed name: no client string ever becomes a path)
 *   reference-<i>     uploaded reference tracks
 *   out/              the job's outputs (emptied before each attempt)
 * and `<data>/uploads/` for uploads in flight (deleted at start: their POST never answered).
 *
 * Why one job.json per job rather than SQLite or a journal: SQLite needs a native build on
 * Node 20; a journal needs compaction and replay. A record per job makes every write independent
 * (a crash can only lose the write in progress, and rename keeps the previous version whole),
 * deleting a job is deleting its directory, and listing is a directory scan (fine for the
 * thousands of jobs one machine holds; a distributed deployment swaps the store with the runner).
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { JobRecord } from "./types.js";

/** Job ids are UUIDs; anything else in a URL is refused before the file system is touched. */
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isJobId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export function newJobId(): string {
  return randomUUID();
}

export class JobStore {
  readonly jobsDir: string;
  readonly uploadsDir: string;

  constructor(readonly dataDir: string) {
    this.jobsDir = join(dataDir, "jobs");
    this.uploadsDir = join(dataDir, "uploads");
  }

  /** Creates the directories and clears uploads that never became jobs. */
  async init(): Promise<void> {
    await rm(this.uploadsDir, { recursive: true, force: true });
    await mkdir(this.uploadsDir, { recursive: true });
    await mkdir(this.jobsDir, { recursive: true });
  }

  jobDir(id: string): string {
    if (!isJobId(id)) throw new Error(`not a job id: ${id}`);
    return join(this.jobsDir, id);
  }

  inputPath(id: string): string {
    return join(this.jobDir(id), "input");
  }

  referencePath(id: string, index: number): string {
    return join(this.jobDir(id), `reference-${index + 1}`);
  }

  outDir(id: string): string {
    return join(this.jobDir(id), "out");
  }

  /** A fresh path in the uploads directory for a file being received. */
  uploadPath(): string {
    return join(this.uploadsDir, randomUUID());
  }

  /** Creates a job's directory and moves its uploaded files in (same file system: a rename). */
  async adopt(id: string, inputUpload: string, referenceUploads: readonly string[]): Promise<void> {
    await mkdir(this.outDir(id), { recursive: true });
    await rename(inputUpload, this.inputPath(id));
    for (let i = 0; i < referenceUploads.length; i++) await rename(referenceUploads[i], this.referencePath(id, i));
  }

  /** Writes job.json atomically: a crash leaves the previous record or the new one, never half. */
  async save(record: JobRecord): Promise<void> {
    const dir = this.jobDir(record.id);
    const tmp = join(dir, `job.json.${randomUUID()}.tmp`);
    const handle = await open(tmp, "w");
    try {
      await handle.writeFile(JSON.stringify(record, null, 2) + "\n");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, "job.json"));
  }

  /** Every stored job; directories without a readable job.json (creation interrupted) are removed. */
  async loadAll(): Promise<JobRecord[]> {
    const records: JobRecord[] = [];
    for (const name of await readdir(this.jobsDir)) {
      if (!isJobId(name)) continue;
      const dir = join(this.jobsDir, name);
      let record: JobRecord | null = null;
      try {
        const parsed = JSON.parse(await readFile(join(dir, "job.json"), "utf8")) as JobRecord;
        if (parsed.version === 1 && parsed.id === name) record = parsed;
      } catch {
        record = null;
      }
      if (record === null) await rm(dir, { recursive: true, force: true });
      else records.push(record);
    }
    return records;
  }

  /** Empties a job's output directory (before a run, so an interrupted attempt leaves nothing). */
  async clearOutputs(id: string): Promise<void> {
    await rm(this.outDir(id), { recursive: true, force: true });
    await mkdir(this.outDir(id), { recursive: true });
  }

  async remove(id: string): Promise<void> {
    await rm(this.jobDir(id), { recursive: true, force: true });
  }
}
