/**
 * Live meters while playing, in a Worker, on the very buffers being played: the core
 * LoudnessMeter (momentary 400 ms and short-term 3 s, BS.1770-4 / EBU Tech 3341 §2.2) and the
 * core TruePeakMeter (BS.1770-4 Annex 2), fed the frames the playhead has passed since the last
 * tick. A seek, an A/B switch or a gap over 1 s resets the meters and primes them with the 3 s
 * before the playhead, so the short-term value is right at once. Levels are the signal's own
 * (before the page's loudness-matching gain). Correlation: Pearson's r of L and R over the last
 * 400 ms (the momentary window, as correlation meters commonly integrate).
 */
import { LoudnessMeter } from "../../src/core/meter/loudness.js";
import { TruePeakMeter } from "../../src/core/meter/true-peak.js";
import type { MeterReading, MeterRequest } from "./protocol.js";

const PEAK_HOLD_S = 1.5;
const CORRELATION_S = 0.4;
const PRIME_S = 3;
const MAX_GAP_S = 1;

let rate = 48000;
let buffers: { A: Float32Array[] | null; B: Float32Array[] | null } = { A: null, B: null };
let loudness: LoudnessMeter | null = null;
let peak: TruePeakMeter | null = null;
let previousPeakDbtp = -Infinity;
let peakWindowFrames = 0;
let lastFrame = -1;
let lastSide: "A" | "B" = "A";

const finite = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);

function correlation(channels: Float32Array[], end: number): number | null {
  if (channels.length < 2) return null;
  const start = Math.max(0, end - Math.round(CORRELATION_S * rate));
  const l = channels[0];
  const r = channels[1];
  let sl = 0, sr = 0, sll = 0, srr = 0, slr = 0;
  for (let n = start; n < end; n++) {
    const a = l[n];
    const b = r[n];
    sl += a; sr += b; sll += a * a; srr += b * b; slr += a * b;
  }
  const count = end - start;
  if (count === 0) return null;
  const vl = sll - (sl * sl) / count;
  const vr = srr - (sr * sr) / count;
  if (!(vl > 1e-9 && vr > 1e-9)) return null;
  return Math.max(-1, Math.min(1, (slr - (sl * sr) / count) / Math.sqrt(vl * vr)));
}

function feed(channels: Float32Array[], from: number, to: number): void {
  if (!loudness || !peak || to <= from) return;
  const view = channels.map((ch) => ch.subarray(from, to));
  loudness.add(view, to - from);
  peak.add(view, to - from);
  peakWindowFrames += to - from;
  if (peakWindowFrames > PEAK_HOLD_S * rate) {
    previousPeakDbtp = peak.truePeakDbtp();
    peak.reset();
    peakWindowFrames = 0;
  }
}

self.onmessage = (event: MessageEvent<MeterRequest>): void => {
  const m = event.data;
  if (m.type === "buffers") {
    rate = m.sampleRateHz;
    buffers = { A: m.mix ?? buffers.A, B: m.master };
    const channels = (m.mix ?? m.master)?.length ?? 2;
    loudness = new LoudnessMeter({ sampleRateHz: rate, channels });
    peak = new TruePeakMeter({ sampleRateHz: rate, channels });
    lastFrame = -1;
    return;
  }
  const channels = buffers[m.side] ?? buffers.A;
  if (!channels || !loudness || !peak) return;
  const frame = Math.max(0, Math.min(channels[0].length, Math.round(m.frame)));
  if (m.side !== lastSide || lastFrame < 0 || frame < lastFrame || frame - lastFrame > MAX_GAP_S * rate) {
    loudness.reset();
    peak.reset();
    previousPeakDbtp = -Infinity;
    peakWindowFrames = 0;
    lastFrame = Math.max(0, frame - Math.round(PRIME_S * rate));
    lastSide = m.side;
  }
  feed(channels, lastFrame, frame);
  lastFrame = frame;
  const reading: MeterReading = {
    type: "reading",
    momentaryLufs: finite(loudness.momentaryLufs()),
    shortTermLufs: finite(loudness.shortTermLufs()),
    truePeakDbtp: finite(Math.max(previousPeakDbtp, peak.truePeakDbtp())),
    correlation: (() => { const c = correlation(channels, frame); return c === null ? null : Math.round(c * 100) / 100; })(),
  };
  self.postMessage(reading);
};
