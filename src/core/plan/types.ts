/**
 * The assistant's contract (DESIGN.md principle 2: analyze -> plan -> render -> verify):
 * planning is a pure function from measurements and the user's intent to a plan — a ChainSpec
 * plus every decision with its reason — saved with the master so any result can be reproduced,
 * diffed and tweaked. The pipeline renders the plan, measures the result with the same meter and
 * tunes only the limiter drive (the `gain` stage right before the final `limiter`) until the
 * loudness target holds.
 */
import type { AnalysisReport } from "../meter/analyzer.js";
import type { ChainSpec } from "../chain/spec.js";

export type TargetName =
  | "spotify" | "apple" | "youtube" | "amazon" | "tidal" | "deezer" | "soundcloud"
  | "ebu-r128" | "atsc-a85" | "podcast" | "cd" | "club";

export type StyleName = "balanced" | "warm" | "bright" | "punchy" | "open" | "gentle" | "loud";

/** What the user asked for. Every field is optional; the CLI's option names in camelCase. */
export interface MasterIntent {
  /** A platform target (default "spotify"); `lufs`/`ceiling` override its numbers. */
  readonly target?: TargetName;
  readonly lufs?: number;
  /** True-peak ceiling, dBTP. */
  readonly ceiling?: number;
  /** Without a style the assistant picks one from the analysis and says why. */
  readonly style?: StyleName;
  /** 0..100 (low = 25, medium = 50, high = 75); scales the amounts below. Default 50. */
  readonly intensity?: number;
  /** 0..100 %: how much of the proposed change is applied (defaults: from intensity; 100 in reference mode). */
  readonly eqAmount?: number;
  readonly dynamicsAmount?: number;
  readonly widthAmount?: number;
  /** Stereo width outright: 100 = as mixed, 0 = mono, up to 200. */
  readonly width?: number;
  /** Mono below this frequency (club, vinyl). */
  readonly monoBass?: number;
}

/** A target resolved to numbers, with where they come from. */
export interface ResolvedTarget {
  readonly name: TargetName | "custom" | "reference";
  readonly integratedLufs: number;
  readonly ceilingDbtp: number;
  /** Source of the numbers (platform documentation, standard clause, or "user"). */
  readonly source: string;
}

/** One decision, in words a client understands, with the reason and the numbers behind it. */
export interface Decision {
  readonly area: "target" | "style" | "tone" | "dynamics" | "stereo" | "loudness" | "safety";
  readonly what: string;
  readonly why: string;
}

export interface PlanInput {
  /** The mix's analysis (src/core/meter/analyzer.ts). */
  readonly analysis: AnalysisReport;
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly intent: MasterIntent;
  /** Analyses of reference tracks, when matching to references. */
  readonly references?: readonly AnalysisReport[];
}

export interface MasterPlan {
  readonly version: 1;
  readonly target: ResolvedTarget;
  readonly style: { readonly name: StyleName; readonly chosenBy: "user" | "assistant"; readonly why: string };
  /** The amounts actually used (0..100 %), after intensity and reference defaults. */
  readonly amounts: { readonly eqPct: number; readonly dynamicsPct: number; readonly widthPct: number };
  /**
   * The chain. Its last two stages are always `{ type: "gain" }` (the limiter drive, the one
   * number the verify loop tunes) and `{ type: "limiter", ceilingDbtp }`.
   */
  readonly chain: ChainSpec;
  readonly decisions: readonly Decision[];
}
