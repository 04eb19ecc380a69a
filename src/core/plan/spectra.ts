/**
 * Spectrum arithmetic for the planner, on the analyzer's 31 third-octave bands (ISO 266 centres,
 * src/core/meter/spectrum.ts): level normalization, "live" bands, the spectral distance the
 * issue's bar is stated in, and octave smoothing. Levels are dB re a full-scale sine; null is a
 * silent band.
 */

/** The bar's frequency range: tonal comparisons use the bands from 40 Hz to 16 kHz. */
export const COMPARE_LOW_HZ = 40;
export const COMPARE_HIGH_HZ = 16000;
/**
 * A band more than this far below the loudest band of the spectrum is "no energy": noise floor,
 * encoder low-pass or an empty sub-bass, where matching would only amplify noise. 60 dB is the
 * range a mastering engineer reads off an analyser display.
 */
export const LIVE_RANGE_DB = 60;

/** Bands whose level is within LIVE_RANGE_DB of the loudest band (null bands are not live). */
export function liveBands(levelsDb: readonly (number | null)[]): boolean[] {
  let max = -Infinity;
  for (const v of levelsDb) if (v !== null && v > max) max = v;
  return levelsDb.map((v) => v !== null && v >= max - LIVE_RANGE_DB);
}

function inCompareRange(freqHz: number): boolean {
  // Tolerance for the nominal 16 kHz band centre (exact base-10 centre 15849 Hz).
  return freqHz >= COMPARE_LOW_HZ * 0.99 && freqHz <= COMPARE_HIGH_HZ * 1.01;
}

/**
 * Level-normalized levels: the mean level (dB) of the live bands in 40 Hz-16 kHz subtracted, so two
 * spectra of different loudness compare by shape only. Bands that are not live become null.
 */
export function normalizeLevels(bandsHz: readonly number[], levelsDb: readonly (number | null)[]): (number | null)[] {
  const live = liveBands(levelsDb);
  let sum = 0, n = 0;
  for (let i = 0; i < bandsHz.length; i++) {
    if (live[i] && inCompareRange(bandsHz[i])) { sum += levelsDb[i]!; n++; }
  }
  const mean = n > 0 ? sum / n : 0;
  return levelsDb.map((v, i) => (live[i] ? v! - mean : null));
}

/**
 * Spectral distance, dB RMS, between two spectra over the live bands of both in 40 Hz-16 kHz,
 * level-normalized: the mean difference (the best level match) is removed first. This is the
 * figure the bar (Matchering 1.9-4.0 dB RMS) is stated in.
 */
export function spectralDistanceDb(bandsHz: readonly number[], aDb: readonly (number | null)[], bDb: readonly (number | null)[]): number {
  const liveA = liveBands(aDb), liveB = liveBands(bDb);
  const diffs: number[] = [];
  for (let i = 0; i < bandsHz.length; i++) {
    if (liveA[i] && liveB[i] && inCompareRange(bandsHz[i])) diffs.push(aDb[i]! - bDb[i]!);
  }
  if (diffs.length === 0) return NaN;
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  return Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / diffs.length);
}

/**
 * Smoothing over ±halfWidth neighbouring third-octave bands (halfWidth 1 = one octave, 3 = two
 * octaves), skipping null bands; a band with no non-null neighbour stays null.
 */
export function smoothBands(valuesDb: readonly (number | null)[], halfWidth: number): (number | null)[] {
  return valuesDb.map((v, i) => {
    if (v === null) return null;
    let sum = 0, n = 0;
    for (let j = Math.max(0, i - halfWidth); j <= Math.min(valuesDb.length - 1, i + halfWidth); j++) {
      const w = valuesDb[j];
      if (w !== null) { sum += w; n++; }
    }
    return sum / n;
  });
}

/** Mean of several normalized spectra, band by band (null where every input is null). */
export function meanSpectra(spectra: readonly (readonly (number | null)[])[]): (number | null)[] {
  const n = spectra[0]?.length ?? 0;
  const out: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    let sum = 0, k = 0;
    for (const s of spectra) if (s[i] !== null) { sum += s[i]!; k++; }
    out.push(k > 0 ? sum / k : null);
  }
  return out;
}
