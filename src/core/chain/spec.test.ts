import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chainSpecJsonSchema, chainSpecMarkdown, validateChainSpec } from "./spec.js";
import { isMastersmithError } from "../codes.js";
import { STAGES } from "./stages.js";

const ROOT = resolve(import.meta.dirname, "../../..");

function invalid(spec: unknown, pattern: RegExp): void {
  assert.throws(() => validateChainSpec(spec), (e: unknown) => {
    assert.ok(isMastersmithError(e), "a MastersmithError");
    assert.equal(e.code, "E_INVALID_CHAIN");
    assert.match(e.message, pattern);
    return true;
  });
}

test("the DESIGN.md example validates and gets every default filled in", () => {
  const spec = validateChainSpec({
    version: 1,
    stages: [
      { type: "gain", gainDb: 3 },
      { type: "eq", phase: "linear", bands: [{ shape: "bell", freqHz: 250, gainDb: -1.5, q: 0.7 }] },
      { type: "limiter", ceilingDbtp: -1, lookaheadMs: 2, releaseMs: 80 },
    ],
  });
  assert.deepEqual(spec.stages[0], { type: "gain", gainDb: 3 });
  assert.deepEqual(spec.stages[2], { type: "limiter", ceilingDbtp: -1, lookaheadMs: 2, releaseMs: 80, holdMs: STAGES.limiter.params.holdMs.default });
  const mb = validateChainSpec({ version: 1, stages: [{ type: "multibandCompressor" }] }).stages[0];
  assert.deepEqual(mb.crossoversHz, [120, 1000, 6000]);
  assert.equal((mb.bands as { ratio: number }[])[3].ratio, 2);
  assert.deepEqual(validateChainSpec({ version: 1, stages: [] }), { version: 1, stages: [] });
});

test("errors name the stage and the parameter", () => {
  invalid({ version: 2, stages: [] }, /version must be 1/);
  invalid({ version: 1 }, /stages must be a list/);
  invalid({ version: 1, stages: [{ type: "reverb" }] }, /stage 1: unknown type "reverb"/);
  invalid({ version: 1, stages: [{ type: "gain" }, { type: "compressor", ratio: 0.5 }] }, /stage 2 \(compressor\)\.ratio: must be from 1 to 100/);
  invalid({ version: 1, stages: [{ type: "compressor", threshold: -10 }] }, /unknown parameter 'threshold'/);
  invalid({ version: 1, stages: [{ type: "eq", bands: [{ shape: "peak" }] }] }, /stage 1 \(eq\)\.bands\[0\]\.shape: must be one of bell/);
  invalid({ version: 1, stages: [{ type: "limiter", ceilingDbtp: "loud" }] }, /ceilingDbtp: must be a number \(got "loud"\)/);
  invalid({ version: 1, stages: [{ type: "multibandCompressor", crossoversHz: [100, 2000], bands: [{}, {}] }] }, /2 crossovers make 3 bands, but 2/);
  invalid({ version: 1, stages: [{ type: "imager", crossoversHz: [2000, 100], widthsPct: [100, 100, 100] }] }, /crossoversHz\[1\]: values must increase/);
  invalid({ version: 1, stages: [{ type: "matchEq" }] }, /midCurve: is required/);
  invalid({ version: 1, stages: [{ type: "gain", gainDb: Number.NaN }] }, /must be a number/);
});

test("the published JSON Schema and parameter reference are up to date (regenerate: npm run schema)", () => {
  const schema = JSON.parse(readFileSync(join(ROOT, "schema", "chainspec.schema.json"), "utf8"));
  assert.deepEqual(schema, chainSpecJsonSchema());
  assert.equal(readFileSync(join(ROOT, "docs", "chainspec.md"), "utf8"), chainSpecMarkdown());
});
