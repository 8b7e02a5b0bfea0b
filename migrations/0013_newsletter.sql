-- The newsletter: readers who asked for each new post (or a weekly digest) by email.
--
-- A subscriber confirms by a link (double opt-in). Publishing a post writes one `newsletter_issues`
-- row in the same statement (the triggers below), whatever path publishes it: the API, blogctl,
-- the browser editor, or a scheduled post's time coming. The author Worker then fans an issue out
-- in bounded chunks, one `newsletter_messages` row per recipient (at most one per issue and
-- subscriber: the UNIQUE below), and sends those at the pace the settings allow.

CREATE TABLE subscribers (
  id           INTEGER PRIMARY KEY,
  email        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'confirmed', 'unsubscribed', 'suppressed')),
  cadence      TEXT    NOT NULL DEFAULT 'post' CHECK (cadence IN ('post', 'weekly')),
  source       TEXT    NOT NULL DEFAULT 'form' CHECK (source IN ('form', 'admin', 'import')),
  token        TEXT    NOT NULL UNIQUE,   -- random; in the links of every mail (confirm, manage, leave)
  client_hash  TEXT,                      -- who asked, for the rate limit (never the IP)
  failures     INTEGER NOT NULL DEFAULT 0, -- mails to it refused for good
  created_at   INTEGER NOT NULL,
  confirmed_at INTEGER,
  changed_at   INTEGER NOT NULL
);
-- An issue's fan-out walks the confirmed subscribers of one cadence by id; the admin list pages
-- through one status newest first.
CREATE INDEX subscribers_by_status ON subscribers (status, cadence, id);
CREATE INDEX subscribers_by_client ON subscribers (client_hash, changed_at) WHERE client_hash IS NOT NULL;
CREATE INDEX subscribers_newest ON subscribers (status, id DESC);

-- Whether a post goes out by email when it is published (front matter `newsletter: false`).
ALTER TABLE posts ADD COLUMN newsletter INTEGER NOT NULL DEFAULT 1 CHECK (newsletter IN (0, 1));

CREATE TABLE newsletter_issues (
  id           INTEGER PRIMARY KEY,
  kind         TEXT    NOT NULL CHECK (kind IN ('post', 'digest')),
  post_id      INTEGER UNIQUE REFERENCES posts (id) ON DELETE CASCADE, -- kind 'post'
  period_start INTEGER,                   -- kind 'digest': the posts published in
  period_end   INTEGER UNIQUE,            --   [period_start, period_end)
  created_at   INTEGER NOT NULL,
  cursor       INTEGER NOT NULL DEFAULT 0, -- subscribers up to this id have their message row
  fanned_at    INTEGER                    -- when every recipient had their row
);
CREATE INDEX newsletter_issues_fanning ON newsletter_issues (id) WHERE fanned_at IS NULL;

CREATE TABLE newsletter_messages (
  id              INTEGER PRIMARY KEY,
  kind            TEXT    NOT NULL CHECK (kind IN ('confirm', 'issue')),
  issue_id        INTEGER REFERENCES newsletter_issues (id) ON DELETE CASCADE, -- kind 'issue'
  subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,       -- when claimed: the claim's time
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  UNIQUE (issue_id, subscriber_id)        -- an issue reaches a subscriber once
);
CREATE INDEX newsletter_due ON newsletter_messages (status, kind, next_attempt_at);
CREATE INDEX newsletter_by_subscriber ON newsletter_messages (subscriber_id, kind, created_at);
CREATE INDEX newsletter_by_issue ON newsletter_messages (issue_id, status) WHERE issue_id IS NOT NULL;
CREATE INDEX newsletter_by_age ON newsletter_messages (created_at) WHERE status IN ('sent', 'failed', 'cancelled');

-- The pace: messages claimed in the current minute (one row; fixed one-minute windows), so that a
-- claim reads one row to know its allowance, however many messages went out.
CREATE TABLE newsletter_pace (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  minute INTEGER NOT NULL,             -- Unix minutes
  sent   INTEGER NOT NULL
);

-- A post that becomes published (not a page, not opted out, not dated more than a day before now
-- as an import's or a seed's old posts are) writes its issue in the same statement. Once per post: a post unpublished and
-- published again is not sent twice.
CREATE TRIGGER newsletter_on_publish AFTER INSERT ON posts
  WHEN new.kind = 'post' AND new.status = 'published' AND new.newsletter = 1
   AND new.published_at >= CAST(strftime('%s', 'now') AS INTEGER) - 86400
BEGIN
  INSERT OR IGNORE INTO newsletter_issues (kind, post_id, created_at) VALUES ('post', new.id, new.updated_at);
END;
CREATE TRIGGER newsletter_on_publish_later AFTER UPDATE OF status ON posts
  WHEN new.kind = 'post' AND new.status = 'published' AND old.status <> 'published'
   AND new.newsletter = 1 AND new.published_at >= CAST(strftime('%s', 'now') AS INTEGER) - 86400
BEGIN
  INSERT OR IGNORE INTO newsletter_issues (kind, post_id, created_at) VALUES ('post', new.id, new.updated_at);
END;

-- Subscribers by status, kept (the admin's counts).
CREATE TRIGGER subscribers_tally_insert AFTER INSERT ON subscribers BEGIN
  INSERT INTO tallies (name, n) VALUES ('subscribers:' || new.status, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER subscribers_tally_delete AFTER DELETE ON subscribers BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = 'subscribers:' || old.status;
END;
CREATE TRIGGER subscribers_tally_update AFTER UPDATE OF status ON subscribers
  WHEN old.status <> new.status BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = 'subscribers:' || old.status;
  INSERT INTO tallies (name, n) VALUES ('subscribers:' || new.status, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;
