// Benchmark: the same render (every stage type, test/browser/full-chain.mjs) over a whole dev
// corpus file in Node and in headless Chromium, reported as x real time. Both sides run the same
// esbuild bundle of src/core/chain/offline.ts, so the comparison is the JS engine, not the build.
// Renders are timed inside each engine (performance.now() around renderChainOffline: no
// transfer, no start-up), after one warm-up render each, interleaved Node / browser.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { bundleCore } from "../scripts/bundle-core.mjs";
import { FULL_CHAIN } from "../test/browser/full-chain.mjs";
import { compareRenders, openBrowserRenderer } from "../test/browser/harness.mjs";
import { CACHE, CORPUS, median } from "./lib.mjs";

const FILE = join(CORPUS, "dev07_weight_of_revenge_UNMASTERED.flac");
const SAMPLE_RATE_HZ = 44100;
const CHANNELS = 2;

/** The whole file as planar Float32 (ffmpeg decodes; 24-bit maps to [-1, 1) like our reader). */
function decodePlanar(path) {
  const r = spawnSync("ffmpeg", ["-v", "error", "-i", path, "-f", "f32le", "-ac", String(CHANNELS),
    "-ar", String(SAMPLE_RATE_HZ), "-"], { maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ffmpeg failed to decode ${path}: ${r.stderr}`);
  const interleaved = new Float32Array(r.stdout.buffer.slice(r.stdout.byteOffset, r.stdout.byteOffset + r.stdout.length));
  const frames = interleaved.length / CHANNELS;
  const planes = Array.from({ length: CHANNELS }, () => new Float32Array(frames));
  for (let n = 0; n < frames; n++) for (let c = 0; c < CHANNELS; c++) planes[c][n] = interleaved[n * CHANNELS + c];
  return planes;
}

export async function benchBrowser({ runs = 3 } = {}) {
  const input = decodePlanar(FILE);
  const seconds = input[0].length / SAMPLE_RATE_HZ;
  const code = await bundleCore();
  mkdirSync(CACHE, { recursive: true });
  const bundleFile = join(CACHE, "core-bundle.mjs");
  writeFileSync(bundleFile, code);
  const { renderChainOffline } = await import(pathToFileURL(bundleFile).href);

  const browser = await openBrowserRenderer(code);
  try {
    const nodeTimes = [];
    const webTimes = [];
    let nodeOut = [];
    let webOut = [];
    for (let i = 0; i <= runs; i++) {
      const copy = input.map((ch) => ch.slice());
      const t0 = performance.now();
      nodeOut = renderChainOffline(FULL_CHAIN, copy, SAMPLE_RATE_HZ);
      const nodeMs = performance.now() - t0;
      const web = await browser.render(FULL_CHAIN, input, SAMPLE_RATE_HZ);
      webOut = web.output;
      if (i === 0) continue; // warm-up: JIT compilation on both sides
      nodeTimes.push(nodeMs);
      webTimes.push(web.timesMs[0]);
    }
    const nodeS = median(nodeTimes) / 1000;
    const webS = median(webTimes) / 1000;
    const diff = compareRenders(webOut, nodeOut);
    const ratio = nodeS / webS;
    return [
      `render every stage type, ${seconds.toFixed(0)} s stereo 44.1 kHz (median of ${runs}): ` +
      `Node ${process.versions.node} ${nodeS.toFixed(3)} s (${(seconds / nodeS).toFixed(1)}x real time), ` +
      `Chromium ${browser.browserVersion} ${webS.toFixed(3)} s (${(seconds / webS).toFixed(1)}x real time) -> ` +
      `browser ${ratio >= 1 ? `${ratio.toFixed(2)}x faster` : `${(1 / ratio).toFixed(2)}x slower`}`,
      diff.differingSamples === 0
        ? "  outputs bit-identical"
        : `  outputs: ${diff.differingSamples} samples differ, max ${diff.maxAbsDiffDbfs.toFixed(1)} dBFS`,
    ];
  } finally {
    await browser.close();
  }
}
