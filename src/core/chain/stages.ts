/**
 * The ChainSpec stage types and their parameters (DESIGN.md, "ChainSpec"): the one definition
 * that validation, the JSON Schema (`schema/chainspec.schema.json`) and the reference
 * (`docs/chainspec.md`) are made from. Units are in every name; every parameter has a range
 * and a default.
 */
import type { ParamDefs } from "./params.js";

const compressorBand = {
  thresholdDb: { kind: "number", unit: "dBFS", min: -80, max: 0, default: -18, doc: "Level above which gain is reduced (detector level)." },
  ratio: { kind: "number", unit: ":1", min: 1, max: 100, default: 2, doc: "Input dB over threshold per output dB over threshold (1 = no compression)." },
  kneeDb: { kind: "number", unit: "dB", min: 0, max: 24, default: 6, doc: "Width of the soft knee centred on the threshold (Giannoulis et al. 2012, eq. 4)." },
  attackMs: { kind: "number", unit: "ms", min: 0.01, max: 500, default: 10, doc: "Attack time constant of the level detector." },
  releaseMs: { kind: "number", unit: "ms", min: 1, max: 5000, default: 150, doc: "Release time constant of the level detector." },
  makeupDb: { kind: "number", unit: "dB", min: -24, max: 24, default: 0, doc: "Gain after compression." },
} as const satisfies ParamDefs;

export const STAGES = {
  gain: {
    doc: "A static gain.",
    params: {
      gainDb: { kind: "number", unit: "dB", min: -96, max: 48, default: 0, doc: "Gain; 0 is an exact identity." },
    },
  },
  highpass: {
    doc: "Butterworth high-pass for DC and subsonic rumble.",
    params: {
      cutoffHz: { kind: "number", unit: "Hz", min: 1, max: 1000, default: 20, doc: "-3 dB frequency." },
      order: { kind: "number", unit: "", min: 1, max: 8, default: 2, integer: true, doc: "Filter order: 6 dB/octave per order." },
    },
  },
  eq: {
    doc: "Parametric EQ. Minimum phase uses matched biquads (Vicanek 2016) that follow the analog prototype up to Nyquist; linear phase runs the same magnitude response as a symmetric FIR (latency reported and removed).",
    params: {
      phase: { kind: "enum", values: ["minimum", "linear"], default: "minimum", doc: "Filter phase." },
      bands: {
        kind: "objects", minItems: 0, maxItems: 32, default: [], doc: "EQ bands, applied in order.",
        params: {
          shape: { kind: "enum", values: ["bell", "lowShelf", "highShelf", "highPass", "lowPass", "tilt"], default: "bell", doc: "Band shape. `tilt` pivots around freqHz: +gainDb/2 above, -gainDb/2 below." },
          freqHz: { kind: "number", unit: "Hz", min: 10, max: 40000, default: 1000, doc: "Centre, corner or pivot frequency." },
          gainDb: { kind: "number", unit: "dB", min: -24, max: 24, default: 0, doc: "Gain (bell, shelves, tilt); ignored by pass filters." },
          q: { kind: "number", unit: "", min: 0.1, max: 24, default: 0.7071, doc: "Quality factor (bandwidth of bells, resonance of pass filters, slope of shelves)." },
          order: { kind: "number", unit: "", min: 1, max: 8, default: 2, integer: true, doc: "Pass filters only: Butterworth order, 6 dB/octave per order (q applies to order 2)." },
        },
      },
    },
  },
  matchEq: {
    doc: "A smooth target curve applied as a linear-phase FIR, to mid and side separately.",
    params: {
      midCurve: { kind: "curve", doc: "Gain curve for mid (L+R)/2: frequency/gain points, interpolated in log frequency." },
      sideCurve: { kind: "curve", optional: true, doc: "Gain curve for side (L-R)/2; without it side gets the mid curve." },
      amountPct: { kind: "number", unit: "%", min: 0, max: 100, default: 100, doc: "Share of the curve (in dB) that is applied." },
      maxBoostDb: { kind: "number", unit: "dB", min: 0, max: 24, default: 12, doc: "Boosts are limited to this; cuts go as deep as the curve asks." },
    },
  },
  compressor: {
    doc: "Feed-forward compressor (Giannoulis, Massberg & Reiss, JAES 2012): soft knee, log-domain smooth detector.",
    params: {
      ...compressorBand,
      detector: { kind: "enum", values: ["peak", "rms"], default: "peak", doc: "Level detection." },
      autoRelease: { kind: "boolean", default: false, doc: "Program-dependent release (faster on transients, slower on sustained reduction)." },
      lookaheadMs: { kind: "number", unit: "ms", min: 0, max: 20, default: 0, doc: "Look-ahead (adds latency, removed by the renderer)." },
      stereoLinkPct: { kind: "number", unit: "%", min: 0, max: 100, default: 100, doc: "How much the channels share one gain." },
      mode: { kind: "enum", values: ["stereo", "midSide"], default: "stereo", doc: "Process L/R or mid/side." },
      mixPct: { kind: "number", unit: "%", min: 0, max: 100, default: 100, doc: "Wet share (parallel compression below 100)." },
    },
  },
  multibandCompressor: {
    doc: "2 to 5 bands on phase-coherent Linkwitz-Riley crossovers, a compressor per band.",
    params: {
      crossoversHz: { kind: "numbers", unit: "Hz", min: 20, max: 20000, minItems: 1, maxItems: 4, increasing: true, default: [120, 1000, 6000], doc: "Crossover frequencies (bands = crossovers + 1)." },
      mode: { kind: "enum", values: ["stereo", "midSide"], default: "stereo", doc: "Process L/R or mid/side." },
      bands: {
        kind: "objects", minItems: 2, maxItems: 5, default: [{}, {}, {}, {}], doc: "Per-band settings, low to high; as many as crossovers + 1.",
        params: { ...compressorBand, bypass: { kind: "boolean", default: false, doc: "Pass the band through at unity." } },
      },
    },
  },
  imager: {
    doc: "Stereo width per band on Linkwitz-Riley crossovers, mono below a frequency, with a mono-compatibility guard.",
    params: {
      crossoversHz: { kind: "numbers", unit: "Hz", min: 20, max: 20000, minItems: 0, maxItems: 4, increasing: true, default: [300, 4000], doc: "Crossover frequencies (bands = crossovers + 1)." },
      widthsPct: { kind: "numbers", unit: "%", min: 0, max: 200, minItems: 1, maxItems: 5, default: [100, 100, 100], doc: "Width per band: 0 mono, 100 as mixed, 200 twice the side." },
      monoBelowHz: { kind: "number", unit: "Hz", min: 0, max: 500, default: 0, doc: "Everything below this is made mono (0 = off)." },
      correlationFloor: { kind: "number", unit: "", min: -1, max: 1, default: 0, doc: "Widening backs off so a band's correlation stays at or above this." },
    },
  },
  saturator: {
    doc: "Oversampled soft saturation.",
    params: {
      driveDb: { kind: "number", unit: "dB", min: 0, max: 36, default: 6, doc: "Gain into the curve." },
      curve: { kind: "enum", values: ["tanh", "tube"], default: "tanh", doc: "Transfer curve (tube is asymmetric: even harmonics)." },
      mixPct: { kind: "number", unit: "%", min: 0, max: 100, default: 100, doc: "Wet share." },
      outputGainDb: { kind: "number", unit: "dB", min: -24, max: 24, default: 0, doc: "Output trim." },
    },
  },
  clipper: {
    doc: "Oversampled clipper: a tanh knee above the threshold (soft), or a hard clip with 16x oversampling.",
    params: {
      thresholdDb: { kind: "number", unit: "dBFS", min: -24, max: 0, default: -1, doc: "Level below which the signal passes untouched." },
      kneeDb: { kind: "number", unit: "dB", min: 0, max: 12, default: 6, doc: "Width of the soft region above the threshold; the output never exceeds threshold + knee. 0 is a hard clip." },
    },
  },
  limiter: {
    doc: "Look-ahead, stereo-linked true-peak limiter: the output's true peak (BS.1770-4 Annex 2) never exceeds the ceiling.",
    params: {
      ceilingDbtp: { kind: "number", unit: "dBTP", min: -20, max: 0, default: -1, doc: "True-peak ceiling." },
      lookaheadMs: { kind: "number", unit: "ms", min: 0.5, max: 20, default: 5, doc: "Look-ahead (latency, removed by the renderer)." },
      releaseMs: { kind: "number", unit: "ms", min: 1, max: 2000, default: 100, doc: "Release time constant after a short transient. Program-dependent: sustained reduction releases up to 10 times slower (a second envelope follows the reduction averaged over 10 × releaseMs; the deeper of the two applies)." },
      holdMs: { kind: "number", unit: "ms", min: 0, max: 100, default: 50, doc: "Longest hold. The gain holds its deepest reduction for 1.1 periods of the lowest strong bass partial (from zero crossings of the low-passed input), at least min(10 ms, holdMs) and the look-ahead, at most holdMs, so bass half-cycles are not modulated." },
    },
  },
} as const satisfies Record<string, { doc: string; params: ParamDefs }>;

export type StageType = keyof typeof STAGES;
export const STAGE_TYPES = Object.keys(STAGES) as StageType[];
