// The browser admin in real headless Chromium with JavaScript off: sign in, moderate (one and
// many), write a draft, preview it, publish it, add an addendum, sign out; what is refused (no
// CSRF token, another origin, no session, wrong tokens); and every screen through axe-core and
// the Nu HTML Checker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import http from "node:http";
import { generateKeyPairSync, createSign } from "node:crypto";
import { startBlog, admin, postComment, mintToken, makePng, sentMail, ROOT, ADMIN_TOKEN, nuCheck, launchChromium, heldComment } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

let ip = 0;
async function held(blog, name, body) {
  ip += 1;
  return heldComment(blog, SLUG, name, body, `192.0.2.${ip}`);
}

async function signIn(tab, base) {
  await tab.goto(`${base}/admin/`);
  assert.match(tab.url(), /\/admin\/sign-in$/, "not signed in: the sign-in page");
  await tab.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await tab.getByRole("button", { name: "Sign in" }).click();
  await tab.waitForLoadState();
  assert.match(tab.url(), /\/admin\/queue$/);
}

test("with JavaScript off: sign in, moderate one and many, write, preview, publish, add an addendum, sign out", async () => {
  const blog = await startBlog({ settings: { comment_min_seconds: "0" } });
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 800 } });
  const tab = await context.newPage();
  try {
    const nina = await held(blog, "Nina", "Held until the author says so.");
    await held(blog, "Spammy", "Buy cheap watches");
    await held(blog, "Spammier", "Buy cheaper watches");

    // A wrong token first: refused, and nothing is set.
    await tab.goto(`${base}/admin/sign-in`);
    await tab.getByLabel("Admin token").fill("not-the-token");
    await tab.getByRole("button", { name: "Sign in" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".form-message").textContent(), /not the admin token/);
    assert.deepEqual((await context.cookies()).filter((c) => c.name === "blog_admin"), []);

    await signIn(tab, base);
    const [cookie] = (await context.cookies()).filter((c) => c.name === "blog_admin");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(cookie.path, "/admin");
    assert.equal(await tab.locator(".admin-comment").count(), 3);
    assert.match(await tab.locator(`#comment-${nina}`).textContent(), /nina@example\.org/);
    assert.match(await tab.locator(`#comment-${nina} .reasons`).textContent(), /first comment from this email address/);

    // Approve one: it is on the public page at once.
    await tab.locator(`#comment-${nina}`).getByRole("button", { name: "Approve" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /1 comment approved\./);
    const publicPage = await (await blog.fetch(`/posts/${SLUG}`)).text();
    assert.match(publicPage, /Held until the author says so\./);

    // Two at once as spam.
    await tab.getByLabel("Select the comment by Spammy", { exact: true }).check();
    await tab.getByLabel("Select the comment by Spammier").check();
    await tab.locator(".bulk").getByRole("button", { name: "Mark as spam" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /2 comments marked as spam\./);
    assert.equal(await tab.locator(".admin-comment").count(), 0);
    const spam = await admin(blog, "GET", "/admin/comments?status=spam");
    assert.deepEqual(spam.json.comments.map((c) => c.author).sort(), ["Spammier", "Spammy"]);

    // Write a draft, preview it, publish it, add an addendum.
    await tab.getByRole("link", { name: "Posts and pages" }).click();
    await tab.getByRole("link", { name: "Write a new post" }).click();
    await tab.getByLabel("Title").fill("Written in a browser");
    await tab.getByLabel("Text (Markdown)").fill("Hello from *the admin*.");
    await tab.getByRole("button", { name: "Preview" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-preview").innerHTML(), /Hello from <em>the admin<\/em>\./);
    assert.equal(await tab.getByLabel("Title").inputValue(), "Written in a browser", "the preview keeps what was typed");
    assert.equal((await admin(blog, "GET", "/admin/posts/written-in-a-browser")).res.status, 404, "a preview saves nothing");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    assert.match(tab.url(), /\/admin\/entries\/written-in-a-browser\?done=saved$/);
    const draft = await admin(blog, "GET", "/admin/posts/written-in-a-browser");
    assert.equal(draft.json.status, "draft");
    assert.equal((await blog.fetch("/posts/written-in-a-browser")).status, 404, "a draft is not public");
    // Its shareable preview works without a session, privately; a changed link does not.
    const share = (await tab.locator("a[href*='/preview/']").getAttribute("href")).replace(/^https?:\/\/[^/]+/, "");
    const shared = await blog.fetch(share);
    assert.equal(shared.status, 200);
    assert.equal(shared.headers.get("cache-control"), "private, no-store");
    assert.equal(shared.headers.get("x-robots-tag"), "noindex");
    assert.match(await shared.text(), /Hello from <em>the admin<\/em>\./);
    assert.equal((await blog.fetch(share.replace(/.$/, (c) => (c === "0" ? "1" : "0")))).status, 404);
    assert.equal((await blog.fetch(share.replace("written-in-a-browser", SLUG))).status, 404, "bound to its post");
    await tab.getByLabel("Status").selectOption("published");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    const published = await (await blog.fetch("/posts/written-in-a-browser")).text();
    assert.match(published, /Hello from <em>the admin<\/em>\./);
    await tab.getByLabel("Addendum (Markdown, dated now)").fill("An update, *later*.");
    await tab.getByRole("button", { name: "Add the addendum" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /addendum is added/);
    assert.match(await (await blog.fetch("/posts/written-in-a-browser")).text(), /An update, <em>later<\/em>\./);

    // A field at fault comes back with what was typed.
    await tab.getByLabel("Title").fill("");
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator("#title-error").textContent(), /Must not be empty/);
    assert.match(await tab.getByLabel("Text (Markdown)").inputValue(), /Hello from \*the admin\*/);

    // A page under another, from the same editor.
    for (const [title, parent] of [["About us", ""], ["The team", "about-us"]]) {
      await tab.goto(`${base}/admin/entries`);
      await tab.getByRole("link", { name: "Write a new page" }).click();
      assert.equal(await tab.getByLabel("Tags").count(), 0, "a page has no tags");
      await tab.getByLabel("Title").fill(title);
      await tab.getByLabel("Text (Markdown)").fill(`All about ${title}.`);
      await tab.getByLabel("Status").selectOption("published");
      await tab.getByLabel("Parent page").fill(parent);
      await tab.getByRole("button", { name: "Save" }).click();
      await tab.waitForLoadState();
      assert.match(tab.url(), /done=saved/, await tab.content());
    }
    assert.match(await (await blog.fetch("/about-us/the-team/")).text(), /All about The team\./);

    // A picture, uploaded through the form; a file the blog does not take is refused, kindly.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "upload-"));
    fs.writeFileSync(path.join(dir, "chart.png"), makePng(64, 48));
    fs.writeFileSync(path.join(dir, "notes.txt"), "not a picture");
    await tab.getByRole("link", { name: "Files" }).click();
    await tab.getByLabel(/A file/).setInputFiles(path.join(dir, "notes.txt"));
    await tab.getByRole("button", { name: "Upload" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".form-message").textContent(), /not a file the blog stores/);
    await tab.getByLabel(/A file/).setInputFiles(path.join(dir, "chart.png"));
    await tab.getByLabel(/Alt text/).fill("A small chart");
    await tab.getByRole("button", { name: "Upload" }).click();
    await tab.waitForLoadState();
    const stored = (await tab.locator(".admin-notice").textContent()).match(/Stored\. In a post, write: !\[A small chart\]\((\/media\/[0-9a-f]{64}\/chart\.png)\)/)?.[1];
    assert.ok(stored, await tab.locator(".admin-notice").textContent());
    assert.equal(await tab.locator(`img[src="${stored}"]`).getAttribute("alt"), "A small chart");
    assert.equal((await blog.fetch(stored)).status, 200);
    await tab.getByRole("button", { name: "Delete chart.png" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /Deleted\./);
    assert.equal((await blog.fetch(stored)).status, 404, "gone from the library");

    // A redirect, added and removed from the browser.
    await tab.getByRole("link", { name: "Redirects" }).click();
    await tab.getByLabel("Old address").fill("javascript:alert(1)");
    await tab.getByLabel("Leads to").fill("/posts/written-in-a-browser");
    await tab.getByRole("button", { name: "Add the redirect" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".form-message").textContent(), /Not added: .*path on this blog/);
    assert.equal(await tab.getByLabel("Leads to").inputValue(), "/posts/written-in-a-browser", "what was typed stays");
    await tab.getByLabel("Old address").fill("/2011/01/old-one/");
    await tab.getByRole("button", { name: "Add the redirect" }).click();
    await tab.waitForLoadState();
    assert.equal((await blog.fetch("/2011/01/old-one/")).headers.get("location"), "/posts/written-in-a-browser");
    await tab.getByRole("button", { name: "Remove /2011/01/old-one" }).click();
    await tab.waitForLoadState();
    assert.equal((await blog.fetch("/2011/01/old-one/")).status, 404);

    // Delete, after a confirmation page.
    await admin(blog, "POST", "/admin/posts", { title: "To be deleted", body: "Soon gone." });
    await tab.goto(`${base}/admin/entries/to-be-deleted`);
    await tab.getByRole("link", { name: "Delete…" }).click();
    assert.match(await tab.locator("h1").textContent(), /Move “To be deleted” to the trash\?/);
    assert.equal((await blog.fetch("/posts/to-be-deleted")).status, 200, "the confirmation page deletes nothing");
    await tab.getByRole("button", { name: "Move it to the trash" }).click();
    await tab.waitForLoadState();
    assert.match(await tab.locator(".admin-notice").textContent(), /Moved to the trash\./);
    assert.equal((await blog.fetch("/posts/to-be-deleted")).status, 404);

    // Sign out: the session is gone.
    await tab.getByRole("button", { name: "Sign out" }).click();
    await tab.waitForLoadState();
    assert.match(tab.url(), /\/admin\/sign-in$/);
    await tab.goto(`${base}/admin/queue`);
    assert.match(tab.url(), /\/admin\/sign-in$/);
  } finally {
    await context.close();
    await blog.close();
  }
});

test("refused: a form without its CSRF token, a session cookie sent from another origin, no session, too many wrong tokens", async () => {
  const blog = await startBlog({ settings: { comment_min_seconds: "0" } });
  try {
    const id = await held(blog, "Olga", "Approve me only from the admin.");
    const signIn = await blog.fetch("/admin/sign-in", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    });
    assert.equal(signIn.status, 303);
    const cookie = signIn.headers.get("set-cookie").split(";")[0];
    assert.match(signIn.headers.get("set-cookie"), /HttpOnly; SameSite=Strict; Max-Age=86400/, "a day: admin_session_hours' default");
    const queue = await (await blog.fetch("/admin/queue", { headers: { Cookie: cookie } })).text();
    const csrf = queue.match(/name="csrf" value="([0-9a-f]+)"/)[1];
    const post = (headers, fields) =>
      blog.fetch("/admin/queue", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(fields).toString(),
      });
    assert.equal((await post({ Cookie: cookie }, { do: `approve:${id}` })).status, 403, "no CSRF token");
    assert.equal((await post({ Cookie: cookie }, { do: `approve:${id}`, csrf: "0".repeat(32) })).status, 403, "a wrong one");
    assert.equal((await post({ Cookie: cookie, Origin: "https://evil.example" }, { do: `approve:${id}`, csrf })).status, 403, "another origin");
    const noSession = await post({}, { do: `approve:${id}`, csrf });
    assert.equal(noSession.status, 401, "no session: the sign-in form, carrying what was sent");
    const carried = await noSession.text();
    assert.match(carried, new RegExp(`name="carry.do" value="approve:${id}"`));
    assert.doesNotMatch(carried, /name="carry.csrf"/, "the old session's token is not carried");
    const forged = cookie.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    assert.equal((await post({ Cookie: forged }, { do: `approve:${id}`, csrf })).status, 401, "a forged session is none");
    assert.equal((await admin(blog, "GET", "/admin/comments?status=pending")).json.comments.length, 1, "nothing was approved");
    const ok = await post({ Cookie: cookie, Origin: "http://127.0.0.1:8787" }, { do: `approve:${id}`, csrf });
    assert.equal(ok.status, 303);
    assert.equal((await admin(blog, "GET", "/admin/comments?status=pending")).json.comments.length, 0);
    // Block a sender: the next comment from the same client is spam, whatever its address.
    const other = await held(blog, "Ugo", "From a client about to be blocked.");
    const sameClient = `192.0.2.${ip}`;
    assert.equal((await post({ Cookie: cookie }, { do: `block-sender:${other}`, csrf })).status, 303);
    const token = await mintToken(1, Math.floor(Date.now() / 1000) - 30);
    const again = await postComment(blog, SLUG, { token, author: "Vera", email: "vera@example.org", body: "Same client, new name.", url: "", subject: "" }, sameClient);
    assert.equal(again.status, 303);
    const spam = (await admin(blog, "GET", "/admin/comments?status=spam")).json.comments;
    assert.deepEqual(spam.map((c) => [c.author, c.reasons.includes("its sender is blocked")]).sort(), [["Ugo", false], ["Vera", true]]);
    // The JSON API still wants its bearer token, cookie or not.
    assert.equal((await blog.fetch("/admin/posts", { headers: { Cookie: cookie } })).status, 401);
    // Five wrong tokens from one client, then a wait.
    const attempt = (token) =>
      blog.fetch("/admin/sign-in", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "198.51.100.66" },
        body: new URLSearchParams({ token }).toString(),
      });
    for (let i = 0; i < 5; i++) assert.equal((await attempt(`guess-${i}`)).status, 401);
    const blocked = await attempt(ADMIN_TOKEN);
    assert.equal(blocked.status, 429, "even the right token waits");
    assert.equal(blocked.headers.get("retry-after"), "900");
  } finally {
    await blog.close();
  }
});

test("every admin screen at 360, 390, 768 and 1280 px: no sideways scroll, private, noindex, no axe violations (360 and 1280), no Nu HTML Checker errors", async () => {
  const blog = await startBlog({ settings: { comment_min_seconds: "0" } });
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  const pia = await held(blog, "Pia", "A comment to moderate, with a link https://example.org/a/very/long/address/that/would/push/a/narrow/screen/sideways/if/it/could.");
  await admin(blog, "POST", `/admin/posts/${SLUG}/addenda`, { body: "A later word on it." });
  const revision = (await admin(blog, "GET", `/admin/posts/${SLUG}/revisions`)).json.revisions[0].id;
  const upload = await blog.fetch(`/admin/media?name=a-picture-with-a-rather-long-file-name-indeed.png&alt=A%20wide%20picture`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "image/png" },
    body: makePng(1200, 800),
  });
  assert.equal(upload.status, 201);
  const axe = fs.readFileSync(path.join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");
  // axe runs in the page, so its tab has scripts on (the admin has none of its own, and
  // bypassCSP lets axe in); the widths are measured again with scripts off, as the author has it.
  const context = await browser.newContext({ bypassCSP: true });
  const tab = await context.newPage();
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const noScript = await plain.newPage();
  try {
    await tab.goto(`${base}/admin/sign-in`);
    const pages = { "sign-in": await tab.content() };
    await signIn(tab, base);
    await blog.fetch("/no-such-old-page/");
    await admin(blog, "POST", "/admin/redirects", { from: "/old/", to: `/posts/${SLUG}` });
    // Sixty more posts, written as plain SQL (the kept tally follows): the list has two pages.
    await blog.db
      .prepare(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 60)
                INSERT INTO posts (slug, title, body, status, published_at, updated_at) SELECT 'bulk-' || i, 'Bulk ' || i, 'x', 'published', 1400000000 + i, 1400000000 FROM k`)
      .run();
    // Something in the trash, with a long title.
    await admin(blog, "POST", "/admin/posts", { title: "A post with a title long enough to wrap on a phone, deleted in a hurry", body: "Gone.", slug: "deleted-in-a-hurry" });
    assert.equal((await admin(blog, "DELETE", "/admin/posts/deleted-in-a-hurry")).res.status, 204);
    const screens = ["/admin/trash", "/admin/queue", "/admin/queue?status=approved", "/admin/queue?status=spam", "/admin/queue?q=example", `/admin/queue/${pia}`, "/admin/settings", `/admin/entries/${SLUG}/revisions/${revision}`, "/admin/entries/new?type=page", "/admin/entries", "/admin/entries?page=2", "/admin/entries?type=page", "/admin/entries/new", `/admin/entries/${SLUG}`, `/admin/entries/${SLUG}/delete`, "/admin/addresses", "/admin/mail", "/admin/mail?status=failed", "/admin/files", "/admin/newsletter"];
    const report = {};
    const sideways = {};
    await signIn(noScript, base);
    for (const width of [360, 390, 768, 1280]) {
      await noScript.setViewportSize({ width, height: 900 });
      for (const screen of screens) {
        await noScript.goto(base + screen);
        const wide = await noScript.evaluate(() => document.documentElement.scrollWidth);
        if (wide > width) sideways[`${screen} at ${width}px, scripts off`] = wide;
      }
    }
    for (const [width, screen] of [360, 1280].flatMap((w) => screens.map((s) => [w, s]))) {
      await tab.setViewportSize({ width, height: 900 });
      const res = await tab.goto(base + screen);
      assert.equal(res.status(), 200, screen);
      const headers = res.headers();
      assert.equal(headers["cache-control"], "private, no-store", screen);
      assert.equal(headers["x-robots-tag"], "noindex", screen);
      assert.match(headers["content-security-policy"] ?? "", /script-src 'none'|default-src/, screen);
      const wide = await tab.evaluate(() => document.documentElement.scrollWidth);
      if (wide > width) sideways[`${screen} at ${width}px`] = wide;
      await tab.evaluate(axe);
      const result = await tab.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
      const violations = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
      if (violations.length) report[`${screen} at ${width}px`] = violations;
      pages[screen] = await (await tab.request.get(base + screen)).text();
    }
    assert.deepEqual(sideways, {}, "pages wider than the screen");
    assert.deepEqual(report, {});
    assert.match(pages["/admin/entries"], /1–50 of 61 · <a href="\/admin\/entries\?page=2" rel="next">Older<\/a>/);
    assert.match(pages["/admin/entries?page=2"], /51–61 of 61 · <a href="\/admin\/entries" rel="prev">Newer<\/a><\/p>/);
    assert.match(pages["/admin/entries?type=page"], /<strong>Pages<\/strong>/);
    assert.doesNotMatch(pages["/admin/entries?type=page"], /bulk-/, "no posts among the pages");
    assert.equal((await tab.goto(`${base}/admin/entries?page=0`)).status(), 400);
    const messages = nuCheck(pages);
    assert.deepEqual(messages, []);
  } finally {
    await plain.close();
    await context.close();
    await blog.close();
  }
});

test("the newsletter screen: paste addresses (each line accounted for), see them, remove one, send a test, export", async () => {
  const blog = await startBlog({ settings: { email_from: "blog@example.org", author_email: "author@example.org" } });
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  const context = await browser.newContext({ javaScriptEnabled: false });
  const tab = await context.newPage();
  try {
    await signIn(tab, base);
    await tab.goto(`${base}/admin/newsletter`);
    await tab.getByLabel(/Addresses, one a line/).fill("una@example.org\nnot an address\nuli@example.org\nuna@example.org\n");
    await tab.getByLabel(/consented already/).check();
    await tab.getByRole("button", { name: "Add them" }).click();
    const notice = await tab.locator(".admin-notice").textContent();
    assert.match(notice, /2 added, 1 there already or repeated, 1 refused\. line 2: "not an address" is not an email address\./);
    assert.match(await tab.content(), /2 confirmed/);
    assert.equal(await tab.locator("td", { hasText: "uli@example.org" }).count(), 1);
    await tab.getByRole("button", { name: "Remove uli@example.org" }).click();
    assert.match(await tab.locator(".admin-notice").textContent(), /uli@example\.org is removed\./);
    assert.equal(await tab.locator("td", { hasText: "uli@example.org" }).count(), 0);

    await tab.getByLabel(/Send a post's email to me/).fill("no-such-post");
    await tab.getByRole("button", { name: "Send the test" }).click();
    assert.match(await tab.locator(".admin-notice").textContent(), /No post has the slug “no-such-post”/);
    await tab.getByLabel(/Send a post's email to me/).fill(SLUG);
    await tab.getByRole("button", { name: "Send the test" }).click();
    assert.match(await tab.locator(".admin-notice").textContent(), /The test is sent to author_email\./);
    const [test] = await sentMail(blog, { atLeast: 1 });
    assert.deepEqual(test.to, ["author@example.org"]);
    assert.match(test.subject, /Health is Social/);

    const csv = await (await tab.request.get(`${base}/admin/newsletter/export`)).text();
    assert.match(csv, /^email,status,cadence,created_at,confirmed_at\r\nuna@example\.org,confirmed,post,/);
    // A bad paste comes back with what was typed.
    await tab.goto(`${base}/admin/newsletter`);
    await tab.getByLabel(/Addresses, one a line/).fill("name,phone\nx,1");
    await tab.getByRole("button", { name: "Add them" }).click();
    assert.match(await tab.locator(".admin-notice").textContent(), /No email column/);
    assert.equal(await tab.getByLabel(/Addresses, one a line/).inputValue(), "name,phone\nx,1");
  } finally {
    await context.close();
    await blog.close();
  }
});

test("behind Cloudflare Access: only a valid Access token gets in (signature, audience, expiry, issuer), nothing else counts", async () => {
  const good = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...good.publicKey.export({ format: "jwk" }), kid: "key-1", alg: "RS256", use: "sig" };
  let fetches = 0;
  const certs = http.createServer((req, res) => {
    fetches += 1;
    if (req.url !== "/cdn-cgi/access/certs") return res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((r) => certs.listen(0, "127.0.0.1", r));
  const team = `http://127.0.0.1:${certs.address().port}`;
  const b64 = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const jwt = (claims, key = good.privateKey, kid = "key-1") => {
    const signed = `${b64({ alg: "RS256", kid, typ: "JWT" })}.${b64({ aud: ["blog-admin"], iss: team, sub: "user-1", email: "claire@example.org", iat: now, exp: now + 600, ...claims })}`;
    return `${signed}.${createSign("RSA-SHA256").update(signed).sign(key).toString("base64url")}`;
  };
  const blog = await startBlog({ vars: { ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: "blog-admin" } });
  try {
    const get = (assertion, extra = {}) => blog.fetch("/admin/queue", { headers: { ...(assertion ? { "Cf-Access-Jwt-Assertion": assertion } : {}), ...extra } });
    const valid = await get(jwt({}));
    assert.equal(valid.status, 200);
    assert.match(await valid.text(), /<h1>Comments<\/h1>/);
    for (const [why, assertion] of [
      ["expired", jwt({ exp: now - 3600 })],
      ["another audience", jwt({ aud: ["another-app"] })],
      ["another team", jwt({ iss: "https://evil.cloudflareaccess.com" })],
      ["signed by another key", jwt({}, stranger.privateKey)],
      ["an unknown key id", jwt({}, good.privateKey, "key-2")],
      ["garbage", "a.b.c"],
    ]) {
      const res = await get(assertion);
      assert.equal(res.status, 403, why);
      assert.match(await res.text(), /Cloudflare Access did not let this request in/, why);
    }
    assert.equal((await get(null)).status, 403, "no token: no entry");
    // The sign-in form is not a second door, and a session cookie counts for nothing.
    assert.equal((await blog.fetch("/admin/sign-in")).status, 403);
    const signIn = await blog.fetch("/admin/sign-in", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    });
    assert.equal(signIn.status, 403);
    assert.equal(signIn.headers.get("set-cookie"), null);
    // A form behind Access still needs its CSRF token.
    const page = await (await get(jwt({}))).text();
    const csrf = page.match(/name="csrf" value="([0-9a-f]+)"/)[1];
    const post = (fields) => blog.fetch("/admin/queue", { method: "POST", headers: { "Cf-Access-Jwt-Assertion": jwt({}), "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
    assert.equal((await post({ do: "approve" })).status, 403);
    assert.equal((await post({ do: "approve", csrf })).status, 303);
    assert.ok(fetches >= 1 && fetches <= 3, `the keys are fetched once and kept (${fetches} fetches)`);
  } finally {
    await blog.close();
    certs.close();
  }
});

