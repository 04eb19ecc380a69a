// `mastersmith master` end to end (decode, analyze, plan, render, verify, write a 24-bit WAV) on a
// 4-minute stereo 44.1 kHz mix, against ffmpeg's loudnorm run in two passes as people use it
// (measure, then normalize with the measured values, linear), same file, same run. Peak RSS of
// our process from bin/mastersmith.js (MASTERSMITH_REPORT_RSS=1).
import { join } from "node:path";
import { CACHE, CLI, corpusWav, ratioLine, timeProcess, ffmpegLoudnormTwoPass } from "./lib.mjs";

export async function benchMaster({ runs = 3 } = {}) {
  const file = corpusWav(240);
  const out = join(CACHE, "master-out.wav");
  const ffmpegTwoPass = () => ffmpegLoudnormTwoPass(file, join(CACHE, "loudnorm-out.wav"));
  const ours = [];
  const theirs = [];
  let rss = "";
  let passes = "";
  for (let i = 0; i < runs; i++) {
    const r = timeProcess(process.execPath, [CLI, "master", file, "-o", out, "--bit-depth", "24", "--force", "--json"], { env: { ...process.env, MASTERSMITH_REPORT_RSS: "1" } });
    ours.push(r.seconds);
    rss = /peak RSS ([\d.]+ MB)/.exec(r.stderr)?.[1] ?? rss;
    try {
      const report = JSON.parse(r.stdout);
      passes = `${report.loudness.iterations.length} limiter passes, ${report.measurements.output.integratedLufs.toFixed(2)} LUFS, ${report.measurements.output.truePeakDbtp.toFixed(2)} dBTP`;
    } catch { /* reported below as missing */ }
    theirs.push(ffmpegTwoPass());
  }
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  return [
    ratioLine("master end to end (analyze, plan, render, verify, 24-bit WAV), 4 min 44.1 kHz (vs ffmpeg loudnorm, two passes)", med(ours), med(theirs), "ffmpeg loudnorm x2"),
    `  master: peak RSS ${rss || "?"}; ${passes || "no report"}`,
  ];
}
