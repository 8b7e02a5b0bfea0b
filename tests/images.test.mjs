// Image variants end to end: Miniflare's Images binding (sharp, as Cloudflare Images would)
// makes each width once, R2 keeps it, and Chromium at a phone's and a desktop's width picks
// the variant `srcset` offers. The formats follow `Accept`; GIFs, narrow images and broken ones
// are sent as they are.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { startBlog, admin, makePng, launchChromium, ADMIN_TOKEN } from "./helpers.mjs";

const CHROME_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

async function upload(blog, bytes, name, alt = "") {
  const res = await blog.fetch(`/admin/media?name=${name}&alt=${encodeURIComponent(alt)}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/octet-stream" },
    body: bytes,
  });
  const json = await res.json();
  assert.ok([200, 201].includes(res.status), JSON.stringify(json));
  return json;
}

/** A photograph-like JPEG: smooth gradients and noise, so that sizes are like a real photo's. */
async function photo(width, height) {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const noise = (x * 7919 + y * 104729) % 23;
      raw[i] = (x * 255) / width + noise;
      raw[i + 1] = (y * 255) / height + noise;
      raw[i + 2] = 128 + Math.sin(x / 40) * 60 + noise;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

async function r2Keys(blog, prefix) {
  const bucket = await blog.mf.getR2Bucket("MEDIA", "edge-blog-author");
  return (await bucket.list({ prefix })).objects.map((o) => o.key).sort();
}

/** Each `<img>` of the page's article: its src, srcset (as [url, width] pairs) and sizes. */
function images(html) {
  return [...html.matchAll(/<img [^>]*>/g)].map(([tag]) => {
    const attr = (name) => tag.match(new RegExp(` ${name}="([^"]*)"`))?.[1];
    const srcset = attr("srcset")?.split(", ").map((c) => {
      const [url, w] = c.split(" ");
      return [url, Number(w.replace("w", ""))];
    });
    return { src: attr("src"), srcset, sizes: attr("sizes") };
  });
}

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test("a JPEG and a PNG get srcset variants that Chromium picks at a phone's and a desktop's width", async () => {
  const blog = await startBlog({ demo: false });
  const base = String(await blog.mf.ready).replace(/\/$/, "");
  try {
    const jpeg = await upload(blog, await photo(1600, 1000), "harbour.jpg", "A harbour");
    const png = await upload(blog, makePng(1000, 600, 3), "chart.png", "A chart");
    const body = `Opening.\n\n![A harbour](${jpeg.url})\n\n${"Words between. ".repeat(40)}\n\n![A chart](${png.url})\n`;
    const made = await admin(blog, "POST", "/admin/posts", { title: "Pictures", slug: "pictures", body, status: "published" });
    assert.equal(made.res.status, 201, JSON.stringify(made.json));

    const html = await (await blog.fetch("/posts/pictures")).text();
    const [harbour, chart] = images(html);
    const jpegHash = jpeg.url.split("/")[2];
    const pngHash = png.url.split("/")[2];
    assert.deepEqual(harbour.srcset, [
      ...[320, 480, 640, 960, 1280].map((w) => [`/media/${jpegHash}/w${w}/harbour.jpg`, w]),
      [jpeg.url, 1600],
    ]);
    assert.deepEqual(chart.srcset, [
      ...[320, 480, 640, 960].map((w) => [`/media/${pngHash}/w${w}/chart.png`, w]),
      [png.url, 1000],
    ]);
    assert.equal(harbour.sizes, "(max-width: 40rem) calc(100vw - 2.5rem), 37.5rem");
    assert.match(html, new RegExp(`<meta property="og:image" content="http://127\\.0\\.0\\.1:8787/media/${jpegHash}/w1200/harbour\\.jpg">`));
    assert.match(html, /width="1600" height="1000"/, "the size stays, so nothing moves while it loads");

    // Chromium picks by its width: each image's chosen address is a variant whose decoded width
    // is the one srcset claims.
    const seen = {};
    for (const width of [390, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
      const tab = await context.newPage();
      const types = [];
      tab.on("response", (r) => r.url().includes("/media/") && types.push(r.headers()["content-type"]));
      await tab.goto(`${base}/posts/pictures`);
      const shown = await tab.$$eval("article img", (imgs) => Promise.all(imgs.map(async (img) => {
        img.scrollIntoView();
        await img.decode();
        // With `w` descriptors an <img>'s naturalWidth is scaled to its slot; the chosen file
        // decoded alone gives its own width.
        const alone = new Image();
        alone.src = img.currentSrc;
        await alone.decode();
        return { currentSrc: new URL(img.currentSrc).pathname, naturalWidth: alone.naturalWidth };
      })));
      seen[width] = shown;
      for (const { currentSrc, naturalWidth } of shown) {
        const claimed = [...harbour.srcset, ...chart.srcset].find(([url]) => url === currentSrc);
        assert.ok(claimed, `${currentSrc} is in a srcset`);
        assert.equal(naturalWidth, claimed[1], `${currentSrc} decodes ${claimed[1]} wide`);
      }
      assert.ok(types.every((t) => t === "image/avif"), `Chromium takes AVIF: ${types}`);
      await context.close();
    }
    // A 390 px phone shows 350 CSS pixels of image; a desktop the 600 px column.
    assert.deepEqual(seen[390].map((s) => s.naturalWidth), [480, 480]);
    assert.deepEqual(seen[1280].map((s) => s.naturalWidth), [640, 640]);
  } finally {
    await blog.close();
  }
});

test("a variant's format follows Accept, is made once and kept in R2, and falls back to the original", async () => {
  const blog = await startBlog({ demo: false });
  try {
    const original = await photo(1600, 1000);
    const jpeg = await upload(blog, original, "harbour.jpg");
    const hash = jpeg.url.split("/")[2];
    const variant = `/media/${hash}/w640/harbour.jpg`;

    const kinds = [
      [CHROME_ACCEPT, "image/avif", "heif"],
      ["image/webp,*/*", "image/webp", "webp"],
      ["*/*", "image/jpeg", "jpeg"],
      [undefined, "image/jpeg", "jpeg"],
    ];
    const sent = {};
    for (const [accept, type, format] of kinds) {
      const res = await blog.fetch(variant, { headers: accept ? { Accept: accept } : {} });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), type, `Accept: ${accept}`);
      assert.equal(res.headers.get("vary"), "Accept");
      assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
      const bytes = Buffer.from(await res.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], [format, 640, 400], `Accept: ${accept}`);
      sent[type] = bytes;
      // The browser's copy is revalidated by its ETag, per format.
      const again = await blog.fetch(variant, { headers: { ...(accept ? { Accept: accept } : {}), "If-None-Match": res.headers.get("etag") } });
      assert.equal(again.status, 304);
    }
    assert.ok(sent["image/avif"].length < original.length / 10, `${sent["image/avif"].length} bytes of AVIF for ${original.length} of JPEG`);
    assert.deepEqual(await r2Keys(blog, "variants/"), [
      `variants/${hash}/w640.avif`,
      `variants/${hash}/w640.jpg`,
      `variants/${hash}/w640.webp`,
    ]);

    // Made once: a request that misses this data centre's cache (another name for the same file)
    // reads what R2 keeps rather than transforming again. R2 now holds a marker; it is what comes.
    const bucket = await blog.mf.getR2Bucket("MEDIA", "edge-blog-author");
    const marker = await sharp({ create: { width: 640, height: 400, channels: 3, background: "#0a0" } }).avif().toBuffer();
    await bucket.put(`variants/${hash}/w640.avif`, marker, { httpMetadata: { contentType: "image/avif" } });
    const fromR2 = await blog.fetch(`/media/${hash}/w640/other-name.jpg`, { headers: { Accept: CHROME_ACCEPT } });
    assert.deepEqual(Buffer.from(await fromR2.arrayBuffer()), marker, "the kept variant, not a new transform");
    const fromCache = await blog.fetch(variant, { headers: { Accept: CHROME_ACCEPT } });
    assert.deepEqual(Buffer.from(await fromCache.arrayBuffer()), sent["image/avif"], "this data centre's copy");

    // Not a width the blog offers: no such address.
    assert.equal((await blog.fetch(`/media/${hash}/w641/harbour.jpg`)).status, 404);
    // Wider than the image (the og:image width of a narrow one): the original, as it is.
    const narrow = await upload(blog, makePng(500, 300, 4), "narrow.png");
    const wide = await blog.fetch(narrow.url.replace("/narrow.png", "/w1200/narrow.png"), { headers: { Accept: CHROME_ACCEPT } });
    assert.equal(wide.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await wide.arrayBuffer()), makePng(500, 300, 4));
    // An animated GIF keeps its frames: sent as it is.
    const gifBytes = await sharp({ create: { width: 800, height: 200, channels: 3, background: "#c00" } }).gif().toBuffer();
    const gif = await upload(blog, gifBytes, "moving.gif");
    const gifVariant = await blog.fetch(gif.url.replace("/moving.gif", "/w320/moving.gif"), { headers: { Accept: CHROME_ACCEPT } });
    assert.equal(gifVariant.headers.get("content-type"), "image/gif");
    assert.deepEqual(Buffer.from(await gifVariant.arrayBuffer()), gifBytes);
    // A broken image (a sound header, then garbage) cannot be transformed: the original comes,
    // kept for an hour only, so that a later request tries again; nothing is stored.
    const broken = Buffer.concat([makePng(1400, 900, 5).subarray(0, 33), Buffer.alloc(2000, 0x5a)]);
    const brokenFile = await upload(blog, broken, "broken.png");
    const brokenVariant = await blog.fetch(brokenFile.url.replace("/broken.png", "/w640/broken.png"), { headers: { Accept: CHROME_ACCEPT } });
    assert.equal(brokenVariant.status, 200);
    assert.equal(brokenVariant.headers.get("content-type"), "image/png");
    assert.equal(brokenVariant.headers.get("cache-control"), "public, max-age=3600");
    assert.deepEqual(Buffer.from(await brokenVariant.arrayBuffer()), broken);
    const brokenHash = brokenFile.url.split("/")[2];
    assert.deepEqual(await r2Keys(blog, `variants/${brokenHash}/`), []);

    // Deleting the file deletes its variants.
    assert.equal((await admin(blog, "DELETE", `/admin/media/${jpeg.id}`)).res.status, 204);
    assert.deepEqual(await r2Keys(blog, `variants/${hash}/`), []);
    assert.equal((await blog.fetch(variant, { headers: { Accept: CHROME_ACCEPT } })).status, 404, "gone from the cache too");
  } finally {
    await blog.close();
  }
});
