// What keeps a page's cost independent of the blog's size stays right: the counts kept by
// triggers (each post's approved comments, the admin's tallies, each tag row's listing time)
// equal a recount after every kind of change, and the admin's lists go page by page with their
// totals. (tests/query-plans.test.mjs checks the plans themselves.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, page, mintToken, postComment, makePng, ADMIN_TOKEN } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";

/** Every kept count that disagrees with a recount, as readable lines (none when all agree). */
async function drift(blog) {
  const rows = async (sql) => (await blog.db.prepare(sql).all()).results;
  const wrong = [];
  for (const r of await rows(`SELECT slug, responses, (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'approved') AS actual
                                FROM posts p WHERE responses <> actual`)) {
    wrong.push(`posts.responses of ${r.slug}: kept ${r.responses}, really ${r.actual}`);
  }
  const recount = await rows(`SELECT kind AS name, COUNT(*) AS n FROM posts WHERE id NOT IN (SELECT post_id FROM trash) GROUP BY kind
                              UNION ALL SELECT 'trash', COUNT(*) FROM trash
                              UNION ALL SELECT 'comments:' || status, COUNT(*) FROM comments GROUP BY status
                              UNION ALL SELECT 'media', COUNT(*) FROM media
                              UNION ALL SELECT 'subscriptions', COUNT(*) FROM subscriptions`);
  const kept = Object.fromEntries((await rows("SELECT name, n FROM tallies")).map((t) => [t.name, t.n]));
  for (const { name, n } of recount) if ((kept[name] ?? 0) !== n) wrong.push(`tallies.${name}: kept ${kept[name]}, really ${n}`);
  for (const [name, n] of Object.entries(kept)) if (n !== 0 && !recount.some((r) => r.name === name)) wrong.push(`tallies.${name}: kept ${n}, really 0`);
  for (const r of await rows(`SELECT t.tag, p.slug, t.listed_at FROM post_tags t JOIN posts p ON p.id = t.post_id
                               WHERE t.listed_at IS NOT (CASE WHEN p.kind = 'post' AND p.status = 'published' THEN p.published_at END)`)) {
    wrong.push(`post_tags.listed_at of ${r.slug} / ${r.tag}: ${r.listed_at}`);
  }
  return wrong;
}

const now = () => Math.floor(Date.now() / 1000);

test("kept counts equal a recount after comments, moderation, posts, tags, media and deletions", async () => {
  const blog = await startBlog({ settings: { comment_moderation: "first-time", email_from: "blog@example.org" } });
  try {
    assert.deepEqual(await drift(blog), [], "the migration's first counts");
    // Comments: held (first time), approved, spam, a reply, deleted.
    const form = async (extra) => ({ token: await mintToken(1, now() - 60), author: "Kim", email: "kim@example.org", url: "", body: "A first comment.", subject: "", notify: "1", ...extra });
    const held = await postComment(blog, SLUG, await form());
    assert.equal(held.status, 303);
    assert.deepEqual(await drift(blog), [], "a held comment");
    const pending = (await admin(blog, "GET", "/admin/comments?status=pending")).json;
    assert.equal(pending.total, pending.comments.length);
    const id = pending.comments.find((c) => c.author === "Kim").id;
    await admin(blog, "PATCH", `/admin/comments/${id}`, { status: "approved" });
    assert.deepEqual(await drift(blog), [], "approved");
    assert.match((await page(blog, `/posts/${SLUG}`)).body, /4 responses/);
    await postComment(blog, SLUG, await form({ body: "A known commenter's second word." }));
    await admin(blog, "POST", `/admin/posts/${SLUG}/comments`, { body: "The author answers.", parent: id });
    await admin(blog, "PATCH", `/admin/comments/${id}`, { status: "spam" });
    assert.deepEqual(await drift(blog), [], "spam");
    await admin(blog, "PATCH", `/admin/comments/${id}`, { status: "approved" });
    await admin(blog, "DELETE", `/admin/comments/${id}`);
    assert.deepEqual(await drift(blog), [], "deleted");
    // Posts and pages: tagged, scheduled, made a draft, retagged, deleted with their comments.
    await admin(blog, "POST", "/admin/posts", { title: "Tagged", slug: "tagged", body: "x", tags: ["Scale", "NHS"] });
    await admin(blog, "POST", "/admin/posts", { title: "Later", slug: "later", body: "x", tags: ["Scale"], published_at: "2099-01-01T00:00:00Z" });
    await admin(blog, "POST", "/admin/posts", { title: "About", slug: "about", type: "page", body: "x" });
    assert.deepEqual(await drift(blog), [], "created");
    await admin(blog, "PATCH", "/admin/posts/tagged", { status: "draft" });
    assert.deepEqual(await drift(blog), [], "unpublished");
    assert.equal((await page(blog, "/tags/scale")).status, 404, "a draft and a scheduled post: no tag page yet");
    await admin(blog, "PATCH", "/admin/posts/tagged", { status: "published", tags: ["Scale", "Growth"] });
    await admin(blog, "PATCH", "/admin/posts/later", { published_at: "2011-01-01T00:00:00Z" });
    assert.deepEqual(await drift(blog), [], "republished, retagged, rescheduled");
    const scale = await page(blog, "/tags/scale");
    assert.match(scale.body, /href="\/posts\/tagged"[\s\S]*href="\/posts\/later"/, "newest first");
    await admin(blog, "DELETE", `/admin/posts/${SLUG}`);
    assert.deepEqual(await drift(blog), [], "a post moved to the trash");
    assert.equal((await admin(blog, "DELETE", "/admin/trash")).json.purged, 1);
    assert.deepEqual(await drift(blog), [], "a post deleted for good with its comments and subscriptions");
    // Media in and out (the demo's illustration is there already).
    const before = (await admin(blog, "GET", "/admin/media")).json.total;
    const png = makePng(40, 30);
    const up = await blog.fetch("/admin/media?name=a.png", { method: "POST", headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "image/png" }, body: png });
    assert.equal(up.status, 201);
    const media = (await admin(blog, "GET", "/admin/media")).json;
    assert.equal(media.total, before + 1);
    assert.deepEqual(await drift(blog), [], "uploaded");
    await admin(blog, "DELETE", `/admin/media/${media.media.find((m) => m.name === "a.png").id}`);
    assert.equal((await admin(blog, "GET", "/admin/media")).json.total, before);
    assert.deepEqual(await drift(blog), [], "media deleted");
  } finally {
    await blog.close();
  }
});

test("the admin lists go page by page, with totals that are kept, not counted", async () => {
  const blog = await startBlog();
  try {
    for (let i = 1; i <= 7; i++) await admin(blog, "POST", "/admin/posts", { title: `Post ${i}`, body: "x", published_at: `2020-01-0${i}T00:00:00Z` });
    for (let i = 1; i <= 3; i++) await admin(blog, "POST", "/admin/posts", { title: `Page ${i}`, type: "page", body: "x" });
    await admin(blog, "POST", "/admin/posts", { title: "A draft", body: "x", status: "draft" });
    const list = async (q) => (await admin(blog, "GET", `/admin/posts${q}`)).json;
    const all = await list("");
    assert.equal(all.total, 12, "the demo post, 7 posts, 3 pages and a draft");
    assert.equal(all.posts[0].slug, "a-draft", "undated drafts first");
    const posts = await list("?type=post&limit=3&offset=0");
    assert.deepEqual([posts.total, posts.limit, posts.offset, posts.posts.length], [9, 3, 0, 3]);
    assert.deepEqual(posts.posts.map((p) => p.slug), ["a-draft", "post-7", "post-6"]);
    const second = await list("?type=post&limit=3&offset=3");
    assert.deepEqual(second.posts.map((p) => p.slug), ["post-5", "post-4", "post-3"]);
    const pages = await list("?type=page");
    assert.equal(pages.total, 3);
    assert.ok(pages.posts.every((p) => p.type === "page"));
    assert.equal((await admin(blog, "GET", "/admin/posts?type=tag")).res.status, 400);
    assert.equal((await admin(blog, "GET", "/admin/posts?limit=0")).res.status, 400);
    // The total is the tally, read, never a count of the rows.
    await blog.db.prepare("UPDATE tallies SET n = n + 100 WHERE name = 'post'").run();
    assert.equal((await list("?type=post")).total, 109);
  } finally {
    await blog.close();
  }
});
