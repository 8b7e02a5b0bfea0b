-- Webmentions received (README.md, "Fediverse"): a source page that says it links to one of the
-- blog's posts, kept until the source is checked (later, through the queue), then shown as a
-- mention beside the pingbacks once moderation lets it, or refused with the reason.
CREATE TABLE webmentions (
  id         INTEGER PRIMARY KEY,
  source     TEXT    NOT NULL,
  target     TEXT    NOT NULL,
  post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  status     TEXT    NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'checking', 'verified', 'refused', 'removed')),
  comment_id INTEGER REFERENCES comments (id) ON DELETE SET NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  next_at    INTEGER NOT NULL,
  note       TEXT,                       -- why it was refused or removed, or the last error
  created_at INTEGER NOT NULL,
  checked_at INTEGER,
  UNIQUE (source, post_id)              -- a source mentions a post once; sending again re-checks
);
CREATE INDEX webmentions_due ON webmentions (status, next_at);

-- Webmentions sent: a post published or edited is queued for a scan of its links (a trigger, as
-- for the fediverse: every way of publishing is covered); the scan writes one row per external
-- link, each sent once its endpoint is found (again after each edit, so that a page that lost
-- the link can take its mention away).
CREATE TABLE webmention_scans (
  post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
  next_at INTEGER NOT NULL
);
CREATE TABLE webmention_sends (
  id       INTEGER PRIMARY KEY,
  post_id  INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  target   TEXT    NOT NULL,
  status   TEXT    NOT NULL DEFAULT 'queued'
             CHECK (status IN ('queued', 'sending', 'sent', 'no-endpoint', 'failed')),
  endpoint TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at  INTEGER NOT NULL,
  note     TEXT,
  UNIQUE (post_id, target)
);
CREATE INDEX webmention_sends_due ON webmention_sends (status, next_at);

CREATE TRIGGER webmention_scan_on_insert AFTER INSERT ON posts
  WHEN new.kind = 'post' AND new.status = 'published'
   AND new.published_at >= CAST(strftime('%s', 'now') AS INTEGER) - 86400
BEGIN
  INSERT INTO webmention_scans (post_id, next_at)
    VALUES (new.id, MAX(new.published_at, CAST(strftime('%s', 'now') AS INTEGER)))
    ON CONFLICT (post_id) DO UPDATE SET next_at = excluded.next_at;
END;
CREATE TRIGGER webmention_scan_on_change AFTER UPDATE OF status, title, body ON posts
  WHEN new.kind = 'post' AND new.status = 'published'
   AND (old.status <> 'published' OR old.body IS NOT new.body OR old.title IS NOT new.title)
BEGIN
  INSERT INTO webmention_scans (post_id, next_at)
    VALUES (new.id, MAX(new.published_at, CAST(strftime('%s', 'now') AS INTEGER)))
    ON CONFLICT (post_id) DO UPDATE SET next_at = excluded.next_at;
END;
