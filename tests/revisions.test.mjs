// Revisions: ten changes to a post through the API, the browser editor (scripts off) and an
// unpublish and re-publish keep ten versions, each saying what changed; a diff names the changed
// lines; a restore brings the old text back everywhere and is itself undone by restoring the
// version it replaced; blogctl lists, compares and restores.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, ADMIN_TOKEN, launchChromium, runBlogctl } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});


test("ten changes, ten revisions; a diff names the changed lines; a restore brings the old text back and can be undone", async () => {
  const blog = await startBlog();
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 900 } });
  const tab = await context.newPage();
  try {
    const original = (await admin(blog, "GET", `/admin/posts/${SLUG}`)).json;
    const patch = async (fields) => {
      const res = await admin(blog, "PATCH", `/admin/posts/${SLUG}`, fields);
      assert.equal(res.res.status, 200, JSON.stringify(res.json));
    };
    // 1–3: the text, three times, through the API.
    let body = original.body;
    for (const n of [1, 2, 3]) {
      body = `${body.trimEnd()}\n\nEdit number ${n}.\n`;
      await patch({ body });
    }
    // 4: the tags. 5 and 6: an addendum added, then corrected.
    await patch({ tags: [...original.tags, "revisions"] });
    const addendum = await admin(blog, "POST", `/admin/posts/${SLUG}/addenda`, { body: "An afterthought." });
    assert.equal(addendum.res.status, 201);
    await admin(blog, "PATCH", `/admin/posts/${SLUG}/addenda/${addendum.json.id}`, { body: "A better afterthought." });
    // Nothing changed: no revision.
    await patch({ body });
    // 7 and 8: the title, then a line of the text, from the browser editor.
    await tab.goto(`${base}/admin/sign-in`);
    await tab.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await tab.getByRole("button", { name: "Sign in" }).click();
    await tab.goto(`${base}/admin/entries/${SLUG}`);
    await tab.getByLabel("Title").fill("Health is Social – revised");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    const typed = (await tab.getByLabel("Text (Markdown)").inputValue()).replace("Edit number 2.", "Edit number two, from the editor.");
    await tab.getByLabel("Text (Markdown)").fill(typed);
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    // 9 and 10: unpublished, then published again.
    await patch({ status: "draft" });
    await patch({ status: "published" });

    const list = (await admin(blog, "GET", `/admin/posts/${SLUG}/revisions`)).json.revisions;
    assert.deepEqual(
      list.map((r) => r.changed),
      [["status"], ["status"], ["text"], ["title"], ["addenda"], ["addenda"], ["tags"], ["text"], ["text"], ["text"]],
      "ten revisions, newest first, each naming what changed",
    );
    const [oldest] = list.slice(-1);
    const kept = (await admin(blog, "GET", `/admin/posts/${SLUG}/revisions/${oldest.id}`)).json;
    assert.equal(kept.version.body, original.body, "the first revision is the text as it was");
    assert.equal(kept.version.title, original.title);

    // The diff between two neighbours names the one line changed.
    const textEdits = list.filter((r) => r.changed[0] === "text");
    const diff = (await admin(blog, "GET", `/admin/posts/${SLUG}/revisions/${textEdits[2].id}/diff?to=${textEdits[1].id}`)).json;
    assert.deepEqual(diff.sections.map((s) => s.part), ["text"]);
    const changedLines = diff.sections[0].lines.filter((l) => l.kind !== "same" && l.kind !== "gap");
    assert.ok(changedLines.some((l) => l.kind === "added" && l.text === "Edit number 2."), JSON.stringify(changedLines));
    assert.ok(!changedLines.some((l) => l.kind === "removed"), "nothing removed by that edit");

    // In the browser: the list under the editor, a revision against now, Restore.
    await tab.goto(`${base}/admin/entries/${SLUG}`);
    assert.equal(await tab.locator(".admin-revisions li").count(), 10);
    await tab.locator(".admin-revisions li").last().getByRole("link", { name: /Compare with now/ }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator("h1").textContent(), /A version of “Health is Social – revised”/);
    assert.match(await tab.locator(".diff-part[aria-label=title] del").textContent(), /Health is Social- ain’t no doubt|Health is Social/);
    assert.match(await tab.locator(".diff-part[aria-label=title] ins").textContent(), /revised/);
    assert.match(await tab.locator(".diff-part[aria-label=text]").textContent(), /Edit number two, from the editor\./);
    await tab.getByRole("button", { name: "Restore this version" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /Restored\. .*can be undone/);
    const restored = (await admin(blog, "GET", `/admin/posts/${SLUG}`)).json;
    assert.equal(restored.body, original.body);
    assert.equal(restored.title, original.title);
    assert.deepEqual(restored.tags, original.tags);
    assert.deepEqual(restored.addenda.map((a) => a.body), original.addenda.map((a) => a.body), "the addenda as they were");
    const page = await (await blog.fetch(`/posts/${SLUG}`)).text();
    assert.doesNotMatch(page, /Edit number|afterthought/, "readers see the old text at once");

    // The restore is a revision too; restoring that one undoes it.
    const after = (await admin(blog, "GET", `/admin/posts/${SLUG}/revisions`)).json.revisions;
    assert.equal(after.length, 11);
    assert.deepEqual(after[0].changed, ["title", "text", "addenda", "tags"]);
    const cli = await runBlogctl(base, ["restore", SLUG, String(after[0].id)]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`restored revision ${after[0].id} of ${SLUG}`));
    const undone = (await admin(blog, "GET", `/admin/posts/${SLUG}`)).json;
    assert.equal(undone.title, "Health is Social – revised");
    assert.match(undone.body, /Edit number two, from the editor\./);
    assert.deepEqual(undone.addenda.map((a) => a.body).slice(-1), ["A better afterthought."]);
    assert.match(await (await blog.fetch(`/posts/${SLUG}`)).text(), /A better afterthought\./);

    // blogctl lists and compares; a revision that is not there is a clear error.
    const listed = await runBlogctl(base, ["revisions", SLUG]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.trim().split("\n").length, 12);
    assert.match(listed.stdout, /^#\d+ {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}title, text, addenda, tags changed$/m);
    const compared = await runBlogctl(base, ["revisions", SLUG, "--diff", String(oldest.id)]);
    assert.equal(compared.code, 0, compared.stderr);
    assert.match(compared.stdout, /^== text \(− revision \d+, \+ now\)$/m);
    assert.match(compared.stdout, /^\+ Edit number two, from the editor\.$/m);
    const missing = await runBlogctl(base, ["restore", SLUG, "999999"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /has no revision 999999/);
    assert.equal((await admin(blog, "GET", `/admin/posts/${SLUG}/revisions/999999/diff`)).res.status, 404);
  } finally {
    await context.close();
    await blog.close();
  }
});
