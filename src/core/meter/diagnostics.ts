/**
 * Diagnostics: a pure function from measurements to stable warning codes (src/core/codes.ts)
 * with a message a mastering engineer would send the client, figures included.
 *
 * Thresholds, and why:
 * - W_INPUT_CLIPPING: any run of >= 3 full-scale samples (signal-checks.ts): a converter or a bus
 *   clipped; the damage is in the file and mastering cannot undo it.
 * - W_LOW_HEADROOM: true peak above -0.3 dBTP (sample peak if no true peak): the mix was pushed
 *   or normalised to the top; inter-sample overs may already have clipped in a converter or
 *   encoder, and there is no room left to work (engineers ask for peaks around -3..-6 dBFS).
 * - W_DC_OFFSET: |mean| above -60 dBFS (0.1 % of full scale): below that it costs under 0.01 dB
 *   of headroom and is harmless; above, it shifts the waveform, wastes headroom asymmetrically
 *   and clicks at edits.
 * - W_PHASE_ISSUE: overall correlation below 0 (more anti-phase than in-phase energy: the mono
 *   fold-down loses level and bass), or any 3 s window below -0.3 (a section that collapses in
 *   mono even if the track on average does not).
 * - W_ALREADY_LIMITED: PLR (true peak - integrated loudness) under 8 dB AND at least 0.1 % of
 *   samples within 1 dB of the peak: a low PLR alone can be a dense but unlimited mix; the pile-up
 *   of samples at the ceiling is the fingerprint of a limiter (an unlimited mix has a few
 *   isolated peaks, far below 0.1 %).
 * - W_TOO_QUIET: integrated loudness below -30 LUFS: reaching a -14 LUFS streaming target needs
 *   more than 16 dB of gain, which brings up noise, hum and dither with it.
 * - W_SILENT: no sample reaches -60 dBFS, or integrated loudness is null (all gated out).
 * - W_LEADING_SILENCE / W_TRAILING_SILENCE: more than 2 s below -60 dBFS at the start / end:
 *   longer than a deliberate count-in or tail; most distributors ask for trimmed files.
 * - W_MONO: L and R are sample-identical.
 */
import type { Diagnostic } from "../codes.js";
import type { ClippingResult, DcOffsetResult, SilenceResult } from "./signal-checks.js";
import type { StereoResult } from "./stereo.js";

export const LOW_HEADROOM_DBTP = -0.3;
export const DC_OFFSET_DBFS = -60;
export const PHASE_OVERALL_MIN = 0;
export const PHASE_WINDOW_MIN = -0.3;
export const LIMITED_PLR_DB = 8;
export const LIMITED_NEAR_PEAK_FRACTION = 0.001;
export const TOO_QUIET_LUFS = -30;
export const SILENCE_WARN_S = 2;

export interface DiagnosticsInput {
  readonly integratedLufs: number | null;
  readonly truePeakDbtp: number | null;
  readonly samplePeakDbfs: number | null;
  /** Peak-to-loudness ratio, true peak - integrated (EBU Tech 3342 / AES TD1008 "PLR"). */
  readonly plrDb: number | null;
  readonly clipping: ClippingResult;
  readonly dcOffset: DcOffsetResult;
  readonly stereo: StereoResult;
  readonly silence: SilenceResult;
}

const f1 = (x: number): string => x.toFixed(1);
const channelName = (c: number, channels: number): string =>
  channels === 2 ? (c === 0 ? "left" : "right") : `channel ${c + 1}`;

export function diagnose(input: DiagnosticsInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { clipping, dcOffset, stereo, silence } = input;
  const silent = silence.silent || input.integratedLufs === null;
  if (silent) {
    out.push({
      code: "W_SILENT",
      message: silence.silent
        ? `The file is silent: nothing reaches ${silence.thresholdDbfs} dBFS. Check that the right file was exported.`
        : "The file is too quiet to measure: all of it falls under the loudness gate (-70 LUFS). Check that the right file was exported.",
    });
    return out;
  }

  if (clipping.runs > 0) {
    const worst = clipping.perChannel.reduce((best, p, c) => (p.longestRunSamples > clipping.perChannel[best].longestRunSamples ? c : best), 0);
    const where = clipping.perChannel.length > 1 ? ` (longest in the ${channelName(worst, clipping.perChannel.length)} channel)` : "";
    out.push({
      code: "W_INPUT_CLIPPING",
      message: `The mix clips: ${clipping.runs} place${clipping.runs === 1 ? "" : "s"} where ${clipping.minRunSamples} or more samples in a row sit at full scale, ` +
        `${clipping.clippedSamples} clipped samples in all, the longest run ${clipping.longestRunSamples} samples${where}. ` +
        "Mastering cannot restore clipped peaks: please send a mix with the master bus clipping or limiting removed and the peaks around -3 dBFS.",
    });
  }

  const peakDb = input.truePeakDbtp ?? input.samplePeakDbfs;
  const peakUnit = input.truePeakDbtp !== null ? "dBTP (true peak)" : "dBFS (sample peak)";
  if (peakDb !== null && peakDb > LOW_HEADROOM_DBTP) {
    out.push({
      code: "W_LOW_HEADROOM",
      message: `The mix peaks at ${f1(peakDb)} ${peakUnit}, with no headroom left. ` +
        "If you can, export it 3 to 6 dB lower (turn the master fader down, no limiter): mastering needs room to work.",
    });
  }

  if (dcOffset.maxDbfs !== null && dcOffset.maxDbfs > DC_OFFSET_DBFS) {
    const worst = dcOffset.perChannelLinear.reduce((best, m, c) => (Math.abs(m) > Math.abs(dcOffset.perChannelLinear[best]) ? c : best), 0);
    const mean = dcOffset.perChannelLinear[worst];
    out.push({
      code: "W_DC_OFFSET",
      message: `There is a DC offset of ${f1(dcOffset.maxDbfs)} dBFS (${(mean * 100).toFixed(2)} % of full scale) in the ` +
        `${channelName(worst, dcOffset.perChannelLinear.length)} channel. It wastes headroom and can click at edits; ` +
        "we will remove it, but a plug-in or converter upstream is probably adding it.",
    });
  }

  if (stereo.stereo && stereo.identical === true) {
    out.push({
      code: "W_MONO",
      message: "Left and right are identical: this is a mono mix in a stereo file. If that is not intended, check the export settings.",
    });
  } else if (stereo.stereo) {
    const overallBad = stereo.correlation !== null && stereo.correlation < PHASE_OVERALL_MIN;
    const windowBad = stereo.minWindowCorrelation !== null && stereo.minWindowCorrelation < PHASE_WINDOW_MIN;
    if (overallBad || windowBad) {
      const parts: string[] = [];
      if (overallBad) parts.push(`the left/right correlation over the whole track is ${stereo.correlation!.toFixed(2)}`);
      if (windowBad) {
        parts.push(`it drops to ${stereo.minWindowCorrelation!.toFixed(2)} in the ${stereo.windowS} s starting at ${formatTime(stereo.minWindowStartS ?? 0)}`);
      }
      out.push({
        code: "W_PHASE_ISSUE",
        message: `Left and right are partly out of phase: ${parts.join(", and ")}. ` +
          "On mono playback (phones, club and radio systems) parts of the mix, usually the bass, will cancel. " +
          "Check for a polarity-inverted channel or very wide stereo effects.",
      });
    }
  }

  if (input.plrDb !== null && input.plrDb < LIMITED_PLR_DB && clipping.nearPeakFraction >= LIMITED_NEAR_PEAK_FRACTION) {
    out.push({
      code: "W_ALREADY_LIMITED",
      message: `The mix already sounds limited: only ${f1(input.plrDb)} dB between its peaks and its loudness, and ` +
        `${(clipping.nearPeakFraction * 100).toFixed(2)} % of samples within ${clipping.nearPeakWithinDb} dB of the peak. ` +
        "Please send a version without the master bus limiter so the master keeps its punch.",
    });
  }

  if (input.integratedLufs !== null && input.integratedLufs < TOO_QUIET_LUFS) {
    out.push({
      code: "W_TOO_QUIET",
      message: `The mix is very quiet: ${f1(input.integratedLufs)} LUFS integrated. Bringing it to a streaming level ` +
        `(-14 LUFS) takes ${f1(-14 - input.integratedLufs)} dB of gain, which raises noise and hum with it; a hotter export would help.`,
    });
  }

  if (silence.leadingS > SILENCE_WARN_S) {
    out.push({
      code: "W_LEADING_SILENCE",
      message: `The file starts with ${f1(silence.leadingS)} s of silence (below ${silence.thresholdDbfs} dBFS). ` +
        "We keep it as it is unless you ask us to trim it.",
    });
  }
  if (silence.trailingS > SILENCE_WARN_S) {
    out.push({
      code: "W_TRAILING_SILENCE",
      message: `The file ends with ${f1(silence.trailingS)} s of silence (below ${silence.thresholdDbfs} dBFS). ` +
        "We keep it as it is unless you ask us to trim it.",
    });
  }
  return out;
}

function formatTime(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.floor(seconds - 60 * m);
  return `${m}:${String(s).padStart(2, "0")}`;
}
