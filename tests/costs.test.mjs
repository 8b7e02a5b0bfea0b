// What a request costs on the platform's meters, as the Workers' own binding calls count it
// (tests/costs-meter.js): the counters agree with what the test did. `npm run bench` turns the
// same counters into a month's bill (README.md, "What a view costs").
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, costLines, formToken, postComment, CACHED, ADMIN_TOKEN } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";

/** The costs line of the next invocation matching `worker` and `what` after `from` lines. */
async function costOf(blog, worker, what, from) {
  for (let i = 0; i < 100; i++) {
    const found = costLines(blog.log).slice(from).find((c) => c.worker === worker && c.what === what);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no costs line for ${worker} ${what}: ${JSON.stringify(costLines(blog.log).slice(from))}`);
}

async function count(blog, sql) {
  return (await blog.db.prepare(sql).first()).n;
}

test("the cost counters match what a request did: a cached page reads nothing, a comment writes its rows", async () => {
  const blog = await startBlog({ settings: { comment_min_seconds: "0" } });
  try {
    // A miss renders from D1 and keeps the page in KV and the Cache API.
    let from = costLines(blog.log).length;
    const miss = await blog.fetch(`/posts/${SLUG}`);
    assert.equal(miss.headers.get("x-blog-cache"), "miss");
    const html = await miss.text();
    const missCost = await costOf(blog, "reader", `GET /posts/${SLUG}`, from);
    assert.ok(missCost.d1_queries >= 1 && missCost.d1_rows_read > 0, JSON.stringify(missCost));
    assert.equal(missCost.kv_writes, 1, "the page is kept in KV once");
    assert.equal(missCost.cache_writes, 1, "and in this data centre's Cache API");

    // A hit: one Cache API read, nothing else.
    from = costLines(blog.log).length;
    const hit = await blog.fetch(`/posts/${SLUG}`);
    assert.match(hit.headers.get("x-blog-cache"), CACHED);
    await hit.text();
    const hitCost = await costOf(blog, "reader", `GET /posts/${SLUG}`, from);
    const nonZero = Object.fromEntries(Object.entries(hitCost).filter(([k, v]) => typeof v === "number" && v > 0));
    assert.deepEqual(nonZero, { cache_reads: 1 }, "a cached page costs one Cache API read");

    // One comment: D1's rows written are exactly those of one comment row (its indexes and its
    // tally included): what D1 reports for inserting a copy of that row directly.
    const before = await count(blog, "SELECT COUNT(*) AS n FROM comments");
    from = costLines(blog.log).length;
    const sent = await postComment(blog, SLUG, { token: formToken(html), author: "Mina", email: "mina@example.org", body: "Counted.", url: "", subject: "" });
    assert.equal(sent.status, 303, sent.body);
    const commentCost = await costOf(blog, "reader", `POST /posts/${SLUG}/comments`, from);
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM comments"), before + 1);
    const columns = (await blog.db.prepare("SELECT name FROM pragma_table_info('comments') WHERE name <> 'id'").all()).results.map((c) => c.name).join(", ");
    const copy = await blog.db.prepare(`INSERT INTO comments (${columns}) SELECT ${columns} FROM comments WHERE id = (SELECT max(id) FROM comments)`).run();
    assert.ok(copy.meta.rows_written > 1, JSON.stringify(copy.meta));
    assert.equal(commentCost.d1_rows_written, copy.meta.rows_written, `the Worker wrote one comment: ${JSON.stringify(commentCost)}`);
    assert.equal(commentCost.kv_writes + commentCost.kv_reads + commentCost.cache_deletes, 0, "a held comment changes no page");
    assert.equal(commentCost.image_transforms, 0);

    // An approved comment drops the post's cached pages: its purge is counted where it happens.
    const held = await blog.db.prepare("SELECT id FROM comments WHERE author_name = 'Mina' ORDER BY id LIMIT 1").first();
    from = costLines(blog.log).length;
    const approved = await blog.fetch(`/admin/comments/${held.id}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ status: "approved" }),
    });
    assert.equal(approved.status, 200, await approved.text());
    const approveCost = await costOf(blog, "author", `PATCH /admin/comments/${held.id}`, from);
    assert.ok(approveCost.kv_deletes >= 1, `the post's KV copy is dropped: ${JSON.stringify(approveCost)}`);
  } finally {
    await blog.close();
  }
});
