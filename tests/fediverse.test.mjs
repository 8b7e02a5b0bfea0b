// The blog on the fediverse, end to end against a real ActivityPub implementation: Fedify
// (tests/fediverse/peer.mjs) runs in this process as a remote server with its own actor and key.
// It looks the blog up, follows it (and checks the signed Accept with its own code), receives
// the Create of a new post and the Update of an addendum, replies (held, approved, shown without
// markup), edits and deletes its reply, likes the post, and unfollows; forged, unsigned, stale,
// oversized and blocked requests are refused and store nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import http from "node:http";
import net from "node:net";
import { admin, startBlog } from "./helpers.mjs";
import { startPeer } from "./fediverse/peer.mjs";

async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** A blog listening on a real port, its address set to it (remote servers fetch its actor). */
async function fediverseBlog(settings = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const blog = await startBlog({ port, settings: { base_url: base, ...settings } });
  return { blog, base, get: (p, init) => fetch(base + p, init) };
}

/** A draft-cavage signed POST as a server would send it, with the parts a test wants wrong. */
function signedPost(url, body, { keyId, privateKey, date = new Date().toUTCString(), digest }) {
  const { host, pathname } = new URL(url);
  const realDigest = `SHA-256=${crypto.createHash("sha256").update(body).digest("base64")}`;
  const headers = { host, date, digest: digest ?? realDigest, "content-type": "application/activity+json" };
  const signed = [`(request-target): post ${pathname}`, `host: ${host}`, `date: ${date}`, `digest: ${headers.digest}`].join("\n");
  const signature = crypto.sign("sha256", Buffer.from(signed), privateKey).toString("base64");
  headers.signature = `keyId="${keyId}",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="${signature}"`;
  return fetch(url, { method: "POST", headers, body });
}

async function count(blog, sql) {
  return (await blog.db.prepare(sql).first()).n;
}

test("followed from Fedify: discovery, a signed Accept, posts and addenda delivered, replies moderated, likes counted, unfollow", { timeout: 120_000 }, async () => {
  const peer = await startPeer();
  const { blog, base, get } = await fediverseBlog({ fediverse_handle: "health" });
  // A server that is gone: every request answered 410.
  const gone = http.createServer((req, res) => req.resume().on("end", () => res.writeHead(410).end()));
  try {
    // Discovery: WebFinger by acct: and by the actor's address; host-meta; NodeInfo.
    const host = new URL(base).host;
    const finger = await get(`/.well-known/webfinger?resource=acct:health@${host}`);
    assert.equal(finger.status, 200);
    assert.match(finger.headers.get("content-type"), /application\/jrd\+json/);
    const jrd = await finger.json();
    const self = jrd.links.find((l) => l.rel === "self");
    assert.equal(self.type, "application/activity+json");
    assert.equal(self.href, `${base}/ap/actor`);
    assert.equal((await get(`/.well-known/webfinger?resource=acct:someone@${host}`)).status, 404);
    const noResource = await get("/.well-known/webfinger");
    assert.equal(noResource.status, 400);
    assert.match((await noResource.json()).error, /resource=acct:health@/);
    assert.match(await (await get("/.well-known/host-meta")).text(), /\/\.well-known\/webfinger\?resource=\{uri\}/);
    const nodeinfoLinks = await (await get("/.well-known/nodeinfo")).json();
    const nodeinfo = await (await get(new URL(nodeinfoLinks.links[0].href).pathname)).json();
    assert.deepEqual(nodeinfo.protocols, ["activitypub"]);

    // Fedify looks the actor up by its WebFinger and reads it with its own parser.
    const found = await peer.ctx().lookupWebFinger(`${base}/ap/actor`);
    assert.equal(found.links.find((l) => l.rel === "self").href, `${base}/ap/actor`);
    const actor = await peer.ctx().lookupObject(`${base}/ap/actor`);
    assert.equal(actor?.constructor?.name, "Person");
    assert.equal(actor.preferredUsername, "health");
    assert.equal(actor.name, "Health Techie");
    assert.equal(actor.inboxId.href, `${base}/ap/inbox`);
    const key = await actor.getPublicKey();
    assert.ok(key?.publicKey, "the actor publishes an RSA key Fedify can read");
    // The home page and a post link their ActivityPub documents; a post's address answers its Article.
    const home = await (await get("/")).text();
    assert.ok(home.includes(`<link rel="alternate" type="application/activity+json" href="${base}/ap/actor">`));
    const postPage = await (await get("/posts/health-is-social-aint-no-doubt")).text();
    assert.ok(postPage.includes(`<link rel="alternate" type="application/activity+json" href="${base}/posts/health-is-social-aint-no-doubt">`));
    const asJson = await get("/posts/health-is-social-aint-no-doubt", { headers: { Accept: "application/activity+json" } });
    assert.equal(asJson.status, 200);
    assert.match(asJson.headers.get("vary"), /Accept/);
    const demoArticle = await asJson.json();
    assert.equal(demoArticle.type, "Article");
    assert.equal(demoArticle.name, "Health is Social- ain’t no doubt");
    assert.equal(demoArticle.url, `${base}/posts/health-is-social-aint-no-doubt`);
    const byId = await peer.ctx().lookupObject(demoArticle.id);
    assert.equal(byId?.constructor?.name, "Article", "Fedify reads the Article at its id");

    // Alice follows: the follower is kept and a signed Accept reaches her inbox, verified by Fedify.
    await peer.send(actor, peer.follow(actor, 1));
    const accept = await peer.waitFor("Accept");
    assert.equal(accept.json.actor, `${base}/ap/actor`);
    // Fedify signed the Follow with RFC 9421 first (its default), and the blog took it.
    const followSent = peer.sent.filter((s) => s.method === "POST" && s.url === `${base}/ap/inbox`);
    assert.deepEqual(followSent.map((s) => [s.rfc9421, s.status]), [[true, 202]]);
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM followers"), 1);
    const followers = await admin(blog, "GET", "/admin/followers");
    assert.equal(followers.json.total, 1);
    assert.equal(followers.json.followers[0].handle, `@alice@${new URL(peer.origin).host}`);
    assert.equal(followers.json.account, `@health@${host}`);

    // A follower on a server that is gone (410) stops being delivered to; Alice's server still is.
    await new Promise((r) => gone.listen(0, "127.0.0.1", r));
    const goneInbox = `http://127.0.0.1:${gone.address().port}/inbox`;
    await blog.db
      .prepare("INSERT INTO fediverse_actors (id, key_id, public_key, inbox, shared_inbox, name, handle, fetched_at) VALUES (?1, ?1 || '#k', 'PEM', ?2, ?2, 'Gone', '@gone@gone', 1)")
      .bind(`http://127.0.0.1:${gone.address().port}/users/gone`, goneInbox)
      .run();
    await blog.db.prepare("INSERT INTO followers (actor_id, inbox, created_at) VALUES (?1, ?2, 1)").bind(`http://127.0.0.1:${gone.address().port}/users/gone`, goneInbox).run();

    // A new post reaches her as a Create of its Article; an addendum as an Update.
    const created = await admin(blog, "POST", "/admin/posts", {
      slug: "on-the-fediverse",
      title: "On the fediverse",
      body: "Followed from **anywhere**. ![A chart](/media/chart.png)",
      status: "published",
      tags: ["Social Media"],
    });
    assert.equal(created.res.status, 201, JSON.stringify(created.json));
    const create = await peer.waitFor("Create", (r) => r.json.object?.name === "On the fediverse");
    assert.equal(create.json.object.type, "Article");
    assert.match(create.json.object.content, /<strong>anywhere<\/strong>/);
    assert.match(create.json.object.content, new RegExp(`src="${base}/media/chart.png"`), "addresses are absolute");
    assert.equal(create.json.object.url, `${base}/posts/on-the-fediverse`);
    assert.ok([].concat(create.json.object.tag).some((t) => t?.name === "#SocialMedia"), JSON.stringify(create.json.object.tag));
    const articleId = create.json.object.id;
    for (let i = 0; i < 50 && (await count(blog, "SELECT COUNT(*) AS n FROM followers WHERE inbox LIKE '%/inbox' AND actor_id LIKE '%/users/gone'")) > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM followers WHERE actor_id LIKE '%/users/gone'"), 0, "the 410 dropped its follower");
    const goneDelivery = await blog.db.prepare("SELECT status, last_error FROM fediverse_deliveries WHERE inbox = ?1").bind(goneInbox).first();
    assert.equal(goneDelivery.status, "failed");
    assert.match(goneDelivery.last_error, /410/);
    const addendum = await admin(blog, "POST", "/admin/posts/on-the-fediverse/addenda", { body: "Now with an addendum." });
    assert.ok([200, 201].includes(addendum.res.status), JSON.stringify(addendum.json));
    const update = await peer.waitFor("Update");
    assert.equal(update.json.object.id, articleId);
    assert.match(update.json.object.content, /Now with an addendum/);
    // The peer has the Update before the blog hears its 202 back and records it as delivered.
    let deliveries = await admin(blog, "GET", "/admin/fediverse");
    for (let i = 0; i < 50 && deliveries.json.counts.sending > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      deliveries = await admin(blog, "GET", "/admin/fediverse");
    }
    assert.ok(deliveries.json.counts.delivered >= 3, JSON.stringify(deliveries.json.counts));

    // Her reply, with markup that must not survive, waits for moderation (her first), then shows.
    const noteId = `${peer.origin}/notes/1`;
    await peer.send(actor, peer.create(peer.note(1, articleId, '<p><span class="h-card"><a href="x" class="u-url mention">@<span>health</span></a></span> Lovely <script>alert(1)</script><b>post</b> &amp; more</p>'), "c1"));
    const held = await blog.db.prepare("SELECT id, status, body, author_name, author_url FROM comments WHERE ap_id = ?1").bind(noteId).first();
    assert.equal(held.status, "pending");
    assert.equal(held.body, "Lovely post & more");
    assert.equal(held.author_name, "Alice Peer");
    assert.equal(held.author_url, `${peer.origin}/@alice`);
    let page = await (await get("/posts/on-the-fediverse")).text();
    assert.ok(!page.includes("Lovely"), "held replies are not shown");
    const approved = await admin(blog, "PATCH", `/admin/comments/${held.id}`, { status: "approved" });
    assert.equal(approved.res.status, 200, JSON.stringify(approved.json));
    page = await (await get("/posts/on-the-fediverse")).text();
    assert.ok(page.includes("Lovely post &amp; more"));
    assert.ok(!page.includes("<script>alert"), "no script survives");
    assert.ok(page.includes(`href="${peer.origin}/@alice"`), "her name links to her profile");

    // The author answers her from the admin: the reply goes to her as a Note answering hers.
    const reply = await admin(blog, "POST", "/admin/posts/on-the-fediverse/comments", { body: "Thank you, Alice!", parent: held.id });
    assert.equal(reply.res.status, 201, JSON.stringify(reply.json));
    const answer = await peer.waitFor("Create", (r) => r.json.object?.type === "Note");
    assert.equal(answer.json.object.inReplyTo, noteId);
    assert.match(answer.json.object.content, /Thank you, Alice!/);
    assert.equal(answer.json.object.attributedTo, `${base}/ap/actor`);

    // She edits it, likes the post; then deletes the reply.
    await peer.send(actor, peer.update(peer.note(1, articleId, "<p>Lovely post, edited</p>"), "u1"));
    page = await (await get("/posts/on-the-fediverse")).text();
    assert.ok(page.includes("Lovely post, edited"));
    await peer.send(actor, peer.like(articleId, 1));
    page = await (await get("/posts/on-the-fediverse")).text();
    assert.ok(page.includes("1 like on the fediverse"));
    await peer.send(actor, peer.announce(articleId, 1));
    page = await (await get("/posts/on-the-fediverse")).text();
    assert.ok(page.includes("1 like and 1 boost on the fediverse"));
    await peer.send(actor, peer.undoLike(articleId, 1));
    page = await (await get("/posts/on-the-fediverse")).text();
    assert.ok(page.includes("1 boost on the fediverse") && !page.includes("1 like"));
    await peer.send(actor, peer.delete(noteId, "d1"));
    page = await (await get("/posts/on-the-fediverse")).text();
    assert.ok(!page.includes("Lovely post"), "a deleted reply is gone");
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM comments WHERE ap_actor IS NOT NULL"), 0);

    // Unpublished, the post is deleted from her server too.
    const unpublished = await admin(blog, "PATCH", "/admin/posts/on-the-fediverse", { status: "draft" });
    assert.equal(unpublished.res.status, 200, JSON.stringify(unpublished.json));
    const deleted = await peer.waitFor("Delete");
    assert.equal(deleted.json.object?.id ?? deleted.json.object, articleId);

    // Unfollowed: the next post is delivered to no one.
    await peer.send(actor, peer.unfollow(actor, 1));
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM followers"), 0);
    const before = peer.received.length;
    await admin(blog, "POST", "/admin/posts", { slug: "after", title: "After", body: "x", status: "published" });
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM fediverse_deliveries d JOIN fediverse_activities a ON a.id = d.activity_id JOIN posts p ON p.id = a.post_id WHERE p.slug = 'after'"), 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(peer.received.length, before);
  } finally {
    if (gone.listening) gone.close();
    await blog.close();
    await peer.close();
  }
});

test("the inbox refuses unsigned, forged, stale, mismatched, oversized and blocked requests, storing nothing", { timeout: 120_000 }, async () => {
  const peer = await startPeer({ firstKnock: "draft-cavage-http-signatures-12" });
  const { blog, base } = await fediverseBlog({ fediverse_blocked_domains: "blocked.example" });
  try {
    const inbox = `${base}/ap/inbox`;
    const alice = peer.alice().href;
    const keyId = `${alice}#main-key`;
    const follow = JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", id: `${peer.origin}/f/9`, type: "Follow", actor: alice, object: `${base}/ap/actor` });
    const aliceKey = peer.keys.privateKey;
    const stranger = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

    const unsigned = await fetch(inbox, { method: "POST", headers: { "content-type": "application/activity+json" }, body: follow });
    assert.equal(unsigned.status, 401);
    assert.match((await unsigned.json()).error, /not signed/);

    const forged = await signedPost(inbox, follow, { keyId, privateKey: stranger });
    assert.equal(forged.status, 401);
    assert.match((await forged.json()).error, /does not verify/);

    // Alice's real key, but the request is stale, or its body is not what was digested.
    const real = crypto.KeyObject.from(aliceKey);
    const stale = await signedPost(inbox, follow, { keyId, privateKey: real, date: new Date(Date.now() - 2 * 86400_000).toUTCString() });
    assert.equal(stale.status, 401);
    assert.match((await stale.json()).error, /12 hours/);
    const tampered = await signedPost(inbox, follow, { keyId, privateKey: real, digest: "SHA-256=AAAA" });
    assert.equal(tampered.status, 401);
    assert.match((await tampered.json()).error, /digest/);

    // Signed by Alice, but in Bob's name.
    const inBobsName = JSON.stringify({ ...JSON.parse(follow), actor: `${peer.origin}/users/bob` });
    const mismatched = await signedPost(inbox, inBobsName, { keyId, privateKey: real });
    assert.equal(mismatched.status, 401);
    assert.match((await mismatched.json()).error, /not by the activity's actor/);

    const huge = await fetch(inbox, { method: "POST", headers: { "content-type": "application/activity+json" }, body: "x".repeat(300 * 1024) });
    assert.equal(huge.status, 413);
    const notJson = await signedPost(inbox, "{nope", { keyId, privateKey: real });
    assert.equal(notJson.status, 400);

    const blocked = JSON.stringify({ ...JSON.parse(follow), actor: "https://social.blocked.example/users/x" });
    const fromBlocked = await fetch(inbox, { method: "POST", headers: { "content-type": "application/activity+json" }, body: blocked });
    assert.equal(fromBlocked.status, 403);

    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM followers"), 0);
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM fediverse_activities"), 0);

    // A flood: a hundred follows from Alice's server in the last minutes, and the next waits.
    await blog.db
      .prepare(
        `INSERT INTO fediverse_actors (id, key_id, public_key, inbox, name, handle, fetched_at)
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 100)
         SELECT ?1 || '/users/f' || i, ?1 || '/users/f' || i || '#k', 'PEM', ?1 || '/inbox', 'F', '@f', 1 FROM k`,
      )
      .bind(peer.origin)
      .run();
    await blog.db.prepare("INSERT INTO followers (actor_id, inbox, created_at) SELECT id, inbox, unixepoch() FROM fediverse_actors").run();
    const flooded = await signedPost(inbox, follow, { keyId, privateKey: real });
    assert.equal(flooded.status, 429);
    assert.match((await flooded.json()).error, /Too many follows and replies from this server/);
    assert.equal(flooded.headers.get("retry-after"), "600");
    await blog.db.prepare("DELETE FROM fediverse_actors WHERE id LIKE '%/users/f%'").run();

    // The same Follow, signed properly with draft-cavage, is taken.
    const good = await signedPost(inbox, follow, { keyId, privateKey: real });
    assert.equal(good.status, 202, await good.clone().text());
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM followers"), 1);
    // Fedify's own draft-cavage signature (its first knock here) is taken as well.
    const actor = await peer.ctx().lookupObject(`${base}/ap/actor`);
    await peer.send(actor, peer.like(`${base}/posts/health-is-social-aint-no-doubt`, 7));
    assert.equal(await count(blog, "SELECT likes AS n FROM posts WHERE slug = 'health-is-social-aint-no-doubt'"), 1);
    // Her account deleted: her like and her follow go with it.
    await peer.send(actor, peer.deleteSelf("gone"));
    assert.equal(await count(blog, "SELECT likes AS n FROM posts WHERE slug = 'health-is-social-aint-no-doubt'"), 0);
    assert.equal(await count(blog, "SELECT COUNT(*) AS n FROM followers"), 0);
  } finally {
    await blog.close();
    await peer.close();
  }
});
