// SQL metacharacters and FTS query syntax in every parameter are stored and found literally.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, page, postComment, mintToken } from "./helpers.mjs";

const NASTY = [`'; DROP TABLE posts; --`, `" OR "1"="1`, `NEAR(alpha beta) AND gamma*`, `title:x ^y -z`, `%_\\%`, `Robert'); DELETE FROM comments;--`];

test("SQL and FTS syntax are stored verbatim and searched literally", async () => {
  const blog = await startBlog();
  try {
    for (const [i, text] of NASTY.entries()) {
      const made = await admin(blog, "POST", "/admin/posts", { title: `Injection ${i} ${text}`, body: `Body word${i} ${text}`, tags: [`tag ${text}`.slice(0, 60)] });
      assert.equal(made.res.status, 201, text);
      const back = await admin(blog, "GET", `/admin/posts/${made.json.slug}`);
      assert.equal(back.json.title, `Injection ${i} ${text}`);
      assert.equal(back.json.body, `Body word${i} ${text}`);
      const found = await page(blog, `/search?q=${encodeURIComponent(text)}`);
      assert.equal(found.status, 200, `search for ${text}`);
      const exact = await page(blog, `/search?q=${encodeURIComponent(`word${i} ${text}`)}`);
      assert.match(exact.body, /1 post matches/, `searching "word${i} ${text}" finds exactly its post`);
      const sent = await postComment(blog, "health-is-social-aint-no-doubt", { token: await mintToken(1, Math.floor(Date.now() / 1000) - 60), author: text.slice(0, 100), email: "phil@example.com", body: `Comment ${i}: ${text}`, subject: "" }, `10.7.0.${i}`);
      assert.equal(sent.status, 303, text);
    }
    const rows = await blog.db.prepare("SELECT author_name, body FROM comments WHERE body LIKE 'Comment %' ORDER BY id").all();
    assert.deepEqual(rows.results.map((r) => r.body), NASTY.map((t, i) => `Comment ${i}: ${t}`));
    assert.deepEqual(rows.results.map((r) => r.author_name), NASTY.map((t) => t.replace(/\s+/g, " ").trim()));
    const counts = await blog.db.prepare("SELECT (SELECT COUNT(*) FROM posts) AS posts, (SELECT COUNT(*) FROM comments) AS comments").first();
    assert.deepEqual(counts, { posts: 1 + NASTY.length, comments: 3 + NASTY.length }, "nothing was dropped or deleted");
  } finally {
    await blog.close();
  }
});
