/**
 * One engine in Node and the browser (DESIGN.md principle 1): the same ChainSpec rendered over a
 * corpus excerpt by renderChainOffline in Node (the TypeScript source, through tsx) and in
 * headless Chromium (the same source bundled by esbuild into one ES module) gives the same
 * samples, to within -140 dBFS.
 *
 * Why not always bit for bit: both sides are V8 doing IEEE 754 binary64 arithmetic in the same
 * order (ECMA-262 §6.1.6.1), and + - * / sqrt and the Float32Array stores are exactly rounded,
 * so they agree. But Math.sin/cos/tan/exp/log/log10/pow/tanh/cosh are "implementation-
 * approximated" (ECMA-262 §21.3.2), and Node 20's V8 11.3 and Chromium 156's V8 return results
 * that differ by 1-2 ulps for a few percent of arguments (measured below). Such a difference
 * (~1e-16 relative) in a filter coefficient or a gain flips the float32 rounding of an output
 * sample once in a while: measured on this chain, 11 of 705,600 samples differ, by one float32
 * step at a level near 0.01, 9.3e-10 (-180.6 dBFS). Every stage rendered alone over the raw
 * excerpt is bit-identical; the flips appear from the imager on, where the earlier stages' tiny
 * differences meet more transcendental math. Same V8 on both sides would be bit-identical; so
 * would a core that computed its own elementary functions from + - * / and sqrt.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { renderChainOffline } from "../../src/core/chain/offline.js";
import { STAGE_TYPES } from "../../src/core/chain/stages.js";
import { openAudioFile } from "../../src/io/open.js";
import { bundleCore } from "../../scripts/bundle-core.mjs";
import { FULL_CHAIN } from "./full-chain.mjs";
import { compareMathFunctions, compareRenders, openBrowserRenderer, type BrowserRenderer } from "./harness.mjs";

const CORPUS_FILE = "/work/shared/corpus/dev/dev07_weight_of_revenge_UNMASTERED.flac";
/** The excerpt: 8 s from 15 s in (the song is playing at full level there). */
const EXCERPT_START_S = 15;
const EXCERPT_LENGTH_S = 8;
/** -140 dBFS: the most a last-ulp difference in a Math function may leave at the output. */
const MAX_DIFF_LINEAR = 1e-7;


/** Reads `lengthS` seconds from `startS` of the file as planar Float32 with our own decoder. */
async function readExcerpt(path: string, startS: number, lengthS: number): Promise<{ channels: Float32Array[]; sampleRateHz: number }> {
  const reader = await openAudioFile(path);
  try {
    const { sampleRateHz, channels: channelCount } = reader.info;
    const startFrame = Math.round(startS * sampleRateHz);
    const lengthFrames = Math.round(lengthS * sampleRateHz);
    const channels = Array.from({ length: channelCount }, () => new Float32Array(lengthFrames));
    let position = 0;
    for await (const block of reader.blocks()) {
      const blockFrames = block[0].length;
      const from = Math.max(0, startFrame - position);
      const to = Math.min(blockFrames, startFrame + lengthFrames - position);
      if (to > from) for (let c = 0; c < channelCount; c++) channels[c].set(block[c].subarray(from, to), position + from - startFrame);
      position += blockFrames;
      if (position >= startFrame + lengthFrames) break;
    }
    assert.ok(position >= startFrame + lengthFrames, `${path} is shorter than ${startS + lengthS} s`);
    return { channels, sampleRateHz };
  } finally {
    await reader.close();
  }
}

describe("the same render in Node and in headless Chromium", { skip: !existsSync(CORPUS_FILE) && `no corpus file ${CORPUS_FILE}` }, () => {
  let browser: BrowserRenderer;
  let input: Float32Array[];
  let sampleRateHz: number;

  before(async () => {
    const [excerpt, coreCode] = await Promise.all([readExcerpt(CORPUS_FILE, EXCERPT_START_S, EXCERPT_LENGTH_S), bundleCore()]);
    input = excerpt.channels;
    sampleRateHz = excerpt.sampleRateHz;
    browser = await openBrowserRenderer(coreCode);
  });
  after(async () => { await browser?.close(); });

  test("the chain covers every stage type of stages.ts", () => {
    const used = new Set(FULL_CHAIN.stages.map((s) => s.type));
    for (const type of STAGE_TYPES) assert.ok(used.has(type), `stage type ${type} is missing from the comparison chain`);
    const eqPhases = new Set(FULL_CHAIN.stages.filter((s) => s.type === "eq").map((s) => s.phase));
    assert.deepEqual([...eqPhases].sort(), ["linear", "minimum"]);
  });

  test("every stage type: browser output equals Node output sample for sample", async (t) => {
    const node = renderChainOffline(FULL_CHAIN, input, sampleRateHz);
    const web = await browser.render(FULL_CHAIN, input, sampleRateHz);

    // The comparison must be about a real render: same shape, finite, and far from the input.
    assert.equal(web.output.length, input.length);
    for (const ch of web.output) assert.equal(ch.length, input[0].length);
    for (const ch of node) for (const v of ch) assert.ok(Number.isFinite(v), "Node render is not finite");
    const change = compareRenders(node, input);
    assert.ok(change.maxAbsDiff > 0.05, `the chain barely changed the input (max change ${change.maxAbsDiff})`);

    const diff = compareRenders(web.output, node);
    const total = input.length * input[0].length;
    t.diagnostic(`${web.userAgent} vs Node ${process.versions.node} (V8 ${process.versions.v8})`);
    t.diagnostic(diff.differingSamples === 0
      ? `bit-identical: 0 of ${total} samples differ`
      : `${diff.differingSamples} of ${total} samples differ; max |diff| ${diff.maxAbsDiff.toExponential(3)} ` +
        `(${diff.maxAbsDiffDbfs.toFixed(1)} dBFS) at channel ${diff.worst.channel}, frame ${diff.worst.frame}`);
    assert.ok(diff.maxAbsDiff < MAX_DIFF_LINEAR,
      `browser and Node differ by ${diff.maxAbsDiffDbfs.toFixed(1)} dBFS (${diff.differingSamples} samples), over -140 dBFS`);
  });

  test("why renders may differ: the engines' Math functions, measured in ulps", async (t) => {
    // ECMA-262 §21.3.2 leaves these "implementation-approximated"; only sqrt is exact (IEEE 754
    // §5.4.1 requires it correctly rounded), so it must match everywhere. The others may differ
    // by a few ulps between V8 versions; a few ulps of float64 (~1e-15 relative) in a coefficient
    // or a gain can move a float32 output sample by one float32 rounding step at most.
    const ulps = await compareMathFunctions(browser, 20_000);
    t.diagnostic(Object.entries(ulps).map(([name, r]) => `${name} ${r.differing}/20000 differ, max ${r.maxUlp} ulp`).join("; "));
    assert.equal(ulps.sqrt.differing, 0, "Math.sqrt must be correctly rounded in both engines");
    for (const [name, r] of Object.entries(ulps)) assert.ok(r.maxUlp <= 8, `Math.${name} differs by ${r.maxUlp} ulp between the engines`);
  });

  test("an empty chain is bit-exact in the browser too", async () => {
    const web = await browser.render({ version: 1, stages: [] }, input, sampleRateHz);
    assert.deepEqual(compareRenders(web.output, input).differingSamples, 0);
  });

  test("the comparison sees a 0.001 dB difference (so it can fail)", () => {
    const a = renderChainOffline({ version: 1, stages: [] }, input, sampleRateHz);
    const b = renderChainOffline({ version: 1, stages: [{ type: "gain", gainDb: 0.001 }] }, input, sampleRateHz);
    const diff = compareRenders(a, b);
    assert.ok(diff.differingSamples > 0 && diff.maxAbsDiff > MAX_DIFF_LINEAR);
  });
});
