/**
 * The `mastersmith` command line. Start-up is kept lean: each command's module (and the DSP it
 * needs) is imported only when that command runs, so `mastersmith --help` loads almost nothing.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { MastersmithError, isMastersmithError } from "../core/codes.js";

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  run(values: Record<string, unknown>, positionals: string[], io: CommandIo): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  analyze: {
    summary: "measure loudness, true peak, LRA, stereo image and spectrum (BS.1770-4 / EBU R128)",
    load: async () => (await import("./analyze.js")).analyzeCommand,
  },
  convert: {
    summary: "convert to WAV, FLAC, MP3, AAC (M4A) or Opus with tags, gapless, dithered only where needed",
    load: async () => (await import("./convert.js")).convertCommand,
  },
  render: {
    summary: "render a mix through an explicit chain (ChainSpec JSON), sample-aligned",
    load: async () => (await import("./render.js")).renderCommand,
  },
  serve: {
    summary: "serve the web app and the job API on localhost (embedded job store and worker pool)",
    load: async () => (await import("./serve.js")).serveCommand,
  },
  master: {
    summary: "master a mix: analyze, plan, render, verify (loudness on target, true peak under the ceiling)",
    load: async () => (await import("./master.js")).masterCommand,
  },
};

const VERSION = "0.1.0";

function mainHelp(): string {
  const lines = [
    "mastersmith: automated audio mastering",
    "",
    "Usage: mastersmith <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    "",
    "Run `mastersmith <command> --help` for a command's options.",
    "Options: --help, --version",
  ];
  return lines.join("\n") + "\n";
}

/**
 * `--lufs -14` as `--lufs=-14`: parseArgs takes a value starting with "-" for an option, so a
 * negative number after a string option is joined to it (loudness and ceilings are negative).
 */
function joinNegativeValues(args: readonly string[], options: Command["options"]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : null;
    const next = args[i + 1];
    if (name !== null && options[name]?.type === "string" && next !== undefined && /^-\d*\.?\d/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
}

/** Runs the CLI; returns the process exit status (0 ok, 1 some inputs failed, 2 usage error). */
export async function main(argv: readonly string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    io.stdout.write(mainHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-v") {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[first];
  if (entry === undefined) {
    io.stderr.write(`mastersmith: unknown command '${first}'\n\n${mainHelp()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(`Usage: ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(rest, command.options), options: command.options, allowPositionals: true, strict: true });
  } catch (e) {
    io.stderr.write(`mastersmith ${command.name}: ${(e as Error).message}\nUsage: ${command.usage}\n`);
    return 2;
  }
  try {
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (e) {
    if (isMastersmithError(e)) {
      io.stderr.write(`mastersmith ${command.name}: error ${e.code}: ${e.message}\n`);
      return e.code === "E_BAD_ARGUMENT" ? 2 : 1;
    }
    const internal = new MastersmithError("E_INTERNAL", { detail: (e as Error)?.message ?? String(e) });
    io.stderr.write(`mastersmith ${command.name}: error ${internal.code}: ${internal.message}\n`);
    if (process.env.MASTERSMITH_DEBUG) io.stderr.write(`${(e as Error)?.stack}\n`);
    return 1;
  }
}
