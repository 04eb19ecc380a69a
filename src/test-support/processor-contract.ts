/**
 * The shared processor contract suite (DESIGN.md, "The processor contract"; in the spirit of
 * hono's `common.case.test.ts`): every processor in src/core/dsp calls `processorContract` from
 * its own test file, so one set of rules holds for all of them.
 *
 * - block-size invariance: the same output whatever the block sizes (1, 7, 128, 4096, random);
 * - `reset()` makes the processor forget everything: a second run is identical to the first;
 * - silence in gives finite output, with no NaN and no float32 denormals (also after a loud tail);
 * - the measured delay of a small impulse equals `latencySamples`;
 * - all of it at 44.1, 48, 96 and 192 kHz.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Processor } from "../core/dsp/processor.js";

export interface ContractOptions {
  /** Channel counts to run (default [2]). */
  readonly channels?: readonly number[];
  /** Sample rates to run (default 44.1, 48, 96, 192 kHz). */
  readonly sampleRatesHz?: readonly number[];
  /** Peak level of the test signal in dBFS (default -3: loud enough to drive dynamics). */
  readonly signalPeakDb?: number;
  /**
   * Amplitude of the impulse used to measure latency (default 0.01, below any sane threshold,
   * so that nonlinear processors behave linearly). `null` skips the latency check; give a reason
   * in `latencySkipReason`.
   */
  readonly impulseAmplitude?: number | null;
  readonly latencySkipReason?: string;
  /**
   * Largest allowed difference between block-split renders. 0 (the default) means bit-exact.
   * A processor that needs more must say why in its own test.
   */
  readonly blockTolerance?: number;
}

const DEFAULT_RATES = [44100, 48000, 96000, 192000] as const;
const MAX_BLOCK = 4096;

/** Deterministic test signal: band-limited noise, a sine sweep and loud bursts, per channel. */
export function contractSignal(channels: number, frames: number, sampleRateHz: number, peakDb: number): Float32Array[] {
  const out: Float32Array[] = [];
  let seed = 0x9e3779b9;
  const random = (): number => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed / 4294967296 - 0.5;
  };
  const peak = Math.pow(10, peakDb / 20);
  for (let c = 0; c < channels; c++) {
    const x = new Float32Array(frames);
    let lowpassed = 0;
    let phase = 0;
    for (let n = 0; n < frames; n++) {
      lowpassed += 0.2 * (random() - lowpassed);
      const t = n / frames;
      const freqHz = 40 * Math.pow(400, t); // 40 Hz .. 16 kHz sweep
      phase += (2 * Math.PI * freqHz) / sampleRateHz;
      // Bursts: every quarter of the signal, a section 12 dB hotter, to move envelopes.
      const burst = Math.floor(t * 8) % 2 === 1 ? 1 : 0.25;
      x[n] = peak * burst * (0.5 * Math.sin(phase + c) + 0.9 * lowpassed);
    }
    out.push(x);
  }
  return out;
}

/** Renders `input` through a freshly prepared processor in blocks of the given sizes. */
export function renderInBlocks(processor: Processor, input: readonly Float32Array[], sizes: (index: number) => number): Float32Array[] {
  const frames = input[0].length;
  const out = input.map((ch) => Float32Array.from(ch));
  let offset = 0;
  for (let i = 0; offset < frames; i++) {
    const n = Math.min(sizes(i), frames - offset, MAX_BLOCK);
    const views = out.map((ch) => ch.subarray(offset, offset + n));
    processor.process(views, n);
    offset += n;
  }
  return out;
}

function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let worst = 0;
  for (let c = 0; c < a.length; c++) {
    for (let n = 0; n < a[c].length; n++) {
      const d = Math.abs(a[c][n] - b[c][n]);
      if (!(d <= worst)) worst = d; // NaN propagates as a failure
    }
  }
  return worst;
}

function assertFiniteNoDenormals(channels: readonly Float32Array[], what: string): void {
  for (let c = 0; c < channels.length; c++) {
    const ch = channels[c];
    for (let n = 0; n < ch.length; n++) {
      const v = ch[n];
      if (!Number.isFinite(v)) assert.fail(`${what}: non-finite sample ${v} at channel ${c}, frame ${n}`);
      const a = Math.abs(v);
      if (a !== 0 && a < 1.1754943508222875e-38) assert.fail(`${what}: denormal ${v} at channel ${c}, frame ${n}`);
    }
  }
}

/** Registers the contract tests for one processor. `create` must return a new, unprepared instance. */
export function processorContract(name: string, create: () => Processor, options: ContractOptions = {}): void {
  const rates = options.sampleRatesHz ?? DEFAULT_RATES;
  const channelCounts = options.channels ?? [2];
  const peakDb = options.signalPeakDb ?? -3;
  const tolerance = options.blockTolerance ?? 0;
  const impulseAmplitude = options.impulseAmplitude === undefined ? 0.01 : options.impulseAmplitude;

  describe(`processor contract: ${name}`, () => {
    for (const sampleRateHz of rates) {
      for (const channels of channelCounts) {
        const label = `${sampleRateHz} Hz, ${channels} ch`;
        const make = (): Processor => {
          const p = create();
          p.prepare({ sampleRateHz, channels, maxBlockFrames: MAX_BLOCK });
          return p;
        };
        const frames = Math.round(sampleRateHz * 0.75);
        const signal = contractSignal(channels, frames, sampleRateHz, peakDb);

        test(`${label}: output does not depend on block sizes`, () => {
          const reference = renderInBlocks(make(), signal, () => MAX_BLOCK);
          assertFiniteNoDenormals(reference, "reference render");
          let seed = 12345;
          const randomSize = (): number => {
            seed = (seed * 1103515245 + 12345) >>> 0;
            return 1 + (seed % 3000);
          };
          for (const [what, sizes] of [
            ["1", () => 1], ["7", () => 7], ["128", () => 128], ["random", randomSize],
          ] as const) {
            const got = renderInBlocks(make(), signal, sizes);
            const diff = maxAbsDiff(reference, got);
            assert.ok(diff <= tolerance, `blocks of ${what}: max difference ${diff} > ${tolerance}`);
          }
        });

        test(`${label}: reset() forgets all state`, () => {
          const p = make();
          const first = renderInBlocks(p, signal, () => 512);
          p.reset();
          const second = renderInBlocks(p, signal, () => 512);
          assert.equal(maxAbsDiff(first, second), 0, "a render after reset() differs from the first");
        });

        test(`${label}: silence gives finite output without denormals, also after a loud tail`, () => {
          const p = make();
          const silence = Array.from({ length: channels }, () => new Float32Array(Math.round(sampleRateHz * 2)));
          const fromCold = renderInBlocks(p, silence, () => 1024);
          assertFiniteNoDenormals(fromCold, "silence from cold");
          renderInBlocks(p, signal, () => 1024);
          // Same processor, no reset: the decaying tail must flush to zero, not to denormals.
          const afterTail = Array.from({ length: channels }, () => new Float32Array(Math.round(sampleRateHz * 2)));
          let offset = 0;
          while (offset < afterTail[0].length) {
            const n = Math.min(1024, afterTail[0].length - offset);
            p.process(afterTail.map((ch) => ch.subarray(offset, offset + n)), n);
            offset += n;
          }
          assertFiniteNoDenormals(afterTail, "silence after signal");
        });

        if (impulseAmplitude === null) {
          test(`${label}: latency check skipped (${options.latencySkipReason ?? "no reason given"})`, () => {
            assert.ok(options.latencySkipReason, "skipping the latency check needs a reason");
          });
        } else {
          test(`${label}: measured impulse delay equals latencySamples`, () => {
            const p = make();
            const latency = p.latencySamples;
            assert.ok(Number.isInteger(latency) && latency >= 0, `latencySamples ${latency} is not a whole number >= 0`);
            const length = latency + Math.round(sampleRateHz * 0.1);
            const at = 64; // a little way in, so look-ahead processors have history
            const impulse = Array.from({ length: channels }, () => new Float32Array(length + at));
            for (const ch of impulse) ch[at] = impulseAmplitude;
            const out = renderInBlocks(p, impulse, () => 256);
            for (let c = 0; c < channels; c++) {
              let peakAt = -1;
              let peak = 0;
              for (let n = 0; n < out[c].length; n++) {
                if (Math.abs(out[c][n]) > peak) { peak = Math.abs(out[c][n]); peakAt = n; }
              }
              assert.ok(peak > 0, `channel ${c}: the impulse vanished`);
              assert.equal(peakAt - at, latency, `channel ${c}: impulse came out ${peakAt - at} samples late, latencySamples says ${latency}`);
            }
          });
        }
      }
    }
  });
}
