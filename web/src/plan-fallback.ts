/**
 * Interim stand-in for the assistant while src/core/plan has no `planMaster` yet: the resolved
 * target (the planner's own `resolveTarget` and table), a 20 Hz high-pass, and the drive + limiter
 * pair every plan ends with. Replaced by `planMaster` as soon as it lands (web/src/plan.ts).
 */
import { lufsToEnergy } from "../../src/core/meter/loudness.js";
import { resolveTarget } from "../../src/core/plan/targets.js";
import type { MasterPlan, PlanInput } from "../../src/core/plan/types.js";

export function planFallback(input: PlanInput): MasterPlan {
  const refs = input.references ?? [];
  const refLufs = refs.length === 0 ? null
    : refs.map((r) => r.loudness.integratedLufs).filter((v): v is number => v !== null).reduce((s, v, _i, a) => s + lufsToEnergy(v) / a.length, 0);
  const target = resolveTarget(input.intent, refLufs === null || refLufs === 0 ? null : -0.691 + 10 * Math.log10(refLufs));
  const mixLufs = input.analysis.loudness.integratedLufs ?? target.integratedLufs;
  const driveDb = Math.max(-40, Math.min(40, target.integratedLufs - mixLufs));
  return {
    version: 1,
    target,
    style: { name: input.intent.style ?? "balanced", chosenBy: input.intent.style ? "user" : "assistant", why: "interim planner" },
    amounts: { eqPct: 0, dynamicsPct: 0, widthPct: 0 },
    chain: {
      version: 1,
      stages: [
        { type: "highpass", cutoffHz: 20, order: 2 },
        { type: "gain", gainDb: Math.round(driveDb * 100) / 100 },
        { type: "limiter", ceilingDbtp: target.ceilingDbtp, lookaheadMs: 5, releaseMs: 100 },
      ],
    },
    decisions: [
      { area: "target", what: `${target.integratedLufs} LUFS, ${target.ceilingDbtp} dBTP`, why: target.source },
      { area: "loudness", what: `limiter drive ${driveDb.toFixed(1)} dB`, why: "from the mix's integrated loudness to the target" },
    ],
  };
}
