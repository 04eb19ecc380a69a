import { test } from "node:test";
import assert from "node:assert/strict";
import { Dither, DEFAULTS, needsDither, F_WEIGHTED_44K } from "./dither.js";
import { processorContract } from "../../test-support/processor-contract.js";

const SKIP = "dither adds ±1 LSB of noise to every sample: there is no impulse response to locate; latency is 0 by construction (no buffering)";
processorContract("dither TPDF 16-bit", () => new Dither({ bitDepth: 16, shape: "tpdf", seed: 7 }), { impulseAmplitude: null, latencySkipReason: SKIP });
processorContract("dither shaped 16-bit", () => new Dither({ bitDepth: 16, shape: "shaped", seed: 7 }), { impulseAmplitude: null, latencySkipReason: SKIP });
processorContract("dither TPDF 24-bit", () => new Dither({ bitDepth: 24, seed: 7 }), { impulseAmplitude: null, latencySkipReason: SKIP, sampleRatesHz: [48000] });

function run(d: Dither, x: Float32Array[], fs: number, block = 4096): Float32Array[] {
  d.prepare({ sampleRateHz: fs, channels: x.length, maxBlockFrames: 4096 });
  const y = x.map((c) => Float32Array.from(c));
  for (let off = 0; off < y[0].length; off += block) {
    const n = Math.min(block, y[0].length - off);
    d.process(y.map((c) => c.subarray(off, off + n)), n);
  }
  return y;
}

function sine(amplitude: number, freqHz: number, fs: number, frames: number): Float32Array {
  const x = new Float32Array(frames);
  for (let n = 0; n < frames; n++) x[n] = amplitude * Math.sin((2 * Math.PI * freqHz * n) / fs);
  return x;
}

/** Power |X(k)|²/N² at one exact DFT bin (Goertzel), from `from` for `length` samples. */
function binPower(x: Float32Array, from: number, length: number, k: number): number {
  const w = (2 * Math.PI * k) / length;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let n = 0; n < length; n++) {
    const s = x[from + n] + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (length * length);
}

test("defaults and parameter checks", () => {
  assert.deepEqual(DEFAULTS, { bitDepth: 16, shape: "tpdf", seed: 1 });
  assert.throws(() => new Dither({ bitDepth: 20 as 16 }), RangeError);
});

test("xoshiro128**: the first outputs match a BigInt reference", () => {
  // Reference: xoshiro128** written on BigInt (no 32-bit tricks). From state (1, 2, 3, 4) the
  // first two outputs of Blackman & Vigna's generator are 11520 and 0.
  const mask = (1n << 32n) - 1n;
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & mask;
  const s = [1n, 2n, 3n, 4n];
  const out: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    out.push((rotl((s[1] * 5n) & mask, 7n) * 9n) & mask);
    const t = (s[1] << 9n) & mask;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11n);
  }
  assert.deepEqual(out.slice(0, 2), [11520n, 0n]);
  // The same steps in the 32-bit Number math dither.ts uses (Math.imul, >>> 0) agree with it:
  let [s0, s1, s2, s3] = [1, 2, 3, 4];
  for (let i = 0; i < 4; i++) {
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    assert.equal(BigInt(r), out[i]);
  }
});

test("output lies exactly on the integer grid, clamped to the word's range", () => {
  for (const bitDepth of [16, 24] as const) {
    const scale = 2 ** (bitDepth - 1);
    const x = sine(1.2, 997, 44100, 20000); // overs clamp
    const y = run(new Dither({ bitDepth, shape: "shaped" }), [x], 44100)[0];
    let peak = 0;
    for (const v of y) {
      const q = v * scale;
      assert.ok(Number.isInteger(q) && q >= -scale && q <= scale - 1, `${v} is not on the ${bitDepth}-bit grid`);
      peak = Math.max(peak, Math.abs(q));
    }
    assert.equal(peak, scale);
  }
});

test("same seed, same output; different seeds differ; channels get independent streams", () => {
  const x = [sine(0.3, 440, 44100, 5000), sine(0.3, 440, 44100, 5000)];
  const a = run(new Dither({ seed: 42 }), x, 44100);
  const b = run(new Dither({ seed: 42 }), x, 44100, 333);
  const c = run(new Dither({ seed: 43 }), x, 44100);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a[0], c[0]);
  assert.notDeepEqual(a[0], a[1]);
});

test("flat TPDF error is −96.3 dB RMS re the peak of a full-scale sine (AES17: −93.3 dB FS), ±1 dB", () => {
  const fs = 44100;
  const x = sine(0.9, 1000, fs, fs * 2);
  const y = run(new Dither({ seed: 3 }), [x], fs)[0];
  let err = 0;
  for (let n = 0; n < x.length; n++) err += (y[n] - x[n]) ** 2;
  // Convention: error RMS relative to the peak (1.0) of a full-scale sine. TPDF total error
  // power is LSB²/4 (LSB²/12 rounding + 2·LSB²/12 dither): RMS = LSB/2 = 2^-16 → −96.33 dB.
  const errDb = 10 * Math.log10(err / x.length);
  assert.ok(Math.abs(errDb - -96.33) < 1, `error ${errDb.toFixed(2)} dB`);
});

test("a −100 dBFS 1 kHz sine (0.33 LSB) survives 16-bit TPDF with its level, without harmonics", () => {
  const fs = 44100;
  const seconds = 8;
  const amplitude = Math.pow(10, -100 / 20); // 0.328 LSB at 16 bits
  const x = sine(amplitude, 1000, fs, fs * seconds);
  // Control: rounding without dither erases it completely.
  const scale = 32768;
  assert.ok(x.every((v) => Math.round(v * scale) === 0), "plain rounding keeps nothing");
  const y = run(new Dither({ seed: 11 }), [x], fs)[0];
  // Averaged spectrum: 8 coherent 1-second frames, 1 Hz bins, 1 kHz exactly on bin 1000.
  const bins = (k: number): number => {
    let p = 0;
    for (let s = 0; s < seconds; s++) p += binPower(y, s * fs, fs, k);
    return p / seconds;
  };
  const fundamentalDb = 10 * Math.log10(4 * bins(1000)); // |X|²/N² = A²/4 for a sine
  const expectedDb = 20 * Math.log10(amplitude);
  assert.ok(Math.abs(fundamentalDb - expectedDb) < 0.5, `fundamental ${fundamentalDb.toFixed(2)} dB vs ${expectedDb.toFixed(2)}`);
  for (let h = 2; h <= 9; h++) {
    let floor = 0;
    let count = 0;
    for (let k = h * 1000 - 40; k <= h * 1000 + 40; k += 4) {
      if (Math.abs(k - h * 1000) < 8) continue;
      floor += bins(k);
      count++;
    }
    floor /= count;
    const harmonic = bins(h * 1000);
    // Average of 8 frames: a noise-only bin exceeds 3× its mean with probability < 1e-3.
    assert.ok(harmonic < 3 * floor, `harmonic ${h}: ${(10 * Math.log10(harmonic / floor)).toFixed(1)} dB above the noise floor`);
  }
});

test("signals already on the 16-bit grid are still dithered (the caller decides, see needsDither)", () => {
  const x = sine(0.5, 440, 44100, 4000).map((v) => Math.round(v * 32768) / 32768);
  const y = run(new Dither(), [x], 44100)[0];
  let changed = 0;
  for (let n = 0; n < x.length; n++) if (y[n] !== x[n]) changed++;
  assert.ok(changed > 1000, `only ${changed} samples changed`);
});

test("noise shaping moves the noise out of 2-5 kHz (F-weighted NTF), flat TPDF does not", () => {
  const fs = 44100;
  const frames = fs * 2;
  const x = sine(0.25, 100, fs, frames);
  const band = (y: Float32Array, loHz: number, hiHz: number): number => {
    let p = 0;
    for (let k = loHz; k <= hiHz; k += 25) p += binPower(Float32Array.from(y, (v, n) => v - x[n]), 0, fs, k);
    return p;
  };
  const flat = run(new Dither({ seed: 5 }), [x], fs)[0];
  const shaped = run(new Dither({ seed: 5, shape: "shaped" }), [x], fs)[0];
  const midGainDb = 10 * Math.log10(band(shaped, 2500, 4500) / band(flat, 2500, 4500));
  const topGainDb = 10 * Math.log10(band(shaped, 18000, 21000) / band(flat, 18000, 21000));
  // NTF = 1 − Σ c_k z^-k is about −23 dB at 3-4 kHz and +21..27 dB at 18-22 kHz.
  assert.ok(midGainDb < -15, `2.5-4.5 kHz: ${midGainDb.toFixed(1)} dB`);
  assert.ok(topGainDb > 15, `18-21 kHz: ${topGainDb.toFixed(1)} dB`);
  assert.equal(F_WEIGHTED_44K.length, 9);
});

test("needsDither: only where precision is lost", () => {
  assert.equal(needsDither(16, false, false, 16), false); // bit-exact copy
  assert.equal(needsDither(16, false, false, 24), false); // widening is exact
  assert.equal(needsDither(24, false, false, 16), true); // word length reduced
  assert.equal(needsDither(16, false, true, 16), true); // processed
  assert.equal(needsDither(32, true, false, 24), true); // float source
});

test("the dither is TPDF: first-order unbiased, with the triangular distribution's level probabilities", () => {
  // Constant input of 0.25 LSB: with TPDF d ∈ (−1, 1), q = round(0.25 + d) is 1 with
  // probability (0.75)²/2 = 0.28125, −1 with (0.25)²/2 = 0.03125, else 0; its mean is 0.25.
  const frames = 200000;
  const x = new Float32Array(frames).fill(0.25 / 32768);
  const y = run(new Dither({ seed: 99 }), [x], 44100)[0];
  const counts = new Map<number, number>();
  let sum = 0;
  for (const v of y) {
    const q = v * 32768;
    counts.set(q, (counts.get(q) ?? 0) + 1);
    sum += q;
  }
  assert.deepEqual([...counts.keys()].sort(), [-1, 0, 1]);
  assert.ok(Math.abs(sum / frames - 0.25) < 0.005, `mean ${sum / frames}`);
  assert.ok(Math.abs((counts.get(1) ?? 0) / frames - 0.28125) < 0.005);
  assert.ok(Math.abs((counts.get(-1) ?? 0) / frames - 0.03125) < 0.002);
});

test("regression: the exact first samples for seed 1 (must not drift between versions or runtimes)", () => {
  const x = sine(0.0001, 1000, 44100, 16); // ±3.3 LSB
  const y = run(new Dither({ seed: 1, shape: "shaped" }), [x, x], 44100);
  const ints = y.map((ch) => Array.from(ch, (v) => v * 32768));
  assert.deepEqual(ints, RECORDED);
});


/** Recorded from this implementation (seed 1, shaped, ±3.3 LSB sine at 1 kHz). */
const RECORDED = [[0,0,2,-1,5,-1,5,1,3,4,3,3,3,4,0,8],[0,1,-1,5,-3,7,-1,3,6,-2,10,-4,9,-1,6,2]];
