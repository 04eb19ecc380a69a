/**
 * The job API over real HTTP (server on 127.0.0.1, port 0): create, poll, download, list,
 * delete; bad uploads get coded errors and the server keeps serving; the web app's files.
 * Jobs run the real assistant on a 6 s corpus excerpt, and the downloaded master is measured.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openAsBlob, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { analyzeFile } from "../src/pipeline/analyze.js";
import { startServer, type RunningServer } from "../src/server/app.js";
import { MAX_ATTEMPTS } from "../src/server/jobs.js";
import { sanitizeFileName } from "../src/server/upload.js";

const CORPUS = resolve(import.meta.dirname, "..", "..", "shared", "corpus", "dev");
const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;

let dir = "";
let dataDir = "";
let mix = "";
let server: RunningServer;

interface JobJson {
  id: string;
  status: string;
  progress: { phase: string; fraction: number };
  attempts: number;
  input: { name: string; bytes: number; container: string };
  files: { name: string; bytes: number; url: string }[];
  report: Record<string, unknown> | null;
  error?: { code: string; message: string };
}

async function upload(file: Blob | null, name: string, options?: unknown, extra?: (form: FormData) => void): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  if (file !== null) form.append("file", file, name);
  if (options !== undefined) form.append("options", typeof options === "string" ? options : JSON.stringify(options));
  extra?.(form);
  const res = await fetch(`${server.url}/api/jobs`, { method: "POST", body: form });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

async function job(id: string): Promise<JobJson> {
  const res = await fetch(`${server.url}/api/jobs/${id}`);
  assert.equal(res.status, 200);
  return await res.json() as JobJson;
}

/** Polls until the job is done or failed (bounded by the test runner's timeout, not by a clock). */
async function settle(id: string): Promise<JobJson> {
  for (;;) {
    const j = await job(id);
    if (j.status === "done" || j.status === "failed") return j;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function assertCoded(r: { status: number; body: Record<string, unknown> }, status: number, code: string): string {
  assert.equal(r.status, status, JSON.stringify(r.body));
  const error = r.body.error as { code: string; message: string };
  assert.equal(error.code, code);
  assert.equal(typeof error.message, "string");
  assert.doesNotMatch(error.message, /\/jobs\/|\/uploads\/|at .*\.ts:/, "messages never show server paths or stacks");
  return error.message;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mastersmith-server-"));
  dataDir = join(dir, "data");
  mix = join(dir, "mix.wav");
  // 6 s of dev07 (an unmastered rock mix), 16-bit: about 1 MB.
  execFileSync("ffmpeg", ["-v", "error", "-y", "-ss", "40", "-t", "6", "-i", join(CORPUS, "dev07_weight_of_revenge_UNMASTERED.flac"), "-c:a", "pcm_s16le", mix]);
  server = await startServer({ dataDir, port: 0, maxUploadBytes: MAX_UPLOAD_BYTES, workers: 2, webRoot: join(dir, "web") });
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("job API", () => {
  test("create, poll, download (the master hits the target), list, delete", async () => {
    const created = await upload(await openAsBlob(mix), "My Mix (v2).wav", { target: "spotify", outputs: ["wav24", "flac16"] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.match(id, /^[0-9a-f-]{36}$/);

    const first = await job(id);
    assert.ok(["queued", "running"].includes(first.status));
    assert.equal(first.input.name, "My Mix (v2).wav");
    assert.equal(first.input.container, "wav");

    const done = await settle(id);
    assert.equal(done.status, "done", JSON.stringify(done.error));
    assert.deepEqual(done.progress, { phase: "done", fraction: 1 });
    assert.deepEqual(done.files.map((f) => f.name), ["report.json", "My Mix (v2)-master-24bit.wav", "My Mix (v2)-master-16bit.flac"]);
    const report = done.report!;
    assert.equal(report.schema, "mastersmith-master-report/1");
    assert.equal(report.input, "My Mix (v2).wav");
    assert.doesNotMatch(JSON.stringify(report), new RegExp(dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "the report never shows server paths");

    // Download the 24-bit master and measure it with the core meter.
    const wav = done.files[1];
    const res = await fetch(`${server.url}${wav.url}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "audio/wav");
    assert.match(res.headers.get("content-disposition") ?? "", /attachment/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(bytes.length, wav.bytes);
    const downloaded = join(dir, "downloaded.wav");
    writeFileSync(downloaded, bytes);
    const measured = await analyzeFile(downloaded);
    assert.ok(Math.abs(measured.loudness.integratedLufs! - -14) <= 0.15, `integrated ${measured.loudness.integratedLufs} LUFS`);
    assert.ok(measured.loudness.truePeakDbtp! <= -1 + 0.05, `true peak ${measured.loudness.truePeakDbtp} dBTP`);
    assert.equal(measured.format.frames, (await analyzeFile(mix)).format.frames, "same length as the mix");

    const listed = await (await fetch(`${server.url}/api/jobs`)).json() as { jobs: JobJson[] };
    assert.ok(listed.jobs.some((j) => j.id === id && j.status === "done"));

    const del = await fetch(`${server.url}/api/jobs/${id}`, { method: "DELETE" });
    assert.equal(del.status, 204);
    assert.equal(existsSync(join(dataDir, "jobs", id)), false, "the job's directory is gone");
    const gone = await fetch(`${server.url}/api/jobs/${id}`);
    assertCoded({ status: gone.status, body: await gone.json() as Record<string, unknown> }, 404, "E_JOB_NOT_FOUND");
    const gone2 = await fetch(`${server.url}${wav.url}`);
    assert.equal(gone2.status, 404);
  });

  test("analyzeOnly: the report is the analysis, no audio outputs", async () => {
    const created = await upload(await openAsBlob(mix), "mix.wav", { analyzeOnly: true });
    assert.equal(created.status, 201);
    const done = await settle(created.body.id as string);
    assert.equal(done.status, "done", JSON.stringify(done.error));
    assert.deepEqual(done.files.map((f) => f.name), ["report.json"]);
    const loudness = done.report!.loudness as { integratedLufs: number };
    assert.equal(typeof loudness.integratedLufs, "number");
    assert.equal(done.report!.file, "mix.wav");
  });

  test("deleting a running job stops it; the pool goes on with the next job", async () => {
    const a = await upload(await openAsBlob(mix), "a.wav", { outputs: ["wav24"] });
    for (;;) {
      const j = await job(a.body.id as string);
      if (j.status === "running") break;
      assert.equal(j.status, "queued");
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal((await fetch(`${server.url}/api/jobs/${a.body.id}`, { method: "DELETE" })).status, 204);
    assert.equal(existsSync(join(dataDir, "jobs", a.body.id as string)), false);
    const b = await upload(await openAsBlob(mix), "b.wav", { analyzeOnly: true });
    assert.equal((await settle(b.body.id as string)).status, "done");
  });
});

describe("bad uploads get coded errors; the server keeps serving", () => {
  test("empty, not audio (a renamed PDF), corrupt header, over the size limit", async () => {
    assertCoded(await upload(new Blob([]), "empty.wav"), 400, "E_EMPTY_FILE");
    // A well-formed WAV with no frames (seeking past the end of the source).
    const noFrames = join(dir, "no-frames.wav");
    execFileSync("ffmpeg", ["-v", "error", "-y", "-ss", "100", "-i", mix, "-c:a", "pcm_s16le", noFrames]);
    assertCoded(await upload(await openAsBlob(noFrames), "no-frames.wav"), 400, "E_EMPTY_FILE");
    const pdf = new Blob(["%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"]);
    const message = assertCoded(await upload(pdf, "song.wav"), 415, "E_UNSUPPORTED_FORMAT");
    assert.match(message, /song\.wav/);
    assert.match(message, /PDF/);
    // A WAV cut inside its header.
    const head = readFileSync(mix).subarray(0, 30);
    const corrupt = await upload(new Blob([head]), "cut.wav");
    assert.ok([400, 422].includes(corrupt.status), JSON.stringify(corrupt.body));
    assert.match((corrupt.body.error as { code: string }).code, /^E_(TRUNCATED|CORRUPT|BAD_HEADER)$/);
    const big = new Blob([readFileSync(mix), new Uint8Array(MAX_UPLOAD_BYTES)]);
    assertCoded(await upload(big, "big.wav"), 413, "E_UPLOAD_TOO_LARGE");
    // Nothing refused is kept.
    assert.deepEqual(readdirSync(join(dataDir, "uploads")), []);
    const ok = await fetch(`${server.url}/api/jobs`);
    assert.equal(ok.status, 200);
  });

  test("corrupt audio data (a good header, garbage frames): the job fails with a code", async () => {
    const flac = join(dir, "broken.flac");
    execFileSync("ffmpeg", ["-v", "error", "-y", "-i", mix, "-c:a", "flac", flac]);
    const bytes = readFileSync(flac);
    for (let i = 16384; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    const created = await upload(new Blob([bytes]), "broken.flac", { outputs: ["wav24"] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const failed = await settle(created.body.id as string);
    assert.equal(failed.status, "failed");
    assert.match(failed.error!.code, /^E_(CORRUPT|TRUNCATED)$/);
    assert.match(failed.error!.message, /broken\.flac/);
    assert.doesNotMatch(failed.error!.message, /\/jobs\//);
    assert.deepEqual(failed.files, []);
  });

  test("hostile file names are sanitized; job files are reachable only through the job", async () => {
    const created = await upload(await openAsBlob(mix), "../../etc/passwd", { analyzeOnly: true });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    const done = await settle(id);
    assert.equal(done.input.name, "passwd");
    assert.equal(existsSync(join(dir, "etc")), false);
    assert.deepEqual(readdirSync(join(dataDir, "jobs", id)).sort(), ["input", "job.json", "out"]);
    for (const path of [
      `/api/jobs/${id}/files/..%2Fjob.json`, `/api/jobs/${id}/files/..%2F..%2F..%2Fpackage.json`, `/api/jobs/${id}/files/input`,
      "/api/jobs/..%2F..%2Fetc/files/passwd", `/api/jobs/${id.toUpperCase()}`,
    ]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      const body = await res.json() as { error: { code: string } };
      assert.match(body.error.code, /^E_(NOT_FOUND|JOB_NOT_FOUND|ROUTE_NOT_FOUND)$/, path);
    }
    assert.equal(sanitizeFileName("..\\..\\windows\\system32\\x.wav"), "x.wav");
    assert.equal(sanitizeFileName("...."), "upload");
    assert.equal(sanitizeFileName("a\u0000b\nc.wav"), "abc.wav");
    assert.equal(sanitizeFileName(".htaccess"), "htaccess");
    assert.ok(sanitizeFileName("x".repeat(500) + ".flac").endsWith(".flac"));
    assert.ok(sanitizeFileName("x".repeat(500) + ".flac").length <= 120);
  });

  test("bad requests: options, fields, content type, methods, routes", async () => {
    const blob = await openAsBlob(mix);
    assertCoded(await upload(blob, "mix.wav", "{not json"), 400, "E_BAD_ARGUMENT");
    assertCoded(await upload(blob, "mix.wav", { target: "mars" }), 400, "E_BAD_ARGUMENT");
    assertCoded(await upload(blob, "mix.wav", { lufs: 5 }), 400, "E_BAD_ARGUMENT");
    assertCoded(await upload(blob, "mix.wav", { outputs: ["wav24", "tape"] }), 400, "E_BAD_ARGUMENT");
    assertCoded(await upload(blob, "mix.wav", { frobnicate: 1 }), 400, "E_BAD_ARGUMENT");
    assertCoded(await upload(null, "", { target: "spotify" }), 400, "E_BAD_UPLOAD");
    assertCoded(await upload(blob, "mix.wav", undefined, (f) => f.append("evil", new Blob(["x"]), "x")), 400, "E_BAD_UPLOAD");
    const json = await fetch(`${server.url}/api/jobs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    assertCoded({ status: json.status, body: await json.json() as Record<string, unknown> }, 400, "E_BAD_UPLOAD");
    const put = await fetch(`${server.url}/api/jobs`, { method: "PUT" });
    assertCoded({ status: put.status, body: await put.json() as Record<string, unknown> }, 404, "E_ROUTE_NOT_FOUND");
    const nope = await fetch(`${server.url}/api/nope`);
    assertCoded({ status: nope.status, body: await nope.json() as Record<string, unknown> }, 404, "E_ROUTE_NOT_FOUND");
    assert.deepEqual(readdirSync(join(dataDir, "uploads")), []);
  });
});

describe("restart bookkeeping", () => {
  test("a job interrupted MAX_ATTEMPTS times is failed instead of resumed again", async () => {
    const data = join(dir, "crashy");
    const id = "00000000-0000-4000-8000-000000000001";
    mkdirSync(join(data, "jobs", id, "out"), { recursive: true });
    writeFileSync(join(data, "jobs", id, "input"), readFileSync(mix));
    const now = new Date().toISOString();
    writeFileSync(join(data, "jobs", id, "job.json"), JSON.stringify({
      version: 1, id, status: "running", createdAt: now, updatedAt: now, attempts: MAX_ATTEMPTS,
      input: { name: "mix.wav", bytes: 1, container: "wav", codec: "pcm_s16le", sampleRateHz: 44100, channels: 2, durationS: 6 },
      references: [], options: {}, files: [],
    }));
    // A directory left without job.json (creation interrupted) is removed.
    mkdirSync(join(data, "jobs", "00000000-0000-4000-8000-000000000002"));
    const other = await startServer({ dataDir: data, port: 0, workers: 1 });
    try {
      assert.equal(other.resumed, 0);
      const j = await (await fetch(`${other.url}/api/jobs/${id}`)).json() as JobJson;
      assert.equal(j.status, "failed");
      assert.equal(j.error!.code, "E_INTERNAL");
      assert.deepEqual(readdirSync(join(data, "jobs")), [id]);
    } finally {
      await other.close();
    }
  });
});

describe("documents and the page", () => {
  test("OpenAPI 3.1 document lists every route; /api/config gives the limits", async () => {
    const doc = await (await fetch(`${server.url}/api/openapi.json`)).json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/api/jobs"].post && doc.paths["/api/jobs"].get);
    assert.ok(doc.paths["/api/jobs/{id}"].get && doc.paths["/api/jobs/{id}"].delete);
    assert.ok(doc.paths["/api/jobs/{id}/files/{name}"].get);
    const config = await (await fetch(`${server.url}/api/config`)).json() as { maxUploadBytes: number; outputs: string[] };
    assert.equal(config.maxUploadBytes, MAX_UPLOAD_BYTES);
    assert.ok(config.outputs.includes("wav24"));
  });

  test("web app: a 503 page until it is built, then index.html at / and its files, nothing outside", async () => {
    const unbuilt = await fetch(`${server.url}/`);
    assert.equal(unbuilt.status, 503);
    assert.match(await unbuilt.text(), /not built/);
    mkdirSync(join(dir, "web", "assets"), { recursive: true });
    writeFileSync(join(dir, "web", "index.html"), "<!doctype html><title>Mastersmith</title>");
    writeFileSync(join(dir, "web", "assets", "app.js"), "console.log(1)");
    writeFileSync(join(dir, "secret.txt"), "secret");
    const index = await fetch(`${server.url}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await index.text(), /Mastersmith/);
    const js = await fetch(`${server.url}/assets/app.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /javascript/);
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2F..%2Fsecret.txt", "/missing.js"]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
    }
  });
});
