/**
 * `mastersmith convert` as users run it: the built command (bin/mastersmith.js over dist/), in
 * its own process. Decoding for the checks is done by Debian's ffmpeg (our MP3/AAC/Opus decoders
 * are not in yet), tags are read back with ffprobe, FLAC's STREAMINFO with metaflac.
 *
 * Alignment: each test signal has a left impulse at frame 700 and a right impulse (opposite
 * sign) 300 frames before the end; after encode + decode each must still be the largest sample
 * of its channel at exactly the same frame, and the decoded length must equal the original.
 * Exception, measured and asserted as such: ffmpeg 5.1 keeps AAC's end padding when decoding
 * an M4A, so there the decoded length is the original rounded up to whole 1024-frame packets
 * (less the 1024-frame delay); the file itself states the exact length twice (edit list and
 * iTunSMPB), which is checked instead.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { deflateSync } from "node:zlib";
import { createWavWriter } from "../src/io/wav-writer.js";
import { parseBext } from "../src/io/tags-bext.js";
import { readMp4Gapless } from "../src/io/tags-mp4.js";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "bin", "mastersmith.js");

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(cmd: string, args: string[]): Buffer {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr?.toString()}`);
  return r.stdout;
}

/** Decodes with ffmpeg to planar float channels (at `rateHz` when given: Opus decodes at 48 kHz). */
function decode(path: string, channels: number, rateHz?: number): Float32Array[] {
  const raw = run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:a", ...(rateHz ? ["-ar", String(rateHz)] : []), "-f", "f32le", "-"]);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const frames = all.length / channels;
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_v, i) => all[i * channels + c]));
}

function argmaxAbs(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (Math.abs(x[i]) > Math.abs(x[best])) best = i;
  return best;
}

function probeTags(path: string): Record<string, string> {
  const out = JSON.parse(run("ffprobe", ["-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json", path]).toString());
  return { ...(out.streams?.[0]?.tags ?? {}), ...(out.format?.tags ?? {}) };
}

function streamsOf(path: string): { codec_name: string; disposition?: { attached_pic?: number } }[] {
  return JSON.parse(run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name:stream_disposition=attached_pic", "-of", "json", path]).toString()).streams;
}

/** The body of the first RIFF chunk `id` (chunks are walked from byte 12). */
function riffChunk(path: string, id: string): Buffer | null {
  const b = readFileSync(path);
  for (let p = 12; p + 8 <= b.length;) {
    const size = b.readUInt32LE(p + 4);
    if (b.toString("latin1", p, p + 4) === id) return b.subarray(p + 8, p + 8 + size);
    p += 8 + size + (size & 1);
  }
  return null;
}

const PULSE_LEFT_AT = 700;
const pulseRightAt = (frames: number) => frames - 300;

async function impulseWav(path: string, sampleRateHz: number, frames: number, bitDepth: 16 | 24 = 24): Promise<void> {
  const w = await createWavWriter(path, { sampleRateHz, channels: 2, bitDepth, sampleFormat: "int" });
  const l = new Float32Array(frames);
  const r = new Float32Array(frames);
  l[PULSE_LEFT_AT] = 0.5;
  r[pulseRightAt(frames)] = -0.5;
  await w.write([l, r], frames);
  await w.close();
}

/** A noise-like but deterministic 24-bit signal (LCG), ~-20 dBFS, for the word-length tests. */
async function noiseWav(path: string, sampleRateHz: number, frames: number, bitDepth: 16 | 24): Promise<void> {
  const w = await createWavWriter(path, { sampleRateHz, channels: 2, bitDepth, sampleFormat: "int" });
  let s = 12345;
  const q = 2 ** (bitDepth - 1);
  const ch = [new Float32Array(frames), new Float32Array(frames)];
  for (let i = 0; i < frames; i++) {
    for (const c of ch) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      c[i] = Math.round(((s / 2 ** 32) - 0.5) * 0.2 * q) / q;
    }
  }
  await w.write(ch, frames);
  await w.close();
}

function sineWav(path: string, sampleRateHz: number, seconds: number, peakDbfs: number): Promise<void> {
  return (async () => {
    const frames = sampleRateHz * seconds;
    const w = await createWavWriter(path, { sampleRateHz, channels: 2, bitDepth: 24, sampleFormat: "int" });
    const amp = 10 ** (peakDbfs / 20);
    const a = new Float32Array(frames);
    for (let i = 0; i < frames; i++) a[i] = amp * Math.sin((2 * Math.PI * 1000 * i) / sampleRateHz);
    await w.write([a, a], frames);
    await w.close();
  })();
}

/** A 2×2 PNG (valid CRCs) for cover-art tests. */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0); ihdr.writeUInt32BE(2, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255, 255]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

let dir = "";
const RATES = [44100, 48000];
const LENGTHS = [2000, 44100, 56789];
const FORMATS = [".wav", ".flac", ".mp3", ".m4a", ".opus"];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mastersmith-convert-"));
  for (const rate of RATES) for (const n of LENGTHS) await impulseWav(join(dir, `imp-${rate}-${n}.wav`), rate, n);
  writeFileSync(join(dir, "cover.png"), tinyPng());
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("mastersmith convert", () => {
  test("sample alignment and length after encode + decode: WAV, FLAC, MP3 (VBR V0), AAC, Opus at 44.1/48 kHz", () => {
    const aacLengths: string[] = [];
    for (const rate of RATES) {
      for (const n of LENGTHS) {
        for (const ext of FORMATS) {
          const input = join(dir, `imp-${rate}-${n}.wav`);
          const output = join(dir, `out-${rate}-${n}${ext}`);
          const r = cli("convert", input, "-o", output);
          assert.equal(r.status, 0, r.stderr);
          const [l, rr] = decode(output, 2, ext === ".opus" ? rate : undefined);
          const where = `${ext} ${rate} Hz, ${n} frames`;
          assert.equal(argmaxAbs(l), PULSE_LEFT_AT, `left impulse moved: ${where}`);
          assert.equal(argmaxAbs(rr), pulseRightAt(n), `right impulse moved: ${where}`);
          assert.ok(rr[pulseRightAt(n)] < 0 && l[PULSE_LEFT_AT] > 0, `polarity: ${where}`);
          if (ext === ".m4a") {
            // ffmpeg 5.1 keeps the end padding: whole packets minus the delay.
            const g = readMp4Gapless(output);
            assert.equal(g.editMediaTime, 1024, `edit list skips the encoder delay: ${where}`);
            assert.equal(g.movieTimescale, rate);
            assert.equal(g.editDurationMovie, n, `edit list duration = original length: ${where}`);
            const smpb = probeTags(output).iTunSMPB.trim().split(" ").map((h) => parseInt(h, 16));
            assert.deepEqual([smpb[1], smpb[1] + smpb[2] + smpb[3], smpb[3]], [1024, g.packetCount * 1024, n], `iTunSMPB: ${where}`);
            // ffmpeg 5.1 keeps the end padding; a decoder that honours the edit list end gives n.
            assert.ok(l.length === g.packetCount * 1024 - 1024 || l.length === n, `AAC decode length ${l.length}: ${where}`);
            aacLengths.push(`${rate}/${n}->${l.length}`);
          } else {
            assert.equal(l.length, n, `decoded length: ${where}`);
          }
        }
      }
    }
    assert.equal(aacLengths.length, 6);
  });

  test("MP3 CBR 320 has a LAME info frame with the delay and padding; ffmpeg trims them exactly", () => {
    const input = join(dir, "imp-44100-56789.wav");
    const output = join(dir, "cbr.mp3");
    const r = cli("convert", input, "-o", output, "--bitrate", "320");
    assert.equal(r.status, 0, r.stderr);
    const bytes = readFileSync(output);
    const info = bytes.indexOf("Info"); // "Info" = the Xing header of a CBR file
    assert.ok(info > 0, "Xing/Info frame present");
    const lame = bytes.indexOf("LAME", info);
    assert.ok(lame > info && lame - info < 160, "LAME extension after the Xing header");
    // LAME tag rev1: 12 bits encoder delay, 12 bits padding at byte 21 of the extension.
    const d = bytes.subarray(lame + 21, lame + 24);
    const delay = (d[0] << 4) | (d[1] >> 4);
    const padding = ((d[1] & 0x0f) << 8) | d[2];
    assert.equal(delay, 576, "LAME's encoder delay");
    const frames = ((56789 + delay + padding) / 1152);
    assert.ok(Number.isInteger(frames), `delay + length + padding = whole frames (${frames})`);
    const [l] = decode(output, 2);
    assert.equal(l.length, 56789);
    assert.equal(argmaxAbs(l), PULSE_LEFT_AT);
    assert.match(JSON.parse(run("ffprobe", ["-v", "error", "-show_entries", "format=bit_rate", "-of", "json", output]).toString()).format.bit_rate, /^3[12]\d{4}$/);
  });

  test("tags read back with ffprobe in every format, cover art where the format holds it", () => {
    const input = join(dir, "imp-48000-44100.wav");
    const tags = ["title=Tïtle", "artist=Art", "album=Alb", "albumartist=Alb Art", "track=3/12", "year=2024", "genre=Electronic", "isrc=US-ABC-24-00001", "comment=Hi", `cover=${join(dir, "cover.png")}`];
    const want = { title: "Tïtle", artist: "Art", album: "Alb", genre: "Electronic", comment: "Hi" };
    for (const ext of FORMATS) {
      const output = join(dir, `tags${ext}`);
      const r = cli("convert", input, "-o", output, ...tags.flatMap((t) => ["--tag", t]));
      assert.equal(r.status, 0, r.stderr);
      const t = probeTags(output);
      const lower = Object.fromEntries(Object.entries(t).map(([k, v]) => [k.toLowerCase(), v]));
      for (const [k, v] of Object.entries(want)) assert.equal(lower[k], v, `${ext} ${k}`);
      assert.ok(lower.date?.startsWith("2024"), `${ext} date`);
      assert.match(lower.track ?? lower.tracknumber, /^3/, `${ext} track`);
      assert.ok(streamsOf(output).some((s) => s.codec_name === "png"), `${ext} cover`);
      if (ext === ".wav") continue; // album artist and ISRC live in the id3 chunk: checked below
      assert.equal(lower.album_artist ?? lower.albumartist, "Alb Art", `${ext} album artist`);
      assert.equal(lower.isrc ?? lower.tsrc, "USABC2400001", `${ext} ISRC`);
    }
    // ffmpeg's WAV demuxer ignores the id3 chunk's text when INFO/bext give metadata; the chunk
    // itself is a complete ID3v2 tag, so put it in front of an MP3 and let ffprobe read it.
    const id3 = riffChunk(join(dir, "tags.wav"), "id3 ");
    assert.ok(id3 !== null && id3.subarray(0, 3).toString() === "ID3");
    const bare = join(dir, "bare.mp3");
    assert.equal(cli("convert", input, "-o", bare).status, 0);
    const probe = join(dir, "id3probe.mp3");
    writeFileSync(probe, Buffer.concat([id3, readFileSync(bare)]));
    const t = probeTags(probe);
    assert.equal(t.TSRC, "USABC2400001");
    assert.equal(t.album_artist, "Alb Art");
    assert.equal(t.title, "Tïtle");
  });

  test("FLAC: STREAMINFO total samples and MD5 match the decoded audio; 24-bit source stays bit-exact", () => {
    const input = join(dir, "noise24.wav");
    const output = join(dir, "noise24.flac");
    return noiseWav(input, 44100, 56789, 24).then(() => {
      const r = cli("convert", input, "-o", output, "--json");
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).output.dither, null);
      const [total, md5] = run("metaflac", ["--show-total-samples", "--show-md5sum", output]).toString().trim().split("\n");
      assert.equal(Number(total), 56789);
      const pcm = run("ffmpeg", ["-v", "error", "-i", output, "-f", "s24le", "-"]);
      assert.equal(createHash("md5").update(pcm).digest("hex"), md5);
      const source = run("ffmpeg", ["-v", "error", "-i", input, "-f", "s24le", "-"]);
      assert.ok(source.equals(pcm), "FLAC 24 from a 24-bit source is bit-exact");
    });
  });

  test("word length: 24→24 WAV bit-exact (no dither); 24→16 TPDF-dithered, seeded, seed recorded; 16→16 bit-exact", async () => {
    const in24 = join(dir, "w24.wav");
    const in16 = join(dir, "w16.wav");
    await noiseWav(in24, 48000, 48000, 24);
    await noiseWav(in16, 48000, 48000, 16);
    const pcm = (path: string, f: string) => run("ffmpeg", ["-v", "error", "-i", path, "-f", f, "-"]);

    assert.equal(cli("convert", in24, "-o", join(dir, "w24-24.wav")).status, 0);
    assert.ok(pcm(in24, "s24le").equals(pcm(join(dir, "w24-24.wav"), "s24le")), "24 → 24 bit-exact");
    assert.equal(cli("convert", in16, "-o", join(dir, "w16-16.wav")).status, 0);
    assert.ok(pcm(in16, "s16le").equals(pcm(join(dir, "w16-16.wav"), "s16le")), "16 → 16 bit-exact");

    const a = cli("convert", in24, "-o", join(dir, "d1.wav"), "--bit-depth", "16", "--json");
    const b = cli("convert", in24, "-o", join(dir, "d2.wav"), "--bit-depth", "16", "--seed", "1");
    const c = cli("convert", in24, "-o", join(dir, "d3.wav"), "--bit-depth", "16", "--seed", "99");
    const n = cli("convert", in24, "-o", join(dir, "d0.wav"), "--bit-depth", "16", "--dither", "none");
    for (const x of [a, b, c, n]) assert.equal(x.status, 0, x.stderr);
    assert.deepEqual(JSON.parse(a.stdout).output.dither, { shape: "tpdf", seed: 1, bitDepth: 16 });
    const d1 = pcm(join(dir, "d1.wav"), "s16le");
    assert.ok(d1.equals(pcm(join(dir, "d2.wav"), "s16le")), "same seed, same samples");
    assert.ok(!d1.equals(pcm(join(dir, "d3.wav"), "s16le")), "another seed, other samples");
    // Error against the 24-bit source, in 16-bit LSBs: plain rounding stays within ±0.5 LSB;
    // TPDF (two uniform ±0.5 LSB) adds 1/6 LSB²: total error variance 1/12 + 1/6 = 1/4 LSB²
    // (the textbook 4.8 dB penalty), and the error never exceeds ±1.5 LSB.
    const src = new Int32Array(pcm(in24, "s32le").buffer.slice(0));
    const err = (buf: Buffer) => {
      const q = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      let sum2 = 0;
      let max = 0;
      for (let i = 0; i < q.length; i++) {
        const e = q[i] - src[i] / 65536;
        sum2 += e * e;
        max = Math.max(max, Math.abs(e));
      }
      return { variance: sum2 / q.length, max };
    };
    const dithered = err(d1);
    const rounded = err(pcm(join(dir, "d0.wav"), "s16le"));
    assert.ok(rounded.max <= 0.5 + 1e-9 && Math.abs(rounded.variance - 1 / 12) < 0.01, `rounded ${JSON.stringify(rounded)}`);
    assert.ok(Math.abs(dithered.variance - 1 / 4) < 0.01 && dithered.max <= 1.5 + 1e-9, `dithered ${JSON.stringify(dithered)}`);
    const bext = parseBext(riffChunk(join(dir, "d1.wav"), "bext")!);
    assert.match(bext.codingHistory, /W=16.*dither tpdf seed 1/);
    assert.match(probeTags(join(dir, "d1.wav")).coding_history, /seed 1/);
  });

  test("bext v2 loudness fields hold the output's measured loudness (EBU calibration sine: -18 LUFS)", async () => {
    const input = join(dir, "cal.wav");
    await sineWav(input, 48000, 20, -18);
    const r = cli("convert", input, "-o", join(dir, "cal-out.wav"), "--json");
    assert.equal(r.status, 0, r.stderr);
    const b = parseBext(riffChunk(join(dir, "cal-out.wav"), "bext")!);
    assert.equal(b.version, 2);
    // Stored as round(100 × value): the meter's -18.00x may land on -17.99.
    for (const v of [b.integratedLufs, b.maxMomentaryLufs, b.maxShortTermLufs]) assert.ok(v !== null && Math.abs(v - -18) <= 0.011, `loudness ${v}`);
    assert.equal(b.loudnessRangeLu, 0);
    assert.ok(b.maxTruePeakDbtp !== null && b.maxTruePeakDbtp >= -18.01 && b.maxTruePeakDbtp <= -17.9, `true peak ${b.maxTruePeakDbtp}`);
    assert.equal(b.originator, "Mastersmith 0.1.0");
    // ffmpeg reads the same chunk (its v1 fields) and our reader opens the file.
    assert.equal(probeTags(join(dir, "cal-out.wav")).encoded_by, "Mastersmith 0.1.0");
    const analyzed = JSON.parse(cli("analyze", "--json", join(dir, "cal-out.wav")).stdout)[0];
    assert.equal(analyzed.format.frames, 960000);
  });

  test("never overwrites without --force (E_OUTPUT_EXISTS), replaces with it, leaves no partial files", () => {
    const input = join(dir, "imp-48000-2000.wav");
    for (const ext of FORMATS) {
      const output = join(dir, `exists${ext}`);
      writeFileSync(output, "precious");
      const r = cli("convert", input, "-o", output);
      assert.equal(r.status, 1, ext);
      assert.match(r.stderr, /E_OUTPUT_EXISTS/);
      assert.equal(readFileSync(output, "utf8"), "precious");
      const f = cli("convert", input, "-o", output, "--force");
      assert.equal(f.status, 0, f.stderr);
      assert.notEqual(readFileSync(output, "utf8").slice(0, 8), "precious");
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".partial-")), []);
  });

  test("usage errors: unknown extension, bad options, --sample-rate without a resampler, missing input", () => {
    const input = join(dir, "imp-48000-2000.wav");
    const cases: [string[], number, RegExp][] = [
      [["convert", input, "-o", join(dir, "x.xyz")], 2, /unknown output extension/],
      [["convert", input, "-o", join(dir, "x.wav"), "--bit-depth", "20"], 2, /--bit-depth/],
      [["convert", input, "-o", join(dir, "x.flac"), "--bit-depth", "32f"], 2, /FLAC holds 16 or 24/],
      [["convert", input, "-o", join(dir, "x.wav"), "--tag", "colour=red"], 2, /unknown key/],
      [["convert", input, "-o", join(dir, "x.mp3"), "--bitrate", "300"], 2, /MP3 bitrate/],
      [["convert", input], 2, /-o OUT/],
      [["convert", join(dir, "missing.wav"), "-o", join(dir, "x.wav")], 1, /E_NOT_FOUND/],
    ];
    for (const [args, status, message] of cases) {
      const r = cli(...args);
      assert.equal(r.status, status, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("x.") || f.includes(".partial-")), []);
  });

  test("--sample-rate 44100 → 48000: length round(N·L/M), impulses at round(n·L/M), 16-bit output dithered", () => {
    const n = 56789;
    const output = join(dir, "sr.wav");
    const r = cli("convert", join(dir, `imp-44100-${n}.wav`), "-o", output, "--sample-rate", "48000", "--bit-depth", "16", "--json");
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.output.sampleRateHz, 48000);
    assert.equal(report.output.dither?.shape, "tpdf", "resampled samples are dithered even at the source's word length");
    const [l, rr] = decode(output, 2);
    const ratio = 48000 / 44100;
    assert.equal(l.length, Math.round(n * ratio));
    assert.equal(argmaxAbs(l), Math.round(PULSE_LEFT_AT * ratio));
    assert.equal(argmaxAbs(rr), Math.round(pulseRightAt(n) * ratio));
  });
});
