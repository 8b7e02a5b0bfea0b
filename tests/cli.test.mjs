// blogctl, the author's command-line tool, against the built Worker running in workerd.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBlog, page, admin, makePng, inOrder, mintToken, postComment, sentMail, ROOT, ADMIN_TOKEN } from "./helpers.mjs";

const BLOGCTL = path.join(ROOT, "target", "debug", "blogctl");

/** Runs blogctl against the blog; resolves { code, stdout, stderr }. */
function blogctl(url, args, token = ADMIN_TOKEN) {
  return new Promise((resolve) => {
    execFile(BLOGCTL, args, { env: { ...process.env, BLOG_URL: url, BLOG_ADMIN_TOKEN: token } }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

function tempFile(name, text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blogctl-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function withBlog(fn, options = {}) {
  const blog = await startBlog(options);
  const url = String(await blog.mf.ready).replace(/\/$/, "");
  try {
    await fn(blog, url);
  } finally {
    await blog.close();
  }
}

test("publish creates then updates a post from a Markdown file with front matter", () =>
  withBlog(async (blog, url) => {
    const file = tempFile("post.md", "---\ntitle: Cold brew, warmly\ndate: 2012-02-01 09:30\ntags: [coffee, summer]\n---\nSteep it for *16 hours*.\n");
    const first = await blogctl(url, ["publish", file]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^published: .*\/posts\/cold-brew-warmly$/m);
    let shown = await page(blog, "/posts/cold-brew-warmly");
    assert.match(shown.body, /Steep it for <em>16 hours<\/em>/);
    assert.match(shown.body, /February 1, 2012/);

    fs.writeFileSync(file, "---\ntitle: Cold brew, warmly\ntags: [coffee]\n---\nSteep it for 12 hours.\n");
    const second = await blogctl(url, ["publish", file]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^updated: /m);
    shown = await page(blog, "/posts/cold-brew-warmly");
    assert.match(shown.body, /Steep it for 12 hours/);
    const record = await admin(blog, "GET", "/admin/posts/cold-brew-warmly");
    assert.deepEqual(record.json.tags, ["coffee"]);

    const draft = tempFile("draft.md", "---\ntitle: Not yet\ndraft: true\n---\nwip\n");
    const saved = await blogctl(url, ["publish", draft]);
    assert.match(saved.stdout, /^saved as a draft: /m);
    assert.equal((await page(blog, "/posts/not-yet")).status, 404);
  }));

test("publish makes pages from front matter: type, parent and menu order", () =>
  withBlog(async (blog, url) => {
    const about = tempFile("about.md", "---\ntitle: About\ntype: page\nmenu_order: 2\n---\nWho writes here.\n");
    const contact = tempFile("contact.md", "---\ntitle: Contact\ntype: page\nmenu_order: 1\n---\nWrite to me.\n");
    const team = tempFile("team.md", "---\ntitle: The team\nslug: team\ntype: page\nparent: about\n---\nTwo of us.\n");
    for (const file of [about, contact, team]) {
      const done = await blogctl(url, ["publish", file]);
      assert.equal(done.code, 0, done.stderr);
    }
    assert.match((await blogctl(url, ["publish", team])).stdout, /^updated: .*\/about\/team\/$/m);
    const shown = await page(blog, "/about/team/");
    assert.equal(shown.status, 200);
    inOrder(assert, shown.body, ['<a href="/contact/">Contact</a>', '<a href="/about/">About</a>', '<a href="/about/">About</a></li></ol>', "<h1>The team</h1>"]);
    const orphan = tempFile("orphan.md", "---\ntitle: Orphan\nparent: about\n---\nx\n");
    const refused = await blogctl(url, ["publish", orphan]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /orphan\.md: parent, menu_order and menu are for pages; add `type: page`/);
  }));

test("errors name the file, the line and what to do", () =>
  withBlog(async (blog, url) => {
    const bad = tempFile("bad.md", "---\ntitle: Fine\ncolour: red\n---\nBody\n");
    const result = await blogctl(url, ["publish", bad]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /bad\.md: line 3: unknown key "colour"; the keys are title, slug, date, updated, tags, draft, image, newsletter, comments, type, parent, menu_order and menu/);
    const untitled = tempFile("untitled.md", "Just a body\n");
    assert.match((await blogctl(url, ["publish", untitled])).stderr, /untitled\.md: the front matter has no title/);
    const wrong = await blogctl(url, ["comments"], "not-the-token");
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /token was refused; check BLOG_ADMIN_TOKEN/);
    const missing = await blogctl(url, ["addendum", "no-such-post", untitled]);
    assert.match(missing.stderr, /no post with the slug "no-such-post"/);
  }));

test("addendum appends to a post, and comments are listed and moderated", () =>
  withBlog(async (blog, url) => {
    const slug = "health-is-social-aint-no-doubt";
    const note = tempFile("note.md", "---\ndate: 2011-03-19T08:00:00Z\n---\nOne more *thing*.\n");
    const added = await blogctl(url, ["addendum", slug, note]);
    assert.equal(added.code, 0, added.stderr + added.stdout);
    const shown = await page(blog, `/posts/${slug}`);
    assert.match(shown.body, /08:00 19\/03\/2011/);
    assert.match(shown.body, /One more <em>thing<\/em>/);

    await blog.db
      .prepare("INSERT INTO comments (id, post_id, author_name, author_email, body, status, created_at, spam_reasons) VALUES (70, 1, 'Reader', 'r@example.com', 'Held for a look', 'pending', 1400000000, '[\"first comment from this address\"]')")
      .run();
    const listed = await blogctl(url, ["comments"]);
    assert.match(listed.stdout, /#70 on health-is-social-aint-no-doubt by Reader <r@example.com>/);
    assert.match(listed.stdout, /reasons: "first comment from this address"/);
    assert.match(listed.stdout, /\| Held for a look/);
    assert.equal((await blogctl(url, ["approve", "70"])).code, 0);
    assert.match((await page(blog, `/posts/${slug}`)).body, /Held for a look/);
    assert.equal((await blogctl(url, ["spam", "70"])).code, 0);
    assert.doesNotMatch((await page(blog, `/posts/${slug}`)).body, /Held for a look/);
    assert.equal((await blogctl(url, ["delete", "70"])).code, 0);
    const again = await blogctl(url, ["delete", "70"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no comment 70/);
  }));

test("a WordPress export imports with its threads, once, however often it runs", () =>
  withBlog(async (blog, url) => {
    const wxr = path.join(ROOT, "tests", "fixtures", "wordpress-export.xml");
    // Its one attachment is on a host that does not exist; an empty uploads copy keeps the test
    // off the network.
    const uploads = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-"));
    const counts = () =>
      blog.db.prepare("SELECT (SELECT COUNT(*) FROM posts) AS posts, (SELECT COUNT(*) FROM comments) AS comments, (SELECT COUNT(*) FROM redirects) AS redirects, (SELECT COUNT(*) FROM media) AS media").first();
    const before = await counts();
    const dry = await blogctl(url, ["import-wxr", "--dry-run", "--uploads", uploads, wxr]);
    assert.equal(dry.code, 0, dry.stderr + dry.stdout);
    assert.match(dry.stdout, /^Dry run: nothing is written/m);
    assert.match(dry.stdout, /Imported 3 posts \(0 already there\), 1 pages \(0 already there\) and 4 comments \(0 already there\); skipped 3; failed 0\./);
    assert.match(dry.stdout, /^Redirects: \d+ old addresses/m);
    assert.match(dry.stdout, /^Media: 0 files stored in the media library, 1 failed;/m);
    assert.match(dry.stderr, /would be imported as \/posts\/creme-brulee-crema/);
    assert.deepEqual(await counts(), before, "a dry run writes nothing");
    const run = await blogctl(url, ["import-wxr", "--uploads", uploads, wxr]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Imported 3 posts \(0 already there\), 1 pages \(0 already there\) and 4 comments \(0 already there\); skipped 3; failed 0\./);
    assert.match(run.stderr, /"About" \(line \d+\): imported as \/about\/ \(published\)/);
    assert.match(run.stdout, /skipped: comment 24 on creme-brulee-crema: spam/);
    assert.match(run.stdout, /media failed: https:\/\/cafenotes\.example\.org\/wp-content\/uploads\/espresso-machine\.jpg/);
    assert.match(run.stderr, /\[1\/5\] "Crème brûlée & the perfect crema" \(line \d+\): imported as \/posts\/creme-brulee-crema/);

    // The post, page by page.
    const post = await page(blog, "/posts/creme-brulee-crema");
    assert.equal(post.status, 200);
    assert.match(post.body, /<h1>Crème brûlée &(amp|#38); the perfect crema<\/h1>/);
    assert.match(post.body, /December 5, 2011/);
    assert.match(post.body, /<li>36 g out<\/li>/, "HTML content is kept as it is");
    assert.match(post.body, /3 responses to/);
    const [c21, c22, c23] = ["Which grinder?", "A flat-burr one.", "Finer worked."].map((t) => post.body.indexOf(t));
    assert.ok(c21 > 0 && c22 > c21 && c23 > c22);
    const nested = post.body.slice(c21, c23);
    assert.equal((nested.match(/<ol class="children">/g) || []).length, 2, "21 > 22 > 23 nest two levels deep");
    assert.match(post.body, /<a href="https:\/\/kaffee.example.de\/" rel="nofollow ugc">Jürgen Weiß<\/a>/);
    assert.match(post.body, /my notes \(<a href="https:\/\/kaffee.example.de\/shots" rel="nofollow ugc noopener">/);
    assert.match(post.body.slice(c22 - 900, c22), /by-post-author/);
    assert.match(post.body, /<p>Finer worked. Danke!<\/p>\n<p>Second paragraph, as WordPress stores it.<\/p>/);
    assert.doesNotMatch(post.body, /Buy now|Deleted by the author|Olá/);

    const japan = await page(blog, "/posts/post-12");
    assert.equal(japan.status, 200);
    assert.match(japan.body, /日本のコーヒー文化/);
    assert.equal((await page(blog, "/posts/about")).status, 404, "a page is not a post");
    assert.equal((await page(blog, "/about/")).status, 200);
    const home = await page(blog, "/");
    assert.doesNotMatch(home.body, /Half-written|An old rant/);

    const posts = (await admin(blog, "GET", "/admin/posts")).json.posts;
    const draft = posts.find((p) => p.title === "Half-written thoughts on milk");
    assert.equal(draft.status, "draft");
    const imported = posts.find((p) => p.slug === "creme-brulee-crema");
    assert.deepEqual(imported.tags, ["Coffee", "Crema", "Espresso"], "categories and tags, alphabetical");
    assert.deepEqual(imported.comments, { approved: 3, pending: 1, spam: 0 });

    const rerun = await blogctl(url, ["import-wxr", "--uploads", uploads, wxr]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, /Imported 0 posts \(3 already there\), 0 pages \(1 already there\) and 0 comments \(4 already there\)/);
    const dryAgain = await blogctl(url, ["import-wxr", "--dry-run", wxr]);
    assert.match(dryAgain.stdout, /Imported 0 posts \(3 already there\)/, "a dry run knows what is there");
    const count = await blog.db.prepare("SELECT (SELECT COUNT(*) FROM posts) AS posts, (SELECT COUNT(*) FROM comments) AS comments").first();
    assert.deepEqual(count, { posts: 5, comments: 7 }, "3 posts and a page (the demo post was there), nothing twice");

    const broken = tempFile("broken.xml", "<rss>\n<channel>\n<item><title>x</channel>\n");
    const failed = await blogctl(url, ["import-wxr", broken]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /broken\.xml: line 3: not well-formed XML/);
  }));

test("render stores the HTML of rows written with plain SQL", () =>
  withBlog(
    async (blog, url) => {
      const stale = () =>
        blog.db.prepare("SELECT (SELECT COUNT(*) FROM posts WHERE rendered_by = 0) + (SELECT COUNT(*) FROM comments WHERE rendered_by = 0) AS n").first();
      assert.ok((await stale()).n > 0);
      const result = await blogctl(url, ["render"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Rendered [1-9]\d* stale posts, addenda and comments\.$/m);
      assert.equal((await stale()).n, 0);
      const again = await blogctl(url, ["render"]);
      assert.match(again.stdout, /^Rendered 0 stale/m);
    },
    { raw: true },
  ));

test("publish uploads the images and files a post points at, and media ls/rm manage the library", () =>
  withBlog(async (blog, url) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blogctl-folder-"));
    fs.mkdirSync(path.join(dir, "img"));
    fs.writeFileSync(path.join(dir, "img", "garden.png"), makePng(400, 300, 3));
    fs.writeFileSync(path.join(dir, "img", "shed.png"), makePng(200, 100, 4));
    fs.writeFileSync(path.join(dir, "notes.pdf"), "%PDF-1.4\n% a tiny PDF\n%%EOF\n");
    const post = path.join(dir, "post.md");
    fs.writeFileSync(
      post,
      "---\ntitle: The garden in May\n---\nThe beds are in.\n\n![The vegetable beds in May](img/garden.png)\n\n![](img/shed.png)\n\nThe [planting notes](notes.pdf) and [elsewhere](https://example.com/x.png).\n",
    );
    const published = await blogctl(url, ["publish", post]);
    assert.equal(published.code, 0, published.stderr);
    assert.match(published.stderr, new RegExp(`warning: ${post.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:8: the image img/shed.png has no alt text`));
    assert.match(published.stdout, /uploaded: img\/garden.png → \/media\/[0-9a-f]{64}\/garden\.png/);
    const shown = (await page(blog, "/posts/the-garden-in-may")).body;
    assert.match(shown, /<img src="\/media\/[0-9a-f]{64}\/garden\.png" alt="The vegetable beds in May" width="400" height="300" srcset="\/media\/[0-9a-f]{64}\/w320\/garden\.png 320w, \/media\/[0-9a-f]{64}\/garden\.png 400w" sizes="[^"]+" \/>/);
    assert.match(shown, /<img src="\/media\/[0-9a-f]{64}\/shed\.png" alt="" width="200" height="100" loading="lazy" decoding="async" \/>/);
    assert.match(shown, /<a href="\/media\/[0-9a-f]{64}\/notes\.pdf">planting notes<\/a>/);
    assert.match(shown, /href="https:\/\/example.com\/x.png"/);
    const record = await admin(blog, "GET", "/admin/posts/the-garden-in-may");
    assert.doesNotMatch(record.json.body, /img\/garden\.png/, "the stored Markdown points at the media addresses");

    const again = await blogctl(url, ["publish", post]);
    assert.equal(again.code, 0, again.stderr);
    const ls = await blogctl(url, ["media", "ls"]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^3 files$/m, "publishing twice stores each file once");

    const up = await blogctl(url, ["media", "upload", path.join(dir, "img", "garden.png")]);
    assert.match(up.stdout, /\[1\/1\] .*garden\.png → \/media\/[0-9a-f]{64}\/garden\.png \(image\/png, \d+ bytes, 400×300\) \(already there\)/);
    const id = ls.stdout.match(/^\s*(\d+)\s.*notes\.pdf$/m)[1];
    const refused = await blogctl(url, ["media", "rm", id]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTP 409: .*the-garden-in-may/);
    const removed = await blogctl(url, ["media", "rm", id, "--force"]);
    assert.equal(removed.code, 0, removed.stderr);
    const missing = await blogctl(url, ["media", "upload", path.join(dir, "nothing.png")]);
    assert.equal(missing.code, 1);
    const bogus = tempFile("fake.jpg", "<html><script>alert(1)</script></html>");
    const spoofed = await blogctl(url, ["media", "upload", bogus]);
    assert.equal(spoofed.code, 1);
    assert.match(spoofed.stderr, /HTTP 415/);
  }, { demo: false }));

test("import-wxr keeps password-protected, private and pending posts as drafts and lists them", () =>
  withBlog(async (blog, url) => {
    const item = (title, slug, status, password = "") => `
  <item><title>${title}</title><wp:post_id>${slug.length}</wp:post_id><wp:post_name>${slug}</wp:post_name>
    <content:encoded><![CDATA[Secret words of ${title}.]]></content:encoded>
    <wp:post_date_gmt>2012-01-04 09:00:00</wp:post_date_gmt>
    <wp:status>${status}</wp:status><wp:post_type>post</wp:post_type>
    <wp:post_password>${password}</wp:post_password></item>`;
    const wxrText = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>${item("Protected", "protected", "publish", "enter")}${item("Private thoughts", "private-thoughts", "private")}${item("Awaiting review", "awaiting-review", "pending")}${item("Open", "open-post", "publish")}
</channel></rss>`;
    const file = tempFile("export.xml", wxrText);
    for (let run = 1; run <= 2; run++) {
      const result = await blogctl(url, ["import-wxr", file]);
      assert.equal(result.code, 0, result.stderr + result.stdout);
      assert.match(result.stdout, /Kept as drafts \(3\), because WordPress did not show them to everyone:/);
      assert.match(result.stdout, /draft: "Protected" \(password-protected\)/);
      assert.match(result.stdout, /draft: "Private thoughts" \(private\)/);
      assert.match(result.stdout, /draft: "Awaiting review" \(pending review\)/);
      for (const slug of ["protected", "private-thoughts", "awaiting-review"]) {
        assert.equal((await page(blog, `/posts/${slug}`)).status, 404, slug);
        assert.equal((await admin(blog, "GET", `/admin/posts/${slug}`)).json.status, "draft", slug);
      }
      assert.equal((await page(blog, "/posts/open-post")).status, 200);
      const everywhere = ["/", "/feed.atom", "/feed.rss", "/sitemap.xml", "/search?q=secret"].map((p) => page(blog, p));
      for (const shown of await Promise.all(everywhere)) assert.doesNotMatch(shown.body, /Secret words of (Protected|Private|Awaiting)/);
    }
  }, { demo: false }));

test("import-wxr stores attachments from the old host (or a copy of uploads) and rewrites every reference", () =>
  withBlog(async (blog, url) => {
    // A stand-in for the old site's host: one file it still has, one it lost.
    const photo = makePng(640, 400, 3);
    const http = await import("node:http");
    const server = http.createServer((req, res) => {
      if (req.url === "/wp-content/uploads/2013/03/photo.png") {
        res.writeHead(200, { "Content-Type": "image/png" });
        res.end(photo);
      } else {
        res.writeHead(404);
        res.end("gone");
      }
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const host = `http://127.0.0.1:${server.address().port}`;
    try {
      const attachment = (id, name) => `
  <item><title>${name}</title><link>${host}/2013/03/10/gallery-post/${name}/</link><wp:post_id>${id}</wp:post_id>
    <wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status><wp:post_parent>10</wp:post_parent>
    <wp:attachment_url>${host}/wp-content/uploads/2013/03/${name}.png</wp:attachment_url>
    <wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[A ${name}]]></wp:meta_value></wp:postmeta></item>`;
      const wxrText = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>${attachment(11, "photo")}${attachment(12, "missing")}
  <item><title>Gallery post</title><link>${host}/2013/03/10/gallery-post/</link><wp:post_id>10</wp:post_id><wp:post_name>gallery-post</wp:post_name>
    <content:encoded><![CDATA[<a href="${host}/wp-content/uploads/2013/03/photo.png"><img src="${host.replace("http:", "https:")}/wp-content/uploads/2013/03/photo-300x188.png" alt="A photo"></a>

[gallery columns="2"]]]></content:encoded>
    <wp:post_date_gmt>2013-03-10 09:00:00</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>`;
      const file = tempFile("export.xml", wxrText);
      const result = await blogctl(url, ["import-wxr", file]);
      assert.equal(result.code, 0, "a lost file is reported, not fatal: " + result.stderr + result.stdout);
      assert.match(result.stdout, /^Media: 1 files stored in the media library, 1 failed; 2 references rewritten\.$/m);
      assert.match(result.stdout, /media failed: .*missing\.png: .*404/);
      const media = await admin(blog, "GET", "/admin/media");
      assert.equal(media.json.total, 1);
      const stored = media.json.media[0];
      assert.equal(stored.alt, "A photo");
      const address = new URL(stored.url, "http://x").pathname;
      const post = (await page(blog, "/posts/gallery-post")).body;
      assert.ok(!post.includes(host.replace("http://", "//")), "no reference to the old host is left");
      assert.match(post, new RegExp(`<a href="${address}"><img src="${address}"`), "the resized copy points at the original");
      assert.match(post, new RegExp(`<ul class="gallery columns-2"><li><a href="${address}"><img src="${address}" alt="A photo"[^>]*></a></li></ul>`), "[gallery] shows the stored attachment");
      assert.doesNotMatch(post, /\[gallery/);
      const file2 = await blog.fetch(address);
      assert.equal(file2.status, 200);
      assert.deepEqual(Buffer.from(await file2.arrayBuffer()), photo);
      for (const old of ["/2013/03/10/gallery-post/photo/", "/?attachment_id=11", "/wp-content/uploads/2013/03/photo.png"]) {
        const res = await blog.fetch(old);
        assert.equal(res.status, 301, old);
        assert.equal(res.headers.get("location"), address, old);
      }

      // The old site is gone: a copy of its uploads folder does instead.
      server.close();
      const uploads = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-"));
      fs.mkdirSync(path.join(uploads, "2013", "03"), { recursive: true });
      fs.writeFileSync(path.join(uploads, "2013", "03", "photo.png"), photo);
      fs.writeFileSync(path.join(uploads, "2013", "03", "missing.png"), makePng(32, 32, 9));
      const again = await blogctl(url, ["import-wxr", "--uploads", uploads, file]);
      assert.equal(again.code, 0, again.stderr + again.stdout);
      assert.match(again.stdout, /^Media: 2 files stored in the media library, 0 failed;/m);
      assert.equal((await admin(blog, "GET", "/admin/media")).json.total, 2, "the same photo is stored once");
    } finally {
      server.close();
    }
  }, { demo: false }));

test("import-disqus puts Disqus threads on the posts their old addresses lead to, once", () =>
  withBlog(async (blog, url) => {
    const SLUG = "health-is-social-aint-no-doubt";
    const file = path.join(ROOT, "tests", "fixtures", "disqus-export.xml");
    await admin(blog, "POST", "/admin/redirects", { from: "/2011/03/18/health-is-social/", to: `/posts/${SLUG}` });
    const first = await blogctl(url, ["import-disqus", file]);
    assert.equal(first.code, 1, "a thread with no post is not silently dropped");
    assert.match(first.stdout, /^Imported 3 comments \(0 already there\) on 1 posts; skipped 2; threads without a post 1; failed 0\.$/m);
    assert.match(first.stdout, /no post: "About me" \(http:\/\/healthtechie\.example\/about-me\/\): 1 comments; .*blogctl redirect add/);
    assert.match(first.stdout, /1 comments name a thread the export does not have/);
    assert.match(first.stdout, /skipped: comment disqus-9003 on health-is-social-aint-no-doubt: spam/);

    const post = (await page(blog, `/posts/${SLUG}`)).body;
    const [ann, bob, cleo] = ["Ann from Disqus", "Bob from Disqus", "Cleo from Disqus"].map((n) => post.indexOf(n));
    assert.ok(ann > 0 && bob > ann && cleo > 0, "the three comments are on the post");
    assert.match(post.slice(ann, bob), /<ol class="children">/, "Bob's reply nests under Ann's comment");
    assert.match(post, /<strong>great<\/strong> post &amp; thanks\./, "the message's HTML is text (its emphasis as stars), its entities decoded once");
    assert.doesNotMatch(post, /cheap pills|Deleted by its writer|<b>great<\/b>/);

    // The author gives the lost page an address; a second run adds only what is new.
    assert.equal((await blogctl(url, ["redirect", "add", "/about-me/", `/posts/${SLUG}`])).code, 0);
    const second = await blogctl(url, ["import-disqus", file]);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /^Imported 1 comments \(3 already there\) on 1 posts; skipped 2; threads without a post 0; failed 0\.$/m);

    const broken = await blogctl(url, ["import-disqus", tempFile("broken.xml", "<disqus>\n<post>\n</disqus>\n")]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /broken\.xml: line 3: not well-formed XML/);
  }));

test("when no attachment can be had, a gallery links its images at their old addresses, and the report says so: never a raw [gallery]", () =>
  withBlog(async (blog, url) => {
    const corpus = path.join(ROOT, "..", "shared", "corpora", "wordpress", "themeunittestdata.wordpress.xml");
    // An empty uploads folder: the old host is gone and nothing of it was kept.
    const uploads = fs.mkdtempSync(path.join(os.tmpdir(), "no-uploads-"));
    const result = await blogctl(url, ["import-wxr", "--uploads", uploads, corpus]);
    assert.match(result.stdout, /^Media: 0 files stored in the media library, 37 failed;/m);
    const gallery = (await page(blog, "/posts/post-format-gallery")).body;
    assert.doesNotMatch(gallery, /\[gallery/, "never the shortcode itself");
    assert.match(gallery, /<ul class="gallery columns-\d">(<li><a href="https?:\/\/wpthemetestdata\.files\.wordpress\.com\/[^"]+"><img [^>]+><\/a><\/li>)+<\/ul>/);
    assert.match(result.stdout, /not as WordPress showed it: a \[gallery\] links its \d+ images at their old addresses \(they could not be stored\), in "Post Format: Gallery"/);
    assert.doesNotMatch(result.stdout, /kept as text: \[gallery\]/);
  }));

test("WordPress's theme unit test export imports with exit 0, its protected post kept private", () =>
  withBlog(async (blog, url) => {
    const corpus = path.join(ROOT, "..", "shared", "corpora", "wordpress", "themeunittestdata.wordpress.xml");
    assert.ok(fs.existsSync(corpus), `${corpus} (../shared holds the corpora)`);
    // No network here: a copy of the uploads folder stands in for the old host, with a picture for
    // every image attachment (the audio and the film are missing from it, as files go missing).
    const uploads = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-"));
    const urls = [...fs.readFileSync(corpus, "utf8").matchAll(/<wp:attachment_url>https?:\/\/[^/]+\/([^<]+)<\/wp:attachment_url>/g)].map((m) => m[1]);
    assert.equal(urls.length, 37);
    urls.filter((u) => /\.(jpe?g|png|gif)$/i.test(u)).forEach((u, i) => {
      fs.mkdirSync(path.dirname(path.join(uploads, u)), { recursive: true });
      fs.writeFileSync(path.join(uploads, u), makePng(48, 32, i));
    });
    const result = await blogctl(url, ["import-wxr", "--uploads", uploads, corpus]);
    assert.equal(result.code, 0, result.stdout.split("\n").filter((l) => /failed/.test(l)).join("\n"));
    console.log(result.stdout.split("\n").filter((l) => /^(Imported|Kept|Redirects|Media|Shortcodes|  kept as text)/.test(l)).join("\n"));
    assert.match(result.stdout, /^Media: 35 files stored in the media library, 2 failed; \d+ references rewritten\./m);
    assert.match(result.stdout, /media failed: .*\.mp3/);
    const gallery = (await page(blog, "/posts/post-format-gallery")).body;
    assert.match(gallery, /<ul class="gallery columns-\d">(<li><a href="\/media\/[0-9a-f]{64}\/[^"]+"><img [^>]+><\/a><\/li>)+<\/ul>/);
    assert.doesNotMatch(gallery, /\[gallery|wpthemetestdata\.files\.wordpress\.com/);
    assert.doesNotMatch(result.stdout, /kept as text: \[gallery\]/, "every gallery converted");
    assert.match(result.stdout, /Imported 58 posts \(0 already there\), 21 pages \(0 already there\) and \d+ comments/);
    assert.match(result.stdout, /draft: "Template: Password Protected \(the password is \\"enter\\"\)" \(password-protected\)/);
    assert.equal((await page(blog, "/posts/template-password-protected")).status, 404);
    assert.doesNotMatch((await page(blog, "/search?q=pingbacks")).body, /should not be visible until the password/);
    const approved = await admin(blog, "GET", "/admin/comments?status=approved&limit=500");
    const names = approved.json.comments.map((c) => c.author);
    assert.ok(names.includes("Ping 1 « What’s a tellyworth?"), `entities decoded once: ${names.filter((n) => n.startsWith("Ping")).join(" | ")}`);
    // Pingbacks and trackbacks show as mentions of the post: no Reply link, not a person's comment.
    const pings = (await page(blog, "/posts/template-pingbacks-an-trackbacks")).body;
    const mentions = pings.match(/class="comment mention depth-1"/g) ?? [];
    assert.equal(mentions.length, 4, "2 pingbacks and 2 trackbacks");
    assert.match(pings, /Mentioned in <a href="http:\/\/tellyworth.wordpress.com\/2007\/11\/21\/ping-4\/" rel="nofollow ugc">Ping 4 « What’s a tellyworth\?<\/a>/);
    const ids = [...pings.matchAll(/<li id="comment-(\d+)" class="comment mention/g)].map((m) => m[1]);
    for (const id of ids) assert.doesNotMatch(pings, new RegExp(`/reply/${id}#respond`));
    // [caption] becomes a figure; what could not be converted is reported, not hidden.
    assert.match(result.stdout, /^Shortcodes: \d+ converted, \d+ kept as text\.$/m);
    const captions = (await page(blog, "/posts/post-format-image-caption")).body;
    assert.match(captions, /<figure class="wp-caption alignnone"><a href="[^"]+"><img [^>]+><\/a><figcaption>Bell on wharf in San Francisco<\/figcaption><\/figure>/);
    assert.doesNotMatch(captions, /\[caption|\[\/caption\]/);
    // Old addresses lead to the new ones: permalinks, short links, categories and tags, feeds.
    assert.match(result.stdout, /^Redirects: \d+ old addresses lead to their new pages/m);
    const moved = async (from) => {
      const res = await blog.fetch(from);
      return res.status === 301 ? res.headers.get("location") : `HTTP ${res.status}`;
    };
    assert.equal(await moved("/2018/10/20/keyboard-navigation/"), "/posts/keyboard-navigation");
    assert.equal((await page(blog, "/posts/keyboard-navigation")).status, 200);
    assert.equal(await moved("/?p=1724"), "/posts/keyboard-navigation");
    assert.equal(await moved("/tag/codex/"), "/tags/codex");
    assert.equal((await page(blog, "/tags/codex")).status, 200);
    assert.equal(await moved("/feed/"), "/feed.atom");
    assert.equal(await moved("/?p=1164"), "HTTP 200", "a draft's short link leads nowhere (the home page)");
    assert.equal(await moved("/2012/01/04/template-password-protected/"), "HTTP 404", "no redirect reveals a protected post");
    // Pages: at their own (nested) addresses, in the menu in WordPress's order, with their comments.
    const about = await page(blog, "/about/");
    assert.equal(about.status, 200);
    assert.match(about.body, /<h1>About The Tests<\/h1>/);
    const menu = [...about.body.match(/<nav class="site-menu[^>]*>([\s\S]*?)<\/nav>/)[1].matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(menu, ["/blog/", "/front-page/", "/greek/", "/about/", "/level-1/", "/lorem-ipsum/", "/page-a/", "/page-b/"]);
    const level3 = await page(blog, "/level-1/level-2/level-3/");
    assert.equal(level3.status, 200);
    inOrder(assert, level3.body, ['<a href="/level-1/">Level 1</a>', '<a href="/level-1/level-2/">Level 2</a>', "<h1>Level 3</h1>"]);
    inOrder(assert, (await page(blog, "/level-1/level-2/")).body, ["In this section", "/level-1/level-2/level-3/", "/level-1/level-2/level-3a/", "/level-1/level-2/level-3b/"]);
    assert.equal(await moved("/?page_id=2"), "/about/");
    assert.match(await moved("/category/parent/child-1/child-2/"), /^\/tags\/[a-z0-9-]+$/, "a nested category's address");
    assert.equal(await moved("/?page_id=172"), "/level-1/level-2/level-3/");
    const greek = await moved("/greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-3/");
    assert.match(greek, /^\/greek\/[a-z0-9-]+\/[a-z0-9-]+\/$/);
    assert.equal((await page(blog, greek)).status, 200);
    const withComments = (await page(blog, "/about/page-with-comments/")).body;
    assert.equal((withComments.match(/<li id="comment-\d+" class="comment depth-1/g) ?? []).length, 3, "the three approved comments");
    assert.match(withComments, /action="\/about\/page-with-comments\/comments"/);
    assert.doesNotMatch((await page(blog, "/about/page-with-comments-disabled/")).body, /class="comment-form"/);
    const listing = (await page(blog, "/")).body.match(/<ol class="post-list">[\s\S]*?<\/ol>/)[0];
    assert.doesNotMatch(listing, /About The Tests|Level 1/, "pages stay off the home listing");
    // The ten-level thread: every reply kept under its parent (the page draws five levels).
    const byId = new Map(approved.json.comments.map((c) => [c.id, c]));
    const depth = (c) => (c.parent && byId.has(c.parent) ? 1 + depth(byId.get(c.parent)) : 1);
    const deepest = Math.max(...approved.json.comments.filter((c) => c.post === "template-comments").map(depth));
    assert.equal(deepest, 10, "the ten-level thread is intact");
    // Page by page: no raw shortcode anywhere a reader can go.
    const everything = (await admin(blog, "GET", "/admin/posts?limit=500")).json.posts.filter((p) => p.visible);
    assert.equal(everything.length, 76, "79 posts and pages, less the draft, the scheduled one and the protected one");
    assert.equal(everything.filter((p) => p.type === "page").length, 21);
    for (const entry of everything) {
      const shown = await page(blog, new URL(entry.url).pathname);
      assert.equal(shown.status, 200, entry.url);
      assert.doesNotMatch(shown.body, /\[\/?(caption|gallery|audio|video|embed|playlist)\b/, entry.url);
    }
    const manyTags = await admin(blog, "GET", "/admin/posts/edge-case-many-tags");
    assert.ok(manyTags.json.tags.length > 30, `${manyTags.json.tags.length} tags`);
  }, { demo: false }));

test("outbox lists the mail the blog wrote, and forget removes what is held about an address", () =>
  withBlog(async (blog, url) => {
    const token = await mintToken(1, Math.floor(Date.now() / 1000) - 30);
    const sent = await postComment(blog, "health-is-social-aint-no-doubt", { token, author: "Tess", email: "tess@example.org", body: "Held, then forgotten.", subject: "" });
    assert.equal(sent.status, 303);
    await sentMail(blog, { atLeast: 1 });
    const listed = await blogctl(url, ["outbox", "--status", "sent"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^#\d+\s+moderation\s+to author@example\.org\s+comment \d+\s+1 attempt\(s\)/m);
    assert.match((await blogctl(url, ["outbox"])).stdout, /No pending messages\./);
    assert.equal((await blogctl(url, ["outbox", "--status", "lost"])).code, 2, "clap refuses an unknown status");
    const forgot = await blogctl(url, ["forget", "tess@example.org"]);
    assert.equal(forgot.code, 0, forgot.stderr);
    assert.match(forgot.stdout, /Forgot tess@example\.org: 1 comments anonymised \(their text stays\), 0 subscriptions and 0 messages deleted\./);
    const bad = await blogctl(url, ["forget", "not an address"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /email/);
  }, { settings: { email_from: "blog@example.org", author_email: "author@example.org", comment_min_seconds: "0" } }));

test("followers: the fediverse account, its followers and the deliveries", () =>
  withBlog(async (blog, url) => {
    await blog.db
      .prepare("INSERT INTO fediverse_actors (id, key_id, public_key, inbox, name, handle, fetched_at) VALUES ('https://social.example/users/ann', 'k', 'PEM', 'https://social.example/inbox', 'Ann', '@ann@social.example', 1)")
      .run();
    await blog.db.prepare("INSERT INTO followers (actor_id, inbox, created_at) VALUES ('https://social.example/users/ann', 'https://social.example/inbox', 1796300000)").run();
    const ls = await blogctl(url, ["followers"]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^@blog@127\.0\.0\.1:8787: 1 follower\n/);
    assert.match(ls.stdout, /@ann@social\.example  Ann  since 2026-12-03T/);
    const deliveries = await blogctl(url, ["followers", "--deliveries"]);
    assert.equal(deliveries.code, 0, deliveries.stderr);
    assert.match(deliveries.stdout, /^deliveries: \d+ queued, \d+ delivered, \d+ failed, \d+ cancelled\n/);
  }, { settings: { base_url: "http://127.0.0.1:8787" } }));

test("subscribers: import a provider's file (every line reported), add, list, export, remove", () =>
  withBlog(async (blog, url) => {
    const ghost = path.join(ROOT, "tests", "fixtures", "newsletter", "ghost.csv");
    const dry = await blogctl(url, ["subscribers", "import", ghost, "--confirmed", "--dry-run"]);
    assert.equal(dry.code, 1, "a refused line makes the exit status 1");
    assert.match(dry.stdout, /ghost export\): 1 would be imported, 1 duplicates, 1 refused/);
    assert.match(dry.stderr, /ghost\.csv: line 3: refused: ghost2@example\.org: not subscribed to emails in the export/);
    assert.equal((await admin(blog, "GET", "/admin/subscribers")).json.total, 0, "a dry run writes nothing");
    const done = await blogctl(url, ["subscribers", "import", ghost, "--confirmed"]);
    assert.match(done.stdout, /1 imported/);
    assert.match(done.stdout, /line 4: ghost1@example\.org skipped: earlier in the file/);

    const add = await blogctl(url, ["subscribers", "add", "new@example.org", "--weekly"]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /a confirmation email is on its way/);
    assert.match((await blogctl(url, ["subscribers", "add", "new@example.org"])).stdout, /a subscriber already/);

    const ls = await blogctl(url, ["subscribers", "ls"]);
    assert.match(ls.stdout, /^pending 1, confirmed 1, unsubscribed 0, suppressed 0\n/);
    assert.match(ls.stdout, /new@example\.org\s+pending\s+weekly\s+admin/);
    const exported = tempFile("subscribers.csv", "");
    assert.equal((await blogctl(url, ["subscribers", "export", exported])).code, 0);
    assert.match(fs.readFileSync(exported, "utf8"), /^email,status,cadence,created_at,confirmed_at\r\n(.*\r\n){2}$/);

    assert.match((await blogctl(url, ["subscribers", "rm", "new@example.org"])).stdout, /removed new@example\.org/);
    const again = await blogctl(url, ["subscribers", "rm", "new@example.org"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not a subscriber/);
  }, { settings: { email_from: "blog@example.org" } }));
