// Private mode's reading and writing, run in Node on the same modules the page bundles:
// web/src/decode.ts must give the very samples src/io's openAudioFile gives for every format
// the page claims to read, and web/src/wav-encode.ts must write a WAV that src/io reads back
// as the dithered samples of the core Dither.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Dither } from "../../src/core/dsp/dither.js";
import { openAudioFile } from "../../src/io/open.js";
import { decodeBytes } from "../../web/src/decode.js";
import { encodeWav } from "../../web/src/wav-encode.js";

const DEV07 = "/work/shared/corpus/dev/dev07_weight_of_revenge_UNMASTERED.flac";

async function readAll(path: string): Promise<Float32Array[]> {
  const reader = await openAudioFile(path);
  const parts: Float32Array[][] = [];
  for await (const block of reader.blocks(4096)) parts.push(block.map((ch) => ch.slice()));
  await reader.close();
  return Array.from({ length: reader.info.channels }, (_, c) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p[c].length, 0));
    let at = 0;
    for (const p of parts) { out.set(p[c], at); at += p[c].length; }
    return out;
  });
}

test("decodeBytes reads WAV, AIFF, FLAC, MP3, Vorbis and Opus exactly as openAudioFile", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mastersmith-private-io-"));
  try {
    const cases: [string, string[]][] = [
      ["a.wav", ["-c:a", "pcm_s24le"]], ["a.aiff", ["-c:a", "pcm_s16be"]], ["a.flac", ["-c:a", "flac"]],
      ["a.mp3", ["-c:a", "libmp3lame", "-q:a", "2"]], ["a.ogg", ["-c:a", "libvorbis"]], ["a.opus", ["-c:a", "libopus"]],
    ];
    for (const [name, codec] of cases) {
      const path = join(dir, name);
      const r = spawnSync("ffmpeg", ["-v", "error", "-y", "-ss", "25", "-t", "3", "-i", DEV07, ...codec, path]);
      if (r.status !== 0) { assert.fail(`ffmpeg could not make ${name}: ${r.stderr}`); }
      const expected = await readAll(path);
      let lastFraction = 0;
      const decoded = await decodeBytes(name, new Uint8Array(readFileSync(path)), (f) => { lastFraction = f; });
      assert.equal(decoded.channels.length, expected.length, name);
      assert.equal(decoded.channels[0].length, expected[0].length, `${name}: length`);
      for (let c = 0; c < expected.length; c++) assert.deepEqual(decoded.channels[c], expected[c], `${name}: channel ${c}`);
      assert.equal(lastFraction, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("decodeBytes refuses empty and non-audio bytes with stable codes", async () => {
  await assert.rejects(decodeBytes("e.wav", new Uint8Array(0), () => {}), { code: "E_EMPTY_FILE" });
  await assert.rejects(decodeBytes("t.wav", new TextEncoder().encode("just some text, not audio"), () => {}),
    (e: Error & { code?: string }) => e.code === "E_UNSUPPORTED_FORMAT" && /t\.wav.*looks like text/.test(e.message));
  await assert.rejects(decodeBytes("p.wav", new TextEncoder().encode("%PDF-1.7 ...................."), () => {}),
    (e: Error & { code?: string }) => e.code === "E_UNSUPPORTED_FORMAT" && /PDF/.test(e.message));
});

test("encodeWav writes 16- and 24-bit WAV whose samples are the core Dither's output", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mastersmith-private-io-"));
  try {
    const frames = 10007;
    const rate = 48000;
    const input = [0, 1].map((c) => Float32Array.from({ length: frames }, (_, n) => 0.7 * Math.sin(2 * Math.PI * (440 + 110 * c) * n / rate)));
    for (const bits of [16, 24] as const) {
      const path = join(dir, `o${bits}.wav`);
      writeFileSync(path, encodeWav(input, rate, bits, 7));
      const reader = await openAudioFile(path);
      assert.equal(reader.info.bitDepth, bits);
      assert.equal(reader.info.sampleRateHz, rate);
      assert.equal(reader.info.frames, frames);
      await reader.close();
      const back = await readAll(path);
      // The same dither, run once over the whole signal (any block split gives the same samples).
      const dither = new Dither({ bitDepth: bits, shape: "tpdf", seed: 7 });
      dither.prepare({ sampleRateHz: rate, channels: 2, maxBlockFrames: frames });
      const expected = input.map((ch) => ch.slice());
      dither.process(expected, frames);
      for (let c = 0; c < 2; c++) assert.deepEqual(back[c], expected[c], `${bits}-bit channel ${c}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
