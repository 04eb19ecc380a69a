// Runs a bundled core render in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core), for the browser render test and the browser benchmark.
//
// The page comes from a tiny node:http server on 127.0.0.1 (port 0): the bundle, the ChainSpec
// and the input as raw little-endian Float32 planes go down; the rendered planes come back as a
// POST body, so no sample passes through JSON or text and nothing is rounded on the way.
// Every request that is not to that server is aborted: the test never touches the network.
import { createServer } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";
/** CI runs as root without network: no sandbox, no GPU, nothing that phones home. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/**
 * The page's only script: imports the bundle and exposes `runRender(repeats)`, which fetches the
 * job, renders it `repeats` times (each on a fresh copy of the input, timed with
 * performance.now()), posts the last output and returns the timings.
 */
const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<title>mastersmith browser render</title>
<script type="module">
import { renderChainOffline } from "/core.js";
globalThis.runRender = async (repeats) => {
  const job = await (await fetch("/job.json")).json();
  const bytes = await (await fetch("/input.f32")).arrayBuffer();
  const input = [];
  for (let c = 0; c < job.channels; c++) input.push(new Float32Array(bytes, c * job.frames * 4, job.frames));
  const timesMs = [];
  let output = [];
  for (let i = 0; i < repeats; i++) {
    const copy = input.map((ch) => ch.slice());
    const t0 = performance.now();
    output = renderChainOffline(job.spec, copy, job.sampleRateHz);
    timesMs.push(performance.now() - t0);
  }
  const frames = output.length === 0 ? 0 : output[0].length;
  const body = new Float32Array(output.length * frames);
  output.forEach((ch, c) => body.set(ch, c * frames));
  const posted = await fetch("/output.f32?channels=" + output.length + "&frames=" + frames, { method: "POST", body });
  if (!posted.ok) throw new Error("POST /output.f32 failed: " + posted.status);
  return { timesMs, channels: output.length, frames, userAgent: navigator.userAgent };
};
globalThis.pageReady = true;
</script>
`;

/** Planar channels -> one little-endian byte buffer (channel after channel). */
function planesToBytes(channels) {
  const frames = channels.length === 0 ? 0 : channels[0].length;
  const all = new Float32Array(channels.length * frames);
  channels.forEach((ch, c) => all.set(ch, c * frames));
  return new Uint8Array(all.buffer);
}

function readBody(req) {
  return new Promise((resolveBody, reject) => {
    const parts = [];
    req.on("data", (part) => parts.push(part));
    req.on("end", () => {
      const total = parts.reduce((n, p) => n + p.length, 0);
      const bytes = new Uint8Array(total);
      let at = 0;
      for (const p of parts) { bytes.set(p, at); at += p.length; }
      resolveBody(bytes);
    });
    req.on("error", reject);
  });
}

/** Serves the page, the bundle and the current job on 127.0.0.1, port chosen by the system. */
async function startServer(coreCode) {
  const state = { job: null, inputBytes: null, output: null };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (req.method === "GET" && url.pathname === "/") return send(200, "text/html; charset=utf-8", PAGE_HTML);
    if (req.method === "GET" && url.pathname === "/core.js") return send(200, "text/javascript; charset=utf-8", coreCode);
    if (req.method === "GET" && url.pathname === "/job.json" && state.job) return send(200, "application/json", JSON.stringify(state.job));
    if (req.method === "GET" && url.pathname === "/input.f32" && state.inputBytes) return send(200, "application/octet-stream", state.inputBytes);
    if (req.method === "POST" && url.pathname === "/output.f32") {
      readBody(req).then((bytes) => {
        const channels = Number(url.searchParams.get("channels"));
        const frames = Number(url.searchParams.get("frames"));
        if (bytes.length !== channels * frames * 4) return send(400, "text/plain", "size mismatch");
        // Copy into an aligned buffer: the body's byteOffset need not be a multiple of 4.
        const all = new Float32Array(channels * frames);
        new Uint8Array(all.buffer).set(bytes);
        state.output = Array.from({ length: channels }, (_, c) => all.subarray(c * frames, (c + 1) * frames));
        send(204, "text/plain", "");
      }, (error) => send(500, "text/plain", String(error)));
      return undefined;
    }
    return send(404, "text/plain", "not found");
  });
  await new Promise((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolveListen);
  });
  const { port } = server.address();
  return { server, state, origin: `http://127.0.0.1:${port}` };
}

/**
 * Launches Chromium on a fresh user-data-dir, opens the render page and returns a handle:
 * `render(spec, input, sampleRateHz, repeats)` -> { output, timesMs, userAgent }, and `close()`.
 * Page errors and console errors are collected and raised with the failure that follows them.
 */
export async function openBrowserRenderer(coreCode) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: run scripts/ensure-system-deps.sh (apt-get install chromium)`);
  }
  const { server, state, origin } = await startServer(coreCode);
  const userDataDir = await mkdtemp(join(tmpdir(), "mastersmith-chromium-"));
  let context = null;
  const close = async () => {
    if (context) await context.close().catch(() => {});
    await new Promise((resolveClose) => server.close(() => resolveClose()));
    await rm(userDataDir, { recursive: true, force: true });
  };
  const pageErrors = [];
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS,
    });
    await context.route("**/*", (route) =>
      route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort());
    const page = context.pages()[0] ?? await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on("console", (msg) => { if (msg.type() === "error") pageErrors.push(`console: ${msg.text()}`); });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => globalThis.pageReady === true, undefined, { timeout: 30_000 }).catch((error) => {
      throw new Error(`render page did not load: ${[error.message, ...pageErrors].join("; ")}`);
    });
    const version = context.browser()?.version() ?? "unknown";

    const render = async (spec, input, sampleRateHz, repeats = 1) => {
      const frames = input.length === 0 ? 0 : input[0].length;
      state.job = { spec, sampleRateHz, channels: input.length, frames };
      state.inputBytes = planesToBytes(input);
      state.output = null;
      let result;
      try {
        result = await page.evaluate((n) => globalThis.runRender(n), repeats);
      } catch (error) {
        throw new Error([`browser render failed: ${error.message}`, ...pageErrors].join("; "));
      }
      if (state.output === null) throw new Error("the page returned without posting its output");
      return { output: state.output, timesMs: result.timesMs, userAgent: result.userAgent };
    };
    /** Runs `fn(arg)` in the page (a plain function: it is serialized, not closed over). */
    const evaluate = (fn, arg) => page.evaluate(fn, arg);
    return { render, evaluate, close, browserVersion: version };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Sample-by-sample comparison of two planar buffers: the largest absolute difference (also in
 * dBFS), how many samples differ at all, and where the largest difference is.
 */
export function compareRenders(a, b) {
  if (a.length !== b.length) throw new Error(`channel counts differ: ${a.length} vs ${b.length}`);
  let maxAbsDiff = 0;
  let differing = 0;
  let worst = { channel: -1, frame: -1 };
  for (let c = 0; c < a.length; c++) {
    const x = a[c];
    const y = b[c];
    if (x.length !== y.length) throw new Error(`channel ${c} lengths differ: ${x.length} vs ${y.length}`);
    for (let n = 0; n < x.length; n++) {
      // Object.is tells NaN from NaN as equal and -0 from +0 as different: a bit-level check.
      if (Object.is(x[n], y[n])) continue;
      differing++;
      const diff = Math.abs(x[n] - y[n]);
      const d = Number.isNaN(diff) ? Infinity : diff; // NaN against a number: as far apart as it gets
      if (d > maxAbsDiff || worst.channel < 0) { maxAbsDiff = d; worst = { channel: c, frame: n }; }
    }
  }
  const maxAbsDiffDbfs = maxAbsDiff === 0 ? -Infinity : 20 * Math.log10(maxAbsDiff);
  return { maxAbsDiff, maxAbsDiffDbfs, differingSamples: differing, worst };
}

/**
 * The Math functions src/core calls, on seeded arguments over the ranges the DSP uses them in.
 * Kept as source text so that Node and the page evaluate exactly the same characters (a function
 * passed through a TypeScript loader could come back with injected helpers).
 */
const MATH_PROBE_SOURCE = `(count) => {
  let s = 0x9e3779b9 >>> 0;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const cases = {
    sin: (x) => Math.sin(Math.PI * x), cos: (x) => Math.cos(Math.PI * x), tan: (x) => Math.tan(1.5 * x),
    exp: (x) => Math.exp(-20 * x), log: (x) => Math.log(x + 1e-9), log10: (x) => Math.log10(x + 1e-9),
    log2: (x) => Math.log2(x + 1e-9), pow: (x) => Math.pow(10, 4 * x - 2), tanh: (x) => Math.tanh(8 * x - 4),
    cosh: (x) => Math.cosh(10 * x), sqrt: (x) => Math.sqrt(x), hypot: (x) => Math.hypot(x, 1 - x),
  };
  const out = {};
  for (const [name, f] of Object.entries(cases)) {
    s = 0x9e3779b9 >>> 0;
    const values = [];
    for (let i = 0; i < count; i++) values.push(f(next()));
    out[name] = values;
  }
  return out;
}`;

/**
 * Evaluates the core's Math functions on the same `count` arguments in Node and in the page and
 * returns, per function, how many results differ and by how many ulps at most (float64).
 */
export async function compareMathFunctions(renderer, count) {
  const probe = new Function(`return ${MATH_PROBE_SOURCE}`)();
  const node = probe(count);
  const web = await renderer.evaluate(new Function("count", `return (${MATH_PROBE_SOURCE})(count)`), count);
  const result = {};
  const a = new Float64Array(1);
  const b = new Float64Array(1);
  const aBits = new BigInt64Array(a.buffer);
  const bBits = new BigInt64Array(b.buffer);
  for (const name of Object.keys(node)) {
    let differing = 0;
    let maxUlp = 0n;
    for (let i = 0; i < count; i++) {
      a[0] = node[name][i];
      b[0] = web[name][i];
      if (aBits[0] === bBits[0]) continue;
      differing++;
      const ulp = aBits[0] > bBits[0] ? aBits[0] - bBits[0] : bBits[0] - aBits[0];
      if (ulp > maxUlp) maxUlp = ulp;
    }
    result[name] = { differing, maxUlp: Number(maxUlp) };
  }
  return result;
}
