// Bundles one src/core entry (TypeScript) into a single self-contained ES module, for a page
// or a Worker: `node scripts/bundle-core.mjs [entry.ts] [out.js]`. The browser render test and
// the browser benchmark load it, so the browser runs the same source as Node, not a port.
//
// No minification and no syntax lowering (target es2022, like tsconfig): the bundle's
// arithmetic is the source's arithmetic, operation for operation, which is what lets the
// browser render match the Node render bit for bit.
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The default entry: the whole-buffer renderer (validate ChainSpec, build, render, latency removed). */
export const DEFAULT_ENTRY = resolve(ROOT, "src/core/chain/offline.ts");

/**
 * Bundles `entryPath` and returns the ES module's source text. `platform: "neutral"` resolves
 * nothing Node-specific, so a core file that (wrongly) imported node:* fails here, loudly.
 */
export async function bundleCore(entryPath = DEFAULT_ENTRY) {
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    minify: false,
    sourcemap: false,
    legalComments: "none",
    logLevel: "silent",
  });
  if (result.outputFiles.length !== 1) throw new Error(`esbuild produced ${result.outputFiles.length} files for ${entryPath}`);
  return result.outputFiles[0].text;
}

/** Bundles `entryPath` into `outFile` (directories created) and returns the file's path. */
export async function bundleCoreToFile(outFile, entryPath = DEFAULT_ENTRY) {
  const code = await bundleCore(entryPath);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  return outFile;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entry = resolve(process.argv[2] ?? DEFAULT_ENTRY);
  const out = resolve(process.argv[3] ?? resolve(ROOT, "dist/browser/core.js"));
  // No top-level await: the module stays loadable from a CommonJS-transpiling loader too.
  bundleCoreToFile(out, entry).then(() => console.log(`bundled ${entry} -> ${out}`), (error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
