/**
 * analyzeFile on two threads against one thread: the same report, bit for bit; errors while the
 * worker runs are coded errors, never a hang.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MastersmithError } from "../core/codes.js";
import { createWavWriter } from "../io/wav-writer.js";
import { analyzeFile, analyzeFileSafe } from "./analyze.js";

const CORPUS = "/work/shared/corpus/dev";
let dir = "";
before(() => { dir = mkdtempSync(join(tmpdir(), "mastersmith-analyze-")); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stereo chirp-and-noise WAV (loud, with inter-sample peaks) of `frames` at 48 kHz. */
async function signalWav(path: string, frames: number): Promise<void> {
  const w = await createWavWriter(path, { sampleRateHz: 48000, channels: 2, bitDepth: 24, sampleFormat: "int" });
  const block = [new Float32Array(4096), new Float32Array(4096)];
  let seed = 11;
  for (let start = 0; start < frames; start += 4096) {
    const n = Math.min(4096, frames - start);
    for (let i = 0; i < n; i++) {
      const t = (start + i) / 48000;
      seed = (seed * 1103515245 + 12345) >>> 0;
      block[0][i] = 0.9 * Math.sin(2 * Math.PI * (200 + 4000 * t) * t);
      block[1][i] = 0.5 * (seed / 4294967296 - 0.5);
    }
    await w.write(block, n);
  }
  await w.close();
}

describe("analyzeFile with the worker thread", () => {
  test("a corpus file: identical report on one and two threads, with the loudness series", async () => {
    const file = join(CORPUS, "dev02_chaos_god.flac");
    const single = await analyzeFile(file, { worker: false, series: true });
    const threaded = await analyzeFile(file, { worker: true, series: true });
    assert.deepStrictEqual(threaded, single);
    const allRemote = await analyzeFile(file, { worker: true, series: true, workerMeters: ["truePeak", "loudness", "checks"] });
    assert.deepStrictEqual(allRemote, single);
    assert.ok(single.loudness.truePeakDbtp !== null && single.series!.momentaryLufs.length > 1000);
  });

  test("odd lengths (partial last block, shorter than one block): identical reports", async () => {
    for (const frames of [1000, 16384 * 3 + 17]) {
      const file = join(dir, `signal-${frames}.wav`);
      await signalWav(file, frames);
      const single = await analyzeFile(file, { worker: false });
      assert.deepStrictEqual(await analyzeFile(file, { worker: true }), single, `${frames} frames`);
      assert.deepStrictEqual(await analyzeFile(file, { worker: true, workerMeters: ["checks"] }), single, `${frames} frames, checks remote`);
    }
  });

  test("a file cut short while the worker runs: E_TRUNCATED naming the file, no hang", async () => {
    const file = join(dir, "cut.wav");
    await signalWav(file, 48000 * 25);
    truncateSync(file, Math.floor(statSync(file).size * 0.6));
    await assert.rejects(analyzeFile(file), (e: unknown) => e instanceof MastersmithError && e.code === "E_TRUNCATED");
    const safe = await analyzeFileSafe(file);
    assert.ok("error" in safe && safe.error.code === "E_TRUNCATED" && safe.error.message.includes(file));
  });

  test("a missing file: E_NOT_FOUND, the worker started for it is stopped", async () => {
    await assert.rejects(analyzeFile(join(dir, "nope.wav"), { worker: true }), (e: unknown) => e instanceof MastersmithError && e.code === "E_NOT_FOUND");
  });
});
