// Pages: About, Contact and their children at their own addresses, in the site menu in the
// author's order, outside the listings and feeds, in the sitemap; comments on pages; and what
// the admin API refuses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, page, inOrder, mintToken, CACHED } from "./helpers.mjs";

const PAGE = { type: "page", body: "Who we are.\n\nMore words about us." };

async function create(blog, fields) {
  const made = await admin(blog, "POST", "/admin/posts", { ...PAGE, ...fields });
  assert.equal(made.res.status, 201, JSON.stringify(made.json));
  return made.json;
}

function menu(html) {
  const nav = html.match(/<nav class="site-menu[^>]*>([\s\S]*?)<\/nav>/)?.[1] ?? "";
  return [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]*)<\/a>/g)].map((m) => `${m[2]} ${m[1]}`);
}

test("pages live at their own addresses, nested, in the menu in the author's order, outside listings and feeds", async () => {
  const blog = await startBlog();
  try {
    // The home page cached before any page exists: creating one must drop it (the menu changed).
    await page(blog, "/");
    assert.match((await page(blog, "/")).cache, CACHED);
    assert.deepEqual(menu((await page(blog, "/")).body), [], "no pages, no menu");

    const about = await create(blog, { title: "About us", slug: "about", menu_order: 2 });
    assert.equal(about.type, "page");
    assert.equal(about.url, "http://127.0.0.1:8787/about/");
    assert.equal(about.comments_open, false, "pages are closed to comments unless opened");
    await create(blog, { title: "Contact", menu_order: 1 });
    const team = await create(blog, { title: "The team", slug: "team", parent: "about" });
    assert.equal(team.url, "http://127.0.0.1:8787/about/team/");
    assert.equal(team.parent, "about");
    await create(blog, { title: "Alice", slug: "alice", parent: "team" });
    await create(blog, { title: "Imprint", slug: "imprint", in_menu: false });
    await create(blog, { title: "Coming soon", slug: "soon", status: "draft" });

    const home = await page(blog, "/");
    assert.equal(home.cache, "miss", "creating a page dropped the cached home page");
    assert.deepEqual(menu(home.body), ["Contact /contact/", "About us /about/"], "top-level, visible, in menu_order");
    assert.ok(!home.body.includes("Who we are"), "pages are not in the home listing");

    const aboutPage = await page(blog, "/about/");
    assert.equal(aboutPage.status, 200);
    assert.match(aboutPage.body, /<h1>About us<\/h1>/);
    assert.ok(!aboutPage.body.includes("Posted on"), "a page has no date line");
    assert.match(aboutPage.body, /<a href="\/about\/" aria-current="page">About us<\/a>/);
    assert.match(aboutPage.body, /<link rel="canonical" href="http:\/\/127.0.0.1:8787\/about\/">/);
    assert.match(aboutPage.body, /"@type":"WebPage"/);
    assert.ok(!aboutPage.body.includes('id="comments"'), "no comment section on a closed page without comments");
    inOrder(assert, aboutPage.body, ["In this section", '<a href="/about/team/">The team</a>']);
    assert.equal((await page(blog, "/about")).status, 200, "without the final slash too");

    const alice = await page(blog, "/about/team/alice/");
    assert.equal(alice.status, 200);
    inOrder(assert, alice.body, ['class="breadcrumbs"', '<a href="/about/">About us</a>', '<a href="/about/team/">The team</a>', "<h1>Alice</h1>"]);
    assert.equal((await page(blog, "/team/")).status, 404, "a child page lives under its parent only");
    assert.equal((await page(blog, "/about/alice/")).status, 404);
    assert.equal((await page(blog, "/soon/")).status, 404, "a draft page is not served");
    assert.equal((await page(blog, "/imprint/")).status, 200, "out of the menu, still served");
    assert.equal((await blog.fetch("/about/", { method: "POST" })).status, 405);
    assert.equal((await blog.fetch("/nowhere/", { method: "POST" })).status, 404);

    const feed = await page(blog, "/feed.atom");
    assert.ok(!feed.body.includes("About us"), "pages are not in the feeds");
    const sitemap = await page(blog, "/sitemap.xml");
    for (const path of ["/about/", "/about/team/", "/about/team/alice/", "/contact/", "/imprint/"]) {
      assert.ok(sitemap.body.includes(`<loc>http://127.0.0.1:8787${path}</loc>`), path);
    }
    assert.ok(!sitemap.body.includes("/soon/"));
    const search = await page(blog, "/search?q=who+we+are");
    assert.match(search.body, /<a href="\/about\/">About us<\/a>/, "search finds pages");

    // Reordering and renaming: the menu follows, and the children move with their parent.
    await page(blog, "/about/team/alice/");
    const moved = await admin(blog, "PATCH", "/admin/posts/about", { slug: "who", menu_order: 0 });
    assert.equal(moved.res.status, 200, JSON.stringify(moved.json));
    assert.equal(moved.json.url, "http://127.0.0.1:8787/who/");
    assert.deepEqual(menu((await page(blog, "/")).body), ["About us /who/", "Contact /contact/"]);
    assert.equal((await page(blog, "/who/team/alice/")).status, 200);
    const away = await blog.fetch("/about/team/alice/");
    assert.equal(away.status, 301, "the old address was dropped from the caches and leads to the new one");
    assert.equal(away.headers.get("location"), "/who/team/alice/");
    assert.equal((await blog.fetch("/about/")).headers.get("location"), "/who/");
    const reparented = await admin(blog, "PATCH", "/admin/posts/team", { parent: null, in_menu: false });
    assert.equal(reparented.json.url, "http://127.0.0.1:8787/team/");
    assert.equal((await page(blog, "/team/alice/")).status, 200);
    assert.deepEqual(menu((await page(blog, "/")).body), ["About us /who/", "Contact /contact/"]);

    const list = await admin(blog, "GET", "/admin/posts");
    const alicePost = list.json.posts.find((p) => p.slug === "alice");
    assert.equal(alicePost.url, "http://127.0.0.1:8787/team/alice/");

    // Deleting: a page with children is refused until they go.
    const refused = await admin(blog, "DELETE", "/admin/posts/team");
    assert.equal(refused.res.status, 409);
    assert.match(refused.json.error, /child pages/);
    assert.equal((await admin(blog, "DELETE", "/admin/posts/alice")).res.status, 204);
    assert.equal((await admin(blog, "DELETE", "/admin/posts/team")).res.status, 204);
    assert.equal((await page(blog, "/team/")).status, 404);
  } finally {
    await blog.close();
  }
});

test("what the admin API refuses for pages, with the field named", async () => {
  const blog = await startBlog();
  try {
    await create(blog, { title: "About", slug: "about" });
    const refusal = async (method, path, body, field) => {
      const answer = await admin(blog, method, path, body);
      assert.equal(answer.res.status, 422, `${JSON.stringify(body)}: ${JSON.stringify(answer.json)}`);
      assert.ok(answer.json.fields?.[field], `${JSON.stringify(body)} names ${field}: ${JSON.stringify(answer.json)}`);
    };
    for (const slug of ["search", "posts", "tags", "feed", "admin"]) {
      await refusal("POST", "/admin/posts", { ...PAGE, title: "X", slug }, "slug");
    }
    await refusal("POST", "/admin/posts", { ...PAGE, title: "X", slug: "comments", parent: "about" }, "slug");
    await refusal("POST", "/admin/posts", { ...PAGE, title: "X", parent: "health-is-social-aint-no-doubt" }, "parent");
    await refusal("POST", "/admin/posts", { ...PAGE, title: "X", parent: "nobody" }, "parent");
    await refusal("POST", "/admin/posts", { ...PAGE, title: "X", tags: ["a"] }, "tags");
    await refusal("POST", "/admin/posts", { ...PAGE, title: "X", type: "note" }, "type");
    await refusal("POST", "/admin/posts", { ...PAGE, title: "X", menu_order: 1.5 }, "menu_order");
    await refusal("POST", "/admin/posts", { title: "A post", body: "b", parent: "about" }, "parent");
    await refusal("PATCH", "/admin/posts/about", { type: "post" }, "type");
    await refusal("PATCH", "/admin/posts/health-is-social-aint-no-doubt", { menu_order: 3 }, "menu_order");
    await create(blog, { title: "Child", slug: "child", parent: "about" });
    await refusal("PATCH", "/admin/posts/about", { parent: "child" }, "parent");
    await refusal("PATCH", "/admin/posts/about", { parent: "about" }, "parent");
    // Nesting is bounded: eight levels, counting the children that move along.
    let parent = "child";
    for (let level = 3; level <= 8; level++) {
      await create(blog, { title: `Level ${level}`, slug: `level-${level}`, parent });
      parent = `level-${level}`;
    }
    await refusal("POST", "/admin/posts", { ...PAGE, title: "Too deep", parent: "level-8" }, "parent");
    await create(blog, { title: "Other", slug: "other" });
    await refusal("PATCH", "/admin/posts/about", { parent: "other" }, "parent");
    // A title that makes a reserved slug gets the next free one.
    const search = await create(blog, { title: "Search" });
    assert.equal(search.slug, "search-2");
  } finally {
    await blog.close();
  }
});

test("comments on a page: the form posts under the page's address and lands back on it", async () => {
  const blog = await startBlog({ settings: { comment_min_seconds: "0" } });
  try {
    const made = await create(blog, { title: "Guestbook", slug: "guestbook", comments_open: true });
    const reply = await admin(blog, "POST", "/admin/posts/guestbook/comments", { body: "Sign below, please." });
    assert.equal(reply.res.status, 201, JSON.stringify(reply.json));
    const shown = await page(blog, "/guestbook/");
    assert.match(shown.body, /Sign below, please\./);
    assert.match(shown.body, /<form class="comment-form" method="post" action="\/guestbook\/comments">/);
    const replyLink = shown.body.match(/href="(\/guestbook\/reply\/\d+)#respond"/)?.[1];
    assert.ok(replyLink, "reply links hang from the page's address");
    assert.equal((await page(blog, replyLink)).status, 200);
    assert.match((await page(blog, "/guestbook/comments.atom")).body, /Sign below, please\./);

    const token = await mintToken(made.id, Math.floor(Date.now() / 1000) - 30);
    const sent = await blog.fetch("/guestbook/comments", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "203.0.113.9" },
      body: new URLSearchParams({ token, author: "Ada", email: "ada@example.org", body: "Hello from a reader." }).toString(),
      redirect: "manual",
    });
    assert.equal(sent.status, 303, await sent.text());
    const held = sent.headers.get("location");
    assert.match(held, /^\/guestbook\/held\/\d+\/[0-9a-f]+$/, "a first-time commenter is held, on the page's address");
    const heldPage = await page(blog, held);
    assert.match(heldPage.body, /Hello from a reader\./);
    assert.match(heldPage.body, /<a href="\/guestbook\/">Guestbook<\/a>/);
  } finally {
    await blog.close();
  }
});
