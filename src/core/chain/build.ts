/**
 * buildChain: a validated ChainSpec becomes processors, by one pure function (STYLE.md rule 5).
 * The CLI, the server worker and the browser all run this same code on the same spec.
 * Stage parameters are mapped one to one onto each processor's own parameter object.
 */
import type { Processor } from "../dsp/processor.js";
import { Clipper } from "../dsp/clipper.js";
import { Compressor } from "../dsp/compressor.js";
import { Eq } from "../dsp/eq.js";
import { Gain } from "../dsp/gain.js";
import { Highpass } from "../dsp/highpass.js";
import { Imager } from "../dsp/imager.js";
import { Limiter } from "../dsp/limiter.js";
import { MatchEq } from "../dsp/match-eq.js";
import { MultibandCompressor } from "../dsp/multiband-compressor.js";
import { Saturator } from "../dsp/saturator.js";
import type { EqBand } from "../design/eq-design.js";
import type { Curve } from "./params.js";
import type { ChainSpec, StageSpec } from "./spec.js";

type Band = { thresholdDb: number; ratio: number; kneeDb: number; attackMs: number; releaseMs: number; makeupDb: number; bypass: boolean };

/** One stage's processor. The stage has been validated: every parameter is present and in range. */
export function buildStage(stage: StageSpec): Processor {
  const p = stage as unknown as Record<string, never>;
  switch (stage.type) {
    case "gain":
      return new Gain(p.gainDb);
    case "highpass":
      return new Highpass({ cutoffHz: p.cutoffHz, order: p.order });
    case "eq":
      return new Eq({ phase: p.phase, bands: p.bands as EqBand[] });
    case "matchEq":
      return new MatchEq({
        midCurve: p.midCurve as Curve,
        ...(p.sideCurve === undefined ? {} : { sideCurve: p.sideCurve as Curve }),
        amountPct: p.amountPct,
        maxBoostDb: p.maxBoostDb,
      });
    case "compressor":
      return new Compressor({
        thresholdDb: p.thresholdDb, ratio: p.ratio, kneeDb: p.kneeDb, attackMs: p.attackMs, releaseMs: p.releaseMs,
        makeupDb: p.makeupDb, detection: p.detector, programDependentRelease: p.autoRelease, lookaheadMs: p.lookaheadMs,
        stereoLinkPercent: p.stereoLinkPct, stereoMode: p.mode, mixPercent: p.mixPct,
      });
    case "multibandCompressor":
      return new MultibandCompressor({
        crossoversHz: p.crossoversHz,
        stereoMode: p.mode,
        bands: (p.bands as Band[]).map((b) => ({ ...b })),
      });
    case "imager":
      return new Imager({
        crossoversHz: p.crossoversHz, widthsPercent: p.widthsPct, monoBelowHz: p.monoBelowHz,
        correlationGuard: true, correlationFloor: p.correlationFloor,
      });
    case "saturator":
      return new Saturator({ curve: p.curve, driveDb: p.driveDb, mixPct: p.mixPct, outputGainDb: p.outputGainDb });
    case "clipper":
      return new Clipper({ thresholdDb: p.thresholdDb, kneeDb: p.kneeDb });
    case "limiter":
      return new Limiter({ ceilingDbtp: p.ceilingDbtp, lookaheadMs: p.lookaheadMs, releaseMs: p.releaseMs, holdMs: p.holdMs });
  }
}

/** The processors of a validated chain, in order. */
export function buildChain(spec: ChainSpec): Processor[] {
  return spec.stages.map(buildStage);
}
