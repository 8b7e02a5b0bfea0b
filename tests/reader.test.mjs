// The reader's pages, end to end in workerd with real local D1 and KV.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBlog, inOrder } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
const POST = `/posts/${SLUG}`;

test("the home page lists the demo post with its date, excerpt and response count", async () => {
  const blog = await startBlog();
  try {
    const { res, body } = await blog.text("/");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    inOrder(assert, body, [
      "<title>Health Techie</title>",
      ">Health Techie</a>",
      "Just another site",
      `href="${POST}">Health is Social- ain’t no doubt</a>`,
      "March 17, 2011",
      "3 responses",
      "Found this website through Twitter.",
    ]);
    assert.doesNotMatch(body, /rel="next"/, "one post: no older-posts link");
  } finally {
    await blog.close();
  }
});

test("the post page shows post, addendum, threaded responses and the reply form, in order", async () => {
  const blog = await startBlog();
  try {
    const { res, body } = await blog.text(POST);
    assert.equal(res.status, 200);
    const [, , , , , , , c1, children, c2, closeChildren, c3] = inOrder(assert, body, [
      "<h1>Health is Social- ain’t no doubt</h1>",
      'datetime="2011-03-17T21:05:00Z">March 17, 2011</time>',
      "by <span class=\"author\">Claire</span>",
      '<a href="http://philbaumann.com/">this website</a>',
      '<li>what health outcomes can this technology help me to meet?</li>',
      "Additional – <time datetime=\"2011-03-18T14:17:00Z\">14:17 18/03/2011</time>",
      "3 responses to “Health is Social- ain’t no doubt”",
      '<li id="comment-1"',
      '<ol class="children">',
      '<li id="comment-2"',
      "</ol>",
      '<li id="comment-3"',
      "Leave a Reply",
    ]);
    // Nesting, which the order alone does not show: comment 2 sits inside comment 1's list of
    // replies (comment 1's item is still open there), and comment 3 is back at the top level.
    const depth = (html) => (html.match(/<li[ >]/g) || []).length - (html.match(/<\/li>/g) || []).length;
    assert.equal(depth(body.slice(c1, c2)), 1, "comment 1 is still open where comment 2 starts");
    assert.equal(depth(body.slice(c1, c3)), 0, "comment 1 has closed before comment 3 opens");
    assert.match(body.slice(c3, c3 + 200), /class="comment depth-1/);
    const first = body.slice(c1, children);
    assert.match(first, /<a href="http:\/\/philbaumann.com\/" rel="nofollow ugc">Phil Baumann<\/a>/);
    assert.match(first, /href="#comment-1"><time datetime="2011-03-18T01:17:00Z">March 18, 2011 at 1:17 am<\/time>/);
    const reply = body.slice(c2, closeChildren);
    assert.match(reply, /class="comment depth-2 by-post-author"/);
    assert.match(reply, />Author</);
    assert.match(reply, /March 18, 2011 at 1:39 am/);
    assert.match(body.slice(c3), /March 18, 2011 at 2:09 am/);
    for (const field of ["author", "email", "url", "body"]) {
      assert.match(body, new RegExp(`name="${field}"`), `form field ${field}`);
    }
    assert.match(body, new RegExp(`<form class="comment-form" method="post" action="${POST}/comments">`));
  } finally {
    await blog.close();
  }
});

test("times follow the configured time zone", async () => {
  const blog = await startBlog({ settings: { time_zone: "America/New_York" } });
  try {
    const { body } = await blog.text(POST);
    // New York was on daylight time (UTC-4) from 13 March 2011.
    assert.match(body, /Additional – <time datetime="2011-03-18T10:17:00-04:00">10:17 18\/03\/2011<\/time>/);
    assert.match(body, /March 17, 2011 at 9:17 pm/);
  } finally {
    await blog.close();
  }
});

test("a second request is served from the Cache API, then KV, without D1, until the page is purged", async () => {
  const blog = await startBlog();
  try {
    const first = await blog.fetch(POST);
    assert.equal(first.headers.get("x-blog-cache"), "miss");
    assert.match(await first.text(), /<h1>Health is Social- ain’t no doubt<\/h1>/);
    // Change the row behind the Worker's back: the cached page must still be served.
    await blog.db.prepare("UPDATE posts SET title = 'Changed behind its back' WHERE slug = ?").bind(SLUG).run();
    const second = await blog.fetch(POST);
    assert.equal(second.headers.get("x-blog-cache"), "edge", "this data centre's Cache API answers first");
    assert.match(await second.text(), /<h1>Health is Social- ain’t no doubt<\/h1>/);
    assert.equal(second.headers.get("cache-tag"), `post-${SLUG}`);
    // The page is stored in KV under page:{path}, with an expiry and the build that rendered it.
    const { keys } = await blog.kv.list({ prefix: "page:" });
    const entry = keys.find((k) => k.name === `page:${POST}`);
    assert.ok(entry, `a KV entry for ${POST} among ${JSON.stringify(keys)}`);
    assert.ok(entry.expiration > Date.now() / 1000, "cached pages expire");
    assert.match(await blog.kv.get(entry.name), /<h1>Health is Social- ain’t no doubt<\/h1>/);
    // Without the Cache API's copy, KV answers, still without D1.
    const build = entry.metadata.build;
    assert.match(build, /^[0-9a-f]{8,}$/);
    const caches = await blog.mf.getCaches();
    assert.ok(await caches.default.delete(`http://127.0.0.1:8787${POST}?build=${build}`));
    const third = await blog.fetch(POST);
    assert.equal(third.headers.get("x-blog-cache"), "hit");
    assert.match(await third.text(), /<h1>Health is Social- ain’t no doubt<\/h1>/);
    // Purge both: the next request renders the new data.
    await caches.default.delete(`http://127.0.0.1:8787${POST}?build=${build}`);
    await blog.kv.delete(entry.name);
    const fourth = await blog.fetch(POST);
    assert.equal(fourth.headers.get("x-blog-cache"), "miss");
    assert.match(await fourth.text(), /<h1>Changed behind its back<\/h1>/);
    // An entry another build rendered (an older deployment) reads as a miss and is replaced.
    await caches.default.delete(`http://127.0.0.1:8787${POST}?build=${build}`);
    await blog.kv.put(entry.name, "<p>from an older build</p>", { metadata: { etag: '"old"', build: "0ld" } });
    const fifth = await blog.fetch(POST);
    assert.equal(fifth.headers.get("x-blog-cache"), "miss");
    assert.match(await fifth.text(), /<h1>Changed behind its back<\/h1>/);
    const replaced = await blog.kv.getWithMetadata(entry.name);
    assert.equal(replaced.metadata.build, build);
  } finally {
    await blog.close();
  }
});

test("pages carry ETag and Cache-Control, and a matching If-None-Match gets 304", async () => {
  const blog = await startBlog();
  try {
    const res = await blog.fetch(POST);
    const etag = res.headers.get("etag");
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    assert.match(res.headers.get("cache-control"), /s-maxage=\d+/);
    const again = await blog.fetch(POST, { headers: { "If-None-Match": etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    assert.equal(again.headers.get("etag"), etag);
    const other = await blog.fetch(POST, { headers: { "If-None-Match": '"something-else"' } });
    assert.equal(other.status, 200);
  } finally {
    await blog.close();
  }
});

test("unknown posts and paths get a 404 page in the blog's layout", async () => {
  const blog = await startBlog();
  try {
    for (const p of ["/posts/no-such-post", "/no/such/path", "/page/2", "/posts/UPPER", "/page/0"]) {
      const { res, body } = await blog.text(p);
      assert.equal(res.status, 404, p);
      assert.match(body, /<h1>Not found<\/h1>/, p);
      assert.match(body, /Health Techie/, p);
      assert.equal(res.headers.get("cache-control"), "no-store", p);
    }
  } finally {
    await blog.close();
  }
});

test("HEAD answers like GET without a body", async () => {
  const blog = await startBlog();
  try {
    for (const [p, status] of [["/", 200], [POST, 200], ["/posts/missing", 404]]) {
      const get = await blog.fetch(p);
      const head = await blog.fetch(p, { method: "HEAD" });
      assert.equal(head.status, status, p);
      assert.equal(get.status, status, p);
      assert.equal(await head.text(), "", p);
      assert.equal(head.headers.get("content-type"), get.headers.get("content-type"), p);
      assert.equal(head.headers.get("etag"), get.headers.get("etag"), p);
    }
  } finally {
    await blog.close();
  }
});

test("other methods on reader pages get 405 with Allow", async () => {
  const blog = await startBlog();
  try {
    const res = await blog.fetch("/", { method: "PUT", body: "x" });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
  } finally {
    await blog.close();
  }
});

test("drafts and scheduled posts are never shown to readers", async () => {
  const blog = await startBlog();
  try {
    const now = Math.floor(Date.now() / 1000);
    await blog.db.batch([
      blog.db
        .prepare("INSERT INTO posts (slug, title, body, status, published_at, updated_at) VALUES ('a-draft', 'Secret draft', 'x', 'draft', ?1, ?1)")
        .bind(now - 60),
      blog.db
        .prepare("INSERT INTO posts (slug, title, body, status, published_at, updated_at) VALUES ('later', 'Scheduled post', 'x', 'published', ?1, ?1)")
        .bind(now + 3600),
    ]);
    assert.equal((await blog.fetch("/posts/a-draft")).status, 404);
    assert.equal((await blog.fetch("/posts/later")).status, 404);
    const { body } = await blog.text("/");
    assert.doesNotMatch(body, /Secret draft|Scheduled post/);
    assert.match(body, /Health is Social/);
  } finally {
    await blog.close();
  }
});

test("the home page shows 10 posts a page, newest first, with older/newer links", async () => {
  const blog = await startBlog();
  try {
    const base = Date.UTC(2020, 0, 1) / 1000;
    const insert = [];
    for (let i = 1; i <= 25; i++) {
      insert.push(
        blog.db
          .prepare("INSERT INTO posts (slug, title, body, status, published_at, updated_at) VALUES (?1, ?2, 'Body', 'published', ?3, ?3)")
          .bind(`post-${i}`, `Post number ${i}`, base + i * 86400),
      );
    }
    await blog.db.batch(insert);
    const one = (await blog.text("/")).body;
    inOrder(assert, one, ["Post number 25<", "Post number 16<", 'href="/page/2" rel="next"']);
    assert.doesNotMatch(one, /Post number 15</);
    assert.doesNotMatch(one, /rel="prev"/);
    const two = (await blog.text("/page/2")).body;
    inOrder(assert, two, ['Post number 15<', 'Post number 6<', 'href="/page/3" rel="next"', 'href="/" rel="prev"']);
    const three = await blog.text("/page/3");
    assert.equal(three.res.status, 200);
    inOrder(assert, three.body, ["Post number 5<", "Post number 1<", "Health is Social", 'href="/page/2" rel="prev"']);
    assert.doesNotMatch(three.body, /rel="next"/);
    assert.equal((await blog.fetch("/page/4")).status, 404);
  } finally {
    await blog.close();
  }
});

test("comments are paginated at 100 threads a page, and an approval refreshes the pages", async () => {
  const blog = await startBlog();
  try {
    // 230 more top-level comments (232 threads with the demo's two), each with one reply.
    await blog.db
      .prepare(
        `INSERT INTO comments (post_id, author_name, author_email, body, status, created_at)
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 230)
         SELECT 1, 'Reader ' || i, 'r' || i || '@example.org', 'Thread number ' || i || '.', 'approved', 1300500000 + i * 60 FROM k`,
      )
      .run();
    await blog.db
      .prepare(
        `INSERT INTO comments (post_id, parent_id, author_name, author_email, body, status, created_at)
         SELECT 1, id, 'Replier', 'q@example.org', 'Reply to ' || body, 'approved', created_at + 30 FROM comments WHERE body LIKE 'Thread number %'`,
      )
      .run();
    const first = (await blog.text(POST)).body;
    assert.match(first, /463 responses to/);
    assert.equal((first.match(/class="comment depth-1/g) || []).length, 100);
    assert.match(first, new RegExp(`href="${POST}/comments/page/2#comments" rel="next">Later comments`));
    assert.match(first, /Reply to Thread number 98\./);
    assert.doesNotMatch(first, /Thread number 99\./);
    const second = await blog.text(`${POST}/comments/page/2`);
    assert.equal(second.res.status, 200);
    assert.match(second.body, /Thread number 99\./);
    assert.match(second.body, /Reply to Thread number 198\./);
    assert.match(second.body, /<h1>Health is Social- ain’t no doubt<\/h1>/, "the post heads every page of comments");
    assert.match(second.body, new RegExp(`<link rel="canonical" href="http://127.0.0.1:8787${POST}/comments/page/2">`));
    const third = (await blog.text(`${POST}/comments/page/3`)).body;
    assert.equal((third.match(/class="comment depth-1/g) || []).length, 32);
    assert.match(third, new RegExp(`href="${POST}/comments/page/2#comments" rel="prev">← Earlier comments`));
    assert.doesNotMatch(third, /Later comments/);
    assert.equal((await blog.fetch(`${POST}/comments/page/4`)).status, 404);

    // A new approved comment (a known commenter) lands on page 3 and refreshes it.
    assert.equal((await blog.fetch(`${POST}/comments/page/3`)).headers.get("x-blog-cache"), "edge");
    const { postComment, mintToken } = await import("./helpers.mjs");
    const sent = await postComment(blog, SLUG, { token: await mintToken(1, Math.floor(Date.now() / 1000) - 60), author: "Phil", email: "phil@example.com", body: "The newest thread.", subject: "" });
    assert.equal(sent.status, 303);
    const refreshed = await blog.text(`${POST}/comments/page/3`);
    assert.equal(refreshed.res.headers.get("x-blog-cache"), "miss");
    assert.match(refreshed.body, /The newest thread\./);
    assert.match(refreshed.body, /464 responses to/);
  } finally {
    await blog.close();
  }
});
