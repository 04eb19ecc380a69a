// Compressed inputs (decode-mp3/ogg/mp4.ts): files made by Debian's `lame` and `ffmpeg`
// (libvorbis, libopus, aac, alac) from signals generated here. Lengths equal the original and an
// impulse stays on its sample (gapless trimming exact, not ±1); broken files give coded errors.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isMastersmithError } from "../core/codes.js";
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
