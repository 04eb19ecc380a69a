/**
 * master(input, options, hooks): a mix becomes a verified master (DESIGN.md principle 2:
 * analyze -> plan -> render -> verify).
 *
 *   analyze    the mix (and the references) with the same Analyzer the CLI's `analyze` uses;
 *   plan       the assistant (core/plan) turns measurements and intent into a ChainSpec, or an
 *              edited plan is taken as given;
 *   prerender  every stage before the limiter drive, once, to a temporary float file;
 *   drive      secant search on the drive (the `gain` right before the final `limiter`) until
 *              the integrated loudness of gain -> limiter lands on the target (within 0.02 LU);
 *   write      one final pass writes every output and measures the master with the Analyzer;
 *   verify     the measured master must hold the target (0.1 LU) and the ceiling; codec-safe
 *              outputs are decoded and re-measured, the ceiling lowered until they hold.
 *
 * No process-global state: progress and cancellation come in per call (the server runs this on
 * worker threads, several jobs at once).
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { MastersmithError, isMastersmithError, type Diagnostic } from "../core/codes.js";
import { validateChainSpec, type ChainSpec, type StageSpec } from "../core/chain/spec.js";
import type { LimiterStats } from "../core/dsp/limiter.js";
import type { AnalysisReport } from "../core/meter/analyzer.js";
import { TruePeakMeter } from "../core/meter/true-peak.js";
import type { Decision, MasterIntent, MasterPlan, PlanInput } from "../core/plan/types.js";
import { openAudioFile } from "../io/open.js";
import type { Tags } from "../io/tags.js";
import { analyzeFile, type FileAnalysis } from "./analyze.js";
import { convert } from "./convert.js";
import { finalPass, measureDrive, prerender, type DriveMeasurement } from "./master-passes.js";
import { defaultPlanner, meanReferenceSpectrum, mixFeedbackOf, platformPlayback, refineMatchCurve, spectralDistanceDb, tooLoudThresholds, tooLoudWarning, type MatchCurve, type PlatformPlayback } from "./master-plan.js";
import { formatFromPath, openOutput, type AudioOutput, type DitherMode, type OutputBitDepth, type OutputFormat, type OutputReport } from "./outputs.js";

/** Stable progress step names (the server and the CLI's progress bar key on them). */
export type MasterStep = "analyze" | "plan" | "prerender" | "drive" | "write" | "verify";

export interface MasterProgress {
  readonly step: MasterStep;
  /** Fraction of this step done, 0..1. */
  readonly fraction: number;
}

export interface MasterHooks {
  readonly onProgress?: (progress: MasterProgress) => void;
  readonly signal?: AbortSignal;
}

export interface MasterOutputOptions {
  readonly path: string;
  readonly format?: OutputFormat;
  readonly bitDepth?: OutputBitDepth;
  readonly sampleRateHz?: number;
  readonly bitrateKbps?: number;
}

export interface MasterOptions {
  /** What the user asks for (target, style, amounts...). Ignored when `plan` is given. */
  readonly intent?: MasterIntent;
  /** Reference tracks to match (analyzed, then handed to the planner). */
  readonly references?: readonly string[];
  /** An edited plan to render as is; only its drive is tuned to its target. */
  readonly plan?: MasterPlan;
  /** Outputs written from the one render; a bare string takes every default. */
  readonly outputs: readonly (string | MasterOutputOptions)[];
  /** Defaults for every output. */
  readonly bitDepth?: OutputBitDepth;
  readonly sampleRateHz?: number;
  readonly bitrateKbps?: number;
  readonly dither?: DitherMode;
  readonly seed?: number;
  readonly tags?: Tags;
  readonly force?: boolean;
  /** MP3/AAC outputs: encode, decode, re-measure; lower the ceiling until the decoded file holds it. */
  readonly codecSafe?: boolean;
  /** Directory for the temporary float render (default: the OS temp directory). */
  readonly tempDir?: string;
  /** The planner (default: core/plan's planMaster). */
  readonly planner?: (input: PlanInput) => MasterPlan;
}

export interface MeasurementSummary {
  integratedLufs: number | null;
  lraLu: number;
  truePeakDbtp: number | null;
  samplePeakDbfs: number | null;
  plrDb: number | null;
  maxShortTermLufs: number | null;
  /** Stereo width and correlation as the stereo meter reports them. */
  stereo: AnalysisReport["stereo"];
  spectrum: AnalysisReport["spectrum"];
}

export interface MasterOutputResult extends OutputReport {
  /** Codec-safe: the decoded file's true peak and the ceiling the limiter had to aim for. */
  codecSafe: { decodedTruePeakDbtp: number | null; limiterCeilingDbtp: number; steps: number } | null;
  /** A resampled output's true peak (measured after conversion). */
  resampledTruePeakDbtp?: number | null;
}

export interface MasterResult {
  input: string;
  format: FileAnalysis["format"];
  target: MasterPlan["target"];
  /** The mix and the master, measured by the same Analyzer. */
  measurements: { input: MeasurementSummary; output: MeasurementSummary };
  plan: MasterPlan;
  mixFeedback: Diagnostic[];
  diagnostics: Diagnostic[];
  platforms: PlatformPlayback[];
  loudness: {
    driveDb: number;
    /** Measured integrated loudness minus target, LU. */
    errorLu: number | null;
    iterations: { driveDb: number; integratedLufs: number | null }[];
  };
  limiter: {
    /** The limiter's ceiling as rendered: the target's, or lower where the band-limited reconstruction needed it. */
    ceilingDbtp: number;
    /** Peak of the master's band-limited reconstruction (0.95 × Nyquist), dBTP. */
    reconstructionPeakDbtp: number | null;
    gainReduction: Omit<LimiterStats, "histogram">;
    /** Energy of (output − drive·input) relative to the output, dB. */
    errorDb: number | null;
  };
  lengthFrames: number;
  sampleRateHz: number;
  channels: number;
  dither: { shape: DitherMode; seed: number };
  outputs: MasterOutputResult[];
  warnings: Diagnostic[];
}

/** Loudness tolerance of the drive search (the verify accepts 0.1 LU: DESIGN.md "What good means"). */
const DRIVE_TOLERANCE_LU = 0.02;
const VERIFY_TOLERANCE_LU = 0.1;
/** Reference mode: rounds of match-curve correction on the rendered master, and the distance (dB RMS) that needs none. */
const MATCH_REFINE_ROUNDS = 3;
const MATCH_REFINE_GOOD_DB = 1;
/** Steps of lowering the limiter ceiling for the band-limited reconstruction, and the margin under the ceiling each aims for. */
const RECONSTRUCTION_MAX_STEPS = 3;
const RECONSTRUCTION_MARGIN_DB = 0.02;
const MAX_DRIVE_ITERATIONS = 10;
const MIN_DRIVE_DB = -96;
const MAX_DRIVE_DB = 48;
/** Codec-safe: ceiling steps and how far down to go before giving up. */
const CODEC_SAFE_STEP_DB = 0.2;
const CODEC_SAFE_MAX_STEPS = 15;
/** The limiter error (energy of what the limiter changed, relative to the output) above which it is reported as audible. */
const LIMITER_ERROR_AUDIBLE_DB = -20;
/** The fallback clipper: threshold this far under the ceiling, knee so its output stays 0.5 dB under it. */
const CLIPPER_BELOW_CEILING_DB = 3;
const CLIPPER_KNEE_DB = 2.5;

function summary(a: AnalysisReport): MeasurementSummary {
  const l = a.loudness;
  return {
    integratedLufs: l.integratedLufs, lraLu: l.lraLu, truePeakDbtp: l.truePeakDbtp, samplePeakDbfs: l.samplePeakDbfs,
    plrDb: l.plrDb, maxShortTermLufs: l.maxShortTermLufs, stereo: a.stereo, spectrum: a.spectrum,
  };
}

function clampDrive(db: number): number {
  return Math.min(MAX_DRIVE_DB, Math.max(MIN_DRIVE_DB, db));
}

/**
 * The drive and the stages after it (the optional clipper and the final limiter) of a plan's
 * chain, and the stages before them.
 */
export function splitChain(chain: ChainSpec): { pre: StageSpec[]; drive: StageSpec; tail: StageSpec[] } {
  const stages = chain.stages;
  const n = stages.length;
  const clipped = n >= 3 && stages[n - 2].type === "clipper";
  const driveAt = clipped ? n - 3 : n - 2;
  if (n < 2 || stages[n - 1].type !== "limiter" || driveAt < 0 || stages[driveAt].type !== "gain") {
    throw new MastersmithError("E_INVALID_CHAIN", { detail: "a master plan's chain must end with { type: \"gain\" } (the drive), an optional clipper and { type: \"limiter\" }" });
  }
  return { pre: stages.slice(0, driveAt), drive: stages[driveAt], tail: stages.slice(driveAt + 1) };
}

/**
 * Secant search on drive (dB) -> integrated loudness (LUFS), safeguarded by a bracket. The curve
 * rises with slope 1 while the limiter is idle and flattens as it works harder (a look-ahead
 * limiter with hold and release saturates: past some drive, more drive adds gain reduction and
 * almost no loudness), so: the first step assumes slope 1; later steps use the last two points
 * (slope clamped, step at most MAX_STEP_DB); once the target is bracketed, a step that would
 * leave the bracket bisects it instead. Stops on tolerance, on a collapsed bracket, or when the
 * curve is flat above the last point (the target is out of this chain's reach).
 */
const MAX_STEP_DB = 12;
const MIN_SLOPE = 0.02;
async function searchDrive(
  measure: (driveDb: number, fraction: number) => Promise<DriveMeasurement>,
  startDb: number, targetLufs: number,
): Promise<{ best: DriveMeasurement; tried: DriveMeasurement[] }> {
  const tried: DriveMeasurement[] = [];
  const first = await measure(clampDrive(startDb), 0);
  tried.push(first);
  if (first.integratedLufs === null) return { best: first, tried };
  const err = (m: DriveMeasurement): number => m.integratedLufs! - targetLufs;
  let best = first;
  let lo: DriveMeasurement | null = err(first) < 0 ? first : null;
  let hi: DriveMeasurement | null = err(first) > 0 ? first : null;
  let prev: DriveMeasurement | null = null;
  let last = first;
  for (let i = 1; i < MAX_DRIVE_ITERATIONS && Math.abs(err(best)) > DRIVE_TOLERANCE_LU; i++) {
    let slope = 1;
    if (prev !== null && last.driveDb !== prev.driveDb) {
      const s = (last.integratedLufs! - prev.integratedLufs!) / (last.driveDb - prev.driveDb);
      slope = Number.isFinite(s) ? Math.min(1.5, Math.max(MIN_SLOPE, s)) : 1;
    }
    const step = Math.max(-MAX_STEP_DB, Math.min(MAX_STEP_DB, -err(last) / slope));
    let next = clampDrive(last.driveDb + step);
    if (lo !== null && hi !== null && !(next > lo.driveDb && next < hi.driveDb)) next = (lo.driveDb + hi.driveDb) / 2;
    if (lo !== null && hi !== null && hi.driveDb - lo.driveDb < 1e-4) break;
    if (next === last.driveDb) break;
    const m = await measure(next, i / MAX_DRIVE_ITERATIONS);
    tried.push(m);
    if (m.integratedLufs === null) break;
    if (err(m) < 0 && (lo === null || m.driveDb > lo.driveDb)) lo = m;
    if (err(m) > 0 && (hi === null || m.driveDb < hi.driveDb)) hi = m;
    if (Math.abs(err(m)) < Math.abs(err(best))) best = m;
    prev = last;
    last = m;
    // Flat and still short of the target: more drive only adds gain reduction.
    if (hi === null && prev.driveDb < m.driveDb && (m.integratedLufs - prev.integratedLufs!) / (m.driveDb - prev.driveDb) < MIN_SLOPE) break;
  }
  if (hi === null && Math.abs(err(best)) > VERIFY_TOLERANCE_LU) {
    // Out of reach: the least drive that comes within 0.05 LU of the loudest point measured
    // (the rest of the drive is gain reduction for nothing).
    const loudest = Math.max(...tried.filter((m) => m.integratedLufs !== null).map((m) => m.integratedLufs!));
    best = tried.filter((m) => m.integratedLufs !== null && m.integratedLufs >= loudest - 0.05).sort((a, b) => a.driveDb - b.driveDb)[0];
  }
  return { best, tried };
}

interface ResolvedOutput {
  path: string;
  format: OutputFormat;
  bitDepth: OutputBitDepth | undefined;
  sampleRateHz: number | undefined;
  bitrateKbps: number | undefined;
}

function resolveOutputs(options: MasterOptions): ResolvedOutput[] {
  if (options.outputs.length === 0) throw new MastersmithError("E_BAD_ARGUMENT", { detail: "no output given" });
  const seen = new Set<string>();
  return options.outputs.map((o) => {
    const spec: MasterOutputOptions = typeof o === "string" ? { path: o } : o;
    const format = spec.format ?? formatFromPath(spec.path);
    if (format === null) throw new MastersmithError("E_BAD_ARGUMENT", { file: spec.path, detail: "unknown output extension: use .wav, .flac, .mp3, .m4a or .opus" });
    if (seen.has(spec.path)) throw new MastersmithError("E_BAD_ARGUMENT", { file: spec.path, detail: "the same output is given twice" });
    seen.add(spec.path);
    return {
      path: spec.path, format,
      bitDepth: spec.bitDepth ?? options.bitDepth,
      sampleRateHz: spec.sampleRateHz ?? options.sampleRateHz,
      bitrateKbps: spec.bitrateKbps ?? options.bitrateKbps,
    };
  });
}


async function decodedTruePeakDbtp(path: string): Promise<number | null> {
  const reader = await openAudioFile(path);
  try {
    const meter = new TruePeakMeter({ sampleRateHz: reader.info.sampleRateHz, channels: reader.info.channels });
    for await (const block of reader.blocks(65536)) meter.add(block, block[0].length);
    const db = meter.truePeakDbtp();
    return Number.isFinite(db) ? db : null;
  } finally {
    await reader.close();
  }
}

function warn(code: Diagnostic["code"], message: string): Diagnostic {
  return { code, message };
}

/** Masters one file. Throws a MastersmithError naming the file when it cannot. */
export async function master(inputPath: string, options: MasterOptions, hooks: MasterHooks = {}): Promise<MasterResult> {
  try {
    return await masterUnchecked(inputPath, options, hooks);
  } catch (e) {
    if (isMastersmithError(e)) throw e.withFile(inputPath);
    if ((e as Error)?.name === "AbortError") throw e;
    throw new MastersmithError("E_INTERNAL", { file: inputPath, detail: (e as Error)?.message ?? String(e), cause: e });
  }
}

async function masterUnchecked(inputPath: string, options: MasterOptions, hooks: MasterHooks): Promise<MasterResult> {
  const { signal } = hooks;
  const progress = (step: MasterStep, fraction: number): void => hooks.onProgress?.({ step, fraction });
  const outputs = resolveOutputs(options);

  // Analyze.
  progress("analyze", 0);
  const analysis = await analyzeFile(inputPath);
  signal?.throwIfAborted();
  const references: AnalysisReport[] = [];
  for (const ref of options.references ?? []) {
    references.push(await analyzeFile(ref));
    signal?.throwIfAborted();
  }
  progress("analyze", 1);
  const fmt = analysis.format;
  if (fmt.frames === 0) throw new MastersmithError("E_EMPTY_FILE", { file: inputPath, detail: "no audio frames" });

  // Plan.
  progress("plan", 0);
  const planInput: PlanInput = {
    analysis, sampleRateHz: fmt.sampleRate, channels: fmt.channels, intent: options.intent ?? {},
    ...(references.length > 0 ? { references } : {}),
  };
  const plan0 = options.plan ?? (options.planner ?? defaultPlanner)(planInput);
  const chain = validateChainSpec(plan0.chain);
  const { pre, drive } = splitChain(chain);
  let { tail } = splitChain(chain);
  const target = plan0.target;
  const ceilingDbtp = target.ceilingDbtp;
  progress("plan", 1);

  const tempDir = await mkdtemp(join(options.tempDir ?? tmpdir(), "mastersmith-master-"));
  const opened: AudioOutput[] = [];
  try {
    // Prerender (skipped when nothing comes before the drive: the drive passes read the input).
    let source = inputPath;
    if (pre.length > 0) {
      source = join(tempDir, "pre.wav");
      progress("prerender", 0);
      await prerender(inputPath, pre, source, { signal, onFraction: (f) => progress("prerender", f) });
    }
    progress("prerender", 1);

    // Drive search.
    const mask = fmt.channelMask;
    const measureAt = (limiterCeiling: number) => (driveDb: number, fraction: number): Promise<DriveMeasurement> => {
      progress("drive", fraction);
      return measureDrive(source, driveDb, tail, limiterCeiling, mask, { signal });
    };
    const startDb = typeof drive.gainDb === "number" ? drive.gainDb : 0;
    let search = await searchDrive(measureAt(ceilingDbtp), startDb, target.integratedLufs);
    const decisions: Decision[] = [];
    if (search.best.integratedLufs !== null && search.best.integratedLufs < target.integratedLufs - VERIFY_TOLERANCE_LU && tail.length === 1) {
      // The limiter alone cannot get there: with its hold and release it leaves the crest factor
      // within each hold window, so the loudness saturates. A soft clipper before it shaves the
      // waveform's peaks (oversampled, so no aliasing), then the limiter catches the rest.
      const limiterOnly = { tail, search };
      tail = [{ type: "clipper", thresholdDb: Math.max(-24, ceilingDbtp - CLIPPER_BELOW_CEILING_DB), kneeDb: CLIPPER_KNEE_DB }, tail[0]];
      const clipped = await searchDrive(measureAt(ceilingDbtp), search.best.driveDb, target.integratedLufs);
      if (clipped.best.integratedLufs !== null && Math.abs(clipped.best.integratedLufs - target.integratedLufs) < Math.abs(search.best.integratedLufs - target.integratedLufs)) {
        search = { best: clipped.best, tried: [...search.tried, ...clipped.tried] };
        decisions.push({
          area: "loudness",
          what: `soft clipper at ${(ceilingDbtp - CLIPPER_BELOW_CEILING_DB).toFixed(1)} dBFS (knee ${CLIPPER_KNEE_DB} dB) before the limiter`,
          why: `the limiter alone saturated at ${limiterOnly.search.best.integratedLufs!.toFixed(2)} LUFS, short of the ${target.integratedLufs} LUFS target`,
        });
      } else tail = limiterOnly.tail;
    }
    // Reference mode, verified: measure the tonal match on the rendered master (dynamics and
    // limiting move the spectrum too) and correct the match curve by what is left, then re-render
    // up to the drive and tune the drive again. The curve the master was made with is the plan.
    let matchCheck: { firstDistanceDb: number; rounds: number } | null = null;
    const matchIndex = pre.findIndex((s) => s.type === "matchEq");
    if (references.length > 0 && options.plan === undefined && matchIndex >= 0 && search.best.integratedLufs !== null) {
      const spectra = references.map((r) => r.spectrum);
      const refMid = meanReferenceSpectrum(spectra, "loudestMidDb");
      const refSide = meanReferenceSpectrum(spectra, "loudestSideDb");
      for (let round = 0; round < MATCH_REFINE_ROUNDS; round++) {
        const probe = await finalPass(source, { driveDb: search.best.driveDb, tail, ceilingDbtp, channelMask: mask, outputs: [] }, { signal });
        const spectrum = probe.analysis.spectrum;
        const distanceDb = spectralDistanceDb(spectrum.bandsHz, spectrum.loudestMidDb, refMid);
        matchCheck ??= { firstDistanceDb: distanceDb, rounds: 0 };
        if (!(distanceDb > MATCH_REFINE_GOOD_DB)) break;
        const stage = pre[matchIndex] as StageSpec & { midCurve: MatchCurve; sideCurve?: MatchCurve };
        pre[matchIndex] = {
          ...stage,
          midCurve: refineMatchCurve(stage.midCurve, spectrum.bandsHz, spectrum.loudestMidDb, refMid),
          ...(stage.sideCurve === undefined ? {} : { sideCurve: refineMatchCurve(stage.sideCurve, spectrum.bandsHz, spectrum.loudestSideDb, refSide) }),
        };
        await prerender(inputPath, pre, source, { signal });
        const again = await searchDrive(measureAt(ceilingDbtp), search.best.driveDb, target.integratedLufs);
        search = { best: again.best, tried: [...search.tried, ...again.tried] };
        matchCheck.rounds++;
      }
    }
    let best = search.best;
    const iterations = search.tried.map((m) => ({ driveDb: round(m.driveDb, 3), integratedLufs: m.integratedLufs === null ? null : round(m.integratedLufs, 3) }));
    progress("drive", 1);

    const warnings: Diagnostic[] = [];
    if (best.integratedLufs === null) {
      warnings.push(warn("W_SILENT", `the mix has no gated loudness (silence): written with the plan's drive of ${startDb.toFixed(2)} dB, no loudness target applied`));
    }

    // Write: one render, every output (resampled outputs go through a float master first).
    progress("write", 0);
    const seed = (options.seed ?? 1) >>> 0;
    const dither = options.dither ?? "tpdf";
    const sourceBitDepth = fmt.sampleFormat === "int" ? fmt.bitDepth : undefined;
    const direct = outputs.filter((o) => o.sampleRateHz === undefined || o.sampleRateHz === fmt.sampleRate);
    const resampled = outputs.filter((o) => !direct.includes(o));
    const floatMaster = resampled.length > 0 ? join(tempDir, "master.wav") : null;
    const openOne = (o: ResolvedOutput, path = o.path, force = options.force): Promise<AudioOutput> => openOutput(path, {
      format: o.format, bitDepth: o.bitDepth, sampleRateHz: fmt.sampleRate, channels: fmt.channels, tags: options.tags, force,
      bitrateKbps: o.bitrateKbps, dither, seed,
    });
    const openAll = async (): Promise<void> => {
      for (const o of direct) opened.push(await openOne(o));
      if (floatMaster !== null) opened.push(await openOutput(floatMaster, { format: "wav", bitDepth: "32f", sampleRateHz: fmt.sampleRate, channels: fmt.channels, dither: "none", force: true }));
    };
    await openAll();
    let limiterCeilingDbtp = ceilingDbtp;
    let final = await finalPass(source, {
      driveDb: best.driveDb, tail, ceilingDbtp: limiterCeilingDbtp, channelMask: mask, sourceBitDepth, outputs: opened,
    }, { signal, onFraction: (f) => progress("write", f) });
    // The master's band-limited reconstruction (DAC filters, encoders, other meters) must stay
    // under the ceiling too: where it overshoots (heavy limiting with energy near Nyquist), the
    // outputs, not yet renamed into place, are dropped, and the limiter aims lower by the excess.
    for (let step = 0; step < RECONSTRUCTION_MAX_STEPS && final.reconstructionPeakDbtp !== null && final.reconstructionPeakDbtp > ceilingDbtp; step++) {
      const excess = final.reconstructionPeakDbtp - ceilingDbtp;
      for (const out of opened.splice(0)) await out.abort();
      limiterCeilingDbtp = Math.max(-20, limiterCeilingDbtp - excess - RECONSTRUCTION_MARGIN_DB);
      const again = await searchDrive(measureAt(limiterCeilingDbtp), best.driveDb, target.integratedLufs);
      search = { best: again.best, tried: [...search.tried, ...again.tried] };
      best = again.best;
      await openAll();
      final = await finalPass(source, {
        driveDb: best.driveDb, tail, ceilingDbtp: limiterCeilingDbtp, channelMask: mask, sourceBitDepth, outputs: opened,
      }, { signal, onFraction: (f) => progress("write", f) });
    }
    if (limiterCeilingDbtp < ceilingDbtp) {
      decisions.push({
        area: "safety",
        what: `limiter ceiling ${limiterCeilingDbtp.toFixed(2)} dBTP for a ${ceilingDbtp} dBTP target`,
        why: `the master's band-limited reconstruction (what DAC filters, encoders and other meters such as ffmpeg's see) peaked over the ceiling at the full ceiling; now ${final.reconstructionPeakDbtp?.toFixed(2)} dBTP`,
      });
    }
    const reports: OutputReport[] = [];
    for (const out of opened.splice(0)) reports.push(await out.close());
    progress("write", 1);

    // Verify.
    progress("verify", 0);
    const measured = final.analysis.loudness;
    if (final.frames !== fmt.frames) {
      throw new MastersmithError("E_INTERNAL", { detail: `the master has ${final.frames} frames, the mix ${fmt.frames}` });
    }
    const errorLu = measured.integratedLufs === null ? null : measured.integratedLufs - target.integratedLufs;
    if (errorLu !== null && Math.abs(errorLu) > VERIFY_TOLERANCE_LU) {
      warnings.push(warn("W_TARGET_MISSED", `the master measures ${measured.integratedLufs!.toFixed(2)} LUFS, ${errorLu.toFixed(2)} LU from the target ${target.integratedLufs} LUFS`));
    }
    const results: MasterOutputResult[] = [];
    for (const report of reports) {
      if (report.path === floatMaster) continue;
      results.push({ ...report, codecSafe: null });
    }
    for (const o of resampled) {
      const conv = await convert(floatMaster!, o.path, {
        format: o.format, bitDepth: o.bitDepth, sampleRateHz: o.sampleRateHz, dither, seed, bitrateKbps: o.bitrateKbps, tags: options.tags, force: options.force,
      });
      results.push({ ...conv.output, codecSafe: null, resampledTruePeakDbtp: await decodedTruePeakDbtp(o.path) });
    }

    // Codec-safe: decode each MP3/AAC output; while its true peak is over the ceiling, lower the
    // limiter's ceiling a step, re-tune the drive (loudness stays on target) and re-encode.
    if (options.codecSafe === true && best.integratedLufs !== null) {
      for (const r of results) {
        if (!(r.format === "mp3" || r.format === "aac") || r.sampleRateHz !== fmt.sampleRate) continue;
        const o = outputs.find((x) => x.path === r.path)!;
        let decoded = await decodedTruePeakDbtp(r.path);
        let limiterCeiling = limiterCeilingDbtp;
        let steps = 0;
        let driveDb = best.driveDb;
        while (decoded !== null && decoded > ceilingDbtp && steps < CODEC_SAFE_MAX_STEPS) {
          signal?.throwIfAborted();
          steps++;
          // The first step jumps by the overshoot (the codec's peak excess scales with level).
          const overshoot = decoded - ceilingDbtp;
          limiterCeiling = Math.max(-20, limiterCeiling - Math.max(CODEC_SAFE_STEP_DB, steps === 1 ? Math.ceil(overshoot * 10) / 10 : CODEC_SAFE_STEP_DB));
          const s = await searchDrive(measureAt(limiterCeiling), driveDb, target.integratedLufs);
          driveDb = s.best.driveDb;
          const tempPath = join(tempDir, `codec-safe.${o.format === "mp3" ? "mp3" : "m4a"}`);
          const out = await openOne(o, tempPath, true);
          opened.push(out);
          await finalPass(source, { driveDb, tail, ceilingDbtp: limiterCeiling, channelMask: mask, sourceBitDepth, outputs: [out] }, { signal });
          opened.splice(opened.indexOf(out), 1);
          await out.close();
          decoded = await decodedTruePeakDbtp(tempPath);
          // The temp directory may sit on another file system than the output: copy, not rename.
          await copyFile(tempPath, r.path);
        }
        r.codecSafe = { decodedTruePeakDbtp: decoded === null ? null : round(decoded, 2), limiterCeilingDbtp: round(limiterCeiling, 2), steps };
        if (decoded !== null && decoded > ceilingDbtp) {
          warnings.push(warn("W_CODEC_OVERS", `${basename(r.path)}: the decoded file still peaks at ${decoded.toFixed(2)} dBTP after ${steps} steps`));
        }
      }
    }

    // Sanity of the limiting: a target that needs more than the planner's limit of gain reduction.
    const gr = final.limiter;
    const limits = tooLoudThresholds(plan0);
    if (best.integratedLufs !== null && (gr.meanGrDb > limits.meanGrDb || gr.maxGrDb > limits.maxGrDb)) {
      // The drive lower by the excess brings both figures within the limits (max GR falls dB for
      // dB); measure what loudness that drive gives: the quieter target that avoids it.
      const excess = Math.max(gr.maxGrDb - limits.maxGrDb, gr.meanGrDb - limits.meanGrDb, 0.5);
      const quieter = await measureDrive(source, best.driveDb - excess, tail, ceilingDbtp, mask, { signal });
      const q = quieter.integratedLufs === null ? null : Math.floor(quieter.integratedLufs * 2) / 2;
      const w = tooLoudWarning(gr.meanGrDb, q);
      warnings.push({ code: w.code, message: `${w.message} (mean ${gr.meanGrDb.toFixed(1)} dB, peak ${gr.maxGrDb.toFixed(1)} dB of gain reduction; limits ${limits.meanGrDb} / ${limits.maxGrDb} dB)` });
    }
    if (final.limiterErrorDb !== null && final.limiterErrorDb > LIMITER_ERROR_AUDIBLE_DB) {
      warnings.push(warn("W_LIMITER_AUDIBLE", `the limiter changed the signal by ${final.limiterErrorDb.toFixed(1)} dB relative to the master (audible above ${LIMITER_ERROR_AUDIBLE_DB} dB)`));
    }
    progress("verify", 1);

    if (matchCheck !== null) {
      const spectra = references.map((r) => r.spectrum);
      const finalDistanceDb = spectralDistanceDb(final.analysis.spectrum.bandsHz, final.analysis.spectrum.loudestMidDb, meanReferenceSpectrum(spectra, "loudestMidDb"));
      decisions.push({
        area: "tone",
        what: matchCheck.rounds === 0 ? "match curve kept as planned" : `match curve corrected ${matchCheck.rounds} time(s) on the rendered master`,
        why: `loudest-section mid spectrum ${matchCheck.firstDistanceDb.toFixed(2)} dB RMS from the reference${references.length > 1 ? "s' mean" : ""} as planned, ${finalDistanceDb.toFixed(2)} dB RMS on the master (level-normalized, 40 Hz-16 kHz)`,
      });
    }
    // The plan as rendered: the tuned drive written back, with its reason.
    const stages: StageSpec[] = [...pre, { ...drive, gainDb: round(best.driveDb, 3) }, ...tail];
    const plan: MasterPlan = {
      ...plan0,
      chain: { version: 1, stages },
      decisions: [...plan0.decisions, ...decisions, {
        area: "loudness",
        what: `limiter drive ${best.driveDb.toFixed(2)} dB`,
        why: best.integratedLufs === null ? "silent mix: no loudness to tune"
          : `measured ${measured.integratedLufs?.toFixed(2)} LUFS on the rendered master for a target of ${target.integratedLufs} LUFS after ${iterations.length} limiter passes`,
      }],
    };
    const { histogram: _h, ...grStats } = gr;
    return {
      input: inputPath,
      format: fmt,
      target,
      measurements: { input: summary(analysis), output: summary(final.analysis) },
      plan,
      mixFeedback: mixFeedbackOf(analysis, plan0),
      diagnostics: analysis.diagnostics,
      platforms: platformPlayback(measured.integratedLufs, measured.truePeakDbtp),
      loudness: { driveDb: round(best.driveDb, 3), errorLu: errorLu === null ? null : round(errorLu, 3), iterations },
      limiter: { ceilingDbtp: round(limiterCeilingDbtp, 3), reconstructionPeakDbtp: final.reconstructionPeakDbtp === null ? null : round(final.reconstructionPeakDbtp, 3), gainReduction: grStats, errorDb: final.limiterErrorDb === null ? null : round(final.limiterErrorDb, 2) },
      lengthFrames: final.frames,
      sampleRateHz: fmt.sampleRate,
      channels: fmt.channels,
      dither: { shape: dither, seed },
      outputs: results,
      warnings,
    };
  } finally {
    for (const out of opened) await out.abort().catch(() => {});
    await rm(tempDir, { recursive: true, force: true });
  }
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
