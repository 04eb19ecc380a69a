/**
 * ChainSpec: the mastering chain as plain, versioned JSON (DESIGN.md, "ChainSpec").
 * `validateChainSpec` checks a parsed document and fills every default, so a validated spec
 * says everything that will happen; errors name the stage and the parameter.
 */
import { MastersmithError } from "../codes.js";
import { paramsJsonSchema, paramsMarkdown, validateParams } from "./params.js";
import { STAGES, STAGE_TYPES, type StageType } from "./stages.js";

export const CHAIN_SPEC_VERSION = 1;

/** A validated stage: its type plus every parameter, defaults filled in. */
export interface StageSpec {
  readonly type: StageType;
  readonly [param: string]: unknown;
}

export interface ChainSpec {
  readonly version: 1;
  readonly stages: readonly StageSpec[];
}

function fail(detail: string): never {
  throw new MastersmithError("E_INVALID_CHAIN", { detail });
}

export function validateChainSpec(input: unknown): ChainSpec {
  if (typeof input !== "object" || input === null || Array.isArray(input)) fail("a ChainSpec is a JSON object { version, stages }");
  const { version, stages, ...rest } = input as Record<string, unknown>;
  const extra = Object.keys(rest).filter((k) => k !== "$schema" && k !== "comment");
  if (extra.length > 0) fail(`unknown top-level key '${extra[0]}' (known: version, stages)`);
  if (version !== CHAIN_SPEC_VERSION) fail(`version must be ${CHAIN_SPEC_VERSION} (got ${JSON.stringify(version)})`);
  if (!Array.isArray(stages)) fail("stages must be a list");
  const validated = stages.map((stage, i): StageSpec => {
    if (typeof stage !== "object" || stage === null || Array.isArray(stage)) fail(`stage ${i + 1}: must be an object with a type`);
    const type = (stage as Record<string, unknown>).type;
    if (typeof type !== "string" || !(type in STAGES)) {
      fail(`stage ${i + 1}: unknown type ${JSON.stringify(type)} (known: ${STAGE_TYPES.join(", ")})`);
    }
    const stageType = type as StageType;
    const params = validateParams(`stage ${i + 1} (${stageType})`, stage as Record<string, unknown>, STAGES[stageType].params, ["type", "comment"]);
    checkStage(i, stageType, params);
    return { type: stageType, ...params };
  });
  return { version: CHAIN_SPEC_VERSION, stages: validated };
}

/** Cross-parameter rules a per-parameter check cannot see. */
function checkStage(index: number, type: StageType, params: Record<string, unknown>): void {
  const where = `stage ${index + 1} (${type})`;
  if (type === "multibandCompressor") {
    const bands = (params.bands as unknown[]).length;
    const crossovers = (params.crossoversHz as number[]).length;
    if (bands !== crossovers + 1) fail(`${where}.bands: ${crossovers} crossovers make ${crossovers + 1} bands, but ${bands} band settings are given`);
  }
  if (type === "imager") {
    const widths = (params.widthsPct as number[]).length;
    const crossovers = (params.crossoversHz as number[]).length;
    if (widths !== crossovers + 1) fail(`${where}.widthsPct: ${crossovers} crossovers make ${crossovers + 1} bands, but ${widths} widths are given`);
  }
}

/** The published JSON Schema of a ChainSpec document. */
export function chainSpecJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://mastersmith.dev/schema/chainspec-1.json",
    title: "Mastersmith ChainSpec, version 1",
    type: "object",
    additionalProperties: false,
    required: ["version", "stages"],
    properties: {
      $schema: { type: "string" },
      comment: { type: "string" },
      version: { const: CHAIN_SPEC_VERSION },
      stages: {
        type: "array",
        items: {
          oneOf: STAGE_TYPES.map((type) => {
            const schema = paramsJsonSchema(STAGES[type].params) as { properties: Record<string, unknown>; required?: string[] };
            return {
              ...schema,
              description: STAGES[type].doc,
              properties: { type: { const: type }, comment: { type: "string" }, ...schema.properties },
              required: ["type", ...(schema.required ?? [])],
            };
          }),
        },
      },
    },
  };
}

/** The parameter reference, in Markdown: every stage, every parameter, unit, range and default. */
export function chainSpecMarkdown(): string {
  const parts = [
    "# ChainSpec reference (version 1)",
    "",
    "Generated from `src/core/chain/stages.ts` by `npm run schema`; do not edit by hand.",
    "A chain is `{ \"version\": 1, \"stages\": [ ... ] }`; each stage is `{ \"type\": ..., parameters }`;",
    "omitted parameters take their defaults. An empty chain renders the input unchanged, bit for bit.",
    "",
  ];
  for (const type of STAGE_TYPES) {
    parts.push(`## \`${type}\``, "", STAGES[type].doc, "", "| parameter | unit | range | default | meaning |", "|---|---|---|---|---|",
      ...paramsMarkdown(STAGES[type].params), "");
  }
  return parts.join("\n");
}
