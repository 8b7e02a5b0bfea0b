-- Tags on posts; where imported comments came from (so a re-run of an import adds nothing twice);
-- and small key/value state for the scheduled publisher.

CREATE TABLE post_tags (
  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  tag     TEXT    NOT NULL,
  PRIMARY KEY (post_id, tag)
) WITHOUT ROWID;
-- The posts of a tag.
CREATE INDEX post_tags_by_tag ON post_tags (tag, post_id);

-- The comment's id in the system it was imported from (WordPress's wp:comment_id), if any.
ALTER TABLE comments ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX comments_import_key ON comments (post_id, import_key) WHERE import_key IS NOT NULL;

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
