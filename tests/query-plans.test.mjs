// A page costs the same on a blog of ten posts or a hundred thousand: every SQL statement the two
// Workers send, as the code built it (traced at the D1 binding, see tests/helpers.mjs), is
// explained with `EXPLAIN QUERY PLAN` on the migrated schema loaded with a big blog, before and
// after `ANALYZE`. A statement fails when its plan walks a whole table that grows with the blog
// (`SCAN`), builds an index to do so (`AUTOMATIC … INDEX`) or sorts rows in a temporary B-tree:
// on a reader's path always; on the author's, unless it is listed below with the reason why its
// cost is what it does. Nothing is timed.
//
// The statements come from this file's own tour of every reader page and the admin's lists, plus,
// when `SQL_TRACE_DIR` is set (scripts/test.sh sets it and runs this file last), every statement
// that the rest of the suite sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startBlog, admin, page, mintToken, postComment, ROOT } from "./helpers.mjs";

/**
 * Tables whose rows grow with the blog. `settings` and `tallies` hold one row per key; the search
 * index `post_search` is read through MATCH, its own index.
 */
const GROWING = ["posts", "comments", "addenda", "revisions", "trash", "post_tags", "media", "redirects", "not_found", "subscriptions", "outbox", "email_suppressions", "used_links", "sign_in_failures"];

/** Partial indexes that hold a handful of rows by design: walking one costs what it shows. */
const SMALL_INDEXES = {
  pages_menu: "the top-level published pages in the site menu",
};

/**
 * Author statements whose plans may scan or sort, and why. Each is matched by a pattern that
 * names it; the reader Worker has no such list.
 */
const AUTHOR_MAY_SCAN = [
  {
    pattern: /^SELECT slug FROM posts p WHERE instr\(p.body, '\/media\/' \|\| \?1/,
    why: "deleting a file looks for it in every post's text (an author's rare act; a table of each post's files would bound it)",
  },
  {
    pattern: /^DELETE FROM not_found WHERE last_seen < \(SELECT last_seen FROM not_found ORDER BY last_seen DESC LIMIT 1 OFFSET \?1\)/,
    why: "the cron job's trim walks the newest 1,000 entries of not_found_by_last_seen, then deletes a range",
  },
];

/** Reader statements whose cost is, by their nature, what they find, and why. */
const READER_MAY_SCAN = [
  { pattern: /^SELECT path, updated_at FROM posts WHERE status = 'published' AND published_at <= \?1 ORDER BY/, why: "the sitemap lists every visible entry" },
  { pattern: /FROM post_search JOIN posts p ON p.id = post_search.rowid WHERE post_search MATCH \?2 .* ORDER BY bm25/, why: "search ranks every match by relevance (the FTS index finds them)" },
];

/** The migrated schema, as `wrangler d1 migrations apply` builds it. */
function migrated() {
  const db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  for (const file of fs.readdirSync(path.join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort()) {
    db.exec(fs.readFileSync(path.join(ROOT, "migrations", file), "utf8"));
  }
  return db;
}

/**
 * A big blog: 10,000 posts with tags and addenda, 60 pages in a tree, 100,000 comments in
 * threads (a thousand on one post), 2,000 media files, redirects, the not-found log, subscriptions
 * and an outbox.
 */
async function loadBigBlog(run) {
  const n = (count) => `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${count})`;
  const sql = `
    ${n(10000)} INSERT INTO posts (slug, title, body, status, published_at, updated_at, body_html, lead, rendered_by)
      SELECT 'post-' || i, 'Post ' || i, 'Text of post ' || i, CASE WHEN i % 50 = 0 THEN 'draft' ELSE 'published' END,
             1300000000 + i * 3600, 1300000000 + i * 3600, '<p>Text</p>', 'Text', 1 FROM k;
    ${n(60)} INSERT INTO posts (slug, title, body, status, published_at, updated_at, kind, parent_id, menu_order, in_menu, path)
      SELECT 'page-' || i, 'Page ' || i, 'Page text', 'published', 1300000000, 1300000000, 'page',
             CASE WHEN i > 10 THEN (SELECT id FROM posts WHERE slug = 'page-' || (i % 10 + 1)) END, i % 7, i % 3 > 0,
             CASE WHEN i > 10 THEN '/page-' || (i % 10 + 1) || '/page-' || i || '/' ELSE '/page-' || i || '/' END FROM k;
    ${n(30000)} INSERT OR IGNORE INTO post_tags (post_id, tag, slug) SELECT (i * 7) % 10000 + 1, 'Tag ' || (i % 40), 'tag-' || (i % 40) FROM k;
    ${n(3000)} INSERT INTO addenda (post_id, body, created_at) SELECT (i * 3) % 10000 + 1, 'Addendum ' || i, 1400000000 + i FROM k;
    ${n(99000)} INSERT INTO comments (post_id, author_name, author_email, body, status, created_at, client_hash)
      SELECT i % 10000 + 1, 'Reader ' || i, 'r' || (i % 5000) || '@example.org', 'Comment ' || i,
             CASE WHEN i % 20 = 0 THEN 'pending' WHEN i % 33 = 0 THEN 'spam' ELSE 'approved' END, 1300000000 + i * 60, 'client-' || (i % 3000) FROM k;
    ${n(1000)} INSERT INTO comments (post_id, parent_id, author_name, author_email, body, status, created_at)
      SELECT 5000, CASE WHEN i % 5 = 0 THEN NULL END, 'Reader ' || i, 'reader' || i || '@example.org', 'Thread ' || i, 'approved', 1320000000 + i * 60 FROM k;
    UPDATE comments SET parent_id = id - 1 WHERE id % 4 = 0 AND id > 1;
    ${n(2000)} INSERT INTO media (hash, name, type, bytes, width, height, created_at)
      SELECT printf('%064x', i), 'file-' || i || '.png', CASE WHEN i % 10 = 0 THEN 'audio/mpeg' ELSE 'image/png' END, 1000 + i, 640, 480, 1300000000 + i FROM k;
    ${n(5000)} INSERT INTO redirects (from_path, to_url, created_at) SELECT '/old/' || i, '/posts/post-' || i, 1300000000 FROM k;
    ${n(5000)} INSERT INTO not_found (path, hits, last_seen) SELECT '/missing/' || i, i % 17 + 1, 1300000000 + i FROM k;
    ${n(2000)} INSERT INTO subscriptions (comment_id, email, token, client_hash, confirmed_at, created_at)
      SELECT i * 40, 'r' || i || '@example.org', 'token-' || i, 'client-' || i, CASE WHEN i % 2 = 0 THEN 1300000000 END, 1300000000 + i FROM k;
    ${n(5000)} INSERT INTO outbox (kind, comment_id, recipient, status, next_attempt_at, created_at)
      SELECT CASE i % 3 WHEN 0 THEN 'moderation' WHEN 1 THEN 'confirm' ELSE 'reply' END, i * 19, 'r' || i || '@example.org',
             CASE WHEN i % 9 = 0 THEN 'pending' ELSE 'sent' END, 1300000000 + i, 1300000000 + i FROM k;
    ${n(3000)} INSERT INTO sign_in_failures (client_hash, at) SELECT 'client-' || (i % 300), 1300000000 + i FROM k;
  `;
  for (const statement of sql.split(/;\s*\n/).filter((s) => s.trim())) await run(statement);
}

/** Table names and their aliases in a statement (`FROM posts p` → p is posts). */
function growingNames(sql) {
  const names = new Set();
  const keywords = /^(where|join|on|left|inner|cross|order|group|limit|as|set|values|using|indexed|natural|union|select|and|or|not|default|returning)$/i;
  for (const m of sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    if (!GROWING.includes(m[1])) continue;
    names.add(m[1]);
    if (m[2] && !keywords.test(m[2])) names.add(m[2]);
  }
  // Comma joins: `FROM comments c, settings s`.
  for (const m of sql.matchAll(/,\s*(\w+)\s+(\w+)\s+WHERE/gi)) if (GROWING.includes(m[1])) names.add(m[1]).add(m[2]);
  return names;
}

/**
 * The lines of a plan that make its cost grow with the blog. `pagedWalks`: a walk of a whole table
 * or index in the order a statement asks, as its outermost loop, with nothing sorted, ends at the
 * statement's LIMIT: the admin's paged lists (a reader's pages always search).
 */
export async function growingSteps(explain, sql, { pagedWalks = false } = {}) {
  const plan = await explain(sql);
  const names = growingNames(sql);
  const readsGrowing = names.size > 0;
  const paged = pagedWalks && /\bLIMIT \?\d+( OFFSET \?\d+)?$/.test(squash(sql)) && !plan.some((step) => /TEMP B-TREE/.test(step));
  const bad = plan.filter((step, i) => {
    const scan = step.match(/^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?/);
    if (scan && paged && i === 0) return false;
    if (scan && names.has(scan[1]) && !(scan[2] in SMALL_INDEXES)) return true;
    if (/AUTOMATIC (PARTIAL )?COVERING INDEX|AUTOMATIC INDEX/.test(step)) return true;
    return readsGrowing && /TEMP B-TREE/.test(step);
  });
  return { plan, bad };
}

/** Every statement's failing steps, as `explain` plans them (with or without statistics). */
async function violations(explain, statements) {
  const found = [];
  for (const { worker, sql } of statements) {
    const allowed = (worker === "reader" ? READER_MAY_SCAN : AUTHOR_MAY_SCAN).some((a) => a.pattern.test(squash(sql)));
    if (allowed) continue;
    let result;
    try {
      result = await growingSteps(explain, sql, { pagedWalks: worker === "author" });
    } catch (e) {
      found.push({ worker, sql, plan: [`does not prepare on the migrated schema: ${e.message}`] });
      continue;
    }
    if (result.bad.length) found.push({ worker, sql, plan: result.plan, bad: result.bad });
  }
  return found;
}

const squash = (sql) => sql.replace(/\s+/g, " ").trim();

function report(found) {
  return found.map((v) => `\n[${v.worker}] ${squash(v.sql)}\n    ${v.plan.join("\n    ")}${v.bad ? `\n    ✗ ${v.bad.join("; ")}` : ""}`).join("\n");
}

/** Everything the Workers sent during a tour of the blog (and the rest of the suite, when traced). */
async function collectStatements() {
  const blog = await startBlog();
  const now = Math.floor(Date.now() / 1000);
  try {
    const post = "/posts/health-is-social-aint-no-doubt";
    // The author: a few posts, a tag, pages in a tree, settings, the lists.
    for (let i = 1; i <= 12; i++) {
      await admin(blog, "POST", "/admin/posts", { title: `Plan post ${i}`, body: `Post ${i}.`, tags: ["plans"], status: "published" });
    }
    await admin(blog, "POST", "/admin/posts", { title: "About", slug: "about", type: "page", body: "About.", status: "published" });
    await admin(blog, "POST", "/admin/posts", { title: "Team", slug: "team", type: "page", parent: "about", body: "Team.", status: "published" });
    await admin(blog, "PATCH", "/admin/posts/team", { title: "The team" });
    await admin(blog, "POST", "/admin/redirects", { from: "/old-address", to: post });
    for (const p of ["/admin/posts", "/admin/posts/about", "/admin/comments?status=pending", "/admin/comments?status=approved", "/admin/media", "/admin/outbox", "/admin/redirects", "/admin/not-found", "/admin/settings"]) {
      await admin(blog, "GET", p);
    }
    // A reader: every kind of page, twice where the second is a cache hit (it sends nothing).
    for (const p of ["/", "/page/2", "/tags/plans", "/tags/plans/page/2", post, `${post}/comments/page/2`, "/about/", "/about/team/", "/feed.atom", "/feed.rss", `${post}/comments.atom`, "/sitemap.xml", "/robots.txt", "/search?q=health", "/search?q=health&page=2", "/old-address", "/no-such-page", `${post}/reply/1`, `${post}/comments/1`]) {
      await page(blog, p);
    }
    // Comments: a first-timer (held), then an approved one, a reply and a moderation.
    const form = async (extra) => ({ token: await mintToken(1, now - 60), author: "Plan Reader", email: "plan@example.org", url: "", body: "A comment for the plans.", subject: "", ...extra });
    const held = await postComment(blog, "health-is-social-aint-no-doubt", await form({ notify: "1" }));
    await page(blog, held.location);
    const pending = (await admin(blog, "GET", "/admin/comments?status=pending")).json;
    for (const c of pending?.comments ?? []) await admin(blog, "PATCH", `/admin/comments/${c.id}`, { status: "approved" });
    await postComment(blog, "health-is-social-aint-no-doubt", await form({ body: "A second comment.", parent: "1" }));
    await page(blog, post);
    return blog.statements();
  } finally {
    await blog.close();
  }
}

function suiteStatements() {
  const dir = process.env.SQL_TRACE_DIR;
  if (!dir || !fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n"))
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Distinct statements by worker and text. */
function distinct(statements) {
  const seen = new Map();
  for (const s of statements) seen.set(`${s.worker}\u0000${squash(s.sql)}`, s);
  return [...seen.values()];
}

/** `EXPLAIN QUERY PLAN` on node's SQLite, as the plan's steps. */
const nodeExplain = (db) => (sql) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((row) => row.detail);

/** `EXPLAIN QUERY PLAN` through a D1 binding (workerd's SQLite), every parameter bound to NULL. */
const d1Explain = (d1) => async (sql) => {
  const params = Math.max(0, ...[...sql.matchAll(/\?(\d+)/g)].map((m) => Number(m[1])));
  const { results } = await d1.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...Array(params).fill(null)).all();
  return results.map((row) => row.detail);
};

test("the guard fails on a statement that walks a growing table or sorts it", async () => {
  const db = nodeExplain(migrated());
  const scan = await growingSteps(db, "SELECT title FROM posts p WHERE p.body LIKE '%x%'");
  assert.deepEqual(scan.bad, ["SCAN p"]);
  const sort = await growingSteps(db, "SELECT title FROM posts WHERE status = ?1 ORDER BY title");
  assert.ok(sort.bad.some((s) => /TEMP B-TREE/.test(s)), sort.plan.join("; "));
  assert.deepEqual((await growingSteps(db, "SELECT title FROM posts WHERE slug = ?1")).bad, []);
  assert.deepEqual((await growingSteps(db, "SELECT key, value FROM settings")).bad, [], "settings is not a growing table");
  const page = "SELECT id FROM media ORDER BY created_at DESC, id DESC LIMIT ?1 OFFSET ?2";
  assert.deepEqual((await growingSteps(db, page, { pagedWalks: true })).bad, [], "a paged walk ends at its LIMIT");
  assert.match((await growingSteps(db, page)).bad.join(), /^SCAN media USING (COVERING )?INDEX media_by_created$/, "readers' pages search");
  const unpaged = "SELECT id FROM media ORDER BY created_at DESC, id DESC";
  assert.match((await growingSteps(db, unpaged, { pagedWalks: true })).bad.join(), /^SCAN media USING (COVERING )?INDEX media_by_created$/);
});

test("no statement the Workers send walks or sorts a growing table, with or without ANALYZE", async () => {
  const statements = distinct([...(await collectStatements()), ...suiteStatements()]);
  const readers = statements.filter((s) => s.worker === "reader");
  const authors = statements.filter((s) => s.worker === "author");
  assert.ok(readers.length >= 20, `the tour saw only ${readers.length} reader statements`);
  assert.ok(authors.length >= 20, `the tour saw only ${authors.length} author statements`);
  const found = [];
  const seen = (v) => found.some((f) => f.sql === v.sql && f.worker.startsWith(v.worker));
  const check = async (engine, explain) => {
    for (const v of await violations(explain, statements)) if (!seen(v)) found.push({ ...v, worker: `${v.worker}, ${engine}` });
  };
  // Node's SQLite, and workerd's own through D1 (the local D1 of `wrangler d1 migrations apply`),
  // each with the big blog, before and after ANALYZE (what D1's `PRAGMA optimize` would run).
  const db = migrated();
  await loadBigBlog((sql) => db.exec(sql));
  const nodeVersion = db.prepare("SELECT sqlite_version() AS v").get().v;
  await check(`SQLite ${nodeVersion}`, nodeExplain(db));
  db.exec("ANALYZE");
  await check(`SQLite ${nodeVersion} after ANALYZE`, nodeExplain(db));
  const blog = await startBlog({ demo: false });
  try {
    await loadBigBlog((sql) => blog.db.prepare(sql).run());
    const probe = await growingSteps(d1Explain(blog.db), "SELECT title FROM posts p WHERE p.body LIKE '%x%'");
    assert.deepEqual(probe.bad, ["SCAN p"], "workerd's D1 explains a plan as node's SQLite does");
    await check("D1 in workerd", d1Explain(blog.db));
    await blog.db.prepare("ANALYZE").run();
    await check("D1 in workerd after ANALYZE", d1Explain(blog.db));
  } finally {
    await blog.close();
  }
  console.log(`# ${readers.length} reader and ${authors.length} author statements explained on SQLite ${nodeVersion} and in workerd's D1`);
  assert.equal(found.length, 0, `${found.length} statements whose cost grows with the blog:${report(found)}`);
});
