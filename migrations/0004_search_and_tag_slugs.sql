-- Full-text search over titles, bodies and addenda (SQLite FTS5), kept in step by triggers so
-- that every write path (the admin API, imports, direct SQL) updates it. The rowid is the post id.
CREATE VIRTUAL TABLE post_search USING fts5(title, body, addenda, tokenize = 'unicode61 remove_diacritics 2');

INSERT INTO post_search (rowid, title, body, addenda)
SELECT id, title, body, COALESCE((SELECT group_concat(body, char(10)) FROM addenda WHERE post_id = posts.id), '')
  FROM posts;

CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN
  INSERT INTO post_search (rowid, title, body, addenda) VALUES (new.id, new.title, new.body, '');
END;

CREATE TRIGGER posts_search_update AFTER UPDATE OF title, body ON posts BEGIN
  UPDATE post_search SET title = new.title, body = new.body WHERE rowid = new.id;
END;

CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
  DELETE FROM post_search WHERE rowid = old.id;
END;

CREATE TRIGGER addenda_search_insert AFTER INSERT ON addenda BEGIN
  UPDATE post_search
     SET addenda = (SELECT group_concat(body, char(10)) FROM addenda WHERE post_id = new.post_id)
   WHERE rowid = new.post_id;
END;

CREATE TRIGGER addenda_search_delete AFTER DELETE ON addenda BEGIN
  UPDATE post_search
     SET addenda = COALESCE((SELECT group_concat(body, char(10)) FROM addenda WHERE post_id = old.post_id), '')
   WHERE rowid = old.post_id;
END;

-- Tags get a URL-safe slug for /tags/{slug}.
ALTER TABLE post_tags ADD COLUMN slug TEXT NOT NULL DEFAULT '';
CREATE INDEX post_tags_by_slug ON post_tags (slug, post_id);
