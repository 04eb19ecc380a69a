import type { Processor, ProcessSpec } from "./processor.js";
import { CrossoverBank } from "./crossover-bank.js";
import { crossoverProblem } from "../design/crossover.js";
import { timeConstantCoefficient } from "./dynamics.js";

export interface ImagerParams {
  /**
   * Band edges in Hz, strictly ascending, 0 to 4 of them (1 to 5 width bands), each in
   * (0, 0.45·fs); the same LR4 all-pass-compensated crossovers as the multiband compressor.
   * Default [] (one band).
   */
  readonly crossoversHz: readonly number[];
  /**
   * Width per band in %, 0 to 200, low to high (crossoversHz.length + 1 entries): the side
   * signal S = (L − R)/2 of the band is scaled by width/100 (0 = mono, 100 = unchanged, 200 =
   * side doubled). Default [100].
   */
  readonly widthsPercent: readonly number[];
  /**
   * Below this frequency (Hz) the output is mono: the side is removed by an LR4 high-pass at
   * this frequency (24 dB/octave), for club systems and vinyl. 0 (off) or 20 to 1000. Default 0.
   */
  readonly monoBelowHz: number;
  /**
   * Correlation guard: when true, widening (width > 100 %) in a band is limited so the band's
   * running L/R correlation stays at or above `correlationFloor`. Default true.
   */
  readonly correlationGuard: boolean;
  /**
   * Lowest L/R correlation widening may produce in a band, 0 to 0.9. Default 0 (never more
   * anti-phase than in-phase energy, so a mono fold-down cannot cancel). The rule, with running
   * mean squares m = E[M_b²] and s = E[S_b²] of the band's mid and input side: a side gain g
   * gives correlation r = (m − g²s) / √((m + g²s)² − 4g²E[M_b S_b]²) ≥ (m − g²s)/(m + g²s),
   * so r ≥ ρ holds when g² ≤ m(1 − ρ) / (s(1 + ρ)). The guard applies
   * g = min(w, max(1, √(m(1 − ρ)/(s(1 + ρ))))): it only takes back widening, never narrows a
   * band below its original width (a band already under the floor is left as it was).
   * The guard aims at ρ + 0.02 so that estimation noise does not dip the result under ρ.
   */
  readonly correlationFloor: number;
  /** Time constant of the guard's running mean squares in ms, 5 to 1000. Default 50. */
  readonly correlationWindowMs: number;
}

export const DEFAULTS: ImagerParams = {
  crossoversHz: [],
  widthsPercent: [100],
  monoBelowHz: 0,
  correlationGuard: true,
  correlationFloor: 0,
  correlationWindowMs: 50,
};

const OUTPUT_FLUSH = 1e-30;
// The guard aims this far above the floor: its running estimates fluctuate and lag, and a target
// exactly on the floor lands a few 1e-4 under it over a whole track (measured in the tests).
const GUARD_MARGIN = 0.02;

/**
 * Stereo imager: width per band on M/S, mono below a frequency, with a correlation guard.
 * Channels other than two pass unchanged (width is a two-channel notion). With every width at
 * 100 % and no mono-bass the imager is a bit-exact bypass: no split at all, latency 0. Otherwise
 * the output carries the crossover all-pass phase on mid and side alike (latency still 0).
 */
export class Imager implements Processor {
  readonly latencySamples = 0;
  readonly params: ImagerParams;
  /** True when nothing would change: process() returns without touching the samples. */
  readonly identity: boolean;
  private readonly bank: CrossoverBank | null;
  // Per internal band: side gain (0..2) and whether the guard may take widening back.
  private readonly bandWidths: Float64Array;
  private active = false;
  private guardCoef = 0;
  private midPower = new Float64Array(0);
  private sidePower = new Float64Array(0);
  private io: Float64Array[] = [];

  /** Throws RangeError naming the parameter when one is out of range. */
  constructor(params: Partial<ImagerParams> = {}) {
    const widthsPercent = params.widthsPercent ?? (params.crossoversHz ? [...params.crossoversHz, 0].map(() => 100) : DEFAULTS.widthsPercent);
    const p: ImagerParams = { ...DEFAULTS, ...params, widthsPercent };
    this.params = p;
    const problem = crossoverProblem(p.crossoversHz, Infinity);
    if (problem !== null) throw new RangeError(`imager: ${problem}`);
    if (p.crossoversHz.length > 4) throw new RangeError("imager: at most 4 crossovers (5 bands)");
    if (widthsPercent.length !== p.crossoversHz.length + 1) {
      throw new RangeError(`imager: ${widthsPercent.length} widthsPercent for ${p.crossoversHz.length + 1} bands`);
    }
    for (const w of widthsPercent) if (!(w >= 0 && w <= 200)) throw new RangeError(`imager: widthsPercent ${w} is outside 0..200`);
    if (!(p.monoBelowHz === 0 || (p.monoBelowHz >= 20 && p.monoBelowHz <= 1000))) {
      throw new RangeError(`imager: monoBelowHz ${p.monoBelowHz} is neither 0 nor within 20..1000`);
    }
    if (!(p.correlationFloor >= 0 && p.correlationFloor <= 0.9)) throw new RangeError(`imager: correlationFloor ${p.correlationFloor} is outside 0..0.9`);
    if (!(p.correlationWindowMs >= 5 && p.correlationWindowMs <= 1000)) {
      throw new RangeError(`imager: correlationWindowMs ${p.correlationWindowMs} is outside 5..1000`);
    }

    this.identity = p.monoBelowHz === 0 && widthsPercent.every((w) => w === 100);
    // Internal edges: the user's crossovers plus monoBelowHz (if not already one of them).
    const edges = [...p.crossoversHz];
    if (p.monoBelowHz > 0 && !edges.includes(p.monoBelowHz)) edges.push(p.monoBelowHz);
    edges.sort((a, b) => a - b);
    this.bandWidths = new Float64Array(edges.length + 1);
    for (let k = 0; k <= edges.length; k++) {
      const lowerHz = k === 0 ? 0 : edges[k - 1];
      const upperHz = k === edges.length ? Infinity : edges[k];
      const userBand = p.crossoversHz.filter((f) => f <= lowerHz).length;
      this.bandWidths[k] = upperHz <= p.monoBelowHz ? 0 : widthsPercent[userBand] / 100;
    }
    this.bank = this.identity ? null : new CrossoverBank({ crossoversHz: edges });
  }

  prepare(spec: ProcessSpec): void {
    this.active = !this.identity && spec.channels === 2;
    if (!this.active || this.bank === null) return;
    this.bank.prepare({ ...spec, channels: 2 });
    this.guardCoef = timeConstantCoefficient(this.params.correlationWindowMs, spec.sampleRateHz);
    this.midPower = new Float64Array(this.bandWidths.length);
    this.sidePower = new Float64Array(this.bandWidths.length);
    this.io = [new Float64Array(spec.maxBlockFrames), new Float64Array(spec.maxBlockFrames)];
  }

  process(channels: Float32Array[], frames: number): void {
    if (!this.active || this.bank === null) return;
    const l = channels[0], r = channels[1], mid = this.io[0], side = this.io[1];
    for (let n = 0; n < frames; n++) {
      mid[n] = 0.5 * (l[n] + r[n]);
      side[n] = 0.5 * (l[n] - r[n]);
    }
    const bank = this.bank;
    bank.split(this.io, frames);
    const bands = bank.bands;
    // Mid: Σ M_b (the all-pass of the mid). Side: Σ g_b S_b.
    mid.fill(0, 0, frames);
    side.fill(0, 0, frames);
    const guard = this.params.correlationGuard;
    const floor = this.params.correlationFloor;
    const target = Math.min(floor + GUARD_MARGIN, 0.95);
    const limitFactor = (1 - target) / (1 + target);
    const a = this.guardCoef, b = 1 - a;
    for (let k = 0; k < bands.length; k++) {
      const m = bands[k][0], s = bands[k][1], width = this.bandWidths[k];
      for (let n = 0; n < frames; n++) mid[n] += m[n];
      if (width === 0) continue;
      if (width <= 1 || !guard) {
        for (let n = 0; n < frames; n++) side[n] += width * s[n];
        continue;
      }
      let mp = this.midPower[k], sp = this.sidePower[k];
      const widthSquared = width * width;
      for (let n = 0; n < frames; n++) {
        const mv = m[n], sv = s[n];
        mp = a * mp + b * mv * mv;
        sp = a * sp + b * sv * sv;
        // g² ≤ m(1 − ρ)/(s(1 + ρ)) keeps r ≥ ρ; never below 1 (the guard only takes back widening).
        let g = width;
        const allowedSquared = (mp * limitFactor) / sp; // Infinity when sp = 0
        if (allowedSquared < widthSquared) g = allowedSquared > 1 ? Math.sqrt(allowedSquared) : 1;
        side[n] += g * sv;
      }
      this.midPower[k] = mp < 1e-200 ? 0 : mp;
      this.sidePower[k] = sp < 1e-200 ? 0 : sp;
    }
    for (let n = 0; n < frames; n++) {
      const yl = mid[n] + side[n], yr = mid[n] - side[n];
      l[n] = yl > OUTPUT_FLUSH || yl < -OUTPUT_FLUSH ? yl : 0;
      r[n] = yr > OUTPUT_FLUSH || yr < -OUTPUT_FLUSH ? yr : 0;
    }
  }

  reset(): void {
    this.bank?.reset();
    this.midPower.fill(0);
    this.sidePower.fill(0);
  }
}
