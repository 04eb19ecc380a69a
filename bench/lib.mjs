// Shared benchmark helpers: the fixtures (built from the dev corpus with Debian's ffmpeg) and
// wall-clock timing of whole processes, interleaved so both tools see the same machine load.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CACHE = join(ROOT, "bench", ".cache");
export const CORPUS = resolve(ROOT, "..", "shared", "corpus", "dev");
export const CLI = join(ROOT, "bin", "mastersmith.js");

/** The 44.1 kHz corpus excerpts, joined in this order to make long files. */
const JOIN_ORDER = ["dev01_traveling_minstrels", "dev02_chaos_god", "dev03_brainsukker",
  "dev05_city_blues", "dev06_nunc_dimittis", "dev07_weight_of_revenge_UNMASTERED"];

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r;
}

/**
 * A stereo 44.1 kHz WAV of `seconds` made by joining the corpus excerpts (looping them when
 * longer than the corpus), written once into bench/.cache.
 */
export function corpusWav(seconds, { bitDepth = 24, name } = {}) {
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, name ?? `corpus-${seconds}s-${bitDepth}bit.wav`);
  if (existsSync(out)) return out;
  const inputs = [];
  for (let total = 0; total < seconds; total += 45) inputs.push(JOIN_ORDER[(total / 45) % JOIN_ORDER.length]);
  const args = ["-v", "error", "-y"];
  for (const id of inputs) args.push("-i", join(CORPUS, `${id}.flac`));
  const filter = inputs.map((_, i) => `[${i}:a]`).join("") + `concat=n=${inputs.length}:v=0:a=1[out]`;
  const tmp = `${out}.partial.wav`;
  run("ffmpeg", [...args, "-filter_complex", filter, "-map", "[out]", "-t", String(seconds),
    "-c:a", bitDepth === 16 ? "pcm_s16le" : "pcm_s24le", tmp]);
  renameSync(tmp, out);
  return out;
}

/** Wall-clock seconds of one whole process (start-up included). */
export function timeProcess(cmd, args, options = {}) {
  const start = process.hrtime.bigint();
  const r = run(cmd, args, options);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, stdout: r.stdout, stderr: r.stderr };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs each named command `runs` times, interleaved (A B A B ...), and returns the median
 * seconds of each: same file, same run, same machine load.
 */
export function compare(commands, runs) {
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, [cmd, args, options]] of Object.entries(commands)) {
      times[name].push(timeProcess(cmd, args, options).seconds);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

export function ratioLine(label, ours, theirs, theirName) {
  const ratio = theirs / ours;
  return `${label}: mastersmith ${ours.toFixed(3)} s, ${theirName} ${theirs.toFixed(3)} s -> ` +
    `${ratio >= 1 ? `${ratio.toFixed(2)}x faster` : `${(1 / ratio).toFixed(2)}x SLOWER`}`;
}

/**
 * ffmpeg's loudnorm as people use it for files: a measuring pass, then a pass with the measured
 * values (linear mode) writing a 24-bit WAV. Returns the seconds of both passes together.
 */
export function ffmpegLoudnormTwoPass(file, outPath, { lufs = -14, truePeakDbtp = -1, lraLu = 11 } = {}) {
  const loudnorm = `loudnorm=I=${lufs}:TP=${truePeakDbtp}:LRA=${lraLu}`;
  const first = timeProcess("ffmpeg", ["-nostats", "-hide_banner", "-i", file, "-af", `${loudnorm}:print_format=json`, "-f", "null", "-"]);
  const m = JSON.parse(first.stderr.slice(first.stderr.lastIndexOf("{")));
  const second = timeProcess("ffmpeg", ["-y", "-nostats", "-hide_banner", "-i", file, "-af",
    `${loudnorm}:measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true`,
    "-ar", "44100", "-c:a", "pcm_s24le", outPath]);
  return first.seconds + second.seconds;
}
