/**
 * `mastersmith master IN... -o OUT [-o OUT2 ...] [options]`: a mix becomes a verified master.
 * One input: every -o is written from the same render. Several inputs: `-o DIR/`, each mastered
 * with the same settings to DIR/<name>.wav (or --format), a progress bar on a terminal.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { MastersmithError, isMastersmithError } from "../core/codes.js";
import type { MasterIntent, MasterPlan, StyleName, TargetName } from "../core/plan/types.js";
import { parseTagArgs } from "../io/tags.js";
import { master, type MasterOptions, type MasterProgress, type MasterResult } from "../pipeline/master.js";
import { formatReport, masterReportJson } from "../pipeline/report.js";
import type { OutputFormat } from "../pipeline/outputs.js";
import type { Command, CommandIo } from "./main.js";
import { parseBitDepth, parseDither } from "./output-options.js";

const TARGETS: readonly TargetName[] = ["spotify", "apple", "youtube", "amazon", "tidal", "deezer", "soundcloud", "ebu-r128", "atsc-a85", "podcast", "cd", "club"];
const STYLES: readonly StyleName[] = ["balanced", "warm", "bright", "punchy", "open", "gentle", "loud"];
const FORMATS: readonly OutputFormat[] = ["wav", "flac", "mp3", "aac", "opus"];
const EXT: Record<OutputFormat, string> = { wav: ".wav", flac: ".flac", mp3: ".mp3", aac: ".m4a", opus: ".opus" };
const STEP_WEIGHT: Record<MasterProgress["step"], [number, number]> = {
  analyze: [0, 0.15], plan: [0.15, 0.16], prerender: [0.16, 0.35], drive: [0.35, 0.7], write: [0.7, 0.95], verify: [0.95, 1],
};

function usageError(detail: string): MastersmithError {
  return new MastersmithError("E_BAD_ARGUMENT", { detail });
}

function num(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw usageError(`--${name} '${String(value)}' (a number from ${min} to ${max})`);
  return n;
}

function intensity(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const words: Record<string, number> = { low: 25, medium: 50, high: 75 };
  if (typeof value === "string" && value in words) return words[value];
  return num("intensity", value, 0, 100);
}

async function readJson(path: string, code: "E_BAD_ARGUMENT" | "E_INVALID_CHAIN"): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new MastersmithError((e as NodeJS.ErrnoException).code === "ENOENT" ? "E_NOT_FOUND" : "E_READ_FAILED", { file: path });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MastersmithError(code, { file: path, detail: `not valid JSON: ${(e as Error).message}` });
  }
}

/** A saved plan: the MasterPlan itself, or a report/JSON that holds one under `plan`. */
function asPlan(doc: unknown, path: string): MasterPlan {
  const d = doc as Record<string, unknown> | null;
  const plan = (d !== null && typeof d === "object" && "chain" in d ? d : (d?.plan as Record<string, unknown> | undefined)) as MasterPlan | undefined;
  const t = plan?.target;
  if (plan === undefined || typeof plan !== "object" || typeof t !== "object" || t === null || !Number.isFinite(t.integratedLufs) || !Number.isFinite(t.ceilingDbtp) || plan.chain === undefined) {
    throw new MastersmithError("E_INVALID_CHAIN", { file: path, detail: "a plan needs target { integratedLufs, ceilingDbtp } and chain" });
  }
  return { ...plan, decisions: Array.isArray(plan.decisions) ? plan.decisions : [] };
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1) + "\n";
}

/** A one-line progress bar on a terminal's stderr (nothing when piped). */
function progressBar(io: CommandIo, label: string, index: number, count: number): ((p: MasterProgress) => void) | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  let last = -1;
  return (p) => {
    const [a, b] = STEP_WEIGHT[p.step];
    const f = a + (b - a) * p.fraction;
    const pct = Math.floor(f * 100);
    if (pct === last) return;
    last = pct;
    const width = 24;
    const filled = Math.round(f * width);
    const prefix = count > 1 ? `[${index + 1}/${count}] ` : "";
    io.stderr.write(`\r${prefix}${label.slice(0, 30).padEnd(30)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(pct).padStart(3)}% ${p.step.padEnd(9)}`);
    if (p.step === "verify" && p.fraction >= 1) io.stderr.write("\r\x1b[K");
  };
}

export const masterCommand: Command = {
  name: "master",
  summary: "Master a mix: analyze, plan, render, verify (loudness within 0.1 LU of the target, true peak under the ceiling).",
  usage: "mastersmith master IN... -o OUT [-o OUT2 ...] [options]\n" +
    "  -o, --output FILE|DIR/   output (format from the extension); repeat for several formats from one render; DIR/ for several inputs\n" +
    "  --target NAME            " + TARGETS.join(", ") + " (default spotify)\n" +
    "  --lufs N, --ceiling DBTP  integrated loudness and true-peak ceiling (override the target's)\n" +
    "  --style NAME             " + STYLES.join(", ") + " (default: chosen from the analysis)\n" +
    "  --intensity I            low, medium, high or 0-100\n" +
    "  --eq-amount, --dynamics-amount, --width-amount PCT   how much of each proposed change (0-100)\n" +
    "  --width PCT              stereo width (100 as mixed, 0 mono, up to 200); --mono-bass HZ: mono below HZ\n" +
    "  --reference FILE         match a reference's tone and loudness (repeatable)\n" +
    "  --codec-safe             MP3/AAC outputs: decode and re-measure, lower the ceiling until the decoded file holds it\n" +
    "  --bit-depth D, --sample-rate HZ, --bitrate KBPS, --dither tpdf|shaped|none, --seed N, --tag KEY=VALUE, --format F (batch)\n" +
    "  --save-plan FILE         write the plan (chain and every decision with its reason)\n" +
    "  --plan FILE              render an edited plan (only the limiter drive is re-tuned)\n" +
    "  --json                   print the full result; --report FILE.json writes it\n" +
    "  --force                  overwrite existing outputs",
  options: {
    output: { type: "string", short: "o", multiple: true },
    target: { type: "string" },
    lufs: { type: "string" },
    ceiling: { type: "string" },
    style: { type: "string" },
    intensity: { type: "string" },
    "eq-amount": { type: "string" },
    "dynamics-amount": { type: "string" },
    "width-amount": { type: "string" },
    width: { type: "string" },
    "mono-bass": { type: "string" },
    reference: { type: "string", multiple: true },
    "codec-safe": { type: "boolean" },
    "bit-depth": { type: "string" },
    "sample-rate": { type: "string" },
    bitrate: { type: "string" },
    dither: { type: "string" },
    seed: { type: "string" },
    tag: { type: "string", multiple: true },
    format: { type: "string" },
    "save-plan": { type: "string" },
    plan: { type: "string" },
    json: { type: "boolean" },
    report: { type: "string" },
    force: { type: "boolean" },
  },
  async run(values, positionals, io): Promise<number> {
    if (positionals.length === 0) throw usageError("give at least one input file");
    const outs = (values.output as string[] | undefined) ?? [];
    if (outs.length === 0) throw usageError("give the output with -o OUT");
    const target = values.target as string | undefined;
    if (target !== undefined && !TARGETS.includes(target as TargetName)) throw usageError(`--target '${target}' (one of ${TARGETS.join(", ")})`);
    const style = values.style as string | undefined;
    if (style !== undefined && !STYLES.includes(style as StyleName)) throw usageError(`--style '${style}' (one of ${STYLES.join(", ")})`);
    const intent: MasterIntent = {
      ...(target !== undefined ? { target: target as TargetName } : {}),
      ...(values.lufs !== undefined ? { lufs: num("lufs", values.lufs, -70, 0) } : {}),
      ...(values.ceiling !== undefined ? { ceiling: num("ceiling", values.ceiling, -20, 0) } : {}),
      ...(style !== undefined ? { style: style as StyleName } : {}),
      ...(values.intensity !== undefined ? { intensity: intensity(values.intensity) } : {}),
      ...(values["eq-amount"] !== undefined ? { eqAmount: num("eq-amount", values["eq-amount"], 0, 100) } : {}),
      ...(values["dynamics-amount"] !== undefined ? { dynamicsAmount: num("dynamics-amount", values["dynamics-amount"], 0, 100) } : {}),
      ...(values["width-amount"] !== undefined ? { widthAmount: num("width-amount", values["width-amount"], 0, 100) } : {}),
      ...(values.width !== undefined ? { width: num("width", values.width, 0, 200) } : {}),
      ...(values["mono-bass"] !== undefined ? { monoBass: num("mono-bass", values["mono-bass"], 20, 500) } : {}),
    };
    const bitDepth = parseBitDepth(values["bit-depth"]);
    const dither = parseDither(values.dither);
    const seed = num("seed", values.seed, 0, 0xffffffff);
    if (seed !== undefined && !Number.isInteger(seed)) throw usageError("--seed must be a whole number");
    const sampleRate = num("sample-rate", values["sample-rate"], 8000, 384000);
    const bitrate = num("bitrate", values.bitrate, 8, 512);
    const format = values.format as string | undefined;
    if (format !== undefined && !FORMATS.includes(format as OutputFormat)) throw usageError(`--format '${format}' (one of ${FORMATS.join(", ")})`);
    const planPath = values.plan as string | undefined;
    const plan = planPath === undefined ? undefined : asPlan(await readJson(planPath, "E_INVALID_CHAIN"), planPath);

    // Outputs: one input takes every -o; several inputs take one directory.
    const batch = positionals.length > 1;
    let outputsFor: (input: string) => string[];
    const dirLike = (p: string): boolean => p.endsWith("/");
    if (batch || (outs.length === 1 && dirLike(outs[0]))) {
      if (outs.length !== 1) throw usageError("with several inputs, give one output directory: -o DIR/");
      const dir = outs[0];
      const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
      if (!isDir) {
        if (!dirLike(dir)) throw usageError(`-o ${dir}: with several inputs the output is a directory (end it with /)`);
        await mkdir(dir, { recursive: true });
      }
      const ext = EXT[(format as OutputFormat | undefined) ?? "wav"];
      outputsFor = (input) => [join(dir, basename(input, extname(input)) + ext)];
      const names = positionals.map((p) => outputsFor(p)[0]);
      if (new Set(names).size !== names.length) throw usageError("two inputs have the same name: their masters would collide in the output directory");
    } else {
      outputsFor = () => outs;
    }

    const common: Omit<MasterOptions, "outputs"> = {
      intent, plan, references: (values.reference as string[] | undefined) ?? [],
      bitDepth, sampleRateHz: sampleRate, bitrateKbps: bitrate, dither, seed,
      tags: parseTagArgs((values.tag as string[] | undefined) ?? []), force: values.force === true, codecSafe: values["codec-safe"] === true,
    };
    const results: (MasterResult | { input: string; error: { code: string; message: string } })[] = [];
    let failed = 0;
    for (let i = 0; i < positionals.length; i++) {
      const input = positionals[i];
      const onProgress = values.json === true ? undefined : progressBar(io, basename(input), i, positionals.length);
      try {
        const result = await master(input, { ...common, outputs: outputsFor(input) }, { onProgress });
        results.push(result);
        if (values.json !== true) io.stdout.write(formatReport(result));
      } catch (e) {
        if (!batch || !isMastersmithError(e)) throw e;
        failed++;
        results.push({ input, error: e.toJSON() });
        io.stderr.write(`mastersmith master: error ${e.code}: ${e.message}\n`);
      }
    }
    const ok = results.filter((r): r is MasterResult => !("error" in r));
    const savePlan = values["save-plan"] as string | undefined;
    if (savePlan !== undefined && ok.length > 0) await writeFile(savePlan, jsonText(batch ? ok.map((r) => r.plan) : ok[0].plan));
    const doc = batch ? results.map((r) => ("error" in r ? r : masterReportJson(r))) : masterReportJson(ok[0]);
    const reportPath = values.report as string | undefined;
    if (reportPath !== undefined) await writeFile(reportPath, jsonText(doc));
    if (values.json === true) io.stdout.write(jsonText(doc));
    return failed > 0 ? 1 : 0;
  },
};
