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
