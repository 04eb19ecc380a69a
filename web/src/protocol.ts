/** Messages between the page and its two Workers (engine and live meter). Plain data only. */
import type { AnalysisReport } from "../../src/core/meter/analyzer.js";
import type { MasterIntent, MasterPlan } from "../../src/core/plan/types.js";
import type { AudioInfo } from "../../src/io/types.js";

export type Step = "decode" | "analyze" | "render" | "verify" | "encode" | "reference";

export type EngineRequest =
  | { type: "load"; name: string; bytes: ArrayBuffer }
  | { type: "reference"; name: string; bytes: ArrayBuffer }
  | { type: "clearReference" }
  | { type: "render"; generation: number; intent: MasterIntent }
  | { type: "export"; bitDepth: 16 | 24 };

/** Min/max envelope of the mix for the waveform: `columns` pairs, all channels together. */
export interface Peaks {
  readonly min: Float32Array;
  readonly max: Float32Array;
}

export interface MasterSummary {
  readonly integratedLufs: number | null;
  readonly truePeakDbtp: number | null;
  readonly lraLu: number;
  readonly plrDb: number | null;
  readonly sideToMidDb: number | null;
  readonly correlation: number | null;
  readonly midDb: (number | null)[];
  readonly sideDb: (number | null)[];
}

export type EngineReply =
  | { type: "progress"; step: Step; fraction: number }
  | { type: "error"; step: Step | "export"; code: string; message: string }
  | { type: "analysis"; name: string; info: AudioInfo; report: AnalysisReport; peaks: Peaks; mix: Float32Array[]; decodeMs: number; analyzeMs: number }
  | { type: "referenceReady"; name: string; integratedLufs: number | null }
  /** The loudest section, rendered first so playback can start; `startFrame` in the mix. */
  | { type: "previewPart"; generation: number; startFrame: number; channels: Float32Array[]; plan: MasterPlan; differenceLu: number }
  | { type: "preview"; generation: number; channels: Float32Array[]; plan: MasterPlan; driveDb: number; master: MasterSummary; renderMs: number }
  | { type: "exported"; bytes: ArrayBuffer; bitDepth: 16 | 24; plan: MasterPlan; master: MasterSummary };

export type MeterRequest =
  | { type: "buffers"; sampleRateHz: number; mix: Float32Array[] | null; master: Float32Array[] | null }
  | { type: "tick"; frame: number; side: "A" | "B"; playing: boolean };

export interface MeterReading {
  readonly type: "reading";
  readonly momentaryLufs: number | null;
  readonly shortTermLufs: number | null;
  /** Highest true peak over the last 1.5 s of playback, dBTP. */
  readonly truePeakDbtp: number | null;
  /** Pearson correlation of L and R over the last 400 ms. */
  readonly correlation: number | null;
}
