// The round trip: the demo and WordPress's theme unit test export (pages in a tree, drafts, a
// protected post, threads, pingbacks, media) → `blogctl export` → a fresh, empty blog →
// `blogctl import` → every public page, feed and media file of the new blog is the old one's,
// byte for byte (apart from what must differ, named below); drafts stay drafts; a second import
// changes nothing; and an export edited by hand imports what it can and names every refused item.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBlog, admin, makePng, heldComment, ROOT, runBlogctl } from "./helpers.mjs";

const CORPUS = path.join(ROOT, "..", "shared", "corpora", "wordpress", "themeunittestdata.wordpress.xml");

/** A copy of the old site's uploads for the corpus: a small PNG for each image it names. */
function fakeUploads() {
  const uploads = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-"));
  const urls = [...fs.readFileSync(CORPUS, "utf8").matchAll(/<wp:attachment_url>https?:\/\/[^/]+\/([^<]+)<\/wp:attachment_url>/g)].map((m) => m[1]);
  urls.filter((u) => /\.(jpe?g|png|gif)$/i.test(u)).forEach((u, i) => {
    fs.mkdirSync(path.dirname(path.join(uploads, u)), { recursive: true });
    fs.writeFileSync(path.join(uploads, u), makePng(48, 32, i));
  });
  return uploads;
}

/** Every entry the admin API lists: slug → {type, status, published_at, updated_at, parent, tags}. */
async function entries(blog) {
  const all = {};
  for (let offset = 0; ; offset += 500) {
    const page = (await admin(blog, "GET", `/admin/posts?limit=500&offset=${offset}`)).json.posts;
    for (const e of page) all[e.slug] = { type: e.type, status: e.status, published_at: e.published_at, updated_at: e.updated_at, parent: e.parent, tags: e.tags };
    if (page.length < 500) return all;
  }
}

/**
 * What a reader can reach, from the sitemap, the feeds and robots.txt, following every link and
 * image on the site: path → body. What must differ between two blogs is taken out: the comment
 * form's signed timestamp (it is made for each request).
 */
async function crawl(blog) {
  const seen = new Map();
  const queue = ["/", "/sitemap.xml", "/feed.atom", "/feed.rss", "/robots.txt"];
  const sitemap = (await blog.text("/sitemap.xml")).body;
  for (const m of sitemap.matchAll(/<loc>https?:\/\/[^/<]+(\/[^<]*)<\/loc>/g)) queue.push(m[1]);
  while (queue.length) {
    const p = queue.shift().replace(/#.*$/, "");
    if (seen.has(p) || seen.size > 3000) continue;
    const res = await blog.fetch(p);
    const type = res.headers.get("content-type") ?? "";
    const bytes = Buffer.from(await res.arrayBuffer());
    let body = type.startsWith("image/") || type.startsWith("application/octet") ? bytes.toString("base64") : bytes.toString("utf8");
    body = body.replace(/name="(ts|token|form_token|stamp)" value="[^"]*"/g, 'name="$1" value="…"');
    seen.set(p, `${res.status} ${type}\n${res.headers.get("location") ?? ""}\n${body}`);
    if (!/html|xml/.test(type)) continue;
    for (const m of body.matchAll(/(?:href|src)="(\/(?!\/)[^"?#]*)/g)) {
      if (!seen.has(m[1]) && !m[1].startsWith("/admin")) queue.push(m[1]);
    }
  }
  return seen;
}

/** The first test's export, which the second edits. */
let exportDir;

function filesUnder(dir) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

test("export → a fresh blog → import: every public page and feed is the same, drafts stay drafts, and a second import changes nothing", async () => {
  const old = await startBlog();
  const fresh = await startBlog({ demo: false });
  try {
    const oldUrl = String(await old.mf.ready).replace(/\/$/, "");
    const freshUrl = String(await fresh.mf.ready).replace(/\/$/, "");
    const imported = await runBlogctl(oldUrl, ["import-wxr", "--uploads", fakeUploads(), CORPUS]);
    assert.equal(imported.code, 0, imported.stderr);
    // A comment waiting for moderation, a subscriber and a follower too.
    const held = { body: "Waiting for the author.", id: 0 };
    held.id = await heldComment(old, "health-is-social-aint-no-doubt", "Held", held.body, "203.0.113.9");
    const added = await admin(old, "POST", "/admin/subscribers", { email: "reader@example.org", confirmed: true });
    assert.ok([200, 201].includes(added.res.status), JSON.stringify(added.json));
    await old.db.batch([
      old.db.prepare("INSERT INTO fediverse_actors (id, key_id, public_key, inbox, name, handle, fetched_at) VALUES ('https://social.example/users/ann', 'https://social.example/users/ann#main-key', 'PEM', 'https://social.example/users/ann/inbox', 'Ann', '@ann@social.example', 1)"),
      old.db.prepare("INSERT INTO followers (actor_id, inbox, created_at) VALUES ('https://social.example/users/ann', 'https://social.example/inbox', 1700000000)"),
    ]);

    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "round-trip-")), "export");
    const exported = await runBlogctl(oldUrl, ["export", dir]);
    assert.equal(exported.code, 0, exported.stderr);
    exportDir = dir;

    // A dry run says what it would do and does nothing.
    const dry = await runBlogctl(freshUrl, ["import", "--dry-run", dir]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^Would restore .*\d+ posts/m);
    assert.deepEqual(await entries(fresh), {});

    const restored = await runBlogctl(freshUrl, ["import", dir]);
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);
    assert.match(restored.stdout, /^Restored .*\d+ comments.*\d+ media files.*\d+ pages.*\d+ posts.*\d+ redirects.*\d+ settings.*\d+ subscribers/m);

    // Drafts stay drafts; every entry keeps its dates, parent and tags.
    const before = await entries(old);
    assert.deepEqual(await entries(fresh), before);
    assert.ok(Object.values(before).some((e) => e.status === "draft"));

    // Every page a reader can reach, byte for byte.
    const [a, b] = [await crawl(old), await crawl(fresh)];
    assert.ok(a.size > 200, `crawled ${a.size} pages`);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    const differing = [];
    for (const [p, body] of a) {
      if (b.get(p) === body) continue;
      const [x, y] = [body.split("\n"), b.get(p).split("\n")];
      const at = x.findIndex((line, i) => line !== y[i]);
      differing.push(`${p} line ${at + 1}:\n  old: ${x[at]}\n  new: ${y[at]}`);
    }
    assert.deepEqual(differing, [], differing.slice(0, 10).join("\n"));

    // What the reader does not see came back too: the held comment, the spam, the follower.
    for (const status of ["pending", "approved", "spam"]) {
      const count = async (blog) => (await admin(blog, "GET", `/admin/comments?status=${status}&limit=1`)).json.total;
      assert.equal(await count(fresh), await count(old), status);
    }
    const waiting = (await admin(fresh, "GET", "/admin/comments?status=pending")).json.comments;
    assert.ok(waiting.some((c) => c.id === held.id && c.body === held.body), "the held comment, with its id");
    assert.equal((await admin(fresh, "GET", "/admin/followers")).json.total, 1);
    assert.match((await admin(fresh, "GET", "/admin/subscribers")).res.status === 200 ? "ok" : "", /ok/);

    // Again: nothing changes, and it says so.
    const again = await runBlogctl(freshUrl, ["import", dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^Restored nothing; already there: /m);
    assert.deepEqual(await entries(fresh), before);

    // A post changed on the new blog is never overwritten by an older export: a conflict.
    const slug = "health-is-social-aint-no-doubt";
    const edited = await admin(fresh, "PATCH", `/admin/posts/${slug}`, { body: "Rewritten on the new blog." });
    assert.equal(edited.res.status, 200);
    const conflict = await runBlogctl(freshUrl, ["import", dir]);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, new RegExp(`conflict: posts/${slug}\\.md: .*differs in text.* \\(this blog's copy is newer`));
    assert.equal((await admin(fresh, "GET", `/admin/posts/${slug}`)).json.body, "Rewritten on the new blog.");
  } finally {
    await old.close();
    await fresh.close();
  }
});

test("an export edited by hand: what can be imported is, each refused item is named with its file and line, and the exit status says so", async () => {
  assert.ok(exportDir, "the round trip's export");
  const target = await startBlog({ demo: false, vars: { MEDIA_MAX_BYTES: String(1024 * 1024) } });
  try {
    const targetUrl = String(await target.mf.ready).replace(/\/$/, "");
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "edited-")), "export");
    fs.cpSync(exportDir, dir, { recursive: true });

    // An interrupted export is refused whole.
    fs.writeFileSync(path.join(dir, "INCOMPLETE"), "");
    const incomplete = await runBlogctl(targetUrl, ["import", dir]);
    assert.notEqual(incomplete.code, 0);
    assert.match(incomplete.stderr, /did not finish/);
    fs.rmSync(path.join(dir, "INCOMPLETE"));

    // A broken front matter line, a duplicate slug, a reply whose parent is gone, a missing and
    // a too-large media file.
    const posts = path.join(dir, "posts");
    const [first, second] = fs.readdirSync(posts).filter((f) => !f.startsWith("health-is-social")).sort();
    fs.writeFileSync(path.join(posts, first), fs.readFileSync(path.join(posts, first), "utf8").replace(/^draft: (\w+)$/m, "draft: perhaps"));
    const copy = path.join(posts, `zz-copy-of-${second}`);
    fs.copyFileSync(path.join(posts, second), copy);
    const demoComments = path.join(dir, "comments", "health-is-social-aint-no-doubt.json");
    const threads = JSON.parse(fs.readFileSync(demoComments, "utf8"));
    const orphaned = threads.find((c) => c.parent);
    fs.writeFileSync(demoComments, JSON.stringify(threads.filter((c) => c.id !== orphaned.parent), null, 2));
    const media = JSON.parse(fs.readFileSync(path.join(dir, "media.json"), "utf8"));
    const gone = media[0];
    fs.rmSync(path.join(dir, gone.url));
    const big = Buffer.alloc(1_500_000, 7);
    const bigHash = (await import("node:crypto")).createHash("sha256").update(big).digest("hex");
    fs.mkdirSync(path.join(dir, "media", bigHash));
    fs.writeFileSync(path.join(dir, "media", bigHash, "big.bin"), big);
    media.push({ ...gone, url: `/media/${bigHash}/big.bin`, name: "big.bin", bytes: big.length });
    fs.writeFileSync(path.join(dir, "media.json"), JSON.stringify(media, null, 2));

    const result = await runBlogctl(targetUrl, ["import", dir]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const lines = result.stderr.split("\n");
    const named = (re) => assert.ok(lines.some((l) => re.test(l)), `${re} in:\n${result.stderr}`);
    named(new RegExp(`^refused: posts/${first.replace(".", "\\.")}: line \\d+: draft must be true or false`));
    named(new RegExp(`^refused: posts/zz-copy-of-${second.replace(".", "\\.")}: line \\d+: the slug .* is posts/${second.replace(".", "\\.")}'s too`));
    named(new RegExp(`^refused: comments/health-is-social-aint-no-doubt\\.json: line \\d+: comment ${orphaned.id} answers comment ${orphaned.parent}, which is not in the file`));
    named(new RegExp(`^refused: ${gone.url.slice(1).replace(/\./g, "\\.")}: .*media\\.json lists it`));
    named(/^refused: media\/[0-9a-f]+\/big\.bin: .*at most/i);

    // The rest is there: every other entry, and the demo's other comments.
    const got = await entries(target);
    const wanted = filesUnder(dir).filter((f) => f.endsWith(".md")).length - 2;
    assert.equal(Object.keys(got).length, wanted);
    assert.equal(got[second.replace(/\.md$/, "")]?.status !== undefined, true);
    const kept = new Set();
    for (const c of threads.filter((c) => c.id !== orphaned.parent)) if (!c.parent || kept.has(c.parent)) kept.add(c.id);
    const demoHere = [];
    for (const status of ["pending", "approved"]) {
      demoHere.push(...(await admin(target, "GET", `/admin/comments?status=${status}&limit=500`)).json.comments.filter((c) => c.post === "health-is-social-aint-no-doubt"));
    }
    assert.deepEqual(demoHere.map((c) => c.id).sort(), [...kept].sort());
  } finally {
    await target.close();
  }
});

test("the export's wordpress.xml (WXR 1.2) comes back through our own WordPress importer with nothing lost", async () => {
  assert.ok(exportDir, "the round trip's export");
  const target = await startBlog({ demo: false });
  try {
    const url = String(await target.mf.ready).replace(/\/$/, "");
    const wxr = path.join(exportDir, "wordpress.xml");
    const xml = fs.readFileSync(wxr, "utf8");
    assert.match(xml, /<wp:wxr_version>1\.2<\/wp:wxr_version>/);
    assert.match(xml, /<wp:post_type>attachment<\/wp:post_type>/);
    const imported = await runBlogctl(url, ["import-wxr", "--uploads", exportDir, wxr]);
    assert.equal(imported.code, 0, imported.stderr + imported.stdout);

    // Every entry as it was: text, addenda, dates, status, parent, tags.
    const old = JSON.parse(fs.readFileSync(path.join(exportDir, "blog.json"), "utf8")).entries;
    const here = await entries(target);
    assert.deepEqual(Object.keys(here).sort(), [...old].sort());
    for (const slug of old) {
      const file = fs.readFileSync(path.join(exportDir, here[slug].type === "page" ? "pages" : "posts", `${slug}.md`), "utf8");
      const got = (await admin(target, "GET", `/admin/posts/${slug}`)).json;
      assert.ok(file.includes(`\n---\n${got.body}\n`), `${slug}: the Markdown`);
      assert.match(file, new RegExp(`^updated: ${got.updated_at}$`, "m"), `${slug}: when it last changed`);
      assert.match(file, new RegExp(`^draft: ${got.status === "draft"}$`, "m"), `${slug}: draft or not`);
      if (got.published_at) assert.match(file, new RegExp(`^date: ${got.published_at}$`, "m"), slug);
      for (const a of got.addenda) assert.ok(file.includes(`<!-- addendum ${a.at} id=`) && file.includes(a.body), `${slug}: addendum`);
      if (got.parent) assert.match(file, new RegExp(`^parent: ${got.parent}$`, "m"), slug);
    }
    // Every comment, its thread, kind and status.
    const shape = (list) => {
      const byId = new Map(list.map((c) => [c.id, c]));
      return list.map((c) => JSON.stringify([c.post, c.author, c.email, c.body, c.status, c.kind, c.created_at, c.by_post_author, c.parent ? byId.get(c.parent)?.body : null])).sort();
    };
    const exported = fs.readdirSync(path.join(exportDir, "comments")).flatMap((f) => JSON.parse(fs.readFileSync(path.join(exportDir, "comments", f), "utf8")));
    const all = [];
    for (const status of ["pending", "approved", "spam"]) all.push(...(await admin(target, "GET", `/admin/comments?status=${status}&limit=500`)).json.comments);
    assert.deepEqual(shape(all), shape(exported));
    // Every media file, at the same address.
    const media = JSON.parse(fs.readFileSync(path.join(exportDir, "media.json"), "utf8")).map((m) => m.url).sort();
    assert.deepEqual((await admin(target, "GET", "/admin/media?limit=500")).json.media.map((m) => m.url).sort(), media);
  } finally {
    await target.close();
  }
});
