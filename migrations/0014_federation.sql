-- The blog on the fediverse (README.md, "Fediverse"): remote actors and their keys, followers,
-- the activities the blog sends and their deliveries, likes and boosts, and replies as comments.

-- Actors the blog has met, as their servers describe them: where to deliver, their key (fetched
-- again when a signature fails to verify with it: keys rotate), their name for the page.
CREATE TABLE fediverse_actors (
  id           TEXT    PRIMARY KEY,      -- the actor's id (a URL)
  key_id       TEXT    NOT NULL,
  public_key   TEXT    NOT NULL,         -- PEM (SPKI)
  inbox        TEXT    NOT NULL,
  shared_inbox TEXT,
  name         TEXT    NOT NULL,         -- display name, else the user name
  handle       TEXT    NOT NULL,         -- @user@host
  url          TEXT,                     -- their profile page
  fetched_at   INTEGER NOT NULL
);
CREATE INDEX fediverse_actors_by_key ON fediverse_actors (key_id);

CREATE TABLE followers (
  actor_id   TEXT    PRIMARY KEY REFERENCES fediverse_actors (id) ON DELETE CASCADE,
  follow_id  TEXT,                       -- their Follow activity's id
  inbox      TEXT    NOT NULL,           -- where posts go: their server's shared inbox, else theirs
  created_at INTEGER NOT NULL
);
CREATE INDEX followers_by_inbox ON followers (inbox);

-- What the blog sends. The activity's JSON is made when it is delivered, from the post as it is
-- then (a post edited twice before its Update went out sends its latest text).
CREATE TABLE fediverse_activities (
  id         INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL CHECK (kind IN ('create', 'update', 'delete', 'accept', 'reply')),
  post_id    INTEGER,                    -- create, update, delete (no foreign key: a Delete outlives its post)
  comment_id INTEGER,                    -- reply: the author's comment
  object     TEXT,                       -- accept: the Follow as it came
  created_at INTEGER NOT NULL
);
CREATE INDEX fediverse_activities_by_post ON fediverse_activities (post_id, kind, id) WHERE post_id IS NOT NULL;

-- One row per activity and inbox: an activity reaches an inbox once.
CREATE TABLE fediverse_deliveries (
  id           INTEGER PRIMARY KEY,
  activity_id  INTEGER NOT NULL REFERENCES fediverse_activities (id) ON DELETE CASCADE,
  inbox        TEXT    NOT NULL,
  status       TEXT    NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'sending', 'delivered', 'failed', 'cancelled')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_at      INTEGER NOT NULL,         -- when claimed: the claim's time
  last_error   TEXT,
  delivered_at INTEGER,
  UNIQUE (activity_id, inbox)
);
CREATE INDEX fediverse_due ON fediverse_deliveries (status, next_at);
CREATE INDEX fediverse_deliveries_by_inbox ON fediverse_deliveries (inbox, status);

-- Likes and boosts of posts, counted on the post for its page.
CREATE TABLE fediverse_reactions (
  id         TEXT    PRIMARY KEY,        -- the Like's or Announce's id
  post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  actor_id   TEXT    NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('like', 'announce')),
  created_at INTEGER NOT NULL,
  UNIQUE (post_id, actor_id, kind)
);
CREATE INDEX fediverse_reactions_by_actor ON fediverse_reactions (actor_id);
ALTER TABLE posts ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN boosts INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER fediverse_reaction_added AFTER INSERT ON fediverse_reactions BEGIN
  UPDATE posts SET likes = likes + (new.kind = 'like'), boosts = boosts + (new.kind = 'announce')
   WHERE id = new.post_id;
END;
CREATE TRIGGER fediverse_reaction_removed AFTER DELETE ON fediverse_reactions BEGIN
  UPDATE posts SET likes = likes - (old.kind = 'like'), boosts = boosts - (old.kind = 'announce')
   WHERE id = old.post_id;
END;

-- A reply from the fediverse is a comment with its note's id and its author's actor.
ALTER TABLE comments ADD COLUMN ap_id TEXT;
ALTER TABLE comments ADD COLUMN ap_actor TEXT;
CREATE UNIQUE INDEX comments_by_ap_id ON comments (ap_id) WHERE ap_id IS NOT NULL;
CREATE INDEX comments_by_ap_actor ON comments (ap_actor, status) WHERE ap_actor IS NOT NULL;

INSERT INTO tallies (name, n) VALUES ('followers', 0);
CREATE TRIGGER followers_tally_insert AFTER INSERT ON followers BEGIN
  UPDATE tallies SET n = n + 1 WHERE name = 'followers';
END;
CREATE TRIGGER followers_tally_delete AFTER DELETE ON followers BEGIN
  UPDATE tallies SET n = n - 1 WHERE name = 'followers';
END;

-- Whether a post is on the fediverse now: its latest Create or Delete is a Create.
-- (Written out in each trigger below: a view cannot see `new`.)

-- A post that becomes published (not a page, not dated more than a day before now as an
-- import's or a seed's old posts are) writes its Create, and a delivery to each follower's inbox,
-- in the same statement; a scheduled one's deliveries wait for its time.
CREATE TRIGGER fediverse_create_on_insert AFTER INSERT ON posts
  WHEN new.kind = 'post' AND new.status = 'published'
   AND new.published_at >= CAST(strftime('%s', 'now') AS INTEGER) - 86400
BEGIN
  INSERT INTO fediverse_activities (kind, post_id, created_at) VALUES ('create', new.id, new.updated_at);
  INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
    SELECT (SELECT MAX(id) FROM fediverse_activities), inbox,
           MAX(new.published_at, CAST(strftime('%s', 'now') AS INTEGER))
      FROM followers GROUP BY inbox;
END;
CREATE TRIGGER fediverse_create_on_publish AFTER UPDATE OF status ON posts
  WHEN new.kind = 'post' AND new.status = 'published' AND old.status <> 'published'
   AND new.published_at >= CAST(strftime('%s', 'now') AS INTEGER) - 86400
   AND COALESCE((SELECT kind FROM fediverse_activities WHERE post_id = new.id AND kind IN ('create', 'delete')
                  ORDER BY id DESC LIMIT 1), 'delete') = 'delete'
BEGIN
  INSERT INTO fediverse_activities (kind, post_id, created_at) VALUES ('create', new.id, new.updated_at);
  INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
    SELECT (SELECT MAX(id) FROM fediverse_activities), inbox,
           MAX(new.published_at, CAST(strftime('%s', 'now') AS INTEGER))
      FROM followers GROUP BY inbox;
END;

-- An edit of a post on the fediverse sends an Update, unless one (or its Create) still waits to
-- go out: that one will carry the post as it is when it is sent.
CREATE TRIGGER fediverse_update_on_edit AFTER UPDATE OF title, body, image ON posts
  WHEN new.kind = 'post' AND new.status = 'published' AND old.status = 'published'
   AND (old.title IS NOT new.title OR old.body IS NOT new.body OR old.image IS NOT new.image)
   AND COALESCE((SELECT kind FROM fediverse_activities WHERE post_id = new.id AND kind IN ('create', 'delete')
                  ORDER BY id DESC LIMIT 1), 'delete') = 'create'
   AND NOT EXISTS (SELECT 1 FROM fediverse_activities a JOIN fediverse_deliveries d ON d.activity_id = a.id
                    WHERE a.post_id = new.id AND a.kind IN ('create', 'update')
                      AND d.status = 'queued' AND d.attempts = 0)
BEGIN
  INSERT INTO fediverse_activities (kind, post_id, created_at) VALUES ('update', new.id, new.updated_at);
  INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
    SELECT (SELECT MAX(id) FROM fediverse_activities), inbox, CAST(strftime('%s', 'now') AS INTEGER)
      FROM followers GROUP BY inbox;
END;
-- An addendum added, corrected or removed is an edit of its post.
CREATE TRIGGER fediverse_update_on_addendum AFTER INSERT ON addenda
  WHEN (SELECT kind = 'post' AND status = 'published' FROM posts WHERE id = new.post_id)
   AND COALESCE((SELECT kind FROM fediverse_activities WHERE post_id = new.post_id AND kind IN ('create', 'delete')
                  ORDER BY id DESC LIMIT 1), 'delete') = 'create'
   AND NOT EXISTS (SELECT 1 FROM fediverse_activities a JOIN fediverse_deliveries d ON d.activity_id = a.id
                    WHERE a.post_id = new.post_id AND a.kind IN ('create', 'update')
                      AND d.status = 'queued' AND d.attempts = 0)
BEGIN
  INSERT INTO fediverse_activities (kind, post_id, created_at) VALUES ('update', new.post_id, new.created_at);
  INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
    SELECT (SELECT MAX(id) FROM fediverse_activities), inbox, CAST(strftime('%s', 'now') AS INTEGER)
      FROM followers GROUP BY inbox;
END;

-- A post on the fediverse that is unpublished or deleted sends a Delete; what of it had not gone
-- out yet is cancelled.
CREATE TRIGGER fediverse_delete_on_unpublish AFTER UPDATE OF status ON posts
  WHEN old.status = 'published' AND new.status <> 'published'
   AND COALESCE((SELECT kind FROM fediverse_activities WHERE post_id = new.id AND kind IN ('create', 'delete')
                  ORDER BY id DESC LIMIT 1), 'delete') = 'create'
BEGIN
  UPDATE fediverse_deliveries SET status = 'cancelled'
   WHERE status = 'queued' AND activity_id IN
         (SELECT id FROM fediverse_activities WHERE post_id = new.id AND kind IN ('create', 'update'));
  INSERT INTO fediverse_activities (kind, post_id, created_at)
    VALUES ('delete', new.id, CAST(strftime('%s', 'now') AS INTEGER));
  INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
    SELECT (SELECT MAX(id) FROM fediverse_activities), inbox, CAST(strftime('%s', 'now') AS INTEGER)
      FROM followers GROUP BY inbox;
END;
CREATE TRIGGER fediverse_delete_on_delete AFTER DELETE ON posts
  WHEN COALESCE((SELECT kind FROM fediverse_activities WHERE post_id = old.id AND kind IN ('create', 'delete')
                  ORDER BY id DESC LIMIT 1), 'delete') = 'create'
BEGIN
  UPDATE fediverse_deliveries SET status = 'cancelled'
   WHERE status = 'queued' AND activity_id IN
         (SELECT id FROM fediverse_activities WHERE post_id = old.id AND kind IN ('create', 'update'));
  INSERT INTO fediverse_activities (kind, post_id, created_at)
    VALUES ('delete', old.id, CAST(strftime('%s', 'now') AS INTEGER));
  INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
    SELECT (SELECT MAX(id) FROM fediverse_activities), inbox, CAST(strftime('%s', 'now') AS INTEGER)
      FROM followers GROUP BY inbox;
END;

-- The author's approved reply to a comment from the fediverse goes to that comment's author.
CREATE TRIGGER fediverse_reply_on_insert AFTER INSERT ON comments
  WHEN new.by_post_author = 1 AND new.status = 'approved' AND new.parent_id IS NOT NULL
   AND (SELECT ap_actor FROM comments WHERE id = new.parent_id) IS NOT NULL
BEGIN
  INSERT INTO fediverse_activities (kind, comment_id, post_id, created_at)
    VALUES ('reply', new.id, NULL, new.created_at);
  INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
    SELECT (SELECT MAX(id) FROM fediverse_activities), a.inbox, new.created_at
      FROM comments c JOIN fediverse_actors a ON a.id = c.ap_actor WHERE c.id = new.parent_id;
END;
