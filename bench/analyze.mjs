// Benchmark: `mastersmith analyze --json` against ffmpeg's ebur128 meter (with true peak), on a
// 4-minute stereo 44.1 kHz 24-bit WAV made from the dev corpus, as whole processes.
import { CLI, compare, corpusWav, ratioLine, timeProcess } from "./lib.mjs";

export function benchAnalyze({ runs = 5 } = {}) {
  const file = corpusWav(240);
  const result = compare({
    mastersmith: [process.execPath, [CLI, "analyze", "--json", file]],
    ffmpeg: ["ffmpeg", ["-nostats", "-hide_banner", "-i", file, "-af", "ebur128=peak=true", "-f", "null", "-"]],
  }, runs);
  const rss = timeProcess(process.execPath, [CLI, "analyze", "--json", file], { env: { ...process.env, MASTERSMITH_REPORT_RSS: "1" } });
  const peakRssMb = /peak RSS (\d+(?:\.\d+)?) MB/.exec(rss.stderr)?.[1] ?? "?";
  return [
    ratioLine("analyze, 4 min stereo 44.1 kHz 24-bit WAV (vs ffmpeg -af ebur128=peak=true)", result.mastersmith, result.ffmpeg, "ffmpeg"),
    `  analyze peak RSS: ${peakRssMb} MB`,
  ];
}
