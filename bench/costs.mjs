// What each path costs on Cloudflare's meters, counted by the Workers' own binding calls (the
// metered entry of tests/costs-meter.js, as the tests run them), one request at a time so that
// each count is that request's; then a month of a blog with 1,000,000 page views and 1,000
// comments, set against the free and the paid plans' limits (README.md, "What a view costs").
//
//   node bench/costs.mjs      (the benchmark runs it too)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Miniflare } from "miniflare";
import { blogOptions, wrangler, costLines, uploadDemoImage, renderStale, formToken, ADMIN_TOKEN, BASE, DEMO_IMAGE } from "../tests/helpers.mjs";
import crypto from "node:crypto";

const SLUG = "health-is-social-aint-no-doubt";
const CHROME_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
const MEDIA_PATH = `/media/${crypto.createHash("sha256").update(fs.readFileSync(DEMO_IMAGE)).digest("hex")}/health-is-social.png`;
const VARIANT_PATH = MEDIA_PATH.replace("/health-is-social.png", "/w480/health-is-social.png");

const METERS = ["d1_queries", "d1_rows_read", "d1_rows_written", "kv_reads", "kv_writes", "kv_deletes", "r2_class_a", "r2_class_b", "cache_reads", "cache_writes", "cache_deletes", "queue_messages", "image_transforms"];

/** Runs `step`, waits until the Workers are quiet, and sums the costs lines it caused. */
async function costOf(log, step) {
  const from = costLines(log).length;
  const requests = await step();
  let seen = -1;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const now = costLines(log).length;
    if (now === seen) break;
    seen = now;
  }
  const lines = costLines(log).slice(from);
  const total = Object.fromEntries(METERS.map((m) => [m, 0]));
  for (const line of lines) for (const m of METERS) total[m] += line[m] ?? 0;
  // Requests a Worker answered from outside (not the author Worker's service-binding calls, not
  // queue or cron runs): what the Workers plans count.
  total.requests = requests;
  total.invocations = lines.map((l) => `${l.worker}: ${l.what}`);
  return total;
}

export async function measureCosts(work) {
  const dir = path.join(work, "costs-state");
  wrangler(["d1", "migrations", "apply", "DB"], dir);
  wrangler(["d1", "execute", "DB", "--file", "demo/health-techie.sql"], dir);
  const log = [];
  const mf = new Miniflare(blogOptions(dir, { log, trace: true }));
  await mf.ready;
  const fetchBlog = (p, init) => mf.dispatchFetch(BASE + p, { redirect: "manual", ...init });
  try {
    await uploadDemoImage((url, init) => mf.dispatchFetch(url, init));
    await renderStale((url, init) => mf.dispatchFetch(url, init));
    const db = await mf.getD1Database("DB", "edge-blog");
    await db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('comment_min_seconds', '0')").run();
    const get = async (p, headers = {}) => {
      const res = await fetchBlog(p, { headers });
      await res.arrayBuffer();
      return 1;
    };
    const paths = {};
    paths["page, first view (miss: rendered, kept in KV and the Cache API)"] = await costOf(log, () => get(`/posts/${SLUG}`));
    paths["page, cached"] = await costOf(log, () => get(`/posts/${SLUG}`));
    await costOf(log, () => get(MEDIA_PATH));
    paths["media file, cached"] = await costOf(log, () => get(MEDIA_PATH));
    paths["image variant, first request (made, kept in R2)"] = await costOf(log, () => get(VARIANT_PATH, { Accept: CHROME_ACCEPT }));
    paths["image variant, cached"] = await costOf(log, () => get(VARIANT_PATH, { Accept: CHROME_ACCEPT }));
    let html;
    await costOf(log, async () => ((html = await (await fetchBlog(`/posts/${SLUG}`)).text()), 1));
    paths["comment (held for moderation)"] = await costOf(log, async () => {
      const res = await fetchBlog(`/posts/${SLUG}/comments`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "198.51.100.7" },
        body: new URLSearchParams({ token: formToken(html), author: "Costa", email: "costa@example.org", body: "What does this cost?", url: "", subject: "" }).toString(),
      });
      await res.arrayBuffer();
      return 1;
    });
    const admin = (method, p, body) =>
      fetchBlog(p, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" }, body: body && JSON.stringify(body) }).then((r) => r.arrayBuffer());
    const held = await db.prepare("SELECT id FROM comments WHERE author_name = 'Costa'").first();
    paths["comment approved (the post's pages purged)"] = await costOf(log, async () => (await admin("PATCH", `/admin/comments/${held.id}`, { status: "approved" }), 1));
    paths["post published (rendered, pages purged, mail and fediverse queued)"] = await costOf(log, async () => (await admin("POST", "/admin/posts", { title: "What it costs", slug: "what-it-costs", body: "Counted.", status: "published" }), 1));
    const cron = async () => {
      await (await mf.getWorker("edge-blog-author")).scheduled({ cron: "* * * * *" });
      return 0;
    };
    // The first run makes the day's backup and looks back a day for scheduled posts.
    paths["cron run, the day's first (backup made)"] = await costOf(log, cron);
    paths["cron run, nothing due"] = await costOf(log, cron);
    return paths;
  } finally {
    await mf.dispose();
  }
}

/**
 * The plans' limits, as Cloudflare publishes them (2026-12; README.md cites each page). Per day
 * limits are counted as 30 days' worth in a month.
 */
export const PLANS = {
  requests: { label: "Workers requests", free: 100_000 * 30, paid: 10_000_000, cite: "workers/platform/pricing" },
  d1_rows_read: { label: "D1 rows read", free: 5_000_000 * 30, paid: 25_000_000_000, cite: "d1/platform/pricing" },
  d1_rows_written: { label: "D1 rows written", free: 100_000 * 30, paid: 50_000_000, cite: "d1/platform/pricing" },
  kv_reads: { label: "KV reads", free: 100_000 * 30, paid: 10_000_000, cite: "kv/platform/pricing" },
  kv_writes: { label: "KV writes", free: 1_000 * 30, paid: 1_000_000, cite: "kv/platform/pricing" },
  kv_deletes: { label: "KV deletes", free: 1_000 * 30, paid: 1_000_000, cite: "kv/platform/pricing" },
  r2_class_a: { label: "R2 class A (writes, lists)", free: 1_000_000, paid: 1_000_000, cite: "r2/pricing" },
  r2_class_b: { label: "R2 class B (reads)", free: 10_000_000, paid: 10_000_000, cite: "r2/pricing" },
  queue_messages: { label: "Queues operations (3 a message: write, read, delete)", free: 10_000 * 30, paid: 1_000_000, perUnit: 3, cite: "queues/platform/pricing" },
  image_transforms: { label: "Images: unique transformations", free: 5_000, paid: 5_000, cite: "images/pricing" },
};

/**
 * A month of 1,000,000 page views and 1,000 comments. A view is one page (a share of them misses
 * the data centre's cache) and the images it shows (two variants, cached), plus its favicon
 * at most once a week per reader (left out). Posts: 20 published a month; the cron job runs every
 * minute (43,200 runs).
 */
export function month(paths, { views = 1_000_000, comments = 1_000, posts = 20, missShare = 0.02, imagesPerView = 2, variantsMade = 20 * 2 * 6 * 2 } = {}) {
  const plan = [
    ["page, cached", views * (1 - missShare)],
    ["page, first view (miss: rendered, kept in KV and the Cache API)", views * missShare],
    ["image variant, cached", views * imagesPerView - variantsMade],
    ["image variant, first request (made, kept in R2)", variantsMade],
    ["comment (held for moderation)", comments],
    ["comment approved (the post's pages purged)", comments],
    ["post published (rendered, pages purged, mail and fediverse queued)", posts],
    ["cron run, the day's first (backup made)", 30],
    ["cron run, nothing due", 43_200 - 30],
  ];
  const total = {};
  for (const [name, times] of plan) {
    for (const [meter, n] of Object.entries(paths[name])) {
      if (typeof n === "number") total[meter] = (total[meter] ?? 0) + n * times;
    }
  }
  return { assumptions: { views, comments, posts, missShare, imagesPerView, variantsMade, cronRuns: 43_200 }, total };
}

export function costsLines(paths) {
  const shown = ["d1_queries", "d1_rows_read", "d1_rows_written", "kv_reads", "kv_writes", "kv_deletes", "r2_class_a", "r2_class_b", "cache_reads", "cache_writes", "cache_deletes", "queue_messages", "image_transforms"];
  const lines = [
    "What each path costs (counted by the Workers' binding calls, one request at a time; the author Worker's and queue consumers' work included):",
    "",
    `| path | ${shown.join(" | ")} |`,
    `|---|${shown.map(() => "---").join("|")}|`,
    ...Object.entries(paths).map(([name, c]) => `| ${name} | ${shown.map((m) => c[m]).join(" | ")} |`),
  ];
  const m = month(paths);
  const a = m.assumptions;
  lines.push(
    "",
    `A month of ${a.views.toLocaleString("en")} page views and ${a.comments.toLocaleString("en")} comments (each approved), ${a.posts} posts, ${(a.missShare * 100).toFixed(0)} % of views missing the data centre's cache, ${a.imagesPerView} images a view (${a.variantsMade} variants made), the cron job every minute:`,
    "",
    "| meter | a month | free plan | of free | paid plan (included) | of paid |",
    "|---|---|---|---|---|---|",
  );
  // Each view's page and images, each comment's POST and its moderation.
  const requests = a.views * (1 + a.imagesPerView) + a.comments * 2;
  const totals = { ...m.total, requests };
  for (const [meter, limit] of Object.entries(PLANS)) {
    const used = (totals[meter] ?? 0) * (limit.perUnit ?? 1);
    const pct = (l) => `${((used / l) * 100).toFixed(1)} %`;
    lines.push(`| ${limit.label} | ${Math.round(used).toLocaleString("en")} | ${limit.free.toLocaleString("en")} | ${pct(limit.free)} | ${limit.paid.toLocaleString("en")} | ${pct(limit.paid)} |`);
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-costs-"));
  const paths = await measureCosts(work);
  console.log(costsLines(paths));
  fs.writeFileSync(path.join(work, "..", "bench-costs.json"), JSON.stringify(paths, null, 2));
  fs.rmSync(work, { recursive: true, force: true });
}
