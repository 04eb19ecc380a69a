import { test } from "node:test";
import assert from "node:assert/strict";
import { Highpass, DEFAULTS } from "./highpass.js";
import { designButterworth } from "../design/eq-design.js";
import { processorContract } from "../../test-support/processor-contract.js";

processorContract("highpass 20 Hz, order 2", () => new Highpass());
processorContract("highpass 30 Hz, order 5", () => new Highpass({ cutoffHz: 30, order: 5 }), { sampleRatesHz: [44100, 192000] });

function sine(freqHz: number, fs: number, frames: number, amplitude = 0.5): Float32Array {
  const x = new Float32Array(frames);
  for (let n = 0; n < frames; n++) x[n] = amplitude * Math.sin((2 * Math.PI * freqHz * n) / fs);
  return x;
}

function rmsDb(x: Float32Array, from: number): number {
  let sum = 0;
  for (let n = from; n < x.length; n++) sum += x[n] * x[n];
  return 10 * Math.log10(sum / (x.length - from));
}

test("defaults: 20 Hz, 12 dB/octave", () => {
  assert.deepEqual(DEFAULTS, { cutoffHz: 20, order: 2 });
});

test("matches a naive per-sample direct-form I reference of the same sections", () => {
  const fs = 48000;
  const sections = designButterworth("highPass", 25, 4, fs);
  const x = sine(37, fs, 20000, 0.7);
  for (let n = 0; n < x.length; n += 997) x[n] += 0.2; // clicks and DC-ish content
  // Reference: direct form I in Float64, section by section, one sample at a time.
  const ref = Float64Array.from(x);
  for (const s of sections) {
    let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (let n = 0; n < ref.length; n++) {
      const y = s.b0 * ref[n] + s.b1 * x1 + s.b2 * x2 - s.a1 * y1 - s.a2 * y2;
      x2 = x1; x1 = ref[n]; y2 = y1; y1 = y;
      ref[n] = y;
    }
  }
  const p = new Highpass({ cutoffHz: 25, order: 4 });
  p.prepare({ sampleRateHz: fs, channels: 1, maxBlockFrames: 4096 });
  const y = [Float32Array.from(x)];
  for (let off = 0; off < x.length; off += 1000) p.process([y[0].subarray(off, off + 1000)], Math.min(1000, x.length - off));
  let worst = 0;
  for (let n = 0; n < x.length; n++) worst = Math.max(worst, Math.abs(y[0][n] - ref[n]));
  assert.ok(worst < 1e-7, `max difference ${worst}`);
});

test("removes DC, −3 dB at the cutoff, passes 1 kHz untouched (measured with signals)", () => {
  const fs = 44100;
  for (const order of [1, 2, 4, 8]) {
    const p = new Highpass({ cutoffHz: 20, order });
    p.prepare({ sampleRateHz: fs, channels: 1, maxBlockFrames: 4096 });
    const frames = fs * 4;
    const dc = new Float32Array(frames).fill(0.5);
    const run = (x: Float32Array): Float32Array => {
      p.reset();
      for (let off = 0; off < frames; off += 4096) p.process([x.subarray(off, off + 4096)], Math.min(4096, frames - off));
      return x;
    };
    const yDc = run(dc);
    assert.ok(Math.abs(yDc[frames - 1]) < 1e-6, `order ${order}: DC left ${yDc[frames - 1]}`);
    const atCutoff = rmsDb(run(sine(20, fs, frames)), 2 * fs) - rmsDb(sine(20, fs, frames), 2 * fs);
    assert.ok(Math.abs(atCutoff + 3.01) < 0.05, `order ${order}: ${atCutoff} dB at 20 Hz`);
    const at1k = rmsDb(run(sine(1000, fs, frames)), fs) - rmsDb(sine(1000, fs, frames), fs);
    assert.ok(Math.abs(at1k) < 0.01, `order ${order}: ${at1k} dB at 1 kHz`);
  }
});
