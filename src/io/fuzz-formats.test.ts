// Bounded, seeded fuzz run over the parsers of the compressed formats, with the rule of the
// WAV/AIFF/FLAC run in malformed.test.ts: only MastersmithError escapes, every error names the
// file, and every read terminates (no hang, no unbounded output). Seeds are small real files
// made here by Debian's `lame` (MP3 with LAME tag and an ID3v2 tag) and `ffmpeg` (Ogg Vorbis,
// Ogg Opus, M4A AAC with an injected iTunSMPB), plus the tag parsers parseBext and
// parseItunSmpb on mutated inputs. MP4 decoding spawns ffmpeg, so most MP4 mutations exercise
// the box parsers (parseMp4Header, readMp4Gapless) directly and only a handful open fully.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isMastersmithError } from "../core/codes.js";
import { parseItunSmpb, parseMp4Header } from "./decode-mp4.js";
import { FileSource } from "./file-source.js";
import { rng, run, tempDir } from "./fixtures.case.js";
import { openAudioFile } from "./open.js";
import { bextBody, BEXT_FIXED_BYTES, parseBext } from "./tags-bext.js";
import { addMp4FreeformTags, iTunSmpb, readMp4Gapless } from "./tags-mp4.js";

/** A decoded length far beyond any seed (each is under a second): more means unbounded output. */
const MAX_DECODED_SECONDS = 60;
/** A read still running after this long is a hang (generous: the machine is shared and loaded). */
const HANG_MS = 30_000;

type Random = () => number;

/** [start, end) byte ranges the parsers read as header (where a mutation is most telling). */
type Regions = [number, number][];

/**
 * The four mutations of malformed.test.ts, aimed at `regions` instead of the first bytes (an
 * MP4's moov and an Ogg stream's last page sit at the end): byte flips (half in a header
 * region), truncation, an inflated or random 32-bit value (sizes, counts, rates) and a run of
 * noise. Returns the mutated copy and the kind.
 */
function mutate(seed: Uint8Array, regions: Regions, random: Random): { data: Uint8Array; kind: number } {
  const pick = (n: number) => Math.floor(random() * n);
  const inRegion = () => {
    const [start, end] = regions[pick(regions.length)];
    return start + pick(Math.max(1, Math.min(end, seed.length) - start));
  };
  const bytes = Uint8Array.from(seed);
  const kind = pick(4);
  if (kind === 0) {
    const flips = 1 + pick(8);
    for (let i = 0; i < flips; i++) bytes[random() < 0.5 ? inRegion() : pick(bytes.length)] ^= 1 + pick(255);
  } else if (kind === 1) {
    return { data: bytes.subarray(0, random() < 0.5 ? inRegion() : pick(bytes.length)), kind };
  } else if (kind === 2) {
    const at = Math.min(inRegion(), bytes.length - 4);
    const dv = new DataView(bytes.buffer);
    dv.setUint32(at, random() < 0.5 ? 0xffffffff - pick(16) : Math.floor(random() * 2 ** 32), random() < 0.5);
  } else {
    const at = random() < 0.5 ? inRegion() : pick(bytes.length);
    for (let i = at; i < Math.min(bytes.length, at + 1 + pick(512)); i++) bytes[i] = pick(256);
  }
  return { data: bytes, kind };
}

/** Rejects after HANG_MS so one stuck read fails the test with its mutation named. */
async function bounded<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens and reads every block, as `analyze` would; fails on a decoded length no seed can give. */
async function readThrough(path: string): Promise<number> {
  const reader = await openAudioFile(path);
  let frames = 0;
  try {
    const limit = MAX_DECODED_SECONDS * reader.info.sampleRateHz;
    for await (const block of reader.blocks(4096)) {
      frames += block[0].length;
      if (frames > limit) assert.fail(`${path}: decoded more than ${MAX_DECODED_SECONDS} s from a sub-second seed`);
    }
  } finally {
    await reader.close();
  }
  return frames;
}

/** Counts outcomes; any non-coded error, or a coded one not naming the file, fails the test. */
class Outcomes {
  readonly counts = new Map<string, number>();
  total = 0;

  async record(label: string, path: string | null, work: () => Promise<unknown> | unknown): Promise<void> {
    let outcome: string;
    try {
      await bounded(label, Promise.resolve().then(work));
      outcome = "ok";
    } catch (e) {
      if (!isMastersmithError(e)) assert.fail(`${label} threw a non-Mastersmith error: ${String((e as Error)?.stack ?? e)}`);
      if (path !== null) assert.ok(e.message.includes(path), `${label}: the message should name the file: ${e.message}`);
      outcome = e.code;
    }
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
    this.total++;
  }

  toString(): string {
    return JSON.stringify(Object.fromEntries(this.counts));
  }
}

/** Offset just past an ID3v2 tag at the start (10-byte header + syncsafe size), or 0. */
function id3v2End(b: Uint8Array): number {
  if (b[0] !== 0x49 || b[1] !== 0x44 || b[2] !== 0x33) return 0;
  return 10 + ((b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9]);
}

/** [start, end) of the first top-level MP4 box of `type`. */
function topBox(b: Uint8Array, type: string): [number, number] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = 0; p + 8 <= b.length;) {
    const size = dv.getUint32(p);
    if (String.fromCharCode(...b.subarray(p + 4, p + 8)) === type) return [p, p + size];
    p += size;
  }
  throw new Error(`no ${type} box in the seed`);
}

const LAVFI = ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=440:d=0.4", "-ac", "2"];

describe("fuzz: mutated MP3, Ogg Vorbis, Ogg Opus, M4A and tags", () => {
  test("MP3 (LAME tag + ID3v2), Vorbis, Opus: only MastersmithError escapes, every read terminates", { timeout: 180_000 }, async (t) => {
    const dir = tempDir(t);
    const wav = join(dir, "src.wav");
    run("ffmpeg", [...LAVFI, "-ar", "44100", "-c:a", "pcm_s16le", wav]);
    const mp3 = join(dir, "seed.mp3");
    // VBR: a Xing header with frame and byte counts, the LAME tag with its CRCs; ID3v2 in front.
    run("lame", ["--quiet", "-V", "4", "--id3v2-only", "--tt", "fuzz", "--ta", "mastersmith", "--tc", "seeded mutations", wav, mp3]);
    const vorbis = join(dir, "seed.ogg");
    run("ffmpeg", [...LAVFI, "-c:a", "libvorbis", "-q:a", "2", vorbis]);
    const opus = join(dir, "seed.opus");
    run("ffmpeg", [...LAVFI, "-c:a", "libopus", "-b:a", "64k", opus]);

    const mp3Bytes = readFileSync(mp3);
    const frameAt = id3v2End(mp3Bytes);
    assert.ok(frameAt > 10, "the MP3 seed starts with an ID3v2 tag");
    assert.equal(String.fromCharCode(...mp3Bytes.subarray(frameAt + 36, frameAt + 40)), "Xing", "the MP3 seed has a Xing header (and LAME tag)");
    const seeds: { name: string; bytes: Uint8Array; regions: Regions; runs: number }[] = [
      // ID3v2 header, and the first frame: header, side info, Xing and LAME tag.
      { name: "mp3", bytes: mp3Bytes, regions: [[0, 10], [frameAt, frameAt + 200]], runs: 100 },
    ];
    for (const [name, path] of [["ogg", vorbis], ["opus", opus]] as const) {
      const bytes = readFileSync(path);
      // The identification page (header and id packet) and the last page (its granule is the length).
      seeds.push({ name, bytes, regions: [[0, 100], [Math.max(0, bytes.length - 200), bytes.length]], runs: 60 });
    }
    // Unmutated seeds decode: the run tests damage, not a broken seed.
    for (const s of seeds) assert.ok(await readThrough(writeOut(dir, `seed.${s.name}`, s.bytes)) > 0);

    const random = rng(20261121);
    const outcomes = new Outcomes();
    for (const s of seeds) {
      const before = outcomes.total;
      for (let k = 0; k < s.runs; k++) {
        const { data, kind } = mutate(s.bytes, s.regions, random);
        const path = writeOut(dir, `m${k}.${s.name}`, data);
        await outcomes.record(`mutation ${k} of the ${s.name} seed (kind ${kind})`, path, () => readThrough(path));
      }
      assert.equal(outcomes.total - before, s.runs);
    }
    t.diagnostic(`outcomes of ${outcomes.total} mutations: ${outcomes}`);
    assert.ok(outcomes.counts.size > 1, "the mutations should not all end the same way");
  });

  test("M4A AAC: parseMp4Header and readMp4Gapless on mutated boxes, a few full opens", { timeout: 120_000 }, async (t) => {
    const dir = tempDir(t);
    const m4a = join(dir, "seed.m4a");
    run("ffmpeg", [...LAVFI, "-c:a", "aac", "-b:a", "96k", "-metadata", "title=fuzz", m4a]);
    // An iTunSMPB atom, as iTunes writes it, so its path through the parser is fuzzed too.
    addMp4FreeformTags(m4a, [["iTunSMPB", iTunSmpb(1024, 448, 17640)]]);
    const bytes = readFileSync(m4a);
    const moov = topBox(bytes, "moov");
    assert.equal(parseMp4Header(FileSource.open(m4a)).trimSource, "iTunSMPB");
    const regions: Regions = [[0, 40], moov, moov, moov];

    const random = rng(4141);
    const parsed = new Outcomes();
    const gapless = new Outcomes();
    const opened = new Outcomes();
    const runs = 150;
    const fullOpens = 8;
    for (let k = 0; k < runs; k++) {
      const { data, kind } = mutate(bytes, regions, random);
      const path = writeOut(dir, `m${k}.m4a`, data);
      const label = `mutation ${k} of the m4a seed (kind ${kind})`;
      await parsed.record(`${label}, parseMp4Header`, path, () => {
        const source = FileSource.open(path);
        try {
          return parseMp4Header(source);
        } finally {
          source.close();
        }
      });
      await gapless.record(`${label}, readMp4Gapless`, path, () => readMp4Gapless(path));
      // Spread the full opens (each spawns ffmpeg) over the run.
      if (k % Math.floor(runs / fullOpens) === 0) await opened.record(`${label}, full read`, path, () => readThrough(path));
    }
    t.diagnostic(`parseMp4Header outcomes of ${runs} mutations: ${parsed}`);
    t.diagnostic(`readMp4Gapless outcomes: ${gapless}`);
    t.diagnostic(`full reads: ${opened}`);
    assert.equal(parsed.total, runs);
    assert.ok(opened.total >= fullOpens);
    assert.ok(parsed.counts.size > 1, "the mutations should not all end the same way");
  });

  test("parseBext and parseItunSmpb: coded errors or sane values, never a crash", async () => {
    const random = rng(777);
    const pick = (n: number) => Math.floor(random() * n);
    const body = bextBody({
      description: "fuzz", originator: "mastersmith", originationDate: "2026-11-21", originationTime: "12:00:00",
      loudness: { integratedLufs: -14, loudnessRangeLu: 6, maxTruePeakDbtp: -1, maxMomentaryLufs: -8, maxShortTermLufs: -10 },
      codingHistory: "A=PCM,F=48000,W=24,M=stereo,T=mastersmith\r\n",
    });
    const bext = new Outcomes();
    // Loudness fields, version and the text fields either side of them.
    const regions: Regions = [[0, 8], [320, 350], [412, 422], [BEXT_FIXED_BYTES - 4, body.length]];
    for (let k = 0; k < 150; k++) {
      const { data } = mutate(body, regions, random);
      await bext.record(`bext mutation ${k}`, null, () => {
        const p = parseBext(data);
        for (const v of [p.integratedLufs, p.loudnessRangeLu, p.maxTruePeakDbtp, p.maxMomentaryLufs, p.maxShortTermLufs]) {
          assert.ok(v === null || (Number.isFinite(v) && Math.abs(v) <= 327.68), `bext mutation ${k}: loudness field ${v}`);
        }
      });
    }
    assert.ok((bext.counts.get("ok") ?? 0) > 0);

    const smpb = new Outcomes();
    const good = iTunSmpb(2112, 448, 11_000_000);
    const alphabet = "0123456789abcdefABCDEFxz \t-+.";
    for (let k = 0; k < 200; k++) {
      const chars = [...good];
      const edits = 1 + pick(6);
      for (let i = 0; i < edits; i++) {
        const at = pick(chars.length);
        const kind = pick(3);
        if (kind === 0) chars[at] = alphabet[pick(alphabet.length)];
        else if (kind === 1) chars.splice(at, 1 + pick(20));
        else chars.splice(at, 0, ..."f".repeat(1 + pick(40)));
      }
      const text = chars.join("");
      await smpb.record(`iTunSMPB mutation ${k} ${JSON.stringify(text)}`, null, () => {
        const r = parseItunSmpb(text);
        if (r === null) return;
        for (const v of [r.primingFrames, r.paddingFrames, r.totalFrames]) {
          assert.ok(Number.isSafeInteger(v) && v >= 0, `iTunSMPB ${JSON.stringify(text)}: field ${v}`);
        }
        assert.ok(r.totalFrames > 0);
      });
    }
    assert.equal(smpb.total, 200);
  });
});

describe("what the fuzz run found, pinned", () => {
  test("parseBext: a body under 602 bytes is E_CORRUPT naming the file; version < 2 has no loudness", () => {
    const body = bextBody({ loudness: { integratedLufs: -14, loudnessRangeLu: 6, maxTruePeakDbtp: -1, maxMomentaryLufs: -8, maxShortTermLufs: -10 } });
    assert.throws(() => parseBext(body.subarray(0, 420), "x.wav"), (e: unknown) => {
      assert.ok(isMastersmithError(e));
      assert.equal(e.code, "E_CORRUPT");
      assert.match(e.message, /x\.wav.*420 bytes/);
      return true;
    });
    assert.equal(parseBext(body).integratedLufs, -14);
    const v1 = Uint8Array.from(body);
    new DataView(v1.buffer).setUint16(346, 1, true);
    assert.equal(parseBext(v1).integratedLufs, null);
  });

  test("parseItunSmpb: a field longer than its hex digits is no frame count", () => {
    assert.equal(parseItunSmpb(` 00000000 00000840 000001C0 ${"f".repeat(300)}`), null);
    assert.equal(parseItunSmpb(` 00000000 ${"F".repeat(20)} 000001C0 0000000000A7D8C0`), null);
    assert.deepEqual(parseItunSmpb(iTunSmpb(2112, 448, 11_000_000)), { primingFrames: 2112, paddingFrames: 448, totalFrames: 11_000_000 });
  });

  test("readMp4Gapless: a moov size past the end of the file is E_TRUNCATED, not a 4 GB allocation", (t) => {
    const dir = tempDir(t);
    const m4a = join(dir, "seed.m4a");
    run("ffmpeg", [...LAVFI, "-c:a", "aac", m4a]);
    const bytes = readFileSync(m4a);
    const [moovAt] = topBox(bytes, "moov");
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(moovAt, 0xfffffff0);
    const bad = writeOut(dir, "bad.m4a", bytes);
    assert.throws(() => readMp4Gapless(bad), (e: unknown) => {
      assert.ok(isMastersmithError(e));
      assert.equal(e.code, "E_TRUNCATED");
      assert.ok(e.message.includes(bad));
      return true;
    });
    // A field read past its box (stts entry count inflated) is E_CORRUPT, not a RangeError.
    const stts = Buffer.from(readFileSync(m4a)).indexOf("stts");
    const inflated = Uint8Array.from(readFileSync(m4a));
    new DataView(inflated.buffer).setUint32(stts + 8, 0x7fffffff);
    const worse = writeOut(dir, "stts.m4a", inflated);
    assert.throws(() => readMp4Gapless(worse), (e: unknown) => isMastersmithError(e) && e.code === "E_CORRUPT" && e.message.includes(worse));
  });
});

function writeOut(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}
