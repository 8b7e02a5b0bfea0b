// The media library end to end in workerd with real local R2: uploads typed by their bytes,
// served from the edge with immutable caching, validators and ranges, sized in posts, shown by
// Chromium; refusals that leave nothing behind.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { chromium } from "playwright-core";
import { startBlog, admin, makePng, ADMIN_TOKEN } from "./helpers.mjs";

async function upload(blog, bytes, { name = "file", alt = "", type = "application/octet-stream" } = {}) {
  const res = await blog.fetch(`/admin/media?name=${encodeURIComponent(name)}&alt=${encodeURIComponent(alt)}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": type },
    body: bytes,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function r2Keys(blog) {
  const bucket = await blog.mf.getR2Bucket("MEDIA", "edge-blog-author");
  return (await bucket.list()).objects.map((o) => o.key);
}

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});
after(async () => {
  await browser?.close();
});

test("an upload is typed by its bytes, stored once, and served with validators and ranges", async () => {
  const blog = await startBlog({ demo: false });
  try {
    const png = makePng(320, 200);
    const hash = crypto.createHash("sha256").update(png).digest("hex");
    const made = await upload(blog, png, { name: "../Photos/My Chart (1).JPG", alt: "A chart", type: "image/jpeg" });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    assert.deepEqual(
      { url: made.json.url, type: made.json.type, bytes: made.json.bytes, width: made.json.width, height: made.json.height, alt: made.json.alt },
      { url: `/media/${hash}/my-chart-1.png`, type: "image/png", bytes: png.length, width: 320, height: 200, alt: "A chart" },
    );
    const again = await upload(blog, png, { name: "other-name.png" });
    assert.equal(again.status, 200);
    assert.equal(again.json.url, made.json.url, "the same content has one address");
    assert.equal(again.json.id, made.json.id);
    const list = await admin(blog, "GET", "/admin/media?limit=10");
    assert.equal(list.json.total, 1);
    assert.deepEqual(await r2Keys(blog), [`media/${hash}`]);

    const res = await blog.fetch(made.json.url);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), png);
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(res.headers.get("etag"), `"${hash}"`);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("accept-ranges"), "bytes");

    const cached = await blog.fetch(made.json.url);
    assert.deepEqual(Buffer.from(await cached.arrayBuffer()), png, "the Cache API copy is the file");

    const revalidated = await blog.fetch(made.json.url, { headers: { "If-None-Match": `"${hash}"` } });
    assert.equal(revalidated.status, 304);
    assert.equal(await revalidated.text(), "");

    const part = await blog.fetch(made.json.url, { headers: { Range: "bytes=8-23" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 8-23/${png.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), png.subarray(8, 24));
    const tail = await blog.fetch(made.json.url, { headers: { Range: "bytes=-12" } });
    assert.equal(tail.status, 206);
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), png.subarray(png.length - 12));
    const beyond = await blog.fetch(made.json.url, { headers: { Range: `bytes=${png.length}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get("content-range"), `bytes */${png.length}`);

    const head = await blog.fetch(made.json.url, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(png.length));
    assert.equal(await head.text(), "");

    assert.equal((await blog.fetch(`/media/${"0".repeat(64)}/nothing.png`)).status, 404);
    assert.equal((await blog.fetch(`/media/${hash}/..%2F..%2Fetc`)).status, 404);
  } finally {
    await blog.close();
  }
});

test("refused uploads say why and leave no object or row behind", async () => {
  const blog = await startBlog({ demo: false, vars: { MEDIA_MAX_BYTES: "50000" } });
  try {
    const cases = [
      [Buffer.from("<!DOCTYPE html><script>alert(1)</script>"), "photo.jpg", 415, /not a file the blog stores/],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "logo.svg", 415, /SVG is refused/],
      [makePng(40, 40).subarray(0, 20), "cut.png", 422, /cut short or corrupt/],
      [makePng(400, 400, 7), "big.png", 413, /at most/],
      [Buffer.alloc(0), "empty.png", 400, /empty/],
    ];
    for (const [bytes, name, status, message] of cases) {
      const answer = await upload(blog, bytes, { name, type: "image/jpeg" });
      assert.equal(answer.status, status, `${name}: ${JSON.stringify(answer.json)}`);
      assert.match(answer.json.error + JSON.stringify(answer.json.fields ?? {}), message, name);
    }
    assert.equal((await admin(blog, "GET", "/admin/media")).json.total, 0);
    assert.deepEqual(await r2Keys(blog), []);
    const unauthenticated = await blog.fetch("/admin/media", { method: "POST", body: makePng(2, 2) });
    assert.equal(unauthenticated.status, 401);
  } finally {
    await blog.close();
  }
});

test("a post shows its images sized and lazy below the first, names its lead image, and keeps files it uses", async () => {
  const blog = await startBlog({ demo: false });
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  try {
    const first = (await upload(blog, makePng(640, 360, 1), { name: "first.png", alt: "First" })).json;
    const second = (await upload(blog, makePng(300, 500, 2), { name: "second.png", alt: "Second" })).json;
    const body = `Intro.\n\n![First picture](${first.url})\n\nMiddle.\n\n![Second picture](${second.url})\n`;
    const made = await admin(blog, "POST", "/admin/posts", { title: "Pictures", body, slug: "pictures" });
    assert.equal(made.res.status, 201);
    assert.equal(made.json.image, first.url);
    const page = await (await blog.fetch("/posts/pictures")).text();
    const firstVariant = (w) => first.url.replace("/first.png", `/w${w}/first.png`);
    const srcset = `${firstVariant(320)} 320w, ${firstVariant(480)} 480w, ${first.url} 640w`;
    assert.ok(page.includes(`<img src="${first.url}" alt="First picture" width="640" height="360" srcset="${srcset}" sizes="(max-width: 40rem) calc(100vw - 2.5rem), 37.5rem" />`), page);
    assert.ok(page.includes(`<img src="${second.url}" alt="Second picture" width="300" height="500" loading="lazy" decoding="async" />`), "narrower than every variant: no srcset");
    assert.ok(page.includes(`<meta property="og:image" content="http://127.0.0.1:8787${firstVariant(1200)}">`), "previews ask for 1200 px");
    assert.ok(page.includes('<meta name="twitter:card" content="summary_large_image">'));

    const tab = await (await browser.newContext({ viewport: { width: 1000, height: 2000 } })).newPage();
    await tab.goto(`${base}/posts/pictures`);
    const images = await tab.$$eval("article img", (imgs) => Promise.all(imgs.map(async (i) => {
      await i.decode().catch(() => {});
      // The file chosen, decoded alone (with srcset, naturalWidth is scaled to the slot).
      const alone = new Image();
      alone.src = i.currentSrc;
      await alone.decode().catch(() => {});
      return { natural: alone.naturalWidth, width: i.getAttribute("width"), height: i.getAttribute("height") };
    })));
    assert.deepEqual(images, [
      { natural: 640, width: "640", height: "360" },
      { natural: 300, width: "300", height: "500" },
    ]);
    await tab.context().close();

    const inUse = await admin(blog, "DELETE", `/admin/media/${second.id}`);
    assert.equal(inUse.res.status, 409);
    assert.match(inUse.json.error, /pictures/);
    assert.equal((await admin(blog, "DELETE", `/admin/media/${second.id}?force=1`)).res.status, 204);
    assert.equal((await blog.fetch(second.url, { headers: { "Cache-Control": "no-cache" } })).status, 404);
    const named = await admin(blog, "PATCH", "/admin/posts/pictures", { image: second.url });
    assert.equal(named.json.image, second.url, "an image the author names wins");
  } finally {
    await blog.close();
  }
});

test("the demo post shows its illustration from R2", async () => {
  const blog = await startBlog();
  try {
    const page = await (await blog.fetch("/posts/health-is-social-aint-no-doubt")).text();
    const src = page.match(/<img src="(\/media\/[0-9a-f]{64}\/health-is-social\.png)" alt="[^"]+" width="720" height="405" srcset="[^"]+ 720w" sizes="[^"]+" \/>/);
    assert.ok(src, "the illustration is on the page with its size");
    const image = await blog.fetch(src[1]);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get("content-type"), "image/png");
  } finally {
    await blog.close();
  }
});

test("a post that uses an audio file is a podcast episode in both feeds", async () => {
  const blog = await startBlog({ demo: false });
  try {
    const mp3 = Buffer.concat([Buffer.from("ID3\x04\x00\x00\x00\x00\x00\x00", "latin1"), Buffer.alloc(4000, 0x55)]);
    const episode = (await upload(blog, mp3, { name: "Episode 1.mp3" })).json;
    assert.equal(episode.type, "audio/mpeg");
    const body = `Listen: [episode 1](${episode.url}).\n`;
    assert.equal((await admin(blog, "POST", "/admin/posts", { title: "Episode 1", body, slug: "episode-1" })).res.status, 201);
    const rss = await (await blog.fetch("/feed.rss")).text();
    assert.ok(rss.includes(`<enclosure url="http://127.0.0.1:8787${episode.url}" length="${mp3.length}" type="audio/mpeg"/>`), rss);
    const atom = await (await blog.fetch("/feed.atom")).text();
    assert.ok(atom.includes(`<link rel="enclosure" type="audio/mpeg" length="${mp3.length}" href="http://127.0.0.1:8787${episode.url}"/>`), atom);
    const range = await blog.fetch(episode.url, { headers: { Range: "bytes=0-2" } });
    assert.equal(range.status, 206);
    assert.equal(await range.text(), "ID3", "a player can seek");
  } finally {
    await blog.close();
  }
});
