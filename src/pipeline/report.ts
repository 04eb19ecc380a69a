/**
 * The master's report: the JSON document (`--json`, `--report`, the API) and the short summary
 * a terminal shows. The JSON is the MasterResult with a schema tag; silence is null, never NaN.
 */
import type { MasterResult } from "./master.js";

export const MASTER_REPORT_SCHEMA = "mastersmith-master-report/1";

export interface MasterReportJson extends MasterResult {
  readonly schema: typeof MASTER_REPORT_SCHEMA;
}

/** The report document of one master (non-finite numbers become null in JSON.stringify's replacer of the caller). */
export function masterReportJson(result: MasterResult): MasterReportJson {
  return { schema: MASTER_REPORT_SCHEMA, ...result };
}

const f = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(digits));

/** A few lines for a terminal. */
export function formatReport(r: MasterResult): string {
  const i = r.measurements.input;
  const o = r.measurements.output;
  const gr = r.limiter.gainReduction;
  const lines = [
    `${r.input}: ${r.target.name} target ${r.target.integratedLufs} LUFS / ${r.target.ceilingDbtp} dBTP, style ${r.plan.style.name}`,
    `  mix         ${f(i.integratedLufs)} LUFS, LRA ${f(i.lraLu)} LU, true peak ${f(i.truePeakDbtp)} dBTP, PLR ${f(i.plrDb)} dB`,
    `  master      ${f(o.integratedLufs, 2)} LUFS, LRA ${f(o.lraLu)} LU, true peak ${f(o.truePeakDbtp, 2)} dBTP, PLR ${f(o.plrDb)} dB`,
    `  limiter     drive ${f(r.loudness.driveDb, 2)} dB (${r.loudness.iterations.length} passes), gain reduction mean ${f(gr.meanGrDb, 2)} / max ${f(gr.maxGrDb, 2)} dB, error ${f(r.limiter.errorDb)} dB`,
  ];
  for (const d of r.plan.decisions) lines.push(`  ${d.area.padEnd(11)} ${d.what}: ${d.why}`);
  for (const out of r.outputs) {
    const cs = out.codecSafe ? `, codec-safe: decoded ${f(out.codecSafe.decodedTruePeakDbtp, 2)} dBTP (limiter ceiling ${f(out.codecSafe.limiterCeilingDbtp, 2)})` : "";
    lines.push(`  -> ${out.path} (${out.format}${out.bitDepth !== null ? ` ${out.bitDepth}` : ""}${out.dither ? `, dither seed ${out.dither.seed}` : ""}${cs})`);
  }
  for (const w of r.warnings) lines.push(`  warning ${w.code}: ${w.message}`);
  return lines.join("\n") + "\n";
}
