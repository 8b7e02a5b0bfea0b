// Backups on a schedule: the cron job writes the database into R2 once a day and keeps the newest
// `backups_keep`; `blogctl backups` lists them, makes one now, and restores one — a post deleted
// since comes back with its comments (the same ids) and addenda, and nothing there is touched.
// A backup is never served to readers.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBlog, admin, AUTHOR, runBlogctl } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";

test("a backup a day in R2, the newest kept, and a restore that brings back what was deleted since", async () => {
  const blog = await startBlog();
  const url = String(await blog.mf.ready).replace(/\/$/, "");
  try {
    const cron = async () => assert.equal((await (await blog.mf.getWorker(AUTHOR)).scheduled({ cron: "* * * * *" })).outcome, "ok");
    await cron();
    let list = (await admin(blog, "GET", "/admin/backups")).json;
    assert.equal(list.keep, 7, "a week by default");
    assert.equal(list.backups.length, 1);
    await cron();
    assert.equal((await admin(blog, "GET", "/admin/backups")).json.backups.length, 1, "one a day, not one a minute");
    const [first] = list.backups;
    const backup = (await admin(blog, "GET", `/admin/backups/${first.name}`)).json;
    assert.equal(backup.entries.find((e) => e.slug === SLUG).addenda.length, 1);
    assert.ok(backup.comments.length > 0 && backup.comments.every((c) => c.post && c.created_at));
    assert.equal(backup.settings.title, "Health Techie");
    // The same document, made on the spot.
    const now = await admin(blog, "GET", "/admin/export");
    assert.equal(now.res.status, 200);
    assert.match(now.res.headers.get("content-disposition"), /attachment; filename="blog-.*\.json"/);
    assert.deepEqual(now.json.entries.map((e) => e.slug), backup.entries.map((e) => e.slug));
    assert.equal(now.json.comments.length, backup.comments.length);
    // Not for readers: the reader serves media files by their hash, and nothing else from R2.
    for (const p of [`/backups/${first.name}.json`, `/media/backups/${first.name}.json`, `/media/..%2Fbackups%2F${encodeURIComponent(first.name)}.json`]) {
      assert.equal((await blog.fetch(p)).status, 404, p);
    }

    // Kept: the newest `backups_keep`.
    assert.equal((await admin(blog, "PATCH", "/admin/settings", { backups_keep: "2" })).res.status, 200);
    for (let i = 0; i < 2; i += 1) {
      await new Promise((r) => setTimeout(r, 1100));
      const made = await runBlogctl(url, ["backups", "make"]);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /^backed up as \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+ bytes\)/);
    }
    const ls = await runBlogctl(url, ["backups"]);
    assert.match(ls.stdout, /the newest 2 are kept/);
    list = (await admin(blog, "GET", "/admin/backups")).json;
    assert.equal(list.backups.length, 2);
    assert.ok(!list.backups.some((b) => b.name === first.name), "the oldest went");

    // A post deleted for good, and a comment: the backup brings them back, the rest untouched.
    const newest = list.backups[0].name;
    const page = (await blog.text(`/posts/${SLUG}`)).body;
    const ids = [...page.matchAll(/<li id="comment-(\d+)"/g)].map((m) => m[1]);
    assert.equal((await admin(blog, "DELETE", `/admin/posts/${SLUG}`)).res.status, 204);
    assert.equal((await admin(blog, "DELETE", "/admin/trash")).json.purged, 1);
    assert.equal((await blog.fetch(`/posts/${SLUG}`)).status, 404);
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "backup-")), "folder");
    const got = await runBlogctl(url, ["backups", "get", newest, dir]);
    assert.equal(got.code, 0, got.stderr);
    assert.ok(fs.existsSync(path.join(dir, "posts", `${SLUG}.md`)) && fs.existsSync(path.join(dir, "wordpress.xml")));
    const restored = await runBlogctl(url, ["backups", "restore", newest]);
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);
    assert.match(restored.stdout, /^Restored .*1 posts/m);
    const back = await blog.text(`/posts/${SLUG}`);
    assert.equal(back.res.status, 200);
    assert.deepEqual([...back.body.matchAll(/<li id="comment-(\d+)"/g)].map((m) => m[1]), ids, "the same comments, the same ids");
    assert.equal((await admin(blog, "GET", `/admin/posts/${SLUG}`)).json.addenda.length, 1);

    // Off: none are made.
    assert.equal((await admin(blog, "PATCH", "/admin/settings", { backups_keep: "0" })).res.status, 200);
    const before = (await admin(blog, "GET", "/admin/backups")).json.backups.length;
    await cron();
    assert.equal((await admin(blog, "GET", "/admin/backups")).json.backups.length, before);
    const off = await runBlogctl(url, ["backups"]);
    assert.match(off.stdout, /No backups are made on a schedule/);
  } finally {
    await blog.close();
  }
});
