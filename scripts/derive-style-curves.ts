/**
 * Derives the measured base of the style target curves (src/core/plan/style-curves.ts) from the
 * dev corpus: the loudest-sections third-octave spectra (mid and side) of the well-mastered
 * tracks dev01-dev04 (licences in /work/shared/corpus/dev/README.md), each level-normalized
 * (normalizeLevels: mean of the live bands in 40 Hz-16 kHz removed), then averaged band by band.
 * Also prints the spread (standard deviation across the tracks) per band.
 *
 *   node --import tsx scripts/derive-style-curves.ts [corpusDir]
 *
 * Prints the arrays to paste into style-curves.ts (MEASURED_*).
 */
import { Analyzer } from "../src/core/meter/analyzer.js";
import { openAudioFile } from "../src/io/open.js";
import { meanSpectra, normalizeLevels } from "../src/core/plan/spectra.js";

const dir = process.argv[2] ?? "/work/shared/corpus/dev";
const TRACKS = ["dev01_traveling_minstrels", "dev02_chaos_god", "dev03_brainsukker", "dev04_through_space"];

async function analyze(path: string) {
  const reader = await openAudioFile(path);
  const analyzer = new Analyzer({ sampleRateHz: reader.info.sampleRateHz, channels: reader.info.channels });
  for await (const block of reader.blocks()) analyzer.add(block, block[0].length);
  await reader.close();
  return analyzer.report();
}

async function main(): Promise<void> {
  const mids: (number | null)[][] = [];
  const sides: (number | null)[][] = [];
  let bandsHz: number[] = [];
  for (const t of TRACKS) {
    const { spectrum } = await analyze(`${dir}/${t}.flac`);
    bandsHz = spectrum.bandsHz;
    mids.push(normalizeLevels(bandsHz, spectrum.loudestMidDb));
    // Side normalized by its own mean: its tonal shape, not its level (width is decided separately).
    sides.push(normalizeLevels(bandsHz, spectrum.loudestSideDb));
  }
  const fmt = (xs: (number | null)[]) => `[${xs.map((x) => (x === null ? "null" : x.toFixed(2))).join(", ")}]`;
  const spread = (all: (number | null)[][], mean: (number | null)[]) => mean.map((m, i) => {
    if (m === null) return null;
    const vs = all.map((s) => s[i]).filter((v): v is number => v !== null);
    return Math.sqrt(vs.reduce((a, v) => a + (v - m) ** 2, 0) / vs.length);
  });
  const mid = meanSpectra(mids), side = meanSpectra(sides);
  console.log(`// bands ${bandsHz.join(", ")}`);
  console.log(`export const MEASURED_MID_DB = ${fmt(mid)};`);
  console.log(`export const MEASURED_MID_SPREAD_DB = ${fmt(spread(mids, mid))};`);
  console.log(`export const MEASURED_SIDE_DB = ${fmt(side)};`);
  console.log(`export const MEASURED_SIDE_SPREAD_DB = ${fmt(spread(sides, side))};`);
}

await main();
