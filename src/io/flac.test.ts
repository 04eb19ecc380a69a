// FLAC through @wasm-audio-decoders/flac: bit-exact against the reference decoder (`flac -d`),
// frame counts equal STREAMINFO, the usual bit depths, and an ID3v2 tag in front.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { readAll, rng, run, tempDir } from "./fixtures.case.js";
import { openAudioFile } from "./open.js";

const CORPUS = "/work/shared/corpus/dev";

/** The reference: `flac -d` to raw signed little-endian integers of the file's own width. */
function flacReference(path: string, bits: number): Int32Array {
  const r = spawnSync("flac", ["-d", "-c", "-s", "--force-raw-format", "--endian=little", "--sign=signed", path], { maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`flac -d failed: ${r.stderr}`);
  const raw = r.stdout as Buffer;
  const bytes = bits / 8;
  const out = new Int32Array(raw.length / bytes);
  for (let i = 0; i < out.length; i++) out[i] = raw.readIntLE(i * bytes, bytes);
  return out;
}

describe("FLAC", () => {
  test("corpus file: every sample equals flac -d output / 2^23; frames equal STREAMINFO", async () => {
    const path = join(CORPUS, "dev04_through_space.flac");
    const totalFrames = Number(run("metaflac", ["--show-total-samples", path]).trim());
    const reader = await openAudioFile(path);
    assert.equal(reader.info.container, "flac");
    assert.equal(reader.info.codec, "flac");
    assert.equal(reader.info.sampleRateHz, 48000);
    assert.equal(reader.info.channels, 2);
    assert.equal(reader.info.bitDepth, 24);
    assert.equal(reader.info.frames, totalFrames);
    const ref = flacReference(path, 24);
    assert.equal(ref.length, totalFrames * 2);
    let frame = 0;
    let mismatches = 0;
    let firstMismatch = "";
    // An odd block size, so blocks straddle the decoder's own frame boundaries.
    for await (const [l, r] of reader.blocks(1000)) {
      for (let i = 0; i < l.length; i++, frame++) {
        const el = ref[2 * frame] / 8388608;
        const er = ref[2 * frame + 1] / 8388608;
        if (l[i] !== el || r[i] !== er) {
          if (mismatches++ === 0) firstMismatch = `frame ${frame}: got ${l[i]}, ${r[i]}; expected ${el}, ${er}`;
        }
      }
    }
    await reader.close();
    assert.equal(frame, totalFrames);
    assert.equal(mismatches, 0, firstMismatch);
  });

  test("all corpus files open with the STREAMINFO frame count", async () => {
    for (const name of ["dev01_traveling_minstrels", "dev05_city_blues", "dev07_weight_of_revenge_UNMASTERED"]) {
      const path = join(CORPUS, `${name}.flac`);
      const reader = await openAudioFile(path);
      assert.equal(reader.info.frames, Number(run("metaflac", ["--show-total-samples", path]).trim()));
      await reader.close();
    }
  });

  for (const bits of [8, 16, 24]) {
    test(`${bits}-bit FLAC: full-scale extremes and random codes are exact`, async (t) => {
      const dir = tempDir(t);
      const random = rng(bits);
      const max = 2 ** (bits - 1) - 1;
      const min = -(2 ** (bits - 1));
      const codes = [min, max, 0, 1, -1, min + 1, max - 1];
      while (codes.length < 9000) codes.push(min + Math.floor(random() * (max - min + 1)));
      // Raw input for the flac encoder: signed little-endian integers.
      const bytes = bits / 8;
      const raw = Buffer.alloc(codes.length * bytes);
      codes.forEach((v, i) => raw.writeIntLE(v, i * bytes, bytes));
      const rawPath = join(dir, "in.raw");
      writeFileSync(rawPath, raw);
      const flacPath = join(dir, "out.audio");
      run("flac", ["-s", "-f", "--force-raw-format", "--endian=little", "--sign=signed", "--channels=1", `--bps=${bits}`,
        "--sample-rate=44100", "-o", flacPath, rawPath]);
      const { info, data } = await readAll(flacPath, 4096);
      assert.equal(info.bitDepth, bits);
      assert.equal(info.frames, codes.length);
      for (let i = 0; i < codes.length; i++) {
        if (data[0][i] !== codes[i] / 2 ** (bits - 1)) assert.fail(`sample ${i}: ${data[0][i]} != ${codes[i]}/2^${bits - 1}`);
      }
    });
  }

  test("an ID3v2 tag before fLaC is skipped", async (t) => {
    const dir = tempDir(t);
    const src = join(CORPUS, "dev05_city_blues.flac");
    const tagBody = Buffer.alloc(300, 0);
    const id3 = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, (300 >> 7) & 0x7f, 300 & 0x7f]);
    const path = join(dir, "tagged.flac");
    writeFileSync(path, Buffer.concat([id3, tagBody, readFileSync(src)]));
    const reader = await openAudioFile(path);
    assert.equal(reader.info.container, "flac");
    let frames = 0;
    for await (const b of reader.blocks(65536)) frames += b[0].length;
    await reader.close();
    assert.equal(frames, reader.info.frames);
  });

  test("a piped FLAC (STREAMINFO total 0) reports framesUnknown and still reads every frame", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "piped.flac");
    const r = spawnSync("ffmpeg", ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=440:d=1", "-ac", "2", "-c:a", "flac", "-f", "flac", "pipe:1"], { maxBuffer: 64 * 1024 * 1024 });
    writeFileSync(path, r.stdout);
    const { info, data } = await readAll(path);
    assert.equal(info.frames, 0);
    assert.equal(info.framesUnknown, true);
    assert.equal(data[0].length, 44100);
  });
});
