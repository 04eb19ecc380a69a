// Benchmark (issue "I/O", memory): converting a three-hour 96 kHz stereo 24-bit file keeps the
// peak resident memory of the whole `mastersmith convert` process under 300 MB: memory is flat
// in track length (DESIGN.md, Streaming). The source (~6.2 GB, RF64 since it is over 4 GiB) is
// made once in bench/.cache and never in CI; the outputs are deleted after each run.
// Each conversion is timed against ffmpeg doing the same conversion, as a ratio.
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { CACHE, CLI, ratioLine, timeProcess } from "./lib.mjs";

const SECONDS = 3 * 3600;
const RATE_HZ = 96000;
const PEAK_RSS_LIMIT_MB = 300;

/**
 * A 3-hour 96 kHz stereo 24-bit WAV: independent pink noise per channel (so FLAC's stereo
 * decorrelation has real work) at about -30 dBFS plus a quiet 440 Hz tone, written once.
 */
export function bigWav() {
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, `noise-tone-${SECONDS}s-96k-24bit.wav`);
  if (existsSync(out)) return out;
  const tmp = `${out}.partial.wav`;
  const noise = (seed) => `anoisesrc=colour=pink:amplitude=0.05:sample_rate=${RATE_HZ}:duration=${SECONDS}:seed=${seed}`;
  const filter = `${noise(1)}[l];${noise(2)}[r];[l][r]amerge=inputs=2[n];` +
    `sine=frequency=440:sample_rate=${RATE_HZ}:duration=${SECONDS},volume=0.1,pan=stereo|c0=c0|c1=c0[t];` +
    "[n][t]amix=inputs=2:duration=shortest[out]";
  timeProcess("ffmpeg", ["-nostdin", "-v", "error", "-y", "-filter_complex", filter, "-map", "[out]",
    "-c:a", "pcm_s24le", "-rf64", "auto", "-f", "wav", tmp]);
  renameSync(tmp, out);
  return out;
}

function peakRssMb(stderr) {
  const m = /peak RSS (\d+(?:\.\d+)?) MB/.exec(stderr);
  return m === null ? NaN : Number(m[1]);
}

export function benchConvert() {
  const source = bigWav();
  const sourceGb = statSync(source).size / 1e9;
  const env = { ...process.env, MASTERSMITH_REPORT_RSS: "1" };
  const cases = [
    { label: "FLAC 24-bit", out: "convert-out.flac", ours: [], ffmpeg: ["-c:a", "flac", "-sample_fmt", "s32"] },
    // ffmpeg's own dither (triangular) for the same word-length reduction. Not the same work:
    // our WAV writer also meters the output (BS.1770 loudness and true peak) for the bext
    // loudness fields (Tech 3285 v2), which ffmpeg does not write: about 40% of our CPU time in a
    // profile of the 4-minute corpus file (dither ~18%, 16-bit packing ~10%).
    { label: "WAV 16-bit (dithered)", out: "convert-out16.wav", ours: ["--bit-depth", "16"], ffmpeg: ["-af", "aresample=dither_method=triangular", "-c:a", "pcm_s16le", "-rf64", "auto"] },
  ];
  const lines = [`convert, 3 h stereo 96 kHz 24-bit WAV (${sourceGb.toFixed(2)} GB), peak RSS limit ${PEAK_RSS_LIMIT_MB} MB:`];
  for (const c of cases) {
    const out = join(CACHE, c.out);
    const theirsOut = join(CACHE, `ffmpeg-${c.out}`);
    try {
      const ours = timeProcess(process.execPath, [CLI, "convert", source, "-o", out, "--force", ...c.ours], { env });
      const rssMb = peakRssMb(ours.stderr);
      const outGb = statSync(out).size / 1e9;
      rmSync(out, { force: true });
      const theirs = timeProcess("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", source, ...c.ffmpeg, theirsOut]);
      rmSync(theirsOut, { force: true });
      lines.push(`  ${ratioLine(c.label, ours.seconds, theirs.seconds, "ffmpeg")}`);
      lines.push(`    peak RSS ${rssMb} MB (${rssMb <= PEAK_RSS_LIMIT_MB ? "within" : "OVER"} ${PEAK_RSS_LIMIT_MB} MB), output ${outGb.toFixed(2)} GB`);
    } finally {
      rmSync(out, { force: true });
      rmSync(theirsOut, { force: true });
    }
  }
  return lines;
}
