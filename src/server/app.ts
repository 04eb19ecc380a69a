/**
 * `mastersmith serve`: one process serving the web app (web/dist) and the job API on localhost,
 * with the embedded store (store.ts) and worker pool (pool.ts). The routes are few and fixed,
 * so they are matched by hand: no router dependency.
 *
 *   const server = await startServer({ dataDir: "./data", port: 0 });
 *   console.log(server.url); ...; await server.close();
 */
import { createReadStream } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { MastersmithError, isMastersmithError, type ErrorCode } from "../core/codes.js";
import { TARGET_NAMES } from "../core/plan/targets.js";
import { openAudioFile } from "../io/open.js";
import { JobService } from "./jobs.js";
import { openApiDocument } from "./openapi.js";
import { OUTPUT_KIND_NAMES, STYLE_NAMES, parseJobOptions } from "./options.js";
import { WorkerPoolRunner } from "./pool.js";
import { DEFAULT_WEB_ROOT, serveStatic } from "./static.js";
import { JobStore, isJobId, newJobId } from "./store.js";
import type { JobEvents, JobRecord, JobRunner, UploadedFileInfo } from "./types.js";
import { receiveUpload, type ReceivedFile } from "./upload.js";
import { REPORT_NAME } from "./work.js";

export interface ServerOptions {
  /** Jobs and their files live here (created when missing). */
  readonly dataDir: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1: the service is local unless asked otherwise. */
  readonly host?: string;
  /** Largest accepted upload per file, bytes (default 4 GiB). */
  readonly maxUploadBytes?: number;
  readonly maxReferences?: number;
  /** Worker threads (default: one per core). */
  readonly workers?: number;
  /** The web app's files (default web/dist of this package). */
  readonly webRoot?: string;
  /** Another runner (a distributed queue) in place of the embedded pool. */
  readonly createRunner?: (events: JobEvents) => JobRunner;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Unfinished jobs found at start and queued again. */
  readonly resumed: number;
  readonly workers: number;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
const DEFAULT_MAX_REFERENCES = 3;

/** HTTP status for each code the API returns (anything else about a file's content: 422). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  E_BAD_UPLOAD: 400, E_BAD_ARGUMENT: 400, E_EMPTY_FILE: 400,
  E_NOT_FOUND: 404, E_JOB_NOT_FOUND: 404, E_ROUTE_NOT_FOUND: 404,
  E_UPLOAD_TOO_LARGE: 413,
  E_UNSUPPORTED_FORMAT: 415, E_UNSUPPORTED_CODEC: 415,
  E_WRITE_FAILED: 500, E_INTERNAL: 500, E_READ_FAILED: 500,
  E_DECODER_UNAVAILABLE: 501, E_ENCODER_UNAVAILABLE: 501,
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-store" });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown, status?: number): void {
  const error = isMastersmithError(e) ? e : new MastersmithError("E_INTERNAL", { detail: (e as Error)?.message ?? String(e) });
  if (error.code === "E_INTERNAL") process.stderr.write(`mastersmith serve: ${error.message}\n${(e as Error)?.stack ?? ""}\n`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status ?? STATUS[error.code] ?? 422, { error: error.toJSON() });
}

/** Sniffs an uploaded file (content, not name); errors name the client's file, never the path on disk. */
async function sniff(file: ReceivedFile): Promise<UploadedFileInfo> {
  try {
    const reader = await openAudioFile(file.path);
    const { info } = reader;
    await reader.close();
    if (info.frames === 0 && info.framesUnknown !== true) {
      throw new MastersmithError("E_EMPTY_FILE", { file: file.name, detail: "the header declares no audio frames" });
    }
    return {
      name: file.name, bytes: file.bytes, container: info.container, codec: info.codec,
      sampleRateHz: info.sampleRateHz, channels: info.channels,
      durationS: info.framesUnknown === true ? null : info.frames / info.sampleRateHz,
    };
  } catch (e) {
    if (!isMastersmithError(e)) throw e;
    throw new MastersmithError(e.code, { file: file.name, detail: e.detail });
  }
}

function jobSummary(jobs: JobService, r: JobRecord) {
  return {
    id: r.id, status: r.status, progress: jobs.progressOf(r), createdAt: r.createdAt, updatedAt: r.updatedAt,
    input: r.input, options: r.options, ...(r.error === undefined ? {} : { error: r.error }),
  };
}

async function jobDetail(jobs: JobService, r: JobRecord) {
  let report: unknown = null;
  if (r.status === "done" && r.files.some((f) => f.name === REPORT_NAME)) {
    report = JSON.parse(await readFile(join(jobs.store.outDir(r.id), REPORT_NAME), "utf8"));
  }
  return {
    ...jobSummary(jobs, r),
    startedAt: r.startedAt ?? null, finishedAt: r.finishedAt ?? null, attempts: r.attempts, references: r.references,
    files: r.files.map((f) => ({ ...f, url: `/api/jobs/${r.id}/files/${encodeURIComponent(f.name)}` })),
    report,
  };
}

const CONTENT_TYPES: Record<string, string> = {
  json: "application/json", wav: "audio/wav", flac: "audio/flac", mp3: "audio/mpeg", m4a: "audio/mp4", opus: "audio/ogg",
};

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxReferences = options.maxReferences ?? DEFAULT_MAX_REFERENCES;
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const store = new JobStore(options.dataDir);
  const jobs = new JobService(store);
  const runner = options.createRunner?.(jobs) ?? new WorkerPoolRunner(jobs, { size: options.workers });
  const workers = runner instanceof WorkerPoolRunner ? runner.size : (options.workers ?? 0);
  const { resumed } = await jobs.start(runner);
  const openApi = JSON.stringify(openApiDocument({ maxUploadBytes, maxReferences }));

  async function createJob(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const declared = Number(req.headers["content-length"]);
    // Refused before reading when the body cannot fit (the files plus a little multipart framing).
    if (Number.isFinite(declared) && declared > maxUploadBytes * (1 + maxReferences) + (1 << 20)) {
      throw new MastersmithError("E_UPLOAD_TOO_LARGE", { file: "the upload", detail: `${declared} bytes; the limit is ${maxUploadBytes} bytes per file` });
    }
    const upload = await receiveUpload(req, () => store.uploadPath(), { maxFileBytes: maxUploadBytes, maxReferences });
    const paths = [upload.file.path, ...upload.references.map((r) => r.path)];
    try {
      const jobOptions = parseJobOptions(upload.optionsText);
      const input = await sniff(upload.file);
      const references = [];
      for (const r of upload.references) references.push(await sniff(r));
      const id = newJobId();
      await store.adopt(id, upload.file.path, upload.references.map((r) => r.path));
      await jobs.create({ id, input, references, options: jobOptions });
      res.setHeader("Location", `/api/jobs/${id}`);
      sendJson(res, 201, { id });
    } catch (e) {
      await Promise.all(paths.map((p) => rm(p, { force: true })));
      throw e;
    }
  }

  async function sendFile(res: ServerResponse, r: JobRecord, name: string, head: boolean): Promise<void> {
    const file = r.status === "done" ? r.files.find((f) => f.name === name) : undefined;
    if (file === undefined) throw new MastersmithError("E_NOT_FOUND", { file: name, detail: `job ${r.id} has no output of that name${r.status === "done" ? "" : ` (it is ${r.status})`}` });
    const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
    res.writeHead(200, {
      "Content-Type": CONTENT_TYPES[ext] ?? "application/octet-stream",
      "Content-Length": file.bytes,
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    });
    // The name was matched against the record's list: no client string reaches the path unchecked.
    if (head) res.end();
    else createReadStream(join(store.outDir(r.id), file.name)).on("error", (e) => sendError(res, e)).pipe(res);
  }

  async function api(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    const method = req.method ?? "GET";
    const notAllowed = (): never => {
      throw new MastersmithError("E_ROUTE_NOT_FOUND", { detail: `${method} /api/${parts.join("/")}` });
    };
    const [first, id, sub, name, ...rest] = parts;
    if (first === "openapi.json" && parts.length === 1) {
      if (method !== "GET") notAllowed();
      res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache" });
      res.end(openApi);
      return;
    }
    if (first === "config" && parts.length === 1) {
      if (method !== "GET") notAllowed();
      sendJson(res, 200, { maxUploadBytes, maxReferences, workers, targets: TARGET_NAMES, styles: STYLE_NAMES, outputs: OUTPUT_KIND_NAMES });
      return;
    }
    if (first !== "jobs" || rest.length > 0) notAllowed();
    if (id === undefined) {
      if (method === "POST") return createJob(req, res);
      if (method === "GET") return sendJson(res, 200, { jobs: jobs.list().map((r) => jobSummary(jobs, r)) });
      notAllowed();
    }
    const record = isJobId(id) ? jobs.get(id) : undefined;
    if (record === undefined) throw new MastersmithError("E_JOB_NOT_FOUND", { detail: `no job '${id.slice(0, 64)}'` });
    if (sub === undefined) {
      if (method === "GET") return sendJson(res, 200, await jobDetail(jobs, record));
      if (method === "DELETE") {
        await jobs.remove(record.id);
        res.writeHead(204);
        res.end();
        return;
      }
      notAllowed();
    }
    if (sub === "files" && name !== undefined && (method === "GET" || method === "HEAD")) return sendFile(res, record, name, method === "HEAD");
    notAllowed();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? "/").split("?")[0];
    if (pathname === "/api" || pathname.startsWith("/api/")) {
      let parts: string[];
      try {
        parts = pathname.slice(5).split("/").filter((p) => p !== "").map((p) => decodeURIComponent(p));
      } catch {
        throw new MastersmithError("E_ROUTE_NOT_FOUND", { detail: "malformed URL" });
      }
      return api(req, res, parts);
    }
    if ((req.method === "GET" || req.method === "HEAD") && (await serveStatic(webRoot, pathname, req, res))) return;
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("not found\n");
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      sendError(res, e);
      // Whatever is left of a refused upload is read and dropped, so the client can read the error.
      if (!req.complete) req.resume();
    });
  });
  // Uploads of several GB take longer than Node's default 5-minute request timeout.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    resumed,
    workers,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await jobs.close();
    },
  };
}
