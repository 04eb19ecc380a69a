/**
 * The restart test: `mastersmith serve` (the built command, as users run it) is killed with
 * SIGKILL while a job renders and another waits in the queue; started again on the same data
 * directory, both jobs complete, the interrupted one as a second attempt, and the uploads are
 * byte-identical to what was sent.
 *
 * MASTERSMITH_TEST_STALL_JOBS=1 (first process only) blocks a job's thread as its render starts,
 * so the kill lands mid-render every time, whatever the machine's speed.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, openAsBlob, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { analyzeFile } from "../src/pipeline/analyze.js";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "bin", "mastersmith.js");
const CORPUS = resolve(ROOT, "..", "shared", "corpus", "dev");

let dir = "";
let dataDir = "";
let mix = "";
const children: ChildProcess[] = [];

interface Server { child: ChildProcess; url: string }

/** Starts `mastersmith serve --port 0` and reads the URL from its first line of stdout. */
async function serve(env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--data", dataDir, "--workers", "1"], {
    env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+?)\/?\s/.exec(out);
      if (m !== null) resolveUrl(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url };
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

async function getJob(url: string, id: string): Promise<{ status: string; attempts: number; progress: { phase: string }; files: { name: string; url: string }[]; error?: unknown }> {
  const res = await fetch(`${url}/api/jobs/${id}`);
  assert.equal(res.status, 200);
  return await res.json() as never;
}

before(() => {
  assert.ok(existsSync(join(ROOT, "dist", "cli", "main.js")), "build first: npx tsc -p tsconfig.build.json (npm test does)");
  dir = mkdtempSync(join(tmpdir(), "mastersmith-restart-"));
  dataDir = join(dir, "data");
  mix = join(dir, "mix.wav");
  execFileSync("ffmpeg", ["-v", "error", "-y", "-ss", "20", "-t", "6", "-i", join(CORPUS, "dev07_weight_of_revenge_UNMASTERED.flac"), "-c:a", "pcm_s24le", mix]);
});

after(async () => {
  for (const c of children) await kill(c, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test("kill -9 mid-render: after a restart the job runs again and completes, the queued one too, uploads intact", async () => {
  const sent = readFileSync(mix);
  const first = await serve({ MASTERSMITH_TEST_STALL_JOBS: "1" });
  const submit = async (options: object): Promise<string> => {
    const form = new FormData();
    form.append("file", await openAsBlob(mix), "night drive.wav");
    form.append("options", JSON.stringify(options));
    const res = await fetch(`${first.url}/api/jobs`, { method: "POST", body: form });
    assert.equal(res.status, 201);
    return ((await res.json()) as { id: string }).id;
  };
  const rendering = await submit({ target: "spotify", outputs: ["wav24"] });
  const queued = await submit({ lufs: -12, ceiling: -1, outputs: ["flac24"] });
  // Wait until the first job is inside its render (the stall hook holds it there).
  for (;;) {
    const j = await getJob(first.url, rendering);
    if (j.progress.phase === "drive") break;
    assert.ok(j.status === "queued" || j.status === "running", JSON.stringify(j));
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await getJob(first.url, queued)).status, "queued");
  await kill(first.child, "SIGKILL");

  // On disk: the first job was running, with render leftovers; the second still queued.
  const record = (id: string) => JSON.parse(readFileSync(join(dataDir, "jobs", id, "job.json"), "utf8")) as { status: string; attempts: number };
  assert.deepEqual({ ...record(rendering) }.status, "running");
  assert.equal(record(rendering).attempts, 1);
  assert.equal(record(queued).status, "queued");
  assert.ok(readdirSync(join(dataDir, "jobs", rendering, "out")).length > 0, "the render had started (its temp files are there)");
  assert.equal(sha256(readFileSync(join(dataDir, "jobs", rendering, "input"))), sha256(sent));

  const second = await serve();
  const settle = async (id: string) => {
    for (;;) {
      const j = await getJob(second.url, id);
      if (j.status === "done" || j.status === "failed") return j;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const a = await settle(rendering);
  assert.equal(a.status, "done", JSON.stringify(a.error));
  assert.equal(a.attempts, 2, "run again after the interruption");
  const b = await settle(queued);
  assert.equal(b.status, "done", JSON.stringify(b.error));
  assert.equal(b.attempts, 1);
  // Only the finished outputs are left: the interrupted attempt's leftovers were cleared.
  assert.deepEqual(readdirSync(join(dataDir, "jobs", rendering, "out")).sort(), a.files.map((f) => f.name).sort());
  for (const id of [rendering, queued]) assert.equal(sha256(readFileSync(join(dataDir, "jobs", id, "input"))), sha256(sent), "upload intact");

  // The resumed master is a real one: on target.
  const res = await fetch(`${second.url}${a.files.find((f) => f.name.endsWith(".wav"))!.url}`);
  assert.equal(res.status, 200);
  const downloaded = join(dir, "resumed.wav");
  writeFileSync(downloaded, new Uint8Array(await res.arrayBuffer()));
  const measured = await analyzeFile(downloaded);
  assert.ok(Math.abs(measured.loudness.integratedLufs! - -14) <= 0.15, `integrated ${measured.loudness.integratedLufs} LUFS`);

  await kill(second.child, "SIGTERM");
  assert.equal(second.child.exitCode, 0, "SIGTERM stops the server cleanly");
});
