/**
 * Choosing a style from the analysis when the user names none, with the numbers that decided it.
 * Thresholds, and why:
 * - LRA ≥ 12 LU → gentle: EBU Tech 3342 reports LRA around 5-10 LU for most pop/rock and above
 *   ~12 LU for classical, jazz and film music; that range is the music, not a fault to compress.
 * - PLR < 11 dB and LRA < 6 LU → loud: dense, already compressed material (modern rock, metal,
 *   EDM); the corpus' dense master dev02 reads PLR 9.5 dB, LRA 2.9 LU.
 * - LRA < 6 LU and PLR ≥ 11 dB → punchy: a steady level whose transients still stand well above
 *   it; the treatment keeps those transients (slow attack).
 * - otherwise → balanced.
 */
import type { AnalysisReport } from "../meter/analyzer.js";
import type { StyleName } from "./types.js";

export const GENTLE_MIN_LRA_LU = 12;
export const DENSE_MAX_PLR_DB = 11;
export const STEADY_MAX_LRA_LU = 6;

export function chooseStyle(analysis: AnalysisReport): { name: StyleName; why: string } {
  const { lraLu, plrDb } = analysis.loudness;
  const lra = lraLu.toFixed(1), plr = plrDb === null ? "n/a" : plrDb.toFixed(1);
  if (lraLu >= GENTLE_MIN_LRA_LU) {
    return { name: "gentle", why: `loudness range ${lra} LU (≥ ${GENTLE_MIN_LRA_LU}): dynamic material (classical, jazz, acoustic) whose range is part of the music; PLR ${plr} dB` };
  }
  if (plrDb !== null && plrDb < DENSE_MAX_PLR_DB && lraLu < STEADY_MAX_LRA_LU) {
    return { name: "loud", why: `peak-to-loudness ratio ${plr} dB (< ${DENSE_MAX_PLR_DB}) and loudness range ${lra} LU (< ${STEADY_MAX_LRA_LU}): dense, already compressed material; modern loud treatment, no extra compression needed` };
  }
  if (lraLu < STEADY_MAX_LRA_LU && plrDb !== null) {
    return { name: "punchy", why: `loudness range ${lra} LU (< ${STEADY_MAX_LRA_LU}) with transients ${plr} dB above the loudness (PLR ≥ ${DENSE_MAX_PLR_DB}): steady and punchy; keep the transients` };
  }
  return { name: "balanced", why: `loudness range ${lra} LU and PLR ${plr} dB: neither very dynamic nor dense; balanced treatment` };
}
