import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { TruePeakMeter } from "./true-peak.js";
import { designTruePeakFir, TruePeakInterpolator } from "../design/true-peak-fir.js";

/** Decodes a file to planar Float32 with ffmpeg. */
function decode(path: string): Float32Array[] {
  const raw = execFileSync("ffmpeg", ["-v", "error", "-i", path, "-f", "f32le", "-acodec", "pcm_f32le", "-"], { maxBuffer: 1 << 30 });
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  const n = all.length / 2, l = new Float32Array(n), r = new Float32Array(n);
  for (let i = 0; i < n; i++) { l[i] = all[2 * i]; r[i] = all[2 * i + 1]; }
  return [l, r];
}

function noise(n: number, seed: number, amplitude: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    // Bursts of loud and quiet blocks so the skip path is exercised both ways.
    x[i] = amplitude * (((i >> 11) % 3 === 0) ? 1 : 0.05) * (seed / 4294967296 - 0.5);
  }
  return x;
}

/** The reference: the same interpolator evaluating every output (no skipping), plus its tail. */
function fullPeak(rate: number, x: Float32Array): number {
  const it = new TruePeakInterpolator(designTruePeakFir(rate), { exhaustive: true });
  return it.flushMaxAbs(it.maxAbs(x, 0, x.length, 0));
}

/** Max |y| over every oversampled value from upsample() (no refinement), plus the zero-padded tail. */
function gridPeak(rate: number, x: Float32Array): number {
  const d = designTruePeakFir(rate);
  const it = new TruePeakInterpolator(d);
  const out = new Float64Array((x.length + d.tapsPerPhase) * d.factor);
  it.upsample(x, 0, x.length, out);
  it.upsample(new Float32Array(d.tapsPerPhase), 0, d.tapsPerPhase, out.subarray(x.length * d.factor));
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  return peak;
}

describe("TruePeakMeter", () => {
  test("skipping is exact: identical to evaluating every output (noise, corpus excerpt)", () => {
    const excerpt = decode("/work/shared/corpus/dev/dev02_chaos_god.flac").map((c) => c.subarray(0, 44100 * 5));
    for (const [rate, signal] of [[44100, [noise(100000, 1, 1.6), noise(100000, 2, 0.5)]], [96000, [noise(100000, 3, 1), noise(100000, 4, 1)]], [44100, excerpt]] as [number, Float32Array[]][]) {
      const m = new TruePeakMeter({ sampleRateHz: rate, channels: 2 });
      m.add(signal, signal[0].length);
      for (let c = 0; c < 2; c++) {
        const tp = m.truePeakLinear(c);
        assert.equal(tp, fullPeak(rate, signal[c]), `${rate} Hz channel ${c}`);
        // Refinement only ever adds values: never below the plain oversampled grid, and close to it.
        const grid = gridPeak(rate, signal[c]);
        assert.ok(tp >= grid && tp <= grid * Math.pow(10, 0.6 / 20), `${rate} Hz channel ${c}: ${tp} vs grid ${grid}`);
      }
    }
  });

  test("results do not depend on block sizes (1, 7, 4096, random)", () => {
    const signal = [noise(30000, 5, 1.2), noise(30000, 6, 0.8)];
    const whole = new TruePeakMeter({ sampleRateHz: 48000, channels: 2 });
    whole.add(signal, 30000);
    let seed = 3;
    const random = () => 1 + ((seed = (seed * 48271) % 2147483647) % 3000);
    for (const sizes of [() => 1, () => 7, () => 4096, random]) {
      const m = new TruePeakMeter({ sampleRateHz: 48000, channels: 2 });
      for (let i = 0; i < 30000;) {
        const k = Math.min(sizes(), 30000 - i);
        m.add(signal.map((c) => c.subarray(i, i + k)), k);
        i += k;
      }
      assert.equal(m.truePeakDbtp(), whole.truePeakDbtp());
      assert.equal(m.samplePeakDbfs(), whole.samplePeakDbfs());
    }
  });

  test("the polyphase equivalent reproduces the streaming interpolator; phase 0 is the delayed input", () => {
    for (const rate of [44100, 96000]) {
      const d = designTruePeakFir(rate);
      const x = noise(5000, 9, 1);
      const out = new Float64Array(x.length * d.factor);
      new TruePeakInterpolator(d).upsample(x, 0, x.length, out);
      for (let n = 200; n < 5000; n += 37) {
        for (let p = 0; p < d.factor; p++) {
          let acc = 0;
          for (let k = 0; k < d.tapsPerPhase; k++) acc += d.phases[p][k] * x[n - k];
          assert.ok(Math.abs(acc - out[n * d.factor + p]) < 1e-12, `${rate} n ${n} p ${p}`);
        }
        assert.equal(out[n * d.factor], x[n - d.latencyFrames]);
      }
      assert.ok(d.tapsPerPhase >= 64);
    }
  });

  test("silence reads -Infinity; sample peak tracks |x|", () => {
    const m = new TruePeakMeter({ sampleRateHz: 44100, channels: 1 });
    m.add([new Float32Array(1000)], 1000);
    assert.equal(m.truePeakDbtp(), -Infinity);
    const x = new Float32Array(10);
    x[3] = -0.5;
    m.add([x], 10);
    assert.equal(m.samplePeakLinear(0), 0.5);
    // A lone sample's interpolated neighbourhood never exceeds it for this design (phase 0 = sample).
    assert.equal(m.truePeakLinear(), 0.5);
  });
});

// ---- Accuracy against 32x oversampling with a very long windowed sinc ----

function besselI0(x: number): number {
  let sum = 1, term = 1;
  for (let k = 1; k < 80; k++) { term *= (x / (2 * k)) ** 2; sum += term; if (term < sum * 1e-17) break; }
  return sum;
}

test("true peak within 0.02 dB of 32x oversampling (2 x 4096-tap Kaiser sinc) on the corpus", (ctx) => {
  const HALF = 2048, BETA = 14, OVER = 32, i0 = besselI0(BETA);
  // kernels[f][k]: weight of x[j + 1 - HALF + k] for the value at time j + f / OVER.
  const kernels = Array.from({ length: OVER }, (_, f) => {
    const h = new Float64Array(2 * HALF);
    for (let k = 0; k < 2 * HALF; k++) {
      const t = f / OVER - (k + 1 - HALF), r = t / HALF;
      h[k] = (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t)) * besselI0(BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0;
    }
    return h;
  });
  for (const file of ["dev01_traveling_minstrels", "dev03_brainsukker", "dev02_chaos_god"]) {
    const signal = decode(`/work/shared/corpus/dev/${file}.flac`);
    const d = designTruePeakFir(44100);
    for (let c = 0; c < 2; c++) {
      const x = signal[c];
      const meter = new TruePeakMeter({ sampleRateHz: 44100, channels: 1 });
      meter.add([x], x.length);
      const ours = meter.truePeakLinear();
      // Candidate intervals: where our per-sample oversampled max is within 0.5 dB of our peak.
      const perSample = new Float64Array(x.length);
      new TruePeakInterpolator(d).maxAbsPerSample(x, 0, x.length, perSample);
      const candidates = new Set<number>();
      for (let n = 0; n < x.length; n++) {
        if (perSample[n] >= ours * Math.pow(10, -0.5 / 20)) for (let j = n - d.latencyFrames - 1; j <= n - d.latencyFrames + 1; j++) candidates.add(j);
      }
      assert.ok(candidates.size < 20000, `too many candidates: ${candidates.size}`);
      let reference = 0;
      for (const j of candidates) {
        for (let f = 0; f < OVER; f++) {
          const h = kernels[f];
          let acc = 0;
          const from = j + 1 - HALF;
          for (let k = Math.max(0, -from); k < 2 * HALF && from + k < x.length; k++) acc += h[k] * x[from + k];
          reference = Math.max(reference, Math.abs(acc));
        }
      }
      const diffDb = 20 * Math.log10(ours / reference);
      ctx.diagnostic(`${file} ch${c}: ours ${(20 * Math.log10(ours)).toFixed(4)} dBTP, 32x ${(20 * Math.log10(reference)).toFixed(4)} dBTP, diff ${diffDb.toFixed(4)} dB, ${candidates.size} candidate samples`);
      assert.ok(Math.abs(diffDb) <= 0.02, `${file} ch${c}: ${diffDb} dB from the 32x reference`);
    }
  }
});
