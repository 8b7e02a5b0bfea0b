// A fast subset of the malformed-request fuzzer (`npm run fuzz` runs 10,000 or more).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzz } from "./fuzz/malformed.mjs";

test("500 malformed requests get no 5xx and no panic, and the blog still serves pages after", async () => {
  const result = await fuzz({ seed: 20261125, count: 500 });
  assert.deepEqual(result.serverErrors, []);
  assert.equal(result.panics, 0, result.log.slice(0, 2000));
  assert.deepEqual(result.after, [200, 201, 200]);
  // workerd may answer an upload early (501 for an unregistered method, 404, 413…) and close the
  // connection before the client has sent it all; fetch then reports a reset instead of the answer.
  const unanswered = result.clientErrors.filter((e) => !(e.error === "ECONNRESET" && (e.bodyBytes > 1_000_000 || ["FOO", "M-SEARCH"].includes(e.method))));
  assert.deepEqual(unanswered, [], "every other request got an HTTP answer");
});
