import { test } from "node:test";
import assert from "node:assert/strict";
import { Gain } from "./gain.js";
import { processorContract } from "../../test-support/processor-contract.js";

processorContract("gain +6 dB", () => new Gain(6));
processorContract("gain 0 dB", () => new Gain(0));

test("gain scales by 10^(dB/20) and 0 dB is bit-exact", () => {
  const x = [Float32Array.from([0.1, -0.2, 0.123456789])];
  const y = [Float32Array.from(x[0])];
  new Gain(0).process(y, 3);
  assert.deepEqual(y, x);
  new Gain(-20).process(y, 3);
  assert.ok(Math.abs(y[0][1] - -0.02) < 1e-8);
});
