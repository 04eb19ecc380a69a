// Benchmarks of the mastering chain (issue "The mastering chain"):
// - real-time factor of each processor at 44.1 and 96 kHz (in process, default settings);
// - a full chain (linear-phase EQ, 4-band multiband, imager, limiter) on a 4-minute stereo
//   44.1 kHz file as a whole `mastersmith render` process, against ffmpeg's loudnorm run in two
//   passes as people use it (measure, then normalize with the measured values), same file, same run.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE, CLI, ROOT, corpusWav, ratioLine, timeProcess, ffmpegLoudnormTwoPass } from "./lib.mjs";

export const FULL_CHAIN = {
  version: 1,
  stages: [
    { type: "eq", phase: "linear", bands: [{ shape: "lowShelf", freqHz: 100, gainDb: 1.5 }, { shape: "bell", freqHz: 3000, gainDb: -1, q: 1 }, { shape: "highShelf", freqHz: 10000, gainDb: 1 }] },
    { type: "multibandCompressor", crossoversHz: [120, 1000, 6000], bands: [{}, {}, {}, {}] },
    { type: "imager", crossoversHz: [300, 4000], widthsPct: [100, 110, 115], monoBelowHz: 100 },
    { type: "gain", gainDb: 8 },
    { type: "limiter", ceilingDbtp: -1 },
  ],
};

const PROCESSOR_STAGES = [
  { type: "highpass" },
  { type: "eq", bands: [{ shape: "bell", freqHz: 3000, gainDb: 3 }, { shape: "highShelf", freqHz: 8000, gainDb: 2 }] },
  { type: "eq", phase: "linear", bands: [{ shape: "bell", freqHz: 3000, gainDb: 3 }, { shape: "highShelf", freqHz: 8000, gainDb: 2 }] },
  { type: "matchEq", midCurve: { freqHz: [50, 1000, 10000], gainDb: [2, 0, -2] } },
  { type: "compressor" },
  { type: "multibandCompressor" },
  { type: "imager" },
  { type: "saturator" },
  { type: "clipper" },
  { type: "limiter" },
];

async function processorFactors() {
  const { renderChainOffline } = await import(join(ROOT, "dist", "core", "chain", "offline.js"));
  const lines = [];
  for (const rate of [44100, 96000]) {
    const seconds = 20;
    const frames = rate * seconds;
    let seed = 1;
    const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296 - 0.5) * 0.5;
    const input = [new Float32Array(frames), new Float32Array(frames)];
    for (let i = 0; i < frames; i++) { input[0][i] = noise(); input[1][i] = noise(); }
    const cells = [];
    for (const stage of PROCESSOR_STAGES) {
      const spec = { version: 1, stages: [stage] };
      renderChainOffline(spec, input.map((c) => c.subarray(0, rate)), rate); // warm-up
      const start = process.hrtime.bigint();
      renderChainOffline(spec, input, rate);
      const s = Number(process.hrtime.bigint() - start) / 1e9;
      const name = stage.type + (stage.phase === "linear" ? "(linear)" : "");
      cells.push(`${name} ${Math.round(seconds / s)}x`);
    }
    lines.push(`  real-time factors at ${rate / 1000} kHz stereo: ${cells.join(", ")}`);
  }
  return lines;
}

export async function benchChain({ runs = 3 } = {}) {
  const file = corpusWav(240);
  const chain = join(CACHE, "full-chain.json");
  writeFileSync(chain, JSON.stringify(FULL_CHAIN));
  const out = join(CACHE, "render-out.wav");
  const ffmpegTwoPass = () => ffmpegLoudnormTwoPass(file, join(CACHE, "loudnorm-out.wav"));
  const ours = [];
  const theirs = [];
  for (let i = 0; i < runs; i++) {
    ours.push(timeProcess(process.execPath, [CLI, "render", file, "-o", out, "--chain", chain, "--bit-depth", "24", "--force"]).seconds);
    theirs.push(ffmpegTwoPass());
  }
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  return [
    ratioLine("render full chain (lin-phase EQ, 4-band multiband, imager, limiter), 4 min 44.1 kHz (vs ffmpeg loudnorm, two passes)", med(ours), med(theirs), "ffmpeg loudnorm x2"),
    ...(await processorFactors()),
  ];
}
