import type { Processor, ProcessSpec } from "./processor.js";
import { ConvolutionEngine } from "./fir-convolver.js";
import { defaultLinearPhaseFir, defaultLinearPhaseTaps } from "../design/fir-design.js";

/** A gain curve: matching arrays of frequencies (Hz, increasing, > 0) and gains (dB). */
export interface GainCurve {
  readonly freqHz: readonly number[];
  readonly gainDb: readonly number[];
}

/**
 * Parameters of the `matchEq` stage.
 * - `midCurve`: the target gain curve for mid, (L+R)/2. Required.
 * - `sideCurve`: the curve for side, (L−R)/2; default: the mid curve (then L and R are simply
 *   filtered alike).
 * - `amountPct`: share of the curve applied, in dB, 0..100, default 100.
 * - `maxBoostDb`: boosts are limited to this, 0..24 dB, default 12; cuts go as deep as asked.
 * - `smoothingOct`: width of the smoothing window in octaves, 0..2, default 1/3.
 *
 * The curve is interpolated linearly in dB over log-frequency between the points (held
 * constant beyond the ends), smoothed with a moving average `smoothingOct` wide in log
 * frequency (so no feature is narrower than that), scaled by amountPct, capped at maxBoostDb,
 * and run as a linear-phase FIR of `defaultLinearPhaseTaps(fs)` taps: latency (taps − 1)/2.
 */
export interface MatchEqParams {
  readonly midCurve: GainCurve;
  readonly sideCurve?: GainCurve;
  readonly amountPct: number;
  readonly maxBoostDb: number;
  readonly smoothingOct: number;
}

export const DEFAULTS = {
  midCurve: { freqHz: [1000], gainDb: [0] } as GainCurve,
  amountPct: 100,
  maxBoostDb: 12,
  smoothingOct: 1 / 3,
} as const;

/** Grid of the smoothed curve: 48 points per octave from 5 Hz (log2 spaced). */
const GRID_PER_OCT = 48;
const GRID_FROM_HZ = 5;

/** The raw curve, interpolated in log-frequency, at `freqHz` (dB). */
function interpolateDb(curve: GainCurve, freqHz: number): number {
  const f = curve.freqHz;
  const g = curve.gainDb;
  if (f.length === 0) return 0;
  if (freqHz <= f[0]) return g[0];
  if (freqHz >= f[f.length - 1]) return g[g.length - 1];
  let i = 1;
  while (f[i] < freqHz) i++;
  const t = Math.log(freqHz / f[i - 1]) / Math.log(f[i] / f[i - 1]);
  return g[i - 1] + t * (g[i] - g[i - 1]);
}

/**
 * The applied gain in dB (smoothed, scaled, capped) as a function of frequency up to
 * `maxFreqHz`. Pure; exported for plots and tests.
 */
export function matchCurveDb(curve: GainCurve, params: Pick<MatchEqParams, "amountPct" | "maxBoostDb" | "smoothingOct">, maxFreqHz: number): (freqHz: number) => number {
  if (curve.freqHz.length !== curve.gainDb.length) throw new RangeError("curve: freqHz and gainDb differ in length");
  const points = Math.ceil(Math.log2(maxFreqHz / GRID_FROM_HZ) * GRID_PER_OCT) + 1;
  const raw = new Float64Array(points);
  for (let i = 0; i < points; i++) raw[i] = interpolateDb(curve, GRID_FROM_HZ * Math.pow(2, i / GRID_PER_OCT));
  const half = Math.round((params.smoothingOct * GRID_PER_OCT) / 2);
  const scale = params.amountPct / 100;
  const smooth = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    let sum = 0;
    for (let k = -half; k <= half; k++) sum += raw[Math.min(points - 1, Math.max(0, i + k))];
    smooth[i] = Math.min(params.maxBoostDb, (scale * sum) / (2 * half + 1));
  }
  return (freqHz: number): number => {
    const pos = Math.log2(Math.max(freqHz, GRID_FROM_HZ) / GRID_FROM_HZ) * GRID_PER_OCT;
    const i = Math.min(points - 2, Math.floor(pos));
    const t = Math.min(1, pos - i);
    return smooth[i] + t * (smooth[i + 1] - smooth[i]);
  };
}

/** Match EQ: a smooth target curve as a linear-phase FIR, mid and side separately. */
export class MatchEq implements Processor {
  readonly params: MatchEqParams;
  private latency = 0;
  private mid: ConvolutionEngine[] = [];
  private side: ConvolutionEngine | null = null;
  private a = new Float64Array(0);
  private b = new Float64Array(0);

  constructor(params: Partial<MatchEqParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
  }

  get latencySamples(): number {
    return this.latency;
  }

  prepare(spec: ProcessSpec): void {
    const fs = spec.sampleRateHz;
    const taps = defaultLinearPhaseTaps(fs);
    const design = (curve: GainCurve): Float64Array => {
      const db = matchCurveDb(curve, this.params, fs / 2);
      return defaultLinearPhaseFir((f) => Math.pow(10, db(f) / 20), fs);
    };
    const hMid = design(this.params.midCurve);
    this.latency = (taps - 1) / 2;
    const midSide = this.params.sideCurve !== undefined && spec.channels === 2;
    this.side = midSide ? new ConvolutionEngine(design(this.params.sideCurve as GainCurve)) : null;
    this.mid = [];
    for (let c = 0; c < (midSide ? 1 : spec.channels); c++) this.mid.push(new ConvolutionEngine(hMid));
    this.a = new Float64Array(spec.maxBlockFrames);
    this.b = new Float64Array(spec.maxBlockFrames);
  }

  process(channels: Float32Array[], frames: number): void {
    const a = this.a;
    const b = this.b;
    if (this.side === null) {
      for (let c = 0; c < channels.length; c++) {
        const ch = channels[c];
        for (let n = 0; n < frames; n++) a[n] = ch[n];
        this.mid[c].process(a, a, frames);
        for (let n = 0; n < frames; n++) ch[n] = a[n];
      }
      return;
    }
    const left = channels[0];
    const right = channels[1];
    for (let n = 0; n < frames; n++) {
      a[n] = 0.5 * (left[n] + right[n]);
      b[n] = 0.5 * (left[n] - right[n]);
    }
    this.mid[0].process(a, a, frames);
    this.side.process(b, b, frames);
    for (let n = 0; n < frames; n++) {
      left[n] = a[n] + b[n];
      right[n] = a[n] - b[n];
    }
  }

  reset(): void {
    for (const e of this.mid) e.reset();
    this.side?.reset();
  }
}
