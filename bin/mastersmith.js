#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm install` through "prepare").
if (process.env.MASTERSMITH_REPORT_RSS) {
  // For `npm run bench`: the whole process's peak resident memory, on stderr.
  process.on("exit", () => {
    process.stderr.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB\n`);
  });
}
import("../dist/cli/main.js").then(
  (cli) => cli.main(process.argv.slice(2)).then((code) => { process.exitCode = code; }),
  (err) => {
    if (err && err.code === "ERR_MODULE_NOT_FOUND") {
      process.stderr.write("mastersmith: the CLI is not built; run `npm install` (or `npm run build`) first\n");
      process.exitCode = 2;
    } else throw err;
  },
);
