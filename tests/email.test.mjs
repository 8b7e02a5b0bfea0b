// Email, end to end with the local send_email binding (Miniflare writes each message to a file)
// and the local queue: the author's notices with one-click moderation, commenters' confirmed
// subscriptions to replies, one-click unsubscribe, retries, rate limits, and what the outbox and
// `forget` show.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBlog, admin, page, postComment, mintToken, sentMail, mailLink, AUTHOR, ADMIN_TOKEN } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
const POST = `/posts/${SLUG}`;
const MAIL = { email_from: "blog@example.org", author_email: "author@example.org", comment_min_seconds: "0" };

let ip = 0;
/** A comment from a new client each time (the rate limit counts per client). */
async function comment(blog, fields) {
  const token = await mintToken(1, Math.floor(Date.now() / 1000) - 30);
  ip += 1;
  return postComment(blog, SLUG, { token, url: "", subject: "", ...fields }, `198.51.100.${ip % 250}`);
}

const to = (mails, address) => mails.filter((m) => m.to.includes(address));

async function outbox(blog, status) {
  return (await admin(blog, "GET", `/admin/outbox?status=${status}`)).json.messages;
}

test("a held comment mails the author once; the approve link shows a form, its POST approves, a second use does nothing", async () => {
  const blog = await startBlog({ settings: MAIL });
  try {
    const form = await page(blog, POST);
    assert.match(form.body, /<input id="notify" name="notify" type="checkbox" value="1"/, "the box is offered when mail is on");
    const held = await comment(blog, { author: "Nina\r\nBcc: everyone@example.org", email: "nina@example.org", body: "First time here: *hello*." });
    assert.equal(held.status, 303);
    assert.match(held.location, /\/held\//);
    const [notice] = to(await sentMail(blog, { atLeast: 1 }), "author@example.org");
    assert.ok(notice, "one notice to the author");
    assert.equal(notice.from.address, "blog@example.org");
    assert.match(notice.subject, /^\[Health Techie\] Comment by Nina Bcc: everyone@example\.org on “Health is Social/);
    assert.doesNotMatch(notice.raw, /^Bcc:/im, "no header was injected");
    assert.match(notice.text, /is waiting for your approval/);
    assert.match(notice.text, /First time here: \*hello\*\./);
    assert.match(notice.text, /Why it was held:\n- first comment from this email address/);
    const approve = mailLink(notice, /\/email\/moderate\/[0-9a-z.]+approve[0-9a-z.]+/);
    assert.ok(approve, notice.text);

    // GET only shows the comment and a button: mail scanners open links.
    const shown = await page(blog, approve);
    assert.equal(shown.status, 200);
    assert.match(shown.body, /<form class="email-action" method="post" action="\/email\/moderate\/[^"]+">/);
    assert.match(shown.body, /<meta name="robots" content="noindex">/);
    assert.match(shown.body, /It is pending now/);
    assert.doesNotMatch((await page(blog, POST)).body, /First time here/, "a GET approves nothing");

    const foreign = await blog.fetch(approve, { method: "POST", headers: { Origin: "https://evil.example" } });
    assert.equal(foreign.status, 403, "a form posted from another site is refused");
    const done = await blog.fetch(approve, { method: "POST", headers: { Origin: "http://127.0.0.1:8787" } });
    assert.equal(done.status, 200);
    assert.match(await done.text(), /approved and on the page/);
    assert.match((await page(blog, POST)).body, /First time here: <em>hello<\/em>\./, "published (and its emphasis shown)");
    const again = await blog.fetch(approve, { method: "POST" });
    assert.equal(again.status, 410, "the links work once");
    assert.match(await again.text(), /used already/);
    const spam = mailLink(notice, /\/email\/moderate\/[0-9a-z.]+spam[0-9a-z.]+/);
    assert.equal((await blog.fetch(spam, { method: "POST" })).status, 410, "one email's links work once in all");

    const forged = approve.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    const refused = await page(blog, forged);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /This link is not valid/);
    assert.equal((await page(blog, "/email/moderate/nonsense")).status, 403);
    // A link signed right (with the key derived from the admin token) but past its time.
    const { createHash, createHmac } = await import("node:crypto");
    const key = createHash("sha256").update(`email-links|${ADMIN_TOKEN}`).digest("hex");
    const expires = Math.floor(Date.now() / 1000) - 60;
    const tag = createHmac("sha256", key).update(`moderation-link|1|approve|${expires}|m99`).digest("hex");
    const expired = await page(blog, `/email/moderate/1.approve.${expires}.m99.${tag}`);
    assert.equal(expired.status, 410);
    assert.match(expired.body, /This link has expired/);
    assert.equal((await page(blog, "/email/confirm/0123456789abcdef")).status, 404);

    const sent = await outbox(blog, "sent");
    assert.deepEqual(sent.map((m) => [m.kind, m.recipient, m.attempts]), [["moderation", "author@example.org", 1]]);
  } finally {
    await blog.close();
  }
});

test("replies: confirmed subscribers get one mail per approved reply, never before approval, never the replier; one-click unsubscribe stops them", async () => {
  const blog = await startBlog({ settings: MAIL });
  try {
    // Ann asks for replies; as a first-time commenter she is held, and nothing goes to her yet.
    const ann = await comment(blog, { author: "Ann", email: "ann@example.org", body: "Tell me when someone answers.", notify: "1" });
    assert.equal(ann.status, 303);
    await sentMail(blog, { atLeast: 1 });
    const annId = Number(ann.location.match(/\/held\/(\d+)\//)[1]);
    assert.equal(to(await sentMail(blog), "ann@example.org").length, 0, "no confirmation before her comment is approved");
    assert.equal((await admin(blog, "PATCH", `/admin/comments/${annId}`, { status: "approved" })).res.status, 200);
    const [confirmation] = to(await sentMail(blog, { atLeast: 2 }), "ann@example.org");
    assert.ok(confirmation, "the approval sent her one confirmation");
    assert.match(confirmation.subject, /Please confirm: email me replies/);
    const confirm = mailLink(confirmation, /\/email\/confirm\/[0-9a-f]+/);
    assert.match((await page(blog, confirm)).body, /Yes, email me replies/);
    const confirmed = await blog.fetch(confirm, { method: "POST" });
    assert.equal(confirmed.status, 200);
    assert.match(await confirmed.text(), /Confirmed/);

    // Bob replies: held, so Ann hears nothing until the author approves it; then exactly once.
    const bob = await comment(blog, { author: "Bob", email: "bob@example.org", body: "Here is an answer.", parent: String(annId) });
    const bobId = Number(bob.location.match(/\/held\/(\d+)\//)[1]);
    await sentMail(blog, { atLeast: 3 }); // the author's notice about Bob
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(to(await sentMail(blog), "ann@example.org").length, 1, "a pending reply sends nothing");
    await admin(blog, "PATCH", `/admin/comments/${bobId}`, { status: "approved" });
    const mails = await sentMail(blog, { atLeast: 4 });
    const replies = to(mails, "ann@example.org").filter((m) => /replied to you/.test(m.subject));
    assert.equal(replies.length, 1, "one mail for the approved reply");
    const [reply] = replies;
    assert.match(reply.subject, /\[Health Techie\] Bob replied to you on “Health is Social/);
    assert.match(reply.text, /Here is an answer\./);
    assert.match(reply.text, new RegExp(`Read it and reply: http://127\\.0\\.0\\.1:8787${POST}/comments/${bobId}`));
    const unsubscribe = reply.headers.find((h) => h.key === "list-unsubscribe")?.value;
    assert.match(unsubscribe, /^<http:\/\/127\.0\.0\.1:8787\/email\/unsubscribe\/[0-9a-f]+>$/);
    assert.equal(reply.headers.find((h) => h.key === "list-unsubscribe-post")?.value, "List-Unsubscribe=One-Click");
    assert.match(reply.text, /Stop all email from Health Techie: http:\/\/127\.0\.0\.1:8787\/email\/unsubscribe\/[0-9a-f]+\?all=1/);
    assert.equal(to(mails, "bob@example.org").length, 0, "the replier gets nothing");
    // Approving it again (a second PATCH) writes nothing twice.
    await admin(blog, "PATCH", `/admin/comments/${bobId}`, { status: "pending" });
    await admin(blog, "PATCH", `/admin/comments/${bobId}`, { status: "approved" });
    // Ann replying in her own thread is not news to her.
    await comment(blog, { author: "Ann", email: "ANN@example.org", body: "Thanks, Bob!", parent: String(annId) });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(to(await sentMail(blog), "ann@example.org").filter((m) => /replied to you/.test(m.subject)).length, 1);

    // RFC 8058: the mail provider's one-click POST; then a new reply mails nothing.
    const url = unsubscribe.slice(1, -1).replace("http://127.0.0.1:8787", "");
    const oneClick = await blog.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://mail.example" },
      body: "List-Unsubscribe=One-Click",
    });
    assert.equal(oneClick.status, 200);
    assert.equal((await blog.fetch(url, { method: "POST", body: "List-Unsubscribe=One-Click" })).status, 200, "twice is fine");
    await admin(blog, "POST", `/admin/posts/${SLUG}/comments`, { body: "The author answers too.", parent: annId });
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(to(await sentMail(blog), "ann@example.org").filter((m) => /replied to you/.test(m.subject)).length, 1, "nothing after unsubscribing");
  } finally {
    await blog.close();
  }
});

test("a failed send is kept with its reason and tried again; it is sent once", async () => {
  const blog = await startBlog({ settings: MAIL, vars: { OUTBOX_RETRY_SECONDS: "1" } });
  try {
    // The binding refuses every address but one: the first attempt fails.
    await blog.reconfigure({ author: { email: { send_email: [{ name: "EMAIL", allowed_destination_addresses: ["nobody@example.org"] }] } } });
    await comment(blog, { author: "Olga", email: "olga@example.org", body: "Held, and its notice fails once." });
    let pending = [];
    for (let i = 0; i < 50 && !pending.some((m) => m.attempts >= 1 && m.last_error); i++) {
      await new Promise((r) => setTimeout(r, 100));
      pending = await outbox(blog, "pending");
    }
    assert.equal(pending.length, 1, JSON.stringify(pending));
    assert.equal(pending[0].attempts, 1);
    assert.match(pending[0].last_error, /not allowed/);
    assert.equal((await sentMail(blog)).length, 0);

    // The binding works again: the queue's retry (or the cron job, which catches what a restart
    // of the queue lost) sends it, once.
    await blog.reconfigure({ author: {} });
    await new Promise((r) => setTimeout(r, 1200));
    const worker = await blog.mf.getWorker(AUTHOR);
    await worker.scheduled({ cron: "* * * * *" });
    await worker.scheduled({ cron: "* * * * *" });
    const mails = await sentMail(blog, { atLeast: 1 });
    assert.equal(to(mails, "author@example.org").length, 1);
    const [sent] = await outbox(blog, "sent");
    assert.equal(sent.attempts, 2);
    assert.equal(sent.last_error, undefined);
    assert.deepEqual(await outbox(blog, "pending"), []);
  } finally {
    await blog.close();
  }
});

test("a message that keeps failing is given up after five attempts, with its reason", async () => {
  const blog = await startBlog({ settings: MAIL, vars: { OUTBOX_RETRY_SECONDS: "1" } });
  try {
    await blog.db.prepare("UPDATE settings SET value = 'not-an-address' WHERE key = 'author_email'").run();
    await comment(blog, { author: "Pia", email: "pia@example.org", body: "Nobody can be told." });
    await new Promise((r) => setTimeout(r, 500));
    // An address that cannot be mailed is given up at once.
    const failed = await outbox(blog, "failed");
    assert.equal(failed.length, 1, JSON.stringify(await outbox(blog, "pending")));
    assert.match(failed[0].last_error, /not an address/);
    await blog.reconfigure({ author: { email: { send_email: [{ name: "EMAIL", allowed_destination_addresses: ["nobody@example.org"] }] } } });
    await blog.db.prepare("UPDATE settings SET value = 'author@example.org' WHERE key = 'author_email'").run();
    await comment(blog, { author: "Quin", email: "quin@example.org", body: "Told five times, in vain." });
    const worker = await blog.mf.getWorker(AUTHOR);
    let given = [];
    for (let i = 0; i < 60 && given.length < 2; i++) {
      await blog.db.prepare("UPDATE outbox SET next_attempt_at = 0 WHERE status = 'pending'").run();
      await worker.scheduled({ cron: "* * * * *" });
      given = await outbox(blog, "failed");
    }
    const quin = given.find((m) => m.recipient === "author@example.org");
    assert.equal(quin.attempts, 5);
    assert.match(quin.last_error, /not allowed/);
    assert.deepEqual(await outbox(blog, "pending"), []);
  } finally {
    await blog.close();
  }
});

test("50 subscriptions for one address from many clients send at most three confirmations", async () => {
  const blog = await startBlog({ settings: { ...MAIL, comment_moderation: "none", comment_rate_limit: "1000" } });
  try {
    for (let i = 0; i < 50; i++) {
      const sent = await comment(blog, { author: "Someone", email: "victim@example.org", body: `Attempt ${i} to mail a stranger.`, notify: "1" });
      assert.equal(sent.status, 303);
    }
    await sentMail(blog, { atLeast: 3 });
    await new Promise((r) => setTimeout(r, 1000));
    const confirmations = to(await sentMail(blog), "victim@example.org");
    assert.equal(confirmations.length, 3, `${confirmations.length} confirmations`);
    // One client cannot subscribe more than five times an hour, whatever the address.
    const before = (await blog.db.prepare("SELECT COUNT(*) AS n FROM subscriptions").first()).n;
    ip = 7;
    for (let i = 0; i < 8; i++) {
      await postComment(blog, SLUG, { token: await mintToken(1, Math.floor(Date.now() / 1000) - 30), author: "Bot", email: `s${i}@example.org`, body: `Same client ${i}`, notify: "1", subject: "" }, "203.0.113.77");
    }
    const after = (await blog.db.prepare("SELECT COUNT(*) AS n FROM subscriptions").first()).n;
    assert.equal(after - before, 5);
  } finally {
    await blog.close();
  }
});

test("the outbox is listed for the author, and forget removes what is held about an address", async () => {
  const blog = await startBlog({ settings: MAIL });
  try {
    const held = await comment(blog, { author: "Rita", email: "rita@example.org", body: "Please forget me later.", url: "https://rita.example/", notify: "1" });
    const id = Number(held.location.match(/\/held\/(\d+)\//)[1]);
    await admin(blog, "PATCH", `/admin/comments/${id}`, { status: "approved" });
    await sentMail(blog, { atLeast: 2 });
    const sent = await outbox(blog, "sent");
    assert.deepEqual(sent.map((m) => m.kind).sort(), ["confirm", "moderation"]);
    assert.equal((await admin(blog, "GET", "/admin/outbox?status=lost")).res.status, 400);
    assert.equal((await admin(blog, "GET", "/admin/outbox", undefined, null)).res.status, 401);
    assert.match((await page(blog, POST)).body, /Rita/);

    const gone = await admin(blog, "POST", "/admin/forget", { email: "RITA@example.org" });
    assert.equal(gone.res.status, 200, JSON.stringify(gone.json));
    assert.deepEqual(gone.json, { comments: 1, subscriptions: 1, messages: 1, subscribers: 0 });
    const shown = (await page(blog, POST)).body;
    assert.doesNotMatch(shown, /Rita|rita\.example/, "the name and website are gone from the page");
    assert.match(shown, /Please forget me later\./, "the text stays, anonymised");
    const row = await blog.db.prepare("SELECT author_name, author_email, author_url FROM comments WHERE id = ?1").bind(id).first();
    assert.deepEqual(row, { author_name: "Anonymous", author_email: "", author_url: null });
    assert.equal((await admin(blog, "POST", "/admin/forget", { email: "nobody" })).res.status, 422);
  } finally {
    await blog.close();
  }
});

test("old mail and subscriptions never confirmed are deleted by the cron job after 30 days", async () => {
  const blog = await startBlog({ settings: { ...MAIL, comment_moderation: "none" } });
  try {
    await comment(blog, { author: "Uma", email: "uma@example.org", body: "Subscribed, never confirmed.", notify: "1" });
    await sentMail(blog, { atLeast: 1 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await outbox(blog, "sent")).length, 1);
    const worker = await blog.mf.getWorker(AUTHOR);
    await worker.scheduled({ cron: "* * * * *" });
    assert.equal((await outbox(blog, "sent")).length, 1, "a recent message stays");
    const month = 31 * 24 * 3600;
    await blog.db.prepare("UPDATE outbox SET created_at = created_at - ?1").bind(month).run();
    await blog.db.prepare("UPDATE subscriptions SET created_at = created_at - ?1").bind(month).run();
    await worker.scheduled({ cron: "* * * * *" });
    assert.deepEqual(await outbox(blog, "sent"), []);
    assert.equal((await blog.db.prepare("SELECT COUNT(*) AS n FROM subscriptions").first()).n, 0);
  } finally {
    await blog.close();
  }
});

test("without a sender address no mail is written and the form offers no box", async () => {
  const blog = await startBlog({ settings: { comment_min_seconds: "0", author_email: "author@example.org" } });
  try {
    assert.doesNotMatch((await page(blog, POST)).body, /name="notify"/);
    await comment(blog, { author: "Sam", email: "sam@example.org", body: "Held in silence.", notify: "1" });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await sentMail(blog)).length, 0);
    const rows = await blog.db.prepare("SELECT (SELECT COUNT(*) FROM outbox) AS outbox, (SELECT COUNT(*) FROM subscriptions) AS subscriptions").first();
    assert.deepEqual(rows, { outbox: 0, subscriptions: 0 });
  } finally {
    await blog.close();
  }
});
