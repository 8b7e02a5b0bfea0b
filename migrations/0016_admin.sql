-- An addendum corrected or removed from the browser admin or the API: the search index follows,
-- and a post on the fediverse sends an Update, as for a new addendum (0014).

CREATE TRIGGER addenda_search_update AFTER UPDATE OF body ON addenda BEGIN
  UPDATE post_search
     SET addenda = COALESCE((SELECT group_concat(body, char(10)) FROM addenda WHERE post_id = new.post_id), '')
   WHERE rowid = new.post_id;
END;

CREATE TRIGGER fediverse_update_on_addendum_edit AFTER UPDATE OF body ON addenda
  WHEN old.body IS NOT new.body
   AND (SELECT kind = 'post' AND status = 'published' FROM posts WHERE id = new.post_id)
   AND COALESCE((SELECT kind FROM fediverse_activities WHERE post_id = new.post_id AND kind IN ('create', 'delete')
                  ORDER BY id DESC LIMIT 1), 'delete') = 'create'
   AND NOT EXISTS (SELECT 1 FROM fediverse_activities a JOIN fediverse_deliveries d ON d.activity_id = a.id
                    WHERE a.post_id = new.post_id AND a.kind IN ('create', 'update')
                      AND d.status = 'queued' AND d.attempts = 0)
BEGIN
  INSERT INTO fediverse_activities (kind, post_id, created_at)
    VALUES ('update', new.post_id, CAST(strftime('%s', 'now') AS INTEGER));
  INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
    SELECT (SELECT MAX(id) FROM fediverse_activities), inbox, CAST(strftime('%s', 'now') AS INTEGER)
      FROM followers GROUP BY inbox;
END;

CREATE TRIGGER fediverse_update_on_addendum_delete AFTER DELETE ON addenda
  WHEN (SELECT kind = 'post' AND status = 'published' FROM posts WHERE id = old.post_id)
   AND COALESCE((SELECT kind FROM fediverse_activities WHERE post_id = old.post_id AND kind IN ('create', 'delete')
                  ORDER BY id DESC LIMIT 1), 'delete') = 'create'
   AND NOT EXISTS (SELECT 1 FROM fediverse_activities a JOIN fediverse_deliveries d ON d.activity_id = a.id
                    WHERE a.post_id = old.post_id AND a.kind IN ('create', 'update')
                      AND d.status = 'queued' AND d.attempts = 0)
BEGIN
  INSERT INTO fediverse_activities (kind, post_id, created_at)
    VALUES ('update', old.post_id, CAST(strftime('%s', 'now') AS INTEGER));
  INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
    SELECT (SELECT MAX(id) FROM fediverse_activities), inbox, CAST(strftime('%s', 'now') AS INTEGER)
      FROM followers GROUP BY inbox;
END;
