// Old addresses keep working: redirects are consulted only where a page would be a 404 (and for
// WordPress short links on the home page); the paths readers ask for in vain are counted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, page } from "./helpers.mjs";

const POST = "/posts/health-is-social-aint-no-doubt";

test("an old address answers 301 to its new one; pages that exist are never redirected", async () => {
  const blog = await startBlog();
  try {
    const add = await admin(blog, "POST", "/admin/redirects", {
      redirects: [
        { from: "https://old.example.org/2011/03/18/health-is-social/", to: POST },
        { from: "/?p=42", to: POST },
        { from: "/about/", to: "https://elsewhere.example.org/about" },
        { from: POST, to: "/" }, // the page exists: this one is never used
      ],
    });
    assert.equal(add.res.status, 200, JSON.stringify(add.json));
    assert.equal(add.json.stored, 4);

    for (const old of ["/2011/03/18/health-is-social/", "/2011/03/18/health-is-social", "/2011/03/18/Health-Is-Social/"]) {
      const res = await blog.fetch(old);
      assert.equal(res.status, 301, old);
      assert.equal(res.headers.get("location"), POST);
      assert.match(res.headers.get("cache-control"), /max-age=3600/);
    }
    const head = await blog.fetch("/2011/03/18/health-is-social/", { method: "HEAD" });
    assert.equal(head.status, 301);
    assert.equal((await blog.fetch("/?p=42")).headers.get("location"), POST);
    assert.equal((await blog.fetch("/about")).headers.get("location"), "https://elsewhere.example.org/about");
    assert.equal((await page(blog, "/?p=43")).status, 200, "an unknown short link is the home page");
    assert.equal((await page(blog, "/?utm_source=x")).status, 200);
    assert.equal((await page(blog, POST)).status, 200, "a page that exists is served, whatever the redirects say");
    const post = await blog.fetch("/2011/03/18/health-is-social/", { method: "POST" });
    assert.equal(post.status, 404, "only reading requests are redirected");

    const list = await admin(blog, "GET", "/admin/redirects");
    assert.deepEqual(list.json.redirects.map((r) => r.from), ["/2011/03/18/health-is-social", "/?p=42", "/about", POST]);
    const removed = await admin(blog, "DELETE", "/admin/redirects?from=/about/");
    assert.equal(removed.res.status, 204);
    assert.equal((await blog.fetch("/about")).status, 404);
    assert.equal((await admin(blog, "DELETE", "/admin/redirects?from=/about/")).res.status, 404);
  } finally {
    await blog.close();
  }
});

test("wrong redirects are refused, naming each, and none is stored", async () => {
  const blog = await startBlog();
  try {
    const wrong = await admin(blog, "POST", "/admin/redirects", {
      redirects: [
        { from: "/fine/", to: "/posts/x" },
        { from: "about", to: "/posts/x" },
        { from: "/evil/", to: "javascript:alert(1)" },
        { from: "/loop/", to: "/loop" },
        { from: "//other.example/x", to: "/" },
      ],
    });
    assert.equal(wrong.res.status, 422);
    assert.deepEqual(Object.keys(wrong.json.fields).sort(), ["//other.example/x", "/evil/", "/loop/", "about"]);
    assert.deepEqual((await admin(blog, "GET", "/admin/redirects")).json.redirects, [], "all or nothing");
    assert.equal((await admin(blog, "POST", "/admin/redirects", { from: "/x" })).res.status, 400);
    assert.equal((await admin(blog, "POST", "/admin/redirects", { redirects: [] })).res.status, 400);
    assert.equal((await admin(blog, "DELETE", "/admin/redirects")).res.status, 400);
  } finally {
    await blog.close();
  }
});

test("paths readers ask for in vain are counted, most asked first, until a redirect covers them", async () => {
  const blog = await startBlog();
  try {
    for (let i = 0; i < 3; i++) assert.equal((await page(blog, "/2019/01/old-post/")).status, 404);
    assert.equal((await page(blog, "/wp-login.php")).status, 404);
    assert.equal((await page(blog, "/posts/no-such-post")).status, 404);
    // Counting happens after the answer: give it a moment.
    let list;
    for (let i = 0; i < 50; i++) {
      list = await admin(blog, "GET", "/admin/not-found");
      if (list.json.not_found.length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(list.res.status, 200);
    assert.deepEqual(list.json.not_found[0], { ...list.json.not_found[0], path: "/2019/01/old-post", hits: 3 });
    assert.deepEqual(list.json.not_found.map((n) => n.path).sort(), ["/2019/01/old-post", "/posts/no-such-post", "/wp-login.php"]);
    await admin(blog, "POST", "/admin/redirects", { from: "/2019/01/old-post/", to: POST });
    const after = await admin(blog, "GET", "/admin/not-found");
    assert.ok(!after.json.not_found.some((n) => n.path === "/2019/01/old-post"), "a covered path is no longer listed");
    assert.equal((await blog.fetch("/2019/01/old-post/")).status, 301);
  } finally {
    await blog.close();
  }
});
