/**
 * The plan the page previews: the assistant itself (src/core/plan, `planMaster`), the same pure
 * function the server runs. The page sends the plan it previewed (drive tuned) with the job, so
 * the server renders what was heard (JobOptions.plan).
 */
import type { AnalysisReport } from "../../src/core/meter/analyzer.js";
import { planMaster } from "../../src/core/plan/plan.js";
import type { MasterIntent, MasterPlan } from "../../src/core/plan/types.js";

export function makePlan(analysis: AnalysisReport, sampleRateHz: number, channels: number, intent: MasterIntent,
  references: readonly AnalysisReport[]): MasterPlan {
  return planMaster({ analysis, sampleRateHz, channels, intent, references });
}
