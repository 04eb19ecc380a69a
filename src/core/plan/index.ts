/** The assistant: analysis + intent -> MasterPlan (see plan.ts). */
export * from "./types.js";
export { planMaster, DEFAULT_INTENSITY } from "./plan.js";
export { TARGETS, TARGET_NAMES, DEFAULT_TARGET, resolveTarget, platformPlayback, type PlatformTarget, type PlaybackResult, type Normalization } from "./targets.js";
export { estimateDriveDb, limiterStage, targetTooLoud, TARGET_TOO_LOUD } from "./loudness.js";
export { mixFeedback } from "./feedback.js";
export { chooseStyle } from "./style.js";
export { matchCurve, realizedBandGainsDb, applyCurveToBands, refineMatchCurve, meanReferenceSpectrum, type MatchCurve } from "./tone.js";
export { spectralDistanceDb, normalizeLevels } from "./spectra.js";
