/**
 * Receiving a job's upload: a multipart/form-data body streamed field by field (busboy) with each
 * file piped straight to disk, so memory stays flat whatever the size (a 2 GB mix costs a few
 * 64 KiB buffers). Over-size files are cut at the limit and refused; the client's file names are
 * sanitized and kept only as labels (the store names files itself).
 */
import type { IncomingMessage } from "node:http";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { MastersmithError } from "../core/codes.js";

export interface ReceivedFile {
  /** Where the bytes are (the store's uploads directory). */
  readonly path: string;
  /** The client's file name, sanitized. */
  readonly name: string;
  readonly bytes: number;
}

export interface ReceivedUpload {
  readonly file: ReceivedFile;
  readonly references: readonly ReceivedFile[];
  /** The `options` field, unparsed (undefined when absent). */
  readonly optionsText: string | undefined;
}

export interface UploadLimits {
  /** Largest accepted file, bytes (each of `file` and `reference`). */
  readonly maxFileBytes: number;
  readonly maxReferences: number;
}

const MAX_NAME_CHARS = 120;

/**
 * A client file name made safe to show and to derive output names from: the last path segment
 * (either slash), no control or reserved characters, no leading dots, at most 120 characters
 * with the extension kept; "upload" when nothing is left. "../../etc/passwd" -> "passwd".
 */
export function sanitizeFileName(raw: string | undefined): string {
  const last = (raw ?? "").split(/[\\/]/).pop() ?? "";
  let name = last.normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .replace(/[<>:"|?*%]/g, "_")
    .replace(/\s+/g, " ")
    .replace(/^[.\s]+/, "")
    .trim();
  if (name.length > MAX_NAME_CHARS) {
    const dot = name.lastIndexOf(".");
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : "";
    name = name.slice(0, MAX_NAME_CHARS - ext.length) + ext;
  }
  return name === "" ? "upload" : name;
}

function badUpload(detail: string): MastersmithError {
  return new MastersmithError("E_BAD_UPLOAD", { file: "the request", detail });
}

/**
 * Streams the multipart body of `req` to files from `newPath()`. Resolves once the body is read
 * and every file is on disk (flushed); throws a MastersmithError (E_BAD_UPLOAD,
 * E_UPLOAD_TOO_LARGE, E_BAD_ARGUMENT) after deleting whatever it wrote.
 */
export async function receiveUpload(req: IncomingMessage, newPath: () => string, limits: UploadLimits): Promise<ReceivedUpload> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { fileSize: limits.maxFileBytes, files: 1 + limits.maxReferences, fields: 4, fieldSize: 64 * 1024, parts: 8 + limits.maxReferences },
    });
  } catch (e) {
    throw badUpload(`expected multipart/form-data (${(e as Error).message})`);
  }
  const written: string[] = [];
  const writes: Promise<void>[] = [];
  const references: ReceivedFile[] = [];
  let file: ReceivedFile | null = null;
  let optionsText: string | undefined;
  let failure: MastersmithError | null = null;
  const fail = (e: MastersmithError): void => {
    failure ??= e;
  };

  const parsed = new Promise<void>((resolve) => {
    parser.on("file", (field, stream, info) => {
      if (failure !== null || (field !== "file" && field !== "reference")) {
        if (failure === null) fail(badUpload(`unexpected file field '${sanitizeFileName(field)}' (use 'file' and 'reference')`));
        stream.resume();
        return;
      }
      if (field === "file" && file !== null) {
        fail(badUpload("more than one 'file' field"));
        stream.resume();
        return;
      }
      const name = sanitizeFileName(info.filename);
      const path = newPath();
      written.push(path);
      let bytes = 0;
      stream.on("data", (chunk: Buffer) => { bytes += chunk.length; });
      stream.on("limit", () => {
        fail(new MastersmithError("E_UPLOAD_TOO_LARGE", { file: name, detail: `the limit is ${limits.maxFileBytes} bytes` }));
      });
      // flush: the bytes reach the disk before the job that owns them is recorded.
      const write = pipeline(stream, createWriteStream(path, { flush: true })).then(() => {
        const received: ReceivedFile = { path, name, bytes };
        if (field === "file") file = received;
        else references.push(received);
      }, (e: Error) => fail(new MastersmithError("E_WRITE_FAILED", { file: name, detail: e.message })));
      writes.push(write);
    });
    parser.on("field", (field, value, info) => {
      if (field === "options") {
        if (info.valueTruncated) fail(new MastersmithError("E_BAD_ARGUMENT", { detail: "options: longer than 64 KiB" }));
        optionsText = value;
      } else fail(badUpload(`unexpected field '${sanitizeFileName(field)}' (use 'file', 'reference' and 'options')`));
    });
    parser.on("filesLimit", () => fail(badUpload(`at most one 'file' and ${limits.maxReferences} 'reference' files`)));
    parser.on("partsLimit", () => fail(badUpload("too many parts")));
    parser.on("fieldsLimit", () => fail(badUpload("too many fields")));
    parser.on("error", (e: Error) => {
      fail(badUpload(e.message));
      resolve();
    });
    parser.on("close", () => resolve());
    req.on("aborted", () => {
      fail(badUpload("the client closed the connection before the upload ended"));
      resolve();
    });
  });
  req.pipe(parser);
  await parsed;
  await Promise.all(writes);
  if (failure === null && file === null) failure = badUpload("no 'file' field with the mix");
  if (failure !== null) {
    await Promise.all(written.map((path) => rm(path, { force: true })));
    throw failure;
  }
  return { file: file!, references, optionsText };
}
