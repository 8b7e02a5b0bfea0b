// Real headless Chromium (Debian's package, driven by playwright-core), with JavaScript off:
// a person reads the demo post, comments, and replies.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { startBlog, ROOT } from "./helpers.mjs";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const SLUG = "health-is-social-aint-no-doubt";
let browser;

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
});

test("with JavaScript off, a person comments and replies through the form and sees the result", async () => {
  const blog = await startBlog();
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
  const tab = await context.newPage();
  try {
    await tab.goto(`${base}/posts/${SLUG}`);
    assert.equal(await tab.locator("h1").textContent(), "Health is Social- ain’t no doubt");
    assert.match(await tab.locator(".addendum h2").textContent(), /Additional – 14:17 18\/03\/2011/);
    assert.equal(await tab.locator("li.comment").count(), 3);
    await tab.screenshot({ path: path.join(ARTIFACTS, "post-desktop.png"), fullPage: true });

    // A first-time commenter: held for moderation, and told so, with their text.
    await tab.getByLabel("Name (required)").fill("Nina Reader");
    await tab.getByLabel("Email (required, never published)").fill("nina@example.org");
    await tab.getByLabel("Website").fill("https://nina.example.org/");
    await tab.getByLabel("Comment", { exact: true }).fill("Social media really is where the patients are.\n\nThanks for the post!");
    await tab.waitForTimeout(3500); // a person takes longer than comment_min_seconds (3) to write
    await tab.getByRole("button", { name: "Post Comment" }).click();
    await tab.waitForLoadState();
    assert.match(tab.url(), /\/held\/\d+\//);
    assert.match(await tab.locator("h1").textContent(), /awaiting moderation/);
    assert.match(await tab.locator(".comment-body").textContent(), /Social media really is where the patients are\./);
    assert.equal(await tab.locator(".badge").textContent(), "Awaiting moderation");

    // A known commenter replies to Claire through the Reply link.
    await tab.goto(`${base}/posts/${SLUG}`);
    await tab.getByRole("link", { name: "Reply to Claire" }).first().click();
    await tab.waitForLoadState();
    assert.match(tab.url(), /\/reply\/2#respond$/);
    assert.match(await tab.locator("h1").textContent(), /Reply to Claire/);
    await tab.getByLabel("Name (required)").fill("Phil Baumann");
    await tab.getByLabel("Email (required, never published)").fill("phil@example.com");
    await tab.getByLabel("Comment", { exact: true }).fill("Glad we agree, Claire.");
    await tab.waitForTimeout(3500);
    await tab.getByRole("button", { name: "Post Comment" }).click();
    await tab.waitForLoadState();
    const url = new URL(tab.url());
    assert.equal(url.pathname, `/posts/${SLUG}`);
    assert.match(url.hash, /^#comment-\d+$/);
    const reply = tab.locator(url.hash);
    assert.match(await reply.textContent(), /Glad we agree, Claire\./);
    assert.match(await reply.getAttribute("class"), /depth-3/);
    assert.equal(await tab.locator("li.comment").count(), 4, "the held comment is not shown to readers");
    await tab.screenshot({ path: path.join(ARTIFACTS, "post-after-reply.png"), fullPage: true });

    // A mistake comes back with the text intact and the fault named next to its field.
    await tab.getByLabel("Name (required)").fill("Someone");
    await tab.getByLabel("Email (required, never published)").fill("someone@example.org");
    await tab.getByLabel("Website").fill("ftp://files.example.org");
    await tab.getByLabel("Comment", { exact: true }).fill("Text I do not want to lose.");
    await tab.getByRole("button", { name: "Post Comment" }).click();
    await tab.waitForLoadState();
    assert.equal(await tab.getByLabel("Comment", { exact: true }).inputValue(), "Text I do not want to lose.");
    assert.match(await tab.locator("#url-error").textContent(), /must start with http/);
  } finally {
    await context.close();
    await blog.close();
  }
});

test("a reader follows the home page to a post, a tag and a search result; screenshots at phone and desktop widths", async () => {
  const blog = await startBlog();
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  await blog.fetch(`/posts/${SLUG}`); // warm nothing special: pages come from D1 then KV
  const { admin } = await import("./helpers.mjs");
  await admin(blog, "PATCH", `/admin/posts/${SLUG}`, { tags: ["NHS", "Social media"] });
  try {
    for (const [name, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 900 }]]) {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport });
      const tab = await context.newPage();
      await tab.goto(`${base}/`);
      await tab.screenshot({ path: path.join(ARTIFACTS, `home-${name}.png`), fullPage: true });
      await tab.getByRole("link", { name: "Health is Social- ain’t no doubt", exact: true }).click();
      await tab.waitForLoadState();
      assert.equal(new URL(tab.url()).pathname, `/posts/${SLUG}`);
      assert.match(await tab.locator(".addendum").textContent(), /Despite some people’s misgivings/);
      assert.equal(await tab.locator("li.comment").count(), 3);
      await tab.screenshot({ path: path.join(ARTIFACTS, `post-${name}.png`), fullPage: true });
      await tab.screenshot({ path: path.join(ARTIFACTS, `post-${name}-top.png`) });
      // No horizontal scrolling at this width. Measured in a tab with JavaScript on (this one has
      // it off, where evaluate cannot run); a failure to measure fails the test.
      const measuring = await browser.newContext({ viewport });
      const measured = await measuring.newPage();
      await measured.goto(tab.url());
      const overflow = await measured.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      await measuring.close();
      assert.equal(typeof overflow, "number");
      assert.ok(overflow <= 0, `page is ${overflow}px too wide at ${viewport.width}px`);

      await tab.getByRole("link", { name: "NHS", exact: true }).click();
      await tab.waitForLoadState();
      assert.equal(new URL(tab.url()).pathname, "/tags/nhs");
      assert.match(await tab.locator("h1").textContent(), /Posts tagged “NHS”/);

      await tab.getByLabel("Search the blog").fill("physicians");
      await tab.getByRole("button", { name: "Search", exact: true }).click();
      await tab.waitForLoadState();
      assert.match(await tab.locator(".search-summary").textContent(), /1 post matches “physicians”/);
      await tab.locator(".hits a").first().click();
      await tab.waitForLoadState();
      assert.equal(new URL(tab.url()).pathname, `/posts/${SLUG}`);
      await context.close();
    }
  } finally {
    await blog.close();
  }
});

test("axe-core finds no accessibility violations on home, post, tag, search, form and 404 pages", async () => {
  const blog = await startBlog();
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  const { admin } = await import("./helpers.mjs");
  await admin(blog, "PATCH", `/admin/posts/${SLUG}`, { tags: ["NHS"] });
  const axe = fs.readFileSync(path.join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");
  // axe is injected through DevTools; the pages' own CSP forbids every script, as it should.
  const context = await browser.newContext({ bypassCSP: true });
  const tab = await context.newPage();
  try {
    const report = {};
    for (const [scheme, paths] of [["light", ["/", `/posts/${SLUG}`, "/tags/nhs", "/search?q=social", `/posts/${SLUG}/reply/1`, "/no-such-page"]], ["dark", ["/", `/posts/${SLUG}`]]]) {
      await tab.emulateMedia({ colorScheme: scheme });
      for (const p of paths) {
        await tab.goto(base + p);
        await tab.evaluate(axe);
        const result = await tab.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
        const violations = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
        if (violations.length) report[`${scheme} ${p}`] = violations;
      }
    }
    assert.deepEqual(report, {});
  } finally {
    await context.close();
    await blog.close();
  }
});

test("the icon is never a 404: no page type logs a console error in Chromium", async () => {
  const blog = await startBlog();
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  try {
    const icon = await blog.fetch("/favicon.ico");
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get("content-type"), "image/png");
    assert.match(icon.headers.get("cache-control"), /max-age=604800/);
    assert.equal((await blog.fetch("/apple-touch-icon.png")).status, 200);
    const { admin } = await import("./helpers.mjs");
    await admin(blog, "PATCH", `/admin/posts/${SLUG}`, { tags: ["NHS"] });
    const context = await browser.newContext();
    const tab = await context.newPage();
    const errors = [];
    tab.on("console", (m) => m.type() === "error" && errors.push(`${tab.url()}: ${m.text()}`));
    tab.on("pageerror", (e) => errors.push(`${tab.url()}: ${e.message}`));
    for (const p of ["/", `/posts/${SLUG}`, "/tags/nhs", "/search?q=social", `/posts/${SLUG}/reply/1`]) {
      await tab.goto(base + p);
      await tab.waitForLoadState("networkidle");
      assert.equal(await tab.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute("href")), "/favicon.ico");
    }
    await context.close();
    assert.deepEqual(errors, []);
  } finally {
    await blog.close();
  }
});
