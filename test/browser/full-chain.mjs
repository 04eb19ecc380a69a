// A ChainSpec with every stage type of src/core/chain/stages.ts (EQ in both phases), each set to
// do audible work on a full-level mix: the browser render test and the browser benchmark use it.
// Plain JS so the benchmark runs without a TypeScript loader.
export const FULL_CHAIN = {
  version: 1,
  stages: [
    { type: "highpass", cutoffHz: 25, order: 2 },
    { type: "eq", phase: "minimum", bands: [
      { shape: "lowShelf", freqHz: 110, gainDb: 1.5, q: 0.7071 },
      { shape: "bell", freqHz: 3200, gainDb: -1.5, q: 1.2 },
      { shape: "highShelf", freqHz: 10000, gainDb: 2, q: 0.7071 },
      { shape: "tilt", freqHz: 1000, gainDb: 0.5 },
    ] },
    { type: "eq", phase: "linear", bands: [
      { shape: "bell", freqHz: 250, gainDb: -1.5, q: 0.8 },
      { shape: "highPass", freqHz: 20, q: 0.7071 },
      { shape: "lowPass", freqHz: 19000, q: 0.7071 },
    ] },
    { type: "matchEq", midCurve: { freqHz: [40, 200, 1000, 5000, 16000], gainDb: [1, -0.5, 0, 1, 2] },
      sideCurve: { freqHz: [100, 1000, 10000], gainDb: [-3, 0, 1.5] }, amountPct: 80, maxBoostDb: 6 },
    { type: "compressor", thresholdDb: -22, ratio: 2.5, kneeDb: 6, attackMs: 12, releaseMs: 150, makeupDb: 1,
      detector: "rms", autoRelease: true, lookaheadMs: 1, stereoLinkPct: 80, mode: "stereo", mixPct: 85 },
    { type: "multibandCompressor", crossoversHz: [150, 2000, 8000], mode: "midSide", bands: [
      { thresholdDb: -24, ratio: 3, attackMs: 20, releaseMs: 200 },
      { thresholdDb: -22, ratio: 2 },
      { thresholdDb: -26, ratio: 2, attackMs: 5, releaseMs: 80 },
      { thresholdDb: -30, ratio: 1.5, bypass: false },
    ] },
    { type: "imager", crossoversHz: [300, 4000], widthsPct: [90, 110, 130], monoBelowHz: 100, correlationFloor: 0 },
    { type: "saturator", driveDb: 4, curve: "tube", mixPct: 50 },
    { type: "gain", gainDb: 4 },
    { type: "clipper", thresholdDb: -2, kneeDb: 3 },
    { type: "limiter", ceilingDbtp: -1, lookaheadMs: 5, releaseMs: 80 },
  ],
};
