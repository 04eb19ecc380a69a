import { test } from "node:test";
import assert from "node:assert/strict";
import { linearPhaseFir, firMagnitude, defaultLinearPhaseTaps, defaultLinearPhaseFir, linearPhaseEdgeZeros } from "./fir-design.js";
import { magnitudeDb, type EqBand } from "./eq-design.js";

test("a flat target gives a pure delay (centre tap 1, the rest below 1e-13)", () => {
  const h = linearPhaseFir(() => 1, 44100, 1001);
  assert.ok(Math.abs(h[500] - 1) < 1e-13);
  let rest = 0;
  for (let n = 0; n < h.length; n++) if (n !== 500) rest = Math.max(rest, Math.abs(h[n]));
  assert.ok(rest < 1e-13, `largest off-centre tap ${rest}`);
});

test("symmetric, odd length, default length 2·(round(0.15·fs) + edge zeros) + 1, exact zero edges", () => {
  assert.equal(defaultLinearPhaseTaps(44100), 15279);
  assert.equal(defaultLinearPhaseTaps(48000), 16449);
  assert.equal(linearPhaseEdgeZeros(96000), 2048);
  const d = defaultLinearPhaseFir((f) => 1 / (1 + f / 100), 44100);
  assert.equal(d.length, 15279);
  for (let n = 0; n < 1024; n++) assert.ok(d[n] === 0 && d[d.length - 1 - n] === 0);
  assert.ok(d[1024] !== 0);
  const h = linearPhaseFir((f) => 1 / (1 + f / 1000), 48000, 2001);
  for (let n = 0; n < 1000; n++) assert.equal(h[n], h[2000 - n]);
  assert.throws(() => linearPhaseFir(() => 1, 48000, 100), RangeError);
});

// Deviation of the default-length FIR from the minimum-phase EQ magnitude, 20 Hz .. 20 kHz
// (where the target is above −40 dB). Figures measured at 44.1 kHz, asserted with some margin.
const CASES: [string, EqBand[], number][] = [
  ["30 Hz bell +6 dB Q 1", [{ shape: "bell", freqHz: 30, gainDb: 6, q: 1 }], 0.15],
  ["50 Hz bell −9 dB Q 2", [{ shape: "bell", freqHz: 50, gainDb: -9, q: 2 }], 0.3],
  ["20 Hz high-pass, order 2", [{ shape: "highPass", freqHz: 20, order: 2 }], 0.1],
  ["60 Hz low shelf +6 dB", [{ shape: "lowShelf", freqHz: 60, gainDb: 6 }], 0.02],
  ["12 kHz bell +12 dB Q 4", [{ shape: "bell", freqHz: 12000, gainDb: 12, q: 4 }], 0.005],
  ["mixed EQ", [{ shape: "highPass", freqHz: 25 }, { shape: "bell", freqHz: 250, gainDb: -3, q: 1 }, { shape: "highShelf", freqHz: 9000, gainDb: 2 }], 0.08],
];

for (const [name, bands, maxDb] of CASES) {
  test(`linear-phase FIR follows the minimum-phase magnitude: ${name} within ${maxDb} dB`, () => {
    const fs = 44100;
    const h = defaultLinearPhaseFir((f) => Math.pow(10, magnitudeDb(bands, f, fs) / 20), fs);
    let worst = 0;
    for (let f = 20; f < 20000; f *= 1.05) {
      const target = magnitudeDb(bands, f, fs);
      if (target < -40) continue;
      worst = Math.max(worst, Math.abs(20 * Math.log10(firMagnitude(h, f, fs)) - target));
    }
    assert.ok(worst < maxDb, `worst deviation ${worst.toFixed(4)} dB`);
  });
}
