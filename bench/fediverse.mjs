// The fediverse's figure for `npm run bench`: one post delivered to 10,000 followers on 1,000
// servers (a local HTTP sink stands in for the servers: one shared inbox each, answering 202).
// It measures the time from the publishing request to the last delivery, the D1 rows read and
// written per delivery (counted as for the newsletter: bench/newsletter.mjs), and the runs of the
// delivery consumer.
//
//   node bench/fediverse.mjs [--followers 10000] [--servers 1000]   (alone; bench/run.mjs calls it too)
import { Miniflare } from "miniflare";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { wrangler, blogOptions, BASE, AUTHOR, ADMIN_TOKEN } from "../tests/helpers.mjs";
import { countingEntry } from "./newsletter.mjs";

/** Publishes one post to `followers` followers on `servers` servers; returns the figures. */
export async function measureFanOut(work, { followers = 10_000, servers = 1_000 } = {}) {
  const received = new Map();
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.set(req.url, (received.get(req.url) ?? 0) + 1);
      res.writeHead(202).end();
    });
  });
  await new Promise((r) => sink.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${sink.address().port}`;
  const dir = path.join(work, "fediverse");
  wrangler(["d1", "migrations", "apply", "DB"], dir);
  const log = [];
  const options = blogOptions(dir, { trace: false, log });
  options.workers[1].scriptPath = countingEntry();
  const mf = new Miniflare(options);
  await mf.ready;
  try {
    const db = await mf.getD1Database("DB", AUTHOR);
    await db
      .prepare(
        `INSERT INTO fediverse_actors (id, key_id, public_key, inbox, shared_inbox, name, handle, url, fetched_at)
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?1)
         SELECT ?3 || '/servers/' || (i % ?2) || '/users/' || i, ?3 || '/servers/' || (i % ?2) || '/users/' || i || '#main-key', 'PEM',
                ?3 || '/servers/' || (i % ?2) || '/users/' || i || '/inbox', ?3 || '/servers/' || (i % ?2) || '/inbox',
                'Follower ' || i, '@f' || i || '@server' || (i % ?2), NULL, 1 FROM k`,
      )
      .bind(followers, servers, origin)
      .run();
    await db.prepare("INSERT INTO followers (actor_id, follow_id, inbox, created_at) SELECT id, NULL, shared_inbox, 1 FROM fediverse_actors").run();
    const mark = log.length;
    const started = performance.now();
    const res = await mf.dispatchFetch(`${BASE}/admin/posts`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ title: "To every follower", body: "A post of a **realistic** shape.\n\n- with\n- a list\n\nAnd [a link](/)." }),
    });
    if (res.status !== 201) throw new Error(`publishing answered ${res.status}: ${await res.text()}`);
    const delivered = () => [...received.values()].reduce((a, b) => a + b, 0);
    const deadline = Date.now() + 20 * 60 * 1000;
    while (delivered() < servers) {
      if (Date.now() > deadline) throw new Error(`only ${delivered()} of ${servers} inboxes reached in 20 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    // The last run's bookkeeping lands just after its requests.
    await new Promise((r) => setTimeout(r, 500));
    const text = log.slice(mark).join("");
    let read = 0;
    let written = 0;
    for (const m of text.matchAll(/\[d1-rows\] (\d+) (\d+)/g)) {
      read += Number(m[1]);
      written += Number(m[2]);
    }
    const runs = [...text.matchAll(/fediverse: (\d+) delivered/g)].map((m) => Number(m[1]));
    const twice = [...received.values()].filter((n) => n > 1).length;
    return {
      followers,
      servers,
      inboxes: received.size,
      twice,
      seconds,
      rowsReadPerDelivery: read / servers,
      rowsWrittenPerDelivery: written / servers,
      runs: runs.length,
      largestRun: Math.max(...runs),
    };
  } finally {
    await mf.dispose();
    await new Promise((r) => sink.close(r));
  }
}

/** The figure as a line of the report. */
export function fanOutLine(f) {
  return (
    `Fediverse: one post to ${f.followers} followers on ${f.servers} servers (a local sink, one shared inbox each): ` +
    `${f.inboxes} inboxes reached${f.twice ? ` (${f.twice} twice)` : ", each once"}, the last ${f.seconds.toFixed(1)} s after the publishing request; ` +
    `D1 rows per delivery (publishing included): ${f.rowsReadPerDelivery.toFixed(1)} read, ${f.rowsWrittenPerDelivery.toFixed(1)} written; ` +
    `${f.runs} runs of the delivery consumer, the largest ${f.largestRun} deliveries (its bound: 40 a run).`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "blog-bench-fediverse-"));
  try {
    console.log(fanOutLine(await measureFanOut(work, { followers: arg("--followers", 10_000), servers: arg("--servers", 1_000) })));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
