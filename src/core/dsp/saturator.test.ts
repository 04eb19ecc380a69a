import { test } from "node:test";
import assert from "node:assert/strict";
import { Saturator } from "./saturator.js";
import { processorContract, renderInBlocks } from "../../test-support/processor-contract.js";
import { amplitudeSpectrumDb, coherentBin, worstInharmonic } from "../../test-support/coherent-spectrum.js";

processorContract("saturator tanh (defaults)", () => new Saturator());
processorContract("saturator tube 12 dB, 50% mix", () => new Saturator({ curve: "tube", driveDb: 12, mixPct: 50 }), { sampleRatesHz: [44100, 96000] });

const RATE = 44100;
const N = 65536;

function steadyTone(sat: Saturator, targetHz: number, peakDb: number): { spectrum: Float64Array; bin: number } {
  const { bin } = coherentBin(targetHz, RATE, N);
  const amp = Math.pow(10, peakDb / 20);
  const skip = 8192 * 2; // the DC blocker of the tube curve needs a moment
  const x = new Float32Array(N + skip);
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * bin * i) / N);
  sat.prepare({ sampleRateHz: RATE, channels: 1, maxBlockFrames: 4096 });
  const [y] = renderInBlocks(sat, [x], () => 4096);
  return { spectrum: amplitudeSpectrumDb(y.subarray(skip)), bin };
}

for (const curve of ["tanh", "tube"] as const) {
  test(`${curve}, 4x, 12 dB drive: a 0 dBFS 5 kHz sine aliases below -90 dBFS`, () => {
    const { spectrum, bin } = steadyTone(new Saturator({ curve, driveDb: 12 }), 5000, 0);
    const worst = worstInharmonic(spectrum, bin, N, RATE);
    console.log(`${curve}: worst inharmonic ${worst.levelDb.toFixed(1)} dBFS at ${worst.freqHz.toFixed(0)} Hz`);
    assert.ok(worst.levelDb < -90, `${worst.levelDb} dBFS at ${worst.freqHz} Hz`);
  });
}

test("tanh is odd-symmetric (no 2nd harmonic); tube adds a 2nd harmonic and no DC", () => {
  const tanh = steadyTone(new Saturator({ curve: "tanh", driveDb: 12 }), 1000, -6);
  const tube = steadyTone(new Saturator({ curve: "tube", driveDb: 12 }), 1000, -6);
  const b = tanh.bin;
  assert.ok(tanh.spectrum[2 * b] < -120, `tanh H2 ${tanh.spectrum[2 * b]}`);
  assert.ok(tanh.spectrum[3 * b] > -40, `tanh H3 ${tanh.spectrum[3 * b]}`);
  assert.ok(tube.spectrum[2 * b] > -50, `tube H2 ${tube.spectrum[2 * b]}`);
  assert.ok(tube.spectrum[0] < -90, `tube DC ${tube.spectrum[0]} dBFS`);
});

test("compensation: small signals pass at unity gain; mix 0 is the dry signal delayed, bit for bit", () => {
  const sat = new Saturator({ driveDb: 18 });
  const { spectrum, bin } = steadyTone(sat, 1000, -60);
  assert.ok(Math.abs(spectrum[bin] + 60) < 0.001, `level ${spectrum[bin]}`);

  const dry = new Saturator({ driveDb: 18, mixPct: 0 });
  dry.prepare({ sampleRateHz: RATE, channels: 2, maxBlockFrames: 512 });
  const x = [new Float32Array(5000), new Float32Array(5000)];
  for (let i = 0; i < 5000; i++) { x[0][i] = Math.sin(i * 0.01); x[1][i] = Math.cos(i * 0.003); }
  const y = renderInBlocks(dry, x, () => 512);
  const d = dry.latencySamples;
  for (let c = 0; c < 2; c++) for (let i = d; i < 5000; i++) assert.equal(y[c][i], x[c][i - d]);
});
