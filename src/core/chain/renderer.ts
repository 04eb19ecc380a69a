/**
 * The streaming renderer (DESIGN.md principle 4): blocks flow through the processors in order,
 * and the chain's total latency is removed so the output has exactly the input's length and is
 * sample-aligned with it. The first `latencySamples` output frames (the processors' warm-up) are
 * dropped; at the end, `latencySamples` frames of silence push the last input frames out.
 *
 * An empty chain copies samples through untouched: bit-exact.
 */
import type { Processor, ProcessSpec } from "../dsp/processor.js";

/** Receives rendered, aligned output. The arrays are reused: copy what you keep. */
export type BlockSink = (channels: Float32Array[], frames: number) => void;

export class ChainRenderer {
  /** Sum of the processors' latencies: how far raw output lags input. */
  readonly latencySamples: number;
  private readonly processors: readonly Processor[];
  private readonly work: Float32Array[];
  private readonly views: Float32Array[];
  private readonly maxBlockFrames: number;
  /** Frames still to drop from the start of the raw output. */
  private toSkip: number;
  private inputFrames = 0;
  private outputFrames = 0;
  private finished = false;

  constructor(processors: readonly Processor[], spec: ProcessSpec) {
    this.processors = processors;
    this.maxBlockFrames = spec.maxBlockFrames;
    for (const p of processors) p.prepare(spec);
    this.latencySamples = processors.reduce((sum, p) => sum + p.latencySamples, 0);
    this.toSkip = this.latencySamples;
    this.work = Array.from({ length: spec.channels }, () => new Float32Array(spec.maxBlockFrames));
    this.views = this.work.map((ch) => ch.subarray(0, 0));
  }

  /** Renders `frames` frames of `input` (any count: split internally), emitting aligned output. */
  push(input: readonly Float32Array[], frames: number, sink: BlockSink): void {
    if (this.finished) throw new Error("ChainRenderer.push after finish");
    for (let offset = 0; offset < frames; offset += this.maxBlockFrames) {
      const n = Math.min(this.maxBlockFrames, frames - offset);
      for (let c = 0; c < this.work.length; c++) this.work[c].set(input[c].subarray(offset, offset + n));
      this.inputFrames += n;
      this.runBlock(n, sink);
    }
  }

  /** Flushes the latency tail: afterwards exactly as many frames were emitted as were pushed. */
  finish(sink: BlockSink): void {
    if (this.finished) return;
    this.finished = true;
    while (this.outputFrames < this.inputFrames) {
      const pending = this.inputFrames - this.outputFrames + this.toSkip;
      const n = Math.min(this.maxBlockFrames, pending);
      for (const ch of this.work) ch.fill(0, 0, n);
      this.runBlock(n, sink, this.inputFrames - this.outputFrames);
    }
  }

  /** Clears every processor's state for a new render of the same chain. */
  reset(): void {
    for (const p of this.processors) p.reset();
    this.toSkip = this.latencySamples;
    this.inputFrames = 0;
    this.outputFrames = 0;
    this.finished = false;
  }

  private runBlock(n: number, sink: BlockSink, maxEmit = Infinity): void {
    for (const p of this.processors) p.process(this.work, n);
    const skip = Math.min(this.toSkip, n);
    this.toSkip -= skip;
    const emit = Math.min(n - skip, maxEmit);
    if (emit <= 0) return;
    for (let c = 0; c < this.work.length; c++) this.views[c] = this.work[c].subarray(skip, skip + emit);
    this.outputFrames += emit;
    sink(this.views, emit);
  }
}
