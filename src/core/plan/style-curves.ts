/**
 * Style target curves: the tonal balance each style aims for, as level-normalized third-octave
 * levels (dB) at the analyzer's 31 ISO 266 centres, 20 Hz .. 20 kHz, loudest sections.
 *
 * Provenance:
 * - MEASURED_*: the mean of the well-mastered dev corpus tracks dev01-dev04
 *   (/work/shared/corpus/dev, README there: GPL-2+ / CC BY-SA 3.0), loudest-sections spectra,
 *   each track level-normalized (mean of its live bands in 40 Hz-16 kHz removed) before
 *   averaging. Derived by `node --import tsx scripts/derive-style-curves.ts`; regenerate with it,
 *   never edit by hand. The spread (standard deviation across the four tracks) is kept: it is how
 *   much well-mastered material varies, so the planner corrects only what lies beyond it.
 *   Four tracks of four genres make a coarse average: the planner compares it only after
 *   two-octave smoothing (broad balance, not detail).
 * - STYLE_OFFSETS: each style is the measured curve plus broad shelves/bells. These are design
 *   choices, not measurements: 1.5-2 dB broad moves, the size of the broad-band level
 *   differences listeners reliably hear (about 1 dB) with some margin, and well inside the
 *   measured spread, so a style leans rather than reshapes.
 */
import { analogMagnitudeDb, type EqBand } from "../design/eq-design.js";
import type { StyleName } from "./types.js";

// Output of scripts/derive-style-curves.ts (dev01-dev04, loudest sections).
export const MEASURED_MID_DB = [-19.47, -17.21, -10.08, -4.82, 0.85, 2.63, 1.40, 6.86, 5.12, 1.31, 3.13, 4.95, 4.44, 3.77, 4.43, 3.38, 2.50, 1.14, 0.04, -0.76, -1.81, -1.03, 0.59, -1.67, -2.71, -3.72, -3.54, -4.52, -8.82, -13.14, -24.29];
export const MEASURED_MID_SPREAD_DB = [10.78, 11.54, 12.48, 11.20, 3.99, 4.85, 4.28, 1.60, 3.20, 4.78, 2.94, 2.32, 2.67, 4.09, 4.50, 5.55, 7.10, 6.70, 7.09, 5.38, 4.54, 4.22, 4.12, 6.34, 8.45, 8.26, 7.81, 7.96, 4.46, 2.35, 10.66];
export const MEASURED_SIDE_DB = [-14.47, -14.32, -11.51, -6.68, -2.21, 1.48, 2.70, 6.59, 6.20, 5.49, 6.43, 7.61, 6.64, 5.86, 7.32, 6.60, 5.17, 3.43, 1.84, 0.82, 0.63, 0.56, 0.23, -1.57, -2.62, -5.95, -6.68, -10.82, -18.21, -20.86, -23.00];
export const MEASURED_SIDE_SPREAD_DB = [17.51, 16.70, 17.83, 16.94, 13.20, 12.18, 9.51, 5.85, 4.05, 2.98, 2.09, 3.42, 3.79, 6.57, 4.05, 7.01, 6.80, 7.47, 7.75, 7.33, 5.84, 7.63, 6.16, 7.02, 6.08, 6.54, 6.02, 7.59, 4.66, 6.10, 8.20];

/** What each style adds to the measured balance (see the header for why these sizes). */
export const STYLE_OFFSETS: Readonly<Record<StyleName, { readonly bands: readonly EqBand[]; readonly description: string }>> = {
  balanced: { bands: [], description: "the average balance of the well-mastered corpus tracks" },
  warm: {
    bands: [{ shape: "lowShelf", freqHz: 250, gainDb: 1.5, q: 0.7 }, { shape: "highShelf", freqHz: 6000, gainDb: -1.5, q: 0.7 }],
    description: "fuller low end (+1.5 dB below 250 Hz), softer top (-1.5 dB above 6 kHz)",
  },
  bright: {
    bands: [{ shape: "highShelf", freqHz: 5000, gainDb: 2, q: 0.7 }],
    description: "more presence and air (+2 dB above 5 kHz)",
  },
  punchy: {
    bands: [{ shape: "bell", freqHz: 80, gainDb: 1.5, q: 0.9 }, { shape: "bell", freqHz: 300, gainDb: -1, q: 0.9 }, { shape: "bell", freqHz: 3000, gainDb: 1, q: 0.9 }],
    description: "kick and bass forward (+1.5 dB at 80 Hz), less low-mid mud (-1 dB at 300 Hz), attack (+1 dB at 3 kHz)",
  },
  open: {
    bands: [{ shape: "bell", freqHz: 350, gainDb: -1, q: 0.8 }, { shape: "highShelf", freqHz: 10000, gainDb: 1.5, q: 0.7 }],
    description: "less boxiness (-1 dB at 350 Hz), more air (+1.5 dB above 10 kHz)",
  },
  gentle: {
    bands: [],
    description: "the measured balance, untouched: gentle differs in dynamics (acoustic, classical, jazz keep their range)",
  },
  loud: {
    bands: [{ shape: "lowShelf", freqHz: 100, gainDb: 1, q: 0.7 }, { shape: "highShelf", freqHz: 8000, gainDb: 1, q: 0.7 }],
    description: "the modern 'smile': +1 dB below 100 Hz and above 8 kHz, so dense masters stay clear at high loudness",
  },
};

/** Sample rate for evaluating the analog offset shapes (only the magnitude at band centres matters). */
const CURVE_RATE_HZ = 96000;

/** The style's mid target curve (level-normalized dB per band; the offsets are not re-normalized). */
export function styleMidCurveDb(style: StyleName, bandsHz: readonly number[]): number[] {
  const bands = STYLE_OFFSETS[style].bands;
  return MEASURED_MID_DB.map((v, i) => v + (bands.length > 0 ? analogMagnitudeDb(bands, bandsHz[i], CURVE_RATE_HZ) : 0));
}
