/** Helpers shared by the `mastersmith master` CLI tests: the built command, ffmpeg's meter, a small process pool. */
import { spawn, spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { openAudioFile } from "../src/io/open.js";

export const ROOT = resolve(import.meta.dirname, "..");
export const CLI = join(ROOT, "bin", "mastersmith.js");
export const CORPUS = resolve(ROOT, "..", "shared", "corpus", "dev");

export interface Run { status: number | null; stdout: string; stderr: string }

export function run(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 300_000, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const cli = (...args: string[]): Run => run(process.execPath, [CLI, ...args]);

/** Runs a process asynchronously (for the pool). */
export function runAsync(cmd: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

/** Runs `jobs` at most `width` at a time; results in order. */
export async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** ffmpeg's BS.1770 meter (independent of ours): integrated loudness, true peak (0.1 dB resolution) and LRA. */
export function ffmpegMeter(path: string): { integratedLufs: number; truePeakDbtp: number; lraLu: number } {
  const r = run("ffmpeg", ["-nostats", "-hide_banner", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-"]);
  const summary = r.stderr.slice(r.stderr.lastIndexOf("Summary:"));
  return {
    integratedLufs: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]),
    truePeakDbtp: Number(/Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)![1]),
    lraLu: Number(/LRA:\s+(-?[\d.]+) LU/.exec(summary)![1]),
  };
}

/** Cuts `seconds` of a corpus track (from `startS`) into a 24-bit WAV. */
export function excerpt(track: string, out: string, startS: number, seconds: number): void {
  const r = run("ffmpeg", ["-v", "error", "-ss", String(startS), "-i", join(CORPUS, track), "-t", String(seconds), "-c:a", "pcm_s24le", "-y", out]);
  if (r.status !== 0) throw new Error(r.stderr);
}

export async function readAll(path: string): Promise<Float32Array[]> {
  const reader = await openAudioFile(path);
  const parts: Float32Array[][] = [];
  for await (const block of reader.blocks(65536)) parts.push(block.map((ch) => ch.slice()));
  await reader.close();
  const frames = parts.reduce((n, p) => n + p[0].length, 0);
  return Array.from({ length: reader.info.channels }, (_, c) => {
    const out = new Float32Array(frames);
    let at = 0;
    for (const p of parts) { out.set(p[c], at); at += p[c].length; }
    return out;
  });
}

/**
 * The lag (in samples, within ±maxLag) that best aligns b with a, by cross-correlation of the
 * first differences of channel 0: differencing weights the spectrum by frequency, so the
 * low-frequency phase rotation of crossovers and shelves (a group delay, not a shift) does not
 * pull the peak away from the true alignment.
 */
export function bestLag(a: Float32Array, b: Float32Array, maxLag: number): number {
  let best = 0;
  let bestValue = -Infinity;
  const n = Math.min(a.length, b.length);
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let s = 0;
    for (let i = Math.max(1, 1 - lag); i < n - Math.max(0, lag); i++) s += (a[i] - a[i - 1]) * (b[i + lag] - b[i + lag - 1]);
    if (s > bestValue) { bestValue = s; best = lag; }
  }
  return best;
}
