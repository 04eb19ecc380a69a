import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { bextBody, parseBext, BEXT_FIXED_BYTES } from "./tags-bext.js";
import { iTunSmpb } from "./tags-mp4.js";
import { ffmetadata, flacPictureBody, id3v2Tag, parseTagArgs, riffInfoBody, vorbisCommentFields } from "./tags.js";
import { MastersmithError } from "../core/codes.js";

/** Frames of an ID3v2.4 tag, parsed independently of the writer (syncsafe sizes, §3.1, §4). */
function id3Frames(tag: Uint8Array): Map<string, Uint8Array> {
  assert.equal(new TextDecoder().decode(tag.subarray(0, 3)), "ID3");
  assert.equal(tag[3], 4, "version 2.4");
  const ss = (p: number) => (tag[p] << 21) | (tag[p + 1] << 14) | (tag[p + 2] << 7) | tag[p + 3];
  const size = ss(6);
  assert.equal(size + 10, tag.length, "header size covers the frames exactly");
  const frames = new Map<string, Uint8Array>();
  for (let p = 10; p < tag.length;) {
    const id = new TextDecoder().decode(tag.subarray(p, p + 4));
    const n = ss(p + 4);
    frames.set(id, tag.subarray(p + 10, p + 10 + n));
    p += 10 + n;
  }
  return frames;
}

describe("tags", () => {
  test("parseTagArgs: aliases, ISRC normalized, bad keys and values refused with E_BAD_ARGUMENT", () => {
    assert.deepEqual(parseTagArgs(["Title=A = B", "album_artist=X", "isrc=us-abc-24-00001", "track=3/12", "date=2024-05-01"]),
      { title: "A = B", albumArtist: "X", isrc: "USABC2400001", track: "3/12", year: "2024-05-01" });
    for (const bad of ["nokey", "=x", "colour=red", "isrc=US-ABC-24-0001", "track=0", "track=a", "year=24"]) {
      assert.throws(() => parseTagArgs([bad]), (e: unknown) => e instanceof MastersmithError && e.code === "E_BAD_ARGUMENT", bad);
    }
  });

  test("ID3v2.4: text frames in UTF-8, TSRC carries the ISRC, TPE2 the album artist, COMM, TXXX, APIC", () => {
    const tag = id3v2Tag({ title: "Tïtle", albumArtist: "AA", isrc: "USABC2400001", comment: "c" },
      { mime: "image/png", data: new Uint8Array([1, 2, 3]) }, { MASTERSMITH_DITHER: "tpdf seed 7" });
    const f = id3Frames(tag);
    const text = (id: string) => { const b = f.get(id)!; assert.equal(b[0], 3); return new TextDecoder().decode(b.subarray(1)); };
    assert.equal(text("TIT2"), "Tïtle");
    assert.equal(text("TPE2"), "AA");
    assert.equal(text("TSRC"), "USABC2400001");
    assert.equal(new TextDecoder().decode(f.get("COMM")!.subarray(1)), "eng\0c");
    assert.equal(new TextDecoder().decode(f.get("TXXX")!.subarray(1)), "MASTERSMITH_DITHER\0tpdf seed 7");
    assert.deepEqual([...f.get("APIC")!.subarray(-6)], [0, 3, 0, 1, 2, 3], "MIME end, front cover, empty description, data");
    assert.equal(f.has("TALB"), false, "absent tags write no frame");
  });

  test("RIFF INFO: NUL-terminated, even-padded values; no ISRC (INFO's ISRC means 'source')", () => {
    const body = riffInfoBody({ title: "ab", artist: "abc", isrc: "USABC2400001" }, "sw");
    const s = new TextDecoder().decode(body);
    assert.ok(s.startsWith("INFO"));
    assert.equal(body.length % 2, 0);
    assert.ok(s.includes("INAM\x03\0\0\0ab\0\0"), "3-byte value padded to 4");
    assert.ok(s.includes("IART\x04\0\0\0abc\0"));
    assert.ok(!s.includes("ISRC") && !s.includes("USABC"));
  });

  test("bext v2: 602 fixed bytes + coding history; loudness ×100 round trip; unknown as 0x7FFF", () => {
    const loudness = { integratedLufs: -14.004, loudnessRangeLu: 6.456, maxTruePeakDbtp: -1.02, maxMomentaryLufs: -9.5, maxShortTermLufs: -11.25 };
    const body = bextBody({ description: "d", originator: "o", originationDate: "2024-01-02", originationTime: "03:04:05", loudness, codingHistory: "A=PCM\r\n" });
    assert.equal(body.length, BEXT_FIXED_BYTES + 7);
    const p = parseBext(body);
    assert.equal(p.version, 2);
    assert.deepEqual([p.integratedLufs, p.loudnessRangeLu, p.maxTruePeakDbtp, p.maxMomentaryLufs, p.maxShortTermLufs], [-14, 6.46, -1.02, -9.5, -11.25]);
    assert.equal(p.originationDate, "2024-01-02");
    assert.equal(p.codingHistory, "A=PCM\r\n");
    // Offsets of Tech 3285 v2 §2.3 checked directly: Version at 346, LoudnessValue at 412.
    const dv = new DataView(body.buffer);
    assert.equal(dv.getUint16(346, true), 2);
    assert.equal(dv.getInt16(412, true), -1400);
    const silent = parseBext(bextBody({ loudness: { ...loudness, integratedLufs: -Infinity } }));
    assert.equal(silent.integratedLufs, null);
    assert.equal(new DataView(bextBody({}).buffer).getInt16(412, true), 0x7fff);
  });

  test("Vorbis comments split track/total; ffmetadata escapes; iTunSMPB layout; FLAC picture block", () => {
    assert.deepEqual(vorbisCommentFields({ track: "3/12", isrc: "USABC2400001" }), [["TRACKNUMBER", "3"], ["TRACKTOTAL", "12"], ["ISRC", "USABC2400001"]]);
    assert.equal(ffmetadata([["title", "a=b;c#d\\e\nf"]]), ";FFMETADATA1\ntitle=a\\=b\\;c\\#d\\\\e\\\nf\n");
    const smpb = iTunSmpb(1024, 555, 56789);
    assert.equal(smpb, " 00000000 00000400 0000022B 000000000000DDD5" + " 00000000".repeat(8));
    const png = new Uint8Array(24);
    png.set([0x89, 0x50, 0x4e, 0x47], 0);
    new DataView(png.buffer).setUint32(16, 640);
    new DataView(png.buffer).setUint32(20, 480);
    const pic = new DataView(flacPictureBody({ mime: "image/png", data: png }).buffer);
    assert.equal(pic.getUint32(0), 3, "front cover");
    assert.equal(pic.getUint32(4), 9);
    assert.deepEqual([pic.getUint32(21), pic.getUint32(25)], [640, 480], "width, height after type, MIME and an empty description");
  });
});
