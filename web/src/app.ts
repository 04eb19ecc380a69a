/**
 * The page: drop a mix, see its analysis, preview the master with a loudness-matched A/B and
 * live meters, adjust, download. The engine (decode, analyze, plan, render) runs in a Worker;
 * the live meters in a second one; this thread only draws, plays and talks to the server.
 */
import type { AnalysisReport } from "../../src/core/meter/analyzer.js";
import { mixFeedback } from "../../src/core/plan/feedback.js";
import { TARGETS, TARGET_NAMES } from "../../src/core/plan/targets.js";
import type { MasterIntent, MasterPlan, StyleName, TargetName } from "../../src/core/plan/types.js";
import type { AudioInfo } from "../../src/io/types.js";
import { ApiError, createJob, waitForJob } from "./api.js";
import { PRIVATE_READS } from "./decode.js";
import { COLORS, drawLoudness, drawSpectrum, drawWaveform, type SpectrumLine } from "./draw.js";
import { Player } from "./player.js";
import type { EngineReply, EngineRequest, MasterSummary, MeterReading, MeterRequest, Peaks, Step } from "./protocol.js";
import { PRIVATE_WRITES } from "./wav-encode.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

const STEP_LABELS: Record<Step | "read" | "upload" | "server", string> = {
  read: "Reading the file", decode: "Decoding", analyze: "Analyzing", render: "Rendering the master",
  verify: "Verifying loudness", encode: "Writing WAV", reference: "Reference", upload: "Uploading", server: "Server render",
};
const AMOUNTS = ["eqAmount", "dynamicsAmount", "widthAmount"] as const;

interface Timeline { dropAt: number; analysisAt: number; firstSoundAt: number; fullPreviewAt: number; decodeMs: number; analyzeMs: number }

const state = {
  file: null as File | null,
  reference: null as File | null,
  info: null as AudioInfo | null,
  report: null as AnalysisReport | null,
  peaks: null as Peaks | null,
  plan: null as MasterPlan | null,
  master: null as MasterSummary | null,
  generation: 0,
  section: null as [number, number] | null,
  partHeard: false,
  touched: new Set<string>(),
  timeline: { dropAt: 0, analysisAt: 0, firstSoundAt: 0, fullPreviewAt: 0, decodeMs: 0, analyzeMs: 0 } as Timeline,
  busy: false,
};

const engine = new Worker(new URL("./engine-worker.js", import.meta.url), { type: "module" });
const meters = new Worker(new URL("./meter-worker.js", import.meta.url), { type: "module" });
const player = new Player();
const send = (m: EngineRequest, transfer: Transferable[] = []): void => engine.postMessage(m, { transfer });
const sendMeter = (m: MeterRequest): void => meters.postMessage(m);

// ---- small view helpers ----------------------------------------------------------------------

function fmt(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits);
}

function timeText(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, "0")}`;
}

function showError(code: string, message: string): void {
  const box = $("error");
  box.replaceChildren();
  const c = document.createElement("code");
  c.textContent = code;
  box.append(c, document.createTextNode(message));
  box.hidden = false;
}

function clearError(): void {
  $("error").hidden = true;
}

const bars = new Map<string, HTMLElement>();
function setProgress(step: keyof typeof STEP_LABELS, fraction: number | null): void {
  let row = bars.get(step);
  if (fraction === null) { row?.remove(); bars.delete(step); return; }
  if (!row) {
    row = document.createElement("div");
    row.className = "step";
    row.dataset.step = step;
    const label = document.createElement("span");
    label.textContent = STEP_LABELS[step];
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.setAttribute("aria-label", STEP_LABELS[step]);
    const pct = document.createElement("span");
    row.append(label, bar, pct);
    $("progress").append(row);
    bars.set(step, row);
  }
  (row.querySelector("progress") as HTMLProgressElement).value = fraction;
  (row.lastElementChild as HTMLElement).textContent = `${Math.round(fraction * 100)} %`;
  if (fraction >= 1) {
    const done = row;
    setTimeout(() => { if (bars.get(step) === done && Number((done.querySelector("progress") as HTMLProgressElement).value) >= 1) setProgress(step, null); }, 800);
  }
}

function figure(label: string, value: string, unit: string, id: string): HTMLElement {
  const el = document.createElement("div");
  el.className = "figure";
  el.dataset.figure = id;
  el.innerHTML = `<div class="label"></div><div class="value"></div>`;
  (el.firstChild as HTMLElement).textContent = label;
  const v = el.lastChild as HTMLElement;
  v.textContent = value;
  const u = document.createElement("span");
  u.className = "unit";
  u.textContent = unit;
  v.append(u);
  return el;
}

function widthPct(sideToMidDb: number | null): string {
  // Side-to-mid energy ratio as a percentage of a fully decorrelated (side = mid) image.
  return sideToMidDb === null ? "–" : (100 * Math.pow(10, sideToMidDb / 20)).toFixed(0);
}

function showFigures(container: HTMLElement, s: { integratedLufs: number | null; truePeakDbtp: number | null; lraLu: number; plrDb: number | null; sideToMidDb: number | null; correlation: number | null }): void {
  container.replaceChildren(
    figure("Integrated", fmt(s.integratedLufs), "LUFS", "integrated"),
    figure("True peak", fmt(s.truePeakDbtp), "dBTP", "truePeak"),
    figure("LRA", fmt(s.lraLu), "LU", "lra"),
    figure("PLR", fmt(s.plrDb), "dB", "plr"),
    figure("Width", widthPct(s.sideToMidDb), "% S/M", "width"),
    figure("Correlation", fmt(s.correlation, 2), "", "correlation"),
  );
}

// ---- controls --------------------------------------------------------------------------------

function fillTargets(): void {
  const select = $<HTMLSelectElement>("target");
  for (const name of TARGET_NAMES) {
    const t = TARGETS[name];
    const o = document.createElement("option");
    o.value = name;
    o.textContent = `${t.label} (${t.integratedLufs} LUFS, ${t.ceilingDbtp} dBTP)`;
    select.append(o);
  }
  const custom = document.createElement("option");
  custom.value = "custom";
  custom.textContent = "Custom LUFS and ceiling";
  select.append(custom);
  select.value = "spotify";
}

function intent(): MasterIntent {
  const target = $<HTMLSelectElement>("target").value;
  const out: { -readonly [K in keyof MasterIntent]: MasterIntent[K] } = {};
  if (target === "custom") {
    out.lufs = Number($<HTMLInputElement>("lufs").value);
    out.ceiling = Number($<HTMLInputElement>("ceiling").value);
  } else {
    out.target = target as TargetName;
  }
  const style = $<HTMLSelectElement>("style").value;
  if (style) out.style = style as StyleName;
  out.intensity = Number($<HTMLInputElement>("intensity").value);
  for (const key of AMOUNTS) if (state.touched.has(key)) out[key] = Number($<HTMLInputElement>(key).value);
  const mono = $<HTMLSelectElement>("monoBass").value;
  if (mono) out.monoBass = Number(mono);
  return out;
}

function outputs(): string[] {
  return [...document.querySelectorAll<HTMLInputElement>("input[name=outputs]:checked")].map((i) => i.value);
}

let renderTimer = 0;
function requestRender(delayMs = 250): void {
  if (!state.report) return;
  window.clearTimeout(renderTimer);
  renderTimer = window.setTimeout(() => {
    state.generation++;
    state.partHeard = false;
    $<HTMLButtonElement>("download").disabled = true;
    send({ type: "render", generation: state.generation, intent: intent() });
    setProgress("render", 0);
    redraw();
  }, delayMs);
}

function targetLufs(): number | null {
  const t = $<HTMLSelectElement>("target").value;
  if (t === "custom") return Number($<HTMLInputElement>("lufs").value);
  return state.plan?.target.integratedLufs ?? TARGETS[t as TargetName]?.integratedLufs ?? null;
}

// ---- drawing ---------------------------------------------------------------------------------

function redraw(): void {
  if (!state.report || !state.peaks || !state.info) return;
  const durationS = state.info.frames / state.info.sampleRateHz;
  const pos = player.positionS();
  drawWaveform($<HTMLCanvasElement>("waveform"), state.peaks, durationS, state.section, pos);
  const series = state.report.series;
  if (series) drawLoudness($<HTMLCanvasElement>("loudness"), series.shortTermLufs, series.hopS, targetLufs(), pos);
}

function drawSpectra(): void {
  if (!state.report) return;
  const lines: SpectrumLine[] = [
    { db: state.report.spectrum.midDb, color: COLORS.mix, dashed: false },
    { db: state.report.spectrum.sideDb, color: COLORS.mix, dashed: true },
  ];
  if (state.master) {
    lines.push({ db: state.master.midDb, color: COLORS.master, dashed: false }, { db: state.master.sideDb, color: COLORS.master, dashed: true });
  }
  drawSpectrum($<HTMLCanvasElement>("spectrum"), state.report.spectrum.bandsHz, lines);
}

function showNotes(report: AnalysisReport): void {
  const list = $("notes");
  list.replaceChildren();
  const notes = mixFeedback(report);
  if (notes.length === 0) {
    const li = document.createElement("li");
    li.textContent = "Nothing to fix: no clipping, enough headroom, healthy stereo image.";
    list.append(li);
  }
  for (const d of notes) {
    const li = document.createElement("li");
    li.className = "warn";
    const code = document.createElement("code");
    code.textContent = d.code;
    li.append(code, document.createTextNode(d.message));
    list.append(li);
  }
}

function showDecisions(plan: MasterPlan): void {
  const list = $("decisions");
  list.replaceChildren();
  for (const d of plan.decisions) {
    const li = document.createElement("li");
    li.textContent = `${d.what} — ${d.why}`;
    list.append(li);
  }
}

function updateMatchNote(): void {
  const g = player.matchGainsDb();
  $("match-note").textContent = player.matched
    ? `(${g.B < 0 ? `master ${fmt(g.B)} dB` : g.A < 0 ? `mix ${fmt(g.A)} dB` : "levels equal"})`
    : "(real levels)";
}

function updateAbButtons(): void {
  $("ab-a").setAttribute("aria-pressed", String(player.side === "A"));
  $("ab-b").setAttribute("aria-pressed", String(player.side === "B"));
  document.body.dataset.side = player.side;
}

// ---- engine replies --------------------------------------------------------------------------

engine.onmessage = (event: MessageEvent<EngineReply>): void => {
  const m = event.data;
  switch (m.type) {
    case "progress":
      setProgress(m.step, m.fraction);
      return;
    case "error":
      for (const step of [...bars.keys()]) setProgress(step as Step, null);
      showError(m.code, m.message);
      state.busy = false;
      if (m.step === "decode") $("workspace").hidden = true;
      return;
    case "analysis": {
      state.timeline.analysisAt = performance.now();
      state.timeline.decodeMs = m.decodeMs;
      state.timeline.analyzeMs = m.analyzeMs;
      state.info = m.info;
      state.report = m.report;
      state.peaks = m.peaks;
      state.master = null;
      $("workspace").hidden = false;
      $("format").textContent = `${m.info.codec} · ${m.info.sampleRateHz} Hz · ${m.info.channels} ch · ${m.info.sampleFormat === "int" ? `${m.info.bitDepth}-bit` : "float"} · ${timeText(m.info.frames / m.info.sampleRateHz)}`;
      showFigures($("figures"), { ...m.report.loudness, sideToMidDb: m.report.stereo.sideToMidDb, correlation: m.report.stereo.correlation });
      $("master-figures").replaceChildren();
      showNotes(m.report);
      player.ensureContext(m.info.sampleRateHz);
      player.setMix(m.mix, m.info.sampleRateHz);
      sendMeter({ type: "buffers", sampleRateHz: m.info.sampleRateHz, mix: m.mix, master: null });
      $<HTMLButtonElement>("play").disabled = false;
      redraw();
      drawSpectra();
      requestRender(0);
      return;
    }
    case "referenceReady":
      $("reference-status").textContent = `Reference ${m.name}: ${fmt(m.integratedLufs)} LUFS integrated; the plan matches its tone (and its loudness unless a target is chosen).`;
      setProgress("reference", null);
      requestRender();
      return;
    case "previewPart": {
      if (m.generation !== state.generation || !state.info) return;
      state.plan = m.plan;
      const rate = state.info.sampleRateHz;
      state.section = [m.startFrame / rate, (m.startFrame + m.channels[0].length) / rate];
      const first = !player.hasMaster;
      player.setMaster(m.channels, m.startFrame);
      player.setDifference(m.differenceLu);
      updateMatchNote();
      if (first && !player.playing) {
        // Sound first: play the loudest section of the master as soon as it exists.
        player.setSide("B");
        updateAbButtons();
        player.seek(state.section[0]);
        void player.play().then(() => { if (!state.timeline.firstSoundAt) state.timeline.firstSoundAt = performance.now(); updatePlay(); });
      }
      redraw();
      return;
    }
    case "preview": {
      if (m.generation !== state.generation || !state.report) return;
      state.plan = m.plan;
      state.master = m.master;
      if (!state.timeline.fullPreviewAt) state.timeline.fullPreviewAt = performance.now();
      player.setMaster(m.channels, 0);
      if (!state.timeline.firstSoundAt && !player.playing) {
        // A mix shorter than the section: no part came first; play the whole master now.
        player.setSide("B");
        updateAbButtons();
        void player.play().then(() => { if (!state.timeline.firstSoundAt) state.timeline.firstSoundAt = performance.now(); updatePlay(); });
      }
      const mixLufs = state.report.loudness.integratedLufs;
      player.setDifference(m.master.integratedLufs !== null && mixLufs !== null ? m.master.integratedLufs - mixLufs : 0);
      updateMatchNote();
      sendMeter({ type: "buffers", sampleRateHz: state.info!.sampleRateHz, mix: null, master: m.channels });
      showFigures($("master-figures"), m.master);
      showDecisions(m.plan);
      drawSpectra();
      redraw();
      setProgress("render", null);
      $<HTMLButtonElement>("download").disabled = false;
      document.body.dataset.preview = "ready";
      return;
    }
    case "exported": {
      const blob = new Blob([m.bytes], { type: "audio/wav" });
      const base = (state.file?.name ?? "mix").replace(/\.[^.]+$/, "");
      addFile(`${base}_master_${m.bitDepth}bit.wav`, URL.createObjectURL(blob));
      exportsPending--;
      if (exportsPending === 0) {
        const report = { private: true, input: { name: state.file?.name, ...state.info }, analysis: state.report, plan: m.plan, master: m.master,
          formats: { reads: PRIVATE_READS, writes: PRIVATE_WRITES } };
        addFile(`${base}_report.json`, URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: "application/json" })));
        finishDownload();
      }
      return;
    }
  }
};

meters.onmessage = (event: MessageEvent<MeterReading>): void => {
  const r = event.data;
  const set = (id: string, value: number | null, lo: number, hi: number, text: string): void => {
    $(`${id}-val`).textContent = text;
    const f = value === null ? 0 : Math.max(0, Math.min(1, (value - lo) / (hi - lo)));
    $(`${id}-bar`).style.width = `${(f * 100).toFixed(1)}%`;
  };
  set("m", r.momentaryLufs, -40, 0, `${fmt(r.momentaryLufs)} LUFS`);
  set("s", r.shortTermLufs, -40, 0, `${fmt(r.shortTermLufs)} LUFS`);
  set("tp", r.truePeakDbtp, -30, 3, `${fmt(r.truePeakDbtp)} dBTP`);
  set("corr", r.correlation, -1, 1, fmt(r.correlation, 2));
  document.body.dataset.meters = "live";
};

// ---- download --------------------------------------------------------------------------------

let exportsPending = 0;

function addFile(name: string, url: string): void {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.textContent = name;
  li.append(a);
  $("files").append(li);
}

function finishDownload(): void {
  state.busy = false;
  $<HTMLButtonElement>("download").disabled = false;
  document.body.dataset.download = "ready";
}

async function download(): Promise<void> {
  if (!state.file || state.busy) return;
  clearError();
  state.busy = true;
  $<HTMLButtonElement>("download").disabled = true;
  $("files").replaceChildren();
  delete document.body.dataset.download;
  const wanted = outputs();
  if ($<HTMLInputElement>("private").checked) {
    const depths = wanted.filter((o) => o === "wav16" || o === "wav24").map((o) => (o === "wav16" ? 16 : 24) as 16 | 24);
    if (depths.length === 0) depths.push(24);
    exportsPending = depths.length;
    for (const bitDepth of depths) send({ type: "export", bitDepth });
    return;
  }
  try {
    setProgress("upload", 0);
    // The plan previewed here (drive tuned) goes with the job: the server renders what was heard.
    const options = state.plan ? { plan: state.plan, outputs: wanted.length ? wanted : ["wav24"] } : { ...intent(), outputs: wanted.length ? wanted : ["wav24"] };
    const id = await createJob(state.file, state.plan ? null : state.reference, options, (f) => setProgress("upload", f));
    setProgress("server", 0);
    const job = await waitForJob(id, (j) => setProgress("server", Math.min(0.99, j.progress)));
    setProgress("server", 1);
    for (const f of job.files) addFile(f.name, f.url);
    if (job.report !== null && !job.files.some((f) => f.name.endsWith(".json"))) {
      addFile("report.json", URL.createObjectURL(new Blob([JSON.stringify(job.report, null, 2)], { type: "application/json" })));
    }
    finishDownload();
  } catch (e) {
    setProgress("upload", null);
    setProgress("server", null);
    const code = e instanceof ApiError ? e.code : "E_INTERNAL";
    showError(code, e instanceof Error ? e.message : String(e));
    state.busy = false;
    $<HTMLButtonElement>("download").disabled = false;
  }
}

// ---- input -----------------------------------------------------------------------------------

function readFile(file: File): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (e) => { if (e.lengthComputable && e.total > 0) setProgress("read", e.loaded / e.total); };
    reader.onload = () => { setProgress("read", 1); resolve(reader.result as ArrayBuffer); };
    reader.onerror = () => reject(reader.error ?? new Error("the file could not be read"));
    reader.readAsArrayBuffer(file);
  });
}

async function openMix(file: File): Promise<void> {
  state.timeline = { dropAt: performance.now(), analysisAt: 0, firstSoundAt: 0, fullPreviewAt: 0, decodeMs: 0, analyzeMs: 0 };
  clearError();
  player.pause();
  state.file = file;
  state.report = null;
  state.plan = null;
  state.master = null;
  state.section = null;
  delete document.body.dataset.preview;
  delete document.body.dataset.download;
  $("files").replaceChildren();
  $("file-name").textContent = `${file.name} · ${(file.size / 1e6).toFixed(1)} MB`;
  $("workspace").hidden = true;
  if (file.size === 0) {
    showError("E_EMPTY_FILE", `${file.name}: is empty`);
    return;
  }
  try {
    const bytes = await readFile(file);
    send({ type: "load", name: file.name, bytes }, [bytes]);
  } catch (e) {
    showError("E_READ_FAILED", `${file.name}: could not be read (${e instanceof Error ? e.message : String(e)})`);
  }
}

function updatePlay(): void {
  $("play").textContent = player.playing ? "Pause" : "Play";
  document.body.dataset.playing = String(player.playing);
}

async function togglePlay(): Promise<void> {
  if (player.playing) player.pause();
  else await player.play();
  updatePlay();
}

function wire(): void {
  fillTargets();
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer?.files[0];
    if (file) void openMix(file);
  });
  $<HTMLInputElement>("file").addEventListener("change", (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void openMix(file);
  });
  $<HTMLInputElement>("reference").addEventListener("change", async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0] ?? null;
    state.reference = file;
    if (!file) { send({ type: "clearReference" }); $("reference-status").textContent = ""; requestRender(); return; }
    setProgress("reference", 0);
    const bytes = await file.arrayBuffer();
    send({ type: "reference", name: file.name, bytes }, [bytes]);
  });
  const customRow = $("custom-row");
  const syncCustom = (): void => {
    const name = $<HTMLSelectElement>("target").value;
    const custom = name === "custom";
    for (const input of customRow.querySelectorAll("input")) (input as HTMLInputElement).disabled = !custom;
    if (!custom) {
      // Show the platform's numbers, a starting point when switching to custom.
      $<HTMLInputElement>("lufs").value = String(TARGETS[name as TargetName].integratedLufs);
      $<HTMLInputElement>("ceiling").value = String(TARGETS[name as TargetName].ceilingDbtp);
    }
  };
  syncCustom();
  $("target").addEventListener("change", () => { syncCustom(); requestRender(); redraw(); });
  for (const id of ["lufs", "ceiling", "style", "monoBass"]) $(id).addEventListener("change", () => requestRender());
  $<HTMLInputElement>("intensity").addEventListener("input", (e) => {
    const v = (e.target as HTMLInputElement).value;
    $("intensity-out").textContent = v;
    for (const key of AMOUNTS) if (!state.touched.has(key)) { $<HTMLInputElement>(key).value = v; $(`${key}-out`).textContent = v; }
    requestRender(400);
  });
  for (const key of AMOUNTS) {
    $<HTMLInputElement>(key).addEventListener("input", (e) => {
      state.touched.add(key);
      $(`${key}-out`).textContent = (e.target as HTMLInputElement).value;
      requestRender(400);
    });
  }
  $("play").addEventListener("click", () => void togglePlay());
  $("ab-a").addEventListener("click", () => { player.setSide("A"); updateAbButtons(); });
  $("ab-b").addEventListener("click", () => { player.setSide("B"); updateAbButtons(); });
  $<HTMLInputElement>("matched").addEventListener("change", (e) => { player.setMatched((e.target as HTMLInputElement).checked); updateMatchNote(); });
  $("download").addEventListener("click", () => void download());
  $("waveform").addEventListener("click", (e) => {
    const canvas = e.currentTarget as HTMLCanvasElement;
    const rect = canvas.getBoundingClientRect();
    player.seek(((e.clientX - rect.left) / rect.width) * player.durationS);
    redraw();
  });
  const privateBox = $<HTMLInputElement>("private");
  const syncPrivate = (): void => {
    document.body.classList.toggle("private", privateBox.checked);
    $("private-note").hidden = !privateBox.checked;
    $("private-note").textContent = `Private mode: nothing leaves this browser. Reads ${PRIVATE_READS}; writes ${PRIVATE_WRITES} and a JSON report.`;
    $("download").textContent = privateBox.checked ? "Render master in the browser" : "Render master on the server";
  };
  privateBox.addEventListener("change", syncPrivate);
  syncPrivate();
  document.addEventListener("keydown", (e) => {
    const t = e.target as HTMLElement;
    if (t instanceof HTMLInputElement && (t.type === "number" || t.type === "text")) return;
    if (e.code === "Space") {
      e.preventDefault();
      void togglePlay();
    } else if (e.key === "b" || e.key === "B") {
      e.preventDefault();
      player.toggleSide();
      updateAbButtons();
    }
  });
  player.onEnded = updatePlay;
  updateAbButtons();
  window.addEventListener("resize", () => { redraw(); drawSpectra(); });

  let lastTick = 0;
  const frame = (now: number): void => {
    if (player.playing && state.info) {
      $("time").textContent = timeText(player.positionS());
      redraw();
      if (now - lastTick > 50) {
        lastTick = now;
        sendMeter({ type: "tick", frame: player.positionS() * state.info.sampleRateHz, side: player.side, playing: true });
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

// Test and benchmark hooks: timings and the state machine's visible facts, read-only.
(window as unknown as { mastersmith: unknown }).mastersmith = {
  get timeline() { return { ...state.timeline }; },
  get plan() { return state.plan; },
  get master() { return state.master; },
  get report() { return state.report; },
  get player() { return { playing: player.playing, side: player.side, positionS: player.positionS(), matched: player.matched, gainsDb: player.matchGainsDb() }; },
};

wire();
