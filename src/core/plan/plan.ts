/**
 * planMaster: the assistant (DESIGN.md principle 2). A pure function from the mix's analysis and
 * the user's intent (and optional reference analyses) to a ChainSpec plus every decision with its
 * reason. Stage order: highpass → tone (eq or matchEq) → multiband → glue → imager → drive → limiter.
 *
 * Intensity → amounts: eqPct, dynamicsPct and widthPct default to the intensity itself (low 25,
 * medium 50, high 75, 0..100): the share of each proposed correction that is applied. An amount
 * given by the user wins; in reference mode the amounts default to 100 %. Loudness is never an
 * amount: it is the target.
 */
import type { StageSpec } from "../chain/spec.js";
import type { AnalysisReport } from "../meter/analyzer.js";
import { planDynamics } from "./dynamics.js";
import { estimateDriveDb, limiterStage } from "./loudness.js";
import { planStereo } from "./stereo.js";
import { chooseStyle } from "./style.js";
import { STYLE_OFFSETS, styleMidCurveDb } from "./style-curves.js";
import { resolveTarget } from "./targets.js";
import { broadEq, levelChangeDb, matchCurve, meanReferenceSpectrum, MATCH_MAX_BOOST_DB } from "./tone.js";
import type { Decision, MasterPlan, PlanInput, StyleName } from "./types.js";
import { analogMagnitudeDb } from "../design/eq-design.js";
import { DC_OFFSET_DBFS } from "../meter/diagnostics.js";

export const DEFAULT_INTENSITY = 50;
/** Rumble: the 20-25 Hz bands louder than the 40-63 Hz bands by this (music falls off below 40 Hz). */
export const RUMBLE_RISE_DB = 3;
/** Gentle material: EQ only what lies beyond twice the measured spread of the target curve. */
export const GENTLE_TOLERANCE_SCALE = 2;

const clampPct = (x: number): number => Math.max(0, Math.min(100, x));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function bandMeanDb(analysis: AnalysisReport, lowHz: number, highHz: number): number | null {
  const { bandsHz, loudestMidDb } = analysis.spectrum;
  const vs = loudestMidDb.filter((v, i): v is number => v !== null && bandsHz[i] >= lowHz && bandsHz[i] <= highHz);
  return vs.length > 0 ? mean(vs) : null;
}

function planHighpass(analysis: AnalysisReport): { stage: StageSpec | null; decision: Decision | null } {
  const dc = analysis.signal.dcOffset.maxDbfs;
  const sub = bandMeanDb(analysis, 20, 25);
  const low = bandMeanDb(analysis, 40, 63);
  if (sub !== null && low !== null && sub > low + RUMBLE_RISE_DB) {
    return {
      stage: { type: "highpass", cutoffHz: 28, order: 4 },
      decision: { area: "safety", what: "high-pass 28 Hz, 24 dB/octave", why: `subsonic rumble: the 20-25 Hz bands (${sub.toFixed(1)} dB) are louder than 40-63 Hz (${low.toFixed(1)} dB); it eats headroom and limiter range without being heard` },
    };
  }
  if (dc !== null && dc > DC_OFFSET_DBFS) {
    return {
      stage: { type: "highpass", cutoffHz: 10, order: 2 },
      decision: { area: "safety", what: "high-pass 10 Hz, 12 dB/octave (DC removal)", why: `DC offset ${dc.toFixed(1)} dBFS (above ${DC_OFFSET_DBFS} dBFS): it wastes headroom asymmetrically; 10 Hz removes it without touching the music` },
    };
  }
  return { stage: null, decision: null };
}

/**
 * Band-split and EQ frequencies must stay below this fraction of the sample rate: the
 * Linkwitz-Riley pre-warp (design/crossover.ts) refuses crossovers at or above 0.45·fs, and a
 * band there has no octave of audio above it to act on.
 */
export const MAX_PLANNED_FREQ_FRACTION = 0.45;

/**
 * Fits the planned stages to the mix's sample rate: crossovers at or above 0.45·fs are dropped,
 * the band above each one merged into the band below (its settings kept: the dropped band held
 * only content the rate cannot carry); EQ bands there are dropped. Returns what was dropped.
 */
export function fitStagesToRate(stages: StageSpec[], sampleRateHz: number): string[] {
  const limitHz = MAX_PLANNED_FREQ_FRACTION * sampleRateHz;
  const dropped: string[] = [];
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i] as unknown as Record<string, unknown>;
    if (s.type === "imager" || s.type === "multibandCompressor") {
      const crossovers = s.crossoversHz as number[];
      const keep = crossovers.filter((f) => f < limitHz).length;
      if (keep === crossovers.length) continue;
      const perBand = s.type === "imager" ? "widthsPct" : "bands";
      const settings = (s[perBand] as unknown[]).slice(0, keep + 1);
      dropped.push(`${s.type} crossovers ${crossovers.slice(keep).join(", ")} Hz`);
      if (s.type === "multibandCompressor" && keep === 0) { stages.splice(i--, 1); continue; }
      stages[i] = { ...s, crossoversHz: crossovers.slice(0, keep), [perBand]: settings } as unknown as StageSpec;
    } else if (s.type === "eq") {
      const bands = s.bands as { freqHz: number }[];
      const kept = bands.filter((b) => b.freqHz < limitHz);
      if (kept.length === bands.length) continue;
      dropped.push(`EQ bands at ${bands.filter((b) => b.freqHz >= limitHz).map((b) => b.freqHz).join(", ")} Hz`);
      if (kept.length === 0) stages.splice(i--, 1);
      else stages[i] = { ...s, bands: kept } as unknown as StageSpec;
    }
  }
  return dropped;
}

export function planMaster(input: PlanInput): MasterPlan {
  const { analysis, intent } = input;
  const refs = input.references ?? [];
  const referenceMode = refs.length > 0;
  const decisions: Decision[] = [];

  // --- Target.
  const refLufs = refs.map((r) => r.loudness.integratedLufs).filter((v): v is number => v !== null);
  const target = resolveTarget(intent, refLufs.length > 0 ? mean(refLufs) : undefined);
  decisions.push({ area: "target", what: `${target.integratedLufs.toFixed(1)} LUFS integrated, true peak at most ${target.ceilingDbtp} dBTP (${target.name})`, why: target.source });

  // --- Style.
  let style: { name: StyleName; chosenBy: "user" | "assistant"; why: string };
  if (intent.style !== undefined) {
    style = { name: intent.style, chosenBy: "user", why: `asked for: ${STYLE_OFFSETS[intent.style].description}` };
  } else {
    const chosen = chooseStyle(analysis);
    style = { ...chosen, chosenBy: "assistant", why: `${chosen.why}; ${STYLE_OFFSETS[chosen.name].description}` };
  }
  decisions.push({ area: "style", what: `${style.name} (${style.chosenBy === "user" ? "your choice" : "chosen from the analysis"})`, why: style.why });

  // --- Amounts.
  const intensity = clampPct(intent.intensity ?? DEFAULT_INTENSITY);
  const base = referenceMode ? 100 : intensity;
  const amounts = {
    eqPct: clampPct(intent.eqAmount ?? base),
    dynamicsPct: clampPct(intent.dynamicsAmount ?? base),
    widthPct: clampPct(intent.widthAmount ?? base),
  };

  const stages: StageSpec[] = [];
  let levelDb = 0;
  const silent = analysis.loudness.integratedLufs === null;

  // --- Safety: DC / rumble.
  const hp = planHighpass(analysis);
  if (hp.stage !== null) { stages.push(hp.stage); decisions.push(hp.decision!); }

  // --- Tone.
  const { bandsHz, loudestMidDb, loudestSideDb } = analysis.spectrum;
  if (silent) {
    decisions.push({ area: "tone", what: "no EQ", why: "silent mix: nothing to measure" });
  } else if (amounts.eqPct === 0) {
    decisions.push({ area: "tone", what: "no EQ", why: "EQ amount is 0 %" });
  } else if (referenceMode) {
    const refMid = meanReferenceSpectrum(refs.map((r) => r.spectrum), "loudestMidDb");
    const refSide = meanReferenceSpectrum(refs.map((r) => r.spectrum), "loudestSideDb");
    const mid = matchCurve(bandsHz, loudestMidDb, refMid);
    const side = matchCurve(bandsHz, loudestSideDb, refSide);
    if (mid !== null) {
      const stage: Record<string, unknown> = { type: "matchEq", midCurve: mid, amountPct: amounts.eqPct, maxBoostDb: MATCH_MAX_BOOST_DB };
      if (side !== null) stage.sideCurve = side;
      stages.push(stage as unknown as StageSpec);
      levelDb += levelChangeDb(loudestMidDb, (i) => Math.min(MATCH_MAX_BOOST_DB, (mid.gainDb[i] * amounts.eqPct) / 100));
      const range = (c: number[]) => `${Math.min(...c).toFixed(1)} to +${Math.max(...c).toFixed(1)} dB`;
      decisions.push({ area: "tone", what: `match EQ to the reference${refs.length > 1 ? `s (mean of ${refs.length})` : ""}: mid ${range(mid.gainDb)}${side ? `, side ${range(side.gainDb)}` : ""}, ${amounts.eqPct} % applied`, why: "the difference of the level-normalized loudest-section spectra, third-octave points, 30 Hz-16 kHz where both have energy; boosts at most +12 dB" });
    }
  } else {
    const targetCurve = styleMidCurveDb(style.name, bandsHz);
    // Acoustic, classical and jazz recordings are balanced by the room and the microphones, not
    // towards a pop master's curve: gentle tolerates twice the spread.
    const eq = broadEq(bandsHz, loudestMidDb, targetCurve, amounts.eqPct, style.name === "gentle" ? GENTLE_TOLERANCE_SCALE : 1);
    if (eq.bands.length > 0) {
      stages.push({ type: "eq", phase: "minimum", bands: eq.bands.map((b) => ({ shape: b.shape, freqHz: b.freqHz, gainDb: b.gainDb ?? 0, q: b.q ?? 0.7071, order: 2 })) });
      levelDb += levelChangeDb(loudestMidDb, (i) => analogMagnitudeDb(eq.bands, bandsHz[i], 96000));
      const text = eq.bands.map((b) => `${b.shape === "bell" ? "bell" : b.shape === "lowShelf" ? "low shelf" : "high shelf"} ${b.freqHz} Hz ${b.gainDb! > 0 ? "+" : ""}${b.gainDb!.toFixed(1)} dB`).join(", ");
      decisions.push({ area: "tone", what: `broad EQ: ${text}`, why: `towards the ${style.name} target curve (${STYLE_OFFSETS[style.name].description}); the deviation beyond what well-mastered tracks vary by, ${amounts.eqPct} % of the full correction (${eq.fullBands.map((b) => `${b.freqHz} Hz ${b.gainDb!.toFixed(1)} dB`).join(", ") || "none"})` });
    } else {
      const dev = eq.wantedDb.filter((v): v is number => v !== null).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      decisions.push({ area: "tone", what: "no EQ", why: `the tonal balance is within the range of well-mastered tracks for the ${style.name} curve (largest broad deviation beyond it ${dev.toFixed(1)} dB; at ${amounts.eqPct} % nothing reaches 0.25 dB)` });
    }
  }

  // --- Dynamics.
  const refLra = refs.length > 0 ? mean(refs.map((r) => r.loudness.lraLu)) : undefined;
  const dyn = planDynamics(analysis, style.name, silent ? 0 : amounts.dynamicsPct, refLra, levelDb);
  stages.push(...dyn.stages);
  decisions.push(...dyn.decisions);
  levelDb += dyn.levelChangeDb;

  // --- Stereo.
  const refBands = refs.length > 0 ? analysis.stereo.bands?.map((_, k) => {
    const vs = refs.map((r) => r.stereo.bands?.[k]?.sideToMidDb ?? null).filter((v): v is number => v !== null);
    return vs.length > 0 ? mean(vs) : null;
  }) : undefined;
  const st = planStereo(analysis, intent, style.name, amounts.widthPct, refBands);
  stages.push(...st.stages);
  decisions.push(...st.decisions);

  // --- Sample rate: nothing at or above 0.45·fs (8 kHz files have no 8 kHz band to split off).
  const dropped = fitStagesToRate(stages, input.sampleRateHz);
  if (dropped.length > 0) {
    decisions.push({ area: "safety", what: `left out at ${input.sampleRateHz} Hz: ${dropped.join("; ")}`, why: `at or above ${MAX_PLANNED_FREQ_FRACTION}·fs = ${(MAX_PLANNED_FREQ_FRACTION * input.sampleRateHz).toFixed(0)} Hz: too close to Nyquist to design, and the band above holds no audio at this rate` });
  }

  // --- Loudness: drive + limiter.
  const driveDb = estimateDriveDb(analysis.loudness.integratedLufs, levelDb, target.integratedLufs);
  stages.push({ type: "gain", gainDb: driveDb }, limiterStage(target.ceilingDbtp, style.name));
  decisions.push({
    area: "loudness",
    what: `limiter drive ${driveDb.toFixed(1)} dB (first estimate; the pipeline tunes it), true-peak ceiling ${target.ceilingDbtp} dBTP`,
    why: silent ? "silent mix: no loudness to reach"
      : `mix ${analysis.loudness.integratedLufs!.toFixed(1)} LUFS, about ${levelDb.toFixed(1)} dB from the stages before the limiter, target ${target.integratedLufs.toFixed(1)} LUFS`,
  });

  return { version: 1, target, style, amounts, chain: { version: 1, stages }, decisions };
}
