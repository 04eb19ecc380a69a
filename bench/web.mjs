// Benchmark: the web app in headless Chromium with a 4-minute mix (24-bit 44.1 kHz WAV made from
// the dev corpus): time from the drop to the first preview sound (the loudest section rendered
// and playing) and to the full preview (whole track rendered, drive verified, master analyzed),
// as the page's own performance.now() marks (web/src/app.ts, window.mastersmith.timeline).
// Each run opens a fresh page; the median of `runs` is printed, with the file's duration.
/* global document, window -- the functions passed to page.waitForFunction / evaluate run in the page */
import { corpusWav, median } from "./lib.mjs";
import { buildWeb, openPage, startStaticServer } from "../test/web/harness.mjs";

const SECONDS = 240;

export async function benchWeb({ runs = 3 } = {}) {
  const file = corpusWav(SECONDS);
  await buildWeb();
  const server = await startStaticServer();
  const marks = [];
  try {
    for (let i = 0; i < runs; i++) {
      const { page, errors, close } = await openPage(server.origin);
      try {
        await page.setInputFiles("#file", file);
        await page.waitForFunction(() => document.body.dataset.preview === "ready" || !document.getElementById("error").hidden,
          undefined, { timeout: 600_000 });
        const t = await page.evaluate(() => window.mastersmith.timeline);
        if (!(t.fullPreviewAt > 0 && t.firstSoundAt > 0)) throw new Error(`the preview did not finish: ${errors.join("; ")}`);
        marks.push({ decode: t.decodeMs, analyze: t.analyzeMs, analysis: t.analysisAt - t.dropAt, firstSound: t.firstSoundAt - t.dropAt, full: t.fullPreviewAt - t.dropAt });
      } finally {
        await close();
      }
    }
  } finally {
    await server.close();
  }
  const m = (key) => (median(marks.map((x) => x[key])) / 1000).toFixed(2);
  return [
    `web (Chromium, ${SECONDS / 60}-min 24-bit WAV, median of ${runs}): drop -> analysis ${m("analysis")} s ` +
      `(decode ${m("decode")} s, analyze ${m("analyze")} s), ` +
      `-> first preview sound ${m("firstSound")} s, -> full preview ${m("full")} s`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchWeb({ runs: Number(process.argv[2] ?? 3) })) console.log(line);
}
