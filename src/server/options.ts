/**
 * A job's options as the API receives them: JSON whose keys are the CLI's option names in
 * camelCase (`{"target":"spotify"}`, `{"lufs":-9,"ceiling":-0.5,"style":"warm","outputs":["wav24","mp3"]}`).
 * Validated here, at the door, so a bad option is an E_BAD_ARGUMENT on upload, not a failed job.
 */
import { MastersmithError } from "../core/codes.js";
import { TARGET_NAMES } from "../core/plan/targets.js";
import type { MasterIntent, MasterPlan, StyleName, TargetName } from "../core/plan/types.js";
import type { DitherMode, OutputBitDepth, OutputFormat } from "../pipeline/outputs.js";

/** The deliverable formats a job can write, by the names the CLI's `--outputs` uses. */
export const OUTPUT_KINDS = {
  wav16: { format: "wav", bitDepth: 16, extension: "wav" },
  wav24: { format: "wav", bitDepth: 24, extension: "wav" },
  wav32f: { format: "wav", bitDepth: "32f", extension: "wav" },
  flac16: { format: "flac", bitDepth: 16, extension: "flac" },
  flac24: { format: "flac", bitDepth: 24, extension: "flac" },
  mp3: { format: "mp3", bitDepth: undefined, extension: "mp3" },
  aac: { format: "aac", bitDepth: undefined, extension: "m4a" },
  opus: { format: "opus", bitDepth: undefined, extension: "opus" },
} as const satisfies Record<string, { format: OutputFormat; bitDepth: OutputBitDepth | undefined; extension: string }>;

export type OutputKind = keyof typeof OUTPUT_KINDS;
export const OUTPUT_KIND_NAMES = Object.keys(OUTPUT_KINDS) as OutputKind[];
export const DEFAULT_OUTPUTS: readonly OutputKind[] = ["wav24"];

export const STYLE_NAMES: readonly StyleName[] = ["balanced", "warm", "bright", "punchy", "open", "gentle", "loud"];

export interface JobOptions extends MasterIntent {
  /** Deliverables to write (default ["wav24"]). */
  readonly outputs?: readonly OutputKind[];
  /** Only analyze the mix (the page's "analysis at a glance"): the report is the analysis, no audio outputs. */
  readonly analyzeOnly?: boolean;
  /**
   * A plan to render as is (the one the page previewed: what you hear is what you download);
   * only its limiter drive is re-tuned to its target. The intent options are then ignored.
   */
  readonly plan?: MasterPlan;
  /** MP3/AAC outputs: decode, re-measure, lower the ceiling until the decoded file holds it. */
  readonly codecSafe?: boolean;
  /** Output sample rate, Hz (default: the mix's). */
  readonly sampleRate?: number;
  /** Lossy outputs' bit rate, kbps. */
  readonly bitrate?: number;
  readonly dither?: DitherMode;
  readonly seed?: number;
}

export const DITHER_MODES: readonly DitherMode[] = ["tpdf", "shaped", "none"];

/** Numeric options: [min, max] in the option's unit (LUFS, dBTP, %, Hz). */
const NUMBERS: Record<string, readonly [number, number]> = {
  lufs: [-70, 0],
  ceiling: [-20, 0],
  intensity: [0, 100],
  eqAmount: [0, 100],
  dynamicsAmount: [0, 100],
  widthAmount: [0, 100],
  width: [0, 200],
  monoBass: [20, 500],
  sampleRate: [8000, 384000],
  bitrate: [8, 512],
  seed: [0, 0xffffffff],
};

/** Options that must be whole numbers. */
const INTEGERS = new Set(["sampleRate", "seed"]);

export const OPTION_NAMES = ["target", "style", "outputs", "analyzeOnly", "plan", "codecSafe", "dither", ...Object.keys(NUMBERS)] as const;

function bad(detail: string): MastersmithError {
  return new MastersmithError("E_BAD_ARGUMENT", { detail: `options: ${detail}` });
}

/** Parses and validates the `options` field (absent or empty: defaults). Throws E_BAD_ARGUMENT. */
export function parseJobOptions(text: string | undefined): JobOptions {
  if (text === undefined || text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  return validateJobOptions(value);
}

export function validateJobOptions(value: unknown): JobOptions {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("expected a JSON object");
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key in NUMBERS) {
      const [min, max] = NUMBERS[key];
      if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (INTEGERS.has(key) && !Number.isInteger(v))) {
        throw bad(`${key} must be a ${INTEGERS.has(key) ? "whole " : ""}number from ${min} to ${max}`);
      }
      out[key] = v;
    } else if (key === "target") {
      if (typeof v !== "string" || !TARGET_NAMES.includes(v as TargetName)) throw bad(`target must be one of ${TARGET_NAMES.join(", ")}`);
      out[key] = v;
    } else if (key === "style") {
      if (typeof v !== "string" || !STYLE_NAMES.includes(v as StyleName)) throw bad(`style must be one of ${STYLE_NAMES.join(", ")}`);
      out[key] = v;
    } else if (key === "outputs") {
      if (!Array.isArray(v) || v.length === 0 || v.some((o) => !OUTPUT_KIND_NAMES.includes(o as OutputKind))) {
        throw bad(`outputs must be a non-empty list of ${OUTPUT_KIND_NAMES.join(", ")}`);
      }
      out[key] = [...new Set(v as OutputKind[])];
    } else if (key === "analyzeOnly" || key === "codecSafe") {
      if (typeof v !== "boolean") throw bad(`${key} must be true or false`);
      out[key] = v;
    } else if (key === "dither") {
      if (typeof v !== "string" || !DITHER_MODES.includes(v as DitherMode)) throw bad(`dither must be one of ${DITHER_MODES.join(", ")}`);
      out[key] = v;
    } else if (key === "plan") {
      out[key] = validatePlan(v);
    } else {
      throw bad(`unknown option '${key}' (accepted: ${OPTION_NAMES.join(", ")})`);
    }
  }
  return out as JobOptions;
}

/**
 * The shape a plan needs to be rendered (the chain itself is validated by the renderer's schema
 * when the job runs: E_INVALID_CHAIN then fails the job with the schema's message).
 */
function validatePlan(v: unknown): MasterPlan {
  const plan = v as Partial<MasterPlan> | null;
  const t = plan?.target;
  if (typeof plan !== "object" || plan === null || Array.isArray(plan) || typeof t !== "object" || t === null
    || !Number.isFinite(t.integratedLufs) || !Number.isFinite(t.ceilingDbtp) || typeof plan.chain !== "object" || plan.chain === null) {
    throw bad("plan needs target { integratedLufs, ceilingDbtp } and chain (a MasterPlan, as in a report's `plan`)");
  }
  return { ...plan, decisions: Array.isArray(plan.decisions) ? plan.decisions : [] } as MasterPlan;
}
