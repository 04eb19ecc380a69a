import { test } from "node:test";
import assert from "node:assert/strict";
import { Oversampler } from "./oversampler.js";
import { designOversamplingStages, firMagnitudeDb } from "../design/halfband.js";
import { amplitudeSpectrumDb, coherentBin } from "../../test-support/coherent-spectrum.js";

/** Round trip (up, identity, down) of `input` in blocks of the given sizes. */
function roundTrip(os: Oversampler, input: Float32Array, sizes: (i: number) => number): Float32Array {
  const out = Float32Array.from(input);
  for (let i = 0, offset = 0; offset < out.length; i++) {
    const n = Math.min(sizes(i), out.length - offset, os.maxBlockFrames);
    const view = out.subarray(offset, offset + n);
    os.upsample(0, view, n);
    os.downsample(0, view, n);
    offset += n;
  }
  return out;
}

test("half-band stages: stop band >= 99.5 dB, pass band flat to 0.0002 dB", () => {
  const stages = designOversamplingStages(16);
  stages.forEach((d, i) => {
    const rate = 2 ** (i + 1);
    const passband = (i === 0 ? 0.4535 : 0.5465) / rate;
    for (let j = 0; j <= 400; j++) {
      const f = (passband * j) / 400;
      assert.ok(Math.abs(firMagnitudeDb(d.taps, f)) < 0.0002, `stage ${i}: ripple at ${f}`);
      const fs = 0.5 - passband + ((passband) * j) / 400;
      assert.ok(firMagnitudeDb(d.taps, fs) < -99.5, `stage ${i}: stop band at ${fs} is ${firMagnitudeDb(d.taps, fs)} dB`);
    }
    // The half-band property the polyphase code relies on.
    for (let k = 0; k < d.taps.length; k++) {
      const offset = k - d.delaySamples;
      if (offset !== 0 && offset % 2 === 0) assert.equal(d.taps[k], 0);
    }
  });
});

for (const factor of [1, 2, 4, 8, 16]) {
  test(`${factor}x: impulse delay equals latencySamples, blocks do not matter, 15 kHz passes within 0.0002 dB`, () => {
    const os = new Oversampler(factor);
    os.prepare(1, 1000);
    const impulse = new Float32Array(3000);
    impulse[200] = 1;
    const out = roundTrip(os, impulse, () => 1000);
    let peakAt = 0;
    for (let n = 0; n < out.length; n++) if (Math.abs(out[n]) > Math.abs(out[peakAt])) peakAt = n;
    assert.equal(peakAt - 200, os.latencySamples);
    assert.ok(Number.isInteger(os.latencySamples));

    os.reset();
    let seed = 7;
    const split = roundTrip(os, impulse, () => { seed = (seed * 1103515245 + 12345) >>> 0; return 1 + (seed % 999); });
    assert.deepEqual(split, out);

    // Coherent 15 kHz tone at -1 dBFS: level within the ripple, images and noise under -110 dBFS.
    const n = 8192;
    const { bin } = coherentBin(15000, 44100, n);
    const amp = Math.pow(10, -1 / 20);
    const x = new Float32Array(2 * n);
    for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * bin * i) / n);
    os.reset();
    const y = roundTrip(os, x, () => 1000);
    const spectrum = amplitudeSpectrumDb(y.subarray(n, 2 * n));
    assert.ok(Math.abs(spectrum[bin] + 1) < 0.0002, `level ${spectrum[bin]} dBFS`);
    for (let k = 0; k < spectrum.length; k++) {
      if (k !== bin) assert.ok(spectrum[k] < -110, `bin ${k}: ${spectrum[k]} dBFS`);
    }
  });
}
