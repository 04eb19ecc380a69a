import type { Processor, ProcessSpec } from "./processor.js";
import { Oversampler } from "./oversampler.js";
import { dbToLinear } from "../units.js";

/** Saturation curves. */
export type SaturatorCurve = "tanh" | "tube";

/** Parameters of the `saturator` stage (ChainSpec). */
export interface SaturatorParams {
  /** "tanh" (symmetric, odd harmonics) or "tube" (biased tanh: asymmetric, adds even harmonics). Default "tanh". */
  readonly curve?: SaturatorCurve;
  /** Gain into the curve in dB, range 0..36, default 6. */
  readonly driveDb?: number;
  /** Wet share in percent, range 0..100, default 100 (the dry path is delayed to stay aligned). */
  readonly mixPct?: number;
  /**
   * Output compensation: when true (default) the wet signal is divided by the drive, so the
   * curve has unity small-signal gain and only the peaks are shaped (level stays put).
   */
  readonly compensate?: boolean;
  /** Output trim in dB, range -24..24, default 0. */
  readonly outputGainDb?: number;
  /** Oversampling factor 1, 2, 4, 8 or 16, default 4. */
  readonly oversampling?: number;
}

export const DEFAULTS = {
  curve: "tanh",
  driveDb: 6,
  mixPct: 100,
  compensate: true,
  outputGainDb: 0,
  oversampling: 4,
} as const;

/** Bias of the tube curve (tanh(u + b) - tanh(b)): 0.25 gives roughly 2nd harmonic 10 dB under the 3rd at moderate drive. */
const TUBE_BIAS = 0.25;
/** DC blocker corner for the tube curve's rectified (DC) component, in Hz. */
const DC_BLOCK_HZ = 5;
/** Below this the DC blocker state is flushed to 0 (no float32 denormals on silence). */
const FLUSH = 1e-25;

/**
 * Oversampled soft saturation. Each curve f has f(0) = 0 and f'(0) = 1:
 *   tanh: f(u) = tanh(u)
 *   tube: f(u) = (tanh(u + b) - tanh(b)) / (1 - tanh²(b))
 * and the wet signal is f(g·x)/g (compensated) or f(g·x), g = 10^(driveDb/20).
 *
 * At the base rate the output is dry + mix·(wet - dry), dry delayed by the oversampling latency.
 * For the asymmetric tube curve the nonlinear residue (wet - dry) carries DC, which a one-pole
 * DC blocker at 5 Hz removes from the residue only (the dry signal's lows are untouched).
 */
export class Saturator implements Processor {
  readonly curve: SaturatorCurve;
  readonly driveDb: number;
  readonly mixPct: number;
  readonly compensate: boolean;
  readonly outputGainDb: number;
  readonly oversampling: number;
  readonly latencySamples: number;
  private readonly os: Oversampler;
  private dry: Float32Array[] = []; // ring buffers of the dry signal, power-of-two length
  private dryMask = 0;
  private dryPos = 0;
  private dcX: Float64Array = new Float64Array(0); // DC blocker state per channel (residue in)
  private dcY: Float64Array = new Float64Array(0); // (residue out)
  private dcPole = 0;
  private block: Float32Array = new Float32Array(0);

  constructor(params: SaturatorParams = {}) {
    this.curve = params.curve ?? DEFAULTS.curve;
    this.driveDb = params.driveDb ?? DEFAULTS.driveDb;
    this.mixPct = Math.min(100, Math.max(0, params.mixPct ?? DEFAULTS.mixPct));
    this.compensate = params.compensate ?? DEFAULTS.compensate;
    this.outputGainDb = params.outputGainDb ?? DEFAULTS.outputGainDb;
    this.oversampling = params.oversampling ?? DEFAULTS.oversampling;
    this.os = new Oversampler(this.oversampling);
    this.latencySamples = this.os.latencySamples;
  }

  prepare(spec: ProcessSpec): void {
    this.os.prepare(spec.channels, spec.maxBlockFrames);
    let size = 1;
    while (size < this.latencySamples + spec.maxBlockFrames + 1) size <<= 1;
    this.dry = [];
    for (let c = 0; c < spec.channels; c++) this.dry.push(new Float32Array(size));
    this.dryMask = size - 1;
    this.dryPos = 0;
    this.dcX = new Float64Array(spec.channels);
    this.dcY = new Float64Array(spec.channels);
    this.dcPole = Math.exp((-2 * Math.PI * DC_BLOCK_HZ) / spec.sampleRateHz);
    this.block = new Float32Array(spec.maxBlockFrames);
  }

  reset(): void {
    this.os.reset();
    for (const d of this.dry) d.fill(0);
    this.dryPos = 0;
    this.dcX.fill(0);
    this.dcY.fill(0);
  }

  process(channels: Float32Array[], frames: number): void {
    const g = dbToLinear(this.driveDb);
    const outScale = (this.compensate ? 1 / g : 1) * dbToLinear(this.outputGainDb);
    const trim = dbToLinear(this.outputGainDb);
    const mix = this.mixPct / 100;
    const tube = this.curve === "tube";
    const tb = Math.tanh(TUBE_BIAS);
    const tubeNorm = 1 / (1 - tb * tb);
    const n = frames * this.oversampling;
    const mask = this.dryMask;
    const latency = this.latencySamples;
    const pole = this.dcPole;
    const wet = this.block;
    for (let c = 0; c < channels.length; c++) {
      const ch = channels[c];
      const hi = this.os.upsample(c, ch, frames);
      if (tube) {
        for (let i = 0; i < n; i++) hi[i] = (Math.tanh(g * hi[i] + TUBE_BIAS) - tb) * tubeNorm;
      } else {
        for (let i = 0; i < n; i++) hi[i] = Math.tanh(g * hi[i]);
      }
      this.os.downsample(c, wet, frames);
      const ring = this.dry[c];
      let pos = this.dryPos;
      let x1 = this.dcX[c];
      let y1 = this.dcY[c];
      for (let i = 0; i < frames; i++) {
        ring[pos & mask] = ch[i];
        const dry = ring[(pos - latency) & mask];
        pos++;
        let residue = wet[i] * outScale - dry * trim; // the curve's contribution (already trimmed)
        if (tube) {
          // One-pole DC blocker on the residue: y[n] = r[n] - r[n-1] + p·y[n-1].
          const y = residue - x1 + pole * y1;
          x1 = residue;
          y1 = Math.abs(y) < FLUSH ? 0 : y;
          residue = y1;
        }
        ch[i] = dry * trim + mix * residue;
      }
      this.dcX[c] = x1;
      this.dcY[c] = y1;
    }
    this.dryPos = (this.dryPos + frames) & mask;
  }
}
