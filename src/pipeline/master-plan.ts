/**
 * What `master` takes from the assistant (core/plan): the planner, the playback table of the
 * platforms, the limiting thresholds and the mix feedback, in one place.
 */
import type { Diagnostic } from "../core/codes.js";
import type { AnalysisReport } from "../core/meter/analyzer.js";
import { TARGET_TOO_LOUD, mixFeedback, planMaster, platformPlayback as planPlayback, targetTooLoud, type MasterPlan, type PlanInput, type PlaybackResult } from "../core/plan/index.js";

export type PlatformPlayback = PlaybackResult;

/** Reference matching, closed loop: the curve correction and the figures it is judged by. */
export { meanReferenceSpectrum, refineMatchCurve, spectralDistanceDb, type MatchCurve } from "../core/plan/index.js";

export function defaultPlanner(input: PlanInput): MasterPlan {
  return planMaster(input);
}

/** Limiting beyond which the target is too loud for the mix (the planner's threshold). */
export function tooLoudThresholds(_plan: MasterPlan): { meanGrDb: number; maxGrDb: number } {
  return TARGET_TOO_LOUD;
}

/** The W_TARGET_TOO_LOUD diagnostic, in the planner's words. */
export function tooLoudWarning(grDb: number, quieterTargetLufs: number | null): Diagnostic {
  return targetTooLoud(grDb, quieterTargetLufs);
}

/** Per platform: the gain it applies on playback to a master of this loudness and true peak. */
export function platformPlayback(integratedLufs: number | null, truePeakDbtp: number | null): PlatformPlayback[] {
  return planPlayback(integratedLufs, truePeakDbtp);
}

/** Notes on the mix for its author: the planner's feedback (which includes the analyzer's diagnostics). */
export function mixFeedbackOf(analysis: AnalysisReport, _plan: MasterPlan): Diagnostic[] {
  return mixFeedback(analysis);
}
