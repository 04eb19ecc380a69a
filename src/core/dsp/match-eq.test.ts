import { test } from "node:test";
import assert from "node:assert/strict";
import { MatchEq, matchCurveDb, DEFAULTS, type GainCurve } from "./match-eq.js";
import { processorContract } from "../../test-support/processor-contract.js";

const CURVE: GainCurve = { freqHz: [60, 200, 1000, 4000, 12000], gainDb: [3, 1, 0, -2, 2] };
const SIDE: GainCurve = { freqHz: [100, 10000], gainDb: [-6, 3] };

processorContract("matchEq mid/side", () => new MatchEq({ midCurve: CURVE, sideCurve: SIDE, amountPct: 80 }));
processorContract("matchEq mono", () => new MatchEq({ midCurve: CURVE }), { channels: [1], sampleRatesHz: [44100] });

function sinesGainDb(p: MatchEq, freqHz: number, fs: number, sign: 1 | -1): [number, number] {
  // L = sine, R = sign·sine: sign 1 is pure mid, −1 pure side.
  const frames = Math.round(fs * 0.6);
  const x = new Float32Array(frames);
  for (let n = 0; n < frames; n++) x[n] = 0.25 * Math.sin((2 * Math.PI * freqHz * n) / fs);
  p.prepare({ sampleRateHz: fs, channels: 2, maxBlockFrames: 4096 });
  const l = Float32Array.from(x);
  const r = x.map((v) => sign * v);
  for (let off = 0; off < frames; off += 1024) {
    const n = Math.min(1024, frames - off);
    p.process([l.subarray(off, off + n), r.subarray(off, off + n)], n);
  }
  const from = Math.round(fs * 0.35);
  const d = p.latencySamples;
  let el = 0, er = 0, ex = 0;
  for (let n = from; n < frames; n++) { el += l[n] ** 2; er += r[n] ** 2; ex += x[n - d] ** 2; }
  return [10 * Math.log10(el / ex), 10 * Math.log10(er / ex)];
}

test("defaults", () => {
  assert.equal(DEFAULTS.amountPct, 100);
  assert.equal(DEFAULTS.maxBoostDb, 12);
});

test("the curve: log-f interpolation, smoothing, amount and boost cap", () => {
  const params = { amountPct: 100, maxBoostDb: 12, smoothingOct: 0 };
  const db = matchCurveDb({ freqHz: [100, 400], gainDb: [0, 6] }, params, 24000);
  assert.ok(Math.abs(db(200) - 3) < 0.01, `midpoint in log f: ${db(200)}`);
  assert.ok(Math.abs(db(20) - 0) < 1e-9 && Math.abs(db(10000) - 6) < 1e-9, "held beyond the ends");
  const half = matchCurveDb({ freqHz: [100, 400], gainDb: [0, 6] }, { ...params, amountPct: 50 }, 24000);
  assert.ok(Math.abs(half(10000) - 3) < 1e-9);
  const capped = matchCurveDb({ freqHz: [100, 400], gainDb: [-20, 20] }, { ...params, maxBoostDb: 4 }, 24000);
  assert.ok(Math.abs(capped(10000) - 4) < 1e-9 && Math.abs(capped(50) + 20) < 1e-9, "boosts capped, cuts not");
  // A one-point spike gets spread over the smoothing width.
  const spike = { freqHz: [900, 1000, 1111], gainDb: [0, 12, 0] };
  const smoothed = matchCurveDb(spike, { ...params, smoothingOct: 1 / 3 }, 24000);
  assert.ok(smoothed(1000) < 7, `spike smoothed to ${smoothed(1000)}`);
});

test("mid and side get their own curves (measured with sines)", () => {
  const fs = 48000;
  const p = new MatchEq({ midCurve: CURVE, sideCurve: SIDE });
  const midDb = matchCurveDb(CURVE, { ...DEFAULTS }, fs / 2);
  const sideDb = matchCurveDb(SIDE, { ...DEFAULTS }, fs / 2);
  for (const f of [100, 500, 2000, 8000]) {
    const [ml, mr] = sinesGainDb(p, f, fs, 1);
    assert.ok(Math.abs(ml - midDb(f)) < 0.1 && Math.abs(mr - midDb(f)) < 0.1, `mid at ${f}: ${ml}, ${mr} vs ${midDb(f)}`);
    const [sl, sr] = sinesGainDb(p, f, fs, -1);
    assert.ok(Math.abs(sl - sideDb(f)) < 0.1 && Math.abs(sr - sideDb(f)) < 0.1, `side at ${f}: ${sl}, ${sr} vs ${sideDb(f)}`);
  }
});

test("amount 0 is a pure delay", () => {
  const fs = 44100;
  const p = new MatchEq({ midCurve: CURVE, sideCurve: SIDE, amountPct: 0 });
  const [l, r] = sinesGainDb(p, 3000, fs, -1);
  assert.ok(Math.abs(l) < 1e-6 && Math.abs(r) < 1e-6);
});
