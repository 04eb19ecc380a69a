// The web app in headless Chromium, for the e2e tests and bench/web.mjs: builds web/dist,
// serves it (the real `mastersmith serve` when the server is built, else a tiny static server
// for the private-mode flows), and opens the page in Debian's /usr/bin/chromium driven by
// playwright-core. Every request that is not to the local origin is aborted: no network.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout, clearTimeout } from "node:timers";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../browser/harness.mjs";
import { buildWeb, WEB_DIST } from "../../web/build.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

export { buildWeb };

/** Serves web/dist on 127.0.0.1 (port 0); /api/* answers 404 with the API's error shape. */
export async function startStaticServer(dir = WEB_DIST) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith("/api/")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "E_ROUTE_NOT_FOUND", message: "no API on the static test server" } }));
      return;
    }
    const path = normalize(join(dir, url.pathname === "/" ? "index.html" : url.pathname));
    if (!path.startsWith(dir) || !existsSync(path)) { res.writeHead(404); res.end("not found"); return; }
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(path));
  });
  await new Promise((ok, fail) => { server.once("error", fail); server.listen(0, "127.0.0.1", ok); });
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}

/**
 * How to start `mastersmith serve`: the installed command when the CLI is built with it, else
 * the same CLI from source through tsx (while dist/ is being rebuilt); null when neither exists.
 */
export function serverCommand() {
  if (existsSync(join(ROOT, "dist", "cli", "serve.js"))) return [join(ROOT, "bin", "mastersmith.js")];
  if (existsSync(join(ROOT, "src", "cli", "serve.ts"))) {
    return ["--import", "tsx", "--input-type=module", "-e",
      `import("${join(ROOT, "src", "cli", "main.ts")}").then((c) => c.main(process.argv.slice(1))).then((code) => { process.exitCode = code; })`];
  }
  return null;
}

/** Starts `mastersmith serve --port 0 --data DIR`; resolves with its origin once it prints its URL. */
export async function startAppServer(dataDir) {
  const command = serverCommand();
  if (command === null) throw new Error("mastersmith serve is not available");
  const child = spawn(process.execPath, [...command, "serve", "--port", "0", "--data", dataDir],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const origin = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`mastersmith serve printed no address: ${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const m = /https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):(\d+)/.exec(output) ?? /port\D{0,3}(\d{2,5})/i.exec(output);
      if (m) { clearTimeout(timer); ok(`http://127.0.0.1:${m[1]}`); }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => { clearTimeout(timer); fail(new Error(`mastersmith serve exited (${code}): ${output}`)); });
  });
  return {
    origin,
    close: () => new Promise((ok) => { if (child.exitCode !== null) { ok(); return; } child.once("exit", () => ok()); child.kill("SIGTERM"); }),
  };
}

/** Opens `origin` in Chromium; page errors are collected in `errors`. */
export async function openPage(origin, { downloadsPath } = {}) {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run scripts/ensure-system-deps.sh`);
  const userDataDir = mkdtempSync(join(tmpdir(), "mastersmith-web-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH, headless: true, acceptDownloads: true, downloadsPath,
    args: [...CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
    viewport: { width: 1440, height: 1000 },
  });
  await context.route("**/*", (route) => (route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort()));
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  await page.goto(`${origin}/`);
  return {
    page, errors,
    close: async () => { await context.close().catch(() => {}); rmSync(userDataDir, { recursive: true, force: true }); },
  };
}
