/**
 * `mastersmith serve [--port N] [--data DIR] [--host H] [--max-upload-mb N] [--workers N]`
 *
 * One process: the web app, the job API, the store and the worker pool (src/server). Prints the
 * URL it listens on (first line of stdout, so scripts can read the port when given --port 0) and
 * runs until SIGINT or SIGTERM; unfinished jobs are resumed at the next start.
 */
import { resolve } from "node:path";
import { MastersmithError } from "../core/codes.js";
import type { Command, CommandIo } from "./main.js";

function positiveInteger(name: string, value: unknown, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new MastersmithError("E_BAD_ARGUMENT", { detail: `--${name} '${String(value)}' is not a ${allowZero ? "non-negative" : "positive"} integer` });
  }
  return n;
}

export const serveCommand: Command = {
  name: "serve",
  summary: "Serve the web app and the job API on localhost (embedded job store and worker pool).",
  usage: "mastersmith serve [options]\n" +
    "  --port N            port to listen on (default 8080; 0 picks a free one)\n" +
    "  --host H            address to listen on (default 127.0.0.1)\n" +
    "  --data DIR          where jobs and their files are kept (default ./mastersmith-data)\n" +
    "  --max-upload-mb N   largest accepted upload per file (default 4096)\n" +
    "  --workers N         jobs run at once, one worker thread each (default: one per core)",
  options: {
    port: { type: "string" },
    host: { type: "string" },
    data: { type: "string" },
    "max-upload-mb": { type: "string" },
    workers: { type: "string" },
  },
  async run(values, positionals, io: CommandIo): Promise<number> {
    if (positionals.length > 0) throw new MastersmithError("E_BAD_ARGUMENT", { detail: `unexpected argument '${positionals[0]}'` });
    const port = positiveInteger("port", values.port, true);
    if (port !== undefined && port > 65535) throw new MastersmithError("E_BAD_ARGUMENT", { detail: `--port ${port} is out of range` });
    const maxUploadMb = positiveInteger("max-upload-mb", values["max-upload-mb"]);
    const { startServer } = await import("../server/app.js");
    const dataDir = resolve(typeof values.data === "string" ? values.data : "mastersmith-data");
    const server = await startServer({
      dataDir,
      port,
      host: typeof values.host === "string" ? values.host : undefined,
      maxUploadBytes: maxUploadMb === undefined ? undefined : maxUploadMb * 1024 * 1024,
      workers: positiveInteger("workers", values.workers),
    });
    io.stdout.write(`Mastersmith listening on ${server.url}/\n`);
    io.stderr.write(`  data ${dataDir}, ${server.workers} worker${server.workers === 1 ? "" : "s"}` +
      `${server.resumed > 0 ? `, ${server.resumed} unfinished job${server.resumed === 1 ? "" : "s"} resumed` : ""}\n`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void server.close().then(done, done);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  },
};
