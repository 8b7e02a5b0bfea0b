-- Email: an outbox written in the same batch as the change that causes each message (so that
-- nothing is lost or sent twice), commenters' subscriptions to replies (double opt-in), addresses
-- that want no mail at all, and the one-click moderation links already used.

CREATE TABLE subscriptions (
  id           INTEGER PRIMARY KEY,
  comment_id   INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE, -- replies to this one
  email        TEXT    NOT NULL COLLATE NOCASE,
  token        TEXT    NOT NULL UNIQUE,   -- random; in the confirm and unsubscribe links
  client_hash  TEXT,                      -- who asked, for the rate limit (never the IP)
  confirmed_at INTEGER,                   -- NULL until the address confirms
  created_at   INTEGER NOT NULL
);
CREATE INDEX subscriptions_by_comment ON subscriptions (comment_id);
CREATE INDEX subscriptions_by_email ON subscriptions (email);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  kind            TEXT    NOT NULL CHECK (kind IN ('moderation', 'confirm', 'reply')),
  comment_id      INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
  subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE CASCADE,
  recipient       TEXT    NOT NULL COLLATE NOCASE,
  status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  UNIQUE (kind, comment_id, recipient)    -- a message is written once, whoever triggers it again
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_recipient ON outbox (recipient, kind, created_at);

CREATE TABLE email_suppressions (
  email      TEXT PRIMARY KEY COLLATE NOCASE,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE used_links (
  nonce   TEXT PRIMARY KEY,
  used_at INTEGER NOT NULL
) WITHOUT ROWID;
