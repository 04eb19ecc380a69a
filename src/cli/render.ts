/**
 * `mastersmith render IN -o OUT --chain chain.json [--bit-depth 16|24|32f] [--dither tpdf|shaped|none] [--seed N] [--force]`
 *
 * Renders an explicit ChainSpec (see docs/chainspec.md). The output has the input's length and
 * is sample-aligned with it; an empty chain is bit-exact.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "./main.js";
import { MastersmithError } from "../core/codes.js";
import { validateChainSpec } from "../core/chain/spec.js";
import { renderFile } from "../pipeline/render.js";
import { parseBitDepth, parseDither } from "./output-options.js";
import type { OutputFormat } from "../pipeline/outputs.js";

async function loadChain(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MastersmithError(code === "ENOENT" ? "E_NOT_FOUND" : "E_READ_FAILED", { file: path });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MastersmithError("E_INVALID_CHAIN", { file: path, detail: `not valid JSON: ${(e as Error).message}` });
  }
}

export const renderCommand: Command = {
  name: "render",
  summary: "Render a mix through an explicit chain (ChainSpec JSON): same length, sample-aligned, dithered where word length is lost.",
  usage: "mastersmith render IN -o OUT --chain chain.json [--format wav|flac|mp3|aac|opus] [--bit-depth 16|24|32f] [--bitrate KBPS] [--dither tpdf|shaped|none] [--seed N] [--force] [--json]",
  options: {
    output: { type: "string", short: "o" },
    chain: { type: "string" },
    format: { type: "string" },
    "bit-depth": { type: "string" },
    bitrate: { type: "string" },
    dither: { type: "string" },
    seed: { type: "string" },
    force: { type: "boolean" },
    json: { type: "boolean" },
  },
  async run(values, positionals, io) {
    if (positionals.length !== 1) throw new MastersmithError("E_BAD_ARGUMENT", { detail: "give exactly one input file" });
    const output = values.output as string | undefined;
    const chainPath = values.chain as string | undefined;
    if (!output) throw new MastersmithError("E_BAD_ARGUMENT", { detail: "-o OUT is required" });
    if (!chainPath) throw new MastersmithError("E_BAD_ARGUMENT", { detail: "--chain chain.json is required" });
    const dither = parseDither(values.dither);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
      throw new MastersmithError("E_BAD_ARGUMENT", { detail: "--seed must be a whole number from 0 to 4294967295" });
    }
    let spec;
    try {
      spec = validateChainSpec(await loadChain(chainPath));
    } catch (e) {
      throw e instanceof MastersmithError ? e.withFile(chainPath) : e;
    }
    const format = values.format as string | undefined;
    if (format !== undefined && !["wav", "flac", "mp3", "aac", "opus"].includes(format)) {
      throw new MastersmithError("E_BAD_ARGUMENT", { detail: `--format must be wav, flac, mp3, aac or opus (got ${format})` });
    }
    const bitrate = values.bitrate === undefined ? undefined : Number(values.bitrate);
    if (bitrate !== undefined && !(Number.isInteger(bitrate) && bitrate > 0)) throw new MastersmithError("E_BAD_ARGUMENT", { detail: "--bitrate must be a whole number of kbps" });
    const result = await renderFile(positionals[0], spec, {
      output, format: format as OutputFormat | undefined, bitDepth: parseBitDepth(values["bit-depth"]),
      dither, seed, bitrateKbps: bitrate, force: values.force === true,
    });
    if (values.json === true) io.stdout.write(JSON.stringify(result, null, 1) + "\n");
    else {
      const o = result.output;
      const depth = o.bitDepth === null ? `${o.bitrateKbps ?? ""} kbps` : o.bitDepth === "32f" ? "32-bit float" : `${o.bitDepth}-bit`;
      io.stdout.write(`${o.path}: ${o.format}, ${depth}, ${result.frames} frames, chain latency ${result.latencySamples} samples removed` +
        `${o.dither ? `, ${o.dither.shape} dither (seed ${o.dither.seed})` : ""}\n`);
    }
    return 0;
  },
};
