// A short run of the mixed-load check (`npm run load` runs 60 s at 64 connections).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mixedLoad } from "./load/mixed.mjs";

test("5 s of mixed reads and comment posts: no 5xx, every accepted comment stored exactly once", async () => {
  const result = await mixedLoad({ seconds: 5, connections: 16 });
  assert.ok(result.accepted > 20, `only ${result.accepted} comments accepted`);
  assert.deepEqual(result.serverErrors, []);
  assert.deepEqual(result.lost, []);
  assert.deepEqual(result.storedDespiteError, []);
});
