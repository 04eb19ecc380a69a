import type { Processor, ProcessSpec } from "./processor.js";
import { Oversampler } from "./oversampler.js";
import { dbToLinear } from "../units.js";

/** Parameters of the `clipper` stage (ChainSpec). */
export interface ClipperParams {
  /**
   * Level in dBFS below which the signal passes untouched (apart from the latency and the
   * oversampling filters' ±0.0001 dB ripple). Range -24..0, default -1.
   */
  readonly thresholdDb?: number;
  /**
   * Width of the soft region above the threshold in dB, range 0..12, default 6. Above the
   * threshold the curve bends as a tanh towards `thresholdDb + kneeDb` and never exceeds it;
   * 0 is a hard clip at the threshold.
   */
  readonly kneeDb?: number;
  /**
   * ChainSpec's `mode`: "hard" forces kneeDb 0 (hard clip at the threshold, 16x oversampled);
   * "soft" (default) uses `kneeDb`.
   */
  readonly mode?: "soft" | "hard";
  /**
   * Oversampling factor 4, 8 or 16; default by knee: 4 for kneeDb >= 4, 8 for kneeDb >= 1,
   * 16 below (a hard clip aliases far more: see clipper.test.ts for the measured figures).
   */
  readonly oversampling?: number;
}

export const DEFAULTS = { thresholdDb: -1, kneeDb: 6, mode: "soft" } as const;

/** Default oversampling for a knee width: the smallest factor whose aliasing stays under -90 dBFS in our test (hard clip: 16x). */
export function clipperOversamplingFor(kneeDb: number): number {
  return kneeDb >= 4 ? 4 : kneeDb >= 1 ? 8 : 16;
}

/**
 * A soft (tanh-knee) or hard clipper, oversampled with polyphase half-band stages.
 *
 * Curve, for |x| > t (t = threshold, w = t·(10^(kneeDb/20) - 1)):
 *   y = sign(x)·(t + w·tanh((|x| - t)/w))
 * which joins the identity with matching slope and curvature at t (slope 1, curvature 0) and
 * tends to t + w: output peaks (at the sample points of the oversampled signal) never exceed
 * `thresholdDb + kneeDb`; the decimation filter can add a small inter-sample overshoot.
 * Below the threshold the curve is the identity, so a quiet signal comes out as the input
 * delayed by `latencySamples` within the filters' ripple.
 */
export class Clipper implements Processor {
  readonly thresholdDb: number;
  readonly kneeDb: number;
  readonly oversampling: number;
  readonly latencySamples: number;
  private readonly os: Oversampler;
  private readonly thresholdLinear: number;
  private readonly kneeWidthLinear: number;

  constructor(params: ClipperParams = {}) {
    this.thresholdDb = params.thresholdDb ?? DEFAULTS.thresholdDb;
    this.kneeDb = params.mode === "hard" ? 0 : Math.max(0, params.kneeDb ?? DEFAULTS.kneeDb);
    this.oversampling = params.oversampling ?? clipperOversamplingFor(this.kneeDb);
    this.os = new Oversampler(this.oversampling);
    this.latencySamples = this.os.latencySamples;
    this.thresholdLinear = dbToLinear(this.thresholdDb);
    this.kneeWidthLinear = this.thresholdLinear * (dbToLinear(this.kneeDb) - 1);
  }

  /** Highest output level of the curve in dBFS (threshold + knee). */
  get ceilingDb(): number {
    return this.thresholdDb + this.kneeDb;
  }

  prepare(spec: ProcessSpec): void {
    this.os.prepare(spec.channels, spec.maxBlockFrames);
  }

  reset(): void {
    this.os.reset();
  }

  process(channels: Float32Array[], frames: number): void {
    const t = this.thresholdLinear;
    const w = this.kneeWidthLinear;
    const invW = w > 0 ? 1 / w : 0;
    const n = frames * this.oversampling;
    for (let c = 0; c < channels.length; c++) {
      const hi = this.os.upsample(c, channels[c], frames);
      if (w > 0) {
        for (let i = 0; i < n; i++) {
          const x = hi[i];
          if (x > t) hi[i] = t + w * Math.tanh((x - t) * invW);
          else if (x < -t) hi[i] = -t - w * Math.tanh((-x - t) * invW);
        }
      } else {
        for (let i = 0; i < n; i++) {
          const x = hi[i];
          if (x > t) hi[i] = t;
          else if (x < -t) hi[i] = -t;
        }
      }
      this.os.downsample(c, channels[c], frames);
    }
  }
}
