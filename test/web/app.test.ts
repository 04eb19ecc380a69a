// End-to-end tests of the web app in Debian's headless Chromium (playwright-core): upload an
// excerpt of dev07, see the analysis, change the target, toggle A/B, download, and check with
// the core meter (analyzeFile) that the downloaded master hits the chosen target. Both download
// paths: private (rendered and written in the browser) and the server's job API, when
// `mastersmith serve` is available. Bad uploads must show clear errors on the page.
// Screenshots of the main states go to test-output/screenshots/.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { analyzeFile } from "../../src/pipeline/analyze.js";
// @ts-expect-error plain JS helper without declarations
import { buildWeb, openPage, ROOT, serverCommand, startAppServer, startStaticServer } from "./harness.mjs";

// The page's globals, as far as the functions evaluated in the page use them (this file is
// typechecked with Node's libs, not the DOM's).
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  getElementById(id: string): { innerText: string } | null;
  querySelector(selector: string): { textContent: string | null } | null;
};
declare const window: unknown;

const DEV07 = "/work/shared/corpus/dev/dev07_weight_of_revenge_UNMASTERED.flac";
const SHOTS = join(ROOT, "test-output", "screenshots");
const TIMEOUT_MS = 90_000;

interface Served { origin: string; close: () => Promise<void> }
interface Opened { page: Page; errors: string[]; close: () => Promise<void> }

let tmp = "";
let excerpt = "";
let server: Served;
let usingRealServer = false;
let browser: Opened;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function load(page: Page, path: string): Promise<void> {
  await page.setInputFiles("#file", path);
}

async function waitPreview(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.preview === "ready", undefined, { timeout: TIMEOUT_MS });
}

async function figure(page: Page, container: string, id: string): Promise<number> {
  const text = await page.locator(`#${container} [data-figure=${id}] .value`).innerText();
  return Number.parseFloat(text);
}

async function downloadAll(page: Page, dir: string): Promise<string[]> {
  await page.waitForFunction(() => document.body.dataset.download === "ready", undefined, { timeout: TIMEOUT_MS });
  const links = page.locator("#files a");
  const saved: string[] = [];
  for (let i = 0; i < await links.count(); i++) {
    const [download] = await Promise.all([page.waitForEvent("download"), links.nth(i).click()]);
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    saved.push(path);
  }
  return saved;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "mastersmith-web-test-"));
  mkdirSync(SHOTS, { recursive: true });
  excerpt = join(tmp, "dev07_excerpt.flac");
  // 20 s of dev07 (its loud part) as 24-bit FLAC, like a producer's upload.
  const r = spawnSync("ffmpeg", ["-v", "error", "-y", "-ss", "20", "-t", "20", "-i", DEV07, "-c:a", "flac", "-sample_fmt", "s32", excerpt]);
  assert.equal(r.status, 0, String(r.stderr));
  await buildWeb();
  if (serverCommand() !== null) {
    try {
      server = await startAppServer(join(tmp, "data"));
      usingRealServer = true;
    } catch (e) {
      console.error(`web test: mastersmith serve did not start, using the static server: ${(e as Error).message}`);
    }
  }
  if (!usingRealServer) server = await startStaticServer();
  browser = await openPage(server.origin);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("web app", { timeout: 240_000 }, () => {
  test("bad uploads show clear errors on the page", async () => {
    const { page } = browser;
    const empty = join(tmp, "empty.wav");
    writeFileSync(empty, new Uint8Array(0));
    await load(page, empty);
    await page.locator("#error").waitFor({ state: "visible" });
    assert.match(await page.locator("#error").innerText(), /E_EMPTY_FILE[\s\S]*empty\.wav[\s\S]*is empty/);
    await shot(page, "error-empty");

    const text = join(tmp, "notes.wav");
    writeFileSync(text, "These are my session notes, not audio at all.\n".repeat(20));
    await load(page, text);
    await page.waitForFunction(() => /E_UNSUPPORTED_FORMAT/.test(document.getElementById("error")?.innerText ?? ""), undefined, { timeout: TIMEOUT_MS });
    assert.match(await page.locator("#error").innerText(), /notes\.wav.*not in an audio format.*looks like text/);
    assert.equal(await page.locator("#workspace").isVisible(), false);
    await shot(page, "error-not-audio");

    const truncated = join(tmp, "cut.flac");
    writeFileSync(truncated, new Uint8Array(await import("node:fs").then((fs) => fs.readFileSync(excerpt).subarray(0, 30))));
    await load(page, truncated);
    await page.waitForFunction(() => /E_(TRUNCATED|CORRUPT|BAD_HEADER)/.test(document.getElementById("error")?.innerText ?? ""), undefined, { timeout: TIMEOUT_MS });
  });

  test("upload, analysis, target change, A/B, private download hits the target", async () => {
    const { page, errors } = browser;
    await page.locator("#private").check();
    await load(page, excerpt);
    await waitPreview(page);
    assert.equal(await page.locator("#error").isVisible(), false);
    // Analysis at a glance: the key figures match the Node analysis of the same file.
    const node = await analyzeFile(excerpt);
    const shown = await figure(page, "figures", "integrated");
    assert.ok(Math.abs(shown - node.loudness.integratedLufs!) <= 0.05, `page ${shown} vs node ${node.loudness.integratedLufs}`);
    assert.ok((await page.locator("#notes li").count()) >= 1);
    const firstSound = await page.evaluate(() => (window as unknown as { mastersmith: { timeline: { firstSoundAt: number } } }).mastersmith.timeline.firstSoundAt);
    assert.ok(firstSound > 0, "the loudest section started playing");
    await shot(page, "analysis-and-preview");

    // Change the target: Apple Music, -16 LUFS / -1 dBTP.
    await page.selectOption("#target", "apple");
    await page.waitForFunction(() => {
      const m = (window as unknown as { mastersmith: { plan: { target: { integratedLufs: number } } | null } }).mastersmith;
      return document.body.dataset.preview === "ready" && m.plan?.target.integratedLufs === -16;
    }, undefined, { timeout: TIMEOUT_MS });
    await page.waitForFunction(() => Number.parseFloat(document.querySelector("#master-figures [data-figure=integrated] .value")?.textContent ?? "") === -16, undefined, { timeout: TIMEOUT_MS });

    // A/B by key, playhead kept, loudness-matched by default.
    type P = { playing: boolean; side: string; positionS: number; matched: boolean; gainsDb: { A: number; B: number } };
    const player = (): Promise<P> => page.evaluate(() => (window as unknown as { mastersmith: { player: P } }).mastersmith.player);
    if (!(await player()).playing) await page.keyboard.press("Space");
    await page.waitForFunction(() => document.body.dataset.meters === "live", undefined, { timeout: TIMEOUT_MS });
    const before = await player();
    await page.keyboard.press("b");
    const afterSwitch = await player();
    assert.notEqual(afterSwitch.side, before.side);
    assert.ok(afterSwitch.positionS >= before.positionS && afterSwitch.positionS - before.positionS < 1, "the playhead is kept across A/B");
    assert.equal(afterSwitch.matched, true);
    assert.ok(afterSwitch.gainsDb.A < 0 || afterSwitch.gainsDb.B < 0, "the louder side is turned down");
    await shot(page, "ab-mix-playing");
    await page.locator("#matched").uncheck();
    assert.deepEqual((await player()).gainsDb, { A: 0, B: 0 });
    await page.locator("#matched").check();
    await page.keyboard.press("Space");
    assert.equal((await player()).playing, false);

    // Private download: WAV 24 rendered in the browser, measured in Node with the core meter.
    await page.locator("#download").click();
    const files = await downloadAll(page, tmp);
    await shot(page, "private-download");
    const wav = files.find((f) => f.endsWith(".wav"));
    assert.ok(wav, `a WAV among ${files.join(", ")}`);
    assert.ok(files.some((f) => f.endsWith(".json")), "a report");
    const master = await analyzeFile(wav);
    assert.equal(master.format.bitDepth, 24);
    assert.equal(master.format.frames, node.format.frames, "same length as the mix");
    assert.ok(Math.abs(master.loudness.integratedLufs! - -16) <= 0.1, `integrated ${master.loudness.integratedLufs} LUFS, target -16`);
    assert.ok(master.loudness.truePeakDbtp! <= -1 + 0.05, `true peak ${master.loudness.truePeakDbtp} dBTP, ceiling -1`);
    assert.deepEqual(errors, []);
  });

  test("server download: the job API renders the previewed plan", { skip: false }, async (t) => {
    if (!usingRealServer) { t.skip("mastersmith serve is not available"); return; }
    const { page, errors } = browser;
    await page.locator("#private").uncheck();
    await page.selectOption("#target", "custom");
    await page.fill("#lufs", "-12");
    await page.fill("#ceiling", "-1.5");
    await page.locator("#lufs").dispatchEvent("change");
    await page.waitForFunction(() => {
      const m = (window as unknown as { mastersmith: { plan: { target: { integratedLufs: number; ceilingDbtp: number } } | null } }).mastersmith;
      return document.body.dataset.preview === "ready" && m.plan?.target.integratedLufs === -12 && m.plan.target.ceilingDbtp === -1.5;
    }, undefined, { timeout: TIMEOUT_MS });
    await page.locator("input[name=outputs][value=mp3]").check();
    await page.locator("#download").click();
    const files = await downloadAll(page, join(tmp, "server"));
    await shot(page, "server-download");
    const wav = files.find((f) => f.endsWith(".wav"));
    assert.ok(wav, `a WAV among ${files.join(", ")}`);
    assert.ok(files.some((f) => f.endsWith(".mp3")), "an MP3");
    assert.ok(statSync(wav).size > 0);
    const master = await analyzeFile(wav);
    assert.ok(Math.abs(master.loudness.integratedLufs! - -12) <= 0.1, `integrated ${master.loudness.integratedLufs} LUFS, target -12`);
    assert.ok(master.loudness.truePeakDbtp! <= -1.5 + 0.05, `true peak ${master.loudness.truePeakDbtp} dBTP, ceiling -1.5`);
    assert.deepEqual(errors, []);
  });
});
