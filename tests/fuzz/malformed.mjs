// A seeded, repeatable generator of malformed requests, and a runner that sends them to the
// Worker and tallies the answers. Used by tests/fuzz.test.mjs (a fast subset in `npm test`) and by
// `npm run fuzz` (10,000 requests or more).
import { startBlog } from "../helpers.mjs";

/** mulberry32: a small seeded PRNG, so a run can be repeated exactly. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SLUG = "health-is-social-aint-no-doubt";
const PATHS = [
  "/", `/posts/${SLUG}`, `/posts/${SLUG}/comments`, `/posts/${SLUG}/reply/1`, `/posts/${SLUG}/held/1/00ff`,
  "/page/2", "/tags/nhs", "/search", "/feed.atom", "/feed.rss", "/sitemap.xml", "/robots.txt",
  `/posts/${SLUG}/comments.atom`, "/admin/posts", `/admin/posts/${SLUG}`, `/admin/posts/${SLUG}/addenda`,
  `/admin/posts/${SLUG}/comments`, "/admin/comments", "/admin/comments/1", "/admin/import",
];
// (TRACE and CONNECT are left out: fetch refuses to send them.)
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "FOO", "get", "M-SEARCH"];
const STANDARD_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"];
const CONTENT_TYPES = [
  undefined, "application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded; charset=latin1", "application/json; charset=utf-16", "", "*/*", "application/xml",
];
const NASTY = [
  "%00", "%", "%ZZ", "%C0%AE%C0%AE", "..%2F..%2Fetc%2Fpasswd", "%2e%2e/", "\u0000", "\uFFFF", "%FF%FE", "%F0%9F%98",
  "' OR 1=1 --", '" AND "a"="a', "NEAR(a b)", "a* OR b^", "title:x", "<script>alert(1)</script>", "javascript:alert(1)",
  "😀".repeat(50), "a".repeat(5000), "-", "--", "0", "-1", "99999999999999999999", "1e9", "null", "[]", "{}",
];

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

function randomBytes(rand, n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/** The nth malformed request of a seed: { method, path, headers, body }. */
export function request(rand) {
  let path = pick(rand, PATHS);
  const kind = Math.floor(rand() * 10);
  if (kind === 0) path += pick(rand, NASTY);
  if (kind === 1) path = path.replace(/[a-z]/g, (c) => (rand() < 0.3 ? `%${c.charCodeAt(0).toString(16)}` : c));
  if (kind === 2) path += "/" + "x".repeat(Math.floor(rand() * 9000));
  if (kind === 3) path += `?q=${pick(rand, NASTY)}&page=${pick(rand, NASTY)}&status=${pick(rand, NASTY)}&limit=${pick(rand, NASTY)}`;
  if (kind === 4) path = path.replace("/posts/", `/posts/${encodeURIComponent(pick(rand, NASTY))}`);
  const method = pick(rand, METHODS);
  const headers = {};
  const type = pick(rand, CONTENT_TYPES);
  if (type !== undefined) headers["Content-Type"] = type;
  if (rand() < 0.5) headers.Authorization = pick(rand, ["Bearer test-admin-token", "Bearer x", "Basic abc", "Bearer", "bearer test-admin-token", "Bearer " + "t".repeat(5000)]);
  if (rand() < 0.1) headers["X-Huge"] = "h".repeat(Math.floor(rand() * 30000));
  if (rand() < 0.1) headers["If-None-Match"] = pick(rand, ['"x"', "*", "W/", '"' + "a".repeat(3000)]);
  if (rand() < 0.2) headers["CF-Connecting-IP"] = pick(rand, ["203.0.113.9", "::1", "not-an-ip", "", "1.2.3.4, 5.6.7.8"]);
  let body;
  if (!["GET", "HEAD", "get"].includes(method)) {
    const shape = Math.floor(rand() * 9);
    if (shape === 0) body = randomBytes(rand, Math.floor(rand() * 2000));
    if (shape === 1) body = `author=${pick(rand, NASTY)}&email=${pick(rand, NASTY)}&body=${pick(rand, NASTY)}&author=dup&parent=${pick(rand, NASTY)}&token=${pick(rand, NASTY)}`;
    if (shape === 2) body = JSON.stringify({ title: pick(rand, NASTY), body: pick(rand, NASTY), slug: pick(rand, NASTY), tags: [pick(rand, NASTY)], status: pick(rand, NASTY), published_at: pick(rand, NASTY), parent: pick(rand, NASTY) });
    if (shape === 3) body = '{"title": "x", "body": "' + "y".repeat(Math.floor(rand() * 100)); // truncated JSON
    if (shape === 4) body = "[".repeat(Math.floor(rand() * 5000)); // deep nesting
    if (shape === 5) body = new Uint8Array([0x7b, 0x22, 0x62, 0x6f, 0x64, 0x79, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]); // invalid UTF-8 in JSON
    if (shape === 6) body = new Uint8Array([0x62, 0x6f, 0x64, 0x79, 0x3d, 0xc3, 0x28, 0xa0, 0xa1, 0x26, 0x25]); // invalid UTF-8 in a form
    if (shape === 7 && rand() < 0.05) body = new Uint8Array(Math.floor(rand() * 10 * 1024 * 1024)); // up to 10 MB
    if (shape === 8) body = "";
  }
  return { method, path, headers, body };
}

/** Sends `count` requests of `seed` to a fresh blog; returns the tally, the 5xx and the log. */
export async function fuzz({ seed = 1, count = 500, concurrency = 8 } = {}) {
  const blog = await startBlog();
  const rand = prng(seed);
  const statuses = {};
  const serverErrors = [];
  let runtime501 = 0;
  const clientErrors = [];
  let next = 0;
  const requests = Array.from({ length: count }, () => request(rand));
  async function worker() {
    while (next < requests.length) {
      const r = requests[next++];
      let status;
      try {
        const res = await blog.fetch(r.path, { method: r.method, headers: r.headers, body: r.body });
        await res.arrayBuffer();
        status = res.status;
      } catch (e) {
        status = `client error: ${e.message.slice(0, 80)}`;
        clientErrors.push({ error: String(e.cause?.code || e.cause?.message || e.message).slice(0, 120), method: r.method, path: r.path.slice(0, 120), headerBytes: JSON.stringify(r.headers).length, bodyBytes: r.body?.length ?? 0 });
      }
      statuses[status] = (statuses[status] || 0) + 1;
      // workerd itself answers methods outside HTTP's registry with 501 before any Worker runs;
      // those are counted apart from the Worker's own answers.
      if (status === 501 && !STANDARD_METHODS.includes(r.method.toUpperCase())) runtime501 += 1;
      else if (typeof status === "number" && status >= 500) serverErrors.push({ status, method: r.method, path: r.path.slice(0, 200), type: r.headers["Content-Type"] });
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  // The fuzzer holds the admin token in some requests, so the demo post may be gone: check that
  // the home page and a post created now are served.
  const home = await blog.fetch("/");
  const made = await blog.fetch("/admin/posts", {
    method: "POST",
    headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" },
    body: JSON.stringify({ title: "After the fuzzing", body: "Still here.", slug: "after-the-fuzzing" }),
  });
  const post = await blog.fetch("/posts/after-the-fuzzing");
  const after = [home.status, made.status, post.status];
  const log = blog.log.join("");
  await blog.close();
  return { statuses, serverErrors, clientErrors, runtime501, after, panics: (log.match(/panicked|RuntimeError: unreachable/g) || []).length, log };
}
