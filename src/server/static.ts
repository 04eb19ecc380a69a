/**
 * The web app's files (web/dist, built by the page's own build) served as they are: index.html
 * at `/`, other files by path inside the root only, and a plain 503 page when the app is not built.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** web/dist of this package: two levels above src/server/ and dist/server/ alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../web/dist/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Headers of every page response. Cross-origin isolation lets the page use SharedArrayBuffer
 * (a Worker and an AudioWorklet sharing the rendered audio); everything is same-origin anyway.
 */
export const PAGE_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "X-Content-Type-Options": "nosniff",
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Mastersmith: web app not built</title>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>The web app is not built</h1>
<p>The server and its API are running (<a href="/api/openapi.json">/api/openapi.json</a>), but
<code>web/dist/</code> has no <code>index.html</code>. Build the page with <code>npm run build</code>
and reload.</p>
</body></html>
`;

/** Serves GET/HEAD `pathname` from `root`; returns false when no file matches (the caller answers 404). */
export async function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (relative.includes("\0")) return false;
  if (relative === "/" || relative === "") relative = "/index.html";
  const base = resolve(root);
  const path = resolve(join(base, relative));
  if (!path.startsWith(base + sep)) return false;
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) {
    if (relative !== "/index.html") return false;
    res.writeHead(503, { "Content-Type": "text/html; charset=utf-8", "Retry-After": "60", ...PAGE_HEADERS });
    res.end(req.method === "HEAD" ? undefined : NOT_BUILT);
    return true;
  }
  res.writeHead(200, {
    "Content-Type": TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
    "Content-Length": info.size,
    "Cache-Control": relative === "/index.html" ? "no-cache" : "public, max-age=300",
    ...PAGE_HEADERS,
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(path).pipe(res);
  return true;
}
