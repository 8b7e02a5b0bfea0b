// The trash: deleting a post (from the browser, the API or blogctl) hides it from readers and frees
// its address, and for 30 days it comes back whole — the same comments with their ids, addenda,
// tags and revisions, at its old address; after 30 days the cron job deletes it for good with its
// revisions, and the author can empty the trash sooner. Chromium with JavaScript off for the
// browser's part.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, ADMIN_TOKEN, AUTHOR, launchChromium, runBlogctl } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

async function count(blog, sql, ...args) {
  return (await blog.db.prepare(sql).bind(...args).first()).n;
}

test("a deleted post goes to the trash and comes back whole from the browser; readers never see it meanwhile", async () => {
  const blog = await startBlog();
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 900 } });
  const tab = await context.newPage();
  try {
    const post = (await admin(blog, "GET", `/admin/posts/${SLUG}`)).json;
    assert.equal((await admin(blog, "PATCH", `/admin/posts/${SLUG}`, { tags: ["NHS", "kept"] })).res.status, 200);
    const page = (await blog.text(`/posts/${SLUG}`)).body;
    const commentIds = [...page.matchAll(/<li id="comment-(\d+)"/g)].map((m) => m[1]);
    assert.ok(commentIds.length > 0);
    const totalBefore = (await admin(blog, "GET", "/admin/posts?limit=1")).json.total;

    await tab.goto(`${base}/admin/sign-in`);
    await tab.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await tab.getByRole("button", { name: "Sign in" }).click();
    await tab.waitForLoadState();
    await tab.goto(`${base}/admin/entries/${SLUG}/delete`);
    assert.match(await tab.locator("main, body").first().textContent(), /For 30 days you can restore it/);
    await tab.getByRole("button", { name: "Move it to the trash" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /Moved to the trash/);

    // Gone for readers and from the lists; its address is free; the trash counts it.
    assert.equal((await blog.fetch(`/posts/${SLUG}`)).status, 404);
    assert.ok(!(await blog.text("/")).body.includes(`/posts/${SLUG}"`));
    assert.ok(!(await blog.text("/feed.atom")).body.includes(`/posts/${SLUG}<`));
    assert.equal((await admin(blog, "GET", `/admin/posts/${SLUG}`)).res.status, 404);
    assert.equal((await admin(blog, "GET", "/admin/posts?limit=1")).json.total, totalBefore - 1);
    const trash = (await admin(blog, "GET", "/admin/trash")).json;
    assert.equal(trash.total, 1);
    assert.equal(trash.trash[0].slug, SLUG);
    assert.equal(trash.trash[0].status, "published");
    assert.equal(Date.parse(trash.trash[0].purge_at) - Date.parse(trash.trash[0].deleted_at), 30 * 86400 * 1000);

    // Restored from the trash screen: the same page, comments with their ids, tags, revisions.
    await tab.goto(`${base}/admin/trash`);
    await tab.getByRole("button", { name: `Restore ${post.title}` }).click();
    await tab.waitForLoadState();
    assert.match(tab.url(), new RegExp(`/admin/entries/${SLUG}\\?done=restored$`));
    assert.match(await tab.locator(".admin-notice").textContent(), /Restored from the trash/);
    const back = await blog.text(`/posts/${SLUG}`);
    assert.equal(back.res.status, 200);
    assert.deepEqual([...back.body.matchAll(/<li id="comment-(\d+)"/g)].map((m) => m[1]), commentIds);
    assert.ok(back.body.includes(post.addenda[0].body.slice(0, 40)), "the addendum");
    const restored = (await admin(blog, "GET", `/admin/posts/${SLUG}`)).json;
    assert.deepEqual(restored.tags, ["NHS", "kept"]);
    assert.equal(restored.status, "published");
    assert.equal((await admin(blog, "GET", `/admin/posts/${SLUG}/revisions`)).json.revisions.length, 1);
    assert.equal((await admin(blog, "GET", "/admin/trash")).json.total, 0);
    assert.equal((await admin(blog, "GET", "/admin/posts?limit=1")).json.total, totalBefore);
    assert.ok((await blog.text("/")).body.includes(`/posts/${SLUG}"`), "on the home page again");
  } finally {
    await context.close();
    await blog.close();
  }
});

test("the trash from the API and blogctl: a taken address is a conflict, the cron job purges after 30 days with the revisions, and emptying deletes for good", async () => {
  const blog = await startBlog();
  const url = String(await blog.mf.ready).replace(/\/$/, "");
  try {
    const made = await admin(blog, "POST", "/admin/posts", { title: "Short-lived", body: "First.", slug: "short-lived" });
    assert.equal(made.res.status, 201);
    assert.equal((await admin(blog, "PATCH", "/admin/posts/short-lived", { body: "Second." })).res.status, 200);
    const removed = await runBlogctl(url, ["rm", "short-lived"]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /moved short-lived to the trash/);
    const listed = await runBlogctl(url, ["trash"]);
    const id = Number(listed.stdout.match(/^#(\d+)\s+post "Short-lived" \(short-lived\)/m)?.[1]);
    assert.ok(id > 0, listed.stdout);

    // Its address was freed: a new post takes it, and the old one cannot come back over it.
    assert.equal((await admin(blog, "POST", "/admin/posts", { title: "Another", body: "New.", slug: "short-lived" })).res.status, 201);
    const blocked = await admin(blog, "POST", `/admin/trash/${id}/restore`);
    assert.equal(blocked.res.status, 409);
    assert.match(blocked.json.error, /Another entry has the slug "short-lived"/);
    assert.equal((await admin(blog, "DELETE", "/admin/posts/short-lived")).res.status, 204);
    const restored = await runBlogctl(url, ["trash", "restore", String(id)]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /restored at \/posts\/short-lived/);
    assert.equal((await admin(blog, "GET", "/admin/posts/short-lived")).json.body, "Second.");
    assert.equal((await blog.fetch("/posts/short-lived")).status, 200);

    // Deleted again, 31 days ago: the cron job deletes it for good, with its revisions.
    assert.equal((await admin(blog, "DELETE", "/admin/posts/short-lived")).res.status, 204);
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM revisions WHERE post_id = ?1", id), 1);
    await blog.db.prepare("UPDATE trash SET deleted_at = deleted_at - 31 * 86400 WHERE post_id = ?1").bind(id).run();
    const cron = await (await blog.mf.getWorker(AUTHOR)).scheduled({ cron: "* * * * *" });
    assert.equal(cron.outcome, "ok");
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM posts WHERE id = ?1", id), 0);
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM revisions WHERE post_id = ?1", id), 0);
    // The other one (deleted just now) is still there; emptying the trash deletes it.
    assert.equal((await admin(blog, "GET", "/admin/trash")).json.total, 1);
    const emptied = await runBlogctl(url, ["trash", "empty"]);
    assert.equal(emptied.code, 0, emptied.stderr);
    assert.match(emptied.stdout, /deleted 1 for good/);
    assert.equal((await admin(blog, "GET", "/admin/trash")).json.total, 0);
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM trash"), 0);
    const gone = await runBlogctl(url, ["trash", "restore", String(id)]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /nothing with the id/);
    // A child page waits for its parent; back under it, wherever the parent is.
    await admin(blog, "POST", "/admin/posts", { type: "page", title: "Team", body: "Us.", slug: "team" });
    await admin(blog, "POST", "/admin/posts", { type: "page", title: "Alice", body: "Me.", slug: "alice", parent: "team" });
    assert.equal((await admin(blog, "DELETE", "/admin/posts/alice")).res.status, 204);
    assert.equal((await admin(blog, "DELETE", "/admin/posts/team")).res.status, 204, "a child in the trash does not hold its parent");
    const [alice, team] = ["alice", "team"];
    const inTrash = (await admin(blog, "GET", "/admin/trash")).json.trash;
    const idOf = (slug) => inTrash.find((t) => t.slug === slug).id;
    const early = await admin(blog, "POST", `/admin/trash/${idOf(alice)}/restore`);
    assert.equal(early.res.status, 409);
    assert.match(early.json.error, /restore that page first/);
    assert.equal((await admin(blog, "POST", `/admin/trash/${idOf(team)}/restore`)).json.url, "/team/");
    assert.equal((await admin(blog, "POST", `/admin/trash/${idOf(alice)}/restore`)).json.url, "/team/alice/");
    assert.equal((await blog.fetch("/team/alice/")).status, 200);

    // The counts the admin shows add up after all of it.
    const posts = await count(blog, "SELECT COUNT(*) AS n FROM posts WHERE kind = 'post'");
    assert.equal(await count(blog, "SELECT n FROM tallies WHERE name = 'post'"), posts);
    const pages = await count(blog, "SELECT COUNT(*) AS n FROM posts WHERE kind = 'page'");
    assert.equal(await count(blog, "SELECT n FROM tallies WHERE name = 'page'"), pages);
  } finally {
    await blog.close();
  }
});
