import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Compressor, DEFAULTS, type CompressorParams } from "./compressor.js";
import { staticCurveDb, timeConstantCoefficient } from "./dynamics.js";
import { processorContract, contractSignal } from "../../test-support/processor-contract.js";

processorContract("compressor (defaults)", () => new Compressor());
processorContract("compressor rms, 5 ms look-ahead, mid/side, link 50 %, program release, mix 70 %, +3 dB",
  () => new Compressor({
    detection: "rms", lookaheadMs: 5, stereoMode: "midSide", stereoLinkPercent: 50,
    programDependentRelease: true, mixPercent: 70, makeupDb: 3, thresholdDb: -24, ratio: 4,
  }), { channels: [1, 2] });
processorContract("compressor branching, hard knee, limiting, 1.5 ms look-ahead",
  () => new Compressor({ detector: "branching", kneeDb: 0, ratio: Infinity, lookaheadMs: 1.5, attackMs: 0.5 }));

function render(params: Partial<CompressorParams>, input: Float32Array[], sampleRateHz: number, blockFrames = 1024): Float32Array[] {
  const comp = new Compressor(params);
  comp.prepare({ sampleRateHz, channels: input.length, maxBlockFrames: blockFrames });
  const out = input.map((c) => Float32Array.from(c));
  for (let at = 0; at < out[0].length; at += blockFrames) {
    const n = Math.min(blockFrames, out[0].length - at);
    comp.process(out.map((c) => c.subarray(at, at + n)), n);
  }
  return out;
}

/** A cosine with a sample exactly on every peak: period of 48 samples. */
function steadyCosine(amplitude: number, frames: number): Float32Array {
  const x = new Float32Array(frames);
  for (let n = 0; n < frames; n++) x[n] = amplitude * Math.cos((2 * Math.PI * n) / 48);
  return x;
}

/** Gain in dB at the last `periods` peaks (out/in at the peak samples, averaged in dB). */
function gainAtPeaksDb(input: Float32Array, output: Float32Array, periods: number): number {
  let sum = 0;
  for (let k = 1; k <= periods; k++) {
    const n = input.length - 48 * k - (input.length % 48);
    sum += 20 * Math.log10(output[n] / input[n]);
  }
  return sum / periods;
}

describe("compressor static curve (GMR eq. 4) with long steady sines", () => {
  const settings = [
    { thresholdDb: -20, ratio: 4, kneeDb: 6, makeupDb: 0 },
    { thresholdDb: -12, ratio: 2, kneeDb: 12, makeupDb: 2 },
    { thresholdDb: -30, ratio: 10, kneeDb: 0, makeupDb: -1 },
    { thresholdDb: -18, ratio: Infinity, kneeDb: 3, makeupDb: 0 },
  ];
  const levelsDb = Array.from({ length: 21 }, (_, i) => -40 + 2 * i); // -40 .. 0 dBFS

  for (const detection of ["peak", "rms"] as const) {
    test(`${detection} detection: within 0.1 dB of the formula at 21 levels × 4 settings, 44.1 and 96 kHz`, () => {
      let worst = 0;
      for (const fs of [44100, 96000]) {
        for (const s of settings) {
          for (const levelDb of levelsDb) {
            const amplitude = Math.pow(10, levelDb / 20);
            const x = steadyCosine(amplitude, Math.round(fs * 0.6));
            const y = render({ ...s, detection, rmsWindowMs: 50, attackMs: 5, releaseMs: 1000 }, [x], fs)[0];
            // The detected level: the peak, or the RMS of a sine (peak − 3.01 dB).
            const detectedDb = detection === "peak" ? levelDb : levelDb + 10 * Math.log10(0.5);
            const expectedDb = staticCurveDb(detectedDb, s.thresholdDb, s.ratio, s.kneeDb) - detectedDb + s.makeupDb;
            const error = Math.abs(gainAtPeaksDb(x, y, 10) - expectedDb);
            worst = Math.max(worst, error);
            assert.ok(error <= 0.1, `${JSON.stringify(s)} at ${levelDb} dBFS, ${fs} Hz: off by ${error.toFixed(4)} dB`);
          }
        }
      }
      console.log(`# ${detection}: worst static-curve error ${worst.toFixed(4)} dB`);
    });
  }

  test("the formula itself: continuous at the knee edges, slope 1/R above", () => {
    for (const [t, r, w] of [[-20, 4, 6], [-10, 3, 10]]) {
      for (const edge of [t - w / 2, t + w / 2]) {
        assert.ok(Math.abs(staticCurveDb(edge - 1e-9, t, r, w) - staticCurveDb(edge + 1e-9, t, r, w)) < 1e-6);
      }
      assert.ok(Math.abs(staticCurveDb(t + 20, t, r, w) - staticCurveDb(t + 10, t, r, w) - 10 / r) < 1e-12);
      assert.equal(staticCurveDb(t - w, t, r, w), t - w);
    }
  });
});

describe("compressor time constants (GMR §2.3: α = e^(−1/(τ fs)))", () => {
  // Steps of a DC level make the reduction exactly observable: GR(n) = −20 log10(out/in).
  const fs = 48000;
  const stepDb = 15; // 0 dBFS into T = −20, R = 4, hard knee: x_L = 20·(1 − 1/4)
  const base = { thresholdDb: -20, ratio: 4, kneeDb: 0 };
  const reductionDb = (x: Float32Array, y: Float32Array, n: number): number => -20 * Math.log10(y[n] / x[n]);

  for (const detector of ["decoupled", "branching"] as const) {
    test(`${detector}: attack follows 1 − e^(−t/τ_A); 63.2 % at t = τ_A`, () => {
      const attackMs = 10;
      const x = new Float32Array(fs);
      const n0 = fs / 4;
      for (let n = 0; n < fs; n++) x[n] = n < n0 ? 0.001 : 1;
      const y = render({ ...base, detector, attackMs, releaseMs: 200 }, [x], fs)[0];
      for (let m = 0; m < 2000; m += 37) {
        const expected = stepDb * (1 - Math.exp(-(m + 1) / ((attackMs / 1000) * fs)));
        assert.ok(Math.abs(reductionDb(x, y, n0 + m) - expected) < 1e-5, `at +${m}: ${reductionDb(x, y, n0 + m)} vs ${expected}`);
      }
      const atTau = reductionDb(x, y, n0 + (attackMs / 1000) * fs - 1) / stepDb;
      assert.ok(Math.abs(atTau - (1 - Math.exp(-1))) < 1e-6, `at τ: ${atTau}`);
    });
  }

  test("branching: release follows e^(−t/τ_R); 36.8 % left at t = τ_R", () => {
    const releaseMs = 120;
    const x = new Float32Array(fs);
    const n0 = fs / 2;
    for (let n = 0; n < fs; n++) x[n] = n < n0 ? 1 : 0.001;
    const y = render({ ...base, detector: "branching", attackMs: 1, releaseMs }, [x], fs)[0];
    for (let m = 0; m < 10000; m += 101) {
      const expected = stepDb * Math.exp(-(m + 1) / ((releaseMs / 1000) * fs));
      assert.ok(Math.abs(reductionDb(x, y, n0 + m) - expected) < 1e-5, `at +${m}`);
    }
  });

  test("decoupled: release is the release one-pole followed by the attack one-pole (36.8 % ± 1 % at τ_R)", () => {
    const releaseMs = 120, attackMs = 1;
    const x = new Float32Array(fs);
    const n0 = fs / 2;
    for (let n = 0; n < fs; n++) x[n] = n < n0 ? 1 : 0.001;
    const y = render({ ...base, attackMs, releaseMs }, [x], fs)[0];
    // Reference: y₁ = α_R y₁ (x_L = 0), y_L = α_A y_L + (1 − α_A) y₁, both from the settled value.
    const aA = timeConstantCoefficient(attackMs, fs), aR = timeConstantCoefficient(releaseMs, fs);
    let y1 = stepDb, yl = stepDb;
    for (let m = 0; m < 10000; m++) {
      y1 *= aR; yl = aA * yl + (1 - aA) * y1;
      if (m % 97 === 0) assert.ok(Math.abs(reductionDb(x, y, n0 + m) - yl) < 1e-5, `at +${m}`);
    }
    const atTau = reductionDb(x, y, n0 + (releaseMs / 1000) * fs - 1) / stepDb;
    assert.ok(Math.abs(atTau - Math.exp(-1)) < 0.01, `at τ_R: ${atTau}`);
  });

  test("program-dependent release: fast after a short peak, slower after sustained reduction", () => {
    const releaseMs = 50;
    const recoveryFrames = (burstFrames: number): number => {
      const x = new Float32Array(burstFrames + fs);
      for (let n = 0; n < x.length; n++) x[n] = n < burstFrames ? 1 : 0.001;
      const y = render({ ...base, attackMs: 1, releaseMs, programDependentRelease: true }, [x], fs)[0];
      for (let n = burstFrames; n < x.length; n++) if (reductionDb(x, y, n) < 1) return n - burstFrames;
      return Infinity;
    };
    const afterShort = recoveryFrames(Math.round(0.005 * fs));
    const afterLong = recoveryFrames(Math.round(2 * fs));
    assert.ok(afterLong > 3 * afterShort, `recovery after 5 ms: ${afterShort}, after 2 s: ${afterLong} frames`);
    // Off, the recovery does not depend on how long the reduction lasted (beyond the attack).
    const off = (burst: number): number => {
      const x = new Float32Array(burst + fs);
      for (let n = 0; n < x.length; n++) x[n] = n < burst ? 1 : 0.001;
      const y = render({ ...base, attackMs: 1, releaseMs }, [x], fs)[0];
      for (let n = burst; n < x.length; n++) if (reductionDb(x, y, n) < 1) return n - burst;
      return Infinity;
    };
    assert.equal(off(Math.round(0.05 * fs)), off(Math.round(2 * fs)));
  });
});

describe("compressor transparency, link, mid/side, mix", () => {
  test("below threshold − knee/2 the output is the input, bit-exact, delayed by the look-ahead", () => {
    const fs = 44100;
    // Peaks at −23.5 dBFS against T = −20, W = 6 (lower knee edge −23 dBFS).
    const input = contractSignal(2, fs, fs, -23.5);
    for (const extra of [
      {}, { stereoMode: "midSide" as const }, { detection: "rms" as const }, { mixPercent: 50 },
      { lookaheadMs: 3 }, { lookaheadMs: 3, stereoMode: "midSide" as const, programDependentRelease: true },
    ]) {
      const params = { thresholdDb: -20, kneeDb: 6, ratio: 8, ...extra };
      const delay = new Compressor(params);
      delay.prepare({ sampleRateHz: fs, channels: 2, maxBlockFrames: 1024 });
      const latency = delay.latencySamples;
      assert.equal(latency, Math.round(((extra as { lookaheadMs?: number }).lookaheadMs ?? 0) * fs / 1000));
      const y = render(params, input, fs);
      for (let c = 0; c < 2; c++) {
        for (let n = latency; n < fs; n++) {
          if (y[c][n] !== input[c][n - latency]) assert.fail(`${JSON.stringify(extra)}: ch ${c} frame ${n} changed`);
        }
      }
    }
  });

  test("stereo link: 100 % gives both channels the same gain, 0 % leaves the quiet channel alone", () => {
    const fs = 48000;
    const frames = fs / 2;
    const left = steadyCosine(1, frames), right = steadyCosine(0.01, frames);
    const linked = render({ stereoLinkPercent: 100 }, [left, right], fs);
    const unlinked = render({ stereoLinkPercent: 0 }, [left, right], fs);
    const gl = gainAtPeaksDb(left, linked[0], 5), gr = gainAtPeaksDb(right, linked[1], 5);
    assert.ok(gl < -5 && Math.abs(gl - gr) < 1e-5, `linked gains ${gl} / ${gr} dB`);
    assert.deepEqual(unlinked[1], right);
    assert.ok(Math.abs(gainAtPeaksDb(left, unlinked[0], 5) - gl) < 1e-5);
  });

  test("mid/side: a loud mono centre is compressed, a quiet side left alone (link 0)", () => {
    const fs = 48000;
    const frames = fs / 2;
    const mid = steadyCosine(0.9, frames);
    const side = new Float32Array(frames);
    for (let n = 0; n < frames; n++) side[n] = 0.01 * Math.sin((2 * Math.PI * 1234 * n) / fs);
    const l = new Float32Array(frames), r = new Float32Array(frames);
    for (let n = 0; n < frames; n++) { l[n] = mid[n] + side[n]; r[n] = mid[n] - side[n]; }
    const [yl, yr] = render({ stereoMode: "midSide", stereoLinkPercent: 0 }, [l, r], fs);
    let sideError = 0;
    for (let n = frames / 2; n < frames; n++) sideError = Math.max(sideError, Math.abs((yl[n] - yr[n]) / 2 - side[n]));
    assert.ok(sideError < 1e-7, `side changed by ${sideError}`);
    const midOut = new Float32Array(frames);
    for (let n = 0; n < frames; n++) midOut[n] = (yl[n] + yr[n]) / 2;
    const expected = staticCurveDb(20 * Math.log10(0.9), DEFAULTS.thresholdDb, DEFAULTS.ratio, DEFAULTS.kneeDb) - 20 * Math.log10(0.9);
    assert.ok(Math.abs(gainAtPeaksDb(mid, midOut, 5) - expected) < 0.1);
  });

  test("wet/dry mix: out = (1 − m)·dry + m·wet", () => {
    const fs = 44100;
    const x = steadyCosine(1, fs / 2);
    const wet = render({ makeupDb: 4 }, [x], fs)[0];
    const mixed = render({ makeupDb: 4, mixPercent: 30 }, [x], fs)[0];
    let worst = 0;
    for (let n = 0; n < x.length; n++) worst = Math.max(worst, Math.abs(mixed[n] - (0.7 * x[n] + 0.3 * wet[n])));
    assert.ok(worst < 1e-6, `max error ${worst}`);
  });

  test("parameters out of range are rejected by name", () => {
    assert.throws(() => new Compressor({ ratio: 0.5 }), /ratio/);
    assert.throws(() => new Compressor({ attackMs: -1 }), /attackMs/);
    assert.throws(() => new Compressor({ stereoLinkPercent: 150 }), /stereoLinkPercent/);
    assert.throws(() => new Compressor({ thresholdDb: NaN }), /thresholdDb/);
  });
});

/**
 * A naive per-sample reference written straight from the paper's equations (log10/pow every
 * sample, no shortcuts), for comparison with the optimized core.
 */
function referenceCompressor(p: CompressorParams, input: Float32Array[], fs: number): Float32Array[] {
  const channels = input.length, frames = input[0].length;
  const midSide = p.stereoMode === "midSide" && channels === 2;
  const aA = p.attackMs > 0 ? Math.exp(-1 / ((p.attackMs / 1000) * fs)) : 0;
  const aR = p.releaseMs > 0 ? Math.exp(-1 / ((p.releaseMs / 1000) * fs)) : 0;
  const aS = p.releaseMs > 0 ? Math.exp(-1 / ((5 * p.releaseMs / 1000) * fs)) : 0;
  const aM = Math.exp(-1 / ((p.rmsWindowMs / 1000) * fs));
  const latency = Math.round((p.lookaheadMs * fs) / 1000);
  const k = p.stereoLinkPercent / 100, m = p.mixPercent / 100;
  const ms = new Array(channels).fill(0), y = new Array(channels).fill(0), y1 = new Array(channels).fill(0), s = new Array(channels).fill(0);
  const out = input.map((c) => new Float32Array(c.length));
  const encode = (l: number, r: number): number[] => (midSide ? [(l + r) / 2, (l - r) / 2] : channels === 2 ? [l, r] : [l]);
  for (let n = 0; n < frames; n++) {
    const det = encode(input[0][n], channels === 2 ? input[1][n] : 0);
    const xl = det.map((x, c) => {
      let levelDb: number;
      if (p.detection === "rms") { ms[c] = aM * ms[c] + (1 - aM) * x * x; levelDb = 10 * Math.log10(ms[c]); }
      else levelDb = 20 * Math.log10(Math.abs(x));
      if (!Number.isFinite(levelDb)) return 0;
      return levelDb - staticCurveDb(levelDb, p.thresholdDb, p.ratio, p.kneeDb);
    });
    const most = Math.max(...xl);
    const gains = xl.map((v0, c) => {
      const v = (1 - k) * v0 + k * most;
      if (p.detector === "decoupled") { y1[c] = Math.max(v, aR * y1[c] + (1 - aR) * v); y[c] = aA * y[c] + (1 - aA) * y1[c]; }
      else y[c] = v > y[c] ? aA * y[c] + (1 - aA) * v : aR * y[c] + (1 - aR) * v;
      s[c] = aS * s[c] + (1 - aS) * v;
      const applied = p.programDependentRelease ? Math.max(y[c], s[c]) : y[c];
      return (1 - m) + m * Math.pow(10, (p.makeupDb - applied) / 20);
    });
    const d = n - latency;
    const dl = d >= 0 ? input[0][d] : 0, dr = d >= 0 && channels === 2 ? input[1][d] : 0;
    const enc = encode(dl, dr).map((v, c) => v * gains[c]);
    if (midSide) { out[0][n] = enc[0] + enc[1]; out[1][n] = enc[0] - enc[1]; }
    else enc.forEach((v, c) => { out[c][n] = v; });
  }
  return out;
}

test("the optimized core matches a naive per-sample reference (several configurations)", () => {
  const fs = 44100;
  const input = contractSignal(2, Math.round(fs * 0.5), fs, -1);
  const configs: Partial<CompressorParams>[] = [
    {},
    { detection: "rms", stereoLinkPercent: 40, lookaheadMs: 2, makeupDb: 5, mixPercent: 60 },
    { detector: "branching", stereoMode: "midSide", stereoLinkPercent: 0, ratio: 6, kneeDb: 10, programDependentRelease: true },
    { stereoMode: "midSide", detection: "rms", stereoLinkPercent: 100, attackMs: 0, releaseMs: 30, thresholdDb: -30 },
  ];
  for (const config of configs) {
    const params = { ...DEFAULTS, ...config };
    const expected = referenceCompressor(params, input, fs);
    const got = render(params, input, fs, 333);
    let worst = 0;
    for (let c = 0; c < 2; c++) for (let n = 0; n < got[c].length; n++) worst = Math.max(worst, Math.abs(got[c][n] - expected[c][n]));
    assert.ok(worst < 1e-6, `${JSON.stringify(config)}: max difference ${worst}`);
  }
});
