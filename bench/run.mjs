// The benchmark: our pages against floors measured in the same run, on loopback, everything in
// local workerd. Throughput from wrk, latency percentiles from oha; rounds interleaved (A B C … A B
// C …); medians with min–max. Writes bench/results/latest.json and latest.md.
//
//   node bench/run.mjs [--seconds 5] [--rounds 3] [--skip-scale] [--only REGEX]
//
// --only measures just the targets whose names match and prints their figures (a quick look while
// working; the report files are left as they are). The newsletter's figure alone:
// `node bench/newsletter.mjs`; the fediverse's fan-out: `node bench/fediverse.mjs`.
//
// Never part of the test command: it takes minutes and its figures are for reading, not asserting.
import { Miniflare } from "miniflare";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHmac } from "node:crypto";
import { wranglerConfig, wrangler, blogOptions, renderStale as renderWith, uploadDemoImage, DEMO_IMAGE, ROOT, READER, BASE } from "../tests/helpers.mjs";
import crypto from "node:crypto";
import { measureNewsletter, newsletterLine } from "./newsletter.mjs";
import { measureFanOut, fanOutLine } from "./fediverse.mjs";
import { measureCosts, costsLines } from "./costs.mjs";
import { measureImages, imagesLines } from "./images.mjs";
import { measureColdStart, coldStartLines } from "./coldstart.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const SECONDS = Number(opt("seconds", 5));
const ROUNDS = Number(opt("rounds", 3));
const ONLY = opt("only", null);
const SKIP_SCALE = args.includes("--skip-scale") || ONLY !== null;
const CONNECTIONS = 16;
const TOOLS = process.env.TOOLS_DIR || path.join(ROOT, ".tools");
const OHA = path.join(TOOLS, "bin", "oha");
const WORKERD = path.join(ROOT, "node_modules", "workerd", "bin", "workerd");
const SLUG = "health-is-social-aint-no-doubt";
const FORM_SECRET = "bench-form-secret";
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "blog-bench-"));
const config = wranglerConfig();
/** The renderer versions the Workers store with rendered rows (generated rows are stored as rendered). */
const version = (name) =>
  Number(fs.readFileSync(path.join(ROOT, "crates/core/src/model.rs"), "utf8").match(new RegExp(`pub const ${name}: i64 = (\\d+)`))[1]);
const MARKDOWN_VERSION = version("MARKDOWN");
const COMMENT_VERSION = version("COMMENT_TEXT");

const log = (...a) => console.error(...a);
/** The demo post's illustration in the media library (the demo seed names it by its hash). */
const MEDIA_PATH = `/media/${crypto.createHash("sha256").update(fs.readFileSync(DEMO_IMAGE)).digest("hex")}/health-is-social.png`;
/** The illustration's 480 px variant, as Chromium asks for it (AVIF). */
const VARIANT_PATH = MEDIA_PATH.replace("/health-is-social.png", "/w480/health-is-social.png");
const AVIF = { Accept: "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8" };
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A database with the migrations applied and the demo loaded. */
function prepareState(name) {
  const dir = path.join(WORK, name);
  wrangler(["d1", "migrations", "apply", "DB"], dir);
  wrangler(["d1", "execute", "DB", "--file", "demo/health-techie.sql"], dir);
  // The benchmark sends many comments from one client: the rate limit would refuse them.
  wrangler(["d1", "execute", "DB", "--command", "INSERT OR REPLACE INTO settings (key, value) VALUES ('comment_rate_limit', '10000')"], dir);
  // A tag on the demo post, so that the small blog has a tag page to compare with.
  wrangler(["d1", "execute", "DB", "--command", "INSERT INTO post_tags (post_id, tag, slug) VALUES (1, 'Social media', 'social-media')"], dir);
  return dir;
}

/**
 * Starts the blog's two Workers as the tests do (tests/helpers.mjs), with the benchmark's settings
 * and a direct socket on the reader, plus `floors`; returns Miniflare and each direct URL by name
 * (the reader's as `blog`).
 */
async function start(state, floors = []) {
  const options = blogOptions(state, {
    vars: { FORM_SECRET, BENCH_FORCE_MISS: "1" },
    reader: { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] },
    trace: false,
  });
  options.workers.push(...floors);
  const mf = new Miniflare(options);
  await mf.ready;
  const urls = {};
  for (const w of options.workers.filter((w) => w.unsafeDirectSockets)) {
    urls[w.name] = String(await mf.unsafeGetDirectURL(w.name)).replace(/\/$/, "");
  }
  urls.blog = urls[READER];
  return { mf, urls };
}

/** SQL that adds `n` approved comments (threaded: every fifth replies to the one before) to a post. */
function commentsSql(postSlug, n, startAt) {
  // Stored as plain SQL leaves them (not rendered); the benchmark then has the author Worker render them.
  return `INSERT INTO comments (post_id, parent_id, author_name, author_email, body, status, created_at)
    WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})
    SELECT (SELECT id FROM posts WHERE slug = '${postSlug}'), NULL, 'Reader ' || i, 'reader' || i || '@example.org',
           'A comment of a realistic length, number ' || i || '. ' || substr(hex(randomblob(120)), 1, 200),
           'approved', ${startAt} + i * 60 FROM k`;
}

async function run(cmd, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${argv.join(" ")}: ${err || out}`))));
  });
}

/** Requests per second from wrk. */
async function throughput(target) {
  const argv = ["-t2", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "--latency"];
  if (target.lua) argv.push("-s", target.lua);
  for (const [k, v] of Object.entries(target.headers || {})) argv.push("-H", `${k}: ${v}`);
  const out = await run("wrk", [...argv, target.url]);
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  const errors = out.match(/Non-2xx or 3xx responses: (\d+)/);
  if (errors) log(`  ${target.name}: ${errors[1]} non-2xx/3xx answers`);
  return rps;
}

/** p50 and p99 in milliseconds from oha. */
async function latency(target) {
  const argv = ["-z", `${SECONDS}s`, "-c", String(CONNECTIONS), "--no-tui", "--output-format", "json"];
  for (const [k, v] of Object.entries(target.headers || {})) argv.push("-H", `${k}: ${v}`);
  const out = JSON.parse(await run(OHA, [...argv, target.url]));
  const p = out.latencyPercentiles;
  return { p50: p.p50 * 1000, p99: p.p99 * 1000 };
}

/** Interleaved rounds over the targets; median and range of each figure. */
async function measure(targets) {
  const samples = Object.fromEntries(targets.map((t) => [t.name, { rps: [], p50: [], p99: [] }]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      const rps = await throughput(t);
      samples[t.name].rps.push(rps);
      if (!t.lua) {
        const { p50, p99 } = await latency(t);
        samples[t.name].p50.push(p50);
        samples[t.name].p99.push(p99);
      }
      log(`  round ${round}/${ROUNDS} ${t.name}: ${rps.toFixed(0)} req/s`);
    }
  }
  const summary = {};
  for (const [name, s] of Object.entries(samples)) {
    const stat = (xs) => (xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) } : null);
    summary[name] = { rps: stat(s.rps), p50: stat(s.p50), p99: stat(s.p99) };
  }
  return summary;
}

function staticFloor(page) {
  const dir = path.join(WORK, "static");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "page.html"), page);
  const port = 19_000 + Math.floor(Math.random() * 1000);
  const capnp = path.join(WORK, "static.capnp");
  fs.writeFileSync(
    capnp,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "static", disk = (path = ${JSON.stringify(dir)}, writable = false))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "static")]
);
`,
  );
  const child = spawn(WORKERD, ["serve", capnp], { stdio: "ignore", detached: true });
  return { url: `http://127.0.0.1:${port}/page.html`, stop: () => process.kill(-child.pid) };
}

function postLua(url) {
  const file = path.join(WORK, "post.lua");
  const issued = Math.floor(Date.now() / 1000) - 60;
  const token = `${issued}.${createHmac("sha256", FORM_SECRET).update(`comment-form|1|${issued}`).digest("hex")}`;
  fs.writeFileSync(
    file,
    `local n = 0
request = function()
  n = n + 1
  local body = "token=${token}&author=Bench+Reader&email=bench" .. n .. "%40example.org&url=&subject=&body=Benchmark+comment+number+" .. n .. "+from+thread+" .. tostring({}):sub(8)
  local headers = {}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["CF-Connecting-IP"] = "10." .. (n % 250) .. "." .. math.floor(n / 250) % 250 .. ".1"
  return wrk.format("POST", "${new URL(url).pathname}", headers, body)
end
`,
  );
  return file;
}

/** `wrangler deploy --dry-run`'s upload sizes of one Worker, and its wasm's size. */
function wasmSize(configFile, buildDir) {
  const out = execFileSync(
    path.join(ROOT, "node_modules/.bin/wrangler"),
    ["deploy", "--dry-run", "-c", configFile, "--outdir", path.join(WORK, `dist-${buildDir}`)],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  const m = out.match(/Total Upload:\s*([\d.]+) KiB \/ gzip:\s*([\d.]+) KiB/);
  const wasm = fs.statSync(path.join(ROOT, buildDir, "index_bg.wasm")).size;
  return { uploadKiB: m ? Number(m[1]) : null, gzipKiB: m ? Number(m[2]) : null, wasmBytes: wasm };
}

/** The scale targets' names, and the small blog's page each is compared with. */
const SCALE_TARGETS = {
  "home page 1": "ours: home page, forced miss",
  "home page 500": "ours: home page, forced miss",
  "a tag page (a tag on every 20th post)": "ours: tag page, forced miss",
  "post with 1,000 comments": "ours: post page, forced miss (100 comments)",
};

/**
 * Loads a blog of `posts` posts (with 60 pages, 12 of them in the menu, and a tag on every post)
 * and `comments` comments (1,000 of them on one post) with recursive SQL, and measures the
 * uncached pages of `SCALE_TARGETS` on it.
 */
async function measureScale(posts, comments, miss) {
  log(`Scale: loading ${posts} posts and ${comments} comments`);
  const dir = prepareState(`big-${posts}`);
  const { mf, urls } = await start(dir);
  try {
    const db = await mf.getD1Database("DB", READER);
    await uploadDemoImage((url, init) => fetch(url.replace(BASE, urls.blog), init));
    await renderWith((url, init) => fetch(url.replace(BASE, urls.blog), init)); // the demo post
    const k = (n) => `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})`;
    const started = Date.now();
    // Generated rows are stored as the Workers store them: with their HTML and lead.
    await db
      .prepare(
        `INSERT INTO posts (slug, title, body, status, published_at, updated_at, body_html, lead, rendered_by)
         ${k(posts)}, t(i, text) AS (SELECT i, 'A paragraph of generated text for post ' || i || '. ' || substr(hex(randomblob(600)), 1, 1200) FROM k)
         SELECT 'generated-post-' || i, 'Generated post number ' || i, text,
                'published', 1300000000 + i * 3600, 1300000000 + i * 3600,
                '<p>' || text || '</p>' || char(10), substr(text, 1, 400), ${MARKDOWN_VERSION} FROM t`,
      )
      .run();
    await db
      .prepare(
        `INSERT INTO posts (slug, title, body, status, published_at, updated_at, body_html, lead, rendered_by, kind, menu_order, in_menu, path)
         ${k(60)} SELECT 'generated-page-' || i, 'Page ' || i, 'Page text', 'published', 1300000000, 1300000000,
                '<p>Page text</p>' || char(10), 'Page text', ${MARKDOWN_VERSION}, 'page', i, i % 5 = 0, '/generated-page-' || i || '/' FROM k`,
      )
      .run();
    await db.prepare(`INSERT INTO post_tags (post_id, tag, slug) SELECT id, 'Tag ' || (id % 20), 'tag-' || (id % 20) FROM posts WHERE slug GLOB 'generated-post-*'`).run();
    await db.prepare(commentsSql(`generated-post-${posts / 2}`, 1000, 1320000000)).run();
    for (let done = 0; done < comments - 1000; done += 100_000) {
      const n = Math.min(100_000, comments - 1000 - done);
      await db
        .prepare(
          `INSERT INTO comments (post_id, author_name, author_email, body, status, created_at, body_html, rendered_by)
           ${k(n)} SELECT 2 + ((i + ${done}) % ${posts}), 'Reader ' || i, 'r' || i || '@example.org', 'Generated comment ' || i, 'approved',
                  1300000000 + (i + ${done}) * 6, '<p>Generated comment ' || i || '</p>' || char(10), ${COMMENT_VERSION} FROM k`,
        )
        .run();
    }
    const count = await db.prepare("SELECT (SELECT COUNT(*) FROM posts) AS posts, (SELECT COUNT(*) FROM comments) AS comments").first();
    log(`  loaded: ${count.posts} posts, ${count.comments} comments in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const label = `${posts / 1000}k`;
    const targets = [
      { name: `big ${label}: home page 1`, url: `${urls.blog}/`, headers: miss },
      { name: `big ${label}: home page 500`, url: `${urls.blog}/page/500`, headers: miss },
      { name: `big ${label}: a tag page (a tag on every 20th post)`, url: `${urls.blog}/tags/tag-7`, headers: miss },
      { name: `big ${label}: post with 1,000 comments`, url: `${urls.blog}/posts/generated-post-${posts / 2}`, headers: miss },
    ];
    for (const t of targets) {
      const res = await fetch(t.url, { headers: t.headers });
      if (res.status !== 200) throw new Error(`${t.url}: ${res.status}`);
      await res.arrayBuffer();
    }
    return { counts: count, results: await measure(targets) };
  } finally {
    await mf.dispose();
  }
}

async function main() {
  log(`Benchmark: ${ROUNDS} rounds × ${SECONDS} s per target, ${CONNECTIONS} connections; work in ${WORK}`);
  if (!fs.existsSync(OHA)) throw new Error(`oha is missing at ${OHA}: run scripts/bench.sh, which installs it`);

  // Phase 1: the reference post with 100 comments, and its page as the floors' bytes.
  const small = prepareState("small");
  let { mf, urls } = await start(small);
  const db = await mf.getD1Database("DB", READER);
  await db.prepare(commentsSql(SLUG, 97, 1300420000)).run();
  await uploadDemoImage((url, init) => fetch(url.replace(BASE, urls.blog), init));
  await renderWith((url, init) => fetch(url.replace(BASE, urls.blog), init));
  const pageResponse = await fetch(`${urls.blog}/posts/${SLUG}`);
  const pageHtml = await pageResponse.text();
  await mf.dispose();
  const pageFile = path.join(WORK, "page.html");
  fs.writeFileSync(pageFile, pageHtml);
  // The floors answer with the blog's headers too (all but those the runtime sets itself).
  const headersFile = path.join(WORK, "headers.txt");
  const skip = new Set(["content-length", "date", "transfer-encoding", "connection"]);
  fs.writeFileSync(headersFile, [...pageResponse.headers].filter(([k]) => !skip.has(k)).map(([k, v]) => `${k}: ${v}\n`).join(""));
  log(`The reference post with 100 comments: ${pageHtml.length} bytes`);

  // The Rust floors carry the same bytes.
  execFileSync(path.join(TOOLS, "bin", "worker-build"), ["--release"], {
    cwd: path.join(ROOT, "bench", "floor"),
    env: {
      ...process.env,
      FLOOR_PAGE_FILE: pageFile,
      FLOOR_HEADERS_FILE: headersFile,
      WASM_BINDGEN_BIN: path.join(TOOLS, "bin", "wasm-bindgen"),
      WASM_OPT_BIN: path.join(ROOT, "node_modules/.bin/wasm-opt"),
      ESBUILD_BIN: path.join(ROOT, "node_modules/@esbuild/linux-x64/bin/esbuild"),
    },
    stdio: "pipe",
  });

  const floorRust = {
    name: "floor-rust",
    modules: true,
    scriptPath: path.join(ROOT, "bench/floor/build/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: config.compatibilityDate,
    d1Databases: { DB: config.d1 },
    kvNamespaces: { CACHE: config.kv },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  const floorJs = {
    name: "floor-js",
    modules: true,
    script: `const page = ${JSON.stringify(pageHtml)};
const headers = ${JSON.stringify([...pageResponse.headers].filter(([k]) => !skip.has(k)))};
export default { fetch() { return new Response(page, { headers }); } };`,
    compatibilityDate: config.compatibilityDate,
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  ({ mf, urls } = await start(small, [floorRust, floorJs]));
  const kv = await mf.getKVNamespace("CACHE", READER);
  await kv.put("floor:page", pageHtml);
  // Warm every cached page once.
  for (const p of [`/posts/${SLUG}`, "/", "/feed.atom", MEDIA_PATH]) await fetch(urls.blog + p);
  await fetch(urls.blog + VARIANT_PATH, { headers: AVIF });
  await fetch(`${urls["floor-rust"]}/edge`);
  const stat = staticFloor(pageHtml);
  await new Promise((r) => setTimeout(r, 500));

  const miss = { "X-Bench-Miss": "1" };
  const targets = [
    { name: "floor: static asset (workerd, no code)", url: stat.url },
    { name: "floor: JS Worker, same bytes", url: `${urls["floor-js"]}/` },
    { name: "floor: Rust Worker, same bytes", url: `${urls["floor-rust"]}/plain` },
    { name: "floor: Rust, one Cache API read", url: `${urls["floor-rust"]}/edge` },
    { name: "floor: Rust, one KV read", url: `${urls["floor-rust"]}/kv` },
    { name: "floor: Rust, one D1 query", url: `${urls["floor-rust"]}/d1` },
    { name: "floor: Rust, a miss's storage ops", url: `${urls["floor-rust"]}/miss` },
    { name: "ours: post page, cached", url: `${urls.blog}/posts/${SLUG}` },
    { name: "ours: post page, forced miss (100 comments)", url: `${urls.blog}/posts/${SLUG}`, headers: miss },
    { name: "ours: home page, cached", url: `${urls.blog}/` },
    { name: "ours: home page, forced miss", url: `${urls.blog}/`, headers: miss },
    { name: "ours: tag page, forced miss", url: `${urls.blog}/tags/social-media`, headers: miss },
    { name: "ours: Atom feed, cached", url: `${urls.blog}/feed.atom` },
    { name: "ours: media file, cached (6.5 KB PNG)", url: `${urls.blog}${MEDIA_PATH}` },
    { name: "ours: image variant, cached (480 px AVIF)", url: `${urls.blog}${VARIANT_PATH}`, headers: AVIF },
    { name: "ours: search", url: `${urls.blog}/search?q=social+media` },
    { name: "ours: comment POST (all checks)", url: `${urls.blog}/posts/${SLUG}/comments`, lua: postLua(`${urls.blog}/posts/${SLUG}/comments`) },
  ];
  const results = await measure(ONLY ? targets.filter((t) => new RegExp(ONLY).test(t.name)) : targets);
  stat.stop();
  await mf.dispose();
  if (ONLY) {
    for (const [name, s] of Object.entries(results)) {
      console.log(`${name}: ${s.rps.median.toFixed(0)} req/s (${s.rps.min.toFixed(0)}–${s.rps.max.toFixed(0)})`);
    }
    fs.rmSync(WORK, { recursive: true, force: true });
    return;
  }

  // Scale: the same uncached pages on a blog of 10,000 posts and 100,000 comments, and on one of
  // 100,000 posts and 1,000,000 comments.
  let scale = null;
  if (!SKIP_SCALE) {
    scale = [];
    for (const [posts, comments] of [[10_000, 100_000], [100_000, 1_000_000]]) {
      scale.push(await measureScale(posts, comments, miss));
    }
  }

  // The newsletter: one post to 10,000 subscribers (bench/newsletter.mjs).
  const newsletter = await measureNewsletter(WORK);
  // The fediverse: one post to 10,000 followers on 1,000 servers (bench/fediverse.mjs).
  const fediverse = await measureFanOut(WORK);
  // What each path costs on the platform's meters, and a month of them against the plans.
  const costs = await measureCosts(WORK);
  // Image bytes a phone downloads for the theme unit test's image posts, before and after srcset.
  const images = await measureImages(WORK);
  // A fresh isolate's first response: the reader beside the hello-world Rust Worker.
  const coldStart = await measureColdStart(WORK);
  const size = { reader: wasmSize("wrangler.toml", "build"), author: wasmSize("wrangler.author.toml", "build-author") };
  const report = { date: new Date().toISOString(), seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, pageBytes: pageHtml.length, results, scale, newsletter, fediverse, costs, images, coldStart, size };
  fs.writeFileSync(path.join(ROOT, "bench/results/latest.json"), JSON.stringify(report, null, 2));
  const md = markdown(report);
  fs.writeFileSync(path.join(ROOT, "bench/results/latest.md"), md);
  console.log(md);
  fs.rmSync(WORK, { recursive: true, force: true });
}

function markdown(r) {
  const f = (s, d = 0) => (s ? `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})` : "—");
  const rps = (name) => r.results[name]?.rps?.median;
  const lines = [
    `Benchmark of ${r.date}: ${r.rounds} interleaved rounds × ${r.seconds} s, ${r.connections} connections, loopback, local workerd (Miniflare direct sockets); page ${r.pageBytes} bytes.`,
    "",
    "| target | req/s median (min–max) | p50 ms | p99 ms |",
    "|---|---|---|---|",
    ...Object.entries(r.results).map(([name, s]) => `| ${name} | ${f(s.rps)} | ${f(s.p50, 2)} | ${f(s.p99, 2)} |`),
    "",
    "Ratios (throughput medians; latency medians):",
    "",
    "| ours | ÷ its storage floor | ÷ Rust floor | ÷ static floor | p50 ÷ floor's | p99 ÷ floor's |",
    "|---|---|---|---|---|---|",
  ];
  const pairs = [
    ["ours: post page, cached", "floor: Rust, one Cache API read"],
    ["ours: post page, forced miss (100 comments)", "floor: Rust, a miss's storage ops"],
    ["ours: home page, cached", "floor: Rust, one Cache API read"],
    ["ours: home page, forced miss", "floor: Rust, a miss's storage ops"],
    ["ours: tag page, forced miss", "floor: Rust, a miss's storage ops"],
    ["ours: Atom feed, cached", "floor: Rust, one Cache API read"],
    ["ours: media file, cached (6.5 KB PNG)", "floor: Rust, one Cache API read"],
    ["ours: image variant, cached (480 px AVIF)", "floor: Rust, one Cache API read"],
    ["ours: search", "floor: Rust, one D1 query"],
    ["ours: comment POST (all checks)", "floor: Rust, one D1 query"],
  ];
  for (const [ours, floor] of pairs) {
    const o = r.results[ours];
    const fl = r.results[floor];
    const lat = (k) => (o[k] && fl[k] ? (o[k].median / fl[k].median).toFixed(2) : "—");
    lines.push(
      `| ${ours} | ${(rps(ours) / rps(floor)).toFixed(2)} (${floor.replace("floor: ", "")}) | ${(rps(ours) / rps("floor: Rust Worker, same bytes")).toFixed(2)} | ${(rps(ours) / rps("floor: static asset (workerd, no code)")).toFixed(2)} | ${lat("p50")} | ${lat("p99")} |`,
    );
  }
  for (const scale of r.scale ?? []) {
    lines.push("", `Scale (${scale.counts.posts} posts, ${scale.counts.comments} comments), uncached pages against the small blog's:`, "", "| page | req/s | p50 ms | p99 ms | p50 ÷ small | p99 ÷ small |", "|---|---|---|---|---|---|");
    for (const [name, s] of Object.entries(scale.results)) {
      const small = SCALE_TARGETS[name.replace(/^big [^:]+: /, "")];
      const base = r.results[small];
      lines.push(`| ${name} (vs ${small.replace("ours: ", "")}) | ${f(s.rps)} | ${f(s.p50, 2)} | ${f(s.p99, 2)} | ${(s.p50.median / base.p50.median).toFixed(2)} | ${(s.p99.median / base.p99.median).toFixed(2)} |`);
    }
  }
  if (r.newsletter) lines.push("", newsletterLine(r.newsletter));
  if (r.fediverse) lines.push("", fanOutLine(r.fediverse));
  if (r.costs) lines.push("", costsLines(r.costs));
  if (r.images) lines.push("", imagesLines(r.images));
  if (r.coldStart) lines.push("", coldStartLines(r.coldStart));
  for (const [name, s] of Object.entries(r.size)) {
    const role = name === "reader" ? "reader Worker (what every cold reader loads)" : "author Worker (admin API, Markdown, cron; loaded by the author's requests only)";
    lines.push("", `Size of the ${role}: wasm ${(s.wasmBytes / 1024).toFixed(0)} KiB raw after wasm-opt; \`wrangler deploy --dry-run\`: ${s.uploadKiB} KiB upload, ${s.gzipKiB} KiB gzip.`);
  }
  return lines.join("\n") + "\n";
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
