/** Canvas plots of the analysis: waveform, short-term loudness over time, 1/3-octave spectra. */
import type { Peaks } from "./protocol.js";

export const COLORS = { mix: "#f0a44b", master: "#46c8c0", grid: "#232833", text: "#8a93a3", playhead: "#ffffff", section: "rgba(70,200,192,0.10)" };

/** Sizes the canvas's backing store to its CSS box (device pixels) and returns a context in CSS pixels. */
function prepare(canvas: HTMLCanvasElement): { g: CanvasRenderingContext2D; w: number; h: number } {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600;
  const h = canvas.clientHeight || Number(canvas.getAttribute("height")) || 120;
  if (canvas.width !== Math.round(w * ratio)) canvas.width = Math.round(w * ratio);
  if (canvas.height !== Math.round(h * ratio)) canvas.height = Math.round(h * ratio);
  const g = canvas.getContext("2d")!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = "10px system-ui, sans-serif";
  return { g, w, h };
}

export function drawWaveform(canvas: HTMLCanvasElement, peaks: Peaks, durationS: number, section: [number, number] | null, playheadS: number | null): void {
  const { g, w, h } = prepare(canvas);
  const mid = h / 2;
  if (section && durationS > 0) {
    g.fillStyle = COLORS.section;
    g.fillRect((section[0] / durationS) * w, 0, ((section[1] - section[0]) / durationS) * w, h);
  }
  g.strokeStyle = COLORS.grid;
  g.beginPath(); g.moveTo(0, mid); g.lineTo(w, mid); g.stroke();
  g.fillStyle = COLORS.mix;
  const n = peaks.max.length;
  for (let x = 0; x < w; x++) {
    const i = Math.min(n - 1, Math.floor((x / w) * n));
    const top = mid - peaks.max[i] * (mid - 2);
    const bottom = mid - peaks.min[i] * (mid - 2);
    g.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
  if (playheadS !== null && durationS > 0) {
    g.fillStyle = COLORS.playhead;
    g.fillRect((playheadS / durationS) * w, 0, 1.5, h);
  }
}

function yGrid(g: CanvasRenderingContext2D, w: number, h: number, topDb: number, bottomDb: number, stepDb: number, unit: string): (db: number) => number {
  const y = (db: number): number => ((topDb - db) / (topDb - bottomDb)) * h;
  g.strokeStyle = COLORS.grid;
  g.fillStyle = COLORS.text;
  for (let db = Math.ceil(bottomDb / stepDb) * stepDb; db <= topDb; db += stepDb) {
    g.beginPath(); g.moveTo(0, y(db)); g.lineTo(w, y(db)); g.stroke();
    g.fillText(`${db} ${unit}`, 4, y(db) - 2);
  }
  return y;
}

export function drawLoudness(canvas: HTMLCanvasElement, shortTermLufs: readonly (number | null)[], hopS: number, targetLufs: number | null, playheadS: number | null): void {
  const { g, w, h } = prepare(canvas);
  const values = shortTermLufs.filter((v): v is number => v !== null);
  const peak = Math.max(targetLufs ?? -Infinity, ...maxOf(values));
  const top = Number.isFinite(peak) ? Math.ceil((peak + 3) / 6) * 6 : 0;
  const bottom = top - 36;
  const y = yGrid(g, w, h, top, bottom, 6, "LUFS");
  const durationS = shortTermLufs.length * hopS;
  g.strokeStyle = COLORS.mix;
  g.lineWidth = 1.5;
  g.beginPath();
  let pen = false;
  const n = shortTermLufs.length;
  for (let x = 0; x < w; x++) {
    const i = Math.min(n - 1, Math.floor((x / w) * n));
    const v = shortTermLufs[i];
    if (v === null || v === undefined) { pen = false; continue; }
    const yy = Math.max(0, Math.min(h, y(v)));
    if (pen) g.lineTo(x, yy); else g.moveTo(x, yy);
    pen = true;
  }
  g.stroke();
  g.lineWidth = 1;
  if (targetLufs !== null) {
    g.strokeStyle = COLORS.master;
    g.setLineDash([5, 4]);
    g.beginPath(); g.moveTo(0, y(targetLufs)); g.lineTo(w, y(targetLufs)); g.stroke();
    g.setLineDash([]);
    g.fillStyle = COLORS.master;
    g.fillText(`target ${targetLufs} LUFS (integrated)`, w - 150, y(targetLufs) - 3);
  }
  if (playheadS !== null && durationS > 0) {
    g.fillStyle = COLORS.playhead;
    g.fillRect((playheadS / durationS) * w, 0, 1.5, h);
  }
}

function maxOf(values: readonly number[]): number[] {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return Number.isFinite(m) ? [m] : [];
}

export interface SpectrumLine {
  readonly db: readonly (number | null)[];
  readonly color: string;
  readonly dashed: boolean;
}

export function drawSpectrum(canvas: HTMLCanvasElement, bandsHz: readonly number[], lines: readonly SpectrumLine[]): void {
  const { g, w, h } = prepare(canvas);
  const all = lines.flatMap((l) => l.db.filter((v): v is number => v !== null));
  const top = all.length === 0 ? 0 : Math.ceil((maxOf(all)[0] + 3) / 10) * 10;
  const bottom = top - 70;
  const y = yGrid(g, w, h - 14, top, bottom, 10, "dB");
  const lo = Math.log10(16);
  const hi = Math.log10(24000);
  const x = (hz: number): number => ((Math.log10(hz) - lo) / (hi - lo)) * w;
  g.fillStyle = COLORS.text;
  for (const hz of [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000]) {
    g.strokeStyle = COLORS.grid;
    g.beginPath(); g.moveTo(x(hz), 0); g.lineTo(x(hz), h - 14); g.stroke();
    g.fillText(hz >= 1000 ? `${hz / 1000}k` : `${hz}`, x(hz) - 8, h - 3);
  }
  for (const line of lines) {
    g.strokeStyle = line.color;
    g.lineWidth = 1.6;
    g.setLineDash(line.dashed ? [4, 3] : []);
    g.beginPath();
    let pen = false;
    bandsHz.forEach((hz, i) => {
      const v = line.db[i];
      if (v === null || v === undefined) { pen = false; return; }
      const yy = Math.max(0, Math.min(h - 14, y(v)));
      if (pen) g.lineTo(x(hz), yy); else g.moveTo(x(hz), yy);
      pen = true;
    });
    g.stroke();
  }
  g.setLineDash([]);
  g.lineWidth = 1;
}
