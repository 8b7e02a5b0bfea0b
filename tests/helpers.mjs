// Test harness: runs the two built Workers in workerd through Miniflare's API, as deployed: the
// reader Worker (build/index.js, wrangler.toml) in front, with its AUTHOR service binding to the
// author Worker (build-author/index.js, wrangler.author.toml), both on real local D1 and KV. Each
// blog gets a fresh copy of a database that `wrangler d1 migrations apply` prepared (and, for the
// demo, `wrangler d1 execute` loaded with demo/health-techie.sql and the author Worker rendered).
import { Miniflare } from "miniflare";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { encodePng } from "../scripts/png.mjs";

export const ROOT = path.resolve(import.meta.dirname, "..");
const STATE = path.join(ROOT, "target", "test-state");
export const BASE = "http://127.0.0.1:8787";
export const READER = "edge-blog";
export const AUTHOR = "edge-blog-author";
export const ADMIN_TOKEN = "test-admin-token";
export const FORM_SECRET = "test-form-secret";

/** The `[vars]` and binding ids of a wrangler configuration (the only TOML shapes it uses). */
export function wranglerConfig(file = "wrangler.toml") {
  const toml = fs.readFileSync(path.join(ROOT, file), "utf8");
  const vars = {};
  const section = toml.split(/^\[vars\]$/m)[1]?.split(/^\[/m)[0] ?? "";
  for (const m of section.matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)) vars[m[1]] = m[2];
  const d1 = toml.match(/database_id\s*=\s*"([^"]+)"/)[1];
  const kv = toml.match(/\[\[kv_namespaces\]\][^[]*?id\s*=\s*"([^"]+)"/)[1];
  const compatibilityDate = toml.match(/^compatibility_date\s*=\s*"([^"]+)"/m)[1];
  const r2 = toml.match(/\[\[r2_buckets\]\][^[]*?bucket_name\s*=\s*"([^"]+)"/)[1];
  const queue = toml.match(/\[\[queues\.producers\]\][^[]*?queue\s*=\s*"([^"]+)"/)?.[1];
  const consumes = /\[\[queues\.consumers\]\]/.test(toml);
  const email = /\[\[send_email\]\]/.test(toml);
  return { vars, d1, kv, r2, compatibilityDate, queue, consumes, email };
}

/** Runs a wrangler command on local state kept in `persistTo`. */
export function wrangler(args, persistTo) {
  execFileSync(path.join(ROOT, "node_modules/.bin/wrangler"), [...args, "--local", "--persist-to", persistTo], {
    cwd: ROOT,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdio: "pipe",
  });
}

/**
 * Miniflare options for both Workers on the state in `dir`. `vars` override [vars] and add
 * secrets in both; `reader` and `author` are extra Miniflare options for each Worker.
 */
export function blogOptions(dir, { vars = {}, reader = {}, author = {}, log = [] } = {}) {
  const readerConfig = wranglerConfig();
  const authorConfig = wranglerConfig("wrangler.author.toml");
  const worker = (config, scriptPath) => ({
    modules: true,
    scriptPath: path.join(ROOT, scriptPath),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: config.compatibilityDate,
    d1Databases: { DB: config.d1 },
    kvNamespaces: { CACHE: config.kv },
    r2Buckets: { MEDIA: config.r2 },
    ...(config.queue ? { queueProducers: { OUTBOX: { queueName: config.queue } } } : {}),
    ...(config.consumes ? { queueConsumers: { [config.queue]: { maxBatchTimeout: 0.05, maxRetries: 10 } } } : {}),
    ...(config.email ? { email: { send_email: [{ name: "EMAIL" }] } } : {}),
  });
  return {
    workers: [
      {
        name: READER,
        ...worker(readerConfig, "build/index.js"),
        bindings: { ...readerConfig.vars, FORM_SECRET, ...vars },
        serviceBindings: { AUTHOR },
        ...reader,
      },
      {
        name: AUTHOR,
        ...worker(authorConfig, "build-author/index.js"),
        bindings: { ...authorConfig.vars, ADMIN_TOKEN, ...vars },
        ...author,
      },
    ],
    // wrangler's --persist-to layout: <dir>/v3/{d1,kv,cache}.
    d1Persist: path.join(dir, "v3", "d1"),
    kvPersist: path.join(dir, "v3", "kv"),
    cachePersist: path.join(dir, "v3", "cache"),
    r2Persist: path.join(dir, "v3", "r2"),
    handleRuntimeStdio(stdout, stderr) {
      stdout.on("data", (d) => log.push(String(d)));
      stderr.on("data", (d) => log.push(String(d)));
    },
  };
}

/** The demo post's illustration, as the demo seed names it (by its SHA-256). */
export const DEMO_IMAGE = path.join(ROOT, "demo", "health-is-social.png");

/** Uploads the demo post's illustration to the media library, as `npm run dev` does. */
export async function uploadDemoImage(fetch) {
  const res = await fetch(`${BASE}/admin/media?name=health-is-social.png&alt=${encodeURIComponent("A patient at the centre of a web of people")}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "image/png" },
    body: fs.readFileSync(DEMO_IMAGE),
  });
  if (![200, 201].includes(res.status)) throw new Error(`POST /admin/media: ${res.status} ${await res.text()}`);
}

/** Asks the author Worker to render every row that plain SQL wrote (the demo seed). */
export async function renderStale(fetch) {
  for (let round = 0; round < 100; round++) {
    const res = await fetch(`${BASE}/admin/renders`, { method: "POST", headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`POST /admin/renders: ${res.status} ${JSON.stringify(json)}`);
    if (!json.remaining) return;
  }
  throw new Error("POST /admin/renders kept finding stale rows");
}

/**
 * A state folder with the migrations applied (and the demo loaded, and rendered unless `raw`),
 * made once and reused.
 */
async function templateState(demo, raw) {
  const dir = path.join(STATE, demo ? (raw ? "demo-raw" : "demo") : "empty");
  const migrations = fs.readdirSync(path.join(ROOT, "migrations")).join(",");
  const stamp = path.join(dir, "stamp");
  const built = fs.statSync(path.join(ROOT, "build-author/index_bg.wasm")).mtimeMs;
  const want = `${migrations}|${fs.statSync(path.join(ROOT, "demo/health-techie.sql")).mtimeMs}|${fs.statSync(DEMO_IMAGE).mtimeMs}|${built}`;
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === want) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  wrangler(["d1", "migrations", "apply", "DB"], tmp);
  if (demo) wrangler(["d1", "execute", "DB", "--file", "demo/health-techie.sql"], tmp);
  if (demo && !raw) {
    const mf = new Miniflare(blogOptions(tmp));
    try {
      const fetch = (url, init) => mf.dispatchFetch(url, init);
      await uploadDemoImage(fetch);
      await renderStale(fetch);
    } finally {
      await mf.dispose();
    }
  }
  fs.writeFileSync(path.join(tmp, "stamp"), want);
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another test process won the race
  }
  return dir;
}

/**
 * Starts both Workers on a fresh database. `demo`: load the reference post (`raw`: as plain SQL
 * left it, not yet rendered). `vars`: override [vars] and add secrets. `settings`: rows of the
 * settings table (as `blogctl settings set` stores them). `reader`, `author`: extra
 * Miniflare options for either Worker.
 */
export async function startBlog({ demo = true, raw = false, vars = {}, settings = {}, reader = {}, author = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blog-test-"));
  fs.cpSync(await templateState(demo, raw), dir, { recursive: true });
  const log = [];
  const options = blogOptions(dir, { vars, reader, author, log });
  const mf = new Miniflare(options);
  await mf.ready;
  const db = await mf.getD1Database("DB", READER);
  for (const [key, value] of Object.entries(settings)) {
    await db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)").bind(key, value).run();
  }
  const kv = await mf.getKVNamespace("CACHE", READER).catch(() => null); // absent in the KV-failure test
  const blog = {
    mf,
    db,
    kv,
    log,
    /** Restarts the Workers with other options for the reader Worker (and the author's). */
    async reconfigure({ reader: r = {}, author: a = {} }) {
      await mf.setOptions(blogOptions(dir, { vars, reader: { ...reader, ...r }, author: { ...author, ...a }, log }));
      // Stubs from before the restart are dead.
      blog.db = await mf.getD1Database("DB", READER);
      blog.kv = await mf.getKVNamespace("CACHE", READER).catch(() => null);
    },
    fetch: (p, init) => mf.dispatchFetch(BASE + p, { redirect: "manual", ...init }),
    async text(p, init) {
      const res = await this.fetch(p, init);
      return { res, body: await res.text() };
    },
    async close() {
      await mf.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return blog;
}

/** Asserts that `needles` occur in `haystack` in this order; returns their positions. */
export function inOrder(assert, haystack, needles) {
  let at = 0;
  return needles.map((needle) => {
    const found = haystack.indexOf(needle, at);
    assert.ok(found >= 0, `expected ${JSON.stringify(needle)} after position ${at}`);
    at = found + needle.length;
    return found;
  });
}

/** Calls the admin API; returns { res, json }. */
export async function admin(blog, method, path, body, token = ADMIN_TOKEN) {
  const headers = {};
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await blog.fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { unparsed: text };
  }
  return { res, json };
}

/** Fetches a page and returns { status, cache, body }. */
export async function page(blog, path) {
  const res = await blog.fetch(path);
  return { status: res.status, cache: res.headers.get("x-blog-cache"), body: await res.text() };
}


/** A form token as the Worker issues it (tests use this to control the form's age). */
export async function mintToken(postId, issuedAt) {
  const { createHmac } = await import("node:crypto");
  const tag = createHmac("sha256", FORM_SECRET).update(`comment-form|${postId}|${issuedAt}`).digest("hex");
  return `${issuedAt}.${tag}`;
}

/** The comment form's hidden token in a page. */
export function formToken(html) {
  return html.match(/name="token" value="([^"]*)"/)?.[1];
}

/** Posts the comment form; `fields` are the form's fields, `ip` the simulated client. */
export async function postComment(blog, slug, fields, ip = "203.0.113.1") {
  const res = await blog.fetch(`/posts/${slug}/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": ip },
    body: new URLSearchParams(fields).toString(),
  });
  return { res, status: res.status, location: res.headers.get("location"), body: await res.text() };
}

/** X-Blog-Cache values of a page served without rendering: the Cache API ("edge") or KV ("hit"). */
export const CACHED = /^(edge|hit)$/;

/** A real PNG of `width`×`height` (RGB, a gradient), written by the project's own encoder. */
export function makePng(width, height, seed = 0) {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) px.set([(x * 255) / width, (y * 255) / height, seed & 255], (y * width + x) * 3);
  return encodePng(width, height, px);
}

/**
 * The messages the EMAIL binding has written so far, parsed (Miniflare stores each as an .eml file
 * and logs its path). Waits until there are at least `atLeast` of them (or `timeout` ms).
 */
export async function sentMail(blog, { atLeast = 0, timeout = 8000 } = {}) {
  const { default: PostalMime } = await import("postal-mime");
  const deadline = Date.now() + timeout;
  for (;;) {
    const files = [...new Set([...blog.log.join("").matchAll(/Email: (\S+\.eml)/g)].map((m) => m[1]))];
    if (files.length >= atLeast || Date.now() > deadline) {
      const mails = [];
      for (const file of files) {
        const raw = fs.readFileSync(file);
        const parsed = await PostalMime.parse(raw);
        mails.push({ ...parsed, raw: raw.toString("utf8"), to: parsed.to?.map((a) => a.address) ?? [] });
      }
      return mails;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A link to this blog in a mail's text, as a path (`/email/confirm/…`). */
export function mailLink(mail, pattern) {
  const found = mail.text.match(new RegExp(`http://127\\.0\\.0\\.1:8787(${pattern.source})`));
  return found?.[1];
}
