/**
 * Mix feedback: the notes a mastering engineer sends back to the client, with stable codes
 * (src/core/codes.ts). The analyzer's own diagnostics (clipping, headroom, DC, phase, limiting,
 * level, silence, format) come first, then the tonal and noise notes measured here from the
 * loudest-sections and long-term third-octave spectra.
 *
 * Tonal notes compare the mix's level-normalized loudest-sections mid spectrum with the measured
 * balance of the well-mastered corpus (style-curves.ts), smoothed over ±1 band (an octave), and
 * report only an excess beyond that balance's measured spread by TONE_NOTE_DB or more: a note
 * must be worth fixing in the mix, not a matter of taste.
 * - W_BOOMY: 63-160 Hz (bass resonances, boomy kick and bass notes);
 * - W_MUDDY: 200-500 Hz (low-mid build-up of many instruments);
 * - W_HARSH: 2-5 kHz (where the ear is most sensitive, ISO 226 equal-loudness contours);
 * - W_SIBILANT: 5-10 kHz standing out above both its neighbours (3.15-4 kHz and 12.5 kHz) by
 *   SIBILANCE_PEAK_DB: the "s" region is a peak, not just a bright mix;
 * - W_HUM: the 50 Hz or 63 Hz band (holding 50 and 60 Hz mains) above both neighbours by
 *   HUM_PEAK_DB in the long-term spectrum and standing out more there than in the loudest
 *   sections (a steady tone that the music masks when loud);
 * - W_NOISE: the top octave (10-16 kHz) keeps the same level in the whole track as in its loudest
 *   sections (within NOISE_STEADY_DB) while the midrange drops by NOISE_MUSIC_SWING_DB or more in
 *   the quiet parts: something there does not follow the music (hiss).
 */
import type { Diagnostic } from "../codes.js";
import type { AnalysisReport } from "../meter/analyzer.js";
import { normalizeLevels, smoothBands } from "./spectra.js";
import { MEASURED_MID_DB, MEASURED_MID_SPREAD_DB } from "./style-curves.js";

export const TONE_NOTE_DB = 3;
export const SIBILANCE_PEAK_DB = 6;
export const HUM_PEAK_DB = 6;
export const NOISE_STEADY_DB = 1;
export const NOISE_MUSIC_SWING_DB = 6;

function regionMean(bandsHz: readonly number[], values: readonly (number | null)[], lowHz: number, highHz: number): number | null {
  const vs = values.filter((v, i): v is number => v !== null && bandsHz[i] >= lowHz * 0.99 && bandsHz[i] <= highHz * 1.01);
  return vs.length > 0 ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
}

function powerSum(bandsHz: readonly number[], values: readonly (number | null)[], lowHz: number, highHz: number): number | null {
  let p = 0;
  values.forEach((v, i) => { if (v !== null && bandsHz[i] >= lowHz * 0.99 && bandsHz[i] <= highHz * 1.01) p += Math.pow(10, v / 10); });
  return p > 0 ? 10 * Math.log10(p) : null;
}

/** Per band, how far the mix's balance lies beyond the corpus balance (positive: too much), dB. */
export function toneExcessDb(analysis: AnalysisReport): (number | null)[] {
  const { bandsHz, loudestMidDb } = analysis.spectrum;
  const mix = normalizeLevels(bandsHz, loudestMidDb);
  const diff = smoothBands(mix.map((m, i) => (m === null ? null : m - MEASURED_MID_DB[i])), 1);
  const spread = smoothBands(MEASURED_MID_SPREAD_DB, 1);
  return diff.map((d, i) => (d === null ? null : Math.sign(d) * Math.max(0, Math.abs(d) - spread[i]!)));
}

/** The engineer's notes for the client: the analyzer's diagnostics, then tone, hum and noise. */
export function mixFeedback(analysis: AnalysisReport): Diagnostic[] {
  const out: Diagnostic[] = [...analysis.diagnostics];
  if (analysis.diagnostics.some((d) => d.code === "W_SILENT")) return out;
  const { bandsHz, midDb, loudestMidDb } = analysis.spectrum;
  const excess = toneExcessDb(analysis);
  const f1 = (x: number) => x.toFixed(1);

  const tone: [code: Diagnostic["code"], lowHz: number, highHz: number, text: (x: number) => string][] = [
    ["W_BOOMY", 63, 160, (x) => `The low end is boomy: 63-160 Hz sits ${f1(x)} dB above the balance of well-mastered tracks (beyond their usual spread). Check the kick and bass for resonant notes and their overlap; a cut around the loudest bass note or a high-pass on the non-bass instruments usually fixes it at the source.`],
    ["W_MUDDY", 200, 500, (x) => `The low mids are crowded: 200-500 Hz sits ${f1(x)} dB above the balance of well-mastered tracks. Many instruments pile up there (guitars, keys, room sound); gentle cuts on the ones that do not need that range will clear the mix better than a master EQ can.`],
    ["W_HARSH", 2000, 5000, (x) => `The upper mids are harsh: 2-5 kHz sits ${f1(x)} dB above the balance of well-mastered tracks, the range the ear is most sensitive to. Look at distorted guitars, cymbals and bright synths; taming them in the mix keeps the master from sounding thin when we pull this range down.`],
  ];
  for (const [code, lo, hi, text] of tone) {
    const x = regionMean(bandsHz, excess, lo, hi);
    if (x !== null && x >= TONE_NOTE_DB) out.push({ code, message: text(x) });
  }

  // Sibilance: the 5-10 kHz region as a peak above both neighbours.
  const sib = powerSum(bandsHz, loudestMidDb, 5000, 10000);
  const below = powerSum(bandsHz, loudestMidDb, 3150, 4000);
  const above = powerSum(bandsHz, loudestMidDb, 12500, 12500);
  if (sib !== null && below !== null && above !== null) {
    // Compare per-band means (the regions hold different numbers of bands).
    const sibMean = sib - 10 * Math.log10(4), belowMean = below - 10 * Math.log10(2);
    const peak = sibMean - Math.max(belowMean, above);
    if (peak >= SIBILANCE_PEAK_DB) {
      out.push({ code: "W_SIBILANT", message: `Sibilance stands out: the 5-10 kHz region is ${f1(peak)} dB above its neighbours in the loudest sections. A de-esser on the vocal (or a softer cymbal bus) in the mix works better than a broad cut in the master.` });
    }
  }

  // Hum: a steady 50 or 60 Hz peak.
  for (const [hz, mains] of [[50, "50 Hz"], [63, "60 Hz"]] as const) {
    const i = bandsHz.findIndex((f) => Math.abs(f - hz) < 1);
    if (i <= 0 || i >= bandsHz.length - 1) continue;
    const peakAll = (v: (number | null)[]) => (v[i] === null || v[i - 1] === null || v[i + 1] === null ? null : v[i]! - Math.max(v[i - 1]!, v[i + 1]!));
    const all = peakAll(midDb), loud = peakAll(loudestMidDb);
    if (all !== null && loud !== null && all >= HUM_PEAK_DB && all > loud) {
      out.push({ code: "W_HUM", message: `There is probably mains hum at ${mains}: the ${bandsHz[i]} Hz band stands ${f1(all)} dB above its neighbours over the whole track, more than in the loud sections, so it is steady rather than musical. Check cables and grounding, or notch it on the track that carries it.` });
      break;
    }
  }

  // Noise: the top octave does not follow the music's level.
  const topAll = powerSum(bandsHz, midDb, 10000, 16000), topLoud = powerSum(bandsHz, loudestMidDb, 10000, 16000);
  const midAll = powerSum(bandsHz, midDb, 500, 2000), midLoud = powerSum(bandsHz, loudestMidDb, 500, 2000);
  if (topAll !== null && topLoud !== null && midAll !== null && midLoud !== null) {
    const topSwing = topLoud - topAll, musicSwing = midLoud - midAll;
    if (topSwing <= NOISE_STEADY_DB && musicSwing >= NOISE_MUSIC_SWING_DB) {
      out.push({ code: "W_NOISE", message: `A steady noise floor is likely: above 10 kHz the level in the quiet parts is within ${f1(topSwing)} dB of the loud parts, while the midrange drops by ${f1(musicSwing)} dB. Hiss from a preamp, an amp or a sample shows most in quiet passages; a gate or noise reduction on the source track helps.` });
    }
  }
  return out;
}
