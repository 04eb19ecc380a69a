/**
 * `mastersmith analyze FILE... [--json] [--series]`
 *
 * Without --json: a readable summary per file. With --json: one JSON array on stdout, one object
 * per file (a failed file as `{ file, error: { code, message } }`). Exit status 0 when every file
 * was analyzed, 1 otherwise: the other files are still reported.
 */
import type { Command, CommandIo } from "./main.js";
import { analyzeFileSafe, type FileAnalysis, type FileFailure } from "../pipeline/analyze.js";
import { MastersmithError } from "../core/codes.js";

function fmt(value: number | null, digits = 1, unit = ""): string {
  if (value === null) return "-inf" + (unit ? ` ${unit}` : "");
  return value.toFixed(digits) + (unit ? ` ${unit}` : "");
}

/** The readable summary a mastering engineer scans: loudness first, then the notes. */
export function summarize(result: FileAnalysis): string {
  const { format: f, loudness: l, stereo: s, diagnostics } = result;
  const lines = [
    `${result.file}`,
    `  format      ${f.container} ${f.codec}, ${f.sampleRate} Hz, ${f.channels} ch, ${f.bitDepth}-bit ${f.sampleFormat}, ${f.durationS.toFixed(2)} s`,
    `  loudness    integrated ${fmt(l.integratedLufs, 1, "LUFS")}, range ${fmt(l.lraLu, 1, "LU")}, ` +
      `max momentary ${fmt(l.maxMomentaryLufs, 1, "LUFS")}, max short-term ${fmt(l.maxShortTermLufs, 1, "LUFS")}`,
    `  peaks       true peak ${fmt(l.truePeakDbtp, 2, "dBTP")}, sample peak ${fmt(l.samplePeakDbfs, 2, "dBFS")}, PLR ${fmt(l.plrDb, 1, "dB")}`,
  ];
  if (s.correlation !== null) {
    lines.push(`  stereo      correlation ${s.correlation.toFixed(2)}, side/mid ${fmt(s.sideToMidDb, 1, "dB")}`);
  }
  if (diagnostics.length === 0) lines.push("  notes       none");
  for (const d of diagnostics) lines.push(`  note        ${d.code}: ${d.message}`);
  return lines.join("\n") + "\n";
}

export const analyzeCommand: Command = {
  name: "analyze",
  summary: "Measure loudness (BS.1770-4: integrated, momentary, short-term, LRA), true peak, PLR, stereo image, spectrum and mix problems.",
  usage: "mastersmith analyze FILE... [--json] [--series]\n" +
    "  --json     print one JSON array, one object per file\n" +
    "  --series   include momentary and short-term loudness over time (10 ms hop) in the JSON",
  options: {
    json: { type: "boolean" },
    series: { type: "boolean" },
  },
  async run(values, files, io: CommandIo): Promise<number> {
    if (files.length === 0) throw new MastersmithError("E_BAD_ARGUMENT", { detail: "give at least one FILE to analyze" });
    const json = values.json === true;
    const results: (FileAnalysis | FileFailure)[] = [];
    for (const file of files) {
      const result = await analyzeFileSafe(file, { series: values.series === true });
      results.push(result);
      if (!json) {
        if ("error" in result) io.stderr.write(`mastersmith analyze: error ${result.error.code}: ${result.error.message}\n`);
        else io.stdout.write(summarize(result));
      }
    }
    if (json) io.stdout.write(JSON.stringify(results, null, 1) + "\n");
    return results.every((r) => !("error" in r)) ? 0 : 1;
  },
};
