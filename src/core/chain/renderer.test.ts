import { test } from "node:test";
import assert from "node:assert/strict";
import { ChainRenderer } from "./renderer.js";
import type { Processor, ProcessSpec } from "../dsp/processor.js";
import { Gain } from "../dsp/gain.js";
import { contractSignal } from "../../test-support/processor-contract.js";

/** A pure delay of `delay` samples: the simplest processor with latency. */
class Delay implements Processor {
  latencySamples: number;
  private lines: Float32Array[] = [];
  private pos = 0;
  constructor(private readonly delay: number) { this.latencySamples = delay; }
  prepare(spec: ProcessSpec): void {
    this.lines = Array.from({ length: spec.channels }, () => new Float32Array(this.delay + 1));
  }
  process(channels: Float32Array[], frames: number): void {
    const size = this.delay + 1;
    let pos = this.pos;
    for (let n = 0; n < frames; n++) {
      for (let c = 0; c < channels.length; c++) {
        const line = this.lines[c];
        line[pos] = channels[c][n];
        channels[c][n] = line[(pos + 1) % size];
      }
      pos = (pos + 1) % size;
    }
    this.pos = pos;
  }
  reset(): void { for (const l of this.lines) l.fill(0); this.pos = 0; }
}

function render(processors: Processor[], input: Float32Array[], pushFrames: number, maxBlockFrames: number): Float32Array[] {
  const r = new ChainRenderer(processors, { sampleRateHz: 48000, channels: input.length, maxBlockFrames });
  const out = input.map(() => [] as number[]);
  const sink = (chs: Float32Array[], n: number): void => { chs.forEach((ch, c) => { for (let i = 0; i < n; i++) out[c].push(ch[i]); }); };
  for (let o = 0; o < input[0].length; o += pushFrames) {
    const n = Math.min(pushFrames, input[0].length - o);
    r.push(input.map((ch) => ch.subarray(o, o + n)), n, sink);
  }
  r.finish(sink);
  return out.map((a) => Float32Array.from(a));
}

test("an empty chain is bit-exact and keeps the length", () => {
  const x = contractSignal(2, 10007, 48000, -1);
  assert.deepEqual(render([], x, 999, 512), x);
});

test("latency is removed: output aligned with input, same length, whatever the block sizes", () => {
  for (const [length, delays, push, maxBlock] of [
    [10007, [37], 999, 512], [10007, [3, 700, 1], 64, 256], [100, [5000], 7, 128], [1, [2], 1, 16], [4096, [0, 4096], 4096, 4096],
  ] as const) {
    const x = contractSignal(2, length, 48000, -1);
    const y = render(delays.map((d) => new Delay(d)), x, push, maxBlock);
    assert.equal(y[0].length, length, `length for delays ${delays}`);
    assert.deepEqual(y, x, `delays ${delays}, push ${push}, block ${maxBlock}`);
  }
});

test("processors run in order and reset() allows a second identical render", () => {
  const x = contractSignal(2, 5000, 48000, -6);
  const r = new ChainRenderer([new Gain(-6), new Delay(10)], { sampleRateHz: 48000, channels: 2, maxBlockFrames: 1024 });
  const runOnce = (): number[] => {
    const out: number[] = [];
    r.push(x, 5000, (chs, n) => { for (let i = 0; i < n; i++) out.push(chs[0][i]); });
    r.finish((chs, n) => { for (let i = 0; i < n; i++) out.push(chs[0][i]); });
    return out;
  };
  const first = runOnce();
  assert.equal(first.length, 5000);
  assert.ok(Math.abs(first[100] - x[0][100] * Math.pow(10, -6 / 20)) < 1e-7);
  r.reset();
  assert.deepEqual(runOnce(), first);
});
