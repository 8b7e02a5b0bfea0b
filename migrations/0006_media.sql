-- Media files: the bytes live in R2 under media/{hash}; this is what the blog knows of them.
CREATE TABLE media (
  id INTEGER PRIMARY KEY,
  -- SHA-256 of the content, 64 hex digits: the same file uploaded twice is one file.
  hash TEXT NOT NULL UNIQUE,
  -- The name it is served under (cleaned; its extension from the bytes).
  name TEXT NOT NULL,
  -- The MIME type its bytes say it is.
  type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  -- Images only.
  width INTEGER,
  height INTEGER,
  alt TEXT NOT NULL DEFAULT '',
  original_name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX media_by_created ON media (created_at DESC, id DESC);

-- A post's lead image (a path or URL): front matter `image`, else its first image. Pages name it
-- for og:image and twitter:card.
ALTER TABLE posts ADD COLUMN image TEXT;
