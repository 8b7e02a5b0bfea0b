// The blog's settings, kept in one place (D1's settings table) and changed through the admin API:
// every cached page type shows a change after its purge; wrong values are refused, all or nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, page, CACHED, makePng, ADMIN_TOKEN } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";

/** Every kind of page the caches keep, and what each shows of the settings. */
const PAGES = [
  ["/", "html"],
  [`/posts/${SLUG}`, "html"],
  ["/posts/second-post", "html"],
  ["/tags/edge", "html"],
  ["/feed.atom", "feed"],
  ["/feed.rss", "feed"],
  [`/posts/${SLUG}/comments.atom`, "feed"],
  ["/sitemap.xml", "address"],
  ["/robots.txt", "address"],
];

const value = (json, key) => json.settings.find((s) => s.key === key)?.value;

test("a settings change shows on every cached page type after its purge", async () => {
  const blog = await startBlog();
  try {
    const created = await admin(blog, "POST", "/admin/posts", {
      title: "Second post",
      body: "Written at the edge.",
      tags: ["Edge"],
      status: "published",
    });
    assert.equal(created.res.status, 201, JSON.stringify(created.json));

    const before = await admin(blog, "GET", "/admin/settings");
    assert.equal(before.res.status, 200);
    assert.equal(value(before.json, "title"), "Health Techie");
    assert.equal(value(before.json, "time_zone"), "Europe/London");
    assert.ok(before.json.settings.every((s) => s.about && "default" in s), "each setting says what it is");

    // Warm every layer: the second read of each page comes from a cache.
    for (const [path] of PAGES) {
      const first = await page(blog, path);
      assert.equal(first.status, 200, path);
      assert.match((await page(blog, path)).cache, CACHED, `${path} is cached`);
    }
    const post = await page(blog, `/posts/${SLUG}`);
    assert.match(post.body, /<html lang="en-GB">/);
    assert.match(post.body, /datetime="2011-03-17T21:05:00Z">March 17, 2011<\/time>/);

    const changed = await admin(blog, "PATCH", "/admin/settings", {
      title: "Claire’s <Notebook>",
      tagline: "Health, social & tech",
      base_url: "HTTPS://Notebook.Example.org/",
      time_zone: "Asia/Tokyo",
      language: "en-US",
    });
    assert.equal(changed.res.status, 200, JSON.stringify(changed.json));
    assert.equal(value(changed.json, "base_url"), "https://notebook.example.org", "stored normalised");
    assert.ok(changed.json.purged >= PAGES.length, `purged ${changed.json.purged} pages`);

    for (const [path, kind] of PAGES) {
      const after = await page(blog, path);
      assert.equal(after.status, 200, path);
      assert.equal(after.cache, "miss", `${path} was purged and rendered again`);
      assert.match(after.body, /https:\/\/notebook\.example\.org\//, `${path} uses the new address`);
      assert.doesNotMatch(after.body, /127\.0\.0\.1:8787/, `${path} has no old address`);
      if (kind !== "address") {
        assert.match(after.body, /Claire’s &(#60|lt);Notebook&(#62|gt);/, `${path} shows the new title, escaped`);
        assert.doesNotMatch(after.body, /Health Techie/, `${path} has no old title`);
        assert.doesNotMatch(after.body, /<Notebook>/, `${path}: the title is text, never markup`);
      }
      if (kind === "html") assert.match(after.body, /<html lang="en-US">/, path);
    }
    const tokyo = await page(blog, `/posts/${SLUG}`);
    assert.match(tokyo.body, /datetime="2011-03-18T06:05:00\+09:00">March 18, 2011<\/time>/, "dates in the new time zone");
    assert.match(tokyo.body, /Health, social &(#38|amp); tech/);
  } finally {
    await blog.close();
  }
});

test("wrong settings are refused with a reason each, and nothing is changed", async () => {
  const blog = await startBlog();
  try {
    await page(blog, "/");
    await page(blog, "/");
    const wrong = await admin(blog, "PATCH", "/admin/settings", {
      title: "A new title",
      time_zone: "Mars/Olympus_Mons",
      base_url: "blog.example.org/path",
      language: "English",
      comment_max_links: "-1",
      colour: "red",
    });
    assert.equal(wrong.res.status, 422);
    assert.match(wrong.json.error, /Nothing was changed/);
    assert.deepEqual(Object.keys(wrong.json.fields).sort(), ["base_url", "colour", "comment_max_links", "language", "time_zone"]);
    assert.match(wrong.json.fields.time_zone, /not a time zone/);
    assert.match(wrong.json.fields.colour, /the settings are: title/);

    for (const body of ["not json", "[]", "{}"]) {
      const res = await blog.fetch("/admin/settings", {
        method: "PATCH",
        headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" },
        body,
      });
      assert.equal(res.status, 400, body);
      assert.match((await res.json()).error, /JSON/);
    }

    const after = await admin(blog, "GET", "/admin/settings");
    assert.equal(value(after.json, "title"), "Health Techie", "the valid title in the refused change was not stored");
    assert.equal(value(after.json, "time_zone"), "Europe/London");
    const home = await page(blog, "/");
    assert.match(home.cache, CACHED, "a refused change purges nothing");
    assert.match(home.body, /<title>Health Techie<\/title>/);

    // The comment checks are read when a comment arrives: changing them purges no page.
    const quiet = await admin(blog, "PATCH", "/admin/settings", { comment_blocklist: "casino\ncheap pills" });
    assert.equal(quiet.res.status, 200);
    assert.equal(quiet.json.purged, 0);
    assert.match((await page(blog, "/")).cache, CACHED);
    // null puts a setting back to its default.
    const reset = await admin(blog, "PATCH", "/admin/settings", { tagline: null });
    assert.equal(value(reset.json, "tagline"), "");
    assert.ok(reset.json.purged > 0);

    // Without a token it is a browser: the settings screen, which asks it to sign in first.
    const anonymous = await admin(blog, "GET", "/admin/settings", undefined, null);
    assert.equal(anonymous.res.status, 303);
    assert.equal(anonymous.res.headers.get("location"), "/admin/sign-in");
    const wrongToken = await admin(blog, "GET", "/admin/settings", undefined, "not-the-token");
    assert.equal(wrongToken.res.status, 401, "a wrong token is the API's 401");
  } finally {
    await blog.close();
  }
});

test("the site icon: a default until the author sets an image of the media library, then that image", async () => {
  const blog = await startBlog();
  try {
    const icon = async (path) => {
      const res = await blog.fetch(path);
      return { status: res.status, type: res.headers.get("content-type"), cache: res.headers.get("cache-control"), bytes: Buffer.from(await res.arrayBuffer()) };
    };
    const byDefault = await icon("/favicon.ico");
    assert.equal(byDefault.status, 200);
    assert.equal(byDefault.type, "image/png");
    assert.match(byDefault.cache, /max-age=604800/);
    assert.deepEqual((await icon("/favicon.ico")).bytes, byDefault.bytes, "the default, kept in the Cache API");

    const png = makePng(192, 192, 7);
    const up = await blog.fetch("/admin/media?name=my-icon.png", {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/octet-stream" },
      body: png,
    });
    assert.equal(up.status, 201);
    const { url } = await up.json();
    const path = new URL(url, "http://x").pathname;

    const missing = await admin(blog, "PATCH", "/admin/settings", { icon: path.replace(/[0-9a-f]{64}/, "0".repeat(64)) });
    assert.equal(missing.res.status, 422);
    assert.match(missing.json.fields.icon, /upload it first/);
    const notMedia = await admin(blog, "PATCH", "/admin/settings", { icon: "https://elsewhere.example/icon.png" });
    assert.equal(notMedia.res.status, 422);

    const set = await admin(blog, "PATCH", "/admin/settings", { icon: path });
    assert.equal(set.res.status, 200, JSON.stringify(set.json));
    for (const address of ["/favicon.ico", "/apple-touch-icon.png", "/apple-touch-icon-precomposed.png"]) {
      const chosen = await icon(address);
      assert.equal(chosen.status, 200, address);
      assert.equal(chosen.type, "image/png");
      assert.match(chosen.cache, /max-age=604800/);
      assert.deepEqual(chosen.bytes, png, `${address} is the chosen icon`);
    }
    const home = await page(blog, "/");
    assert.match(home.body, /<link rel="icon" href="\/favicon.ico">/);

    const reset = await admin(blog, "PATCH", "/admin/settings", { icon: null });
    assert.equal(reset.res.status, 200);
    assert.deepEqual((await icon("/favicon.ico")).bytes, byDefault.bytes, "back to the default");
  } finally {
    await blog.close();
  }
});
