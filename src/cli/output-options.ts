/**
 * The output options every writing command shares (`convert`, `render`, `master`): parsed in
 * one place so they accept the same spellings and fail with the same messages.
 */
import { MastersmithError } from "../core/codes.js";
import type { DitherMode, OutputBitDepth } from "../pipeline/outputs.js";

/** `--bit-depth 16|24|32f` ("32" is taken as 32-bit float). */
export function parseBitDepth(value: unknown): OutputBitDepth | undefined {
  if (value === undefined) return undefined;
  if (value === "16" || value === "24") return Number(value) as 16 | 24;
  if (value === "32f" || value === "32") return "32f";
  throw new MastersmithError("E_BAD_ARGUMENT", { detail: `--bit-depth '${String(value)}' (16, 24 or 32f)` });
}

/** `--dither tpdf|shaped|none`. */
export function parseDither(value: unknown): DitherMode | undefined {
  if (value === undefined) return undefined;
  if (value === "tpdf" || value === "shaped" || value === "none") return value;
  throw new MastersmithError("E_BAD_ARGUMENT", { detail: `--dither '${String(value)}' (tpdf, shaped or none)` });
}
