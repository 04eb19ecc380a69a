/**
 * Streaming true-peak and sample-peak meter (ITU-R BS.1770-4 Annex 2), one interpolator per
 * channel (see design/true-peak-fir.ts: 4x up to 48 kHz, 2x above). Blocks that cannot raise a
 * channel's running maximum are skipped by a rigorous bound, so loud passages cost the full
 * filter and quiet ones almost nothing; results are identical to evaluating every output.
 */
import { designTruePeakFir, TruePeakInterpolator } from "../design/true-peak-fir.js";
import { linearToDb } from "../units.js";

export class TruePeakMeter {
  readonly sampleRateHz: number;
  readonly channels: number;
  private readonly interpolators: TruePeakInterpolator[] = [];
  private readonly peaks: Float64Array;

  constructor(options: { sampleRateHz: number; channels: number }) {
    const { sampleRateHz, channels } = options;
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channel count ${channels} is invalid`);
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    const design = designTruePeakFir(sampleRateHz);
    for (let c = 0; c < channels; c++) this.interpolators.push(new TruePeakInterpolator(design));
    this.peaks = new Float64Array(channels);
  }

  /** Adds `frames` frames of planar audio. Any block size. */
  add(channels: Float32Array[], frames: number): void {
    if (channels.length !== this.channels) throw new RangeError(`expected ${this.channels} channels, got ${channels.length}`);
    for (let c = 0; c < this.channels; c++) {
      this.peaks[c] = this.interpolators[c].maxAbs(channels[c], 0, frames, this.peaks[c]);
    }
  }

  /** True peak of one channel (linear), or of all channels; includes the filter's pending tail. */
  truePeakLinear(channel?: number): number {
    if (channel !== undefined) return this.interpolators[channel].flushMaxAbs(this.peaks[channel]);
    let peak = 0;
    for (let c = 0; c < this.channels; c++) peak = Math.max(peak, this.interpolators[c].flushMaxAbs(this.peaks[c]));
    return peak;
  }

  /** True peak over all channels in dBTP (-Infinity for digital silence). */
  truePeakDbtp(): number {
    return linearToDb(this.truePeakLinear());
  }

  /** Sample peak of one channel, or of all channels (linear). */
  samplePeakLinear(channel?: number): number {
    if (channel !== undefined) return this.interpolators[channel].samplePeak;
    let peak = 0;
    for (const it of this.interpolators) peak = Math.max(peak, it.samplePeak);
    return peak;
  }

  /** Sample peak over all channels in dBFS. */
  samplePeakDbfs(): number {
    return linearToDb(this.samplePeakLinear());
  }

  reset(): void {
    for (const it of this.interpolators) it.reset();
    this.peaks.fill(0);
  }
}
