/**
 * WebAssembly SIMD kernels for the two half-band stages of the true-peak interpolator
 * (design/true-peak-fir.ts), its block maxima and its peak refinement. The module is generated
 * here as bytes (about 3.3 kB: under the 4 kB a browser main thread may compile synchronously)
 * and runs wherever WebAssembly SIMD does: Node 16.4+, every current browser, in a Worker or not.
 *
 * Why: in JavaScript every `x[i - k]` of the 64-tap stage carries a bounds check and index
 * arithmetic, and the kernel is instruction-bound at ~25 ns per input sample. Here the loads
 * are plain addressed loads and each f64x2 lane computes one output position.
 *
 * Bit-identical to the JavaScript kernels: lane j of every operation is the IEEE double add or
 * multiply the scalar code performs, in the same order (sum of a_k * (pair sum) left to right,
 * no fused multiply-add, no reassociation). Only commutation of a single add or multiply
 * differs, which is exact. `f64x2.max`, like `Math.max`, propagates NaN.
 *
 * Memory: one imported memory per instance. Doubles [0, 32) hold the stage 1 taps a_0..a_31
 * (the first half of the symmetric 64), [32, 40) the stage 2 taps b_0..b_7, [40, 2088) the
 * peak-refinement kernels in lane pairs; callers place their buffers after COEFFICIENT_DOUBLES. Kernels process positions in pairs (lanes) and may read
 * and write up to KERNEL_SLACK_DOUBLES past the requested range: buffers need that much slack.
 */

/** Refinement: fractional positions f = 1 .. 31 of 32 per sample, 64 taps each. */
const REFINE_STEPS = 32;
const REFINE_TAPS = 64;
/** Lane pairs of refinement kernels: (1, 2), (3, 4), ... (29, 30), (31, 31). */
const REFINE_PAIRS = REFINE_STEPS / 2;
const REFINE_TABLE_AT = 40;
export const COEFFICIENT_DOUBLES = REFINE_TABLE_AT + REFINE_PAIRS * REFINE_TAPS * 2;
/** blockMaxAbs's block length (the interpolator's skip granularity). */
export const MAX_ABS_BLOCK_FRAMES = 64;
/** Over-read/over-write past a kernel's range, in doubles (stage 1 rounds its count up to 4 positions). */
export const KERNEL_SLACK_DOUBLES = 8;

export interface TruePeakKernels {
  /** The instance's memory as doubles; callers take subarray views of it (never grown). */
  readonly heap: Float64Array;
  /**
   * Stage 1 for `count` input positions starting at heap index `xIndex` (x[xIndex - 63 ..] must
   * be valid): writes u[2m] = x[i - 32], u[2m + 1] = half-sample value from heap index `uIndex`.
   */
  stage1(xIndex: number, count: number, uIndex: number): void;
  /**
   * Stage 2 (4x) per-position max: for `count` positions whose u index m starts at heap index
   * `uIndex` (u[m - 15 .. m + 1] valid), out[j] = max |v| over the four outputs of position j.
   */
  stage2Max(uIndex: number, count: number, outIndex: number): void;
  /**
   * out[j] = max |x| over heap[xIndex + 64 j .. xIndex + min(count, 64 j + 64)), for every
   * started block of MAX_ABS_BLOCK_FRAMES = 64: NaN is ignored and the result is +0 or more, like the scalar
   * `if (|v| > m) m = |v|` from m = 0 (f64x2.pmax is exactly that comparison).
   */
  blockMaxAbs(xIndex: number, count: number, outIndex: number): void;
  /**
   * Peak refinement: max(peak, |v|) over the values v_f(j) = sum_k r_f[k] x[j - 31 + k] for
   * f = 1 .. 31 and `count` consecutive j from heap index `jIndex` (x[j - 31 .. j + 32] valid),
   * each summed k = 0 .. 63 in order from 0 as the scalar loop does; NaN is ignored.
   */
  refineMax(jIndex: number, count: number, peak: number): number;
}

// ---- A minimal WebAssembly binary writer (just what these two functions use) ----

const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, void: 0x40, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, i32LtU: 0x49, i32GtU: 0x4b, i32GeU: 0x4f, i32Add: 0x6a, i32Shl: 0x74,
  f64Load: 0x2b, f64Store: 0x39, f64Lt: 0x63, f64Abs: 0x99, f64Max: 0xa5,
} as const;
const SIMD = 0xfd;
const V128_LOAD = 0x00, V128_LOAD64_SPLAT = 0x0a, V128_STORE = 0x0b, I8X16_SHUFFLE = 0x0d;
const V128_CONST = 0x0c, F64X2_SPLAT = 0x14;
const F64X2_EXTRACT_LANE = 0x21, F64X2_ABS = 0xec, F64X2_ADD = 0xf0, F64X2_MUL = 0xf2, F64X2_MAX = 0xf5, F64X2_PMAX = 0xf7;
const I32 = 0x7f, V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function simd(op: number): number[] {
  return [SIMD, ...uleb(op)];
}

/** v128 load/store memarg: alignment hint 8 bytes (2^3), constant byte offset. */
function memarg(offsetBytes: number): number[] {
  return [3, ...uleb(offsetBytes)];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A function body: locals as [count, type] groups, then code. */
function funcBody(locals: [number, number][], code: number[]): number[] {
  const body = [...vector(locals.map(([n, t]) => [...uleb(n), t])), ...code, OP.end];
  return [...uleb(body.length), ...body];
}

/** acc = (load(p + hi) + load(p + lo)) * c_k, or acc = acc + that: one folded symmetric tap pair. */
function tapPair(p: number, hiBytes: number, loBytes: number, coefLocal: number, acc: number, first: boolean): number[] {
  const code = [
    ...(first ? [] : [OP.localGet, acc]),
    OP.localGet, p, ...simd(V128_LOAD), ...memarg(hiBytes),
    OP.localGet, p, ...simd(V128_LOAD), ...memarg(loBytes),
    ...simd(F64X2_ADD),
    OP.localGet, coefLocal, ...simd(F64X2_MUL),
  ];
  if (!first) code.push(...simd(F64X2_ADD));
  code.push(OP.localSet, acc);
  return code;
}

/** Loads `taps` coefficient splats from byte address `fromBytes` into locals first.. */
function loadCoefficients(first: number, taps: number, fromBytes: number): number[] {
  const code: number[] = [];
  for (let k = 0; k < taps; k++) {
    code.push(OP.i32Const, ...sleb(0), ...simd(V128_LOAD64_SPLAT), 3, ...uleb(fromBytes + 8 * k), OP.localSet, first + k);
  }
  return code;
}

/** end = base + count * stride bytes (count rounded up to even by the loop's pair step). */
function loopOverPairs(p: number, count: number, endLocal: number, strideShift: number, body: number[], step: number[]): number[] {
  return [
    OP.localGet, p, OP.localGet, count, OP.i32Const, ...sleb(strideShift), OP.i32Shl, OP.i32Add, OP.localSet, endLocal,
    OP.block, OP.void, OP.loop, OP.void,
    OP.localGet, p, OP.localGet, endLocal, OP.i32GeU, OP.brIf, 1,
    ...body,
    ...step,
    OP.br, 0,
    OP.end, OP.end,
  ];
}

function addConst(local: number, bytes: number): number[] {
  return [OP.localGet, local, OP.i32Const, ...sleb(bytes), OP.i32Add, OP.localSet, local];
}

/**
 * stage1(p = byte address of x[i0 - 63], count, q = byte address of u[2 m0]). Per pair of
 * positions (i, i + 1): acc = sum_k a_k (x[i-k] + x[i-63+k]) as lanes; u gets
 * (x[i-32], acc_0, x[i-31], acc_1). Runs whole quads of positions (count rounded up to 4).
 */
function stage1Function(): number[] {
  // params 0 p, 1 count, 2 q; locals 3 end, 4 acc, 5 acc2, 6 xi, 7..38 coefficients,
  // 39..44 loaded x pairs. Two pairs per pass (positions i .. i + 3): pair 1's term k reads
  // V(63 - k) + V(k), pair 2's term k reads V(65 - k) + V(k + 2), where V(m) is the x pair at
  // p + 8 m. Pair 2 reuses what pair 1 loaded two terms earlier (V(63 - (k - 2))) and pair 1
  // reuses what pair 2 loaded two terms earlier (V(k)): 68 loads per pass instead of 128.
  // Each 32-add chain is latency-bound; two independent ones keep the adders busy.
  const P = 0, COUNT = 1, Q = 2, END = 3, ACC = 4, ACC2 = 5, XI = 6, C0 = 7, VL = 39;
  /** Locals holding V(63 - k) ("hi", for pair 1 now, pair 2 at k + 2) and V(k + 2) ("lo", pair 2 now, pair 1 at k + 2). */
  const hiLocal = (k: number): number => VL + (k % 3);
  const loLocal = (k: number): number => VL + 3 + (k % 3);
  const load = (m: number): number[] => [OP.localGet, P, ...simd(V128_LOAD), ...memarg(8 * m)];
  const term = (a: number[], b: number[], coef: number, acc: number, first: boolean): number[] => [
    ...(first ? [] : [OP.localGet, acc]),
    ...a, ...b, ...simd(F64X2_ADD),
    OP.localGet, coef, ...simd(F64X2_MUL),
    ...(first ? [] : simd(F64X2_ADD)),
    OP.localSet, acc,
  ];
  const body: number[] = [];
  for (let k = 0; k < 32; k++) {
    // Pair 1, term k: V(63 - k) (loaded now, kept) + V(k) (pair 2 loaded it at k - 2; else load).
    const hiNow = [...load(63 - k), OP.localTee, hiLocal(k)];
    const loOld = k >= 2 ? [OP.localGet, loLocal(k - 2)] : load(k);
    body.push(...term(hiNow, loOld, C0 + k, ACC, k === 0));
    // Pair 2, term k: V(65 - k) (pair 1 loaded it at k - 2; else load) + V(k + 2) (loaded now, kept).
    const hiOld = k >= 2 ? [OP.localGet, hiLocal(k - 2)] : load(65 - k);
    const loNow = [...load(k + 2), OP.localTee, loLocal(k)];
    body.push(...term(hiOld, loNow, C0 + k, ACC2, k === 0));
  }
  // (x[i-32], acc_0) and (x[i-31], acc_1): lane 0 of each operand, then lane 1 of each.
  const lo = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
  const hi = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
  for (const [acc, xOff, uOff] of [[ACC, 31 * 8, 0], [ACC2, 33 * 8, 32]] as const) {
    body.push(OP.localGet, P, ...simd(V128_LOAD), ...memarg(xOff), OP.localSet, XI);
    for (const [lanes, off] of [[lo, 0], [hi, 16]] as const) {
      body.push(OP.localGet, Q, OP.localGet, XI, OP.localGet, acc, ...simd(I8X16_SHUFFLE), ...lanes,
        ...simd(V128_STORE), ...memarg(uOff + off));
    }
  }
  const step = [...addConst(P, 32), ...addConst(Q, 64)];
  const code = [...loadCoefficients(C0, 32, 0), ...loopOverPairs(P, COUNT, END, 3, body, step)];
  return funcBody([[1, I32], [3 + 32 + 6, V128]], code);
}

/**
 * stage2Max(r = byte address of u[m0 - 15], count, o = byte address of out[0]). Per position:
 * lanes (v1, v3) = sum_k b_k (u[m-k] + u[m-15+k]) at m and m + 1; (v0, v2) = (u[m-8], u[m-7]);
 * out = max of the four |v|.
 */
function stage2Function(): number[] {
  // params 0 r, 1 count, 2 o; locals 3 end, 4 acc, 5..12 coefficients
  const R = 0, COUNT = 1, O = 2, END = 3, ACC = 4, C0 = 5;
  const body: number[] = [];
  body.push(...tapPair(R, 15 * 8, 0, C0, ACC, true));
  for (let k = 1; k < 8; k++) body.push(...tapPair(R, (15 - k) * 8, k * 8, C0 + k, ACC, false));
  body.push(
    OP.localGet, O,
    OP.localGet, ACC, ...simd(F64X2_ABS),
    OP.localGet, R, ...simd(V128_LOAD), ...memarg(7 * 8), ...simd(F64X2_ABS),
    ...simd(F64X2_MAX), OP.localTee, ACC,
    ...simd(F64X2_EXTRACT_LANE), 0,
    OP.localGet, ACC, ...simd(F64X2_EXTRACT_LANE), 1,
    OP.f64Max,
    OP.f64Store, 3, 0,
  );
  const step = [...addConst(R, 16), ...addConst(O, 8)];
  // The loop bound counts positions at 16 bytes of u each; it runs whole positions, no pairs.
  const code = [...loadCoefficients(C0, 8, 32 * 8), ...loopOverPairs(R, COUNT, END, 4, body, step)];
  return funcBody([[1, I32], [1 + 8, V128]], code);
}

/**
 * blockMaxAbs(p = byte address of x[0], count, o = byte address of out[0]): per block of 64
 * samples, m = pmax over lanes of |x| (pairs), the two lanes combined and an odd last sample
 * folded in with the same "a < b ? b : a" rule.
 */
function blockMaxFunction(): number[] {
  // params 0 p, 1 count, 2 o; locals 3 end, 4 blockEnd (i32), 5 m (v128), 6 s, 7 t (f64)
  const P = 0, COUNT = 1, O = 2, END = 3, BLOCK_END = 4, M = 5, S = 6, T = 7;
  const F64 = 0x7c;
  /** s = s < t ? t : s */
  const pmaxInto = [OP.localGet, T, OP.localGet, S, OP.localGet, S, OP.localGet, T, OP.f64Lt, OP.select, OP.localSet, S];
  const code = [
    OP.localGet, P, OP.localGet, COUNT, OP.i32Const, ...sleb(3), OP.i32Shl, OP.i32Add, OP.localSet, END,
    OP.block, OP.void, OP.loop, OP.void,
    OP.localGet, P, OP.localGet, END, OP.i32GeU, OP.brIf, 1,
    // blockEnd = min(p + 512, end)
    OP.localGet, P, OP.i32Const, ...sleb(8 * MAX_ABS_BLOCK_FRAMES), OP.i32Add, OP.localGet, END,
    OP.localGet, P, OP.i32Const, ...sleb(8 * MAX_ABS_BLOCK_FRAMES), OP.i32Add, OP.localGet, END, OP.i32LtU, OP.select, OP.localSet, BLOCK_END,
    ...simd(V128_CONST), ...new Array<number>(16).fill(0), OP.localSet, M,
    OP.block, OP.void, OP.loop, OP.void,
    OP.localGet, P, OP.i32Const, ...sleb(16), OP.i32Add, OP.localGet, BLOCK_END, OP.i32GtU, OP.brIf, 1,
    OP.localGet, M, OP.localGet, P, ...simd(V128_LOAD), ...memarg(0), ...simd(F64X2_ABS), ...simd(F64X2_PMAX), OP.localSet, M,
    ...addConst(P, 16),
    OP.br, 0,
    OP.end, OP.end,
    OP.localGet, M, ...simd(F64X2_EXTRACT_LANE), 0, OP.localSet, S,
    OP.localGet, M, ...simd(F64X2_EXTRACT_LANE), 1, OP.localSet, T,
    ...pmaxInto,
    // An odd last sample of the block.
    OP.block, OP.void,
    OP.localGet, P, OP.localGet, BLOCK_END, OP.i32GeU, OP.brIf, 0,
    OP.localGet, P, OP.f64Load, 3, 0, OP.f64Abs, OP.localSet, T,
    ...pmaxInto,
    ...addConst(P, 8),
    OP.end,
    OP.localGet, O, OP.localGet, S, OP.f64Store, 3, 0,
    ...addConst(O, 8),
    OP.br, 0,
    OP.end, OP.end,
  ];
  return funcBody([[2, I32], [1, V128], [2, F64]], code);
}

/**
 * refineMax(p = byte address of x[j0 - 31], count, peak) -> max. Per j: two lane pairs of
 * fractional kernels at a time (two independent 64-add chains), 8 taps per inner pass.
 */
function refineFunction(): number[] {
  // params 0 p, 1 count (i32), 2 peak (f64); locals 3 end, 4 t, 5 tEnd, 6 xp, 7 kEnd (i32),
  // 8 accA, 9 accB, 10 m (v128), 11 s, 12 u (f64)
  const P = 0, COUNT = 1, PEAK = 2, END = 3, T = 4, T_END = 5, XP = 6, K_END = 7, ACC_A = 8, ACC_B = 9, M = 10, S = 11, U = 12;
  const F64 = 0x7c;
  const pairBytes = REFINE_TAPS * 16;
  const zero = [...simd(V128_CONST), ...new Array<number>(16).fill(0)];
  const terms: number[] = [];
  for (let u = 0; u < 8; u++) {
    for (const [acc, off] of [[ACC_A, 16 * u], [ACC_B, pairBytes + 16 * u]] as const) {
      terms.push(
        OP.localGet, acc,
        OP.localGet, T, ...simd(V128_LOAD), ...memarg(off),
        OP.localGet, XP, ...simd(V128_LOAD64_SPLAT), 3, ...uleb(8 * u),
        ...simd(F64X2_MUL), ...simd(F64X2_ADD), OP.localSet, acc,
      );
    }
  }
  const pmaxAbs = (acc: number): number[] => [OP.localGet, M, OP.localGet, acc, ...simd(F64X2_ABS), ...simd(F64X2_PMAX), OP.localSet, M];
  const code = [
    OP.localGet, PEAK, ...simd(F64X2_SPLAT), OP.localSet, M,
    OP.localGet, P, OP.localGet, COUNT, OP.i32Const, ...sleb(3), OP.i32Shl, OP.i32Add, OP.localSet, END,
    OP.block, OP.void, OP.loop, OP.void, // j
    OP.localGet, P, OP.localGet, END, OP.i32GeU, OP.brIf, 1,
    OP.i32Const, ...sleb(8 * REFINE_TABLE_AT), OP.localSet, T,
    OP.i32Const, ...sleb(8 * REFINE_TABLE_AT + REFINE_PAIRS * pairBytes), OP.localSet, T_END,
    OP.block, OP.void, OP.loop, OP.void, // two lane pairs
    OP.localGet, T, OP.localGet, T_END, OP.i32GeU, OP.brIf, 1,
    ...zero, OP.localSet, ACC_A, ...zero, OP.localSet, ACC_B,
    OP.localGet, P, OP.localSet, XP,
    OP.localGet, P, OP.i32Const, ...sleb(8 * REFINE_TAPS), OP.i32Add, OP.localSet, K_END,
    OP.block, OP.void, OP.loop, OP.void, // 8 taps
    OP.localGet, XP, OP.localGet, K_END, OP.i32GeU, OP.brIf, 1,
    ...terms,
    ...addConst(T, 128), ...addConst(XP, 64),
    OP.br, 0,
    OP.end, OP.end,
    ...pmaxAbs(ACC_A), ...pmaxAbs(ACC_B),
    ...addConst(T, pairBytes), // past the second pair's taps
    OP.br, 0,
    OP.end, OP.end,
    ...addConst(P, 8),
    OP.br, 0,
    OP.end, OP.end,
    OP.localGet, M, ...simd(F64X2_EXTRACT_LANE), 0, OP.localSet, S,
    OP.localGet, M, ...simd(F64X2_EXTRACT_LANE), 1, OP.localSet, U,
    // s < u ? u : s
    OP.localGet, U, OP.localGet, S, OP.localGet, S, OP.localGet, U, OP.f64Lt, OP.select,
  ];
  return funcBody([[5, I32], [3, V128], [2, F64]], code);
}

function moduleBytes(): Uint8Array {
  const type = [0x60, ...vector([[I32], [I32], [I32]]), 0]; // (i32, i32, i32) -> ()
  const refineType = [0x60, ...vector([[I32], [I32], [0x7c]]), ...vector([[0x7c]])]; // (i32, i32, f64) -> f64
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([type, refineType])),
    // import "m" "memory": memory with at least 1 page
    ...section(2, vector([[...uleb(1), 0x6d, ...uleb(6), ...[...("memory")].map((ch) => ch.charCodeAt(0)), 0x02, 0x00, 0x01]])),
    ...section(3, vector([[0], [0], [0], [1]])),
    ...section(7, vector([
      [...uleb(2), 0x73, 0x31, 0x00, ...uleb(0)], // "s1" func 0
      [...uleb(2), 0x73, 0x32, 0x00, ...uleb(1)], // "s2" func 1
      [...uleb(2), 0x73, 0x33, 0x00, ...uleb(2)], // "s3" func 2
      [...uleb(2), 0x73, 0x34, 0x00, ...uleb(3)], // "s4" func 3
    ])),
    ...section(10, [...uleb(4), ...stage1Function(), ...stage2Function(), ...blockMaxFunction(), ...refineFunction()]),
  ];
  return Uint8Array.from(bytes);
}

/** The slice of the WebAssembly JS API used here (lib ES2022 carries no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}

const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

function compiledModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = wasm !== undefined ? new wasm.Module(moduleBytes()) : null;
  } catch {
    compiled = null; // no WebAssembly SIMD here: callers use the JavaScript kernels
  }
  return compiled;
}

/**
 * Kernels over a fresh memory of at least `heapDoubles` doubles (coefficients included), with
 * the taps stored; null where WebAssembly SIMD is unavailable.
 */
export function createTruePeakKernels(halfBandTaps: Float64Array, secondStageTaps: Float64Array, refineKernels: Float64Array, heapDoubles: number): TruePeakKernels | null {
  if (halfBandTaps.length !== 64 || (secondStageTaps.length !== 0 && secondStageTaps.length !== 16)) return null;
  if (refineKernels.length !== REFINE_STEPS * REFINE_TAPS) return null;
  const module = compiledModule();
  if (module === null || wasm === undefined) return null;
  const memory = new wasm.Memory({ initial: Math.ceil((heapDoubles * 8) / 65536) });
  const instance = new wasm.Instance(module, { m: { memory } });
  const s1 = instance.exports.s1 as (p: number, count: number, q: number) => void;
  const s2 = instance.exports.s2 as (r: number, count: number, o: number) => void;
  const s3 = instance.exports.s3 as (p: number, count: number, o: number) => void;
  const s4 = instance.exports.s4 as (p: number, count: number, peak: number) => number;
  const heap = new Float64Array(memory.buffer);
  heap.set(halfBandTaps.subarray(0, 32), 0);
  if (secondStageTaps.length === 16) heap.set(secondStageTaps.subarray(0, 8), 32);
  for (let q = 0; q < REFINE_PAIRS; q++) {
    const fa = 2 * q + 1, fb = Math.min(2 * q + 2, REFINE_STEPS - 1);
    for (let k = 0; k < REFINE_TAPS; k++) {
      heap[REFINE_TABLE_AT + 2 * (q * REFINE_TAPS + k)] = refineKernels[REFINE_TAPS * fa + k];
      heap[REFINE_TABLE_AT + 2 * (q * REFINE_TAPS + k) + 1] = refineKernels[REFINE_TAPS * fb + k];
    }
  }
  return {
    heap,
    stage1(xIndex, count, uIndex) {
      s1(8 * (xIndex - 63), count, 8 * uIndex);
    },
    refineMax(jIndex, count, peak) {
      return s4(8 * (jIndex - 31), count, peak);
    },
    blockMaxAbs(xIndex, count, outIndex) {
      s3(8 * xIndex, count, 8 * outIndex);
    },
    stage2Max(uIndex, count, outIndex) {
      s2(8 * (uIndex - 15), count, 8 * outIndex);
    },
  };
}
