// `npm run bench`: every benchmark, printed as ratios against the tools people use today.
// Optional arguments pick benchmarks by name: `npm run bench -- analyze chain`.
import { benchAnalyze } from "./analyze.mjs";
import { benchBrowser } from "./browser.mjs";
import { benchChain } from "./chain.mjs";
import { benchConvert } from "./convert.mjs";
import { benchMaster } from "./master.mjs";
import { benchWeb } from "./web.mjs";
import { benchJobs } from "./jobs.mjs";

const BENCHES = { analyze: benchAnalyze, chain: benchChain, browser: benchBrowser, convert: benchConvert, jobs: benchJobs, web: benchWeb, master: benchMaster };
const wanted = process.argv.slice(2);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  for (const line of await bench()) console.log(line);
}
