import { test } from "node:test";
import assert from "node:assert/strict";
import { Clipper } from "./clipper.js";
import { processorContract, renderInBlocks } from "../../test-support/processor-contract.js";
import { amplitudeSpectrumDb, coherentBin, worstInharmonic } from "../../test-support/coherent-spectrum.js";

processorContract("clipper soft (defaults)", () => new Clipper());
processorContract("clipper hard -6 dB", () => new Clipper({ thresholdDb: -6, mode: "hard" }), { sampleRatesHz: [44100, 96000] });

const RATE = 44100;
const N = 65536;

/** Steady coherent ~5 kHz tone through a clipper; returns the worst inharmonic component. */
function aliasing(clipper: Clipper, peakDb: number): { levelDb: number; freqHz: number } {
  const { bin } = coherentBin(5000, RATE, N);
  const amp = Math.pow(10, peakDb / 20);
  const skip = 8192;
  const x = new Float32Array(N + skip);
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * bin * i) / N);
  clipper.prepare({ sampleRateHz: RATE, channels: 1, maxBlockFrames: 4096 });
  const [y] = renderInBlocks(clipper, [x], () => 4096);
  return worstInharmonic(amplitudeSpectrumDb(y.subarray(skip)), bin, N, RATE);
}

test("soft clipper (6 dB knee, 4x): a 5 kHz sine 6 dB over the threshold aliases below -90 dBFS", () => {
  const clipper = new Clipper({ thresholdDb: -6, kneeDb: 6 });
  assert.equal(clipper.oversampling, 4);
  const worst = aliasing(clipper, 0);
  console.log(`soft 6 dB knee, 4x: worst inharmonic ${worst.levelDb.toFixed(1)} dBFS at ${worst.freqHz.toFixed(0)} Hz`);
  assert.ok(worst.levelDb < -90, `aliasing ${worst.levelDb} dBFS at ${worst.freqHz} Hz`);
});

test("narrow knees get more oversampling by default and stay under -90 dBFS", () => {
  const clipper = new Clipper({ thresholdDb: -6, kneeDb: 1 });
  assert.equal(clipper.oversampling, 8);
  const worst = aliasing(clipper, 0);
  console.log(`soft 1 dB knee, 8x: worst inharmonic ${worst.levelDb.toFixed(1)} dBFS`);
  assert.ok(worst.levelDb < -90);
});

test("hard clip: 16x oversampling keeps aliasing of a 5 kHz sine 6 dB over under -84 dBFS (4x would be ~-60)", () => {
  const hardClipper = new Clipper({ thresholdDb: -6, mode: "hard" });
  assert.equal(hardClipper.kneeDb, 0);
  assert.equal(hardClipper.oversampling, 16);
  const hard = aliasing(hardClipper, 0);
  const hard4 = aliasing(new Clipper({ thresholdDb: -6, kneeDb: 0, oversampling: 4 }), 0);
  console.log(`hard 16x: ${hard.levelDb.toFixed(1)} dBFS at ${hard.freqHz.toFixed(0)} Hz; hard 4x: ${hard4.levelDb.toFixed(1)} dBFS`);
  assert.ok(hard.levelDb < -84);
  assert.ok(hard4.levelDb > hard.levelDb + 15, "the test can tell a poorly oversampled clip");
});

test("below the threshold the clipper passes the signal, delayed, within 0.0002 dB", () => {
  for (const kneeDb of [6, 0]) {
    const clipper = new Clipper({ thresholdDb: -3, kneeDb });
    clipper.prepare({ sampleRateHz: RATE, channels: 1, maxBlockFrames: 1024 });
    // Two tones (100 Hz, 15 kHz) peaking at -3.2 dBFS: under the threshold.
    const x = new Float32Array(RATE / 2);
    const amp = 0.5 * Math.pow(10, -3.2 / 20);
    for (let i = 0; i < x.length; i++) x[i] = amp * (Math.sin((2 * Math.PI * 100 * i) / RATE) + Math.sin((2 * Math.PI * 15000 * i) / RATE));
    const [y] = renderInBlocks(clipper, [x], () => 1024);
    const d = clipper.latencySamples;
    let err = 0;
    for (let i = 4096; i < x.length; i++) err = Math.max(err, Math.abs(y[i] - x[i - d]));
    // 0.0002 dB of 0.69 peak is 1.6e-5
    assert.ok(err < 0.69 * (Math.pow(10, 0.0002 / 20) - 1), `knee ${kneeDb}: max error ${err}`);
  }
});

test("output stays under threshold + knee (plus the filters' small overshoot) for a loud square-ish signal", () => {
  const clipper = new Clipper({ thresholdDb: -6, kneeDb: 3 });
  clipper.prepare({ sampleRateHz: RATE, channels: 1, maxBlockFrames: 1024 });
  const x = new Float32Array(RATE);
  for (let i = 0; i < x.length; i++) x[i] = Math.tanh(8 * Math.sin((2 * Math.PI * 220 * i) / RATE));
  const [y] = renderInBlocks(clipper, [x], () => 1024);
  let peak = 0;
  for (const v of y) peak = Math.max(peak, Math.abs(v));
  const ceiling = Math.pow(10, -3 / 20);
  assert.ok(peak > 0.95 * ceiling && peak < ceiling * 1.12, `peak ${peak} vs ceiling ${ceiling}`);
});
