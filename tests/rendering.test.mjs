// Markdown and comment text are rendered when they are saved, not when a reader asks; rows that no
// current renderer has seen (the demo seed, an older build) are shown rendered and then stored.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, page, postComment, formToken } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";

/** Polls `check` (work after the response finishes on its own time) for up to 5 s. */
async function eventually(check) {
  for (let i = 0; i < 50; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

test("publishing stores the HTML, and the page shows the stored HTML rather than rendering Markdown", async () => {
  const blog = await startBlog({ demo: false });
  try {
    const made = await admin(blog, "POST", "/admin/posts", {
      title: "Stored",
      body: "# Heading\n\nSome *Markdown* here.",
      tags: [],
    });
    assert.equal(made.res.status, 201);
    const row = await blog.db.prepare("SELECT body_html, lead, rendered_by FROM posts WHERE slug = 'stored'").first();
    assert.match(row.body_html, /<h1 id="heading">Heading<\/h1>/);
    assert.match(row.body_html, /<em>Markdown<\/em>/);
    assert.equal(row.lead, "Heading Some Markdown here.");
    assert.ok(row.rendered_by > 0);

    const added = await admin(blog, "POST", "/admin/posts/stored/addenda", { body: "Later **news**." });
    assert.equal(added.res.status, 201);
    const addendum = await blog.db.prepare("SELECT body_html, rendered_by FROM addenda").first();
    assert.match(addendum.body_html, /<strong>news<\/strong>/);
    assert.ok(addendum.rendered_by > 0);

    // Change only the stored HTML behind the Worker's back (no reader has asked for the page yet,
    // so nothing is cached): the page must show it, not a render of the Markdown.
    await blog.db.prepare("UPDATE posts SET body_html = '<p>From the stored render.</p>' WHERE slug = 'stored'").run();
    const { body } = await page(blog, "/posts/stored");
    assert.match(body, /From the stored render\./);
    assert.doesNotMatch(body, /<em>Markdown<\/em>/);
  } finally {
    await blog.close();
  }
});

test("a comment's HTML is stored with it, escaped", async () => {
  const blog = await startBlog();
  try {
    const { body } = await page(blog, `/posts/${SLUG}`);
    const token = formToken(body);
    const res = await postComment(blog, SLUG, {
      author: "Ann",
      email: "ann@example.com",
      body: "Hello <b>there</b>\n\nSee https://example.com/x.",
      token,
    });
    assert.equal(res.status, 303);
    const row = await blog.db.prepare("SELECT body_html, rendered_by FROM comments WHERE author_name = 'Ann'").first();
    assert.equal(
      row.body_html,
      '<p>Hello &lt;b&gt;there&lt;/b&gt;</p>\n<p>See <a href="https://example.com/x" rel="nofollow ugc noopener">https://example.com/x</a>.</p>\n',
    );
    assert.ok(row.rendered_by > 0);
  } finally {
    await blog.close();
  }
});

test("rows written by plain SQL are shown rendered, then their renders are stored after the response", async () => {
  const blog = await startBlog({ vars: { BENCH_FORCE_MISS: "1" } });
  try {
    // The demo seed is plain SQL: nothing rendered yet.
    const before = await blog.db
      .prepare("SELECT (SELECT COUNT(*) FROM posts WHERE rendered_by = 0) AS posts, (SELECT COUNT(*) FROM comments WHERE rendered_by = 0) AS comments")
      .first();
    assert.ok(before.posts > 0 && before.comments > 0, JSON.stringify(before));

    const { status, body } = await page(blog, `/posts/${SLUG}`);
    assert.equal(status, 200);
    assert.match(body, /<div class="entry-content">\s*<p>/, "the body is rendered Markdown");
    assert.match(body, /3 responses/);

    const after = await eventually(async () => {
      const row = await blog.db
        .prepare(
          `SELECT (SELECT COUNT(*) FROM posts WHERE rendered_by = 0) AS posts,
                  (SELECT COUNT(*) FROM addenda WHERE rendered_by = 0) AS addenda,
                  (SELECT COUNT(*) FROM comments WHERE rendered_by = 0) AS comments`,
        )
        .first();
      return row.posts + row.addenda + row.comments === 0 && row;
    });
    assert.ok(after, "every stale row was rendered and stored");
    const post = await blog.db.prepare("SELECT body_html FROM posts WHERE slug = ?").bind(SLUG).first();
    assert.ok(post.body_html.length > 500);

    // The same page rendered again from the stored renders is what the fallback made.
    const again = await blog.fetch(`/posts/${SLUG}`, { headers: { "X-Bench-Miss": "1" } });
    const strip = (html) => html.replace(/name="token" value="[^"]*"/, "");
    const entry = (html) => strip(html).split('<div class="entry-content">')[1];
    assert.equal(entry(await again.text()), entry(body));
  } finally {
    await blog.close();
  }
});

test("the cron job stores renders of rows no reader has asked for", async () => {
  const blog = await startBlog();
  try {
    const worker = await blog.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *" });
    const row = await blog.db
      .prepare("SELECT (SELECT COUNT(*) FROM posts WHERE rendered_by = 0) + (SELECT COUNT(*) FROM comments WHERE rendered_by = 0) AS n")
      .first();
    assert.equal(row.n, 0);
  } finally {
    await blog.close();
  }
});
