//! The fediverse's rows: remote actors and their keys, followers, the activities the blog sends
//! and their deliveries, likes and boosts, and replies kept as comments.

use super::*;
use blog_core::model::{CommentStatus, NewComment};

/// A remote actor as the blog keeps it.
#[derive(Debug, Clone, Deserialize)]
pub struct RemoteActor {
    pub id: String,
    pub key_id: String,
    pub public_key: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub name: String,
    pub handle: String,
    pub url: Option<String>,
    pub fetched_at: i64,
}

/// A follower, for the admin.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Follower {
    pub actor_id: String,
    pub handle: String,
    pub name: String,
    pub inbox: String,
    pub created_at: i64,
}

/// A follower brought back from an export.
#[derive(Debug, Clone)]
pub struct RestoredFollower {
    pub actor: String,
    pub handle: String,
    pub name: String,
    pub inbox: String,
    pub since: i64,
}

/// A delivery claimed for sending, with what its activity needs.
#[derive(Debug, Clone, Deserialize)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub activity_id: i64,
    pub inbox: String,
    pub attempts: u32,
    pub kind: String,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub object: Option<String>,
}

/// A post as its `Article` shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct FederatedPost {
    pub id: i64,
    pub path: String,
    pub title: String,
    pub body_html: String,
    pub lead: String,
    pub status: String,
    pub kind: String,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub responses: u32,
    pub image: Option<String>,
    /// `[[tag, slug], …]` as JSON.
    pub tags: String,
    /// `[[html, created_at], …]` as JSON.
    pub addenda: String,
}

impl FederatedPost {
    /// Public now: a published post whose time has come.
    pub fn is_public(&self, now: i64) -> bool {
        self.kind == "post"
            && self.status == "published"
            && self.published_at.is_some_and(|t| t <= now)
    }
}

/// The author's reply to a fediverse comment, with whom it answers.
#[derive(Debug, Clone, Deserialize)]
pub struct ReplyContent {
    pub id: i64,
    pub body_html: String,
    pub created_at: i64,
    pub status: String,
    pub post_path: String,
    pub parent_ap_id: String,
    pub parent_actor: String,
    pub parent_handle: String,
}

/// A delivery, for the admin.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub activity_id: i64,
    pub kind: String,
    pub post_id: Option<i64>,
    pub inbox: String,
    pub status: String,
    pub attempts: u32,
    pub next_at: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

/// A comment that came from the fediverse, as the inbox finds it again.
#[derive(Debug, Clone, Deserialize)]
pub struct FediverseComment {
    pub id: i64,
    pub post_id: i64,
    pub path: String,
    pub status: CommentStatus,
}

/// A row that is a post's path.
#[derive(Deserialize)]
struct PathRow {
    path: String,
}

/// A row that is a time, or NULL (`MIN` of nothing).
#[derive(Deserialize)]
struct At {
    at: Option<f64>,
}

const FEDERATED_POST: &str = "SELECT p.id, p.path, p.title, p.body_html, p.lead, p.status, p.kind, p.published_at, p.updated_at,
        p.responses, p.image,
        (SELECT COALESCE(json_group_array(json_array(t.tag, t.slug)), '[]') FROM post_tags t WHERE t.post_id = p.id) AS tags,
        (SELECT COALESCE(json_group_array(json_array(a.body_html, a.created_at)), '[]')
           FROM (SELECT body_html, created_at FROM addenda WHERE post_id = p.id ORDER BY created_at, id) a) AS addenda
   FROM posts p";

impl Store {
    pub async fn remote_actor(&self, id: &str) -> Result<Option<RemoteActor>> {
        Ok(self
            .statement("SELECT * FROM fediverse_actors WHERE id = ?1", &[id.into()])?
            .first(None)
            .await?)
    }

    pub async fn remote_actor_by_key(&self, key_id: &str) -> Result<Option<RemoteActor>> {
        Ok(self
            .statement(
                "SELECT * FROM fediverse_actors WHERE key_id = ?1 ORDER BY fetched_at DESC LIMIT 1",
                &[key_id.into()],
            )?
            .first(None)
            .await?)
    }

    /// Keeps an actor as just fetched (replacing what was kept).
    pub async fn save_remote_actor(&self, a: &RemoteActor) -> Result<()> {
        self.execute(
            "INSERT INTO fediverse_actors (id, key_id, public_key, inbox, shared_inbox, name, handle, url, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, public_key = excluded.public_key,
               inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, name = excluded.name,
               handle = excluded.handle, url = excluded.url, fetched_at = excluded.fetched_at",
            &[
                a.id.as_str().into(),
                a.key_id.as_str().into(),
                a.public_key.as_str().into(),
                a.inbox.as_str().into(),
                opt_str(a.shared_inbox.as_deref()),
                a.name.as_str().into(),
                a.handle.as_str().into(),
                opt_str(a.url.as_deref()),
                num(a.fetched_at),
            ],
        )
        .await
    }

    /// Keeps a follower and, in the same batch, the `Accept` for their Follow and its delivery
    /// to their own inbox. Following again (a lost Accept) answers again.
    pub async fn follow(
        &self,
        actor: &RemoteActor,
        follow: &str,
        follow_id: &str,
        now: i64,
    ) -> Result<()> {
        let deliver_to = actor.shared_inbox.as_deref().unwrap_or(&actor.inbox);
        let keep = self.statement(
            "INSERT INTO followers (actor_id, follow_id, inbox, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (actor_id) DO UPDATE SET follow_id = excluded.follow_id, inbox = excluded.inbox",
            &[actor.id.as_str().into(), follow_id.into(), deliver_to.into(), num(now)],
        )?;
        let accept = self.statement(
            "INSERT INTO fediverse_activities (kind, object, created_at) VALUES ('accept', ?1, ?2)",
            &[follow.into(), num(now)],
        )?;
        let deliver = self.statement(
            "INSERT INTO fediverse_deliveries (activity_id, inbox, next_at)
             VALUES ((SELECT MAX(id) FROM fediverse_activities), ?1, ?2)",
            &[actor.inbox.as_str().into(), num(now)],
        )?;
        self.db.batch(vec![keep, accept, deliver]).await?;
        Ok(())
    }

    pub async fn unfollow(&self, actor_id: &str) -> Result<bool> {
        let gone: Option<IdRow> = self
            .statement(
                "DELETE FROM followers WHERE actor_id = ?1 RETURNING 1 AS id",
                &[actor_id.into()],
            )?
            .first(None)
            .await?;
        Ok(gone.is_some())
    }

    /// Keeps followers again from an export (actor, handle, name, the inbox posts go to, since
    /// when), each in one batch; their actors are kept as never fetched, so that their keys are
    /// fetched when they next sign something. How many were not followers already.
    pub async fn restore_followers(&self, followers: &[RestoredFollower]) -> Result<usize> {
        let mut statements = Vec::new();
        for f in followers {
            statements.push(self.statement(
                "INSERT INTO fediverse_actors (id, key_id, public_key, inbox, name, handle, fetched_at)
                 VALUES (?1, '', '', ?2, ?3, ?4, 0) ON CONFLICT (id) DO NOTHING",
                &[f.actor.as_str().into(), f.inbox.as_str().into(), f.name.as_str().into(), f.handle.as_str().into()],
            )?);
            statements.push(self.statement(
                "INSERT INTO followers (actor_id, inbox, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (actor_id) DO NOTHING RETURNING 1 AS id",
                &[
                    f.actor.as_str().into(),
                    f.inbox.as_str().into(),
                    num(f.since),
                ],
            )?);
        }
        if statements.is_empty() {
            return Ok(0);
        }
        let results = self.db.batch(statements).await?;
        let mut added = 0;
        for result in results.iter().skip(1).step_by(2) {
            added += usize::from(first::<IdRow>(result)?.is_some());
        }
        Ok(added)
    }

    /// A page of followers, newest first, and how many there are.
    pub async fn followers(&self, limit: u32, offset: u32) -> Result<(Vec<Follower>, u32)> {
        let page = self.statement(
            "SELECT f.actor_id, a.handle, a.name, f.inbox, f.created_at
               FROM followers f JOIN fediverse_actors a ON a.id = f.actor_id
              ORDER BY f.created_at DESC, f.actor_id LIMIT ?1 OFFSET ?2",
            &[num(limit.into()), num(offset.into())],
        )?;
        self.page_and_tally(page, &["followers"]).await
    }

    /// Everything an actor sent (their replies, likes, boosts, their follow), when their account
    /// is deleted; the paths of the posts whose pages showed some of it.
    pub async fn forget_remote_actor(&self, actor_id: &str) -> Result<Vec<String>> {
        let touched = self.statement(
            // `IN` makes a set of the ids: each post once, without sorting.
            "SELECT p.path FROM posts p WHERE p.id IN
               (SELECT post_id FROM comments WHERE ap_actor = ?1 UNION ALL SELECT post_id FROM fediverse_reactions WHERE actor_id = ?1)",
            &[actor_id.into()],
        )?;
        let comments = self.statement(
            "DELETE FROM comments WHERE ap_actor = ?1",
            &[actor_id.into()],
        )?;
        let reactions = self.statement(
            "DELETE FROM fediverse_reactions WHERE actor_id = ?1",
            &[actor_id.into()],
        )?;
        let actor = self.statement(
            "DELETE FROM fediverse_actors WHERE id = ?1",
            &[actor_id.into()],
        )?;
        let results = self
            .db
            .batch(vec![touched, comments, reactions, actor])
            .await?;
        let touched = results.first().ok_or_else(short_batch)?;
        Ok(touched
            .results::<PathRow>()?
            .into_iter()
            .map(|r| r.path)
            .collect())
    }

    /// Follows and replies from the server `origin` (`https://host`) since `since`: the flood
    /// limit's count. (Actor ids on one server share the prefix `origin/`: a range of each index.)
    pub async fn recent_from_server(&self, origin: &str, since: i64) -> Result<u32> {
        let row: Option<Count> = self
            .statement(
                "SELECT (SELECT COUNT(*) FROM followers WHERE actor_id >= ?1 || '/' AND actor_id < ?1 || '0' AND created_at > ?2)
                      + (SELECT COUNT(*) FROM comments INDEXED BY comments_by_client
                          WHERE client_hash >= ?1 || '/' AND client_hash < ?1 || '0' AND created_at > ?2) AS n",
                &[origin.into(), num(since)],
            )?
            .first(None)
            .await?;
        Ok(row.map_or(0, |c| c.n as u32))
    }

    /// Whether this actor has an approved comment (first-time moderation's "known").
    pub async fn known_remote_commenter(&self, actor_id: &str) -> Result<bool> {
        let row: Option<IdRow> = self
            .statement(
                "SELECT 1 AS id FROM comments WHERE ap_actor = ?1 AND status = 'approved' LIMIT 1",
                &[actor_id.into()],
            )?
            .first(None)
            .await?;
        Ok(row.is_some())
    }

    pub async fn fediverse_comment(&self, ap_id: &str) -> Result<Option<FediverseComment>> {
        Ok(self
            .statement(
                "SELECT c.id, c.post_id, p.path, c.status FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.ap_id = ?1",
                &[ap_id.into()],
            )?
            .first(None)
            .await?)
    }

    /// Stores a reply from the fediverse; `None` when its note is already there.
    pub async fn insert_fediverse_comment(
        &self,
        c: &NewComment<'_>,
        ap_id: &str,
        ap_actor: &str,
        then: Vec<D1PreparedStatement>,
    ) -> Result<Option<i64>> {
        let id = self.insert_comment_with(c, then).await?;
        if let Some(id) = id {
            self.execute(
                "UPDATE comments SET ap_id = ?2, ap_actor = ?3 WHERE id = ?1",
                &[num(id), ap_id.into(), ap_actor.into()],
            )
            .await?;
        }
        Ok(id)
    }

    /// A reply's new text (`Update`), only by its author.
    pub async fn edit_fediverse_comment(
        &self,
        ap_id: &str,
        actor: &str,
        body: &str,
        body_html: &str,
    ) -> Result<bool> {
        let row: Option<IdRow> = self
            .statement(
                "UPDATE comments SET body = ?3, body_html = ?4 WHERE ap_id = ?1 AND ap_actor = ?2 RETURNING id",
                &[ap_id.into(), actor.into(), body.into(), body_html.into()],
            )?
            .first(None)
            .await?;
        Ok(row.is_some())
    }

    /// Removes a reply (`Delete`), only by its author; the path of its post.
    pub async fn delete_fediverse_comment(
        &self,
        ap_id: &str,
        actor: &str,
    ) -> Result<Option<String>> {
        let row: Option<PathRow> = self
            .statement(
                "DELETE FROM comments WHERE ap_id = ?1 AND ap_actor = ?2
                 RETURNING (SELECT path FROM posts WHERE id = comments.post_id) AS path",
                &[ap_id.into(), actor.into()],
            )?
            .first(None)
            .await?;
        Ok(row.map(|r| r.path))
    }

    /// Counts a like or boost once; the post's path when it counted.
    pub async fn add_reaction(
        &self,
        id: &str,
        post_id: i64,
        actor: &str,
        kind: &str,
        now: i64,
    ) -> Result<Option<String>> {
        let row: Option<PathRow> = self
            .statement(
                "INSERT INTO fediverse_reactions (id, post_id, actor_id, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT DO NOTHING RETURNING (SELECT path FROM posts WHERE id = ?2) AS path",
                &[id.into(), num(post_id), actor.into(), kind.into(), num(now)],
            )?
            .first(None)
            .await?;
        Ok(row.map(|r| r.path))
    }

    /// Takes a like or boost back (by its id, only by its actor); the post's path.
    pub async fn remove_reaction(&self, id: &str, actor: &str) -> Result<Option<String>> {
        let row: Option<PathRow> = self
            .statement(
                "DELETE FROM fediverse_reactions WHERE id = ?1 AND actor_id = ?2
                 RETURNING (SELECT path FROM posts WHERE id = fediverse_reactions.post_id) AS path",
                &[id.into(), actor.into()],
            )?
            .first(None)
            .await?;
        Ok(row.map(|r| r.path))
    }

    /// A post as its `Article` shows it (whatever its status: the caller decides).
    pub async fn federated_post(&self, id: i64) -> Result<Option<FederatedPost>> {
        Ok(self
            .statement(&format!("{FEDERATED_POST} WHERE p.id = ?1"), &[num(id)])?
            .first(None)
            .await?)
    }

    /// The visible post at a page address.
    pub async fn federated_post_at(&self, path: &str, now: i64) -> Result<Option<FederatedPost>> {
        Ok(self
            .statement(
                &format!("{FEDERATED_POST} WHERE p.path = ?2 AND {VISIBLE_P}"),
                &[num(now), path.into()],
            )?
            .first(None)
            .await?)
    }

    /// The outbox: listed posts newest first, `limit` of them older than `before` (a
    /// `published_at`), and how many are listed in all.
    pub async fn outbox_posts(
        &self,
        now: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<(Vec<FederatedPost>, u32)> {
        let page = self.statement(
            &format!(
                "{FEDERATED_POST} WHERE {LISTED_P} AND p.published_at < ?2
                  ORDER BY p.published_at DESC, p.id DESC LIMIT ?3"
            ),
            &[
                num(now),
                num(before.unwrap_or(i64::MAX / 2)),
                num(limit.into()),
            ],
        )?;
        let total = self.statement(
            &format!("SELECT COUNT(*) AS n FROM posts WHERE {LISTED}"),
            &[num(now)],
        )?;
        let results = self.db.batch(vec![page, total]).await?;
        let [page, total] = results.as_slice() else {
            return Err(short_batch());
        };
        Ok((
            page.results()?,
            first::<Count>(total)?.map_or(0, |c| c.n as u32),
        ))
    }

    /// The first post's date (the actor's `published`).
    pub async fn first_post_at(&self) -> Result<Option<i64>> {
        let row: Option<At> = self
            .statement(
                "SELECT MIN(published_at) AS at FROM posts WHERE kind = 'post' AND status = 'published'",
                &[],
            )?
            .first(None)
            .await?;
        Ok(row.and_then(|r| r.at).map(|t| t as i64))
    }

    pub async fn reply_content(&self, comment_id: i64) -> Result<Option<ReplyContent>> {
        Ok(self
            .statement(
                // CROSS JOIN keeps the order (the comment, its parent, its post: three rowid
                // lookups); left to itself, SQLite may walk the parents by their actor.
                "SELECT c.id, c.body_html, c.created_at, c.status, p.path AS post_path, parent.ap_id AS parent_ap_id,
                        parent.ap_actor AS parent_actor,
                        COALESCE((SELECT handle FROM fediverse_actors WHERE id = parent.ap_actor), parent.ap_actor) AS parent_handle
                   FROM comments c CROSS JOIN comments parent CROSS JOIN posts p
                  WHERE c.id = ?1 AND parent.id = c.parent_id AND p.id = c.post_id
                    AND parent.ap_id IS NOT NULL AND parent.ap_actor IS NOT NULL",
                &[num(comment_id)],
            )?
            .first(None)
            .await?)
    }

    /// Claims up to `limit` due deliveries (and any claimed more than `claim_timeout` ago by a
    /// run that died): marks them as sending, then reads what each needs.
    pub async fn claim_deliveries(
        &self,
        now: i64,
        limit: u32,
        claim_timeout: i64,
    ) -> Result<Vec<ClaimedDelivery>> {
        let claimed: Vec<IdRow> = self
            .statement(
                "UPDATE fediverse_deliveries SET status = 'sending', attempts = attempts + 1, next_at = ?1
                  WHERE id IN (SELECT id FROM fediverse_deliveries WHERE status = 'queued' AND next_at <= ?1
                               UNION ALL
                               SELECT id FROM fediverse_deliveries WHERE status = 'sending' AND next_at <= ?1 - ?3
                               LIMIT ?2)
                 RETURNING id",
                &[num(now), num(limit.into()), num(claim_timeout)],
            )?
            .all()
            .await?
            .results()?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let ids = json_list(&claimed.iter().map(|c| c.id).collect::<Vec<_>>());
        Ok(self
            .statement(
                "SELECT d.id, d.activity_id, d.inbox, d.attempts, a.kind, a.post_id, a.comment_id, a.object
                   FROM fediverse_deliveries d JOIN fediverse_activities a ON a.id = d.activity_id
                  WHERE d.id IN (SELECT value FROM json_each(?1))",
                &[ids.into()],
            )?
            .all()
            .await?
            .results()?)
    }

    pub async fn delivery_done(&self, id: i64, now: i64) -> Result<()> {
        self.execute(
            "UPDATE fediverse_deliveries SET status = 'delivered', delivered_at = ?2, last_error = NULL WHERE id = ?1",
            &[num(id), num(now)],
        )
        .await
    }

    /// A failed attempt: tried again at `retry_at`, or (None) given up.
    pub async fn delivery_failed(&self, id: i64, error: &str, retry_at: Option<i64>) -> Result<()> {
        self.execute(
            "UPDATE fediverse_deliveries SET status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'queued' END,
                    next_at = COALESCE(?3, next_at), last_error = ?2 WHERE id = ?1",
            &[num(id), error.into(), opt_num(retry_at)],
        )
        .await
    }

    /// Nothing to send (the post is no longer public), or not yet (`later`).
    pub async fn delivery_cancelled(&self, id: i64, why: &str, later: Option<i64>) -> Result<()> {
        self.execute(
            "UPDATE fediverse_deliveries SET status = CASE WHEN ?3 IS NULL THEN 'cancelled' ELSE 'queued' END,
                    attempts = CASE WHEN ?3 IS NULL THEN attempts ELSE attempts - 1 END,
                    next_at = COALESCE(?3, next_at), last_error = ?2 WHERE id = ?1",
            &[num(id), why.into(), opt_num(later)],
        )
        .await
    }

    /// An inbox that answered 410 Gone (or refuses for good): its followers are dropped, and
    /// nothing more is sent there.
    pub async fn inbox_gone(&self, inbox: &str, why: &str) -> Result<()> {
        let stop = self.statement(
            "UPDATE fediverse_deliveries SET status = 'failed', last_error = ?2 WHERE inbox = ?1 AND status IN ('queued', 'sending')",
            &[inbox.into(), why.into()],
        )?;
        let drop = self.statement("DELETE FROM followers WHERE inbox = ?1", &[inbox.into()])?;
        self.db.batch(vec![stop, drop]).await?;
        Ok(())
    }

    /// When the next queued delivery is due, if any.
    pub async fn next_delivery_at(&self) -> Result<Option<i64>> {
        let row: Option<At> = self
            .statement(
                "SELECT MIN(next_at) AS at FROM fediverse_deliveries WHERE status = 'queued'",
                &[],
            )?
            .first(None)
            .await?;
        Ok(row.and_then(|r| r.at).map(|t| t as i64))
    }

    /// The newest deliveries, for the admin, and how many there are by status.
    pub async fn deliveries(
        &self,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<DeliveryRow>, Vec<(String, u32)>)> {
        #[derive(Deserialize)]
        struct ByStatus {
            status: String,
            n: f64,
        }
        let page = self.statement(
            "SELECT d.id, d.activity_id, a.kind, a.post_id, d.inbox, d.status, d.attempts, d.next_at, d.last_error, d.delivered_at
               FROM fediverse_deliveries d JOIN fediverse_activities a ON a.id = d.activity_id
              ORDER BY d.id DESC LIMIT ?1 OFFSET ?2",
            &[num(limit.into()), num(offset.into())],
        )?;
        let counts = self.statement(
            "SELECT status, COUNT(*) AS n FROM fediverse_deliveries GROUP BY status",
            &[],
        )?;
        let results = self.db.batch(vec![page, counts]).await?;
        let [page, counts] = results.as_slice() else {
            return Err(short_batch());
        };
        Ok((
            page.results()?,
            counts
                .results::<ByStatus>()?
                .into_iter()
                .map(|c| (c.status, c.n as u32))
                .collect(),
        ))
    }

    /// Delivered and given-up deliveries older than a week go; their activities with them once
    /// none is left.
    pub async fn trim_deliveries(&self, now: i64) -> Result<()> {
        let old = self.statement(
            "DELETE FROM fediverse_deliveries WHERE status IN ('delivered', 'failed', 'cancelled') AND next_at < ?1",
            &[num(now - 7 * 86_400)],
        )?;
        let orphans = self.statement(
            "DELETE FROM fediverse_activities WHERE kind IN ('accept', 'reply') AND created_at < ?1
                AND NOT EXISTS (SELECT 1 FROM fediverse_deliveries d WHERE d.activity_id = fediverse_activities.id)",
            &[num(now - 7 * 86_400)],
        )?;
        self.db.batch(vec![old, orphans]).await?;
        Ok(())
    }
}

/// A received Webmention, as its check needs it.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Webmention {
    pub id: i64,
    pub source: String,
    pub target: String,
    pub post_id: i64,
    pub status: String,
    pub comment_id: Option<i64>,
    pub attempts: u32,
    pub note: Option<String>,
}

impl Store {
    /// Keeps a Webmention to check (again, when the source sends it again); its id.
    pub async fn receive_webmention(
        &self,
        source: &str,
        target: &str,
        post_id: i64,
        now: i64,
    ) -> Result<i64> {
        let row: Option<IdRow> = self
            .statement(
                "INSERT INTO webmentions (source, target, post_id, next_at, created_at) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (source, post_id) DO UPDATE SET target = excluded.target, status = 'queued',
                   attempts = 0, next_at = excluded.next_at
                 RETURNING id",
                &[source.into(), target.into(), num(post_id), num(now)],
            )?
            .first(None)
            .await?;
        row.map(|r| r.id)
            .ok_or_else(|| StoreError::Unavailable("the Webmention's insert returned no id".into()))
    }

    pub async fn webmention(&self, id: i64) -> Result<Option<Webmention>> {
        Ok(self
            .statement(
                "SELECT id, source, target, post_id, status, comment_id, attempts, note FROM webmentions WHERE id = ?1",
                &[num(id)],
            )?
            .first(None)
            .await?)
    }

    /// Claims up to `limit` Webmentions due for their check.
    pub async fn claim_webmentions(&self, now: i64, limit: u32) -> Result<Vec<Webmention>> {
        Ok(self
            .statement(
                "UPDATE webmentions SET status = 'checking', attempts = attempts + 1, next_at = ?1
                  WHERE id IN (SELECT id FROM webmentions WHERE status = 'queued' AND next_at <= ?1
                               UNION ALL
                               SELECT id FROM webmentions WHERE status = 'checking' AND next_at <= ?1 - 300
                               LIMIT ?2)
                 RETURNING id, source, target, post_id, status, comment_id, attempts, note",
                &[num(now), num(limit.into())],
            )?
            .all()
            .await?
            .results()?)
    }

    /// The check's outcome: `status` with its note, the comment it shows as, or (`retry_at`) a
    /// later try.
    pub async fn webmention_checked(
        &self,
        id: i64,
        status: &str,
        note: Option<&str>,
        comment_id: Option<i64>,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<()> {
        self.execute(
            "UPDATE webmentions SET status = ?2, note = ?3, comment_id = COALESCE(?4, comment_id),
                    next_at = COALESCE(?5, next_at), checked_at = ?6 WHERE id = ?1",
            &[
                num(id),
                status.into(),
                opt_str(note),
                opt_num(comment_id),
                opt_num(retry_at),
                num(now),
            ],
        )
        .await
    }

    /// A mention's shown text and author, after its source changed.
    pub async fn update_mention_comment(
        &self,
        id: i64,
        name: &str,
        body: &str,
        body_html: &str,
    ) -> Result<()> {
        self.execute(
            "UPDATE comments SET author_name = ?2, body = ?3, body_html = ?4 WHERE id = ?1",
            &[num(id), name.into(), body.into(), body_html.into()],
        )
        .await
    }

    /// Whether a site (by its origin) has an approved mention or comment already.
    pub async fn known_source(&self, origin: &str) -> Result<bool> {
        let row: Option<IdRow> = self
            .statement(
                "SELECT 1 AS id FROM comments INDEXED BY comments_by_client WHERE client_hash = ?1 AND status = 'approved' LIMIT 1",
                &[origin.into()],
            )?
            .first(None)
            .await?;
        Ok(row.is_some())
    }
}

/// A Webmention to send, claimed.
#[derive(Debug, Clone, Deserialize)]
pub struct MentionSend {
    pub id: i64,
    pub post_id: i64,
    pub target: String,
    pub attempts: u32,
}

impl Store {
    /// Takes up to `limit` posts whose links are due for a scan.
    pub async fn take_mention_scans(&self, now: i64, limit: u32) -> Result<Vec<i64>> {
        #[derive(Deserialize)]
        struct PostId {
            post_id: i64,
        }
        let rows: Vec<PostId> = self
            .statement(
                "DELETE FROM webmention_scans WHERE post_id IN
                   (SELECT post_id FROM webmention_scans WHERE next_at <= ?1 LIMIT ?2)
                 RETURNING post_id",
                &[num(now), num(limit.into())],
            )?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().map(|r| r.post_id).collect())
    }

    /// A post's links as they are now: each queued to be sent (again: a page that lost its link
    /// hears of it too).
    pub async fn queue_mention_sends(
        &self,
        post_id: i64,
        links: &[String],
        now: i64,
    ) -> Result<()> {
        let again = self.statement(
            "UPDATE webmention_sends SET status = 'queued', attempts = 0, next_at = ?2 WHERE post_id = ?1",
            &[num(post_id), num(now)],
        )?;
        let new = self.statement(
            "INSERT OR IGNORE INTO webmention_sends (post_id, target, next_at)
             SELECT ?1, value, ?3 FROM json_each(?2)",
            &[num(post_id), json_list(links).into(), num(now)],
        )?;
        self.db.batch(vec![again, new]).await?;
        Ok(())
    }

    pub async fn claim_mention_sends(&self, now: i64, limit: u32) -> Result<Vec<MentionSend>> {
        Ok(self
            .statement(
                "UPDATE webmention_sends SET status = 'sending', attempts = attempts + 1, next_at = ?1
                  WHERE id IN (SELECT id FROM webmention_sends WHERE status = 'queued' AND next_at <= ?1
                               UNION ALL
                               SELECT id FROM webmention_sends WHERE status = 'sending' AND next_at <= ?1 - 300
                               LIMIT ?2)
                 RETURNING id, post_id, target, attempts",
                &[num(now), num(limit.into())],
            )?
            .all()
            .await?
            .results()?)
    }

    /// A send's outcome (`retry_at`: queued again then).
    pub async fn mention_sent(
        &self,
        id: i64,
        status: &str,
        endpoint: Option<&str>,
        note: Option<&str>,
        retry_at: Option<i64>,
    ) -> Result<()> {
        self.execute(
            "UPDATE webmention_sends SET status = CASE WHEN ?5 IS NULL THEN ?2 ELSE 'queued' END,
                    endpoint = COALESCE(?3, endpoint), note = ?4, next_at = COALESCE(?5, next_at) WHERE id = ?1",
            &[num(id), status.into(), opt_str(endpoint), opt_str(note), opt_num(retry_at)],
        )
        .await
    }
}
