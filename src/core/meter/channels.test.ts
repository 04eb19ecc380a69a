import { test } from "node:test";
import assert from "node:assert/strict";
import { channelRoles, channelWeights } from "./channels.js";

test("layouts by channel count", () => {
  assert.deepEqual(channelRoles(1), ["C"]);
  assert.deepEqual(channelRoles(2), ["L", "R"]);
  assert.deepEqual(channelRoles(5), ["L", "R", "C", "Ls", "Rs"]);
  assert.deepEqual(channelRoles(6), ["L", "R", "C", "LFE", "Ls", "Rs"]);
  assert.deepEqual(channelRoles(3), ["other", "other", "other"]);
  assert.deepEqual([...channelWeights(6)], [1, 1, 1, 0, 1.41, 1.41]);
  assert.deepEqual([...channelWeights(5)], [1, 1, 1, 1.41, 1.41]);
  assert.deepEqual([...channelWeights(4)], [1, 1, 1, 1]);
});

test("layouts from the WAVE_FORMAT_EXTENSIBLE mask", () => {
  // 5.1 with side surrounds (0x60F): FL FR FC LFE SL SR.
  assert.deepEqual(channelRoles(6, 0x60f), ["L", "R", "C", "LFE", "Ls", "Rs"]);
  // 5.1 back (0x3F).
  assert.deepEqual([...channelWeights(6, 0x3f)], [1, 1, 1, 0, 1.41, 1.41]);
  // A mask with fewer bits than channels: the rest are "other".
  assert.deepEqual(channelRoles(3, 0x3), ["L", "R", "other"]);
  // Stereo as FC + LFE (odd but legal).
  assert.deepEqual([...channelWeights(2, 0xc)], [1, 0]);
  // Mask 0 means "no layout": fall back to the count.
  assert.deepEqual(channelRoles(2, 0), ["L", "R"]);
});
