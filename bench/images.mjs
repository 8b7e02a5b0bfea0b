// What a phone downloads for the theme unit test's image posts: WordPress's theme unit test export
// imported with photo-like JPEGs at realistic sizes (a 2005 camera's 1600×1200 unless the name says
// its size; wallpapers 1920×1080), then every post with a library image opened in Chromium at a
// phone's width (390 CSS px, at 1× and 3×) and a desktop's, scrolled to the end so that lazy
// images load. "Before" is what the same <img> elements cost without srcset (their originals).
//
//   node bench/images.mjs     (the benchmark runs it too; needs `cargo build -p blogctl`)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { Miniflare } from "miniflare";
import { blogOptions, wrangler, launchChromium, runBlogctl, ROOT, READER } from "../tests/helpers.mjs";

const CORPUS = path.join(ROOT, "..", "shared", "corpora", "wordpress", "themeunittestdata.wordpress.xml");

/** The size an upload of the corpus gets. */
function sizeOf(name) {
  const stated = name.match(/(\d{2,4})x(\d{2,4})\.\w+$/);
  if (stated) return [Number(stated[1]), Number(stated[2])];
  if (/wallpaper/.test(name)) return [1920, 1080];
  if (/featured-image-horizontal/.test(name)) return [1200, 300];
  if (/featured-image-vertical/.test(name)) return [300, 1200];
  return [1600, 1200];
}

/** A photograph-like JPEG: gradients, waves and noise, so that it compresses like a photo. */
async function photo(width, height, seed) {
  const raw = Buffer.alloc(width * height * 3);
  let r = seed * 2654435761;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      r = (r * 1103515245 + 12345) >>> 0;
      const noise = (r >>> 24) % 28;
      const i = (y * width + x) * 3;
      raw[i] = ((x * 200) / width + Math.sin((y + seed * 31) / 37) * 30 + noise) & 255;
      raw[i + 1] = ((y * 200) / height + Math.cos((x + seed * 17) / 53) * 30 + noise) & 255;
      raw[i + 2] = (110 + Math.sin((x + y) / 71) * 70 + noise) & 255;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

function uploads(work) {
  const dir = path.join(work, "uploads");
  const urls = [...fs.readFileSync(CORPUS, "utf8").matchAll(/<wp:attachment_url>https?:\/\/[^/]+\/([^<]+)<\/wp:attachment_url>/g)].map((m) => m[1]);
  return { dir, images: [...new Set(urls.filter((u) => /\.jpe?g$/i.test(u)))] };
}

/** Loads `url` at `viewport` and `scale`; the bytes of images sent, and of their originals. */
async function load(browser, url, originals, viewport, scale) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: scale });
  const tab = await context.newPage();
  const sent = new Map();
  tab.on("response", async (r) => {
    if (!r.url().includes("/media/")) return;
    const body = await r.body().catch(() => Buffer.alloc(0));
    sent.set(new URL(r.url()).pathname, body.length);
  });
  await tab.goto(url);
  const shown = await tab.$$eval("article img", async (imgs) => {
    const chosen = [];
    for (const img of imgs) {
      img.scrollIntoView();
      await img.decode().catch(() => {});
      chosen.push({ src: new URL(img.src).pathname, current: new URL(img.currentSrc || img.src).pathname });
    }
    return chosen;
  });
  await tab.waitForLoadState("networkidle");
  await context.close();
  let before = 0;
  let after = 0;
  for (const { src, current } of shown) {
    if (!originals.has(src)) continue;
    before += originals.get(src);
    after += sent.get(current) ?? 0;
  }
  return { images: shown.filter((s) => originals.has(s.src)).length, before, after };
}

export async function measureImages(work) {
  const dir = path.join(work, "images-state");
  wrangler(["d1", "migrations", "apply", "DB"], dir);
  const { dir: uploadDir, images } = uploads(work);
  let seed = 1;
  for (const u of images) {
    const [w, h] = sizeOf(u);
    fs.mkdirSync(path.dirname(path.join(uploadDir, u)), { recursive: true });
    fs.writeFileSync(path.join(uploadDir, u), await photo(w, h, seed++));
  }
  const mf = new Miniflare(blogOptions(dir, { trace: false }));
  const base = String(await mf.ready).replace(/\/$/, "");
  const browser = await launchChromium();
  try {
    const imported = await runBlogctl(base, ["import-wxr", "--uploads", uploadDir, CORPUS]);
    if (imported.code !== 0) throw new Error(`import-wxr: ${imported.stderr}`);
    const db = await mf.getD1Database("DB", READER);
    const media = (await db.prepare("SELECT hash, name, bytes FROM media WHERE type LIKE 'image/%'").all()).results;
    const originals = new Map(media.map((m) => [`/media/${m.hash}/${m.name}`, m.bytes]));
    const posts = (await db.prepare("SELECT path FROM posts WHERE status = 'published' AND instr(body_html, '<img') > 0 AND instr(body_html, '/media/') > 0 ORDER BY id").all()).results;
    const views = { "phone 390 px at 1×": [{ width: 390, height: 844 }, 1], "phone 390 px at 3×": [{ width: 390, height: 844 }, 3], "desktop 1280 px at 1×": [{ width: 1280, height: 900 }, 1] };
    const result = { posts: posts.length, libraryImages: media.length, views: {} };
    for (const [name, [viewport, scale]] of Object.entries(views)) {
      const total = { images: 0, before: 0, after: 0 };
      for (const { path: p } of posts) {
        const one = await load(browser, base + p, originals, viewport, scale);
        total.images += one.images;
        total.before += one.before;
        total.after += one.after;
      }
      result.views[name] = total;
    }
    return result;
  } finally {
    await browser.close();
    await mf.dispose();
  }
}

export function imagesLines(r) {
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  return [
    `Images: WordPress's theme unit test imported with photo-like JPEGs (${r.libraryImages} library images); its ${r.posts} published posts with library images opened in Chromium, scrolled to the end:`,
    "",
    "| view | images shown | originals (before srcset) | sent | sent ÷ before |",
    "|---|---|---|---|---|",
    ...Object.entries(r.views).map(([name, v]) => `| ${name} | ${v.images} | ${kb(v.before)} | ${kb(v.after)} | ${(v.after / v.before).toFixed(2)} |`),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-images-"));
  const r = await measureImages(work);
  console.log(imagesLines(r));
  fs.rmSync(work, { recursive: true, force: true });
}
