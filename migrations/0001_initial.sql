-- Posts, their addenda, and readers' comments. Times are Unix seconds (UTC).

CREATE TABLE posts (
  id            INTEGER PRIMARY KEY,
  slug          TEXT    NOT NULL UNIQUE,
  title         TEXT    NOT NULL,
  body          TEXT    NOT NULL,                       -- Markdown
  status        TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  published_at  INTEGER,                                -- in the future: scheduled
  updated_at    INTEGER NOT NULL,
  comments_open INTEGER NOT NULL DEFAULT 1 CHECK (comments_open IN (0, 1))
);
-- The home page: visible posts, newest first.
CREATE INDEX posts_visible ON posts (status, published_at DESC, id DESC);

-- Dated updates appended to a published post.
CREATE TABLE addenda (
  id         INTEGER PRIMARY KEY,
  post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  body       TEXT    NOT NULL,                          -- Markdown
  created_at INTEGER NOT NULL
);
CREATE INDEX addenda_by_post ON addenda (post_id, created_at, id);

CREATE TABLE comments (
  id             INTEGER PRIMARY KEY,
  post_id        INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  parent_id      INTEGER REFERENCES comments (id) ON DELETE SET NULL,
  author_name    TEXT    NOT NULL,
  author_email   TEXT    NOT NULL,
  author_url     TEXT,
  body           TEXT    NOT NULL,                      -- plain text, never markup
  status         TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'spam')),
  created_at     INTEGER NOT NULL,
  by_post_author INTEGER NOT NULL DEFAULT 0 CHECK (by_post_author IN (0, 1)),
  spam_reasons   TEXT    NOT NULL DEFAULT '[]',         -- JSON array of the spam checks' verdicts
  client_hash    TEXT                                   -- salted hash of the client's IP, never the IP
);
-- A post's approved comments in order, and the response counts on the home page.
CREATE INDEX comments_by_post ON comments (post_id, status, created_at, id);
-- The moderation queue, newest first.
CREATE INDEX comments_by_status ON comments (status, created_at DESC);
CREATE INDEX comments_by_parent ON comments (parent_id);
