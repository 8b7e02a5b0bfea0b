// Webmention, received: a local site plays the sources (an h-entry reply, a page without the
// link, one that drops its link later, one that is gone). The endpoint answers at once (400 for
// what can never be a mention, 202 with a status address otherwise); the check runs from the
// queue and a verified mention goes through moderation, then shows beside the pingbacks.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { admin, startBlog } from "./helpers.mjs";

const POST = "/posts/health-is-social-aint-no-doubt";
const TARGET = `http://127.0.0.1:8787${POST}`;

/** A site whose pages the test sets (path → [status, html, headers]); it records what is POSTed. */
async function site() {
  const pages = new Map();
  const posted = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.method === "POST") {
        posted.push({ path: req.url, type: req.headers["content-type"], form: Object.fromEntries(new URLSearchParams(body)) });
        res.writeHead(202).end();
        return;
      }
      const [status, html, headers = {}] = pages.get(req.url) ?? [404, "not here"];
      res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", ...headers }).end(html);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, pages, posted, close: () => new Promise((r) => server.close(r)) };
}

async function mention(blog, source, target = TARGET) {
  const res = await blog.fetch("/webmention", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ source, target }).toString(),
  });
  return { res, json: await res.json() };
}

/** The mention's status once its check is done. */
async function checked(blog, location) {
  for (let i = 0; i < 100; i++) {
    const json = await (await blog.fetch(location)).json();
    if (!["queued", "checking"].includes(json.status)) return json;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the mention at ${location} was never checked`);
}

test("a Webmention is checked against its source, moderated, shown, and taken away when the source drops the link", async () => {
  const sources = await site();
  const blog = await startBlog();
  try {
    // Advertised on every post: a Link header and a <link>.
    const page = await blog.fetch(POST);
    assert.equal(page.headers.get("link"), '</webmention>; rel="webmention"');
    assert.match(await page.text(), /<link rel="webmention" href="\/webmention">/);

    // What can never be a mention is refused at once, and nothing is kept.
    const refusals = [
      [{ source: `${sources.origin}/reply`, target: "http://127.0.0.1:8787/posts/no-such-post" }, /not one of this blog's posts/],
      [{ source: `${sources.origin}/reply`, target: "https://elsewhere.example/post" }, /not one of this blog's posts/],
      [{ source: "ftp://files.example/x", target: TARGET }, /http\(s\)/],
      [{ source: "http://127.0.0.1:8787/", target: TARGET }, /does not mention itself/],
      [{ source: "", target: TARGET }, /Send both source/],
    ];
    for (const [form, why] of refusals) {
      const { res, json } = await mention(blog, form.source, form.target);
      assert.equal(res.status, 400, JSON.stringify(form));
      assert.match(json.error, why);
    }
    assert.equal((await blog.db.prepare("SELECT COUNT(*) AS n FROM webmentions").first()).n, 0);

    // A reply with an h-entry: verified, held (a first-time site), approved, shown as a mention.
    sources.pages.set("/reply", [200, `<!doctype html><article class="h-entry">
      <p class="p-author h-card"><a class="p-name u-url" href="${sources.origin}/">Dana Source</a></p>
      <p>Re: <a class="u-in-reply-to" href="${TARGET}">Health is social</a></p>
      <div class="e-content"><p>A fine post <script>alert(1)</script>about <b>care</b>.</p></div></article>`]);
    const sent = await mention(blog, `${sources.origin}/reply`);
    assert.equal(sent.res.status, 202);
    const location = sent.res.headers.get("location");
    assert.match(location, /^\/webmention\/\d+$/);
    const status = await checked(blog, location);
    assert.equal(status.status, "verified", JSON.stringify(status));
    const row = await blog.db.prepare("SELECT id, status, kind, author_name, author_url, body FROM comments WHERE kind = 'webmention'").first();
    assert.equal(row.status, "pending");
    assert.equal(row.author_name, "Dana Source");
    assert.equal(row.author_url, `${sources.origin}/reply`);
    assert.equal(row.body, "A fine post about care.");
    assert.doesNotMatch(await (await blog.fetch(POST)).text(), /Dana Source/, "held until approved");
    await admin(blog, "PATCH", `/admin/comments/${row.id}`, { status: "approved" });
    let html = await (await blog.fetch(POST)).text();
    assert.match(html, new RegExp(`Mentioned in <a href="${sources.origin}/reply" rel="nofollow ugc">Dana Source</a>`));
    assert.ok(!html.includes("<script>alert(1)"));

    // A page that does not link to the post never shows.
    sources.pages.set("/nolink", [200, `<div class="h-entry"><p class="e-content">Nothing to see</p></div>`]);
    const nolink = await checked(blog, (await mention(blog, `${sources.origin}/nolink`)).res.headers.get("location"));
    assert.equal(nolink.status, "refused");
    assert.match(nolink.note, /does not link/);
    assert.doesNotMatch(await (await blog.fetch(POST)).text(), /Nothing to see/);

    // The source drops the link and says so again: the mention goes. Then it is gone (410).
    sources.pages.set("/reply", [200, `<p>I took the link out.</p>`]);
    const dropped = await checked(blog, (await mention(blog, `${sources.origin}/reply`)).res.headers.get("location"));
    assert.equal(dropped.status, "removed");
    html = await (await blog.fetch(POST)).text();
    assert.doesNotMatch(html, /Dana Source/);
    assert.equal((await blog.db.prepare("SELECT COUNT(*) AS n FROM comments WHERE kind = 'webmention'").first()).n, 0);
    sources.pages.set("/gone", [410, "gone"]);
    const gone = await checked(blog, (await mention(blog, `${sources.origin}/gone`)).res.headers.get("location"));
    assert.equal(gone.status, "refused");
    assert.match(gone.note, /410/);
  } finally {
    await blog.close();
    await sources.close();
  }
});

test("publishing a post sends a Webmention to each linked page that names an endpoint, in its header or its HTML", async () => {
  const elsewhere = await site();
  const blog = await startBlog();
  try {
    const o = elsewhere.origin;
    elsewhere.pages.set("/by-header", [200, "<p>A page</p>", { Link: '</endpoint/a?x=1>; rel="webmention"' }]);
    elsewhere.pages.set("/by-html", [200, '<!-- <link rel="webmention" href="/wrong"> --><a rel="nofollow webmention" href="endpoint/b">e</a>']);
    elsewhere.pages.set("/none", [200, "<p>No endpoint here</p>"]);
    const made = await admin(blog, "POST", "/admin/posts", {
      slug: "linking-out",
      title: "Linking out",
      body: `See [one](${o}/by-header), [two](${o}/by-html#part), [three](${o}/none) and [home](/).`,
      status: "published",
    });
    assert.equal(made.res.status, 201, JSON.stringify(made.json));
    for (let i = 0; i < 100 && elsewhere.posted.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    const source = "http://127.0.0.1:8787/posts/linking-out";
    assert.deepEqual(
      elsewhere.posted.map((p) => [p.path, p.form.source, p.form.target]).sort(),
      [
        ["/endpoint/a?x=1", source, `${o}/by-header`],
        ["/endpoint/b", source, `${o}/by-html`],
      ],
    );
    assert.equal(elsewhere.posted[0].type, "application/x-www-form-urlencoded");
    for (let i = 0; i < 50; i++) {
      const left = await blog.db.prepare("SELECT COUNT(*) AS n FROM webmention_sends WHERE status IN ('queued', 'sending')").first();
      if (left.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rows = await blog.db.prepare("SELECT target, status FROM webmention_sends ORDER BY target").all();
    assert.deepEqual(rows.results.map((r) => [r.target.replace(o, ""), r.status]), [
      ["/by-header", "sent"],
      ["/by-html", "sent"],
      ["/none", "no-endpoint"],
    ]);
  } finally {
    await blog.close();
    await elsewhere.close();
  }
});
