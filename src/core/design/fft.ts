/**
 * Pure radix-2 FFTs on Float64Array, in place, with every table computed in the constructor so a
 * transform allocates nothing (meters and FFT convolution call them once per block).
 *
 * - `ComplexFft(n)`: interleaved complex data `[re0, im0, re1, im1, ...]` (length 2n), forward
 *   X[k] = Σ x[j]·e^(-2πi·jk/n), inverse with the 1/n scale so inverse(forward(x)) = x.
 * - `RealFft(n)`: n real samples in, the n/2 + 1 non-redundant bins out, packed in the same n
 *   numbers ("halfcomplex" packing, as in Numerical Recipes' realft and CMSIS arm_rfft):
 *   `[X0.re, X(n/2).re, X1.re, X1.im, ..., X(n/2-1).re, X(n/2-1).im]` (X0 and X(n/2) are real).
 *   It runs a complex FFT of n/2 points on the even/odd samples packed as re/im and then
 *   separates the two spectra (the "two-for-one" split), so it costs about half a complex FFT.
 *
 * Helpers on the packed form: `multiplyPacked` (spectral product for fast convolution; accumulate
 * or overwrite) and `packedPower` (|X[k]|², bins 0..n/2).
 */

function assertPowerOfTwo(n: number, min: number): void {
  if (!Number.isInteger(n) || n < min || (n & (n - 1)) !== 0 || n > 1 << 30) {
    throw new RangeError(`FFT size must be a power of two >= ${min}, got ${n}`);
  }
}

/** Complex radix-2 decimation-in-time FFT of a fixed size on interleaved re/im data. */
export class ComplexFft {
  readonly size: number;
  /** Pairs (i, j), i < j, of complex indices swapped by the bit-reversal permutation. */
  private readonly swaps: Uint32Array;
  /**
   * Twiddles per stage, contiguous so the inner loop reads them in order: for the stage whose
   * butterflies span 2h points, entries [h, 2h) hold e^(-2πi·k/(2h)), k = 0..h-1.
   */
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;

  constructor(size: number) {
    assertPowerOfTwo(size, 1);
    this.size = size;
    const bits = Math.round(Math.log2(size));
    const pairs: number[] = [];
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>>= 1) r = (r << 1) | (v & 1);
      if (i < r) pairs.push(i, r);
    }
    this.swaps = Uint32Array.from(pairs);
    this.twRe = new Float64Array(Math.max(size, 1));
    this.twIm = new Float64Array(Math.max(size, 1));
    for (let h = 1; h < size; h <<= 1) {
      for (let k = 0; k < h; k++) {
        // Math.cos/sin of the exact angle per entry (no recurrence): errors stay at 1 ulp.
        const angle = (-Math.PI * k) / h;
        this.twRe[h + k] = Math.cos(angle);
        this.twIm[h + k] = Math.sin(angle);
      }
    }
  }

  /** In-place forward transform of `data` (2·size numbers, interleaved re/im). */
  forward(data: Float64Array): void {
    this.transform(data, 1);
  }

  /** In-place inverse transform, scaled by 1/size: inverse(forward(x)) equals x. */
  inverse(data: Float64Array): void {
    this.transform(data, -1);
    const n2 = 2 * this.size;
    const scale = 1 / this.size;
    for (let i = 0; i < n2; i++) data[i] *= scale;
  }

  /** Unscaled transform; `sign` 1 is forward (e^-iθ), -1 conjugates the twiddles. */
  private transform(data: Float64Array, sign: number): void {
    const n = this.size;
    const swaps = this.swaps;
    for (let s = 0; s < swaps.length; s += 2) {
      const a = 2 * swaps[s];
      const b = 2 * swaps[s + 1];
      const tr = data[a];
      const ti = data[a + 1];
      data[a] = data[b];
      data[a + 1] = data[b + 1];
      data[b] = tr;
      data[b + 1] = ti;
    }
    if (n < 2) return;
    // First stage (h = 1): the twiddle is 1, so no multiplications.
    const n2 = 2 * n;
    for (let i = 0; i < n2; i += 4) {
      const ar = data[i];
      const ai = data[i + 1];
      const br = data[i + 2];
      const bi = data[i + 3];
      data[i] = ar + br;
      data[i + 1] = ai + bi;
      data[i + 2] = ar - br;
      data[i + 3] = ai - bi;
    }
    if (n < 4) return;
    // Second stage (h = 2): twiddles 1 and ∓i, again free of multiplications.
    for (let i = 0; i < n2; i += 8) {
      const ar = data[i];
      const ai = data[i + 1];
      const br = data[i + 2];
      const bi = data[i + 3];
      const cr = data[i + 4];
      const ci = data[i + 5];
      const dr = data[i + 6];
      const di = data[i + 7];
      // d·(-i·sign) = (sign·di, -sign·dr)
      const tr = sign * di;
      const ti = -sign * dr;
      data[i] = ar + cr;
      data[i + 1] = ai + ci;
      data[i + 4] = ar - cr;
      data[i + 5] = ai - ci;
      data[i + 2] = br + tr;
      data[i + 3] = bi + ti;
      data[i + 6] = br - tr;
      data[i + 7] = bi - ti;
    }
    const twRe = this.twRe;
    const twIm = this.twIm;
    for (let h = 4; h < n; h <<= 1) {
      const span2 = 4 * h; // one group of 2h complex points, in Float64 slots
      const h2 = 2 * h;
      for (let g = 0; g < n2; g += span2) {
        for (let k = 0; k < h; k++) {
          const wr = twRe[h + k];
          const wi = sign * twIm[h + k];
          const a = g + 2 * k;
          const b = a + h2;
          const br = data[b];
          const bi = data[b + 1];
          const tr = wr * br - wi * bi;
          const ti = wr * bi + wi * br;
          const ar = data[a];
          const ai = data[a + 1];
          data[a] = ar + tr;
          data[a + 1] = ai + ti;
          data[b] = ar - tr;
          data[b + 1] = ai - ti;
        }
      }
    }
  }
}

/** Real FFT of a fixed power-of-two size (>= 4), packed halfcomplex output (see file comment). */
export class RealFft {
  readonly size: number;
  private readonly half: ComplexFft;
  /** e^(-2πi·k/size), k = 0..size/4, for the even/odd split. */
  private readonly splitRe: Float64Array;
  private readonly splitIm: Float64Array;

  constructor(size: number) {
    assertPowerOfTwo(size, 4);
    this.size = size;
    this.half = new ComplexFft(size / 2);
    const q = size / 4;
    this.splitRe = new Float64Array(q + 1);
    this.splitIm = new Float64Array(q + 1);
    for (let k = 0; k <= q; k++) {
      const angle = (-2 * Math.PI * k) / size;
      this.splitRe[k] = Math.cos(angle);
      this.splitIm[k] = Math.sin(angle);
    }
  }

  /** In place: `data` holds `size` real samples, returns holding the packed spectrum. */
  forward(data: Float64Array): void {
    const m = this.size / 2;
    // z[j] = x[2j] + i·x[2j+1] is exactly the interleaved layout of x: transform it as is.
    this.half.forward(data);
    const z0r = data[0];
    const z0i = data[1];
    data[0] = z0r + z0i; // X0
    data[1] = z0r - z0i; // X(n/2)
    const wRe = this.splitRe;
    const wIm = this.splitIm;
    const q = m >> 1;
    for (let k = 1; k <= q; k++) {
      const a = 2 * k;
      const b = 2 * (m - k);
      const zr = data[a];
      const zi = data[a + 1];
      const yr = data[b];
      const yi = data[b + 1];
      // E = (Z[k] + conj Z[m-k]) / 2 (spectrum of the even samples),
      // O·i = (Z[k] - conj Z[m-k]) / 2 (odd samples, here O := that), P = W^k·O;
      // X[k] = E - iP, X[m-k] = conj(E + iP).
      const er = 0.5 * (zr + yr);
      const ei = 0.5 * (zi - yi);
      const or = 0.5 * (zr - yr);
      const oi = 0.5 * (zi + yi);
      const wr = wRe[k];
      const wi = wIm[k];
      const pr = wr * or - wi * oi;
      const pi = wr * oi + wi * or;
      data[b] = er - pi;
      data[b + 1] = -ei - pr;
      data[a] = er + pi;
      data[a + 1] = ei - pr;
    }
  }

  /** In place: packed spectrum in, `size` real samples out, scaled so inverse(forward(x)) = x. */
  inverse(data: Float64Array): void {
    const m = this.size / 2;
    const x0 = data[0];
    const xm = data[1];
    data[0] = 0.5 * (x0 + xm);
    data[1] = 0.5 * (x0 - xm);
    const wRe = this.splitRe;
    const wIm = this.splitIm;
    const q = m >> 1;
    for (let k = 1; k <= q; k++) {
      const a = 2 * k;
      const b = 2 * (m - k);
      const xr = data[a];
      const xi = data[a + 1];
      const cr = data[b]; // conj X[m-k] = (cr, -ci)
      const ci = data[b + 1];
      // Undo the split: E = (X[k] + conj X[m-k]) / 2, P = i·(X[k] - conj X[m-k]) / 2, O = conj(W^k)·P.
      const er = 0.5 * (xr + cr);
      const ei = 0.5 * (xi - ci);
      const dr = 0.5 * (xr - cr);
      const di = 0.5 * (xi + ci);
      const pr = -di;
      const pi = dr;
      const wr = wRe[k];
      const wi = -wIm[k];
      const or = wr * pr - wi * pi;
      const oi = wr * pi + wi * pr;
      // Z[k] = E + O, Z[m-k] = conj(E - O)
      data[a] = er + or;
      data[a + 1] = ei + oi;
      data[b] = er - or;
      data[b + 1] = -(ei - oi);
    }
    this.half.inverse(data);
  }
}

/**
 * Product of two packed real spectra (same size), for fast convolution: out = a·b, or
 * out += a·b when `accumulate` is true (partitioned convolution sums several products).
 * `out` may alias `a` or `b`.
 */
export function multiplyPacked(a: Float64Array, b: Float64Array, out: Float64Array, size: number, accumulate = false): void {
  const dc = a[0] * b[0];
  const ny = a[1] * b[1];
  if (accumulate) {
    out[0] += dc;
    out[1] += ny;
  } else {
    out[0] = dc;
    out[1] = ny;
  }
  for (let i = 2; i < size; i += 2) {
    const ar = a[i];
    const ai = a[i + 1];
    const br = b[i];
    const bi = b[i + 1];
    const re = ar * br - ai * bi;
    const im = ar * bi + ai * br;
    if (accumulate) {
      out[i] += re;
      out[i + 1] += im;
    } else {
      out[i] = re;
      out[i + 1] = im;
    }
  }
}

/** |X[k]|² for k = 0..size/2 of a packed spectrum, into `out` (length >= size/2 + 1). */
export function packedPower(packed: Float64Array, size: number, out: Float64Array): void {
  out[0] = packed[0] * packed[0];
  out[size / 2] = packed[1] * packed[1];
  for (let k = 1; k < size / 2; k++) {
    const re = packed[2 * k];
    const im = packed[2 * k + 1];
    out[k] = re * re + im * im;
  }
}
