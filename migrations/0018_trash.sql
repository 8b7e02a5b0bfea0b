-- The trash: a deleted post or page stays restorable for 30 days (a setting-free rule, as in
-- WordPress), then the cron job deletes it for good with its revisions; the author can empty it
-- sooner. A trashed entry keeps its row, comments, addenda, tags and revisions (so that nothing
-- is copied and no id changes), but is a draft with a slug and address no one can ask for, so
-- that readers never see it and its old address is free; this row keeps what it was.
CREATE TABLE trash (
  post_id    INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
  slug       TEXT    NOT NULL,           -- its slug, address and status before, given back on restore
  path       TEXT    NOT NULL,
  status     TEXT    NOT NULL CHECK (status IN ('draft', 'published')),
  deleted_at INTEGER NOT NULL
);
CREATE INDEX trash_by_time ON trash (deleted_at);

-- The admin's counts of posts and pages leave trashed ones out; 'trash' counts those.
CREATE TRIGGER tallies_trash_insert AFTER INSERT ON trash BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = (SELECT kind FROM posts WHERE id = new.post_id);
  INSERT INTO tallies (name, n) VALUES ('trash', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;
-- (A purge deletes the trash row before the post, whose own trigger then counts it out.)
CREATE TRIGGER tallies_trash_delete AFTER DELETE ON trash BEGIN
  INSERT INTO tallies (name, n) SELECT kind, 1 FROM posts WHERE id = old.post_id
    ON CONFLICT (name) DO UPDATE SET n = n + 1;
  UPDATE tallies SET n = n - 1 WHERE name = 'trash';
END;
