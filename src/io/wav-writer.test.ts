// The streaming WAV writer: round trips through our reader and through ffprobe / sox --i,
// rounding and clamping, extensible headers, RF64 switch, no overwrite, no partial files left.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isMastersmithError } from "../core/codes.js";
import { assertCode, readAll, rng, run, tempDir } from "./fixtures.case.js";
import { createWavWriter, type WavWriterOptions } from "./wav-writer.js";

function signal(channels: number, frames: number, seed: number): Float32Array[] {
  const random = rng(seed);
  return Array.from({ length: channels }, () => Float32Array.from({ length: frames }, () => random() * 2 - 1));
}

async function writeFile(path: string, options: WavWriterOptions, planes: Float32Array[], blockFrames = 1000): Promise<void> {
  const writer = await createWavWriter(path, options);
  const frames = planes[0].length;
  for (let start = 0; start < frames; start += blockFrames) {
    const n = Math.min(blockFrames, frames - start);
    await writer.write(planes.map((p) => p.subarray(start, start + n)), n);
  }
  await writer.close();
}

function ffprobe(path: string): Record<string, string> {
  const out = run("ffprobe", ["-v", "error", "-show_streams", "-show_format", "-of", "flat", path]);
  const fields: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const m = /^(?:streams\.stream\.0|format)\.(\w+)="?([^"]*)"?$/.exec(line);
    if (m) fields[m[1]] = m[2];
  }
  return fields;
}

describe("createWavWriter", () => {
  const variants: { options: WavWriterOptions; codec: string; container: string; extensible: boolean }[] = [
    { options: { sampleRateHz: 44100, channels: 2, bitDepth: 16, sampleFormat: "int" }, codec: "pcm_s16le", container: "wav", extensible: false },
    { options: { sampleRateHz: 48000, channels: 2, bitDepth: 24, sampleFormat: "int" }, codec: "pcm_s24le", container: "wav", extensible: true },
    { options: { sampleRateHz: 96000, channels: 1, bitDepth: 32, sampleFormat: "int" }, codec: "pcm_s32le", container: "wav", extensible: true },
    { options: { sampleRateHz: 48000, channels: 2, bitDepth: 32, sampleFormat: "float" }, codec: "pcm_f32le", container: "wav", extensible: true },
    { options: { sampleRateHz: 48000, channels: 6, bitDepth: 16, sampleFormat: "int", channelMask: 0x60f }, codec: "pcm_s16le", container: "wav", extensible: true },
  ];

  for (const v of variants) {
    const o = v.options;
    test(`${o.channels} ch ${o.bitDepth}-bit ${o.sampleFormat}: our reader, ffprobe and sox agree`, async (t) => {
      const dir = tempDir(t);
      const path = join(dir, "out.wav");
      const frames = 4321; // odd
      const planes = signal(o.channels, frames, o.bitDepth + o.channels);
      await writeFile(path, o, planes, 777);
      const { info, data } = await readAll(path);
      assert.equal(info.codec, v.codec);
      assert.equal(info.frames, frames);
      assert.equal(info.sampleRateHz, o.sampleRateHz);
      assert.equal(info.channelMask, v.extensible ? (o.channelMask ?? (o.channels === 2 ? 3 : 4)) : undefined);
      const scale = 2 ** (o.bitDepth - 1);
      for (let c = 0; c < o.channels; c++) {
        for (let i = 0; i < frames; i++) {
          const expected = o.sampleFormat === "float" ? planes[c][i] : Math.fround(Math.min(scale - 1, Math.round(planes[c][i] * scale)) / scale);
          if (data[c][i] !== expected) assert.fail(`ch${c} sample ${i}: ${data[c][i]} != ${expected}`);
        }
      }
      const probe = ffprobe(path);
      assert.equal(probe.codec_name, v.codec);
      assert.equal(Number(probe.sample_rate), o.sampleRateHz);
      assert.equal(Number(probe.channels), o.channels);
      assert.equal(Number(probe.duration_ts), frames);
      const soxInfo = run("sox", ["--i", path]);
      assert.match(soxInfo, new RegExp(`Channels\\s*: ${o.channels}\\b`));
      assert.match(soxInfo, new RegExp(`Sample Rate\\s*: ${o.sampleRateHz}\\b`));
      assert.match(soxInfo, new RegExp(`Precision\\s*: ${o.sampleFormat === "float" ? 25 : o.bitDepth}-bit`));
      assert.match(run("sox", ["--i", "-s", path]), new RegExp(`^${frames}\\s*$`));
      if (o.sampleFormat === "float") assert.match(soxInfo, /32-bit Floating Point PCM/); // sox reports float32 as "25-bit" precision
      assert.deepEqual(readdirSync(dir), ["out.wav"], "no partial file left");
    });
  }

  test("integer output rounds and clamps (no dither): full scale, over, NaN", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "clamp.wav");
    const values = Float32Array.from([1, -1, 1.5, -1.5, 0.5 / 32768, 1.5 / 32768, -0.5 / 32768, NaN, 32767.4 / 32768]);
    await writeFile(path, { sampleRateHz: 44100, channels: 1, bitDepth: 16, sampleFormat: "int" }, [values]);
    const bytes = readFileSync(path);
    const dataAt = bytes.indexOf("data") + 8;
    const codes = Array.from({ length: values.length }, (_, i) => bytes.readInt16LE(dataAt + 2 * i));
    // Math.round: halves round up (toward +inf), consistently for both signs.
    assert.deepEqual(codes, [32767, -32768, 32767, -32768, 1, 2, 0, 0, 32767]);
  });

  test("refuses to overwrite unless force; force replaces", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "exists.wav");
    writeFileSync(path, "keep me");
    const options: WavWriterOptions = { sampleRateHz: 44100, channels: 1, bitDepth: 16, sampleFormat: "int" };
    await assertCode(() => createWavWriter(path, options), "E_OUTPUT_EXISTS", path);
    assert.equal(readFileSync(path, "utf8"), "keep me");
    // The name appearing while the writer runs is caught at close, without overwriting.
    const racing = join(dir, "race.wav");
    const writer = await createWavWriter(racing, options);
    await writer.write([new Float32Array(10)], 10);
    writeFileSync(racing, "someone else");
    await assertCode(() => writer.close(), "E_OUTPUT_EXISTS", racing);
    assert.equal(readFileSync(racing, "utf8"), "someone else");
    await writeFile(path, { ...options, force: true }, [new Float32Array(100)]);
    assert.equal((await readAll(path)).info.frames, 100);
    assert.deepEqual(readdirSync(dir).sort(), ["exists.wav", "race.wav"], "no partial files left");
  });

  test("writes to a partial name until close; abort leaves nothing", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "out.wav");
    const writer = await createWavWriter(path, { sampleRateHz: 44100, channels: 2, bitDepth: 24, sampleFormat: "int" });
    await writer.write(signal(2, 100, 1), 100);
    assert.equal(existsSync(path), false);
    assert.match(readdirSync(dir)[0], /^out\.wav\.partial-[0-9a-f]{12}$/);
    await writer.abort();
    assert.deepEqual(readdirSync(dir), []);
  });

  test("switches to RF64 (ds64) past the threshold; readers and ffprobe follow", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "big.wav");
    const planes = signal(2, 5000, 9);
    // Test hook: the switch point lowered from 4 GiB to 10 kB, same code path.
    await writeFile(path, { sampleRateHz: 48000, channels: 2, bitDepth: 24, sampleFormat: "int", rf64ThresholdBytes: 10_000 }, planes);
    const bytes = readFileSync(path);
    assert.equal(bytes.toString("latin1", 0, 4), "RF64");
    assert.equal(bytes.toString("latin1", 12, 16), "ds64");
    assert.equal(bytes.readUInt32LE(4), 0xffffffff);
    assert.equal(Number(bytes.readBigUInt64LE(28)), 5000 * 6); // ds64 dataSize
    const { info, data } = await readAll(path);
    assert.equal(info.container, "rf64");
    assert.equal(info.frames, 5000);
    assert.equal(data[1][4999], Math.fround(Math.min(8388607, Math.round(planes[1][4999] * 8388608)) / 8388608));
    assert.equal(Number(ffprobe(path).duration_ts), 5000);
    // Below the threshold the same layout stays RIFF, with the reserved JUNK chunk.
    const small = join(dir, "small.wav");
    await writeFile(small, { sampleRateHz: 48000, channels: 2, bitDepth: 24, sampleFormat: "int" }, planes);
    const sb = readFileSync(small);
    assert.equal(sb.toString("latin1", 0, 4), "RIFF");
    assert.equal(sb.toString("latin1", 12, 16), "JUNK");
    assert.equal(sb.readUInt32LE(4), sb.length - 8);
  });

  test("bad options are E_BAD_ARGUMENT", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "x.wav");
    for (const o of [
      { sampleRateHz: 44100, channels: 0, bitDepth: 16, sampleFormat: "int" },
      { sampleRateHz: 0, channels: 2, bitDepth: 16, sampleFormat: "int" },
      { sampleRateHz: 44100, channels: 2, bitDepth: 16, sampleFormat: "float" },
    ] as WavWriterOptions[]) {
      await assert.rejects(() => createWavWriter(path, o), (e: unknown) => isMastersmithError(e) && e.code === "E_BAD_ARGUMENT");
    }
    assert.deepEqual(readdirSync(dir), []);
  });
});
