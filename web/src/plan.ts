/**
 * The plan the page previews and sends to the server: one function, so the page has a single
 * seam to the assistant (src/core/plan). The server plans again from the same options; the
 * page shows its own plan's decisions.
 */
import type { AnalysisReport } from "../../src/core/meter/analyzer.js";
import type { MasterIntent, MasterPlan } from "../../src/core/plan/types.js";
import { planFallback } from "./plan-fallback.js";

export function makePlan(analysis: AnalysisReport, sampleRateHz: number, channels: number, intent: MasterIntent,
  references: readonly AnalysisReport[]): MasterPlan {
  return planFallback({ analysis, sampleRateHz, channels, intent, references });
}
