/**
 * `mastersmith convert IN -o OUT [--format wav|flac|mp3|aac|opus] [--bit-depth 16|24|32f]
 *  [--sample-rate HZ] [--dither tpdf|shaped|none] [--seed N] [--bitrate KBPS] [--tag key=value]...
 *  [--force] [--json]`
 */
import { MastersmithError } from "../core/codes.js";
import { parseTagArgs } from "../io/tags.js";
import { convert, type ConvertReport } from "../pipeline/convert.js";
import type { OutputFormat } from "../pipeline/outputs.js";
import type { Command, CommandIo } from "./main.js";
import { parseBitDepth, parseDither } from "./output-options.js";

const FORMATS: readonly OutputFormat[] = ["wav", "flac", "mp3", "aac", "opus"];

function usageError(detail: string): MastersmithError {
  return new MastersmithError("E_BAD_ARGUMENT", { detail });
}

function integer(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw usageError(`--${name} '${String(value)}' is not a positive integer`);
  return n;
}

function summarize(r: ConvertReport): string {
  const o = r.output;
  const what = o.bitDepth !== null ? `${o.bitDepth === "32f" ? "32-bit float" : `${o.bitDepth}-bit`}`
    : `${o.bitrateMode === "vbr" && o.format === "mp3" ? "VBR V0" : `${o.bitrateKbps} kbps ${o.bitrateMode?.toUpperCase()}`}`;
  const lines = [
    `${r.input} -> ${o.path}`,
    `  output      ${o.format} ${what}, ${o.sampleRateHz} Hz, ${o.channels} ch, ${o.frames} frames (${o.encoder})`,
    `  dither      ${o.dither ? `${o.dither.shape} to ${o.dither.bitDepth} bits, seed ${o.dither.seed}` : "none"} (${r.ditherReason})`,
  ];
  const l = o.bextLoudness;
  if (l) {
    const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "-inf");
    lines.push(`  bext        integrated ${f(l.integratedLufs)} LUFS, range ${f(l.loudnessRangeLu)} LU, true peak ${f(l.maxTruePeakDbtp)} dBTP`);
  }
  return lines.join("\n") + "\n";
}

export const convertCommand: Command = {
  name: "convert",
  summary: "Convert an audio file to WAV, FLAC, MP3, AAC (M4A) or Opus with tags; gapless and sample-aligned, dithered only where precision is lost.",
  usage: "mastersmith convert IN -o OUT [options]\n" +
    "  -o, --output FILE       output file; the format comes from its extension (.wav .flac .mp3 .m4a .opus)\n" +
    "  --format F              wav, flac, mp3, aac or opus (overrides the extension)\n" +
    "  --bit-depth D           16, 24 or 32f (WAV), 16 or 24 (FLAC); default: the source's\n" +
    "  --sample-rate HZ        output sample rate (polyphase sinc resampler: no time shift, length round(N*out/in))\n" +
    "  --dither D              tpdf (default), shaped or none; applied only where precision is lost\n" +
    "  --seed N                dither seed (default 1), recorded in the output's tags\n" +
    "  --bitrate KBPS          MP3: CBR rate (default VBR V0); AAC: default 256; Opus: default 160\n" +
    "  --tag KEY=VALUE         title, artist, album, albumartist, track, year, genre, isrc, comment, cover (image path); repeatable\n" +
    "  --force                 overwrite an existing output file\n" +
    "  --json                  print the report as JSON",
  options: {
    output: { type: "string", short: "o" },
    format: { type: "string" },
    "bit-depth": { type: "string" },
    "sample-rate": { type: "string" },
    dither: { type: "string" },
    seed: { type: "string" },
    bitrate: { type: "string" },
    tag: { type: "string", multiple: true },
    force: { type: "boolean" },
    json: { type: "boolean" },
  },
  async run(values, positionals, io: CommandIo): Promise<number> {
    if (positionals.length !== 1) throw usageError("give exactly one input file");
    const output = values.output;
    if (typeof output !== "string" || output === "") throw usageError("give the output file with -o OUT");
    const format = values.format as string | undefined;
    if (format !== undefined && !FORMATS.includes(format as OutputFormat)) throw usageError(`--format '${format}' (one of ${FORMATS.join(", ")})`);
    const bitDepth = parseBitDepth(values["bit-depth"]);
    const dither = parseDither(values.dither);
    const seedArg = values.seed as string | undefined;
    let seed: number | undefined;
    if (seedArg !== undefined) {
      seed = Number(seedArg);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw usageError(`--seed '${seedArg}' (0 to 4294967295)`);
    }
    const report = await convert(positionals[0], output, {
      format: format as OutputFormat | undefined,
      bitDepth,
      sampleRateHz: integer("sample-rate", values["sample-rate"]),
      dither,
      seed,
      bitrateKbps: integer("bitrate", values.bitrate),
      tags: parseTagArgs((values.tag as string[] | undefined) ?? []),
      force: values.force === true,
    });
    if (values.json === true) io.stdout.write(JSON.stringify(report, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1) + "\n");
    else io.stdout.write(summarize(report));
    return 0;
  },
};
