// A post with thousands of comments: its page holds a bounded number of threads (threads kept
// whole), page links lead through all of them with every comment exactly once, and a comment's
// lasting address (`/posts/{slug}/comments/{id}`, which feeds and mail use) leads to the page
// that shows it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, page, formToken, postComment } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
const POST = `/posts/${SLUG}`;
const THREADS_PER_PAGE = 100;

/** The comments a page shows: [id, parent id or null] in order, from the markup. */
function shown(html) {
  const ids = [...html.matchAll(/<li id="comment-(\d+)"/g)].map((m) => Number(m[1]));
  return ids;
}

test("2,000 comments split into bounded pages whose links reach each comment exactly once, and a comment's address finds its page", async () => {
  const blog = await startBlog({ settings: { comment_min_seconds: "0" } });
  try {
    // 2,000 approved comments: every fifth replies to the one before (threads of two), and one
    // thread 40 replies long, all oldest first.
    await blog.db
      .prepare(
        `INSERT INTO comments (post_id, author_name, author_email, body, status, created_at)
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 2000)
         SELECT 1, 'Reader ' || i, 'r' || i || '@example.org', 'Comment number ' || i || '.', 'approved', 1400000000 + i * 60 FROM k`,
      )
      .run();
    await blog.db.prepare("UPDATE comments SET parent_id = id - 1 WHERE author_name GLOB 'Reader *' AND CAST(substr(author_name, 8) AS INTEGER) % 5 = 0").run();
    await blog.db.prepare("UPDATE comments SET parent_id = id - 1 WHERE author_name GLOB 'Reader *' AND CAST(substr(author_name, 8) AS INTEGER) BETWEEN 1001 AND 1040").run();
    const approved = (await blog.db.prepare("SELECT id, parent_id FROM comments WHERE post_id = 1 AND status = 'approved' ORDER BY id").all()).results;
    const parentOf = new Map(approved.map((c) => [c.id, c.parent_id]));

    // Follow "Later comments" from the post's page to the end.
    const seen = new Map();
    const pages = [];
    let next = POST;
    while (next) {
      const { status, body } = await page(blog, next);
      assert.equal(status, 200, next);
      const ids = shown(body);
      pages.push({ path: next, ids });
      for (const id of ids) {
        assert.ok(!seen.has(id), `comment ${id} shows on ${next} and on ${seen.get(id)}`);
        seen.set(id, next);
      }
      // Threads are whole: a reply is on its parent's page.
      for (const id of ids) {
        const parent = parentOf.get(id);
        if (parent && parentOf.has(parent)) assert.equal(seen.get(parent), next, `reply ${id} is on its parent ${parent}'s page`);
      }
      const roots = ids.filter((id) => !parentOf.get(id) || !parentOf.has(parentOf.get(id)));
      assert.ok(roots.length <= THREADS_PER_PAGE, `${next}: ${roots.length} threads`);
      const later = body.match(/<a href="([^"]+)" rel="next">Later comments/);
      if (later) {
        const earlier = (await page(blog, later[1])).body.match(/<a href="([^"]+)" rel="prev">← Earlier comments/);
        assert.equal(earlier?.[1].replace(/#comments$/, ""), next, "each page links back to the one before");
      }
      next = later?.[1].replace(/#comments$/, "");
    }
    assert.equal(seen.size, approved.length, "every approved comment is on a page");
    assert.ok(pages.length >= 16, `${pages.length} pages`);
    assert.equal(pages[1].path, `${POST}/comments/page/2`);
    // Past the last page there is nothing.
    assert.equal((await blog.fetch(`${POST}/comments/page/${pages.length + 1}`)).status, 404);

    // A comment's address leads to its page, at its anchor: a first-page one, a reply deep in the
    // long thread, the last one.
    for (const id of [approved[0].id, approved.find((c) => c.parent_id && seen.get(c.id) !== POST).id, approved.at(-1).id]) {
      const res = await blog.fetch(`${POST}/comments/${id}`);
      assert.equal(res.status, 303, String(id));
      const location = res.headers.get("location");
      const [path, anchor] = location.split("#");
      assert.equal(anchor, `comment-${id}`);
      assert.equal(path, seen.get(id), `comment ${id} is on ${seen.get(id)}`);
      assert.match((await page(blog, path)).body, new RegExp(`<li id="comment-${id}"`));
    }
    // Not shown, no address: a held comment, one that does not exist, one on another post.
    const held = await blog.db.prepare("INSERT INTO comments (post_id, author_name, author_email, body, status, created_at) VALUES (1, 'Held', 'h@example.org', 'Wait.', 'pending', 1500000000) RETURNING id").first();
    assert.equal((await blog.fetch(`${POST}/comments/${held.id}`)).status, 404);
    assert.equal((await blog.fetch(`${POST}/comments/999999`)).status, 404);
    assert.equal((await blog.fetch(`/posts/no-such-post/comments/${approved[0].id}`)).status, 404);

    // The comment feed links each comment by its address.
    const feed = (await page(blog, `${POST}/comments.atom`)).body;
    assert.match(feed, new RegExp(`<link[^>]+href="http://127\\.0\\.0\\.1:8787${POST}/comments/${approved.at(-1).id}"`));

    // A new comment that is approved at once (a returning commenter) is sent to the last page.
    const returning = await blog.db.prepare("SELECT author_name, author_email FROM comments WHERE id = ?1").bind(approved.at(-1).id).first();
    const sent = await postComment(blog, SLUG, { token: formToken((await page(blog, POST)).body), author: returning.author_name, email: returning.author_email, body: "Back again.", url: "", subject: "" });
    assert.equal(sent.status, 303, sent.body);
    const newId = Number(sent.location.match(/#comment-(\d+)$/)?.[1]);
    assert.ok(newId, `approved at once: ${sent.location}`);
    const [newPath] = sent.location.split("#");
    assert.notEqual(newPath, POST, "not the first page, where it is not");
    assert.match((await page(blog, newPath)).body, new RegExp(`<li id="comment-${newId}"`));
  } finally {
    await blog.close();
  }
});
