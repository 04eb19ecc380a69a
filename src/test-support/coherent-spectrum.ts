/**
 * Spectrum measurements for nonlinear-processor tests, with coherent sampling: the test tone
 * has exactly `bin` periods in an `n`-point frame (n a power of two, bin odd), so every harmonic
 * and every aliased harmonic lands exactly on a bin with no leakage, and a rectangular window
 * is exact. Levels are in dBFS of a sine's peak amplitude (a full-scale sine reads 0).
 */
import { RealFft, packedPower } from "../core/design/fft.js";

/** A coherent test tone: the frequency nearest `targetHz` with an odd number of periods in n. */
export function coherentBin(targetHz: number, sampleRateHz: number, n: number): { bin: number; freqHz: number } {
  let bin = Math.round((targetHz * n) / sampleRateHz);
  if (bin % 2 === 0) bin += 1;
  return { bin, freqHz: (bin * sampleRateHz) / n };
}

/** Amplitude spectrum in dBFS (sine peak) of `frame` (length n), bins 0..n/2. */
export function amplitudeSpectrumDb(frame: ArrayLike<number>): Float64Array {
  const n = frame.length;
  const data = Float64Array.from(frame);
  new RealFft(n).forward(data);
  const power = new Float64Array(n / 2 + 1);
  packedPower(data, n, power);
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    const scale = k === 0 || k === n / 2 ? 1 / n : 2 / n;
    out[k] = 20 * Math.log10(Math.sqrt(power[k]) * scale + 1e-300);
  }
  return out;
}

/** Harmonic bins (h·bin for h >= 0, below Nyquist) of a coherent tone. */
export function harmonicBins(bin: number, n: number): Set<number> {
  const set = new Set<number>();
  for (let k = 0; k <= n / 2; k += bin) set.add(k);
  return set;
}

/** Strongest component that is not a harmonic (DC counts as harmonic 0): aliasing and noise. */
export function worstInharmonic(spectrumDb: Float64Array, bin: number, n: number, sampleRateHz: number): { levelDb: number; freqHz: number } {
  const harmonics = harmonicBins(bin, n);
  let levelDb = -Infinity;
  let at = 0;
  for (let k = 0; k < spectrumDb.length; k++) {
    if (harmonics.has(k)) continue;
    if (spectrumDb[k] > levelDb) { levelDb = spectrumDb[k]; at = k; }
  }
  return { levelDb, freqHz: (at * sampleRateHz) / n };
}

/** THD in dB: power of harmonics 2.. over the fundamental's power. */
export function thdDb(spectrumDb: Float64Array, bin: number, n: number): number {
  let sum = 0;
  for (let k = 2 * bin; k <= n / 2; k += bin) sum += Math.pow(10, spectrumDb[k] / 10);
  return 10 * Math.log10(sum / Math.pow(10, spectrumDb[bin] / 10));
}
