/**
 * What `master` takes from the assistant (core/plan): the planner itself, the playback table of
 * the platforms, the limiting thresholds and the mix feedback. Kept in one adapter so the
 * pipeline depends on the planner's exports in one place.
 */
import type { AnalysisReport } from "../core/meter/analyzer.js";
import type { MasterPlan, PlanInput, ResolvedTarget, TargetName } from "../core/plan/types.js";

export interface PlatformPlayback {
  readonly platform: string;
  readonly referenceLufs: number;
  /** Gain the platform applies on playback, dB (negative: turned down). */
  readonly gainDb: number;
  readonly action: "turned down" | "turned up" | "kept";
}

/** Interim numbers until core/plan's table is committed (sources in that table). */
const TARGETS: Record<TargetName, { lufs: number; ceiling: number; source: string }> = {
  spotify: { lufs: -14, ceiling: -1, source: "Spotify for Artists: loudness normalization" },
  apple: { lufs: -16, ceiling: -1, source: "Apple Digital Masters" },
  youtube: { lufs: -14, ceiling: -1, source: "YouTube playback normalization" },
  amazon: { lufs: -14, ceiling: -2, source: "Amazon Music" },
  tidal: { lufs: -14, ceiling: -1, source: "Tidal" },
  deezer: { lufs: -15, ceiling: -1, source: "Deezer" },
  soundcloud: { lufs: -14, ceiling: -1, source: "SoundCloud" },
  "ebu-r128": { lufs: -23, ceiling: -1, source: "EBU R128 (2020) §2" },
  "atsc-a85": { lufs: -24, ceiling: -2, source: "ATSC A/85:2013 §5" },
  podcast: { lufs: -16, ceiling: -1, source: "Apple Podcasts" },
  cd: { lufs: -9, ceiling: -0.3, source: "user convention" },
  club: { lufs: -8, ceiling: -0.3, source: "user convention" },
};

/** Interim planner: drive and limiter only (no tonal or dynamic decisions). */
export function defaultPlanner(input: PlanInput): MasterPlan {
  const intent = input.intent;
  const name = intent.target ?? "spotify";
  const t = TARGETS[name];
  const custom = intent.lufs !== undefined || intent.ceiling !== undefined;
  const target: ResolvedTarget = {
    name: custom ? "custom" : name,
    integratedLufs: intent.lufs ?? t.lufs,
    ceilingDbtp: intent.ceiling ?? t.ceiling,
    source: custom ? "user" : t.source,
  };
  const mix = input.analysis.loudness.integratedLufs;
  const driveDb = mix === null ? 0 : Math.max(-96, Math.min(48, target.integratedLufs - mix));
  return {
    version: 1,
    target,
    style: { name: intent.style ?? "balanced", chosenBy: intent.style ? "user" : "assistant", why: "interim planner" },
    amounts: { eqPct: 0, dynamicsPct: 0, widthPct: 0 },
    chain: { version: 1, stages: [{ type: "gain", gainDb: driveDb }, { type: "limiter", ceilingDbtp: target.ceilingDbtp }] },
    decisions: [{ area: "target", what: `${target.integratedLufs} LUFS, ${target.ceilingDbtp} dBTP`, why: target.source }],
  };
}

/** Limiting beyond which the target is too loud for the mix (the planner's threshold). */
export function tooLoudThresholds(_plan: MasterPlan): { meanGrDb: number; maxGrDb: number } {
  return { meanGrDb: 3, maxGrDb: 8 };
}

const PLAYBACK: readonly { platform: string; referenceLufs: number; turnsUp: boolean }[] = [
  { platform: "spotify", referenceLufs: -14, turnsUp: false },
  { platform: "apple", referenceLufs: -16, turnsUp: true },
  { platform: "youtube", referenceLufs: -14, turnsUp: false },
  { platform: "amazon", referenceLufs: -14, turnsUp: false },
  { platform: "tidal", referenceLufs: -14, turnsUp: false },
  { platform: "deezer", referenceLufs: -15, turnsUp: false },
];

/** Per platform: the playback gain it applies to a master of this loudness. */
export function platformPlayback(integratedLufs: number | null, _truePeakDbtp: number | null): PlatformPlayback[] {
  if (integratedLufs === null) return [];
  return PLAYBACK.map((p) => {
    let gainDb = p.referenceLufs - integratedLufs;
    if (gainDb > 0 && !p.turnsUp) gainDb = 0;
    gainDb = Math.round(gainDb * 10) / 10;
    return { platform: p.platform, referenceLufs: p.referenceLufs, gainDb, action: gainDb < 0 ? "turned down" : gainDb > 0 ? "turned up" : "kept" };
  });
}

/** Notes on the mix for its author: the analyzer's diagnostics (plus the planner's feedback). */
export function mixFeedbackOf(analysis: AnalysisReport, _plan: MasterPlan): unknown {
  return analysis.diagnostics;
}
