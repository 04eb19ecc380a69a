// WAV / RF64 / BW64 / AIFF / AIFC readers: every variant round-trips known sample values.
// Files are built in the test: by hand (odd chunks, pad bytes, lying sizes), and by sox/ffmpeg.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readExtended80, writeExtended80 } from "./aiff.js";
import {
  commBody, container, encodeSamples, fmtBody, readAll, run, ssndBody, tempDir, writeBytes, type SampleKind,
} from "./fixtures.case.js";
import { sniffFormat } from "./open.js";

/** Integer codes for `bits`-bit samples that exercise both extremes, zero, ±1 and mid values. */
function codes(bits: number, frames: number, seed: number): number[] {
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  const base = [min, max, 0, 1, -1, min + 1, max - 1];
  const out: number[] = [];
  for (let i = 0; i < frames; i++) out.push(i < base.length ? base[(i + seed) % base.length] : Math.round(Math.sin(i * 0.37 + seed) * max * 0.9));
  return out;
}

function assertSamples(actual: Float32Array, expected: number[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== Math.fround(expected[i])) assert.fail(`${label}: sample ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe("WAV variants (hand-built)", () => {
  const frames = 1001; // odd: exercises the leftover-sample paths
  const cases: { name: string; kind: SampleKind; bits: number; tag: number; channels: number; codec: string }[] = [
    { name: "PCM 8-bit (unsigned)", kind: "u8", bits: 8, tag: 1, channels: 2, codec: "pcm_u8" },
    { name: "PCM 16-bit", kind: "s16", bits: 16, tag: 1, channels: 2, codec: "pcm_s16le" },
    { name: "PCM 24-bit stereo", kind: "s24", bits: 24, tag: 1, channels: 2, codec: "pcm_s24le" },
    { name: "PCM 24-bit mono", kind: "s24", bits: 24, tag: 1, channels: 1, codec: "pcm_s24le" },
    { name: "PCM 24-bit 3 channels", kind: "s24", bits: 24, tag: 1, channels: 3, codec: "pcm_s24le" },
    { name: "PCM 32-bit", kind: "s32", bits: 32, tag: 1, channels: 2, codec: "pcm_s32le" },
    { name: "IEEE float 32", kind: "f32", bits: 32, tag: 3, channels: 2, codec: "pcm_f32le" },
    { name: "IEEE float 64", kind: "f64", bits: 64, tag: 3, channels: 2, codec: "pcm_f64le" },
  ];
  for (const c of cases) {
    test(c.name, async (t) => {
      const dir = tempDir(t);
      const isFloat = c.kind.startsWith("f");
      const chans = Array.from({ length: c.channels }, (_, ch) =>
        isFloat ? codes(24, frames, ch).map((v) => v / 8388608 * 1.5) : codes(c.bits, frames, ch).map((v) => (c.kind === "u8" ? v + 128 : v)));
      const bytes = container("RIFF", "WAVE", [
        { id: "fmt ", body: fmtBody({ tag: c.tag, channels: c.channels, sampleRateHz: 44100, bits: c.bits }) },
        { id: "data", body: encodeSamples(c.kind, chans, true) },
      ], true);
      const path = writeBytes(dir, "x.bin", bytes); // no extension: detection is by content
      for (const blockFrames of [1, 7, 4096]) {
        const { info, data } = await readAll(path, blockFrames);
        assert.equal(info.container, "wav");
        assert.equal(info.codec, c.codec);
        assert.equal(info.frames, frames);
        assert.equal(info.channels, c.channels);
        assert.equal(info.bitDepth, c.bits);
        assert.equal(info.sampleFormat, isFloat ? "float" : "int");
        for (let ch = 0; ch < c.channels; ch++) {
          const expected = isFloat ? chans[ch] : chans[ch].map((v) => (c.kind === "u8" ? (v - 128) / 128 : v / 2 ** (c.bits - 1)));
          assertSamples(data[ch], expected, `${c.name} ch${ch} block ${blockFrames}`);
        }
      }
    });
  }

  test("WAVE_FORMAT_EXTENSIBLE: channel mask reported, 20 valid bits in 24, 6 channels", async (t) => {
    const dir = tempDir(t);
    const chans = Array.from({ length: 6 }, (_, ch) => codes(20, 50, ch).map((v) => v * 16)); // left-justified
    const path = writeBytes(dir, "ext.wav", container("RIFF", "WAVE", [
      { id: "fmt ", body: fmtBody({ tag: 0xfffe, channels: 6, sampleRateHz: 48000, bits: 24, validBits: 20, channelMask: 0x3f }) },
      { id: "data", body: encodeSamples("s24", chans, true) },
    ], true));
    const { info, data } = await readAll(path);
    assert.equal(info.channelMask, 0x3f);
    assert.equal(info.bitDepth, 20);
    assert.equal(info.codec, "pcm_s24le");
    for (let ch = 0; ch < 6; ch++) assertSamples(data[ch], chans[ch].map((v) => v / 8388608), `ch${ch}`);
  });

  test("extensible IEEE float subformat", async (t) => {
    const dir = tempDir(t);
    const chans = [[0.5, -0.25, 1.5, -2], [0, 1e-9, -1, 0.125]];
    const path = writeBytes(dir, "extf.wav", container("RIFF", "WAVE", [
      { id: "fmt ", body: fmtBody({ tag: 0xfffe, channels: 2, sampleRateHz: 96000, bits: 32, subFormat: 3, channelMask: 3 }) },
      { id: "data", body: encodeSamples("f32", chans, true) },
    ], true));
    const { info, data } = await readAll(path);
    assert.equal(info.sampleFormat, "float");
    assert.equal(info.codec, "pcm_f32le");
    assertSamples(data[0], chans[0], "L");
    assertSamples(data[1], chans[1], "R");
  });

  test("odd-sized unknown chunks with pad bytes are skipped, fmt after data, trailing LIST", async (t) => {
    const dir = tempDir(t);
    const chans = [codes(16, 33, 0), codes(16, 33, 1)];
    const path = writeBytes(dir, "odd.wav", container("RIFF", "WAVE", [
      { id: "junk", body: new Uint8Array(13).fill(0x55) },
      { id: "bext", body: new Uint8Array(7).fill(0xff) },
      { id: "data", body: encodeSamples("s16", chans, true) },
      { id: "abcd", body: new Uint8Array(3) },
      { id: "fmt ", body: fmtBody({ channels: 2, sampleRateHz: 44100, bits: 16 }) },
      { id: "LIST", body: new Uint8Array(9) },
    ], true));
    const { info, data } = await readAll(path);
    assert.equal(info.frames, 33);
    assertSamples(data[0], chans[0].map((v) => v / 32768), "L");
    assertSamples(data[1], chans[1].map((v) => v / 32768), "R");
  });

  test("odd-sized data chunk (24-bit mono, odd frames) followed by a chunk after its pad byte", async (t) => {
    const dir = tempDir(t);
    const chans = [codes(24, 7, 3)];
    const path = writeBytes(dir, "oddpad.wav", container("RIFF", "WAVE", [
      { id: "fmt ", body: fmtBody({ channels: 1, sampleRateHz: 44100, bits: 24 }) },
      { id: "data", body: encodeSamples("s24", chans, true) },
      { id: "LIST", body: new Uint8Array(4) },
    ], true));
    const { data } = await readAll(path);
    assertSamples(data[0], chans[0].map((v) => v / 8388608), "mono");
  });

  for (const outer of ["RF64", "BW64"] as const) {
    test(`${outer} header with ds64 on a small file`, async (t) => {
      const dir = tempDir(t);
      const chans = [codes(24, 100, 0), codes(24, 100, 1)];
      const samples = encodeSamples("s24", chans, true);
      const ds64 = new Uint8Array(28);
      const dv = new DataView(ds64.buffer);
      dv.setBigUint64(0, BigInt(4 + 36 + 24 + 8 + samples.length), true);
      dv.setBigUint64(8, BigInt(samples.length), true);
      dv.setBigUint64(16, 100n, true);
      const path = writeBytes(dir, "rf.wav", container(outer, "WAVE", [
        { id: "ds64", body: ds64 },
        { id: "fmt ", body: fmtBody({ channels: 2, sampleRateHz: 48000, bits: 24 }) },
        { id: "data", body: samples, sizeOverride: 0xffffffff },
      ], true, 0xffffffff));
      const { info, data } = await readAll(path);
      assert.equal(info.container, outer.toLowerCase());
      assert.equal(info.frames, 100);
      assertSamples(data[0], chans[0].map((v) => v / 8388608), "L");
      assertSamples(data[1], chans[1].map((v) => v / 8388608), "R");
    });
  }
});

describe("AIFF and AIFC variants (hand-built)", () => {
  const cases: { name: string; form: "AIFF" | "AIFC"; compression?: string; kind: SampleKind; bits: number; le: boolean; codec: string }[] = [
    { name: "AIFF 8-bit (signed)", form: "AIFF", kind: "s8", bits: 8, le: false, codec: "pcm_s8" },
    { name: "AIFF 16-bit", form: "AIFF", kind: "s16", bits: 16, le: false, codec: "pcm_s16be" },
    { name: "AIFF 24-bit", form: "AIFF", kind: "s24", bits: 24, le: false, codec: "pcm_s24be" },
    { name: "AIFF 32-bit", form: "AIFF", kind: "s32", bits: 32, le: false, codec: "pcm_s32be" },
    { name: "AIFC NONE 24-bit", form: "AIFC", compression: "NONE", kind: "s24", bits: 24, le: false, codec: "pcm_s24be" },
    { name: "AIFC twos 16-bit", form: "AIFC", compression: "twos", kind: "s16", bits: 16, le: false, codec: "pcm_s16be" },
    { name: "AIFC sowt 16-bit", form: "AIFC", compression: "sowt", kind: "s16", bits: 16, le: true, codec: "pcm_s16le" },
    { name: "AIFC sowt 24-bit", form: "AIFC", compression: "sowt", kind: "s24", bits: 24, le: true, codec: "pcm_s24le" },
    { name: "AIFC fl32", form: "AIFC", compression: "fl32", kind: "f32", bits: 32, le: false, codec: "pcm_f32be" },
    { name: "AIFC fl64", form: "AIFC", compression: "fl64", kind: "f64", bits: 64, le: false, codec: "pcm_f64be" },
  ];
  for (const c of cases) {
    test(c.name, async (t) => {
      const dir = tempDir(t);
      const frames = 257;
      const isFloat = c.kind.startsWith("f");
      const chans = [0, 1].map((ch) => (isFloat ? codes(24, frames, ch).map((v) => v / 8388608) : codes(c.bits, frames, ch)));
      // COMM after SSND, an odd unknown chunk, and an SSND offset: all legal, all must be handled.
      const path = writeBytes(dir, "x.snd", container("FORM", c.form, [
        ...(c.form === "AIFC" ? [{ id: "FVER", body: new Uint8Array([0xa2, 0x80, 0x51, 0x40]) }] : []),
        { id: "SSND", body: ssndBody(encodeSamples(c.kind, chans, c.le), 3) },
        { id: "ANNO", body: new Uint8Array(5) },
        { id: "COMM", body: commBody(2, frames, c.bits, 44100, c.compression) },
      ], false));
      const { info, data } = await readAll(path, 100);
      assert.equal(info.container, c.form.toLowerCase());
      assert.equal(info.codec, c.codec);
      assert.equal(info.sampleRateHz, 44100);
      assert.equal(info.frames, frames);
      for (let ch = 0; ch < 2; ch++) {
        assertSamples(data[ch], isFloat ? chans[ch] : chans[ch].map((v) => v / 2 ** (c.bits - 1)), `${c.name} ch${ch}`);
      }
    });
  }

  test("80-bit extended sample rates", () => {
    const b = new Uint8Array(10);
    writeExtended80(44100, b, 0);
    assert.deepEqual([...b], [0x40, 0x0e, 0xac, 0x44, 0, 0, 0, 0, 0, 0]); // the well-known AIFF bytes
    for (const rateHz of [1000, 8000, 22050, 44100, 48000, 88200, 96000, 176400, 192000, 384000, 768000, 0.5]) {
      writeExtended80(rateHz, b, 0);
      assert.equal(readExtended80(b, 0), rateHz);
    }
  });
});

describe("files written by sox and ffmpeg", () => {
  // Reference: 16-bit codes that are multiples of 256, so every conversion below (down to
  // 8-bit) is exact and all decode to the same floats.
  const frames = 2000;
  const ref = [0, 1].map((ch) => codes(16, frames, ch).map((v) => Math.max(-32768, Math.min(32512, Math.round(v / 256) * 256))));
  const expected = ref.map((chan) => chan.map((v) => v / 32768));

  const variants: { tool: "ffmpeg" | "sox"; out: string; args: string[]; container: string; codec: string }[] = [
    { tool: "ffmpeg", out: "u8.wav", args: ["-c:a", "pcm_u8"], container: "wav", codec: "pcm_u8" },
    { tool: "ffmpeg", out: "s16.wav", args: ["-c:a", "pcm_s16le"], container: "wav", codec: "pcm_s16le" },
    { tool: "ffmpeg", out: "s24.wav", args: ["-c:a", "pcm_s24le"], container: "wav", codec: "pcm_s24le" },
    { tool: "ffmpeg", out: "s32.wav", args: ["-c:a", "pcm_s32le"], container: "wav", codec: "pcm_s32le" },
    { tool: "ffmpeg", out: "f32.wav", args: ["-c:a", "pcm_f32le"], container: "wav", codec: "pcm_f32le" },
    { tool: "ffmpeg", out: "f64.wav", args: ["-c:a", "pcm_f64le"], container: "wav", codec: "pcm_f64le" },
    { tool: "ffmpeg", out: "rf64.wav", args: ["-c:a", "pcm_s24le", "-rf64", "always"], container: "rf64", codec: "pcm_s24le" },
    { tool: "ffmpeg", out: "s16.aiff", args: ["-c:a", "pcm_s16be"], container: "aiff", codec: "pcm_s16be" },
    { tool: "ffmpeg", out: "s24.aiff", args: ["-c:a", "pcm_s24be"], container: "aiff", codec: "pcm_s24be" },
    { tool: "ffmpeg", out: "s32.aiff", args: ["-c:a", "pcm_s32be"], container: "aiff", codec: "pcm_s32be" },
    { tool: "ffmpeg", out: "s8.aiff", args: ["-c:a", "pcm_s8"], container: "aiff", codec: "pcm_s8" },
    { tool: "ffmpeg", out: "sowt.aifc", args: ["-c:a", "pcm_s16le"], container: "aifc", codec: "pcm_s16le" },
    { tool: "ffmpeg", out: "fl32.aifc", args: ["-c:a", "pcm_f32be"], container: "aifc", codec: "pcm_f32be" },
    { tool: "ffmpeg", out: "fl64.aifc", args: ["-c:a", "pcm_f64be"], container: "aifc", codec: "pcm_f64be" },
    { tool: "sox", out: "sox24.aiff", args: ["-b", "24"], container: "aiff", codec: "pcm_s24be" },
    { tool: "sox", out: "soxf32.aifc", args: ["-e", "floating-point", "-b", "32"], container: "aifc", codec: "pcm_f32be" },
    { tool: "sox", out: "sox8.wav", args: ["-b", "8"], container: "wav", codec: "pcm_u8" },
    { tool: "sox", out: "sox24.wav", args: ["-b", "24"], container: "wav", codec: "pcm_s24le" },
  ];

  test("every variant decodes to the reference samples exactly", async (t) => {
    const dir = tempDir(t);
    const src = writeBytes(dir, "ref.wav", container("RIFF", "WAVE", [
      { id: "fmt ", body: fmtBody({ channels: 2, sampleRateHz: 44100, bits: 16 }) },
      { id: "data", body: encodeSamples("s16", ref, true) },
    ], true));
    for (const v of variants) {
      const out = `${dir}/${v.out}`;
      if (v.tool === "ffmpeg") {
        // ffmpeg picks AIFC for .aifc only with -f aiff and a non-twos codec; name decides the rest.
        run("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-i", src, ...v.args, ...(v.out.endsWith(".aifc") ? ["-f", "aiff"] : []), out]);
      } else {
        run("sox", ["-D", src, ...v.args, out]); // -D: no dither, so the 8-bit result is exact
      }
      const { info, data } = await readAll(out, 333);
      assert.equal(info.container, v.container, v.out);
      assert.equal(info.codec, v.codec, v.out);
      assert.equal(info.frames, frames, v.out);
      assert.equal(info.sampleRateHz, 44100, v.out);
      assertSamples(data[0], expected[0], `${v.out} L`);
      assertSamples(data[1], expected[1], `${v.out} R`);
    }
  });
});

test("sniffFormat reads the magic bytes, not the name", () => {
  const h = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  assert.equal(sniffFormat(h("RIFF\0\0\0\0WAVEfmt ")), "wav");
  assert.equal(sniffFormat(h("RF64\xff\xff\xff\xffWAVEds64")), "rf64");
  assert.equal(sniffFormat(h("BW64\xff\xff\xff\xffWAVEds64")), "bw64");
  assert.equal(sniffFormat(h("FORM\0\0\0\0AIFFCOMM")), "aiff");
  assert.equal(sniffFormat(h("FORM\0\0\0\0AIFCFVER")), "aifc");
  assert.equal(sniffFormat(h("fLaC\0\0\0\x22")), "flac");
  assert.equal(sniffFormat(h("RIFF\0\0\0\0AVI LIST")), null);
  assert.equal(sniffFormat(h("%PDF-1.7\n%\xe2\xe3")), null);
  assert.equal(sniffFormat(h("RIF")), null);
});
