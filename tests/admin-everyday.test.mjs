// The author's everyday work from a browser alone, in real headless Chromium with JavaScript off:
// a save after the session ended keeps the text through sign-in; replying to a commenter from the
// list and from the comment's own screen (approving the comment answered); the comments by status,
// searched, corrected, moved and deleted; every setting changed from the settings screen, and the
// icon; an image uploaded from the editor (and one picked from the library) in the saved post with
// its alt text and size; the lead image; addenda corrected and removed, none on drafts; dates on
// the blog's clock. And blogctl's reply and its quieter `settings set`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBlog, admin, makePng, ROOT, ADMIN_TOKEN, launchChromium, heldComment, runBlogctl } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

let ip = 10;
async function held(blog, name, body) {
  ip += 1;
  return heldComment(blog, SLUG, name, body, `192.0.2.${ip}`);
}

async function signIn(tab, base) {
  await tab.goto(`${base}/admin/sign-in`);
  await tab.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await tab.getByRole("button", { name: "Sign in" }).click();
  await tab.waitForLoadState();
}

/** A signed-in tab with JavaScript off, at phone width unless told. */
async function signedIn(blog, width = 390) {
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
  const tab = await context.newPage();
  await signIn(tab, base);
  return { base, context, tab };
}


test("a save after the session ended keeps every word: the sign-in form carries it, and signing in saves it", async () => {
  const blog = await startBlog();
  const { base, context, tab } = await signedIn(blog);
  try {
    await tab.goto(`${base}/admin/entries/new`);
    await tab.getByLabel("Title").fill("Written over a long evening");
    const text = "# A heading\n\nThree hours of *careful* prose, with a list:\n\n- one\n- two\n\n```\ncode stays code\n```\n";
    await tab.getByLabel("Text (Markdown)").fill(text);
    await tab.getByLabel("Tags").fill("evening, prose");
    assert.match(await tab.locator(".hint", { hasText: "You are signed in until" }).textContent(), /signed in until \w+ \d+, \d{4} at \d+:\d\d [ap]m/);
    // The session ends while the author writes.
    await context.clearCookies();
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    assert.match(tab.url(), /\/admin\/entries\/new$/);
    assert.match(await tab.locator(".admin-notice").textContent(), /session ended .*Nothing is lost/);
    assert.equal((await admin(blog, "GET", "/admin/posts/written-over-a-long-evening")).res.status, 404, "nothing saved without a session");
    // A wrong token keeps it carried.
    await tab.getByLabel("Admin token").fill("not-it");
    await tab.getByRole("button", { name: "Sign in and send it" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".form-message").textContent(), /not the admin token/);
    await tab.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await tab.getByRole("button", { name: "Sign in and send it" }).click();
    await tab.waitForLoadState();
    assert.match(tab.url(), /\/admin\/entries\/written-over-a-long-evening\?done=saved$/);
    const saved = await admin(blog, "GET", "/admin/posts/written-over-a-long-evening");
    assert.equal(saved.json.body, text, "every character, line breaks included");
    assert.deepEqual(saved.json.tags, ["evening", "prose"]);
    assert.equal(saved.json.status, "draft");
    // Signed in again: the next save works as ever.
    await tab.getByLabel("Status").selectOption("published");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    assert.match(await (await blog.fetch("/posts/written-over-a-long-evening")).text(), /Three hours of <em>careful<\/em> prose/);
    // A form that fails its checks after sign-in comes back with its fields.
    await context.clearCookies();
    await tab.getByLabel("Title").fill("");
    await tab.getByLabel("Text (Markdown)").fill("Still here.");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await tab.getByRole("button", { name: "Sign in and send it" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator("#title-error").textContent(), /Must not be empty/);
    assert.equal(await tab.getByLabel("Text (Markdown)").inputValue(), "Still here.");
  } finally {
    await context.close();
    await blog.close();
  }
});

test("comments from the browser: reply as the author (approving), by status with counts, search, correct, unapprove, delete; blogctl reply", async () => {
  const blog = await startBlog({ settings: { comment_min_seconds: "0", time_zone: "Europe/London" } });
  const { base, context, tab } = await signedIn(blog);
  try {
    const nina = await held(blog, "Nina", "Does this work on a phone?");
    const omar = await held(blog, "Omar", "A question about the NHS.");
    await tab.goto(`${base}/admin/queue`);
    assert.match(await tab.locator(".admin-tabs").textContent(), /Waiting \(2\)/);
    // The time is shown on the blog's clock, with the date.
    const stamp = await tab.locator(`#comment-${nina} time`).getAttribute("datetime");
    assert.match(stamp, /[+-]\d\d:\d\d$|Z$/);
    assert.match(await tab.locator(`#comment-${nina} time`).textContent(), /^\w+ \d+, \d{4} at \d+:\d\d [ap]m$/);
    // Reply from the list: the comment is approved and the reply is the author's.
    await tab.locator(`#comment-${nina} summary`).click();
    await tab.getByLabel("Your reply to Nina (approves their comment)").fill("Yes: the admin needs no JavaScript.");
    await tab.locator(`#comment-${nina}`).getByRole("button", { name: "Approve and reply" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /Your reply is published and the comment is approved/);
    const post = await (await blog.fetch(`/posts/${SLUG}`)).text();
    assert.match(post, /Does this work on a phone\?/, "the comment replied to is approved");
    const reply = post.slice(post.indexOf("Yes: the admin needs no JavaScript.") - 1500, post.indexOf("Yes: the admin needs no JavaScript."));
    assert.match(reply, /by-post-author/, "the reply is the author's");
    const approved = (await admin(blog, "GET", "/admin/comments?status=approved")).json.comments;
    const mine = approved.find((c) => c.body === "Yes: the admin needs no JavaScript.");
    assert.equal(mine.parent, nina);
    assert.equal(mine.by_post_author, true);

    // The approved tab, a search, the comment's screen: correct it, move it back, delete it.
    await tab.getByRole("link", { name: /Approved \(\d+\)/ }).click();
    await tab.getByLabel(/Search these comments/).fill("PHONE");
    await tab.getByRole("button", { name: "Find comments" }).click();
    await tab.waitForLoadState();
    assert.equal(await tab.locator(".admin-comment").count(), 1, "found by its text, in any case");
    await tab.getByRole("link", { name: "Edit the comment by Nina" }).click();
    await tab.getByLabel("Text").fill("Does this work on a phone? (Typo fixed by the author.)");
    await tab.getByLabel("Website").fill("javascript:alert(1)");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator("#edit-url-error").textContent(), /http/);
    assert.equal(await tab.getByLabel("Text").inputValue(), "Does this work on a phone? (Typo fixed by the author.)", "kept as typed");
    await tab.getByLabel("Website").fill("nina.example.org");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /Saved\./);
    const fixed = await (await blog.fetch(`/posts/${SLUG}`)).text();
    assert.match(fixed, /Typo fixed by the author\./, "the correction shows at once");
    assert.match(fixed, /href="https:\/\/nina\.example\.org"/);
    await tab.getByLabel("Status").selectOption("pending");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    assert.doesNotMatch(await (await blog.fetch(`/posts/${SLUG}`)).text(), /Typo fixed by the author/, "unapproved: gone from the page");

    // Reply from the comment's screen; a reply too long comes back with its text.
    await tab.goto(`${base}/admin/queue/${omar}`);
    const long = "x".repeat(10_001);
    await tab.getByLabel("Your reply (approves the comment)").fill(long);
    await tab.getByRole("button", { name: "Approve and reply" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator("#reply-error").textContent(), /At most 10000 characters/);
    assert.equal((await tab.getByLabel("Your reply (approves the comment)").inputValue()).length, 10_001);
    assert.equal((await admin(blog, "GET", "/admin/comments?status=pending")).json.comments.some((c) => c.id === omar), true, "not approved by a refused reply");
    await tab.getByRole("button", { name: "Delete the comment" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /deleted/);
    assert.equal((await admin(blog, "GET", "/admin/comments?status=pending")).json.comments.some((c) => c.id === omar), false);

    // blogctl reply: from an argument and from standard input.
    const pia = await held(blog, "Pia", "And from the terminal?");
    const cli = await runBlogctl(base, ["reply", SLUG, String(pia), "From the terminal, too."]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`replied to comment ${pia} on ${SLUG} \\(now approved\\)`));
    const piped = await runBlogctl(base, ["reply", SLUG, String(pia)], "Piped in.\n");
    assert.equal(piped.code, 0, piped.stderr);
    const now = await (await blog.fetch(`/posts/${SLUG}`)).text();
    for (const text of ["And from the terminal?", "From the terminal, too.", "Piped in."]) assert.match(now, new RegExp(text.replace(/[?.]/g, "\\$&")));
    const wrong = await runBlogctl(base, ["reply", "no-such-post", String(pia), "x"]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /no post with the slug "no-such-post"/);
  } finally {
    await context.close();
    await blog.close();
  }
});

test("every setting from the settings screen: a wrong value comes back with everything typed, then each shows where it should; the icon uploaded there", async () => {
  const blog = await startBlog();
  const { base, context, tab } = await signedIn(blog, 1280);
  try {
    await tab.goto(`${base}/admin/settings`);
    const list = (await admin(blog, "GET", "/admin/settings")).json.settings;
    // A new value for every setting the screen shows as a box or a list.
    const next = {
      title: "Renamed in a browser", tagline: "A tagline typed in a form", author: "Ann Author", base_url: "http://127.0.0.1:8787",
      time_zone: "Mars/Olympus", language: "fr-CA", email_from: "blog@example.org", author_email: "ann@example.org", newsletter_from: "letters@example.org",
      newsletter_per_minute: "30", newsletter_digest_hour: "9", fediverse_handle: "ann", fediverse_blocked_domains: "bad.example",
      comment_min_seconds: "5", comment_max_links: "1", comment_blocklist: "casino\nviagra", comment_blocked_clients: "", comment_rate_limit: "4",
      comment_rate_window_seconds: "300", comments_close_after_days: "365", admin_session_hours: "72", backups_keep: "3",
    };
    const selects = { newsletter: "off", newsletter_content: "lead", newsletter_digest_day: "friday", comment_moderation: "all" };
    for (const s of list) {
      if (s.key === "icon") continue;
      assert.ok(s.key in next || s.key in selects, `the test sets ${s.key}`);
    }
    for (const [key, value] of Object.entries(next)) await tab.locator(`#${key}`).fill(value);
    for (const [key, value] of Object.entries(selects)) await tab.locator(`#${key}`).selectOption(value);
    await tab.getByRole("button", { name: "Save the settings" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".form-message").textContent(), /Nothing was changed/);
    assert.match(await tab.locator("#time_zone-error").textContent(), /not a time zone/);
    assert.equal(await tab.locator("#title").inputValue(), "Renamed in a browser", "what was typed stays");
    assert.equal(await tab.locator("#comment_blocklist").inputValue(), "casino\nviagra");
    assert.equal((await admin(blog, "GET", "/admin/settings")).json.settings.find((s) => s.key === "title").value, list.find((s) => s.key === "title").value, "nothing stored");
    next.time_zone = "America/New_York";
    await tab.locator("#time_zone").fill(next.time_zone);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "icon-"));
    const icon = makePng(192, 192, 7);
    fs.writeFileSync(path.join(dir, "icon.png"), icon);
    await tab.getByLabel(/Or upload a new icon/).setInputFiles(path.join(dir, "icon.png"));
    await tab.getByRole("button", { name: "Save the settings" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /Settings saved\./);
    const stored = Object.fromEntries((await admin(blog, "GET", "/admin/settings")).json.settings.map((s) => [s.key, s.value]));
    for (const [key, value] of Object.entries({ ...next, ...selects })) assert.equal(stored[key], value, key);
    assert.match(stored.icon, /^\/media\/[0-9a-f]{64}\/icon\.png$/);
    // Where they show.
    const home = await (await blog.fetch("/")).text();
    assert.match(home, /<html lang="fr-CA">/);
    assert.match(home, /<title>Renamed in a browser/);
    assert.match(home, /A tagline typed in a form/);
    assert.match(home, /written by Ann Author/);
    const favicon = await blog.fetch("/apple-touch-icon.png");
    assert.equal(favicon.status, 200);
    assert.deepEqual(Buffer.from(await favicon.arrayBuffer()), icon, "the uploaded icon is the site's");
    const finger = await blog.fetch("/.well-known/webfinger?resource=acct:ann@127.0.0.1:8787");
    assert.equal(finger.status, 200, "the fediverse handle");
    assert.match(await (await blog.fetch(`/posts/${SLUG}`)).text(), /datetime="2011-03-18T10:17:00-04:00"/, "dates on the new clock");
    // The session's length is the new setting.
    const again = await blog.fetch("/admin/sign-in", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    });
    assert.match(again.headers.get("set-cookie"), /Max-Age=259200/);
    // blogctl settings set prints what it changed, not all of them.
    const cli = await runBlogctl(base, ["settings", "set", "tagline=Set from the terminal"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^tagline = "Set from the terminal"/);
    assert.doesNotMatch(cli.stdout, /comment_rate_limit/);
  } finally {
    await context.close();
    await blog.close();
  }
});

test("images from the editor: uploaded with alt text, or picked from the library, in the saved post with their size; the lead image; addenda corrected and removed, none on drafts", async () => {
  const blog = await startBlog();
  const { base, context, tab } = await signedIn(blog);
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "editor-"));
    fs.writeFileSync(path.join(dir, "harbour.png"), makePng(640, 480, 3));
    fs.writeFileSync(path.join(dir, "notes.txt"), "not an image");
    await tab.goto(`${base}/admin/entries/new`);
    await tab.getByLabel("Title").fill("A walk by the harbour");
    await tab.getByLabel("Text (Markdown)").fill("We walked.");
    // No addendum on a draft.
    assert.equal(await tab.getByLabel(/Addendum/).count(), 0);
    await admin(blog, "POST", "/admin/posts", { title: "Still a draft", body: "Unfinished.", status: "draft" });
    const onDraft = await admin(blog, "POST", "/admin/posts/still-a-draft/addenda", { body: "Too soon." });
    assert.equal(onDraft.res.status, 409, "the API refuses it too");
    assert.match(onDraft.json.error, /is a draft/);
    // A file that is not an image: refused beside the text, which stays.
    await tab.getByLabel(/Upload an image/).setInputFiles(path.join(dir, "notes.txt"));
    await tab.getByRole("button", { name: "Upload and add it" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".field-error[role=alert]").textContent(), /not a file the blog stores/);
    assert.equal(await tab.getByLabel("Text (Markdown)").inputValue(), "We walked.");
    await tab.getByLabel(/Upload an image/).setInputFiles(path.join(dir, "harbour.png"));
    await tab.getByLabel(/Its alt text/).fill("Boats in the harbour at dusk");
    await tab.getByRole("button", { name: "Upload and add it" }).click();
    await tab.waitForLoadState();
    assert.match(tab.url(), /#editor$/, "back where the author was");
    assert.match(await tab.locator("#editor .admin-notice").textContent(), /not saved yet/);
    const body = await tab.getByLabel("Text (Markdown)").inputValue();
    assert.match(body, /^We walked\.\n\n!\[Boats in the harbour at dusk\]\(\/media\/[0-9a-f]{64}\/harbour\.png\)\n$/);
    assert.equal(await tab.getByLabel("Title").inputValue(), "A walk by the harbour");
    // The same picture from the library, and as the lead image.
    await tab.getByLabel("Or one from the library").selectOption({ label: "harbour.png – Boats in the harbour at dusk" });
    await tab.getByRole("button", { name: "Add it", exact: true }).click();
    await tab.waitForLoadState();
    assert.equal((await tab.getByLabel("Text (Markdown)").inputValue()).match(/!\[Boats in the harbour at dusk\]/g).length, 2);
    await tab.getByLabel("Lead image").selectOption({ label: "harbour.png – Boats in the harbour at dusk" });
    await tab.getByLabel("Status").selectOption("published");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    const page = await (await blog.fetch("/posts/a-walk-by-the-harbour")).text();
    assert.match(page, /<img src="\/media\/[0-9a-f]{64}\/harbour\.png" alt="Boats in the harbour at dusk" width="640" height="480"/);
    assert.match(page, /<meta property="og:image" content="http:\/\/127\.0\.0\.1:8787\/media\/[0-9a-f]{64}\/w1200\/harbour\.png">/);

    // Addenda: added, listed, corrected, removed.
    await tab.getByLabel("Addendum (Markdown, dated now)").fill("Later: it rained.");
    await tab.getByRole("button", { name: "Add the addendum" }).click();
    await tab.waitForLoadState();
    assert.match(await (await blog.fetch("/posts/a-walk-by-the-harbour")).text(), /Later: it rained\./);
    const listed = tab.getByLabel(/The addendum of/);
    assert.equal(await listed.inputValue(), "Later: it rained.");
    await listed.fill("Later: it poured.");
    await tab.getByRole("button", { name: "Correct it" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /corrected/);
    const corrected = await (await blog.fetch("/posts/a-walk-by-the-harbour")).text();
    assert.match(corrected, /Later: it poured\./);
    assert.doesNotMatch(corrected, /it rained/);
    await tab.getByRole("button", { name: "Remove it" }).click();
    await tab.waitForLoadState();
    assert.doesNotMatch(await (await blog.fetch("/posts/a-walk-by-the-harbour")).text(), /Later: it poured/);
    // The API refuses an addendum for an entry that does not have it.
    const other = await admin(blog, "PATCH", `/admin/posts/${SLUG}/addenda/999999`, { body: "x" });
    assert.equal(other.res.status, 404);
    // The date field is on the blog's clock and says so.
    await admin(blog, "PATCH", "/admin/settings", { time_zone: "Asia/Tokyo" });
    const published = (await admin(blog, "GET", `/admin/posts/${SLUG}`)).json.published_at;
    const inTokyo = new Date(published).toLocaleString("sv-SE", { timeZone: "Asia/Tokyo" }).slice(0, 16).replace(" ", "T");
    await tab.goto(`${base}/admin/entries/${SLUG}`);
    assert.equal(await tab.getByLabel("Date (Asia/Tokyo time)").inputValue(), inTokyo, `${published} on Tokyo's clock`);
    assert.notEqual(inTokyo, published.slice(0, 16), "not UTC");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    assert.equal((await admin(blog, "GET", `/admin/posts/${SLUG}`)).json.published_at, published, "a save keeps the moment");
  } finally {
    await context.close();
    await blog.close();
  }
});
