import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MastersmithError } from "../core/codes.js";
import { createWavEncoder } from "../io/encode-wav.js";
import { openAudioFile } from "../io/open.js";
import { formatFromPath, openOutput } from "./outputs.js";

let dir = "";
before(() => { dir = mkdtempSync(join(tmpdir(), "mastersmith-outputs-")); });
after(() => rmSync(dir, { recursive: true, force: true }));

const isCode = (code: string) => (e: unknown) => e instanceof MastersmithError && e.code === code;

describe("openOutput", () => {
  test("format from the extension", () => {
    assert.deepEqual(["a.WAV", "b.flac", "c.mp3", "d.m4a", "e.opus", "f.txt", "dir.flac/x"].map(formatFromPath), ["wav", "flac", "mp3", "aac", "opus", null, null]);
  });

  test("dither leaves the caller's arrays untouched, works for blocks larger than the first, seeded", async () => {
    const sizes = [100, 20000, 7];
    const block = new Float32Array(20000).map((_, i) => 0.3 * Math.sin(i / 7));
    const copy = block.slice();
    const write = async (path: string, seed: number) => {
      const out = await openOutput(path, { sampleRateHz: 48000, channels: 1, bitDepth: 16, seed });
      for (const n of sizes) await out.write([block], n);
      return out.close();
    };
    const report = await write(join(dir, "a.wav"), 5);
    assert.deepEqual(block, copy);
    assert.equal(report.frames, 20107);
    assert.deepEqual(report.dither, { shape: "tpdf", seed: 5, bitDepth: 16 });
    await write(join(dir, "b.wav"), 5);
    const pcm = (p: string) => spawnSync("ffmpeg", ["-v", "error", "-i", p, "-f", "s16le", "-"]).stdout as Buffer;
    assert.ok(pcm(join(dir, "a.wav")).equals(pcm(join(dir, "b.wav"))));
  });

  test("abort removes the partial file; a missing encoder is E_ENCODER_UNAVAILABLE before any work", async () => {
    for (const ext of ["wav", "flac", "mp3", "m4a", "opus"]) {
      const out = await openOutput(join(dir, `aborted.${ext}`), { sampleRateHz: 44100, channels: 2 });
      await out.write([new Float32Array(1000), new Float32Array(1000)], 1000);
      await out.abort();
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("aborted")), []);
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      for (const ext of ["flac", "mp3", "m4a", "opus"]) {
        await assert.rejects(openOutput(join(dir, `x.${ext}`), { sampleRateHz: 44100, channels: 2 }), isCode("E_ENCODER_UNAVAILABLE"), ext);
      }
    } finally {
      process.env.PATH = saved;
    }
    await assert.rejects(openOutput(join(dir, "x.flac"), { sampleRateHz: 44100, channels: 2, bitDepth: "32f" }), isCode("E_BAD_ARGUMENT"));
    await assert.rejects(openOutput(join(dir, "x.mp3"), { sampleRateHz: 96000, channels: 2 }), isCode("E_BAD_ARGUMENT"));
  });

  test("WAV with bext/LIST/id3 chunks turns RF64 past the threshold and still reads back", async () => {
    const path = join(dir, "big.wav");
    const enc = await createWavEncoder(path, { sampleRateHz: 48000, channels: 2, bitDepth: 24, software: "t", tags: { title: "T", isrc: "USABC2400001" }, rf64ThresholdBytes: 1000 });
    const x = new Float32Array(4800).map((_, i) => (i % 100) / 200);
    await enc.write([x, x], 4800);
    await enc.close();
    const reader = await openAudioFile(path);
    assert.equal(reader.info.container, "rf64");
    assert.equal(reader.info.frames, 4800);
    let first: number | undefined;
    for await (const b of reader.blocks()) { first ??= b[0][99]; }
    await reader.close();
    assert.equal(first, Math.round((99 / 200) * 2 ** 23) / 2 ** 23);
    const probe = spawnSync("ffprobe", ["-v", "error", "-show_entries", "stream=duration_ts", "-of", "csv=p=0", path], { encoding: "utf8" });
    assert.equal(probe.stdout.trim(), "4800");
  });
});
