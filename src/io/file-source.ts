/**
 * Random-access reads from a file through a synchronous handle. Sync reads are used on purpose:
 * the analysis path reads sequential blocks of a few tens of kilobytes, where `fs.readSync` is
 * several times faster than the promise API and nothing else would run in the meantime anyway.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { MastersmithError } from "../core/codes.js";

export class FileSource {
  readonly file: string;
  readonly sizeBytes: number;
  private fd: number | null;

  private constructor(file: string, fd: number, sizeBytes: number) {
    this.file = file;
    this.fd = fd;
    this.sizeBytes = sizeBytes;
  }

  /** Opens `file` for reading; E_NOT_FOUND, E_IS_DIRECTORY, E_EMPTY_FILE or E_READ_FAILED. */
  static open(file: string): FileSource {
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch (e) {
      throw fsError(file, e);
    }
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new MastersmithError("E_IS_DIRECTORY", { file });
      if (!st.isFile()) throw new MastersmithError("E_READ_FAILED", { file, detail: "not a regular file" });
      if (st.size === 0) throw new MastersmithError("E_EMPTY_FILE", { file });
      return new FileSource(file, fd, st.size);
    } catch (e) {
      closeSync(fd);
      throw e instanceof MastersmithError ? e : fsError(file, e);
    }
  }

  /**
   * Reads up to `length` bytes at `position` into `buf` from offset 0; returns the count read,
   * short only at the end of the file.
   */
  readAt(buf: Uint8Array, length: number, position: number): number {
    if (this.fd === null) throw new MastersmithError("E_INTERNAL", { file: this.file, detail: "read after close" });
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(this.fd, buf, done, length - done, position + done);
      } catch (e) {
        throw fsError(this.file, e);
      }
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /** Reads exactly `length` bytes at `position` into a new array, or null if the file is shorter. */
  readExact(length: number, position: number): Uint8Array | null {
    const buf = new Uint8Array(length);
    return this.readAt(buf, length, position) === length ? buf : null;
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      closeSync(fd);
    } catch {
      // Closing a read-only handle cannot lose data; nothing useful to report.
    }
  }
}

/** Maps a Node fs error to a stable code naming the file; never leaks a stack trace to the user. */
export function fsError(file: string, e: unknown): MastersmithError {
  const code = (e as { code?: string } | null)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") return new MastersmithError("E_NOT_FOUND", { file, cause: e });
  if (code === "EISDIR") return new MastersmithError("E_IS_DIRECTORY", { file, cause: e });
  const detail = code ?? (e instanceof Error ? e.message : String(e));
  return new MastersmithError("E_READ_FAILED", { file, detail, cause: e });
}
