// Mixed traffic without loss: readers on every page type and commenters from many simulated
// clients, on `connections` concurrent loops for `seconds`. Afterwards every comment that got a
// 303 must be stored exactly once and none that got another answer stored at all.
// Used by tests/load.test.mjs (a short run) and `npm run load` (60 s at 64 connections).
import { startBlog, mintToken } from "../helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
const READS = ["/", `/posts/${SLUG}`, "/feed.atom", "/feed.rss", "/sitemap.xml", "/robots.txt", `/posts/${SLUG}/comments.atom`, "/search?q=social+media", `/posts/${SLUG}/reply/1`, "/tags/nhs", "/page/2"];

export async function mixedLoad({ seconds = 5, connections = 16 } = {}) {
  const blog = await startBlog();
  const token = await mintToken(1, Math.floor(Date.now() / 1000) - 60);
  const statuses = {};
  const posted = new Map(); // body → status
  let requests = 0;
  let serial = 0;
  const until = Date.now() + seconds * 1000;
  async function loop(connection) {
    while (Date.now() < until) {
      requests += 1;
      let status;
      if (Math.random() < 0.3) {
        const n = ++serial;
        const body = `load-${connection}-${n}: a comment under load`;
        // First-time commenters (held) and known ones (approved, which purges caches) alternate.
        const email = n % 2 ? "phil@example.com" : `reader${n}@example.org`;
        const res = await blog.fetch(`/posts/${SLUG}/comments`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": `10.${n >> 16 & 255}.${n >> 8 & 255}.${n & 255}` },
          body: new URLSearchParams({ token, author: `Load ${n}`, email, body, subject: "" }).toString(),
        });
        await res.arrayBuffer();
        status = res.status;
        posted.set(body, status);
      } else {
        const res = await blog.fetch(READS[Math.floor(Math.random() * READS.length)]);
        await res.arrayBuffer();
        status = res.status;
      }
      statuses[status] = (statuses[status] || 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: connections }, (_, i) => loop(i)));
  const rows = (await blog.db.prepare("SELECT body, COUNT(*) AS n FROM comments WHERE body LIKE 'load-%' GROUP BY body").all()).results;
  await blog.close();
  const stored = new Map(rows.map((r) => [r.body, r.n]));
  const lost = [...posted].filter(([body, status]) => status === 303 && stored.get(body) !== 1);
  const storedDespiteError = [...posted].filter(([body, status]) => status !== 303 && stored.has(body));
  const serverErrors = Object.entries(statuses).filter(([s]) => Number(s) >= 500);
  return { requests, statuses, comments: posted.size, accepted: [...posted.values()].filter((s) => s === 303).length, lost, storedDespiteError, serverErrors };
}
