// blogctl export: the whole blog as a folder — the demo and WordPress's theme unit test export
// (pages in a tree, drafts, a protected post, threads, pingbacks, media) — with every entry as
// Markdown and front matter, every comment, every media file byte for byte, the settings without
// a secret, the redirects, subscribers and followers; and an export into a folder that is not
// empty is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBlog, admin, makePng, ROOT, ADMIN_TOKEN, FORM_SECRET, runBlogctl } from "./helpers.mjs";



function filesUnder(dir) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

test("blogctl export writes the whole blog as a folder: entries as Markdown, comments, media byte for byte, settings without secrets", async () => {
  const blog = await startBlog();
  const url = String(await blog.mf.ready).replace(/\/$/, "");
  try {
    const corpus = path.join(ROOT, "..", "shared", "corpora", "wordpress", "themeunittestdata.wordpress.xml");
    const uploads = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-"));
    const urls = [...fs.readFileSync(corpus, "utf8").matchAll(/<wp:attachment_url>https?:\/\/[^/]+\/([^<]+)<\/wp:attachment_url>/g)].map((m) => m[1]);
    urls.filter((u) => /\.(jpe?g|png|gif)$/i.test(u)).forEach((u, i) => {
      fs.mkdirSync(path.dirname(path.join(uploads, u)), { recursive: true });
      fs.writeFileSync(path.join(uploads, u), makePng(48, 32, i));
    });
    const imported = await runBlogctl(url, ["import-wxr", "--uploads", uploads, corpus]);
    assert.equal(imported.code, 0, imported.stderr);
    const added = await admin(blog, "POST", "/admin/subscribers", { email: "reader@example.org", confirmed: true });
    assert.ok([200, 201].includes(added.res.status), JSON.stringify(added.json));

    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "export-")), "my-blog");
    const result = await runBlogctl(url, ["export", dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Exported \d+ posts, \d+ pages, \d+ comments, \d+ media files, \d+ redirects, \d+ subscribers and \d+ followers into /m);
    assert.equal(fs.existsSync(path.join(dir, "INCOMPLETE")), false, "a finished export says nothing of being incomplete");

    // Every entry, as Markdown with front matter, its text exactly as stored.
    const entries = [];
    for (let offset = 0; ; offset += 500) {
      const page = (await admin(blog, "GET", `/admin/posts?limit=500&offset=${offset}`)).json.posts;
      entries.push(...page);
      if (page.length < 500) break;
    }
    const written = [...fs.readdirSync(path.join(dir, "posts")).map((f) => `post:${f}`), ...fs.readdirSync(path.join(dir, "pages")).map((f) => `page:${f}`)].sort();
    assert.deepEqual(written, entries.map((e) => `${e.type}:${e.slug}.md`).sort());
    const demo = (await admin(blog, "GET", "/admin/posts/health-is-social-aint-no-doubt")).json;
    const file = fs.readFileSync(path.join(dir, "posts", "health-is-social-aint-no-doubt.md"), "utf8");
    assert.ok(file.includes(`\n---\n${demo.body}`), "the Markdown as stored");
    assert.match(file, /^title: "?Health is Social/m);
    assert.match(file, /^date: 2011-03-1\dT\d\d:\d\d:\d\dZ$/m);
    assert.match(file, /\n<!-- addendum 2011-03-18T14:17:00Z id=\d+ -->\n/);
    assert.ok(file.includes(demo.addenda[0].body), "the addendum's text");
    const drafts = entries.filter((e) => e.status === "draft");
    assert.ok(drafts.length > 0);
    for (const d of drafts) assert.match(fs.readFileSync(path.join(dir, `${d.type}s`, `${d.slug}.md`), "utf8"), /^draft: true$/m, d.slug);
    const child = entries.find((e) => e.type === "page" && e.parent);
    assert.match(fs.readFileSync(path.join(dir, "pages", `${child.slug}.md`), "utf8"), new RegExp(`^parent: ${child.parent}$`, "m"));

    // Every comment, with its thread, kind and status.
    const comments = filesUnder(path.join(dir, "comments")).flatMap((f) => JSON.parse(fs.readFileSync(f, "utf8")));
    let total = 0;
    for (const status of ["pending", "approved", "spam"]) total += (await admin(blog, "GET", `/admin/comments?status=${status}&limit=1`)).json.total;
    assert.equal(comments.length, total);
    assert.ok(comments.some((c) => c.kind === "pingback") && comments.some((c) => c.kind === "trackback"), "mentions keep their kind");
    const ids = new Set(comments.map((c) => c.id));
    const replies = comments.filter((c) => c.parent);
    assert.ok(replies.length > 0 && replies.every((c) => ids.has(c.parent)), "every reply's parent is there");

    // Every media file, byte for byte, with what the library says of it.
    const media = JSON.parse(fs.readFileSync(path.join(dir, "media.json"), "utf8"));
    assert.equal(media.length, (await admin(blog, "GET", "/admin/media?limit=1")).json.total);
    for (const m of media) {
      const [, , hash, name] = m.url.split("/");
      const bytes = fs.readFileSync(path.join(dir, "media", hash, name));
      assert.equal(createHash("sha256").update(bytes).digest("hex"), hash, m.url);
    }
    assert.ok(media.some((m) => m.alt), "alt texts kept");

    // Settings, redirects, subscribers; no secret anywhere.
    const settings = JSON.parse(fs.readFileSync(path.join(dir, "settings.json"), "utf8"));
    assert.equal(settings.title, "Health Techie");
    assert.ok(JSON.parse(fs.readFileSync(path.join(dir, "redirects.json"), "utf8")).length > 100, "the old WordPress addresses");
    assert.match(fs.readFileSync(path.join(dir, "subscribers.csv"), "utf8"), /reader@example\.org/);
    for (const f of filesUnder(dir)) {
      const text = fs.readFileSync(f, "latin1");
      for (const secret of [ADMIN_TOKEN, FORM_SECRET, "PRIVATE KEY"]) assert.ok(!text.includes(secret), `${f} holds a secret`);
    }
    const blogJson = JSON.parse(fs.readFileSync(path.join(dir, "blog.json"), "utf8"));
    assert.equal(blogJson.counts.posts + blogJson.counts.pages, entries.length);

    // A folder that is not empty is refused, and left as it was.
    const again = await runBlogctl(url, ["export", dir]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /is not empty: export into a new or empty folder/);
  } finally {
    await blog.close();
  }
});
