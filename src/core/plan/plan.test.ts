import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { openAudioFile } from "../../io/open.js";
import { Analyzer, type AnalysisReport } from "../meter/analyzer.js";
import { validateChainSpec } from "../chain/spec.js";
import { planMaster } from "./plan.js";
import { TARGETS, TARGET_NAMES, resolveTarget, platformPlayback } from "./targets.js";
import { applyCurveToBands, matchCurve, refineMatchCurve, MATCH_MAX_BOOST_DB } from "./tone.js";
import { spectralDistanceDb } from "./spectra.js";
import { mixFeedback } from "./feedback.js";
import { targetTooLoud } from "./loudness.js";

const CORPUS = "/work/shared/corpus/dev";
const analyses = new Map<string, { report: AnalysisReport; rateHz: number }>();

async function analyze(path: string): Promise<{ report: AnalysisReport; rateHz: number }> {
  const reader = await openAudioFile(path);
  const analyzer = new Analyzer({ sampleRateHz: reader.info.sampleRateHz, channels: reader.info.channels });
  for await (const block of reader.blocks()) analyzer.add(block, block[0].length);
  await reader.close();
  return { report: analyzer.report(), rateHz: reader.info.sampleRateHz };
}

const get = (id: string) => {
  const a = [...analyses.entries()].find(([k]) => k.startsWith(id));
  assert.ok(a, `corpus track ${id}`);
  return a[1];
};

before(async () => {
  for (const f of readdirSync(CORPUS).filter((f) => f.endsWith(".flac")).sort()) analyses.set(f, await analyze(`${CORPUS}/${f}`));
});

describe("targets", () => {
  test("the table is complete and every number has a source", () => {
    assert.deepEqual([...TARGET_NAMES].sort(), ["amazon", "apple", "atsc-a85", "cd", "club", "deezer", "ebu-r128", "podcast", "soundcloud", "spotify", "tidal", "youtube"]);
    for (const t of Object.values(TARGETS)) {
      assert.ok(t.source.length > 20, `${t.name} has a source`);
      assert.ok(t.integratedLufs < 0 && t.ceilingDbtp <= 0);
    }
    assert.equal(TARGETS.spotify.integratedLufs, -14);
    assert.equal(TARGETS.apple.integratedLufs, -16);
    assert.equal(TARGETS["ebu-r128"].integratedLufs, -23);
    assert.equal(TARGETS["atsc-a85"].ceilingDbtp, -2);
    assert.equal(TARGETS.amazon.ceilingDbtp, -2);
  });

  test("custom numbers win; Spotify louder than -14 gets -2 dBTP; references set the target otherwise", () => {
    assert.equal(resolveTarget({}).name, "spotify");
    const custom = resolveTarget({ target: "apple", lufs: -12, ceiling: -0.5 });
    assert.deepEqual([custom.name, custom.integratedLufs, custom.ceilingDbtp], ["custom", -12, -0.5]);
    const loudSpotify = resolveTarget({ lufs: -10 });
    assert.equal(loudSpotify.ceilingDbtp, -2);
    assert.match(loudSpotify.source, /-2 dBTP/);
    const ref = resolveTarget({}, -9.5);
    assert.deepEqual([ref.name, ref.integratedLufs, ref.ceilingDbtp], ["reference", -9.5, -1]);
    assert.equal(resolveTarget({ target: "apple" }, -9.5).name, "apple");
    assert.equal(resolveTarget({ lufs: -11 }, -9.5).integratedLufs, -11);
  });

  test("playback: turn-down-only services keep quiet masters, Apple turns up within its peak limit", () => {
    const loud = platformPlayback(-9, -1);
    const by = (r: ReturnType<typeof platformPlayback>, n: string) => r.find((p) => p.platform === n)!;
    assert.equal(by(loud, "spotify").gainDb, -5);
    assert.equal(by(loud, "spotify").action, "turned down");
    assert.equal(by(loud, "soundcloud").action, "kept");
    const quiet = platformPlayback(-20, -6);
    assert.equal(by(quiet, "spotify").action, "kept");
    assert.equal(by(quiet, "apple").gainDb, 4); // -16 target, but the peak may only rise from -6 to -1: min(4, 5)
    assert.equal(by(platformPlayback(-20, -3), "apple").gainDb, 2); // peak room 2 dB
    assert.equal(by(quiet, "ebu-r128").gainDb, -3);
  });

  test("targetTooLoud words the warning with the quieter target", () => {
    const d = targetTooLoud(5.2, -11.5);
    assert.equal(d.code, "W_TARGET_TOO_LOUD");
    assert.match(d.message, /5\.2 dB/);
    assert.match(d.message, /-11\.5 LUFS/);
  });
});

describe("planMaster on the corpus", () => {
  test("every track gets a valid chain ending with drive gain + limiter at the target ceiling", () => {
    for (const [name, { report, rateHz }] of analyses) {
      for (const intent of [{}, { target: "ebu-r128" as const }, { style: "punchy" as const, intensity: 75 }, { lufs: -10 }]) {
        const plan = planMaster({ analysis: report, sampleRateHz: rateHz, channels: 2, intent });
        const chain = validateChainSpec(plan.chain);
        const n = chain.stages.length;
        assert.equal(chain.stages[n - 2].type, "gain", name);
        assert.equal(chain.stages[n - 1].type, "limiter", name);
        assert.equal(chain.stages[n - 1].ceilingDbtp, plan.target.ceilingDbtp);
        assert.ok(plan.decisions.some((d) => d.area === "loudness"));
      }
    }
  });

  test("style: dense loud dev02 and dynamic choral dev06 get different treatment, with numbers", () => {
    const dense = planMaster({ analysis: get("dev02").report, sampleRateHz: 44100, channels: 2, intent: {} });
    const choral = planMaster({ analysis: get("dev06").report, sampleRateHz: 44100, channels: 2, intent: {} });
    assert.equal(dense.style.chosenBy, "assistant");
    assert.equal(dense.style.name, "loud");
    assert.equal(choral.style.name, "gentle");
    assert.match(dense.style.why, /PLR|peak-to-loudness ratio 9\.\d dB/);
    assert.match(choral.style.why, /loudness range 1\d\.\d LU/);
    // Neither is compressed further: dense is dense already, choral's range is the music.
    for (const p of [dense, choral]) assert.ok(!p.chain.stages.some((s) => s.type === "compressor"));
  });

  test("amounts scale the changes: eqAmount 0 leaves the tone alone, more intensity more EQ", () => {
    const { report } = get("dev05");
    const none = planMaster({ analysis: report, sampleRateHz: 44100, channels: 2, intent: { eqAmount: 0, style: "balanced" } });
    assert.ok(!none.chain.stages.some((s) => s.type === "eq" || s.type === "matchEq"));
    assert.equal(none.amounts.eqPct, 0);
    const eqSum = (intensity: number) => {
      const p = planMaster({ analysis: report, sampleRateHz: 44100, channels: 2, intent: { intensity, style: "balanced" } });
      const eq = p.chain.stages.find((s) => s.type === "eq");
      return eq ? (eq.bands as { gainDb: number }[]).reduce((a, b) => a + Math.abs(b.gainDb), 0) : 0;
    };
    assert.ok(eqSum(75) > eqSum(25) && eqSum(25) > 0, `${eqSum(25)} < ${eqSum(75)}`);
    const dyn0 = planMaster({ analysis: get("dev01").report, sampleRateHz: 44100, channels: 2, intent: { dynamicsAmount: 0 } });
    assert.ok(!dyn0.chain.stages.some((s) => s.type === "compressor" || s.type === "multibandCompressor"));
    const wide = planMaster({ analysis: get("dev01").report, sampleRateHz: 44100, channels: 2, intent: { width: 130 } });
    assert.deepEqual(wide.chain.stages.find((s) => s.type === "imager")?.widthsPct, [130, 130, 130, 130, 130]);
  });

  test("an already loud, well-mastered track at low intensity gets a near-empty chain, and the decisions say so", () => {
    const plan = planMaster({ analysis: get("dev02").report, sampleRateHz: 44100, channels: 2, intent: { intensity: 25 } });
    const others = plan.chain.stages.slice(0, -2);
    for (const s of others) {
      assert.equal(s.type, "eq", `only a tiny EQ may precede the limiter, got ${s.type}`);
      for (const b of s.bands as { gainDb: number }[]) assert.ok(Math.abs(b.gainDb) <= 1);
    }
    assert.ok(plan.decisions.some((d) => d.area === "dynamics" && /no glue compression/.test(d.what) && /already dense/.test(d.why)));
    assert.ok(plan.decisions.some((d) => d.area === "stereo" && /untouched/.test(d.what)));
  });

  test("reference mode: match EQ brings the loudest-section mid spectrum within 1 dB RMS (band math)", () => {
    // Mix -> reference pairs: the unmastered mix to the masters, and across genres.
    const pairs = [["dev07", "dev01"], ["dev07", "dev02"], ["dev05", "dev01"], ["dev04", "dev02"], ["dev01", "dev03"], ["dev03", "dev05"]];
    for (const [m, r] of pairs) {
      const mix = get(m).report.spectrum, ref = get(r).report.spectrum;
      const before = spectralDistanceDb(mix.bandsHz, mix.loudestMidDb, ref.loudestMidDb);
      const curve = matchCurve(mix.bandsHz, mix.loudestMidDb, ref.loudestMidDb)!;
      assert.ok(Math.max(...curve.gainDb) <= 12);
      const after = spectralDistanceDb(mix.bandsHz, applyCurveToBands(mix.bandsHz, mix.loudestMidDb, curve), ref.loudestMidDb);
      assert.ok(after < 1, `${m} -> ${r}: ${before.toFixed(2)} -> ${after.toFixed(2)} dB RMS`);
      assert.ok(before > 3);
    }
  });

  test("reference mode plan: amounts 100 %, target from the reference, matchEq with mid and side curves", () => {
    const plan = planMaster({ analysis: get("dev07").report, sampleRateHz: 44100, channels: 2, intent: {}, references: [get("dev02").report] });
    validateChainSpec(plan.chain);
    assert.deepEqual(plan.amounts, { eqPct: 100, dynamicsPct: 100, widthPct: 100 });
    assert.equal(plan.target.name, "reference");
    assert.ok(Math.abs(plan.target.integratedLufs - get("dev02").report.loudness.integratedLufs!) < 1e-9);
    const m = plan.chain.stages.find((s) => s.type === "matchEq");
    assert.ok(m && m.midCurve && m.sideCurve);
    // The reference is far denser (LRA 2.9 vs 17.9 LU): the glue compressor follows it.
    assert.ok(plan.chain.stages.some((s) => s.type === "compressor"));
    const withTarget = planMaster({ analysis: get("dev07").report, sampleRateHz: 44100, channels: 2, intent: { target: "apple" }, references: [get("dev02").report] });
    assert.equal(withTarget.target.name, "apple");
  });
});

describe("mixFeedback", () => {
  test("keeps the analyzer's diagnostics and flags hum added to a clean spectrum", () => {
    const { report } = get("dev01");
    const base = mixFeedback(report);
    assert.deepEqual(base.map((d) => d.code).slice(0, report.diagnostics.length), report.diagnostics.map((d) => d.code));
    assert.ok(!base.some((d) => d.code === "W_HUM"));
    const i = report.spectrum.bandsHz.indexOf(50);
    const midDb = [...report.spectrum.midDb];
    midDb[i] = midDb[i]! + 20;
    const loudestMidDb = [...report.spectrum.loudestMidDb];
    loudestMidDb[i] = loudestMidDb[i]! + 12;
    const hummed = mixFeedback({ ...report, spectrum: { ...report.spectrum, midDb, loudestMidDb } });
    assert.ok(hummed.some((d) => d.code === "W_HUM" && /50 Hz/.test(d.message)));
  });

  test("a mix with a big low-mid bump is called muddy, a flat one is not", () => {
    const { report } = get("dev02");
    assert.ok(!mixFeedback(report).some((d) => d.code === "W_MUDDY"));
    const loudestMidDb = report.spectrum.loudestMidDb.map((v, i) => (v === null ? null : report.spectrum.bandsHz[i] >= 160 && report.spectrum.bandsHz[i] <= 630 ? v + 12 : v));
    const muddy = mixFeedback({ ...report, spectrum: { ...report.spectrum, loudestMidDb } });
    assert.ok(muddy.some((d) => d.code === "W_MUDDY"));
  });
});

describe("refineMatchCurve (closed-loop reference matching)", () => {
  const bandsHz = [20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600,
    2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000];
  const flat = bandsHz.map(() => 0);
  test("each matched point moves by the measured residual, at most 6 dB a step; unmatched bands stay", () => {
    const ref = bandsHz.map(() => -20);
    const master = bandsHz.map((f) => (f === 1000 ? -22 : f === 100 ? -30 : -20));
    const refined = refineMatchCurve({ freqHz: [...bandsHz], gainDb: [...flat] }, bandsHz, master, ref);
    // Level normalization removes the mean offset of the master (the two deficits pull it down a little).
    const at = (f: number) => refined.gainDb[bandsHz.indexOf(f)];
    assert.ok(at(1000) - at(2000) > 1.9 && at(1000) - at(2000) < 2.1, `1 kHz +2 dB relative: ${at(1000) - at(2000)}`);
    assert.equal(at(100), 6, "a 10 dB deficit moves 6 dB per step");
    assert.equal(at(20), 0, "20 Hz is outside the matched range");
    assert.equal(at(20000), 0, "20 kHz is outside the matched range");
  });
  test("the boost cap is kept by lowering the whole curve", () => {
    const start = bandsHz.map((f) => (f === 1000 ? MATCH_MAX_BOOST_DB : 0));
    const master = bandsHz.map((f) => (f === 1000 ? -25 : -20));
    const refined = refineMatchCurve({ freqHz: [...bandsHz], gainDb: start }, bandsHz, master, bandsHz.map(() => -20));
    assert.ok(Math.max(...refined.gainDb) <= MATCH_MAX_BOOST_DB);
    assert.equal(refined.gainDb[bandsHz.indexOf(1000)], MATCH_MAX_BOOST_DB);
    assert.ok(refined.gainDb[bandsHz.indexOf(2000)] < 0, "the rest went down instead");
  });
});
