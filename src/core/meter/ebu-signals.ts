/**
 * Test signals of EBU Tech 3341 (V4) and Tech 3342, synthesised from their descriptions
 * (see the conformance test). Pure: used by tests, benchmarks and the web app's self-check.
 *
 * Conventions: "x dBFS" is the per-channel peak level of a 1 kHz sine starting at phase 0;
 * segment boundaries fall at round(t * rate); the sine's phase runs on across segments.
 */
import { besselI0 } from "../design/kaiser.js";
import { dbToLinear } from "../units.js";

/** One segment: a duration and, per channel, a level in dBFS (null = silence). */
export interface ToneSegment {
  durationS: number;
  levelsDbfs: readonly (number | null)[];
}

/** Stereo segment helper: the same level in both channels (null = silence). */
export function stereo(durationS: number, levelDbfs: number | null): ToneSegment {
  return { durationS, levelsDbfs: [levelDbfs, levelDbfs] };
}

/** Concatenated 1 kHz sine segments, planar Float32. */
export function toneSegments(sampleRateHz: number, segments: readonly ToneSegment[], frequencyHz = 1000): Float32Array[] {
  const channels = segments[0].levelsDbfs.length;
  let totalS = 0;
  for (const s of segments) totalS += s.durationS;
  const frames = Math.round(totalS * sampleRateHz);
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  const sine = new Float64Array(frames);
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  for (let i = 0; i < frames; i++) sine[i] = Math.sin(w * i);
  let startS = 0;
  for (const s of segments) {
    const from = Math.round(startS * sampleRateHz);
    startS += s.durationS;
    const to = Math.min(frames, Math.round(startS * sampleRateHz));
    for (let c = 0; c < channels; c++) {
      const level = s.levelsDbfs[c];
      if (level === null) continue;
      const a = dbToLinear(level), ch = out[c];
      for (let i = from; i < to; i++) ch[i] = a * sine[i];
    }
  }
  return out;
}

/**
 * Tech 3341 cases 15-19: a sine at `frequencyHz` and `amplitude` (linear, 1 = full scale),
 * sin(2 pi f t + phase), 3.2 s with 10 ms raised-cosine fades; stereo.
 */
export function truePeakTone(sampleRateHz: number, frequencyHz: number, amplitude: number, phaseDeg: number): Float32Array[] {
  const frames = Math.round(3.2 * sampleRateHz);
  const fadeFrames = Math.round(0.01 * sampleRateHz);
  const x = new Float32Array(frames);
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz, phase = (phaseDeg * Math.PI) / 180;
  for (let i = 0; i < frames; i++) {
    let g = amplitude;
    const edge = Math.min(i, frames - 1 - i);
    if (edge < fadeFrames) g *= 0.5 - 0.5 * Math.cos((Math.PI * edge) / fadeFrames);
    x[i] = g * Math.sin(w * i + phase);
  }
  return [x, x.slice()];
}

/**
 * Tech 3341 cases 20-23: at 4x the rate, a tone of fs/6 at 0.50 FFS containing exactly one
 * period of fs/4 at 1.00 FFS (phase-continuous, inserted at a zero crossing), low-passed at
 * 0.49 fs (3073-tap Kaiser-windowed sinc, beta 10), then every 4th sample from `offset` (0..3).
 * The true peak is 0 dBTP whatever the offset; the sample peak is not. Stereo, 0.1 s.
 */
export function interSamplePeakBurst(sampleRateHz: number, offset: number): Float32Array[] {
  const frames = Math.round(0.1 * sampleRateHz);
  const hiFrames = 4 * frames + 4;
  const hi = new Float64Array(hiFrames);
  // fs/6 at 4 fs: 24 samples per period; fs/4 at 4 fs: 16 samples per period.
  const burstStart = 24 * Math.floor(hiFrames / 2 / 24);
  for (let i = 0; i < hiFrames; i++) {
    if (i < burstStart) hi[i] = 0.5 * Math.sin((2 * Math.PI * i) / 24);
    else if (i < burstStart + 16) hi[i] = Math.sin((2 * Math.PI * (i - burstStart)) / 16);
    else hi[i] = 0.5 * Math.sin((2 * Math.PI * (i - burstStart - 16)) / 24);
  }
  const taps = 3073, half = (taps - 1) / 2, beta = 10, cutoff = 0.49 / 4; // cycles per 4x sample
  const h = new Float64Array(taps);
  const i0beta = besselI0(beta);
  for (let k = 0; k < taps; k++) {
    const t = k - half, r = t / half;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    h[k] = (sinc * besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r)))) / i0beta;
  }
  const x = new Float32Array(frames);
  for (let n = 0; n < frames; n++) {
    const centre = 4 * n + offset;
    let acc = 0;
    const kFrom = Math.max(0, centre + half - (hiFrames - 1)), kTo = Math.min(taps - 1, centre + half);
    for (let k = kFrom; k <= kTo; k++) acc += h[k] * hi[centre + half - k];
    x[n] = acc;
  }
  return [x, x.slice()];
}
