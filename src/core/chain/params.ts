/**
 * Declarative parameter definitions: one source for validation with defaults, the published JSON
 * Schema (`schema/chainspec.schema.json`) and the parameter reference (`docs/chainspec.md`).
 * Every number has a unit in its name and a documented range and default.
 */
import { MastersmithError } from "../codes.js";

export type ParamDef =
  | { readonly kind: "number"; readonly unit: string; readonly min: number; readonly max: number;
      readonly default: number; readonly integer?: boolean; readonly doc: string }
  | { readonly kind: "enum"; readonly values: readonly string[]; readonly default: string; readonly doc: string }
  | { readonly kind: "boolean"; readonly default: boolean; readonly doc: string }
  /** A list of numbers (for example crossover frequencies), strictly increasing when `increasing`. */
  | { readonly kind: "numbers"; readonly unit: string; readonly min: number; readonly max: number;
      readonly minItems: number; readonly maxItems: number; readonly increasing?: boolean;
      readonly default: readonly number[]; readonly doc: string }
  /** A list of objects, each with its own parameters (EQ bands, multiband bands). */
  | { readonly kind: "objects"; readonly params: ParamDefs; readonly minItems: number; readonly maxItems: number;
      readonly default: readonly Record<string, unknown>[]; readonly doc: string }
  /** A smooth curve: matching `freqHz` and `gainDb` arrays. Optional when `optional`. */
  | { readonly kind: "curve"; readonly optional?: boolean; readonly doc: string };

export type ParamDefs = Readonly<Record<string, ParamDef>>;

export interface Curve {
  freqHz: number[];
  gainDb: number[];
}

function fail(where: string, problem: string): never {
  throw new MastersmithError("E_INVALID_CHAIN", { detail: `${where}: ${problem}` });
}

function describe(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

function checkNumber(where: string, value: unknown, def: { min: number; max: number; unit: string; integer?: boolean }): number {
  const unit = def.unit ? ` ${def.unit}` : "";
  if (typeof value !== "number" || !Number.isFinite(value)) fail(where, `must be a number (got ${describe(value)})`);
  if (def.integer && !Number.isInteger(value)) fail(where, `must be a whole number (got ${value})`);
  if (value < def.min || value > def.max) fail(where, `must be from ${def.min} to ${def.max}${unit} (got ${value})`);
  return value;
}

function checkCurve(where: string, value: unknown): Curve {
  if (typeof value !== "object" || value === null) fail(where, "must be an object { freqHz: [...], gainDb: [...] }");
  const { freqHz, gainDb } = value as Record<string, unknown>;
  if (!Array.isArray(freqHz) || !Array.isArray(gainDb)) fail(where, "needs arrays freqHz and gainDb");
  if (freqHz.length !== gainDb.length || freqHz.length < 1 || freqHz.length > 4096) {
    fail(where, "freqHz and gainDb must have the same length, 1 to 4096 points");
  }
  const f = freqHz.map((v, i) => checkNumber(`${where}.freqHz[${i}]`, v, { min: 1, max: 400000, unit: "Hz" }));
  for (let i = 1; i < f.length; i++) if (!(f[i] > f[i - 1])) fail(`${where}.freqHz[${i}]`, "frequencies must increase");
  const g = gainDb.map((v, i) => checkNumber(`${where}.gainDb[${i}]`, v, { min: -120, max: 48, unit: "dB" }));
  return { freqHz: f, gainDb: g };
}

/**
 * Validates `input` against `defs`, filling defaults. Unknown keys are errors (a typo such as
 * `threshold` for `thresholdDb` must not be silently ignored). `where` names the place for
 * messages, e.g. "stage 2 (compressor)".
 */
export function validateParams(where: string, input: Record<string, unknown>, defs: ParamDefs, ignore: readonly string[] = []): Record<string, unknown> {
  for (const key of Object.keys(input)) {
    if (!(key in defs) && !ignore.includes(key)) {
      fail(where, `unknown parameter '${key}' (known: ${Object.keys(defs).join(", ")})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(defs)) {
    const at = `${where}.${name}`;
    const value = input[name];
    if (value === undefined) {
      if (def.kind === "curve") {
        if (!def.optional) fail(at, "is required");
        continue;
      }
      // Default list items are validated like given ones, so their own defaults fill in too.
      out[name] = def.kind === "objects"
        ? def.default.map((item, i) => validateParams(`${at}[${i}]`, { ...item }, def.params))
        : def.kind === "numbers" ? [...def.default] : def.default;
      continue;
    }
    switch (def.kind) {
      case "number":
        out[name] = checkNumber(at, value, def);
        break;
      case "enum":
        if (typeof value !== "string" || !def.values.includes(value)) fail(at, `must be one of ${def.values.join(", ")} (got ${describe(value)})`);
        out[name] = value;
        break;
      case "boolean":
        if (typeof value !== "boolean") fail(at, `must be true or false (got ${describe(value)})`);
        out[name] = value;
        break;
      case "numbers": {
        if (!Array.isArray(value) || value.length < def.minItems || value.length > def.maxItems) {
          fail(at, `must be a list of ${def.minItems} to ${def.maxItems} numbers (got ${describe(value)})`);
        }
        const list = value.map((v, i) => checkNumber(`${at}[${i}]`, v, def));
        if (def.increasing) for (let i = 1; i < list.length; i++) if (!(list[i] > list[i - 1])) fail(`${at}[${i}]`, "values must increase");
        out[name] = list;
        break;
      }
      case "objects": {
        if (!Array.isArray(value) || value.length < def.minItems || value.length > def.maxItems) {
          fail(at, `must be a list of ${def.minItems} to ${def.maxItems} objects`);
        }
        out[name] = value.map((item, i) => {
          if (typeof item !== "object" || item === null || Array.isArray(item)) fail(`${at}[${i}]`, "must be an object");
          return validateParams(`${at}[${i}]`, item as Record<string, unknown>, def.params);
        });
        break;
      }
      case "curve":
        out[name] = checkCurve(at, value);
        break;
    }
  }
  return out;
}

/** The JSON Schema (draft 2020-12) fragment for a parameter set. */
export function paramsJsonSchema(defs: ParamDefs): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, def] of Object.entries(defs)) {
    switch (def.kind) {
      case "number":
        properties[name] = { type: def.integer ? "integer" : "number", minimum: def.min, maximum: def.max, default: def.default,
          description: `${def.doc}${def.unit ? ` Unit: ${def.unit}.` : ""}` };
        break;
      case "enum":
        properties[name] = { enum: def.values, default: def.default, description: def.doc };
        break;
      case "boolean":
        properties[name] = { type: "boolean", default: def.default, description: def.doc };
        break;
      case "numbers":
        properties[name] = { type: "array", items: { type: "number", minimum: def.min, maximum: def.max },
          minItems: def.minItems, maxItems: def.maxItems, default: def.default, description: `${def.doc} Unit: ${def.unit}.` };
        break;
      case "objects":
        properties[name] = { type: "array", items: paramsJsonSchema(def.params), minItems: def.minItems, maxItems: def.maxItems,
          default: def.default, description: def.doc };
        break;
      case "curve":
        properties[name] = { type: "object", description: def.doc, additionalProperties: false, required: ["freqHz", "gainDb"],
          properties: { freqHz: { type: "array", items: { type: "number", exclusiveMinimum: 0 } }, gainDb: { type: "array", items: { type: "number" } } } };
        if (!def.optional) required.push(name);
        break;
    }
  }
  return { type: "object", additionalProperties: false, properties, ...(required.length ? { required } : {}) };
}

/** Markdown rows (name, unit, range, default, meaning) documenting a parameter set. */
export function paramsMarkdown(defs: ParamDefs, prefix = ""): string[] {
  const rows: string[] = [];
  for (const [name, def] of Object.entries(defs)) {
    const key = `\`${prefix}${name}\``;
    switch (def.kind) {
      case "number":
        rows.push(`| ${key} | ${def.unit || "-"} | ${def.min} .. ${def.max} | ${def.default} | ${def.doc} |`);
        break;
      case "enum":
        rows.push(`| ${key} | - | ${def.values.join(", ")} | ${def.default} | ${def.doc} |`);
        break;
      case "boolean":
        rows.push(`| ${key} | - | true, false | ${def.default} | ${def.doc} |`);
        break;
      case "numbers":
        rows.push(`| ${key} | ${def.unit} | ${def.minItems}-${def.maxItems} values, ${def.min} .. ${def.max} | ${JSON.stringify(def.default)} | ${def.doc} |`);
        break;
      case "objects":
        rows.push(`| ${key} | - | ${def.minItems}-${def.maxItems} items | ${def.default.length} items | ${def.doc} |`);
        rows.push(...paramsMarkdown(def.params, `${prefix}${name}[].`));
        break;
      case "curve":
        rows.push(`| ${key} | Hz, dB | points | ${def.optional ? "none" : "required"} | ${def.doc} |`);
        break;
    }
  }
  return rows;
}
