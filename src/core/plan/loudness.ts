/**
 * Loudness decisions: the limiter drive's first estimate and the limiter stage, plus the
 * "target too loud" thresholds and wording the pipeline uses after it has measured the limiting.
 */
import { STAGES } from "../chain/stages.js";
import type { Diagnostic } from "../codes.js";
import { WARNING_MESSAGES } from "../codes.js";
import type { StageSpec } from "../chain/spec.js";
import type { StyleName } from "./types.js";

/**
 * Initial limiter drive: target - (mix loudness + the level change of the stages before the
 * limiter). Silence gives 0. Clamped to the gain stage's range. The pipeline measures and refines.
 */
export function estimateDriveDb(mixLufs: number | null, stagesLevelDb: number, targetLufs: number): number {
  if (mixLufs === null) return 0;
  const drive = targetLufs - (mixLufs + stagesLevelDb);
  return Math.round(Math.max(-96, Math.min(48, drive)) * 100) / 100;
}

/**
 * The final limiter. 5 ms look-ahead and the limiter's adaptive hold (up to its default 50 ms:
 * a full period of the lowest strong bass partial, so bass is not modulated); release 100 ms, 200 ms for gentle material (slower recovery is less
 * audible on sustained acoustic sound), 60 ms for loud (denser, more transparent at high drive).
 */
export function limiterStage(ceilingDbtp: number, style: StyleName): StageSpec {
  const releaseMs = style === "gentle" ? 200 : style === "loud" ? 60 : 100;
  return { type: "limiter", ceilingDbtp, lookaheadMs: 5, releaseMs, holdMs: STAGES.limiter.params.holdMs.default };
}

/**
 * Limiting beyond which the target is too loud for the mix (W_TARGET_TOO_LOUD): more than 3 dB of
 * mean or 8 dB of peak gain reduction. About 1-3 dB is where look-ahead limiting stays
 * transparent on most material; beyond 3 dB on average the mix's dynamics are visibly flattened
 * (PLR drops by as much), and 8 dB peaks are the crushed-snare region.
 */
export const TARGET_TOO_LOUD = { meanGrDb: 3, maxGrDb: 8 } as const;

/** The W_TARGET_TOO_LOUD diagnostic, worded for the client. */
export function targetTooLoud(grDb: number, quieterTargetLufs: number | null): Diagnostic {
  return {
    code: "W_TARGET_TOO_LOUD",
    message: `${WARNING_MESSAGES.W_TARGET_TOO_LOUD}: reaching it took ${grDb.toFixed(1)} dB of limiting, which flattens the transients. ` +
      (quieterTargetLufs === null ? "A quieter target would keep the punch." : `A target of ${quieterTargetLufs.toFixed(1)} LUFS would keep the punch; the streaming services turn loud masters down anyway.`),
  };
}
