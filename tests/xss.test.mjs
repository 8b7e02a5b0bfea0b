// XSS: a corpus of hostile payloads through every write path a commenter has (and the author's
// title and tags), rendered in real headless Chromium. No script may run, no request may reach the
// trap, and each payload must show as its own text. The pages are rendered with their
// Content-Security-Policy bypassed, so that escaping alone is what is tested (the CSP would block
// an inline script even if escaping broke); one run keeps the CSP, as the defence in depth it is.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { chromium } from "playwright-core";
import { startBlog, admin, mintToken, postComment } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";

/** ~160 payloads: vectors × actions, plus over-long ones. Every action is observable. */
function corpus(trap) {
  const actions = ["alert(1)", "window.__xss=1", `fetch('${trap}/f')`, `new Image().src='${trap}/i'`];
  const vectors = [
    (a) => `<script>${a}</script>`,
    (a) => `<SCRIPT SRC=${trap}/s.js></SCRIPT>`,
    (a) => `<img src=x onerror="${a}">`,
    (a) => `<img src=x onerror=${a}>`,
    (a) => `<svg onload=${a}>`,
    (a) => `<svg><script>${a}</script></svg>`,
    (a) => `<body onload=${a}>`,
    (a) => `<details open ontoggle=${a}>`,
    (a) => `<iframe src="javascript:${a}"></iframe>`,
    (a) => `<iframe srcdoc="<script>${a}</script>">`,
    (a) => `<a href="javascript:${a}">click</a>`,
    (a) => `<a href="jav&#x09;ascript:${a}">x</a>`,
    (a) => `<a href="&#106;avascript:${a}">x</a>`,
    (a) => `<a href="data:text/html,<script>${a}</script>">x</a>`,
    (a) => `<a href="vbscript:msgbox(1)">x</a>`,
    (a) => `"><script>${a}</script>`,
    (a) => `'><svg onload=${a}>`,
    (a) => `" onmouseover="${a}" x="`,
    (a) => `' onfocus='${a}' autofocus='`,
    (a) => `</textarea><script>${a}</script>`,
    (a) => `</title><script>${a}</script>`,
    (a) => `<math><mi xlink:href="javascript:${a}">x</mi></math>`,
    (a) => `<math><maction actiontype="statusline" xlink:href="javascript:${a}">x</maction></math>`,
    (a) => `<svg><a xlink:href="javascript:${a}"><text x="20" y="20">x</text></a></svg>`,
    (a) => `<style>@import '${trap}/css';</style>`,
    (a) => `<link rel=stylesheet href=${trap}/l.css>`,
    (a) => `<object data="javascript:${a}">`,
    (a) => `<embed src="javascript:${a}">`,
    (a) => `<input autofocus onfocus=${a}>`,
    (a) => `<video><source onerror=${a}></video>`,
    (a) => `<marquee onstart=${a}>`,
    (a) => `<meta http-equiv="refresh" content="0;url=javascript:${a}">`,
    (a) => `<base href="${trap}/">`,
    (a) => `javascript:${a}`,
    (a) => `https://example.com/"><script>${a}</script>`,
    (a) => `https://example.com/?q='onmouseover=${a}//`,
    (a) => `\u0000<script>${a}</script>`,
    (a) => `<scr<script>ipt>${a}</scr</script>ipt>`,
    (a) => `&lt;script&gt;${a}&lt;/script&gt;`,
    (a) => `<form action="javascript:${a}"><button>go</button></form>`,
    (a) => `<button formaction="javascript:${a}">go</button>`,
    (a) => `<isindex type=image src=1 onerror=${a}>`,
    (a) => `<svg><animate onbegin=${a} attributeName=x dur=1s>`,
    (a) => `<svg><set attributeName=href to="javascript:${a}">`,
    (a) => `<noscript><p title="</noscript><img src=x onerror=${a}>">`,
    (a) => `<template><script>${a}</script></template>`,
    (a) => `${"'\""}><img src=x onerror=${a}>`,
    (a) => `<img src="x` + "`" + `onerror=${a}">`,
    (a) => `<a href=" javascript:${a}">x</a>`,
    (a) => `<a href="java\u0000script:${a}">x</a>`,
    (a) => `<a href="JaVaScRiPt:${a}">x</a>`,
  ];
  const payloads = [];
  for (const v of vectors) for (const a of actions) payloads.push(v(a));
  payloads.push("<script>" + "window.__xss=1;".repeat(800) + "</script>"); // over-long: cut by validation
  payloads.push("x".repeat(9990) + "<script>alert(1)</script>");
  return [...new Set(payloads)];
}

let browser;
let trapHits = [];
let trap;
let trapServer;

before(async () => {
  trapServer = http.createServer((req, res) => {
    trapHits.push(req.url);
    res.end("");
  });
  await new Promise((r) => trapServer.listen(0, "127.0.0.1", r));
  trap = `http://127.0.0.1:${trapServer.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => trapServer.close(r));
});

/**
 * Opens a URL in Chromium with JavaScript on, hovering and focusing around; reports what ran.
 * The page's CSP is bypassed unless `csp` is set.
 */
async function visit(url, { csp = false } = {}) {
  const context = await browser.newContext({ bypassCSP: !csp });
  const tab = await context.newPage();
  const dialogs = [];
  tab.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  const requests = [];
  tab.on("request", (r) => {
    if (!r.url().startsWith(url.split("/").slice(0, 3).join("/"))) requests.push(r.url());
  });
  await tab.goto(url);
  for (const link of (await tab.locator("main a, main input, main textarea").all()).slice(0, 400)) {
    await link.hover({ timeout: 200 }).catch(() => {});
  }
  await tab.waitForTimeout(300);
  const sentinel = await tab.evaluate(() => globalThis.__xss === 1);
  const text = (await tab.locator("main").innerText()).replace(/\s+/g, " ");
  const html = await tab.content();
  await context.close();
  return { dialogs, requests, sentinel, text, html };
}

test("hostile comments (body, author, website) run no script and show as their own text", async () => {
  const blog = await startBlog();
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  trapHits = [];
  try {
    const payloads = corpus(trap);
    assert.ok(payloads.length >= 150, `${payloads.length} payloads`);
    const token = await mintToken(1, Math.floor(Date.now() / 1000) - 60);
    const shown = [];
    for (const [i, p] of payloads.entries()) {
      const sent = await postComment(
        blog,
        SLUG,
        { token, author: `#${i} ${p}`.slice(0, 100), email: "phil@example.com", url: `https://example.org/${encodeURIComponent(p).slice(0, 200)}`, body: `#${i} ${p}`, subject: "" },
        `10.9.${i >> 8}.${i & 255}`,
      );
      if (sent.status === 303 && sent.location.includes("#comment-")) shown.push(i);
      else assert.equal(sent.status, 422, `payload ${i} got ${sent.status}`);
    }
    // 100 threads a page: the payloads fill the post page and its second page of comments.
    const first = await visit(`${base}/posts/${SLUG}`);
    const second = await visit(`${base}/posts/${SLUG}/comments/page/2`);
    const page = {
      dialogs: [...first.dialogs, ...second.dialogs],
      requests: [...first.requests, ...second.requests],
      sentinel: first.sentinel || second.sentinel,
      text: first.text + " " + second.text,
    };
    assert.deepEqual(page.dialogs, []);
    assert.equal(page.sentinel, false);
    assert.deepEqual(page.requests.filter((u) => u.startsWith(trap)), []);
    // Defence in depth: the same page with its CSP in force.
    const guarded = await visit(`${base}/posts/${SLUG}`, { csp: true });
    assert.deepEqual(guarded.dialogs, []);
    assert.equal(guarded.sentinel, false);
    assert.deepEqual(trapHits, []);
    assert.ok(shown.length >= 150, `${shown.length} comments shown`);
    for (const i of shown) {
      const text = `#${i} ${payloads[i]}`.replace(/\s+/g, " ").trim();
      const near = page.text.slice(Math.max(0, page.text.indexOf(`#${i} `) - 10), page.text.indexOf(`#${i} `) + text.length + 40);
      assert.ok(page.text.includes(text.replace(/\u0000/g, "\uFFFD")) || page.text.includes(text.replace(/\u0000/g, "")), `payload ${i} shows as text: ${text.slice(0, 120)}\n page has: ${near}`);
    }
  } finally {
    await blog.close();
  }
});

test("hostile input sent back in the form (email, website, parent) runs no script", async () => {
  const blog = await startBlog();
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  trapHits = [];
  try {
    const token = await mintToken(1, Math.floor(Date.now() / 1000) - 60);
    const payloads = corpus(trap).slice(0, 60);
    for (const [i, p] of payloads.entries()) {
      const sent = await postComment(blog, SLUG, { token, author: "A", email: p, url: p, parent: p, body: p, subject: "" }, `10.8.0.${i}`);
      assert.ok([422, 303].includes(sent.status), `${sent.status} for ${p}`);
      // Render the page exactly as the Worker sent it, in the browser, without its CSP.
      const context = await browser.newContext({ bypassCSP: true });
      const tab = await context.newPage();
      let dialog = false;
      tab.on("dialog", (d) => {
        dialog = true;
        d.dismiss().catch(() => {});
      });
      await tab.route(`${base}/form`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: sent.body }));
      await tab.goto(`${base}/form`);
      await tab.waitForTimeout(50);
      assert.equal(dialog, false, p);
      assert.equal(await tab.evaluate(() => globalThis.__xss === 1), false, p);
      if (sent.status === 422) assert.equal(await tab.locator("#body").inputValue(), p.replace(/\r\n/g, "\n"), `text intact: ${p}`);
      await context.close();
    }
    assert.deepEqual(trapHits, []);
  } finally {
    await blog.close();
  }
});

test("the author's title, tags and addenda are escaped where they are text", async () => {
  const blog = await startBlog();
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  trapHits = [];
  try {
    const p = `<img src=x onerror=window.__xss=1>"'`;
    const made = await admin(blog, "POST", "/admin/posts", { title: `Title ${p}`, body: "Safe body.", slug: "hostile", tags: [`Tag ${p}`] });
    assert.equal(made.res.status, 201);
    assert.equal((await admin(blog, "POST", "/admin/posts", { title: "x", body: "x", slug: `"><script>` })).res.status, 422);
    const tagPath = (await (await blog.fetch("/posts/hostile")).text()).match(/href="(\/tags\/[^"]+)" rel="tag"/)[1];
    for (const path of ["/posts/hostile", "/", tagPath, "/search?q=" + encodeURIComponent(p)]) {
      const page = await visit(base + path);
      assert.equal(page.sentinel, false, path);
      assert.deepEqual(page.dialogs, [], path);
    }
    const post = await visit(`${base}/posts/hostile`);
    assert.ok(post.text.includes(`Title ${p}`), "the title shows as text");
    assert.ok(post.text.includes(`Tag ${p}`), "the tag shows as text");
    assert.deepEqual(trapHits, []);
  } finally {
    await blog.close();
  }
});
