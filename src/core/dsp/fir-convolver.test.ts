import { test } from "node:test";
import assert from "node:assert/strict";
import { ConvolutionEngine, FirConvolver, PairConvolutionEngine } from "./fir-convolver.js";
import { processorContract } from "../../test-support/processor-contract.js";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

/** Symmetric windowed-sinc low-pass (odd length): its peak is at the centre tap. */
function sincLowpass(taps: number, cutoff: number): Float64Array {
  const h = new Float64Array(taps);
  const half = (taps - 1) / 2;
  for (let n = 0; n < taps; n++) {
    const t = n - half;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    h[n] = sinc * (0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * n) / (taps - 1)));
  }
  return h;
}

processorContract("FIR convolver, 2001-tap symmetric low-pass", () => new FirConvolver((fs) => sincLowpass(2 * Math.round(fs / 100) + 1, 0.2)), { sampleRatesHz: [44100, 96000] });

test("matches a naive direct convolution for many lengths and block splits", () => {
  const random = lcg(7);
  // [taps, leading zeros]: leading zeros ≥ 64 switch to the head-less layout with bigger
  // partitions (and, past the 4096 cap, a level that starts two blocks late).
  for (const [taps, zeros] of [[1, 0], [2, 0], [63, 0], [64, 0], [65, 0], [511, 0], [512, 0], [513, 0], [4097, 0], [4160, 0], [13231, 0],
    [300, 100], [5000, 1024], [13231, 1024], [20001, 2048], [12000, 5000], [9000, 8990]]) {
    const h = new Float64Array(taps);
    for (let k = zeros; k < taps; k++) h[k] = random() * Math.exp(-k / 3000);
    const frames = taps + 3000;
    const x = new Float64Array(frames);
    for (let n = 0; n < frames; n++) x[n] = random();
    const expected = new Float64Array(frames);
    for (let n = 0; n < frames; n++) {
      let acc = 0;
      for (let k = zeros; k < taps && k <= n; k++) acc += h[k] * x[n - k];
      expected[n] = acc;
    }
    const engine = new ConvolutionEngine(h);
    const y = new Float64Array(frames);
    const sizes = lcg(taps);
    for (let off = 0; off < frames;) {
      const len = Math.min(frames - off, 1 + Math.floor((sizes() + 0.5) * 700));
      engine.process(x.subarray(off, off + len), y.subarray(off, off + len), len);
      off += len;
    }
    let worst = 0;
    for (let n = 0; n < frames; n++) worst = Math.max(worst, Math.abs(y[n] - expected[n]));
    assert.ok(worst < 1e-12, `${taps} taps, ${zeros} leading zeros: max error ${worst}`);
  }
});

test("reports (taps − 1)/2 latency for a symmetric FIR", () => {
  const p = new FirConvolver(() => sincLowpass(1001, 0.1));
  p.prepare({ sampleRateHz: 48000, channels: 1, maxBlockFrames: 512 });
  assert.equal(p.latencySamples, 500);
});

test("two lanes (PairConvolutionEngine, as FirConvolver runs a stereo pair) match a naive convolution of each", () => {
  const random = lcg(11);
  for (const [taps, zeros] of [[1, 0], [65, 0], [2001, 0], [4160, 0], [13231, 1024], [15279, 1024], [20001, 2048], [9000, 8990]]) {
    const h = new Float64Array(taps);
    for (let k = zeros; k < taps; k++) h[k] = random() * Math.exp(-k / 3000);
    const frames = taps + 3000;
    const x = [new Float64Array(frames), new Float64Array(frames)];
    for (let n = 0; n < frames; n++) { x[0][n] = random(); x[1][n] = 0.01 * random(); }
    const y = [new Float64Array(frames), new Float64Array(frames)];
    const engine = new PairConvolutionEngine(h);
    const sizes = lcg(taps);
    for (let off = 0; off < frames;) {
      const len = Math.min(frames - off, 1 + Math.floor((sizes() + 0.5) * 700));
      engine.process(x[0].subarray(off, off + len), x[1].subarray(off, off + len), y[0].subarray(off, off + len), y[1].subarray(off, off + len), len);
      off += len;
    }
    for (let c = 0; c < 2; c++) {
      let worst = 0;
      for (let n = 0; n < frames; n++) {
        let acc = 0;
        for (let k = zeros; k < taps && k <= n; k++) acc += h[k] * x[c][n - k];
        worst = Math.max(worst, Math.abs(y[c][n] - acc));
      }
      assert.ok(worst < 1e-12, `${taps} taps, ${zeros} leading zeros, lane ${c}: max error ${worst}`);
    }
  }
});
