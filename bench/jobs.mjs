// Benchmark (issue 6, the job service): jobs per minute with the pool busy. `mastersmith serve`
// (the built command) gets N jobs of a 30 s corpus excerpt at once; jobs per minute is N over the
// wall time from the first upload to the last job done. The ratio is against the same N masters
// run one after the other by the CLI (`mastersmith master`), the way a script would without the
// service. While the pool is busy, GET /api/jobs is timed to show the server is never blocked.
// Then one 2 GB upload (a WAV streamed from memory-cheap zeros) measures the server's peak RSS.
/* global fetch, FormData, ReadableStream, TextEncoder */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CACHE, CLI, corpusWav, median, timeProcess } from "./lib.mjs";

const EXCERPT_S = 30;
const UPLOAD_BYTES = 2 * 1024 ** 3;

function startServer(dataDir, workers) {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--data", dataDir, "--workers", String(workers)], {
    env: { ...process.env, MASTERSMITH_REPORT_RSS: "1" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const url = new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+?)\/?\s/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", () => resolve(stderr)));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  return { url, stop };
}

async function submit(url, blob, options) {
  const form = new FormData();
  form.append("file", blob, "excerpt.wav");
  form.append("options", JSON.stringify(options));
  const res = await fetch(`${url}/api/jobs`, { method: "POST", body: form });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`upload refused: ${JSON.stringify(body)}`);
  return body.id;
}

/** N jobs at once; returns wall seconds and the GET latencies sampled meanwhile. */
async function poolRun(source, jobs, workers) {
  const dataDir = join(CACHE, "jobs-bench-data");
  rmSync(dataDir, { recursive: true, force: true });
  const server = startServer(dataDir, workers);
  const url = await server.url;
  const { openAsBlob } = await import("node:fs");
  const blob = await openAsBlob(source);
  try {
    const start = process.hrtime.bigint();
    const ids = await Promise.all(Array.from({ length: jobs }, () => submit(url, blob, { target: "spotify", outputs: ["wav24"] })));
    const latenciesMs = [];
    for (;;) {
      const t0 = process.hrtime.bigint();
      const list = await (await fetch(`${url}/api/jobs`)).json();
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const mine = list.jobs.filter((j) => ids.includes(j.id));
      const failed = mine.find((j) => j.status === "failed");
      if (failed) throw new Error(`job failed: ${JSON.stringify(failed.error)}`);
      if (mine.every((j) => j.status === "done")) break;
      await sleep(100);
    }
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, latenciesMs };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A WAV header declaring `bytes` of 16-bit stereo data, then zeros: a 2 GB body with no 2 GB source. */
function bigWavStream(bytes) {
  const dataBytes = bytes - 44;
  const header = new DataView(new ArrayBuffer(44));
  const ascii = (offset, s) => { for (let i = 0; i < 4; i++) header.setUint8(offset + i, s.charCodeAt(i)); };
  ascii(0, "RIFF"); header.setUint32(4, 36 + dataBytes, true); ascii(8, "WAVE");
  ascii(12, "fmt "); header.setUint32(16, 16, true); header.setUint16(20, 1, true); header.setUint16(22, 2, true);
  header.setUint32(24, 44100, true); header.setUint32(28, 44100 * 4, true); header.setUint16(32, 4, true); header.setUint16(34, 16, true);
  ascii(36, "data"); header.setUint32(40, dataBytes, true);
  const chunk = new Uint8Array(1 << 20);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) { controller.enqueue(new Uint8Array(header.buffer)); sent = 44; return; }
      const n = Math.min(chunk.length, bytes - sent);
      if (n <= 0) { controller.close(); return; }
      controller.enqueue(n === chunk.length ? chunk : chunk.subarray(0, n));
      sent += n;
    },
  });
}

/** One 2 GB multipart upload, hand-framed so the body streams; returns seconds and the server's peak RSS. */
async function bigUpload() {
  const dataDir = join(CACHE, "jobs-bench-upload");
  rmSync(dataDir, { recursive: true, force: true });
  const server = startServer(dataDir, 1);
  const url = await server.url;
  try {
    const boundary = "mastersmith-bench-boundary";
    const enc = new TextEncoder();
    const head = enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n{"analyzeOnly":true}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
    const tail = enc.encode(`\r\n--${boundary}--\r\n`);
    const wav = bigWavStream(UPLOAD_BYTES).getReader();
    let stage = 0;
    const body = new ReadableStream({
      async pull(controller) {
        if (stage === 0) { controller.enqueue(head); stage = 1; return; }
        if (stage === 1) {
          const { done, value } = await wav.read();
          if (!done) { controller.enqueue(value); return; }
          stage = 2;
        }
        controller.enqueue(tail);
        controller.close();
      },
    });
    const start = process.hrtime.bigint();
    const res = await fetch(`${url}/api/jobs`, {
      method: "POST", body, duplex: "half",
      headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Content-Length": String(head.length + UPLOAD_BYTES + tail.length) },
    });
    const answer = await res.json();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (res.status !== 201) throw new Error(`2 GB upload refused: ${JSON.stringify(answer)}`);
    await fetch(`${url}/api/jobs/${answer.id}`, { method: "DELETE" });
    const stderr = await server.stop();
    const rss = /peak RSS (\d+(?:\.\d+)?) MB/.exec(stderr);
    return { seconds, peakRssMb: rss ? Number(rss[1]) : NaN };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchJobs() {
  const source = corpusWav(EXCERPT_S);
  mkdirSync(CACHE, { recursive: true });
  const workers = availableParallelism();
  const jobs = 2 * workers;
  const lines = [`jobs, ${jobs} concurrent masters of a ${EXCERPT_S} s excerpt (spotify, WAV 24-bit), pool of ${workers} worker threads:`];
  const pool = await poolRun(source, jobs, workers);
  const out = join(CACHE, "jobs-bench-cli.wav");
  let cliSeconds = 0;
  for (let i = 0; i < jobs; i++) cliSeconds += timeProcess(process.execPath, [CLI, "master", source, "-o", out, "--target", "spotify", "--bit-depth", "24", "--force"]).seconds;
  rmSync(out, { force: true });
  const perMinute = (s) => (jobs * 60) / s;
  lines.push(`  service: ${perMinute(pool.seconds).toFixed(1)} jobs/min (${pool.seconds.toFixed(1)} s for ${jobs}); ` +
    `CLI one after another: ${perMinute(cliSeconds).toFixed(1)} jobs/min (${cliSeconds.toFixed(1)} s) -> ${(cliSeconds / pool.seconds).toFixed(2)}x the throughput`);
  const l = pool.latenciesMs;
  lines.push(`  GET /api/jobs while the pool is busy: median ${median(l).toFixed(1)} ms, max ${Math.max(...l).toFixed(1)} ms over ${l.length} requests`);
  const upload = await bigUpload();
  lines.push(`  2 GiB upload streamed to disk: ${upload.seconds.toFixed(1)} s, server peak RSS ${upload.peakRssMb} MB`);
  return lines;
}
