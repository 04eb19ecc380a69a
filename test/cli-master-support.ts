/** Helpers shared by the `mastersmith master` CLI tests: the built command, ffmpeg's meter, a small process pool. */
import { spawn, spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { openAudioFile } from "../src/io/open.js";
import { renderChainOffline } from "../src/core/chain/offline.js";
import { biquadResponse, crossoverBandResponse, designCrossover } from "../src/core/design/crossover.js";
import { designBands, designButterworth, type EqBand } from "../src/core/design/eq-design.js";
import { RealFft } from "../src/core/design/fft.js";

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

type Complex = [number, number];
const cmul = (a: Complex, b: Complex): Complex => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];

/**
 * The phase a planned chain is designed to have at `freqHz` for identical left and right
 * (side = 0) at a level below every threshold: the product of its minimum-phase and all-pass
 * parts (highpass, minimum-phase EQ, the crossover sums of the imager and the multiband
 * compressor). Gain, compressors, limiter, clipper and linear-phase stages are zero-phase once
 * the renderer removed their latency, so they contribute nothing here.
 */
export function designedResponse(stages: readonly Record<string, unknown>[], freqHz: number, rateHz: number): Complex {
  let h: Complex = [1, 0];
  const sections = (cs: readonly { b0: number; b1: number; b2: number; a1: number; a2: number }[]): void => {
    for (const c of cs) h = cmul(h, biquadResponse(c, freqHz, rateHz));
  };
  for (const s of stages) {
    if (s.type === "highpass") sections(designButterworth("highPass", s.cutoffHz as number, (s.order as number | undefined) ?? 2, rateHz));
    else if (s.type === "eq" && s.phase !== "linear") sections(designBands(s.bands as EqBand[], rateHz));
    else if (s.type === "imager" || s.type === "multibandCompressor") {
      const design = designCrossover(s.crossoversHz as number[], rateHz);
      const sum: Complex = [0, 0];
      for (let b = 0; b <= design.splits.length; b++) {
        const r = crossoverBandResponse(design, b, freqHz);
        sum[0] += r[0]; sum[1] += r[1];
      }
      h = cmul(h, sum);
    } else if (!["gain", "compressor", "limiter", "clipper", "saturator", "matchEq"].includes(s.type as string) && !(s.type === "eq" && s.phase === "linear")) {
      throw new Error(`designedResponse: no phase model for stage ${String(s.type)}`);
    }
  }
  return h;
}

/**
 * Click test of a chain's latency removal: one click (identical in both channels, `levelDbfs`,
 * below every threshold) rendered offline through `chain`; the measured transfer function
 * Y/X divided by the designed one (designedResponse) leaves only what the design does not explain.
 * Its phase slope over 1-16 kHz (least squares, through 0) is a residual delay in samples: a latency
 * the renderer failed to remove shows as a whole number of samples; a correct chain gives ~0.
 * Also returns the largest magnitude residual (dB) over that band (a sanity check of the model).
 */
export function clickResidual(chain: { stages: readonly Record<string, unknown>[] }, rateHz: number, levelDbfs = -60): { delaySamples: number; magnitudeDb: number } {
  const n = 1 << 15, at = 4096;
  const amp = Math.pow(10, levelDbfs / 20);
  const x = [new Float32Array(n), new Float32Array(n)];
  x[0][at] = amp; x[1][at] = amp;
  const y = renderChainOffline(chain, x, rateHz);
  const fft = new RealFft(n);
  const buf = new Float64Array(n);
  for (let i = 0; i < n; i++) buf[i] = y[0][i];
  fft.forward(buf);
  const drive = chain.stages.filter((s) => s.type === "gain").reduce((g, s) => g + (s.gainDb as number), 0);
  const gain = Math.pow(10, drive / 20);
  let num = 0, den = 0, magDb = 0;
  for (let k = 1; k < n / 2; k++) {
    const f = (k * rateHz) / n;
    if (f < 1000 || f > Math.min(16000, 0.45 * rateHz)) continue;
    // X = amp·e^{-jωat}; H = Y/X.
    const w = (2 * Math.PI * k * at) / n;
    const yk: Complex = [buf[2 * k], buf[2 * k + 1]];
    const hk = cmul(yk, [Math.cos(w) / (amp * gain), Math.sin(w) / (amp * gain)]);
    const d = designedResponse(chain.stages, f, rateHz);
    const dd = d[0] * d[0] + d[1] * d[1];
    const r = cmul(hk, [d[0] / dd, -d[1] / dd]);
    const phase = Math.atan2(r[1], r[0]);
    const omega = (2 * Math.PI * f) / rateHz;
    // phase = −ω·D: least squares through the origin.
    num += -phase * omega; den += omega * omega;
    magDb = Math.max(magDb, Math.abs(10 * Math.log10(r[0] * r[0] + r[1] * r[1])));
  }
  return { delaySamples: num / den, magnitudeDb: magDb };
}

/** Restrained measure: analysis frame (0.74 s at 44.1 kHz: 1.3 Hz bins, so a 10 Hz high-pass is resolved) and the gain segment (issue: gain changes slower than 50 ms are forgiven). */
const RM_FRAME = 1 << 15;
const RM_SEGMENT_MS = 50;

/**
 * How much a master alters its mix beyond a global EQ and slow gain changes (the issue's
 * "restrained" measure), in dB relative to the output's energy; lower is more restrained.
 *   1. align: the integer lag that best aligns the output with the mix (bestLag, ±256 samples);
 *   2. global EQ, on mid and side separately (a stereo width per band is a time-invariant EQ of
 *      the side): per bin, the complex ratio Σ Y·X* / Σ |X|² over every frame of the file (Hann,
 *      2^15 points, hop 1/4), smoothed to 1/6 octave (numerator and denominator summed over
 *      ±1/12 octave), turned into an FIR (±2^13 taps, tapered) and applied to the mix by exact
 *      linear convolution (overlap-add);
 *   3. slow gain: per 50 ms segment the least-squares scalar gain of the output on the EQ'd mix,
 *      interpolated linearly between segment centres;
 * and reports 10·log10(Σ residual² / Σ output²): what remains is distortion and fast gain
 * modulation (limiting, clipping, fast compression).
 */
export function restrainedResidualDb(mix: readonly Float32Array[], master: readonly Float32Array[], rateHz: number): number {
  const channels = Math.min(mix.length, master.length);
  const mid = Math.floor(mix[0].length / 2), span = Math.min(mid, 2 * rateHz);
  const lag = bestLag(mix[0].subarray(mid - span / 2, mid + span / 2), master[0].subarray(mid - span / 2, mid + span / 2), 256);
  const frames = mix[0].length;
  let y: Float64Array[] = master.slice(0, channels).map((ch) => {
    const out = new Float64Array(frames);
    for (let i = 0; i < frames; i++) { const j = i + lag; out[i] = j >= 0 && j < ch.length ? ch[j] : 0; }
    return out;
  });
  let x: Float64Array[] = mix.slice(0, channels).map((ch) => Float64Array.from(ch));
  if (channels === 2) {
    const ms = (p: Float64Array[]): Float64Array[] => [p[0].map((l, i) => 0.5 * (l + p[1][i])), p[0].map((l, i) => 0.5 * (l - p[1][i]))];
    x = ms(x); y = ms(y);
  }
  const n = RM_FRAME, bins = n / 2 + 1, hop = n / 4, half = n / 2, taps = n / 4;
  const fft = new RealFft(n);
  const window = new Float64Array(n);
  for (let i = 0; i < n; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  const bx = new Float64Array(n), by = new Float64Array(n), h = new Float64Array(n);
  const get = (p: Float64Array, k: number): [number, number] => (k === 0 ? [p[0], 0] : k === n / 2 ? [p[1], 0] : [p[2 * k], p[2 * k + 1]]);
  const put = (p: Float64Array, k: number, re: number, im: number): void => {
    if (k === 0) p[0] = re; else if (k === n / 2) p[1] = re; else { p[2 * k] = re; p[2 * k + 1] = im; }
  };
  const eq = x.map(() => new Float64Array(frames));
  for (let c = 0; c < channels; c++) {
    const numRe = new Float64Array(bins), numIm = new Float64Array(bins), den = new Float64Array(bins);
    for (let s = -n + hop; s < frames; s += hop) {
      for (let i = 0; i < n; i++) {
        const j = s + i, inside = j >= 0 && j < frames;
        bx[i] = inside ? x[c][j] * window[i] : 0; by[i] = inside ? y[c][j] * window[i] : 0;
      }
      fft.forward(bx); fft.forward(by);
      for (let k = 0; k < bins; k++) {
        const [xr, xi] = get(bx, k), [yr, yi] = get(by, k);
        numRe[k] += yr * xr + yi * xi; numIm[k] += yi * xr - yr * xi; den[k] += xr * xr + xi * xi;
      }
    }
    // 1/6-octave smoothing (plain means over ±1/12 octave: a power weighting would pull each bin's phase to that of the loudest partial nearby): of the
    // magnitude and of the unwrapped phase separately, so the phase rotation of crossovers and
    // shelves (a whole turn within two octaves) is followed instead of averaged away.
    const mag = new Float64Array(bins), phase = new Float64Array(bins);
    let previous = 0;
    for (let k = 0; k < bins; k++) {
      mag[k] = den[k] > 0 ? Math.hypot(numRe[k], numIm[k]) / den[k] : 0;
      let p = Math.atan2(numIm[k], numRe[k]);
      p += 2 * Math.PI * Math.round((previous - p) / (2 * Math.PI));
      phase[k] = previous = p;
    }
    const cum = (v: Float64Array, w: Float64Array | null): Float64Array => { const o = new Float64Array(bins + 1); for (let k = 0; k < bins; k++) o[k + 1] = o[k] + v[k] * (w === null ? 1 : w[k]); return o; };
    const cMag = cum(mag, null), cPhase = cum(phase, null);
    const edge = Math.pow(2, 1 / 12);
    for (let k = 0; k < bins; k++) {
      const lo = Math.max(0, Math.floor(k / edge)), hi = Math.min(bins - 1, Math.ceil(k * edge));
      const d = hi + 1 - lo;
      const m = (cMag[hi + 1] - cMag[lo]) / d, p = (cPhase[hi + 1] - cPhase[lo]) / d;
      put(h, k, m * Math.cos(p), k === n / 2 ? 0 : m * Math.sin(p));
    }
    fft.inverse(h);
    for (let i = 0; i < n; i++) {
      const t = Math.abs(i <= n / 2 ? i : i - n);
      h[i] *= t >= taps ? 0 : t <= taps / 2 ? 1 : 0.5 + 0.5 * Math.cos((Math.PI * (t - taps / 2)) / (taps / 2));
    }
    fft.forward(h);
    // Overlap-add: blocks of n/2 zero-padded to n; taps span [-n/4, n/4], so nothing wraps.
    for (let b = 0; b < frames; b += half) {
      for (let i = 0; i < n; i++) bx[i] = i < half && b + i < frames ? x[c][b + i] : 0;
      fft.forward(bx);
      for (let k = 0; k < bins; k++) {
        const [xr, xi] = get(bx, k), [hr, hi] = get(h, k);
        put(bx, k, xr * hr - xi * hi, xr * hi + xi * hr);
      }
      fft.inverse(bx);
      for (let i = 0; i < n; i++) {
        const j = i < n - taps ? b + i : b + i - n;
        if (j >= 0 && j < frames) eq[c][j] += bx[i];
      }
    }
  }
  // Slow gain: least squares per 50 ms segment, linear between segment centres.
  const seg = Math.round((RM_SEGMENT_MS / 1000) * rateHz);
  const count = Math.ceil(frames / seg);
  const gains = new Float64Array(count);
  for (let g = 0; g < count; g++) {
    let sxy = 0, sxx = 0;
    for (let c = 0; c < channels; c++) for (let i = g * seg; i < Math.min(frames, (g + 1) * seg); i++) { sxy += eq[c][i] * y[c][i]; sxx += eq[c][i] * eq[c][i]; }
    gains[g] = sxx > 0 ? sxy / sxx : 0;
  }
  let res = 0, out = 0;
  for (let i = 0; i < frames; i++) {
    const t = (i - seg / 2) / seg;
    const g0 = Math.max(0, Math.min(count - 1, Math.floor(t))), g1 = Math.min(count - 1, g0 + 1);
    const f = Math.max(0, Math.min(1, t - g0));
    const gain = gains[g0] + (gains[g1] - gains[g0]) * f;
    for (let c = 0; c < channels; c++) { const r = y[c][i] - gain * eq[c][i]; res += r * r; out += y[c][i] * y[c][i]; }
  }
  return 10 * Math.log10(res / out);
}

/** ffmpeg's loudnorm, two-pass, dynamic mode (linear=false, as people use it), resampled back to the input's rate. */
export function loudnormTwoPass(input: string, output: string, lufs: number, ceilingDbtp: number, lraLu: number, rateHz: number): void {
  const base = `I=${lufs}:TP=${ceilingDbtp}:LRA=${lraLu}`;
  const first = run("ffmpeg", ["-hide_banner", "-nostats", "-i", input, "-af", `loudnorm=${base}:print_format=json`, "-f", "null", "-"]);
  const m = JSON.parse(first.stderr.slice(first.stderr.lastIndexOf("{"), first.stderr.lastIndexOf("}") + 1));
  const af = `loudnorm=${base}:measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=false`;
  const second = run("ffmpeg", ["-v", "error", "-y", "-i", input, "-af", af, "-ar", String(rateHz), "-c:a", "pcm_f32le", output]);
  if (second.status !== 0) throw new Error(second.stderr);
}
