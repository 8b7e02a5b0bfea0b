// The newsletter, end to end with the local send_email binding (each message read back from
// Miniflare's files and parsed with postal-mime) and the local queue: subscribing from a post's
// form (double opt-in), a post published to confirmed subscribers only, the mail's HTML (Nu
// checker) and text, one-click unsubscribe, the weekly digest, a send that fails part-way, and
// the subscriber files of Substack, Ghost, Mailchimp and Buttondown.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startBlog, admin, page, sentMail, makePng, nuCheck, AUTHOR, ADMIN_TOKEN, ROOT } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
const MAIL = {
  email_from: "blog@example.org",
  author_email: "author@example.org",
  comment_min_seconds: "0",
  newsletter_per_minute: "100000",
};
const BASE = "http://127.0.0.1:8787";
const FIXTURES = path.join(ROOT, "tests", "fixtures", "newsletter");

const to = (mails, address) => mails.filter((m) => m.to.includes(address));
const header = (mail, name) => mail.headers.find((h) => h.key === name.toLowerCase())?.value;
const unescape = (s) => s.replaceAll("&amp;", "&").replaceAll("&#38;", "&");

/** Sends the subscribe form under the demo post from client `ip`. */
async function subscribe(blog, email, { cadence = "post", ip = "198.51.100.7", website = "" } = {}) {
  const { body } = await page(blog, `/posts/${SLUG}`);
  const action = unescape(body.match(/<form class="subscribe" method="post" action="([^"]+)">/)[1]);
  const res = await blog.fetch(action, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": ip },
    body: new URLSearchParams({ email, cadence, website }).toString(),
  });
  return { status: res.status, body: await res.text() };
}

/** Opens the confirmation link of the newest confirmation mail to `email`, and presses its button. */
async function confirmFrom(blog, mails, email) {
  const mail = to(mails, email).find((m) => /confirm/i.test(m.subject));
  assert.ok(mail, `a confirmation mail to ${email}`);
  const link = mail.text.match(/http:\/\/127\.0\.0\.1:8787(\/newsletter\/confirm\/[0-9a-f]+)/)[1];
  const shown = await page(blog, link);
  assert.match(shown.body, /<form class="email-action" method="post" action="\/newsletter\/confirm\//, "a GET only shows a button");
  const done = await blog.fetch(link, { method: "POST" });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /will get every new post/);
}

async function publish(blog, slug, title, body, extra = {}) {
  const { res, json } = await admin(blog, "POST", "/admin/posts", { slug, title, body, ...extra });
  assert.equal(res.status, 201, JSON.stringify(json));
  return json;
}

async function waitFor(check, what, timeout = 15000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

test("subscribe → confirm → a new post reaches confirmed subscribers once, as valid HTML and readable text; one click stops the next", async () => {
  const blog = await startBlog({ settings: MAIL });
  try {
    const form = await page(blog, `/posts/${SLUG}`);
    assert.match(form.body, /<section class="newsletter" aria-labelledby="subscribe-title">/, "the form is under the post");
    const own = await page(blog, "/subscribe");
    assert.equal(own.status, 200, "and on a page of its own");
    assert.match(own.body, /<h1>Subscribe<\/h1>/);
    // That page's form carries the author Worker's own token, which the reader's gate passes on.
    const ownAction = unescape(own.body.match(/<form class="subscribe" method="post" action="([^"]+)">/)[1]);
    assert.match(ownAction, /^\/subscribe\?retry=/);
    const fromPage = await blog.fetch(ownAction, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "198.51.100.9" },
      body: new URLSearchParams({ email: "eve@example.org", cadence: "post", website: "" }).toString(),
    });
    assert.match(await fromPage.text(), /Check your inbox/);

    // A typo comes back with what was typed; the honeypot is answered like a person and keeps nothing.
    const typo = await subscribe(blog, "ann@example", { ip: "198.51.100.1" });
    assert.equal(typo.status, 422);
    assert.match(typo.body, /value="ann@example"/);
    assert.match(typo.body, /Type your email address/);
    const bot = await subscribe(blog, "bot@example.org", { website: "http://spam.example", ip: "198.51.100.2" });
    assert.equal(bot.status, 200);
    assert.match(bot.body, /Check your inbox/);

    for (const [email, ip] of [["ann@example.org", "198.51.100.3"], ["bob@example.org", "198.51.100.4"], ["carl@example.org", "198.51.100.5"]]) {
      const sent = await subscribe(blog, email, { ip });
      assert.equal(sent.status, 200);
      assert.match(sent.body, /Check your inbox/);
    }
    await subscribe(blog, "dee@example.org", { cadence: "weekly", ip: "198.51.100.6" });
    // Asking again answers the same and tells nothing about the address.
    const again = await subscribe(blog, "ann@example.org", { ip: "198.51.100.8" });
    assert.match(again.body, /Check your inbox/);

    let mails = await sentMail(blog, { atLeast: 6 });
    assert.equal(to(mails, "bot@example.org").length, 0, "the bot got nothing");
    assert.equal(to(mails, "ann@example.org").length, 2, "one confirmation per request, within the daily limit");
    await confirmFrom(blog, mails, "ann@example.org");
    await confirmFrom(blog, mails, "carl@example.org");
    // bob never confirms; dee confirms but wants the weekly digest only.
    const deeLink = to(mails, "dee@example.org")[0].text.match(/(\/newsletter\/confirm\/[0-9a-f]+)/)[1];
    assert.equal((await blog.fetch(deeLink, { method: "POST" })).status, 200);
    const { json: list } = await admin(blog, "GET", "/admin/subscribers");
    assert.deepEqual(list.counts, { pending: 2, confirmed: 3, unsubscribed: 0, suppressed: 0 }, "bob and eve never confirm");

    // A post with an image from the media library.
    const upload = await blog.fetch("/admin/media?name=square.png&alt=A%20red%20square", {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "image/png" },
      body: makePng(320, 200, 7),
    });
    const image = (await upload.json()).url;
    const before = (await sentMail(blog)).length;
    await publish(blog, "first-letter", "The first letter", `Hello, *readers*: a [link](/posts/${SLUG}).\n\n![A red square](${image})\n\n## A section\n\n- one\n- two\n`);
    mails = await sentMail(blog, { atLeast: before + 2 });
    const letters = mails.filter((m) => m.subject === "The first letter");
    assert.deepEqual(letters.map((m) => m.to[0]).sort(), ["ann@example.org", "carl@example.org"], "confirmed, every-post subscribers only");
    const [letter] = to(letters, "ann@example.org");
    assert.match(header(letter, "List-Unsubscribe"), /^<http:\/\/127\.0\.0\.1:8787\/newsletter\/unsubscribe\/[0-9a-f]+>$/);
    assert.equal(header(letter, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    assert.match(header(letter, "List-Id"), /<newsletter\.127\.0\.0\.1>/);
    assert.equal(letter.from.address, "blog@example.org");
    // The HTML: valid, the post's words, every address absolute, the image with its size and alt.
    assert.match(letter.html, /Hello, <em>readers<\/em>/);
    assert.match(letter.html, new RegExp(`href="${BASE}/posts/${SLUG}"`));
    assert.match(letter.html, new RegExp(`<img style="max-width:100%;height:auto;display:block" src="${BASE}${image}" alt="A red square" width="320" height="200"`));
    assert.doesNotMatch(letter.html, /(src|href)="\//, "no relative address");
    assert.deepEqual(nuCheck({ letter: letter.html }), []);
    // The text: readable without HTML.
    assert.match(letter.text, /Hello, readers: a link <http:\/\/127\.0\.0\.1:8787\/posts\/health-is-social/);
    assert.match(letter.text, /\[Image: A red square\] <http:\/\/127\.0\.0\.1:8787\/media\//);
    assert.match(letter.text, /A section\n=========\n\n- one\n- two/);
    assert.doesNotMatch(letter.text, /<(p|em|img)\b/);

    // Editing the post, and a post that opts out, send nothing.
    await admin(blog, "PATCH", "/admin/posts/first-letter", { body: "Hello again." });
    await publish(blog, "not-for-mail", "Not for the mail", "Quiet.", { newsletter: false });

    // carl leaves with one click (RFC 8058): the next post does not reach him.
    const stop = header(to(letters, "carl@example.org")[0], "List-Unsubscribe").slice(1, -1).replace(BASE, "");
    const left = await blog.fetch(stop, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://mail.example" },
      body: "List-Unsubscribe=One-Click",
    });
    assert.equal(left.status, 200);
    const count = (await sentMail(blog)).length;
    await publish(blog, "second-letter", "The second letter", "Second.");
    mails = await sentMail(blog, { atLeast: count + 1 });
    await new Promise((r) => setTimeout(r, 500));
    mails = await sentMail(blog);
    assert.deepEqual(mails.filter((m) => m.subject === "The second letter").map((m) => m.to[0]), ["ann@example.org"]);
    assert.equal(mails.filter((m) => m.subject === "The first letter").length, 2, "the edit sent nothing");
    assert.equal(mails.filter((m) => /Not for the mail/.test(m.subject)).length, 0, "newsletter: false sends nothing");

    const { json: issues } = await admin(blog, "GET", "/admin/newsletter");
    assert.deepEqual(issues.issues.map((i) => [i.post, i.sent, i.queued, i.failed]), [["second-letter", 1, 0, 0], ["first-letter", 2, 0, 0]]);
  } finally {
    await blog.close();
  }
});

test("the weekly digest holds exactly the week's posts, and goes out once", async () => {
  const blog = await startBlog({ settings: { ...MAIL, newsletter_digest_day: "monday", newsletter_digest_hour: "8" } });
  try {
    const { json } = await admin(blog, "POST", "/admin/subscribers", { email: "weekly@example.org", cadence: "weekly", confirmed: true });
    assert.equal(json.added, true);
    await admin(blog, "POST", "/admin/subscribers", { email: "each@example.org", confirmed: true });
    // The last Monday 08:00 UTC, and posts around it.
    const now = Math.floor(Date.now() / 1000);
    const days = Math.floor(now / 86400);
    const monday = (days - ((days + 3) % 7)) * 86400 + 8 * 3600;
    const slot = monday <= now ? monday : monday - 7 * 86400;
    const at = (t) => new Date(t * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    // Back-dated posts are imports for the per-post mail: only the digest can carry these.
    await publish(blog, "in-the-week", "In the week", "Inside.", { published_at: at(slot - 2 * 86400) });
    await publish(blog, "too-old", "Too old", "Outside.", { published_at: at(slot - 8 * 86400) });
    await publish(blog, "opted-out", "Opted out", "Quiet.", { published_at: at(slot - 86400), newsletter: false });
    const worker = await blog.mf.getWorker(AUTHOR);
    await worker.scheduled({ cron: "* * * * *" });
    await worker.scheduled({ cron: "* * * * *" });
    const mails = await waitFor(async () => {
      const all = await sentMail(blog);
      return to(all, "weekly@example.org").length ? all : null;
    }, "the digest");
    const [digest] = to(mails, "weekly@example.org");
    assert.match(digest.subject, /This week: In the week/);
    assert.match(digest.text, /In the week\nhttp:\/\/127\.0\.0\.1:8787\/posts\/in-the-week/);
    assert.doesNotMatch(digest.text, /Too old|Opted out/);
    assert.deepEqual(nuCheck({ digest: digest.html }), []);
    assert.equal(to(mails, "each@example.org").length, 0, "back-dated posts send no per-post mail");
    await worker.scheduled({ cron: "* * * * *" });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(to(await sentMail(blog), "weekly@example.org").length, 1, "once");
  } finally {
    await blog.close();
  }
});

test("a send that fails part-way through 500 subscribers is retried with no duplicate and no gap", async () => {
  const blog = await startBlog({ settings: MAIL, vars: { OUTBOX_RETRY_SECONDS: "1" } });
  try {
    const addresses = Array.from({ length: 500 }, (_, i) => `reader${i}@example.org`);
    const res = await blog.fetch("/admin/subscribers/import?confirmed=1", {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "text/csv" },
      body: "email\n" + addresses.join("\n") + "\n",
    });
    const imported = await res.json();
    assert.equal(imported.imported, 500, JSON.stringify(imported).slice(0, 300));
    // The binding takes only the first 200 addresses: the rest fail and wait for a retry.
    await blog.reconfigure({ author: { email: { send_email: [{ name: "EMAIL", allowed_destination_addresses: addresses.slice(0, 200) }] } } });
    await publish(blog, "to-everyone", "To everyone", "A letter for five hundred.");
    await waitFor(async () => {
      const { json } = await admin(blog, "GET", "/admin/newsletter");
      const issue = json.issues[0];
      return issue && issue.sent === 200 && issue.queued === 300 ? issue : null;
    }, "200 sent and 300 waiting", 30000);
    // The binding works again: the queue's retries and the cron job send the rest, once each.
    await blog.reconfigure({ author: {} });
    const worker = await blog.mf.getWorker(AUTHOR);
    await waitFor(async () => {
      await worker.scheduled({ cron: "* * * * *" });
      const { json } = await admin(blog, "GET", "/admin/newsletter");
      return json.issues[0].sent === 500;
    }, "all 500 sent", 60000);
    const mails = (await sentMail(blog, { atLeast: 500 })).filter((m) => m.subject === "To everyone");
    const recipients = mails.map((m) => m.to[0]);
    assert.equal(recipients.length, 500, "no duplicate");
    assert.deepEqual([...new Set(recipients)].sort(), [...addresses].sort(), "no gap");
  } finally {
    await blog.close();
  }
});

test("the subscriber files of Substack, Ghost, Mailchimp and Buttondown import, every line accounted for", async () => {
  const blog = await startBlog({ settings: MAIL });
  try {
    const importFile = async (name, query = "") => {
      const res = await blog.fetch(`/admin/subscribers/import${query}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "text/csv" },
        body: fs.readFileSync(path.join(FIXTURES, name)),
      });
      assert.equal(res.status, 200);
      return res.json();
    };
    const substack = await importFile("substack.csv", "?confirmed=1");
    assert.equal(substack.provider, "substack");
    assert.equal(substack.imported, 2);
    assert.deepEqual(substack.refused.map((r) => r.line), [4]);
    const ghost = await importFile("ghost.csv", "?confirmed=1");
    assert.equal(ghost.provider, "ghost");
    assert.equal(ghost.imported, 1);
    assert.deepEqual(ghost.refused.map((r) => r.line), [3]);
    assert.deepEqual(ghost.duplicates.map((d) => d.line), [4]);
    const chimp = await importFile("mailchimp.csv");
    assert.equal(chimp.provider, "mailchimp");
    assert.equal(chimp.imported, 1, "a Windows-1252 file reads");
    assert.match(chimp.refused[0].reason, /not an email address/);
    assert.equal(chimp.refused[0].line, 3);
    const buttondown = await importFile("buttondown.csv", "?confirmed=1&cadence=weekly");
    assert.equal(buttondown.provider, "buttondown");
    assert.equal(buttondown.imported, 2);
    assert.deepEqual(buttondown.refused.map((r) => r.line), [3]);
    const rerun = await importFile("buttondown.csv", "?confirmed=1");
    assert.equal(rerun.imported, 0);
    assert.equal(rerun.duplicates.length, 2, "a second run adds nothing");

    const { json } = await admin(blog, "GET", "/admin/subscribers?limit=2");
    assert.equal(json.counts.confirmed, 5);
    assert.equal(json.counts.pending, 1, "without confirmed=1 an address must confirm");
    assert.equal(json.total, 6);
    assert.equal(json.subscribers.length, 2);
    const mails = await sentMail(blog, { atLeast: 1 });
    assert.equal(to(mails, "chimp1@example.org").length, 1, "the pending address got its confirmation");
    const bad = await blog.fetch("/admin/subscribers/import", {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "text/csv" },
      body: "name,phone\nx,1\n",
    });
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /No email column/);

    const exported = await blog.fetch("/admin/subscribers/export", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    const csv = await exported.text();
    assert.match(csv, /^email,status,cadence,created_at,confirmed_at\r\n/);
    assert.equal(csv.trim().split("\n").length, 7);
    assert.match(csv, /button1@example\.org,confirmed,weekly,/);

    // forget covers subscribers.
    const { json: forgotten } = await admin(blog, "POST", "/admin/forget", { email: "ghost1@example.org" });
    assert.equal(forgotten.subscribers, 1);
  } finally {
    await blog.close();
  }
});

test("the pace holds: with newsletter_per_minute at 2, a minute sends 2 and the rest wait for the next", async () => {
  const blog = await startBlog({ settings: { ...MAIL, newsletter_per_minute: "2" } });
  try {
    for (let i = 0; i < 5; i++) await admin(blog, "POST", "/admin/subscribers", { email: `paced${i}@example.org`, confirmed: true });
    await publish(blog, "paced", "Paced", "Slowly.");
    const issue = await waitFor(async () => {
      const { json } = await admin(blog, "GET", "/admin/newsletter");
      return json.issues[0]?.sent >= 2 ? json.issues[0] : null;
    }, "the first two");
    await new Promise((r) => setTimeout(r, 1500));
    const { json } = await admin(blog, "GET", "/admin/newsletter");
    const now = json.issues[0];
    // (A minute may turn meanwhile: then two more go, never all five.)
    assert.ok(now.sent <= 4 && now.queued >= 1, JSON.stringify(now));
    assert.equal(now.sent + now.queued, 5, JSON.stringify(issue));
  } finally {
    await blog.close();
  }
});
