// Readers' comments through the plain HTML form, and every spam rule's outcome, end to end in
// workerd with real local D1 and KV.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startBlog, admin, page, mintToken, formToken, postComment, CACHED } from "./helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
const POST = `/posts/${SLUG}`;
const now = () => Math.floor(Date.now() / 1000);

/** A form as a person sends it: a token from 60 s ago and every visible field. */
async function fields(extra = {}) {
  return {
    token: await mintToken(1, now() - 60),
    author: "Nina Reader",
    email: "nina@example.org",
    url: "",
    body: "A thoughtful comment about social media in health care.",
    subject: "",
    ...extra,
  };
}

async function stored(blog, id) {
  return blog.db.prepare("SELECT * FROM comments WHERE id = ?").bind(id).first();
}

const idFrom = (location) => Number(location.match(/(?:comment-|held\/)(\d+)/)[1]);

test("a first-time commenter is held: they see their comment awaiting moderation, readers do not", async () => {
  const blog = await startBlog();
  try {
    await page(blog, POST);
    const sent = await postComment(blog, SLUG, await fields());
    assert.equal(sent.status, 303);
    assert.match(sent.location, new RegExp(`^${POST}/held/\\d+/[0-9a-f]{24}$`));
    const held = await page(blog, sent.location);
    assert.equal(held.status, 200);
    assert.match(held.body, /awaiting moderation/i);
    assert.match(held.body, /A thoughtful comment about social media in health care\./);
    const row = await stored(blog, idFrom(sent.location));
    assert.equal(row.status, "pending");
    assert.deepEqual(JSON.parse(row.spam_reasons), ["first comment from this email address"]);
    assert.doesNotMatch(row.client_hash, /203\.0\.113/, "never the raw IP at rest");
    assert.doesNotMatch((await page(blog, POST)).body, /A thoughtful comment/);
    // Someone else cannot read it by guessing the link.
    const forged = sent.location.replace(/[0-9a-f]{24}$/, "0".repeat(24));
    assert.equal((await page(blog, forged)).status, 404);

    // Approval by the author refreshes the cached post page, and the held link now leads there.
    await admin(blog, "PATCH", `/admin/comments/${row.id}`, { status: "approved" });
    assert.match((await page(blog, POST)).body, /A thoughtful comment/);
    const after = await blog.fetch(sent.location);
    assert.equal(after.status, 303);
    assert.equal(after.headers.get("location"), `${POST}#comment-${row.id}`);
  } finally {
    await blog.close();
  }
});

test("a commenter with an approved comment is approved at once and lands on it", async () => {
  const blog = await startBlog();
  try {
    assert.equal((await page(blog, POST)).cache, "miss");
    const sent = await postComment(blog, SLUG, await fields({ author: "Phil Baumann", email: "PHIL@example.com", body: "Following up on my comment." }));
    assert.equal(sent.status, 303);
    const id = idFrom(sent.location);
    assert.equal(sent.location, `${POST}#comment-${id}`);
    const shown = await page(blog, POST);
    assert.equal(shown.cache, "miss", "the cached page was replaced");
    assert.match(shown.body, new RegExp(`id="comment-${id}"`));
    assert.match(shown.body, /4 responses to/);
    assert.match((await page(blog, "/")).body, /4 responses/);
  } finally {
    await blog.close();
  }
});

test("a comment that fails validation comes back as 422 with every field intact and each fault named", async () => {
  const blog = await startBlog();
  try {
    const typed = await fields({
      author: "",
      email: "not-an-email",
      url: "javascript:alert(1)",
      body: 'My <b>bold</b> "quoted" </textarea><script>alert(1)</script> words',
    });
    const sent = await postComment(blog, SLUG, typed);
    assert.equal(sent.status, 422);
    assert.match(sent.body, /id="author-error">Please give your name\./);
    assert.match(sent.body, /id="email-error">This does not look like an email address/);
    assert.match(sent.body, /id="url-error">Websites must start with http:\/\/ or https:\/\//);
    assert.match(sent.body, /value="not-an-email"/);
    assert.match(sent.body, /value="javascript:alert\(1\)"/);
    assert.match(sent.body, /My &(lt|#60);b&(gt|#62);bold&(lt|#60);\/b&(gt|#62); &(quot|#34);quoted&(quot|#34); &(lt|#60);\/textarea&(gt|#62);&(lt|#60);script&(gt|#62;)/);
    assert.doesNotMatch(sent.body, /<script>alert/);
    // The form sent back can be corrected and sent straight away.
    const fixed = { ...typed, author: "Nina", email: "nina@example.org", url: "", token: formToken(sent.body) };
    const again = await postComment(blog, SLUG, fixed);
    assert.equal(again.status, 303, again.body.slice(0, 300));

    const long = await postComment(blog, SLUG, await fields({ body: "x".repeat(10_001), author: "a".repeat(101) }));
    assert.equal(long.status, 422);
    assert.match(long.body, /at most 10000 characters; this one has 10001/);
    assert.match(long.body, /Names can be at most 100 characters/);
    assert.ok(long.body.includes("x".repeat(10_001)), "the over-long text is handed back whole");
  } finally {
    await blog.close();
  }
});

test("rule 2: a missing, forged or expired token sends the form back with a request to resend", async () => {
  const blog = await startBlog();
  try {
    for (const token of ["", "12345.deadbeef", await mintToken(2, now() - 60), await mintToken(1, now() - 40 * 86400)]) {
      const sent = await postComment(blog, SLUG, await fields({ token, body: `Body with token ${token.slice(0, 5)}` }));
      assert.equal(sent.status, 422, token);
      assert.match(sent.body, /please send it again/i);
      assert.ok(sent.body.includes(`Body with token ${token.slice(0, 5)}`));
      const resent = await postComment(blog, SLUG, await fields({ token: formToken(sent.body), body: `Body with token ${token.slice(0, 5)}` }));
      assert.equal(resent.status, 303, "the re-rendered form works at once");
    }
    // The token in a cached page still verifies: it was issued when the page was rendered.
    const first = await page(blog, POST);
    const cached = await page(blog, POST);
    assert.match(cached.cache, CACHED);
    assert.equal(formToken(cached.body), formToken(first.body));
  } finally {
    await blog.close();
  }
});

test("rules 1, 3, 4 and 5: honeypot, speed, links and blocklist, each with its stored reason", async () => {
  const blog = await startBlog({ settings: { comment_blocklist: "casino, cheap pills" } });
  try {
    const known = { author: "Phil Baumann", email: "phil@example.com" };
    const cases = [
      [{ subject: "http://spam.example" }, "spam", /honeypot/],
      [{ token: await mintToken(1, now()) }, "spam", /sent \d s after the form was issued \(minimum 3 s\)/],
      [{ body: "See http://a.example http://b.example https://c.example" }, "pending", /3 links \(more than 2\)/],
      [{ body: "Best CASINO bonus" }, "spam", /blocklisted phrase "casino"/],
    ];
    for (const [extra, status, reason] of cases) {
      const sent = await postComment(blog, SLUG, await fields({ ...known, body: `Case ${JSON.stringify(extra)}`, ...extra }));
      assert.equal(sent.status, 303, JSON.stringify(extra));
      assert.match(sent.location, /\/held\//, "spam and held comments get the same answer");
      const row = await stored(blog, idFrom(sent.location));
      assert.equal(row.status, status, JSON.stringify(extra));
      assert.match(JSON.parse(row.spam_reasons).join("; "), reason);
    }
    const spam = await admin(blog, "GET", "/admin/comments?status=spam");
    assert.equal(spam.json.comments.length, 3);
    assert.doesNotMatch((await page(blog, POST)).body, /Case /, "none of them is shown to readers");
  } finally {
    await blog.close();
  }
});

test("rule 6: the same comment twice on a post is refused with a message", async () => {
  const blog = await startBlog();
  try {
    const first = await postComment(blog, SLUG, await fields({ body: "Exactly this." }));
    assert.equal(first.status, 303);
    const second = await postComment(blog, SLUG, await fields({ body: "exactly   this." }));
    assert.equal(second.status, 422);
    assert.match(second.body, /already been posted/);
    assert.match(second.body, /exactly   this\./);
  } finally {
    await blog.close();
  }
});

test("rule 7: a sixth comment within 10 minutes from one client gets 429 with Retry-After and its text", async () => {
  const blog = await startBlog();
  try {
    for (let i = 1; i <= 5; i++) {
      const sent = await postComment(blog, SLUG, await fields({ body: `Comment number ${i}` }), "198.51.100.7");
      assert.equal(sent.status, 303, `comment ${i}`);
    }
    const sixth = await postComment(blog, SLUG, await fields({ body: "Comment number 6" }), "198.51.100.7");
    assert.equal(sixth.status, 429);
    assert.ok(Number(sixth.res.headers.get("retry-after")) > 500);
    assert.match(sixth.body, /Please wait 10 minutes/);
    assert.match(sixth.body, /Comment number 6/);
    const other = await postComment(blog, SLUG, await fields({ body: "From another client" }), "198.51.100.8");
    assert.equal(other.status, 303);
  } finally {
    await blog.close();
  }
});

test("unknown posts are 404; closed posts are 403 with the text handed back", async () => {
  const blog = await startBlog({ settings: { comments_close_after_days: "30" } });
  try {
    assert.equal((await postComment(blog, "no-such-post", await fields())).status, 404);
    // The 2011 demo post is far older than 30 days.
    const old = await postComment(blog, SLUG, await fields({ body: "Too late?" }));
    assert.equal(old.status, 403);
    assert.match(old.body, /Comments are closed on this post/);
    assert.match(old.body, /Too late\?/);
  } finally {
    await blog.close();
  }
  const open = await startBlog();
  try {
    await open.db.prepare("UPDATE posts SET comments_open = 0").run();
    const closed = await postComment(open, SLUG, await fields({ body: "Closed?" }));
    assert.equal(closed.status, 403);
    assert.match(closed.body, /Closed\?/);
  } finally {
    await open.close();
  }
});

test("replies thread under their parent; the reply link opens the form set to reply", async () => {
  const blog = await startBlog();
  try {
    const { body } = await page(blog, POST);
    assert.match(body, new RegExp(`href="${POST}/reply/1#respond"`));
    const form = await page(blog, `${POST}/reply/1`);
    assert.equal(form.status, 200);
    assert.match(form.body, /<h1>Reply to Phil Baumann<\/h1>/);
    assert.match(form.body, /name="parent" value="1"/);
    assert.match(form.body, /Hi Claire/);
    assert.equal((await page(blog, `${POST}/reply/999`)).status, 404);

    const reply = await postComment(blog, SLUG, await fields({ author: "Phil Baumann", email: "phil@example.com", parent: "2", body: "A reply to Claire's reply." }));
    assert.equal(reply.status, 303);
    const id = idFrom(reply.location);
    const shown = (await page(blog, POST)).body;
    const at = shown.indexOf(`id="comment-${id}"`);
    assert.match(shown.slice(at, at + 120), /depth-3/);
    assert.ok(at > shown.indexOf('id="comment-2"') && at < shown.indexOf('id="comment-3"'));

    await admin(blog, "POST", "/admin/posts", { title: "Other", body: "x", slug: "other" });
    const tokenForOther = await blog.db.prepare("SELECT id FROM posts WHERE slug = 'other'").first();
    const wrongPost = await postComment(blog, "other", {
      ...(await fields({ parent: "1" })),
      token: await mintToken(tokenForOther.id, now() - 60),
    });
    assert.equal(wrongPost.status, 422);
    assert.match(wrongPost.body, /replying to is no longer there/);
  } finally {
    await blog.close();
  }
});

test("threads nest five levels deep; deeper replies attach to the fifth", async () => {
  const blog = await startBlog();
  try {
    let parent = 3;
    for (let i = 0; i < 6; i++) {
      const row = await blog.db
        .prepare("INSERT INTO comments (post_id, parent_id, author_name, author_email, body, status, created_at) VALUES (1, ?, 'Deep', 'd@example.org', ?, 'approved', ?) RETURNING id")
        .bind(parent, `Level ${i + 2}`, 1300420000 + i)
        .first();
      parent = row.id;
    }
    const body = (await page(blog, POST)).body;
    const depths = [...body.matchAll(/class="comment depth-(\d)[^"]*"/g)].map((m) => Number(m[1]));
    assert.equal(Math.max(...depths), 5);
    assert.equal(depths.filter((d) => d === 5).length, 3, "levels 5, 6 and 7 all sit at depth 5");
  } finally {
    await blog.close();
  }
});

test("comment text never becomes markup; URLs become nofollow links", async () => {
  const blog = await startBlog();
  try {
    const sent = await postComment(
      blog,
      SLUG,
      await fields({
        author: 'Mallory <img src=x onerror=alert(1)>',
        email: "phil@example.com",
        url: "https://mallory.example/",
        body: '<script>alert("x")</script>\n\nVisit https://example.com/page?a=1&b=2 *today*.\njavascript:alert(1) **<b>bold</b>** 2*3*4',
      }),
    );
    assert.equal(sent.status, 303);
    const shown = (await page(blog, POST)).body;
    const id = idFrom(sent.location);
    const block = shown.slice(shown.indexOf(`id="comment-${id}"`));
    assert.match(block, /<a href="https:\/\/mallory.example\/" rel="nofollow ugc">Mallory &(lt|#60);img src=x onerror=alert\(1\)&(gt|#62);<\/a>/);
    assert.match(block, /<p>&(lt|#60);script&(gt|#62);alert\(&(quot|#34);x&(quot|#34);\)&(lt|#60);\/script&(gt|#62);<\/p>/);
    assert.match(block, /<a href="https:\/\/example.com\/page\?a=1&amp;b=2" rel="nofollow ugc noopener">/);
    assert.match(block, /<br>\njavascript:alert\(1\) <strong>&(lt|#60);b&(gt|#62);bold&(lt|#60);\/b&(gt|#62);<\/strong> 2\*3\*4<\/p>/);
    assert.match(block, / <em>today<\/em>\./, "stars make emphasis");
  } finally {
    await blog.close();
  }
});

test("malformed posts get clear 4xx answers", async () => {
  const blog = await startBlog();
  try {
    const json = await blog.fetch(`${POST}/comments`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    assert.equal(json.status, 415);
    assert.match(await json.text(), /application\/x-www-form-urlencoded/);
    const huge = await blog.fetch(`${POST}/comments`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "body=" + "x".repeat(200_000),
    });
    assert.equal(huge.status, 413);
    const get = await blog.fetch(`${POST}/comments`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    const bad = await blog.fetch(`${POST}/comments`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: Buffer.from([0x62, 0x6f, 0x64, 0x79, 0x3d, 0xff, 0xfe, 0x25, 0x25]),
    });
    assert.equal(bad.status, 422);
  } finally {
    await blog.close();
  }
});

/** A fake Akismet on loopback: answers as `answer` says and records what it was sent. */
async function fakeAkismet() {
  const seen = [];
  let answer = "false";
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push(Object.fromEntries(new URLSearchParams(body)));
      if (answer === "error") {
        res.writeHead(500, { "X-akismet-debug-help": "Something broke" }).end("");
      } else if (answer === "slow") {
        setTimeout(() => res.writeHead(200).end("true"), 5000);
      } else {
        res.writeHead(200, { "Content-Type": "text/plain" }).end(answer);
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/1.1/comment-check`,
    seen,
    answer: (a) => (answer = a),
    close: () => new Promise((r) => server.close(r)),
  };
}

test("rule 9: Akismet's spam verdict marks spam; its error or silence holds the comment", async () => {
  const akismet = await fakeAkismet();
  const blog = await startBlog({ vars: { AKISMET_KEY: "fake-key", AKISMET_ENDPOINT: akismet.url } });
  try {
    const known = { author: "Phil Baumann", email: "phil@example.com" };
    akismet.answer("false");
    const ham = await postComment(blog, SLUG, await fields({ ...known, body: "Akismet says ham" }), "192.0.2.50");
    assert.match(ham.location, /#comment-/);
    const sentFields = akismet.seen.at(-1);
    assert.equal(sentFields.api_key, "fake-key");
    assert.equal(sentFields.comment_content, "Akismet says ham");
    assert.equal(sentFields.user_ip, "192.0.2.50");
    assert.equal(sentFields.comment_type, "comment");
    assert.equal(sentFields.permalink, `http://127.0.0.1:8787${POST}`);

    akismet.answer("true");
    const spam = await postComment(blog, SLUG, await fields({ ...known, body: "Akismet says spam" }));
    assert.equal((await stored(blog, idFrom(spam.location))).status, "spam");

    akismet.answer("error");
    const failed = await postComment(blog, SLUG, await fields({ ...known, body: "Akismet fails" }));
    const row = await stored(blog, idFrom(failed.location));
    assert.equal(row.status, "pending");
    assert.match(row.spam_reasons, /Akismet could not be asked \(HTTP 500: Something broke\)/);

    akismet.answer("slow");
    const slow = await postComment(blog, SLUG, await fields({ ...known, body: "Akismet is slow" }));
    const slowRow = await stored(blog, idFrom(slow.location));
    assert.equal(slowRow.status, "pending");
    assert.match(slowRow.spam_reasons, /no answer within 3 s/);
  } finally {
    await blog.close();
    await akismet.close();
  }
});

test("200 valid comments sent at once from distinct clients are each stored exactly once", async () => {
  const blog = await startBlog();
  try {
    const token = await mintToken(1, now() - 60);
    const sends = Array.from({ length: 200 }, (_, i) =>
      postComment(blog, SLUG, { token, author: `Reader ${i}`, email: `reader${i}@example.org`, body: `Concurrent comment ${i}`, subject: "" }, `10.0.${i >> 8}.${i & 255}`),
    );
    const results = await Promise.all(sends);
    assert.deepEqual([...new Set(results.map((r) => r.status))], [303]);
    const rows = await blog.db.prepare("SELECT body, COUNT(*) AS n FROM comments WHERE body LIKE 'Concurrent comment %' GROUP BY body").all();
    assert.equal(rows.results.length, 200);
    assert.ok(rows.results.every((r) => r.n === 1));
    const ids = new Set(results.map((r) => idFrom(r.location)));
    assert.equal(ids.size, 200);
  } finally {
    await blog.close();
  }
});
