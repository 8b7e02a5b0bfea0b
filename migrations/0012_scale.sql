-- A page costs the same on a blog of ten posts or a hundred thousand.
--
-- Every statement on a reader's path walks an index in the order the page shows, for as many rows
-- as the page shows; counts a page needs are kept, not recounted. tests/query-plans.test.mjs holds
-- the Workers' statements to that, on a big blog.

-- Listed posts (the home listing, its pages, the feeds, a post's rank), newest first. Only
-- published posts are in it, so a walk never steps over drafts or pages.
CREATE INDEX posts_listed ON posts (published_at DESC, id DESC)
  WHERE kind = 'post' AND status = 'published';

-- The site menu, read on every page's miss: top-level published pages in the menu, in the
-- author's order. A handful of rows, whatever the number of posts.
CREATE INDEX pages_menu ON posts (menu_order, title COLLATE NOCASE)
  WHERE kind = 'page' AND parent_id IS NULL AND in_menu = 1 AND status = 'published';

-- A page's children, in the menu's order (the parent's "In this section").
DROP INDEX pages_by_parent;
CREATE INDEX pages_by_parent ON posts (parent_id, menu_order, title COLLATE NOCASE)
  WHERE parent_id IS NOT NULL;

-- A tag page lists the tag's posts newest first: each tag row carries its post's listing time
-- (its published_at while it is a published post, else NULL), so the walk is one index range.
ALTER TABLE post_tags ADD COLUMN listed_at INTEGER;
UPDATE post_tags SET listed_at =
  (SELECT p.published_at FROM posts p WHERE p.id = post_tags.post_id AND p.kind = 'post' AND p.status = 'published');
CREATE INDEX post_tags_listed ON post_tags (slug, listed_at DESC, post_id DESC)
  WHERE listed_at IS NOT NULL;

CREATE TRIGGER post_tags_listed_insert AFTER INSERT ON post_tags BEGIN
  UPDATE post_tags SET listed_at =
    (SELECT p.published_at FROM posts p WHERE p.id = new.post_id AND p.kind = 'post' AND p.status = 'published')
   WHERE post_id = new.post_id AND tag = new.tag;
END;

CREATE TRIGGER posts_listed_tags AFTER UPDATE OF kind, status, published_at ON posts BEGIN
  UPDATE post_tags SET listed_at = CASE WHEN new.kind = 'post' AND new.status = 'published' THEN new.published_at END
   WHERE post_id = new.id;
END;

-- Each post's approved comments, kept: the listings show it for every post, the post page for
-- its own.
ALTER TABLE posts ADD COLUMN responses INTEGER NOT NULL DEFAULT 0;
UPDATE posts SET responses = (SELECT COUNT(*) FROM comments c WHERE c.post_id = posts.id AND c.status = 'approved');

-- How many rows of a kind there are, kept for the admin's lists (which page through them):
-- 'post' and 'page' (every status), 'comments:pending|approved|spam', 'media', 'subscriptions'.
CREATE TABLE tallies (
  name TEXT PRIMARY KEY,
  n    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO tallies (name, n) SELECT kind, COUNT(*) FROM posts GROUP BY kind;
INSERT INTO tallies (name, n) SELECT 'comments:' || status, COUNT(*) FROM comments GROUP BY status;
INSERT INTO tallies (name, n) SELECT 'media', COUNT(*) FROM media;
INSERT INTO tallies (name, n) SELECT 'subscriptions', COUNT(*) FROM subscriptions;

CREATE TRIGGER tallies_posts_insert AFTER INSERT ON posts BEGIN
  INSERT INTO tallies (name, n) VALUES (new.kind, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tallies_posts_delete AFTER DELETE ON posts BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = old.kind;
END;
CREATE TRIGGER tallies_posts_kind AFTER UPDATE OF kind ON posts WHEN old.kind <> new.kind BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = old.kind;
  INSERT INTO tallies (name, n) VALUES (new.kind, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER comments_tally_insert AFTER INSERT ON comments BEGIN
  INSERT INTO tallies (name, n) VALUES ('comments:' || new.status, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
  UPDATE posts SET responses = responses + 1 WHERE id = new.post_id AND new.status = 'approved';
END;
CREATE TRIGGER comments_tally_delete AFTER DELETE ON comments BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = 'comments:' || old.status;
  UPDATE posts SET responses = responses - 1 WHERE id = old.post_id AND old.status = 'approved';
END;
CREATE TRIGGER comments_tally_update AFTER UPDATE OF status, post_id ON comments
  WHEN old.status <> new.status OR old.post_id <> new.post_id BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = 'comments:' || old.status;
  INSERT INTO tallies (name, n) VALUES ('comments:' || new.status, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
  UPDATE posts SET responses = responses - 1 WHERE id = old.post_id AND old.status = 'approved';
  UPDATE posts SET responses = responses + 1 WHERE id = new.post_id AND new.status = 'approved';
END;

CREATE TRIGGER media_tally_insert AFTER INSERT ON media BEGIN
  INSERT INTO tallies (name, n) VALUES ('media', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER media_tally_delete AFTER DELETE ON media BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = 'media';
END;

CREATE TRIGGER subscriptions_tally_insert AFTER INSERT ON subscriptions BEGIN
  INSERT INTO tallies (name, n) VALUES ('subscriptions', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER subscriptions_tally_delete AFTER DELETE ON subscriptions BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = 'subscriptions';
END;

-- The comment form's duplicate check reads a post's newest comments.
CREATE INDEX comments_by_post_newest ON comments (post_id, id);

-- The subscription limit per client and hour.
CREATE INDEX subscriptions_by_client ON subscriptions (client_hash, created_at)
  WHERE client_hash IS NOT NULL;

-- A feed's podcast enclosure looks among the audio files only.
CREATE INDEX media_by_type ON media (type);

-- The admin's lists, page by page in the order they show, without sorting the table.
-- Posts and pages: undated drafts first, then newest first; all entries, or one kind.
CREATE INDEX posts_admin_order ON posts (published_at IS NOT NULL, published_at DESC, id DESC);
CREATE INDEX posts_admin_by_kind ON posts (kind, published_at IS NOT NULL, published_at DESC, id DESC);
-- Comments by status, newest first.
DROP INDEX comments_by_status;
CREATE INDEX comments_by_status ON comments (status, created_at DESC, id DESC);
-- The outbox by status, newest first.
CREATE INDEX outbox_by_status ON outbox (status, id);
-- The not-found log, most asked-for first.
CREATE INDEX not_found_by_hits ON not_found (hits DESC, last_seen DESC);

-- The cron job's retention and the cascades it sets off: each deletes by an index.
CREATE INDEX outbox_by_subscription ON outbox (subscription_id) WHERE subscription_id IS NOT NULL;
CREATE INDEX outbox_by_age ON outbox (created_at) WHERE status IN ('sent', 'failed');
CREATE INDEX subscriptions_unconfirmed ON subscriptions (created_at) WHERE confirmed_at IS NULL;
CREATE INDEX used_links_by_time ON used_links (used_at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (at);
