/**
 * Stereo decisions: width per band and mono bass, with a mono-compatibility guard. The imager's
 * bands are the stereo meter's broad bands (< 120, 120-500, 500-2k, 2k-8k, > 8 kHz), so a
 * measured side/mid ratio maps to one width.
 */
import type { AnalysisReport } from "../meter/analyzer.js";
import type { StageSpec } from "../chain/spec.js";
import type { Decision, MasterIntent, StyleName } from "./types.js";

export const IMAGER_CROSSOVERS_HZ = [120, 500, 2000, 8000];
/**
 * Side/mid above 0 dB in a band (more side than mid: largely anti-phase content) is extreme: it
 * is narrowed towards -3 dB (side half the power of mid), which folds down to mono without
 * cancelling. The low band (< 120 Hz) is held to -6 dB (side a quarter of mid's power): bass
 * belongs in the middle (vinyl cutting and club systems sum it to mono).
 */
export const SIDE_HEAVY_DB = 0;
export const NARROW_TO_DB = -3;
export const LOW_BAND_MAX_DB = -6;
/** Widening is allowed only when the overall correlation is at least this (room to widen). */
export const WIDEN_MIN_CORRELATION = 0.3;
/** The imager's guard: widening backs off so a band's correlation stays at or above this. */
export const CORRELATION_FLOOR = 0.1;
/** "open" widens the upper bands by this (at 100 %). */
const OPEN_WIDEN_PCT = 15;

export interface StereoPlan {
  readonly stages: StageSpec[];
  readonly decisions: Decision[];
}

const bandLabel = (k: number): string => ["below 120 Hz", "120-500 Hz", "500 Hz-2 kHz", "2-8 kHz", "above 8 kHz"][k];

/** Width to move a band's side/mid ratio from `fromDb` to `toDb` (side scales with width). */
function widthFor(fromDb: number, toDb: number): number {
  return 100 * Math.pow(10, (toDb - fromDb) / 20);
}

/**
 * `referenceBandsDb`: in reference mode, the references' mean side/mid per band (widths follow
 * them, scaled by the amount).
 */
export function planStereo(analysis: AnalysisReport, intent: MasterIntent, style: StyleName, amountPct: number, referenceBandsDb?: readonly (number | null)[]): StereoPlan {
  const decisions: Decision[] = [];
  const s = analysis.stereo;
  const monoBelowHz = intent.monoBass ?? 0;
  if (!s.stereo || s.bands === null || s.identical === true) {
    if (s.stereo && s.identical) decisions.push({ area: "stereo", what: "no stereo processing", why: "left and right are identical (mono)" });
    return { stages: [], decisions };
  }
  const widths = s.bands.map(() => 100);
  if (intent.width !== undefined) {
    const w = Math.max(0, Math.min(200, intent.width));
    widths.fill(w);
    decisions.push({ area: "stereo", what: `width ${w} % in every band`, why: "width set by the user" });
  } else if (amountPct > 0) {
    const corr = s.correlation ?? 1;
    s.bands.forEach((b, k) => {
      const m = b.sideToMidDb;
      if (m === null) return;
      let wanted = 100, why = "";
      const ref = referenceBandsDb?.[k];
      if (ref !== undefined && ref !== null) {
        wanted = widthFor(m, ref);
        why = `side/mid ${m.toFixed(1)} dB, the reference's ${ref.toFixed(1)} dB`;
      } else if (k === 0 && m > LOW_BAND_MAX_DB) {
        wanted = widthFor(m, LOW_BAND_MAX_DB);
        why = `bass side/mid ${m.toFixed(1)} dB: wide bass cancels in mono and on vinyl; held to ${LOW_BAND_MAX_DB} dB`;
      } else if (m > SIDE_HEAVY_DB) {
        wanted = widthFor(m, NARROW_TO_DB);
        why = `side/mid ${m.toFixed(1)} dB (more side than mid): narrowed towards ${NARROW_TO_DB} dB for mono compatibility`;
      } else if (style === "open" && k >= 3) {
        wanted = 100 + OPEN_WIDEN_PCT;
        why = "style open: a little more width up top";
      }
      if (wanted > 100 && corr < WIDEN_MIN_CORRELATION) {
        why += `; not widened: correlation ${corr.toFixed(2)} < ${WIDEN_MIN_CORRELATION}`;
        wanted = 100;
      }
      // The amount scales the change in dB (width is a gain on the side signal).
      const applied = 100 * Math.pow(Math.max(wanted, 1e-3) / 100, amountPct / 100);
      const w = Math.round(Math.max(0, Math.min(200, applied)));
      if (Math.abs(w - 100) >= 3) {
        widths[k] = w;
        decisions.push({ area: "stereo", what: `width ${w} % ${bandLabel(k)}`, why: `${why}; ${amountPct} % of the change` });
      }
    });
  }
  if (monoBelowHz > 0) decisions.push({ area: "stereo", what: `mono below ${monoBelowHz} Hz`, why: "mono bass asked for by the user" });
  if (widths.every((w) => w === 100) && monoBelowHz === 0) {
    if (decisions.length === 0) decisions.push({ area: "stereo", what: "stereo image untouched", why: `correlation ${s.correlation?.toFixed(2) ?? "n/a"}, side/mid ${s.sideToMidDb?.toFixed(1) ?? "n/a"} dB: nothing extreme to correct` });
    return { stages: [], decisions };
  }
  return {
    stages: [{ type: "imager", crossoversHz: IMAGER_CROSSOVERS_HZ, widthsPct: widths, monoBelowHz: Math.min(500, monoBelowHz), correlationFloor: CORRELATION_FLOOR }],
    decisions,
  };
}
