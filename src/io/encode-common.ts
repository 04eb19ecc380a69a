/**
 * What every encoder shares: the temporary name + rename rule (DESIGN.md, Codes: never a
 * half-written output), the no-overwrite check, and the streaming of samples into an external
 * encoder's stdin (flac, lame, ffmpeg) with back-pressure, so memory stays flat.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, closeSync, constants, existsSync, linkSync, openSync, readSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { delimiter, join } from "node:path";
import { MastersmithError } from "../core/codes.js";

/** An encoder that takes planar blocks and produces one file. */
export interface Encoder {
  readonly path: string;
  readonly framesWritten: number;
  /** Appends `frames` frames of planar samples (nominal range [-1, 1)). The arrays are not kept. */
  write(channels: Float32Array[], frames: number): Promise<void>;
  /** Finishes the file and gives it its real name. */
  close(): Promise<void>;
  /** Stops the encoder and deletes the partial file; `path` is left untouched. */
  abort(): Promise<void>;
}

/** E_OUTPUT_EXISTS unless `force`. Checked at open so a long job fails before it starts. */
export function checkTarget(path: string, force: boolean): void {
  if (!force && existsSync(path)) throw new MastersmithError("E_OUTPUT_EXISTS", { file: path });
}

export function partialName(path: string): string {
  return `${path}.partial-${randomBytes(6).toString("hex")}`;
}

/** Gives the finished partial file its real name; link() refuses a name that appeared meanwhile. */
export function publish(partial: string, path: string, force: boolean): void {
  try {
    if (force) renameSync(partial, path);
    else {
      linkSync(partial, path);
      unlinkSync(partial);
    }
  } catch (e) {
    removeQuietly(partial);
    const code = (e as { code?: string }).code;
    if (code === "EEXIST") throw new MastersmithError("E_OUTPUT_EXISTS", { file: path, cause: e });
    throw new MastersmithError("E_WRITE_FAILED", { file: path, detail: code, cause: e });
  }
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** The executable `name` on PATH, or null (checked at open: E_ENCODER_UNAVAILABLE before any work). */
export function findTool(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

export function requireTool(name: string, file: string, purpose: string): string {
  const tool = findTool(name);
  if (tool === null) throw new MastersmithError("E_ENCODER_UNAVAILABLE", { file, detail: `${purpose} needs the '${name}' program on PATH` });
  return tool;
}

const COPY_CHUNK_BYTES = 1 << 20;

/** Puts `head` in front of a file's content (streamed copy through a 1 MiB buffer, then rename). */
export function prependBytes(file: string, head: Uint8Array): void {
  const tmp = `${file}.prepend`;
  const input = openSync(file, "r");
  let output: number | null = null;
  try {
    output = openSync(tmp, "wx");
    const writeAll = (b: Uint8Array, n: number) => {
      for (let done = 0; done < n;) done += writeSync(output as number, b, done, n - done);
    };
    writeAll(head, head.length);
    const buf = new Uint8Array(COPY_CHUNK_BYTES);
    for (let n; (n = readSync(input, buf, 0, buf.length, null)) > 0;) writeAll(buf, n);
    closeSync(output);
    output = null;
    renameSync(tmp, file);
  } catch (e) {
    if (output !== null) closeSync(output);
    removeQuietly(tmp);
    throw new MastersmithError("E_WRITE_FAILED", { file, detail: (e as { code?: string }).code, cause: e });
  } finally {
    closeSync(input);
  }
}

/** Raw sample layouts the external encoders read from stdin (little-endian, interleaved). */
export type PipeSampleFormat = "s16" | "s24" | "f32";

const BYTES: Record<PipeSampleFormat, number> = { s16: 2, s24: 3, f32: 4 };
const STDERR_KEEP_BYTES = 4096;

/**
 * Streams interleaved samples into an external encoder and waits for it to finish. The encoder
 * writes `partial` itself; `finish` returns once it exited with status 0, else throws
 * E_WRITE_FAILED with the tail of its stderr.
 */
export class PipeEncoder {
  framesWritten = 0;
  private readonly child: ChildProcess;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderrTail = "";
  private failure: Error | null = null;
  private done = false;
  private readonly bytesPerSample: number;

  constructor(
    private readonly file: string,
    tool: string,
    args: readonly string[],
    private readonly channels: number,
    private readonly sampleFormat: PipeSampleFormat,
  ) {
    this.bytesPerSample = BYTES[sampleFormat];
    this.child = spawn(tool, args, { stdio: ["pipe", "ignore", "pipe"] });
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-STDERR_KEEP_BYTES);
    });
    // EPIPE when the encoder dies early: reported by finish() with its stderr.
    this.child.stdin?.on("error", (e) => { this.failure ??= e; });
    this.exited = new Promise((resolve) => {
      this.child.on("error", (e) => {
        this.failure ??= e;
        resolve({ code: null, signal: null });
      });
      this.child.on("close", (code, signal) => resolve({ code, signal }));
    });
  }

  async write(planes: Float32Array[], frames: number): Promise<void> {
    if (planes.length !== this.channels) {
      throw new MastersmithError("E_BAD_ARGUMENT", { file: this.file, detail: `${planes.length} channels given, ${this.channels} expected` });
    }
    if (frames === 0) return;
    // A fresh buffer per block: the stream keeps a reference until the child has read it.
    const buf = Buffer.allocUnsafe(frames * this.channels * this.bytesPerSample);
    interleave(planes, frames, this.sampleFormat, buf);
    const stdin = this.child.stdin;
    if (stdin === null || this.failure !== null || stdin.destroyed) throw await this.error("the encoder stopped reading");
    if (!stdin.write(buf)) {
      await Promise.race([
        new Promise<void>((resolve) => stdin.once("drain", resolve)),
        this.exited.then(() => undefined),
      ]);
    }
    this.framesWritten += frames;
  }

  /** Closes stdin and waits for the encoder to exit cleanly. */
  async finish(): Promise<void> {
    this.child.stdin?.end();
    const { code, signal } = await this.exited;
    this.done = true;
    if (code !== 0) throw await this.error(signal !== null ? `killed by ${signal}` : `exit status ${code}`);
  }

  async kill(): Promise<void> {
    if (this.done) return;
    this.child.stdin?.destroy();
    this.child.kill("SIGKILL");
    await this.exited;
    this.done = true;
  }

  private async error(what: string): Promise<MastersmithError> {
    const failure = this.failure as { code?: string } | null;
    if (failure?.code === "ENOENT") return new MastersmithError("E_ENCODER_UNAVAILABLE", { file: this.file, detail: "encoder program not found" });
    const tail = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
    return new MastersmithError("E_WRITE_FAILED", { file: this.file, detail: `encoder ${what}${tail ? `: ${tail}` : ""}` });
  }
}

/**
 * The Encoder of a pipe-fed tool writing `partial`: on close the pipe finishes, `afterFinish`
 * post-processes the partial file (tags, gapless atoms), and the file gets its real name; on a
 * failure, or on abort, the partial file (and every path in `temporaries`) is removed.
 */
export function pipedEncoder(path: string, partial: string, pipe: PipeEncoder, force: boolean,
  afterFinish?: (partial: string, framesWritten: number) => void, temporaries: readonly string[] = []): Encoder {
  const cleanUp = (): void => { for (const t of temporaries) removeQuietly(t); };
  return {
    path,
    get framesWritten() { return pipe.framesWritten; },
    write: (channels, frames) => pipe.write(channels, frames),
    async close() {
      try {
        await pipe.finish();
        afterFinish?.(partial, pipe.framesWritten);
      } catch (e) {
        removeQuietly(partial);
        throw e;
      } finally {
        cleanUp();
      }
      publish(partial, path, force);
    },
    async abort() {
      await pipe.kill();
      removeQuietly(partial);
      cleanUp();
    },
  };
}

/** Interleaves and converts: integers rounded to nearest and clamped (callers dither first). */
export function interleave(planes: Float32Array[], frames: number, format: PipeSampleFormat, out: Buffer): void {
  const ch = planes.length;
  if (format === "f32") {
    for (let c = 0; c < ch; c++) {
      const s = planes[c];
      for (let i = 0, p = c * 4; i < frames; i++, p += 4 * ch) out.writeFloatLE(s[i], p);
    }
    return;
  }
  const bits = format === "s16" ? 16 : 24;
  const scale = 2 ** (bits - 1);
  const max = scale - 1;
  const min = -scale;
  const stride = (bits / 8) * ch;
  for (let c = 0; c < ch; c++) {
    const s = planes[c];
    for (let i = 0, p = (c * bits) / 8; i < frames; i++, p += stride) {
      let v = Math.round(s[i] * scale);
      if (!(v <= max)) v = v > max ? max : 0; // NaN becomes 0
      if (v < min) v = min;
      if (bits === 16) out.writeInt16LE(v, p);
      else out.writeIntLE(v, p, 3);
    }
  }
}

/** Command-line safe rendering of a sample rate in kHz for lame ("44.1", "48"). */
export function khz(sampleRateHz: number): string {
  return String(sampleRateHz / 1000);
}
