/**
 * Dynamics decisions: glue compression and (when one band misbehaves) multiband compression,
 * restrained by design. The limiter does the last few dB of loudness (the pipeline tunes its
 * drive); compressors here only even out what the measurements say is uneven.
 */
import { staticCurveDb } from "../dsp/dynamics.js";
import type { AnalysisReport } from "../meter/analyzer.js";
import type { StageSpec } from "../chain/spec.js";
import type { Decision, StyleName } from "./types.js";

/** A full-scale sine's RMS is -3.01 dB re its peak: band levels (dB re a full-scale sine) → RMS dBFS. */
const SINE_RMS_DB = -3.01;

/**
 * Glue proposals at 100 % by style: ratio, attack, release. Ratios 1.5-2 with a 6 dB knee are
 * "bus glue" settings (1-2 dB of reduction); a 30 ms attack lets transients through.
 * Gentle material gets none: its range is the music.
 */
const GLUE: Readonly<Record<StyleName, { ratio: number; attackMs: number; releaseMs: number; overDb: number } | null>> = {
  balanced: { ratio: 1.5, attackMs: 30, releaseMs: 200, overDb: 3 },
  warm: { ratio: 1.5, attackMs: 30, releaseMs: 250, overDb: 3 },
  bright: { ratio: 1.5, attackMs: 30, releaseMs: 200, overDb: 3 },
  open: { ratio: 1.4, attackMs: 40, releaseMs: 250, overDb: 3 },
  punchy: { ratio: 2, attackMs: 30, releaseMs: 120, overDb: 3 },
  loud: { ratio: 2, attackMs: 20, releaseMs: 150, overDb: 1 },
  gentle: null,
};

/** Below this PLR the mix is already dense: glue compression would only squash it further. */
export const DENSE_PLR_DB = 10;
/** A band whose loudest sections rise this much more than the median band gets a multiband compressor. */
export const BAND_SWING_EXCESS_DB = 3;
/** Glue that would reduce the loudest moments by less than this is left out (inaudible, only risk). */
export const MIN_USEFUL_GR_DB = 0.5;
/** Multiband bands (crossovers) and the stereo meter's broad bands share edges. */
export const MULTIBAND_CROSSOVERS_HZ = [120, 500, 2000, 8000];

export interface DynamicsPlan {
  readonly stages: StageSpec[];
  readonly decisions: Decision[];
  /** Estimated mean level change from these stages (dB, ≤ 0), for the drive estimate. */
  readonly levelChangeDb: number;
}

function bandGroupDb(bandsHz: readonly number[], levels: readonly (number | null)[], lowHz: number, highHz: number): number | null {
  let p = 0;
  levels.forEach((v, i) => { if (v !== null && bandsHz[i] >= lowHz && bandsHz[i] < highHz) p += Math.pow(10, v / 10); });
  return p > 0 ? 10 * Math.log10(p) : null;
}

/**
 * Glue and multiband compression for a mix. `inputLevelDb`: level change of the stages before
 * (thresholds follow it). `referenceLraLu`: in reference mode, the loudness range
 * the reference(s) have (compression reduces the mix's range towards it; a range wider than the
 * mix's cannot be created and is left alone).
 */
export function planDynamics(analysis: AnalysisReport, style: StyleName, amountPct: number, referenceLraLu?: number, inputLevelDb = 0): DynamicsPlan {
  const stages: StageSpec[] = [];
  const decisions: Decision[] = [];
  let levelChangeDb = 0;
  const { lraLu, plrDb, maxShortTermLufs } = analysis.loudness;
  const limited = analysis.diagnostics.some((d) => d.code === "W_ALREADY_LIMITED");
  if (amountPct <= 0) {
    decisions.push({ area: "dynamics", what: "no compression", why: "dynamics amount is 0 %" });
    return { stages, decisions, levelChangeDb };
  }
  if (maxShortTermLufs === null || plrDb === null) {
    return { stages, decisions: [{ area: "dynamics", what: "no compression", why: "silent mix" }], levelChangeDb };
  }

  // --- Glue: a gentle bus compressor on the loudest moments.
  let proposal = GLUE[style];
  let why = "";
  if (referenceLraLu !== undefined) {
    if (lraLu > referenceLraLu + 1) {
      // Reducing a range of L LU to R LU by compressing what lies above the threshold: ratio L/R
      // (capped at 2.5: beyond that compression pumps; the limiter and the range left are the reference's).
      const ratio = Math.min(2.5, lraLu / Math.max(1, referenceLraLu));
      proposal = { ratio, attackMs: 30, releaseMs: 200, overDb: 0 };
      why = `the mix's loudness range is ${lraLu.toFixed(1)} LU, the reference's ${referenceLraLu.toFixed(1)} LU`;
    } else {
      proposal = null;
      why = `the mix's loudness range (${lraLu.toFixed(1)} LU) is already within 1 LU of the reference's (${referenceLraLu.toFixed(1)} LU) or narrower; compression cannot widen it`;
    }
  } else if (proposal === null) {
    why = `style ${style}: the ${lraLu.toFixed(1)} LU loudness range is part of the music`;
  } else if (limited || plrDb < DENSE_PLR_DB) {
    why = `PLR ${plrDb.toFixed(1)} dB${limited ? " and a limiter's fingerprint on the peaks" : ""}: the mix is already dense; more compression would squash it`;
    proposal = null;
  } else {
    why = `style ${style}, PLR ${plrDb.toFixed(1)} dB, loudness range ${lraLu.toFixed(1)} LU`;
  }
  if (proposal !== null) {
    const ratio = 1 + ((proposal.ratio - 1) * amountPct) / 100;
    if (ratio >= 1.05) {
      // RMS detection tracks loudness: the loudest 3 s loudness sits near the detector's level in
      // the loud sections; the threshold `overDb` above it means only the moments louder still are
      // reduced (with the 6 dB knee, from 3 dB below the threshold).
      // `inputLevelDb`: the level change of the stages before (a match EQ can shift the level).
      const thresholdDb = Math.max(-80, Math.min(0, Math.round((maxShortTermLufs + inputLevelDb + proposal.overDb) * 10) / 10));
      const r = Math.round(ratio * 100) / 100;
      const loudMomentDb = maxShortTermLufs + inputLevelDb + 3;
      const peakGr = staticCurveDb(loudMomentDb, thresholdDb, r, 6) - loudMomentDb;
      if (-peakGr < MIN_USEFUL_GR_DB) {
        decisions.push({ area: "dynamics", what: "no glue compression", why: `${why}; at ${amountPct} % it would reduce the loudest moments by only ${(-peakGr).toFixed(1)} dB (< ${MIN_USEFUL_GR_DB} dB): left out` });
        proposal = null;
      } else {
        stages.push({ type: "compressor", thresholdDb, ratio: r, kneeDb: 6, attackMs: proposal.attackMs, releaseMs: proposal.releaseMs, detector: "rms", autoRelease: true, stereoLinkPct: 100, mode: "stereo", mixPct: 100, makeupDb: 0, lookaheadMs: 0 });
        levelChangeDb += peakGr / 3;
        decisions.push({ area: "dynamics", what: `glue compressor ${r}:1 above ${thresholdDb} dBFS (RMS), attack ${proposal.attackMs} ms, release ${proposal.releaseMs} ms (auto)`, why: `${why}; about ${(-peakGr).toFixed(1)} dB of reduction on the loudest moments, at ${amountPct} % of the proposal` });
      }
    }
  } else {
    decisions.push({ area: "dynamics", what: "no glue compression", why });
  }

  // --- Multiband: only a band whose loudest sections swing much more than the others.
  const { bandsHz, midDb, loudestMidDb } = analysis.spectrum;
  const edges = [20, ...MULTIBAND_CROSSOVERS_HZ, 20000];
  const groups = edges.slice(0, -1).map((lo, k) => {
    const all = bandGroupDb(bandsHz, midDb, lo, edges[k + 1]);
    const loud = bandGroupDb(bandsHz, loudestMidDb, lo, edges[k + 1]);
    return { lo, hi: edges[k + 1], loud, swing: all !== null && loud !== null ? loud - all : null };
  });
  const swings = groups.map((g) => g.swing).filter((s): s is number => s !== null).sort((a, b) => a - b);
  const median = swings.length > 0 ? swings[Math.floor(swings.length / 2)] : 0;
  const wild = groups.map((g) => g.swing !== null && g.swing - median > BAND_SWING_EXCESS_DB && style !== "gentle");
  if (wild.some((w) => w)) {
    const bands = groups.map((g, k) => {
      if (!wild[k] || g.loud === null) return { bypass: true, thresholdDb: -18, ratio: 1, kneeDb: 6, attackMs: 10, releaseMs: 150, makeupDb: 0 };
      const ratio = Math.round((1 + (1 * amountPct) / 100) * 100) / 100;
      // Threshold at the band's loudest-sections RMS: the swings above it are evened out.
      const thresholdDb = Math.max(-80, Math.min(0, Math.round((g.loud + SINE_RMS_DB + inputLevelDb) * 10) / 10));
      return { bypass: false, thresholdDb, ratio, kneeDb: 6, attackMs: g.lo < 200 ? 30 : 10, releaseMs: g.lo < 200 ? 200 : 120, makeupDb: 0 };
    });
    stages.unshift({ type: "multibandCompressor", crossoversHz: MULTIBAND_CROSSOVERS_HZ, mode: "stereo", bands });
    const named = groups.filter((_, k) => wild[k]).map((g) => `${g.lo}-${g.hi} Hz (loudest sections ${g.swing!.toFixed(1)} dB above the average, median band ${median.toFixed(1)} dB)`);
    decisions.push({ area: "dynamics", what: `multiband compression on ${named.length === 1 ? "one band" : `${named.length} bands`}, up to 2:1`, why: `uneven band: ${named.join("; ")}` });
    levelChangeDb -= 0.3;
  }
  return { stages, decisions, levelChangeDb };
}
