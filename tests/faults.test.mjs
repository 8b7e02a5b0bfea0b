// Faults: with D1 failing, cached pages are still served, uncached ones get a 503 page with
// Retry-After, and a comment comes back in its form with the text intact; with KV failing, pages
// render from D1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, page, postComment, mintToken, wranglerConfig, CACHED, FORM_SECRET } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
const POST = `/posts/${SLUG}`;

test("with D1 failing: cached pages are served, others get 503 with Retry-After, a comment keeps its text", async () => {
  const blog = await startBlog();
  try {
    assert.equal((await page(blog, POST)).status, 200);
    assert.equal((await page(blog, "/")).status, 200);
    // Point DB at a database with no tables: every query now fails.
    await blog.reconfigure({ reader: { d1Databases: { DB: "00000000-0000-4000-8000-00000000dead" } }, author: { d1Databases: { DB: "00000000-0000-4000-8000-00000000dead" } } });
    const cached = await page(blog, POST);
    assert.equal(cached.status, 200);
    assert.match(cached.cache, CACHED);
    assert.match(cached.body, /Health is Social/);
    assert.equal((await page(blog, "/")).status, 200);

    const uncached = await blog.fetch("/feed.rss");
    assert.equal(uncached.status, 503);
    assert.equal(uncached.headers.get("retry-after"), "30");
    assert.match(await uncached.text(), /not answering just now\. Please try again in a minute\./);

    const sent = await postComment(blog, SLUG, {
      token: await mintToken(1, Math.floor(Date.now() / 1000) - 60),
      author: "Nina",
      email: "nina@example.org",
      body: "Words I typed while the database was down.",
      subject: "",
    });
    assert.equal(sent.status, 503);
    assert.equal(sent.res.headers.get("retry-after"), "30");
    assert.match(sent.body, /Words I typed while the database was down\./);
    assert.match(sent.body, /please send it again in a minute/);
    assert.match(sent.body, /value="Nina"/);

    const adminAnswer = await blog.fetch("/admin/posts", { headers: { Authorization: "Bearer test-admin-token" } });
    assert.equal(adminAnswer.status, 503);
    assert.match((await adminAnswer.json()).error, /not answering/);
  } finally {
    await blog.close();
  }
});

test("with KV failing, pages render from D1", async () => {
  // CACHE is bound to a plain string instead of a KV namespace: every use of it fails.
  const blog = await startBlog({
    reader: { kvNamespaces: {}, bindings: { ...wranglerConfig().vars, FORM_SECRET, CACHE: "not a KV namespace" } },
  });
  try {
    for (const p of [POST, "/", "/feed.atom", "/tags/none"]) {
      const res = await blog.fetch(p);
      assert.equal(res.status, p === "/tags/none" ? 404 : 200, p);
    }
    const again = await page(blog, POST);
    assert.match(again.body, /3 responses to/);
    assert.match(again.cache, /^(miss|edge)$/, "no KV hit is possible");
  } finally {
    await blog.close();
  }
});

test("tokens and raw client IPs never reach the logs, even when things fail", async () => {
  const blog = await startBlog();
  try {
    const ip = "198.51.100.77";
    await postComment(blog, SLUG, { token: await mintToken(1, Math.floor(Date.now() / 1000) - 60), author: "Ann", email: "ann@example.org", body: "Logged?", subject: "" }, ip);
    await blog.fetch("/admin/posts", { headers: { Authorization: "Bearer test-admin-token" } });
    await blog.fetch("/admin/posts", { headers: { Authorization: "Bearer wrong-secret-guess" } });
    // Make storage fail so that errors are logged too.
    await blog.reconfigure({ reader: { d1Databases: { DB: "00000000-0000-4000-8000-00000000dead" } }, author: { d1Databases: { DB: "00000000-0000-4000-8000-00000000dead" } } });
    await postComment(blog, SLUG, { token: "x", author: "Ann", email: "ann@example.org", body: "Again", subject: "" }, ip);
    await blog.fetch("/admin/posts", { headers: { Authorization: "Bearer test-admin-token" } });
    await blog.fetch("/feed.rss");
    const log = blog.log.join("");
    assert.match(log, /no such table|D1_ERROR|storage unavailable|not stored/i, "the failures were logged");
    for (const secret of [ip, "test-admin-token", "wrong-secret-guess", "test-form-secret"]) {
      assert.ok(!log.includes(secret), `${secret} appears in the log`);
    }
  } finally {
    await blog.close();
  }
});
