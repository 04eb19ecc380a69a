/**
 * Analysis of one file: the reader's blocks feed the core analyzer in one streaming pass, so
 * memory stays flat whatever the length of the file.
 */
import { Analyzer, type AnalysisReport } from "../core/meter/analyzer.js";
import { MastersmithError, isMastersmithError } from "../core/codes.js";
import { openAudioFile } from "../io/open.js";
import type { AudioInfo } from "../io/types.js";

/** Frames per block read from disk: large blocks amortize the per-block costs of every meter. */
const ANALYSIS_BLOCK_FRAMES = 16384;

export interface FormatReport {
  container: AudioInfo["container"];
  codec: string;
  sampleRate: number;
  channels: number;
  bitDepth: number;
  sampleFormat: AudioInfo["sampleFormat"];
  frames: number;
  durationS: number;
  channelMask?: number;
}

export interface FileAnalysis extends AnalysisReport {
  file: string;
  format: FormatReport;
}

export interface FileFailure {
  file: string;
  error: { code: string; message: string };
}

export interface AnalyzeOptions {
  /** Keep the momentary and short-term loudness series (for plots and `--series`). */
  readonly series?: boolean;
}

export function formatReport(info: AudioInfo, frames: number): FormatReport {
  const report: FormatReport = {
    container: info.container,
    codec: info.codec,
    sampleRate: info.sampleRateHz,
    channels: info.channels,
    bitDepth: info.bitDepth,
    sampleFormat: info.sampleFormat,
    frames,
    durationS: frames / info.sampleRateHz,
  };
  if (info.channelMask !== undefined) report.channelMask = info.channelMask;
  return report;
}

/** Analyzes one file; throws a MastersmithError naming the file when it cannot. */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<FileAnalysis> {
  const reader = await openAudioFile(path);
  try {
    const { info } = reader;
    const analyzer = new Analyzer({
      sampleRateHz: info.sampleRateHz,
      channels: info.channels,
      channelMask: info.channelMask,
      series: options.series ?? false,
      sourceBitDepth: info.sampleFormat === "int" ? info.bitDepth : undefined,
    });
    let frames = 0;
    for await (const block of reader.blocks(ANALYSIS_BLOCK_FRAMES)) {
      const n = block[0].length;
      analyzer.add(block, n);
      frames += n;
    }
    return { file: path, format: formatReport(info, frames), ...analyzer.report() };
  } finally {
    await reader.close();
  }
}

/** Like analyzeFile, but a failure becomes a result (the batch goes on with the other files). */
export async function analyzeFileSafe(path: string, options: AnalyzeOptions = {}): Promise<FileAnalysis | FileFailure> {
  try {
    return await analyzeFile(path, options);
  } catch (e) {
    const error = isMastersmithError(e)
      ? e.withFile(path)
      : new MastersmithError("E_INTERNAL", { file: path, detail: (e as Error)?.message ?? String(e) });
    return { file: path, error: error.toJSON() };
  }
}
