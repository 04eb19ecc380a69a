import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ComplexFft, RealFft, multiplyPacked, packedPower } from "./fft.js";

/** Naive O(n²) DFT in Float64, the reference the fast transforms are checked against. */
function naiveDft(re: Float64Array, im: Float64Array, sign: number): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (-sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a);
      const s = Math.sin(a);
      sr += re[j] * c - im[j] * s;
      si += re[j] * s + im[j] * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return { re: outRe, im: outIm };
}

/** A deterministic pseudo-random sequence (xorshift32), so failures reproduce. */
function noise(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

describe("ComplexFft", () => {
  for (const n of [1, 2, 4, 8, 16, 64, 256, 1024]) {
    test(`forward matches a naive DFT, n = ${n}`, () => {
      const re = noise(n, 7 + n);
      const im = noise(n, 99 + n);
      const ref = naiveDft(re, im, 1);
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        data[2 * i] = re[i];
        data[2 * i + 1] = im[i];
      }
      new ComplexFft(n).forward(data);
      const scale = Math.max(1, maxAbs(ref.re), maxAbs(ref.im));
      for (let k = 0; k < n; k++) {
        assert.ok(Math.abs(data[2 * k] - ref.re[k]) <= 1e-12 * scale * Math.log2(2 * n), `re bin ${k}`);
        assert.ok(Math.abs(data[2 * k + 1] - ref.im[k]) <= 1e-12 * scale * Math.log2(2 * n), `im bin ${k}`);
      }
    });
  }

  test("inverse(forward(x)) = x, n = 4096", () => {
    const n = 4096;
    const x = noise(2 * n, 3);
    const data = Float64Array.from(x);
    const fft = new ComplexFft(n);
    fft.forward(data);
    fft.inverse(data);
    for (let i = 0; i < 2 * n; i++) assert.ok(Math.abs(data[i] - x[i]) < 1e-14, `sample ${i}`);
  });

  test("rejects sizes that are not powers of two", () => {
    assert.throws(() => new ComplexFft(12), RangeError);
    assert.throws(() => new ComplexFft(0), RangeError);
    assert.throws(() => new RealFft(2), RangeError);
  });
});

describe("RealFft", () => {
  for (const n of [4, 8, 16, 32, 128, 512, 2048]) {
    test(`forward matches a naive DFT of real input, n = ${n}`, () => {
      const x = noise(n, 11 + n);
      const ref = naiveDft(x, new Float64Array(n), 1);
      const data = Float64Array.from(x);
      new RealFft(n).forward(data);
      const tol = 1e-12 * Math.max(1, maxAbs(ref.re), maxAbs(ref.im)) * Math.log2(n);
      assert.ok(Math.abs(data[0] - ref.re[0]) <= tol, "DC");
      assert.ok(Math.abs(data[1] - ref.re[n / 2]) <= tol, "Nyquist");
      for (let k = 1; k < n / 2; k++) {
        assert.ok(Math.abs(data[2 * k] - ref.re[k]) <= tol, `re bin ${k}: ${data[2 * k]} vs ${ref.re[k]}`);
        assert.ok(Math.abs(data[2 * k + 1] - ref.im[k]) <= tol, `im bin ${k}: ${data[2 * k + 1]} vs ${ref.im[k]}`);
      }
    });
  }

  test("inverse(forward(x)) = x at 32768 points, and a second run gives the same bits", () => {
    const n = 32768;
    const x = noise(n, 5);
    const fft = new RealFft(n);
    const a = Float64Array.from(x);
    fft.forward(a);
    const spectrum = Float64Array.from(a);
    fft.inverse(a);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(a[i] - x[i]) < 1e-14, `sample ${i}`);
    const b = Float64Array.from(x);
    fft.forward(b);
    assert.deepEqual(b, spectrum);
  });

  test("a unit sine at bin 5 puts n/2 in bin 5 and nothing elsewhere", () => {
    const n = 64;
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.cos((2 * Math.PI * 5 * i) / n);
    new RealFft(n).forward(data);
    const power = new Float64Array(n / 2 + 1);
    packedPower(data, n, power);
    for (let k = 0; k <= n / 2; k++) {
      if (k === 5) assert.ok(Math.abs(power[k] - (n / 2) ** 2) < 1e-9);
      else assert.ok(power[k] < 1e-20, `bin ${k} = ${power[k]}`);
    }
  });

  test("multiplyPacked gives circular convolution (checked against the direct sum)", () => {
    const n = 256;
    const x = noise(n, 21);
    const h = noise(n, 22);
    const direct = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[j] * h[(i - j + n) % n];
      direct[i] = s;
    }
    const fft = new RealFft(n);
    const xs = Float64Array.from(x);
    const hs = Float64Array.from(h);
    fft.forward(xs);
    fft.forward(hs);
    const out = new Float64Array(n);
    multiplyPacked(xs, hs, out, n);
    multiplyPacked(xs, hs, out, n, true); // accumulate: twice the product
    fft.inverse(out);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(out[i] - 2 * direct[i]) < 1e-12, `sample ${i}`);
    multiplyPacked(xs, hs, xs, n); // aliasing the output onto an input is allowed
    fft.inverse(xs);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(xs[i] - direct[i]) < 1e-12, `aliased sample ${i}`);
  });
});
