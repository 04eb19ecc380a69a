// Broken input: each case gets the right stable code and names the file; no crash, no hang.
// Then a bounded, seeded fuzz run over small real WAV/AIFF/FLAC files.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isMastersmithError } from "../core/codes.js";
import {
  assertCode, commBody, container, encodeSamples, fmtBody, rng, run, ssndBody, tempDir, writeBytes,
} from "./fixtures.case.js";
import { openAudioFile } from "./open.js";

/** Opens and reads every block, as `analyze` would. */
async function readThrough(path: string): Promise<number> {
  const reader = await openAudioFile(path);
  let frames = 0;
  try {
    for await (const block of reader.blocks(4096)) frames += block[0].length;
  } finally {
    await reader.close();
  }
  return frames;
}

const stereo16 = (frames: number) => encodeSamples("s16", [Array.from({ length: frames }, (_, i) => i), Array.from({ length: frames }, (_, i) => -i)], true);

function wav(fmt: Parameters<typeof fmtBody>[0], data: Uint8Array, dataSizeOverride?: number): Uint8Array {
  return container("RIFF", "WAVE", [
    { id: "fmt ", body: fmtBody(fmt) },
    { id: "data", body: data, ...(dataSizeOverride === undefined ? {} : { sizeOverride: dataSizeOverride }) },
  ], true);
}

describe("malformed input gets a clear code", () => {
  test("missing file, directory, empty file", async (t) => {
    const dir = tempDir(t);
    const missing = join(dir, "nope.wav");
    await assertCode(() => readThrough(missing), "E_NOT_FOUND", missing);
    const sub = join(dir, "album.wav");
    mkdirSync(sub);
    await assertCode(() => readThrough(sub), "E_IS_DIRECTORY", sub);
    const empty = writeBytes(dir, "empty.wav", new Uint8Array(0));
    await assertCode(() => readThrough(empty), "E_EMPTY_FILE", empty);
  });

  test("truncated data chunk: E_TRUNCATED naming expected and actual sizes", async (t) => {
    const dir = tempDir(t);
    const full = wav({ channels: 2, sampleRateHz: 44100, bits: 16 }, stereo16(1000));
    const cut = writeBytes(dir, "cut.wav", full.subarray(0, full.length - 1000));
    await assertCode(() => readThrough(cut), "E_TRUNCATED", cut, /claims 4000 bytes, the file holds 3000/);
  });

  test("a file that shrinks while it is read: E_TRUNCATED from blocks()", async (t) => {
    const dir = tempDir(t);
    const path = writeBytes(dir, "shrink.wav", wav({ channels: 2, sampleRateHz: 44100, bits: 16 }, stereo16(10000)));
    const reader = await openAudioFile(path);
    writeFileSync(path, readFileSync(path).subarray(0, 1000));
    await assertCode(async () => { for await (const _ of reader.blocks(100)) { /* drain */ } }, "E_TRUNCATED", path);
    await reader.close();
  });

  test("bogus sizes: huge data size, huge fmt size, short fmt, wrong block align, header only", async (t) => {
    const dir = tempDir(t);
    const huge = writeBytes(dir, "huge.wav", wav({ channels: 2, sampleRateHz: 44100, bits: 16 }, stereo16(10), 0xfffffff0));
    await assertCode(() => readThrough(huge), "E_TRUNCATED", huge, /4294967280/);
    const hugeFmt = writeBytes(dir, "hugefmt.wav", container("RIFF", "WAVE", [
      { id: "fmt ", body: fmtBody({ channels: 2, sampleRateHz: 44100, bits: 16 }), sizeOverride: 0x7fffffff },
      { id: "data", body: stereo16(10) },
    ], true));
    await assertCode(() => readThrough(hugeFmt), "E_TRUNCATED", hugeFmt, /'fmt ' chunk/);
    const shortFmt = writeBytes(dir, "shortfmt.wav", container("RIFF", "WAVE", [
      { id: "fmt ", body: fmtBody({ channels: 2, sampleRateHz: 44100, bits: 16 }).subarray(0, 10) },
      { id: "data", body: stereo16(10) },
    ], true));
    await assertCode(() => readThrough(shortFmt), "E_BAD_HEADER", shortFmt, /too short/);
    const align = writeBytes(dir, "align.wav", wav({ channels: 2, sampleRateHz: 44100, bits: 16, blockAlign: 3 }, stereo16(10)));
    await assertCode(() => readThrough(align), "E_BAD_HEADER", align, /block align 3/);
    const headerOnly = writeBytes(dir, "headeronly.wav", container("RIFF", "WAVE", [{ id: "fmt ", body: fmtBody({ channels: 2, sampleRateHz: 44100, bits: 16 }) }], true));
    await assertCode(() => readThrough(headerOnly), "E_TRUNCATED", headerOnly, /no data chunk/);
    const riffOnly = writeBytes(dir, "riffonly.wav", container("RIFF", "WAVE", [], true));
    await assertCode(() => readThrough(riffOnly), "E_TRUNCATED", riffOnly);
  });

  test("impossible format values: 0 and 65535 channels, 0 Hz, 5 MHz, 12-bit float", async (t) => {
    const dir = tempDir(t);
    const cases: [string, Parameters<typeof fmtBody>[0], RegExp][] = [
      ["ch0.wav", { channels: 0, sampleRateHz: 44100, bits: 16, blockAlign: 2 }, /0 channels/],
      ["ch65535.wav", { channels: 65535, sampleRateHz: 44100, bits: 16, blockAlign: 2 }, /65535 channels/],
      ["rate0.wav", { channels: 2, sampleRateHz: 0, bits: 16 }, /sample rate 0 Hz/],
      ["rate5M.wav", { channels: 2, sampleRateHz: 5_000_000, bits: 16 }, /5000000 Hz/],
      ["float12.wav", { tag: 3, channels: 2, sampleRateHz: 44100, bits: 12 }, /IEEE float with 12 bits/],
      ["bits0.wav", { channels: 2, sampleRateHz: 44100, bits: 0, blockAlign: 4 }, /0 bits/],
    ];
    for (const [name, fmt, pattern] of cases) {
      const path = writeBytes(dir, name, wav(fmt, stereo16(10)));
      await assertCode(() => readThrough(path), "E_BAD_HEADER", path, pattern);
    }
    const aiff0 = writeBytes(dir, "rate0.aiff", container("FORM", "AIFF", [
      { id: "COMM", body: commBody(2, 10, 16, 0) },
      { id: "SSND", body: ssndBody(new Uint8Array(40)) },
    ], false));
    await assertCode(() => readThrough(aiff0), "E_BAD_HEADER", aiff0, /0 Hz/);
    const aiffCh = writeBytes(dir, "ch65535.aiff", container("FORM", "AIFF", [
      { id: "COMM", body: commBody(65535, 10, 16, 44100) },
      { id: "SSND", body: ssndBody(new Uint8Array(40)) },
    ], false));
    await assertCode(() => readThrough(aiffCh), "E_BAD_HEADER", aiffCh, /65535 channels/);
  });

  test("unsupported codecs name the tag", async (t) => {
    const dir = tempDir(t);
    const mp3 = writeBytes(dir, "mp3.wav", wav({ tag: 0x55, channels: 2, sampleRateHz: 44100, bits: 0, blockAlign: 1 }, new Uint8Array(100)));
    await assertCode(() => readThrough(mp3), "E_UNSUPPORTED_CODEC", mp3, /0x0055, MPEG-1 Layer III/);
    const adpcm = writeBytes(dir, "adpcm.wav", wav({ tag: 0x11, channels: 2, sampleRateHz: 44100, bits: 4, blockAlign: 2048 }, new Uint8Array(100)));
    await assertCode(() => readThrough(adpcm), "E_UNSUPPORTED_CODEC", adpcm, /IMA ADPCM/);
    const odd = writeBytes(dir, "odd.wav", wav({ tag: 0x1234, channels: 2, sampleRateHz: 44100, bits: 16 }, new Uint8Array(100)));
    await assertCode(() => readThrough(odd), "E_UNSUPPORTED_CODEC", odd, /0x1234/);
    const ima4 = writeBytes(dir, "ima4.aifc", container("FORM", "AIFC", [
      { id: "COMM", body: commBody(2, 10, 16, 44100, "ima4") },
      { id: "SSND", body: ssndBody(new Uint8Array(40)) },
    ], false));
    await assertCode(() => readThrough(ima4), "E_UNSUPPORTED_CODEC", ima4, /'ima4'/);
    // A real ADPCM file from ffmpeg, too.
    const real = join(dir, "real_adpcm.wav");
    run("ffmpeg", ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=440:d=0.2", "-c:a", "adpcm_ms", real]);
    await assertCode(() => readThrough(real), "E_UNSUPPORTED_CODEC", real, /Microsoft ADPCM/);
  });

  test("not audio: random bytes, text, a PDF; an MP3 named .wav opens as MP3 (content, not name)", async (t) => {
    const dir = tempDir(t);
    const random = rng(7);
    const noise = writeBytes(dir, "noise.wav", Uint8Array.from({ length: 5000 }, () => Math.floor(random() * 256)));
    await assertCode(() => readThrough(noise), "E_UNSUPPORTED_FORMAT", noise);
    const text = writeBytes(dir, "notes.wav", new TextEncoder().encode("These are my mix notes.\nMore bass.\n"));
    await assertCode(() => readThrough(text), "E_UNSUPPORTED_FORMAT", text, /text/);
    const pdf = writeBytes(dir, "master.wav", new TextEncoder().encode("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"));
    await assertCode(() => readThrough(pdf), "E_UNSUPPORTED_FORMAT", pdf, /PDF/);
    const tiny = writeBytes(dir, "tiny.wav", new Uint8Array([0x52, 0x49]));
    await assertCode(() => readThrough(tiny), "E_UNSUPPORTED_FORMAT", tiny);
    const mp3 = join(dir, "song.wav");
    run("ffmpeg", ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=440:d=0.5", "-f", "mp3", mp3]);
    // MP3 is decoded since the decode-mp3 reader: sniffed by content despite the .wav name.
    const reader = await openAudioFile(mp3);
    assert.equal(reader.info.container, "mp3");
    await reader.close();
  });

  test("truncated and corrupt AIFF", async (t) => {
    const dir = tempDir(t);
    const samples = encodeSamples("s16", [Array(100).fill(1000), Array(100).fill(-1000)], false);
    const full = container("FORM", "AIFF", [
      { id: "COMM", body: commBody(2, 100, 16, 44100) },
      { id: "SSND", body: ssndBody(samples) },
    ], false);
    const cut = writeBytes(dir, "cut.aiff", full.subarray(0, full.length - 50));
    await assertCode(() => readThrough(cut), "E_TRUNCATED", cut, /SSND/);
    const lying = writeBytes(dir, "lying.aiff", container("FORM", "AIFF", [
      { id: "COMM", body: commBody(2, 5000, 16, 44100) },
      { id: "SSND", body: ssndBody(samples) },
    ], false));
    await assertCode(() => readThrough(lying), "E_TRUNCATED", lying, /5000 frames/);
  });

  test("truncated FLAC: E_TRUNCATED; corrupt FLAC frames: E_CORRUPT", async (t) => {
    const dir = tempDir(t);
    const src = join(dir, "src.flac");
    run("ffmpeg", ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=440:d=2", "-ac", "2", "-c:a", "flac", "-sample_fmt", "s16", src]);
    const bytes = readFileSync(src);
    assert.equal(await readThrough(src), 88200);
    const cut = writeBytes(dir, "cut.flac", bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await assertCode(() => readThrough(cut), "E_TRUNCATED", cut, /STREAMINFO declares 88200 frames/);
    const corrupt = Buffer.from(bytes);
    for (let i = 0; i < 64; i++) corrupt[Math.floor(corrupt.length * 0.3) + i * 37] ^= 0x5a;
    const bad = writeBytes(dir, "corrupt.flac", corrupt);
    await assertCode(() => readThrough(bad), "E_CORRUPT", bad, /FLAC frame/);
    const headerOnly = writeBytes(dir, "head.flac", bytes.subarray(0, 20));
    await assertCode(() => readThrough(headerOnly), "E_TRUNCATED", headerOnly);
    const zeroRate = Buffer.from(bytes);
    zeroRate[18] = 0; zeroRate[19] = 0; zeroRate[20] &= 0x0f; // STREAMINFO sample rate bits
    const zr = writeBytes(dir, "zerorate.flac", zeroRate);
    await assertCode(() => readThrough(zr), "E_BAD_HEADER", zr, /0 Hz/);
  });
});

describe("fuzz: mutated real files", () => {
  test("only MastersmithError escapes and every read terminates", { timeout: 120_000 }, async (t) => {
    const dir = tempDir(t);
    const seeds: [string, Uint8Array][] = [];
    const lavfi = ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=440:d=0.3", "-ac", "2"];
    for (const [name, args] of [
      ["seed.wav", ["-c:a", "pcm_s24le", "-metadata", "title=fuzz"]],
      ["seed.aiff", ["-c:a", "pcm_s16be"]],
      ["seed.aifc", ["-c:a", "pcm_f32be", "-f", "aiff"]],
      ["seed.flac", ["-c:a", "flac", "-sample_fmt", "s16", "-frame_size", "1024"]],
    ] as const) {
      const path = join(dir, name);
      run("ffmpeg", [...lavfi, ...args, path]);
      seeds.push([name, readFileSync(path)]);
    }
    const random = rng(12345);
    const pick = (n: number) => Math.floor(random() * n);
    const outcomes = new Map<string, number>();
    const runs = 400;
    for (let k = 0; k < runs; k++) {
      const [name, seed] = seeds[k % seeds.length];
      const bytes = Uint8Array.from(seed);
      const kind = pick(4);
      let data: Uint8Array = bytes;
      if (kind === 0) {
        // Random byte flips, half of them in the header region.
        const flips = 1 + pick(8);
        for (let i = 0; i < flips; i++) bytes[random() < 0.5 ? pick(Math.min(128, bytes.length)) : pick(bytes.length)] ^= 1 + pick(255);
      } else if (kind === 1) {
        data = bytes.subarray(0, pick(bytes.length)); // truncation
      } else if (kind === 2) {
        // Inflated or random 32-bit value on a 2-byte boundary in the header (sizes, counts, rates).
        const at = 2 * pick(Math.min(60, (bytes.length >> 1) - 2));
        const dv = new DataView(bytes.buffer);
        dv.setUint32(at, random() < 0.5 ? 0xffffffff - pick(16) : Math.floor(random() * 2 ** 32), random() < 0.5);
      } else {
        // Overwrite a random run with noise.
        const at = pick(bytes.length);
        for (let i = at; i < Math.min(bytes.length, at + 1 + pick(512)); i++) bytes[i] = pick(256);
      }
      const path = join(dir, `m${k}_${name}`);
      writeFileSync(path, data);
      let outcome: string;
      try {
        await readThrough(path);
        outcome = "ok";
      } catch (e) {
        if (!isMastersmithError(e)) assert.fail(`mutation ${k} (${name}, kind ${kind}) threw a non-Mastersmith error: ${String((e as Error)?.stack ?? e)}`);
        assert.ok(e.message.includes(path), e.message);
        outcome = e.code;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    t.diagnostic(`outcomes of ${runs} mutations: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.equal([...outcomes.values()].reduce((a, b) => a + b, 0), runs);
  });
});
