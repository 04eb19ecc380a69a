import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { designTruePeakFir, TruePeakInterpolator } from "./true-peak-fir.js";
import { createTruePeakKernels } from "./true-peak-simd.js";

/** Left channel of a corpus excerpt (ffmpeg decode). */
function corpusExcerpt(seconds: number): Float32Array {
  const raw = execFileSync("ffmpeg", ["-v", "error", "-i", "/work/shared/corpus/dev/dev07_weight_of_revenge_UNMASTERED.flac",
    "-t", String(seconds), "-ac", "1", "-f", "f32le", "-acodec", "pcm_f32le", "-"], { maxBuffer: 1 << 28 });
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

/** Seeded noise with loud and quiet stretches, hot enough to go over full scale. */
function noise(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    x[i] = (((i >> 10) % 3 === 0) ? 1.8 : 0.1) * (seed / 4294967296 - 0.5);
  }
  return x;
}

/** A stand-in table of 32 x 64 refinement taps (the kernels do not care what they hold). */
function randomTable(): Float64Array {
  const t = new Float64Array(32 * 64);
  let seed = 17;
  for (let i = 0; i < t.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    t[i] = (seed / 4294967296 - 0.5) / 8;
  }
  return t;
}

function assertSameArray(a: Float64Array, b: Float64Array, label: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${label}: index ${i}: ${a[i]} (simd) vs ${b[i]} (js)`);
  }
}

test("the WebAssembly SIMD kernels are available in Node", () => {
  const d = designTruePeakFir(44100);
  assert.notEqual(createTruePeakKernels(d.halfBandTaps, d.secondStageTaps, randomTable(), 8192), null);
});

test("kernels against naive scalar references (same summation order, bit-identical)", () => {
  const d = designTruePeakFir(44100);
  const a = d.halfBandTaps, b = d.secondStageTaps;
  const k = createTruePeakKernels(a, b, randomTable(), 8192);
  assert.ok(k !== null);
  const heap = k.heap;
  const X = 200, U = 2000, O = 5000; // past the coefficients (heap[0, 40))
  let seed = 5;
  for (let i = X - 64; i < X + 900; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    heap[i] = 2 * (seed / 4294967296 - 0.5);
  }
  heap[X + 300] = NaN;
  for (const count of [1, 2, 3, 4, 5, 301]) {
    k.stage1(X, count, U);
    for (let j = 0; j < count; j++) {
      const i = X + j;
      let acc = a[0] * (heap[i] + heap[i - 63]);
      for (let t = 1; t < 32; t++) acc += a[t] * (heap[i - t] + heap[i - 63 + t]);
      assert.ok(Object.is(heap[U + 2 * j], heap[i - 32]), `stage1 integer phase ${j}`);
      assert.ok(Object.is(heap[U + 2 * j + 1], acc), `stage1 count ${count} position ${j}: ${heap[U + 2 * j + 1]} vs ${acc}`);
    }
  }
  // Stage 2 over the u just written: positions m = U + 16, U + 18, ...
  const positions = 130;
  k.stage2Max(U + 16, positions, O);
  for (let j = 0; j < positions; j++) {
    const m = U + 16 + 2 * j;
    const v = [heap[m - 8], 0, heap[m - 7], 0];
    for (const [lane, at] of [[1, m], [3, m + 1]]) {
      let acc = b[0] * (heap[at] + heap[at - 15]);
      for (let t = 1; t < 8; t++) acc += b[t] * (heap[at - t] + heap[at - 15 + t]);
      v[lane] = acc;
    }
    const expected = Math.max(Math.abs(v[0]), Math.abs(v[1]), Math.abs(v[2]), Math.abs(v[3]));
    assert.ok(Object.is(heap[O + j], expected), `stage2 position ${j}: ${heap[O + j]} vs ${expected}`);
  }
});

test("refineMax against the scalar refinement loop (every f = 1 .. 31, taps in order, NaN ignored)", () => {
  const d = designTruePeakFir(44100);
  const table = randomTable();
  const k = createTruePeakKernels(d.halfBandTaps, d.secondStageTaps, table, 16384);
  assert.ok(k !== null);
  const heap = k.heap, X = 3000;
  let seed = 23;
  for (let i = X - 40; i < X + 400; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    heap[i] = 2 * (seed / 4294967296 - 0.5);
  }
  heap[X + 150] = NaN;
  for (const [j0, count, floor] of [[X, 1, 0], [X + 3, 2, 0], [X + 10, 37, 0.5], [X + 100, 120, 0], [X, 5, 1e9]] as const) {
    let expected: number = floor;
    for (let j = j0; j < j0 + count; j++) {
      for (let f = 1; f < 32; f++) {
        let acc = 0;
        for (let t = 0; t < 64; t++) acc += table[64 * f + t] * heap[j - 31 + t];
        const v = acc < 0 ? -acc : acc;
        if (v > expected) expected = v;
      }
    }
    const got = k.refineMax(j0, count, floor);
    assert.ok(Object.is(got, expected), `j0 ${j0 - X} count ${count}: ${got} vs ${expected}`);
  }
});

test("blockMaxAbs against the scalar rule (NaN ignored, odd and partial blocks, no write past the last block)", () => {
  const d = designTruePeakFir(44100);
  const k = createTruePeakKernels(d.halfBandTaps, d.secondStageTaps, randomTable(), 8192);
  assert.ok(k !== null);
  const heap = k.heap, X = 200, O = 4000;
  for (const count of [1, 2, 63, 64, 65, 127, 129, 2048]) {
    for (let i = 0; i < count + 8; i++) heap[X + i] = Math.sin(i * 1.7) * (i % 13 === 0 ? 2 : 1);
    heap[X + 5] = NaN;
    heap[X + count - 1] = -3 - count; // the very last sample is the block's maximum
    heap.fill(-1, O, O + 40);
    k.blockMaxAbs(X, count, O);
    const blocks = Math.ceil(count / 64);
    for (let j = 0; j < blocks; j++) {
      let m = 0;
      for (let i = 64 * j; i < Math.min(count, 64 * j + 64); i++) {
        const a = Math.abs(heap[X + i]);
        if (a > m) m = a;
      }
      assert.ok(Object.is(heap[O + j], m), `count ${count} block ${j}: ${heap[O + j]} vs ${m}`);
    }
    assert.equal(heap[O + blocks], -1, `count ${count}: wrote past the last block`);
  }
});

test("SIMD and JavaScript kernels give bit-identical peaks, values and per-sample maxima", () => {
  const signals: [string, Float32Array][] = [["noise", noise(30011, 7)], ["corpus", corpusExcerpt(3)]];
  // Special values: NaN is ignored by the peak search in both, -0 and tiny values pass through.
  const special = noise(5003, 9);
  special[1234] = NaN;
  special[2000] = -0;
  special[2001] = 1e-310;
  signals.push(["special", special]);
  for (const rate of [44100, 48000, 96000]) {
    const d = designTruePeakFir(rate);
    for (const [name, x] of signals) {
      const label = `${rate} Hz ${name}`;
      for (const exhaustive of [false, true]) {
        const simd = new TruePeakInterpolator(d, { exhaustive });
        const js = new TruePeakInterpolator(d, { exhaustive, simd: false });
        // Odd block sizes so chunk and sub-block edges fall everywhere.
        let ps = 0, pj = 0;
        for (let at = 0, k = 0; at < x.length; k++) {
          const n = Math.min([1, 63, 64, 65, 777, 2048, 4099][k % 7], x.length - at);
          ps = simd.maxAbs(x, at, n, ps);
          pj = js.maxAbs(x, at, n, pj);
          at += n;
        }
        assert.ok(Object.is(ps, pj), `${label} exhaustive=${exhaustive}: ${ps} vs ${pj}`);
        assert.ok(Object.is(simd.flushMaxAbs(ps), js.flushMaxAbs(pj)), `${label}: flush`);
        assert.equal(simd.samplePeak, js.samplePeak);
      }
      const all = [new Float64Array(x.length * d.factor), new Float64Array(x.length * d.factor)];
      new TruePeakInterpolator(d).upsample(x, 0, x.length, all[0]);
      new TruePeakInterpolator(d, { simd: false }).upsample(x, 0, x.length, all[1]);
      assertSameArray(all[0], all[1], `${label} upsample`);
      const per = [new Float64Array(x.length), new Float64Array(x.length)];
      new TruePeakInterpolator(d).maxAbsPerSample(x, 0, x.length, per[0]);
      new TruePeakInterpolator(d, { simd: false }).maxAbsPerSample(x, 0, x.length, per[1]);
      assertSameArray(per[0], per[1], `${label} maxAbsPerSample`);
    }
  }
});

test("a reset interpolator repeats its result exactly", () => {
  const d = designTruePeakFir(44100);
  const x = noise(20000, 3);
  const it = new TruePeakInterpolator(d);
  const first = it.flushMaxAbs(it.maxAbs(x, 0, x.length, 0));
  it.reset();
  assert.ok(Object.is(it.flushMaxAbs(it.maxAbs(x, 0, x.length, 0)), first));
});
