// resampleStream over a real reader: exact length, the same samples as the core resampler on
// the whole signal whatever the block size asked for, pass-through at equal rates.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { designResampler, resampledLength } from "../core/design/resampler-design.js";
import { Resampler } from "../core/dsp/resampler.js";
import { readAll, run, tempDir } from "./fixtures.case.js";
import { openAudioFile } from "./open.js";
import { resampleStream } from "./resample.js";

test("resampleStream: 44.1 kHz WAV -> 48 kHz, length round(n·48000/44100), same samples as one core pass", async (t) => {
  const dir = tempDir(t);
  const wav = join(dir, "in.wav");
  run("sox", ["-r", "44100", "-n", "-c", "2", "-b", "24", wav, "synth", "56789s", "sine", "1000", "gain", "-6"]);
  const { data } = await readAll(wav);
  assert.equal(data[0].length, 56789);
  const design = designResampler(44100, 48000);
  const expected = data.map((ch) => {
    const r = new Resampler(design, 1, ch.length);
    const out = new Float32Array(r.maxOutputFrames(ch.length) * 2);
    const n = r.process([ch], ch.length, [out]);
    const m = r.flush([out.subarray(n)]);
    return out.slice(0, n + m);
  });
  for (const blockFrames of [1000, 4096, 7]) {
    const reader = resampleStream(await openAudioFile(wav), 48000);
    assert.equal(reader.info.sampleRateHz, 48000);
    assert.equal(reader.info.frames, resampledLength(56789, design));
    assert.equal(reader.info.frames, Math.round((56789 * 48000) / 44100));
    const got: number[][] = [[], []];
    for await (const block of reader.blocks(blockFrames)) {
      assert.ok(block[0].length <= blockFrames);
      for (let c = 0; c < 2; c++) for (const v of block[c]) got[c].push(v);
    }
    await reader.close();
    assert.equal(got[0].length, reader.info.frames);
    for (let c = 0; c < 2; c++) assert.deepEqual(Float32Array.from(got[c]), expected[c], `channel ${c}, blocks of ${blockFrames}`);
  }
});

test("resampleStream: equal rates return the reader itself; bad rates are E_BAD_ARGUMENT", async (t) => {
  const dir = tempDir(t);
  const wav = join(dir, "in.wav");
  run("sox", ["-r", "48000", "-n", "-c", "1", "-b", "16", wav, "synth", "0.1", "sine", "440"]);
  const reader = await openAudioFile(wav);
  assert.equal(resampleStream(reader, 48000), reader);
  assert.throws(() => resampleStream(reader, 0), (e: { code?: string }) => e.code === "E_BAD_ARGUMENT");
  assert.throws(() => resampleStream(reader, 44100.5), (e: { code?: string }) => e.code === "E_BAD_ARGUMENT");
  await reader.close();
});
