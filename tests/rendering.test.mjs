// Markdown and comment text are rendered when they are saved, not when a reader asks; rows that no
// current renderer has seen (the demo seed, an older build) are shown as well as the reader Worker
// can without a Markdown renderer, kept out of the caches, and rendered by the author Worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, page, postComment, formToken, AUTHOR } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";

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

test("rows written by plain SQL are shown as text and kept out of the caches until the author Worker renders them", async () => {
  const blog = await startBlog({ raw: true });
  try {
    // The demo seed is plain SQL: nothing rendered yet.
    const before = await blog.db
      .prepare("SELECT (SELECT COUNT(*) FROM posts WHERE rendered_by = 0) AS posts, (SELECT COUNT(*) FROM comments WHERE rendered_by = 0) AS comments")
      .first();
    assert.ok(before.posts > 0 && before.comments > 0, JSON.stringify(before));

    // The reader has no Markdown renderer: the post reads as its text, comments are exact, and
    // nothing is cached (twice "uncached", no-store).
    for (let i = 0; i < 2; i++) {
      const res = await blog.fetch(`/posts/${SLUG}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-blog-cache"), "uncached");
      assert.equal(res.headers.get("cache-control"), "no-store");
      const body = await res.text();
      assert.match(body, /3 responses/);
      assert.match(body, /class="entry-content">\s*<p>/);
    }
    assert.equal((await blog.fetch("/")).headers.get("x-blog-cache"), "uncached");

    const rendered = await admin(blog, "POST", "/admin/renders");
    assert.equal(rendered.res.status, 200);
    assert.ok(rendered.json.rendered >= before.posts + before.comments, JSON.stringify(rendered.json));
    assert.equal(rendered.json.remaining, false);
    const after = await blog.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM posts WHERE rendered_by = 0) + (SELECT COUNT(*) FROM addenda WHERE rendered_by = 0)
              + (SELECT COUNT(*) FROM comments WHERE rendered_by = 0) AS n`,
      )
      .first();
    assert.equal(after.n, 0);

    const first = await blog.fetch(`/posts/${SLUG}`);
    assert.equal(first.headers.get("x-blog-cache"), "miss");
    const html = await first.text();
    assert.match(html, /<a [^>]*href="[^"]+"/, "the post's Markdown links are links now");
    assert.doesNotMatch(html, /\]\(http/, "no Markdown link syntax is left");
    assert.match((await page(blog, `/posts/${SLUG}`)).cache, /^(edge|hit)$/, "and the page is cached");
    assert.equal((await admin(blog, "POST", "/admin/renders")).json.rendered, 0, "nothing left to render");
  } finally {
    await blog.close();
  }
});

test("the author Worker's cron job stores renders of rows no one has asked for", async () => {
  const blog = await startBlog({ raw: true });
  try {
    const worker = await blog.mf.getWorker(AUTHOR);
    await worker.scheduled({ cron: "* * * * *" });
    const row = await blog.db
      .prepare("SELECT (SELECT COUNT(*) FROM posts WHERE rendered_by = 0) + (SELECT COUNT(*) FROM comments WHERE rendered_by = 0) AS n")
      .first();
    assert.equal(row.n, 0);
  } finally {
    await blog.close();
  }
});

test("a <!--more--> break ends the excerpt on the listing and the page's description; the post shows everything", async () => {
  const blog = await startBlog({ demo: false });
  try {
    const created = await admin(blog, "POST", "/admin/posts", {
      title: "Cut here",
      body: "A short opening.\n\n<!--more-->\n\nThe rest, which only the post shows.",
      status: "published",
    });
    assert.equal(created.res.status, 201, JSON.stringify(created.json));
    const home = await page(blog, "/");
    assert.match(home.body, /<p>A short opening\.<\/p>/);
    assert.doesNotMatch(home.body, /The rest/);
    const post = await page(blog, "/posts/cut-here");
    assert.match(post.body, /<meta name="description" content="A short opening\.">/);
    assert.match(post.body, /<p>The rest, which only the post shows\.<\/p>/);
  } finally {
    await blog.close();
  }
});
