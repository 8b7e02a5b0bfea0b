// A remote fediverse server for the tests: Fedify (npm @fedify/fedify), a real ActivityPub
// implementation, running in the test process on a loopback port with its own actor ("alice")
// and RSA key. It looks the blog up, follows it, replies to it, and records every activity its
// inboxes receive, each one's signature checked by Fedify's own code (an activity whose
// signature fails never reaches the listeners).
import http from "node:http";
import {
  createFederation,
  MemoryKvStore,
  generateCryptoKeyPair,
} from "@fedify/fedify";
import { Accept, Announce, Create, Delete, Endpoints, Follow, Like, Note, Person, Undo, Update } from "@fedify/fedify/vocab";

/** Starts the peer; `firstKnock` picks the HTTP-signature spec Fedify tries first. */
export async function startPeer({ firstKnock = "rfc9421" } = {}) {
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const received = [];
  // What Fedify sends, and the answers: which signature each request carried (RFC 9421's
  // Signature-Input, or draft-cavage's Signature alone) and its status.
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const response = await realFetch(request.clone());
    sent.push({ url: request.url, method: request.method, rfc9421: request.headers.has("signature-input"), status: response.status });
    return response;
  };
  const federation = createFederation({
    kv: new MemoryKvStore(),
    allowPrivateAddress: true,
    firstKnock,
  });
  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== "alice") return null;
      const [pair] = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: "Alice Peer",
        url: new URL(`/@${identifier}`, ctx.url),
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: pair.cryptographicKey,
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === "alice" ? [keys] : []));
  const record = (kind) => async (ctx, activity) => {
    const object = await activity.getObject?.({ suppressError: true }).catch(() => null);
    received.push({ kind, activity, object, json: await activity.toJsonLd() });
  };
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Accept, record("Accept"))
    .on(Create, record("Create"))
    .on(Update, record("Update"))
    .on(Delete, record("Delete"));

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const url = `http://${req.headers.host}${req.url}`;
    const request = new Request(url, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
      body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
    });
    const response = await federation.fetch(request, { contextData: undefined });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const ctx = () => federation.createContext(new URL(origin), undefined);
  const alice = () => ctx().getActorUri("alice");

  return {
    origin,
    received,
    sent,
    keys,
    alice,
    ctx,
    /** Waits until an activity of `kind` matching `where` has arrived; returns it. */
    async waitFor(kind, where = () => true, timeout = 15000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const found = received.find((r) => r.kind === kind && where(r));
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(`no ${kind} arrived at the peer within ${timeout} ms; it has: ${received.map((r) => r.kind).join(", ") || "nothing"}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    /** Alice sends `activity` to the blog's actor (its inbox, signed by Fedify). */
    async send(blogActor, activity) {
      await ctx().sendActivity({ identifier: "alice" }, blogActor, activity, { immediate: true });
    },
    follow: (blogActor, id) => new Follow({ id: new URL(`${origin}/follows/${id}`), actor: alice(), object: blogActor.id }),
    unfollow: (blogActor, id) =>
      new Undo({
        id: new URL(`${origin}/undo/${id}`),
        actor: alice(),
        object: new Follow({ id: new URL(`${origin}/follows/${id}`), actor: alice(), object: blogActor.id }),
      }),
    note: (id, inReplyTo, content) =>
      new Note({
        id: new URL(`${origin}/notes/${id}`),
        attribution: alice(),
        replyTarget: new URL(inReplyTo),
        content,
        url: new URL(`${origin}/@alice/${id}`),
      }),
    create: (note, id) => new Create({ id: new URL(`${origin}/activities/${id}`), actor: alice(), object: note }),
    update: (note, id) => new Update({ id: new URL(`${origin}/activities/${id}`), actor: alice(), object: note }),
    delete: (noteId, id) => new Delete({ id: new URL(`${origin}/activities/${id}`), actor: alice(), object: new URL(noteId) }),
    like: (object, id) => new Like({ id: new URL(`${origin}/likes/${id}`), actor: alice(), object: new URL(object) }),
    announce: (object, id) => new Announce({ id: new URL(`${origin}/boosts/${id}`), actor: alice(), object: new URL(object) }),
    undoLike: (object, id) =>
      new Undo({
        id: new URL(`${origin}/undo-like/${id}`),
        actor: alice(),
        object: new Like({ id: new URL(`${origin}/likes/${id}`), actor: alice(), object: new URL(object) }),
      }),
    /** Alice's account deleted: everything she sent goes. */
    deleteSelf: (id) => new Delete({ id: new URL(`${origin}/activities/${id}`), actor: alice(), object: alice() }),
    close: () => {
      globalThis.fetch = realFetch;
      return new Promise((r) => server.close(r));
    },
  };
}
