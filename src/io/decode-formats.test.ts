// Compressed inputs (decode-mp3/ogg/mp4.ts): files made by Debian's `lame` and `ffmpeg`
// (libvorbis, libopus, aac, alac) from signals generated here. Lengths equal the original and an
// impulse stays on its sample (gapless trimming exact, not ±1); broken files give coded errors.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isMastersmithError } from "../core/codes.js";
import { analyzeFile } from "../pipeline/analyze.js";
import { parseItunSmpb } from "./decode-mp4.js";
import { assertCode, readAll, run, tempDir, writeBytes } from "./fixtures.case.js";
import { openAudioFile, sniffFormat } from "./open.js";

/**
 * A 16-bit stereo WAV: left is silent but for a two-sample click at `clickAt` (0.9, −0.5), right
 * is low-passed noise (for a lag check by cross-correlation that does not rely on one peak).
 */
function writeSignal(dir: string, name: string, frames: number, rateHz: number, clickAt: number): { path: string; right: Float32Array } {
  const data = new Uint8Array(44 + frames * 4);
  const dv = new DataView(data.buffer);
  const ascii = (s: string, at: number) => { for (let i = 0; i < 4; i++) data[at + i] = s.charCodeAt(i); };
  ascii("RIFF", 0); dv.setUint32(4, 36 + frames * 4, true); ascii("WAVE", 8);
  ascii("fmt ", 12); dv.setUint32(16, 16, true); dv.setUint16(20, 1, true); dv.setUint16(22, 2, true);
  dv.setUint32(24, rateHz, true); dv.setUint32(28, rateHz * 4, true); dv.setUint16(32, 4, true); dv.setUint16(34, 16, true);
  ascii("data", 36); dv.setUint32(40, frames * 4, true);
  const right = new Float32Array(frames);
  let seed = 12345, lp = 0;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    lp = 0.9 * lp + 0.1 * (seed / 2 ** 32 - 0.5);
    right[i] = Math.round(lp * 3 * 32767) / 32768;
    const left = i === clickAt ? 0.9 : i === clickAt + 1 ? -0.5 : 0;
    dv.setInt16(44 + 4 * i, Math.round(left * 32767), true);
    dv.setInt16(46 + 4 * i, right[i] * 32768, true);
  }
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, right };
}

function argmaxAbs(x: Float32Array): number {
  let k = 0;
  for (let i = 1; i < x.length; i++) if (Math.abs(x[i]) > Math.abs(x[k])) k = i;
  return k;
}

/** The lag (−maxLag..maxLag) maximising the cross-correlation of `y` with `x`. */
function bestLag(x: Float32Array, y: Float32Array, maxLag: number): number {
  let best = 0, bestValue = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let s = 0;
    for (let i = Math.max(0, -lag); i < Math.min(x.length, y.length - lag); i++) s += x[i] * y[i + lag];
    if (s > bestValue) { bestValue = s; best = lag; }
  }
  return best;
}

/** Frames ffmpeg decodes from `path` (the reference for the stream's own length). */
function ffmpegFrames(path: string, channels: number): number {
  const r = spawnSync("ffmpeg", ["-v", "error", "-i", path, "-f", "f32le", "-"], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return r.stdout.length / 4 / channels;
}

interface Codec { name: string; container: string; codec: string; ext: string; encode: (wav: string, out: string) => void }

const ff = (args: string[]) => (wav: string, out: string) => { run("ffmpeg", ["-v", "error", "-y", "-i", wav, ...args, out]); };
const CODECS: Codec[] = [
  { name: "MP3 (lame)", container: "mp3", codec: "mp3", ext: "mp3", encode: (wav, out) => { run("lame", ["--quiet", "-b", "192", wav, out]); } },
  { name: "Vorbis (ffmpeg libvorbis)", container: "ogg", codec: "vorbis", ext: "ogg", encode: ff(["-c:a", "libvorbis", "-q:a", "8", "-f", "ogg"]) },
  { name: "Opus (ffmpeg libopus)", container: "ogg", codec: "opus", ext: "opus", encode: ff(["-c:a", "libopus", "-b:a", "192k", "-f", "ogg"]) },
  { name: "AAC (ffmpeg aac)", container: "mp4", codec: "aac", ext: "m4a", encode: ff(["-c:a", "aac", "-b:a", "256k", "-f", "ipod"]) },
  { name: "ALAC (ffmpeg alac)", container: "mp4", codec: "alac", ext: "m4a", encode: ff(["-c:a", "alac", "-f", "ipod"]) },
];

describe("compressed inputs: length and alignment", () => {
  for (const codec of CODECS) {
    test(`${codec.name}: decoded length = original, click on its sample (2000, 44100, 56789 frames at 44.1 and 48 kHz)`, async (t) => {
      const dir = tempDir(t);
      for (const rateHz of [44100, 48000]) {
        for (const frames of [2000, 44100, 56789]) {
          const clickAt = Math.floor(frames / 3) + 7;
          const { path: wav, right } = writeSignal(dir, `s${rateHz}_${frames}.wav`, frames, rateHz, clickAt);
          // A misleading extension: the format must come from the content.
          const out = join(dir, `s${rateHz}_${frames}.${codec.ext}.wav`);
          codec.encode(wav, out);
          const { info, data } = await readAll(out, 1000);
          const what = `${codec.name} ${rateHz} Hz ${frames} frames`;
          assert.equal(info.container, codec.container, what);
          assert.equal(info.codec, codec.codec, what);
          if (codec.codec === "opus") {
            // Opus decodes at 48 kHz (RFC 7845); ffmpeg resamples 44.1 kHz input before libopus.
            // The decoded length is the stream's own (granule position, as ffmpeg decodes it);
            // scaled to the input rate it is the original within 1.5 samples (ffmpeg's
            // resampler adds up to 1.4 samples at the end: 56789 -> 61812 instead of 61810.6).
            const scale = 48000 / rateHz;
            assert.equal(info.sampleRateHz, 48000);
            assert.equal(data[0].length, info.frames, what);
            assert.equal(info.frames, ffmpegFrames(out, 2), `${what}: length as ffmpeg decodes it`);
            assert.ok(Math.abs(info.frames - frames * scale) <= 1.5, `${what}: ${info.frames} frames at 48 kHz`);
            assert.ok(Math.abs(argmaxAbs(data[0]) - clickAt * scale) <= 1, `${what}: click at ${argmaxAbs(data[0])}, expected ${clickAt * scale}`);
            continue;
          }
          assert.equal(info.sampleRateHz, rateHz, what);
          assert.equal(info.frames, frames, what);
          assert.equal(data[0].length, frames, what);
          assert.equal(data[1].length, frames, what);
          assert.equal(argmaxAbs(data[0]), clickAt, `${what}: click`);
          assert.equal(bestLag(right, data[1], 40), 0, `${what}: noise lag`);
          if (codec.codec === "alac") {
            // Lossless: every sample back exactly.
            for (let i = 0; i < frames; i++) if (data[1][i] !== right[i]) assert.fail(`${what}: sample ${i} differs`);
          }
        }
      }
    });
  }
});

/** A 1 s encode of the test signal in each format, for the broken-file cases. */
function encodeAll(dir: string): Record<string, string> {
  const { path: wav } = writeSignal(dir, "one.wav", 44100, 44100, 10000);
  const files: Record<string, string> = {};
  for (const c of CODECS) {
    files[c.codec] = join(dir, `one_${c.codec}.${c.ext}`);
    c.encode(wav, files[c.codec]);
  }
  files.faststart = join(dir, "one_faststart.m4a");
  run("ffmpeg", ["-v", "error", "-y", "-i", wav, "-c:a", "aac", "-movflags", "+faststart", "-f", "ipod", files.faststart]);
  return files;
}

describe("compressed inputs: broken files give coded errors", () => {
  test("truncated (cut in half): E_TRUNCATED for MP3, Vorbis, Opus, AAC (moov at the end or first)", async (t) => {
    const dir = tempDir(t);
    const files = encodeAll(dir);
    for (const [name, path] of Object.entries(files)) {
      const bytes = readFileSync(path);
      const cut = writeBytes(dir, `cut_${name}.bin`, bytes.subarray(0, bytes.length >> 1));
      await assertCode(() => readAll(cut), "E_TRUNCATED", cut);
    }
  });

  test("corrupt (200 random bytes a third of the way in): E_CORRUPT, never samples", async (t) => {
    const dir = tempDir(t);
    const files = encodeAll(dir);
    let seed = 99;
    for (const [name, path] of Object.entries(files)) {
      if (name === "alac") continue; // covered below: ALAC has no checksum ffmpeg would report
      const bytes = new Uint8Array(readFileSync(path));
      const at = Math.floor(bytes.length / 3);
      for (let i = at; i < at + 200; i++) { seed = (seed * 1103515245 + 12345) >>> 0; bytes[i] = seed >>> 24; }
      const bad = writeBytes(dir, `bad_${name}.bin`, bytes);
      await assertCode(() => readAll(bad), "E_CORRUPT", bad).catch((e) => { throw new Error(`${name}: ${e}`); });
    }
  });

  test("empty, garbage and an MP3 frame header with nothing after it", async (t) => {
    const dir = tempDir(t);
    const empty = writeBytes(dir, "empty.mp3", new Uint8Array(0));
    await assertCode(() => readAll(empty), "E_EMPTY_FILE", empty);
    const oggJunk = writeBytes(dir, "junk.ogg", Uint8Array.from([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0]));
    await assertCode(() => readAll(oggJunk), "E_TRUNCATED", oggJunk);
    const lonely = writeBytes(dir, "lonely.mp3", Uint8Array.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0]));
    await assertCode(() => readAll(lonely), "E_TRUNCATED", lonely, /first MPEG audio frame/);
    const ftypOnly = writeBytes(dir, "ftyp.m4a", Uint8Array.from([0, 0, 0, 16, 0x66, 0x74, 0x79, 0x70, 0x4d, 0x34, 0x41, 0x20, 0, 0, 0, 0]));
    await assertCode(() => readAll(ftypOnly), "E_TRUNCATED", ftypOnly, /no moov box/);
  });
});

/** Box offsets of moov > udta > meta > ilst in an MP4 whose moov comes after its mdat. */
function injectItunSmpb(bytes: Uint8Array, value: string): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (p: number) => String.fromCharCode(...bytes.subarray(p + 4, p + 8));
  const find = (start: number, end: number, want: string): number => {
    for (let p = start; p + 8 <= end; p += dv.getUint32(p)) if (type(p) === want) return p;
    throw new Error(`no ${want}`);
  };
  const moov = find(0, bytes.length, "moov");
  assert.ok(moov > find(0, bytes.length, "mdat"), "moov must follow mdat (chunk offsets stay valid)");
  const udta = find(moov + 8, moov + dv.getUint32(moov), "udta");
  const meta = find(udta + 8, udta + dv.getUint32(udta), "meta");
  const ilst = find(meta + 12, meta + dv.getUint32(meta), "ilst");
  const box = (t: string, body: Uint8Array) => {
    const b = new Uint8Array(8 + body.length);
    new DataView(b.buffer).setUint32(0, b.length);
    b.set(Uint8Array.from(t, (c) => c.charCodeAt(0)), 4);
    b.set(body, 8);
    return b;
  };
  const text = (prefix: number[], s: string) => Uint8Array.from([...prefix, ...Array.from(s, (c) => c.charCodeAt(0))]);
  const parts = [box("mean", text([0, 0, 0, 0], "com.apple.iTunes")), box("name", text([0, 0, 0, 0], "iTunSMPB")), box("data", text([0, 0, 0, 1, 0, 0, 0, 0], value))];
  const item = box("----", Uint8Array.from(parts.flatMap((x) => [...x])));
  const at = ilst + dv.getUint32(ilst);
  const out = new Uint8Array(bytes.length + item.length);
  out.set(bytes.subarray(0, at));
  out.set(item, at);
  out.set(bytes.subarray(at), at + item.length);
  const odv = new DataView(out.buffer);
  for (const p of [moov, udta, meta, ilst]) odv.setUint32(p, odv.getUint32(p) + item.length);
  return out;
}

describe("MP4 gapless metadata and the ffmpeg route", () => {
  test("parseItunSmpb reads priming, padding and length (hex fields)", () => {
    assert.deepEqual(parseItunSmpb(" 00000000 00000840 000001C0 0000000000A7D8C0 00000000 00000000"), { primingFrames: 2112, paddingFrames: 448, totalFrames: 11000000 });
    assert.equal(parseItunSmpb("garbage"), null);
    assert.equal(parseItunSmpb(" 00000000 00000840 000001C0 0000000000000000"), null);
  });

  test("an iTunSMPB tag governs the trim: its length is honoured and the click stays put", async (t) => {
    const dir = tempDir(t);
    const frames = 44100, clickAt = 20000;
    const { path: wav } = writeSignal(dir, "s.wav", frames, 44100, clickAt);
    const m4a = join(dir, "s.m4a");
    run("ffmpeg", ["-v", "error", "-y", "-i", wav, "-c:a", "aac", "-f", "ipod", m4a]);
    // ffmpeg's AAC encoder primes 1024 frames; the tag claims a length 1000 frames short.
    const length = frames - 1000;
    const tagged = writeBytes(dir, "tagged.m4a", injectItunSmpb(readFileSync(m4a), ` 00000000 00000400 00000000 ${length.toString(16).padStart(16, "0")}`));
    const { info, data } = await readAll(tagged, 777);
    assert.equal(info.frames, length);
    assert.equal(data[0].length, length);
    assert.equal(argmaxAbs(data[0]), clickAt);
  });

  test("without ffmpeg: E_DECODER_UNAVAILABLE saying how to install it", async (t) => {
    const dir = tempDir(t);
    const { path: wav } = writeSignal(dir, "s.wav", 2000, 44100, 100);
    const m4a = join(dir, "s.m4a");
    run("ffmpeg", ["-v", "error", "-y", "-i", wav, "-c:a", "alac", "-f", "ipod", m4a]);
    const saved = process.env.MASTERSMITH_FFMPEG;
    process.env.MASTERSMITH_FFMPEG = join(dir, "no-such-ffmpeg");
    try {
      await assertCode(() => readAll(m4a), "E_DECODER_UNAVAILABLE", m4a, /apt-get install ffmpeg/);
    } finally {
      if (saved === undefined) delete process.env.MASTERSMITH_FFMPEG;
      else process.env.MASTERSMITH_FFMPEG = saved;
    }
  });
});

describe("sniffing and analyze", () => {
  test("sniffFormat: Ogg, MPEG audio, MP4 by content", () => {
    const h = (bytes: number[]) => Uint8Array.from(bytes);
    assert.equal(sniffFormat(h([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0, 0, 0])), "ogg");
    assert.equal(sniffFormat(h([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0])), "mp3");
    assert.equal(sniffFormat(h([0xff, 0xfb, 0xf0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0])), null); // bitrate index 15
    assert.equal(sniffFormat(h([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x4d, 0x34, 0x41, 0x20])), "mp4");
  });

  test("an MP3 behind an ID3v2 tag opens at the first frame; analyze reads it", async (t) => {
    const dir = tempDir(t);
    const { path: wav } = writeSignal(dir, "s.wav", 44100, 44100, 5000);
    const mp3 = join(dir, "tagged.mp3");
    run("lame", ["--quiet", "-b", "192", "--id3v2-only", "--tt", "A title", "--ta", "An artist", wav, mp3]);
    assert.equal(String.fromCharCode(...readFileSync(mp3).subarray(0, 3)), "ID3");
    const reader = await openAudioFile(mp3);
    assert.equal(reader.info.container, "mp3");
    assert.equal(reader.info.frames, 44100);
    await reader.close();
    const report = await analyzeFile(mp3);
    assert.equal(report.format.container, "mp3");
    assert.equal(report.format.frames, 44100);
    assert.ok(!isMastersmithError(report));
  });
});

test("mono MP3 from ffmpeg's libmp3lame (Lavc tag): one channel, exact length", async (t) => {
  const dir = tempDir(t);
  const mp3 = join(dir, "mono.mp3");
  run("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=440:d=0.5:sample_rate=44100", "-f", "mp3", mp3]);
  const { info, data } = await readAll(mp3, 1000);
  assert.equal(info.channels, 1);
  assert.equal(data.length, 1);
  assert.equal(info.frames, 22050);
  assert.equal(data[0].length, 22050);
});
