// Builds the web app into web/dist: `node web/build.mjs` (the `build:web` script; `npm run build`
// and `prepare` run it too). esbuild bundles the page script and the two Workers (the engine and
// the live meter) as ES modules, each with the same src/core and src/io sources Node runs; the
// static files (index.html, style.css) are copied. Everything is served from the same origin:
// no CDN, no fonts or scripts from the network.
//
// No minification and no syntax lowering (target es2022, like scripts/bundle-core.mjs): the
// engine's arithmetic in the browser is the source's arithmetic, operation for operation.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const WEB_ROOT = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = join(WEB_ROOT, "dist");

const ENTRIES = ["app.ts", "engine-worker.ts", "meter-worker.ts"];
const STATIC = ["index.html", "style.css"];

/** Builds web/dist (removed first, so no stale file is ever served); returns its path. */
export async function buildWeb({ outDir = WEB_DIST } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: ENTRIES.map((name) => join(WEB_ROOT, "src", name)),
    outdir: outDir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: false,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
  });
  for (const name of STATIC) copyFileSync(join(WEB_ROOT, "src", name), join(outDir, name));
  return outDir;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWeb().then((out) => console.log(`web app built -> ${out}`), (error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
