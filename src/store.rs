//! Every SQL statement the blog runs, against D1. Parameters are always bound, never spliced.
//!
//! Times are Unix seconds. A post is visible to readers when its status is `published` and its
//! `published_at` is not in the future (a future one is scheduled).

use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

use crate::error::{AppError, AppResult};

/// A post as a reader's page needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct Post {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// Rendered when the author saved it (see `markdown::render`).
    pub body_html: String,
    /// Plain text that excerpts and descriptions are cut from.
    pub lead: String,
    /// The Markdown, only when the stored HTML is not from this renderer version.
    pub stale_markdown: Option<String>,
    pub published_at: i64,
    pub updated_at: i64,
    pub comments_open: i64,
}

/// A post in a listing.
#[derive(Debug, Clone, Deserialize)]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    pub lead: String,
    pub stale_markdown: Option<String>,
    pub published_at: i64,
    pub responses: i64,
}

/// An addendum as readers see it.
#[derive(Debug, Clone, Deserialize)]
pub struct Addendum {
    pub id: i64,
    pub body_html: String,
    /// The Markdown, only when the stored HTML is not from this renderer version.
    pub stale_markdown: Option<String>,
    pub created_at: i64,
}

/// An addendum as the author wrote it.
#[derive(Debug, Clone, Deserialize)]
pub struct AddendumRecord {
    pub id: i64,
    /// Markdown.
    pub body: String,
    pub created_at: i64,
}

/// A source (Markdown, or a comment's text) whose stored HTML is from another renderer version.
#[derive(Debug, Clone, Deserialize)]
pub struct StaleSource {
    pub id: i64,
    pub body: String,
}

/// What [`Store::stale_renders`] found.
pub struct StaleRenders {
    pub posts: Vec<StaleSource>,
    pub addenda: Vec<StaleSource>,
    pub comments: Vec<StaleSource>,
}

/// An approved comment as readers see it (no email, no spam data).
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    /// Rendered when the comment was stored (see `comment_text::to_html`).
    pub body_html: String,
    /// The text, only when the stored HTML is not from this renderer version.
    pub stale_text: Option<String>,
    pub created_at: i64,
    pub by_post_author: i64,
}

impl crate::thread::Threaded for Comment {
    fn id(&self) -> i64 {
        self.id
    }
    fn parent_id(&self) -> Option<i64> {
        self.parent_id
    }
}

/// Everything the post page shows, read in one round trip.
pub struct PostPage {
    pub post: Post,
    pub addenda: Vec<Addendum>,
    pub comments: Vec<Comment>,
    pub tags: Vec<Tag>,
    /// Threads (top-level comments) in all, for the comment pages' navigation.
    pub threads: u32,
    /// Approved comments in all.
    pub responses: u32,
}

/// A tag as shown: its name and the slug of its page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Tag {
    pub tag: String,
    pub slug: String,
}

/// One page of the home listing, with the total that pagination needs.
pub struct Listing {
    pub posts: Vec<PostSummary>,
    pub total: u32,
}

#[derive(Deserialize)]
struct Count {
    n: f64,
}

const VISIBLE: &str = "status = 'published' AND published_at <= ?1";

/// The `stale_markdown` column of a post or addendum aliased `alias`: its Markdown when the stored
/// HTML is not from this renderer version, else NULL (so that a reader's query does not fetch it).
fn stale_markdown(alias: &str) -> String {
    stale_source(alias, crate::markdown::RENDERER_VERSION, "stale_markdown")
}

/// The `stale_text` column of a comment aliased `alias`, like [`stale_markdown`].
fn stale_text(alias: &str) -> String {
    stale_source(alias, crate::comment_text::RENDERER_VERSION, "stale_text")
}

fn stale_source(alias: &str, version: i64, name: &str) -> String {
    format!("CASE WHEN {alias}.rendered_by = {version} THEN NULL ELSE {alias}.body END AS {name}")
}
const VISIBLE_P: &str = "p.status = 'published' AND p.published_at <= ?1";

pub struct Store {
    db: D1Database,
}

fn num(n: i64) -> JsValue {
    // D1 takes JS numbers; an i64 would cross as a BigInt, which it rejects.
    JsValue::from_f64(n as f64)
}

fn short_batch() -> AppError {
    AppError::Unavailable("D1 returned fewer results than statements".into())
}

fn opt_num(n: Option<i64>) -> JsValue {
    n.map_or(JsValue::NULL, num)
}

fn opt_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

fn first<T: for<'de> Deserialize<'de>>(result: &D1Result) -> AppResult<Option<T>> {
    Ok(result.results::<T>()?.into_iter().next())
}

impl Store {
    pub fn new(db: D1Database) -> Self {
        Store { db }
    }

    fn statement(&self, sql: &str, params: &[JsValue]) -> AppResult<D1PreparedStatement> {
        Ok(self.db.prepare(sql).bind(params)?)
    }

    /// Runs a statement whose rows, if any, do not matter.
    async fn execute(&self, sql: &str, params: &[JsValue]) -> AppResult<()> {
        self.statement(sql, params)?.run().await?;
        Ok(())
    }

    /// Published posts, newest first, `per_page` from `offset`, and how many there are in all.
    pub async fn listing(&self, now: i64, per_page: u32, offset: u32) -> AppResult<Listing> {
        let posts = self.statement(
            &format!(
                "SELECT slug, title, lead, {}, published_at,
                        (SELECT COUNT(*) FROM comments c
                          WHERE c.post_id = p.id AND c.status = 'approved') AS responses
                   FROM posts p
                  WHERE {VISIBLE}
                  ORDER BY published_at DESC, id DESC
                  LIMIT ?2 OFFSET ?3",
                stale_markdown("p")
            ),
            &[num(now), num(per_page.into()), num(offset.into())],
        )?;
        let total = self.statement(
            &format!("SELECT COUNT(*) AS n FROM posts WHERE {VISIBLE}"),
            &[num(now)],
        )?;
        let results = self.db.batch(vec![posts, total]).await?;
        let [posts, total] = results.as_slice() else {
            return Err(short_batch());
        };
        Ok(Listing {
            posts: posts.results()?,
            total: first::<Count>(total)?.map_or(0, |c| c.n as u32),
        })
    }

    /// A published post with its addenda (oldest first) and one page of its approved comments:
    /// `per_page` threads (a top-level comment and all its replies), oldest first.
    pub async fn post_page(
        &self,
        slug: &str,
        now: i64,
        comment_page: u32,
        per_page: u32,
    ) -> AppResult<Option<PostPage>> {
        let slug = JsValue::from_str(slug);
        let post = self.statement(
            &format!(
                "SELECT id, slug, title, body_html, lead, {}, published_at, updated_at, comments_open
                   FROM posts p WHERE slug = ?2 AND {VISIBLE}",
                stale_markdown("p")
            ),
            &[num(now), slug.clone()],
        )?;
        let addenda = self.statement(
            &format!(
                "SELECT a.id, a.body_html, {}, a.created_at FROM addenda a JOIN posts p ON p.id = a.post_id
                  WHERE p.slug = ?1 ORDER BY a.created_at, a.id",
                stale_markdown("a")
            ),
            std::slice::from_ref(&slug),
        )?;
        let offset = comment_page.saturating_sub(1).saturating_mul(per_page);
        let comments = self.statement(
            &format!(
                "WITH RECURSIVE {THREAD_ROOTS},
                 page_roots AS (SELECT id FROM roots ORDER BY created_at, id LIMIT ?2 OFFSET ?3),
                 -- Replies by parent: without the hint SQLite walks every approved comment.
                 thread(id) AS (SELECT id FROM page_roots
                                UNION SELECT c.id FROM thread t JOIN comments c INDEXED BY comments_by_parent ON c.parent_id = t.id
                                 WHERE c.status = 'approved')
                 SELECT c.id, c.parent_id, c.author_name, c.author_url, c.body_html, {}, c.created_at, c.by_post_author
                   FROM comments c WHERE c.id IN (SELECT id FROM thread)
                  ORDER BY c.created_at, c.id",
                stale_text("c")
            ),
            &[slug.clone(), num(per_page.into()), num(offset.into())],
        )?;
        let counts = self.statement(
            &format!(
                "WITH {THREAD_ROOTS}
                 SELECT (SELECT COUNT(*) FROM roots) AS threads,
                        (SELECT COUNT(*) FROM comments c JOIN posts p ON p.id = c.post_id
                          WHERE p.slug = ?1 AND c.status = 'approved') AS responses"
            ),
            std::slice::from_ref(&slug),
        )?;
        let tags = self.statement(
            "SELECT t.tag, t.slug FROM post_tags t JOIN posts p ON p.id = t.post_id WHERE p.slug = ?1 ORDER BY t.tag",
            &[slug],
        )?;
        let results = self
            .db
            .batch(vec![post, addenda, comments, counts, tags])
            .await?;
        let [post, addenda, comments, counts, tags] = results.as_slice() else {
            return Err(short_batch());
        };
        let Some(post) = first::<Post>(post)? else {
            return Ok(None);
        };
        #[derive(Deserialize)]
        struct Counts {
            threads: f64,
            responses: f64,
        }
        let counts = first::<Counts>(counts)?.ok_or_else(short_batch)?;
        Ok(Some(PostPage {
            post,
            addenda: addenda.results()?,
            comments: comments.results()?,
            tags: tags.results()?,
            threads: counts.threads as u32,
            responses: counts.responses as u32,
        }))
    }

    /// How many threads (top-level approved comments) a post has.
    pub async fn thread_count(&self, post_id: i64) -> AppResult<u32> {
        let sql = "SELECT COUNT(*) AS n FROM comments c WHERE c.post_id = ?1 AND c.status = 'approved'
                      AND (c.parent_id IS NULL OR NOT EXISTS
                           (SELECT 1 FROM comments q WHERE q.id = c.parent_id AND q.status = 'approved'))";
        let row: Option<Count> = self.statement(sql, &[num(post_id)])?.first(None).await?;
        Ok(row.map_or(0, |c| c.n as u32))
    }

    /// A post's newest approved comments, for its comment feed.
    pub async fn latest_comments(&self, post_id: i64, limit: u32) -> AppResult<Vec<Comment>> {
        let sql = format!(
            "SELECT id, parent_id, author_name, author_url, body_html, {}, created_at, by_post_author
               FROM comments WHERE post_id = ?1 AND status = 'approved'
              ORDER BY created_at DESC, id DESC LIMIT ?2",
            stale_text("comments")
        );
        Ok(self
            .statement(&sql, &[num(post_id), num(limit.into())])?
            .all()
            .await?
            .results()?)
    }
}

/// The approved comments of post `?1` that start a thread: top-level ones, and replies whose
/// parent is not shown (held, or marked spam later), which the page shows at the top level too.
const THREAD_ROOTS: &str = "roots AS (
    SELECT c.id, c.created_at FROM comments c JOIN posts p ON p.id = c.post_id
     WHERE p.slug = ?1 AND c.status = 'approved'
       AND (c.parent_id IS NULL OR NOT EXISTS
            (SELECT 1 FROM comments q WHERE q.id = c.parent_id AND q.status = 'approved')))";

/// A post as the author manages it: drafts and scheduled ones included.
#[derive(Debug, Clone, Deserialize)]
pub struct PostRecord {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub status: String,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub comments_open: i64,
    /// JSON array of the post's tags.
    pub tags: String,
    pub approved: i64,
    pub pending: i64,
    pub spam: i64,
}

/// The columns of a post that the author writes, with its Markdown rendered.
#[derive(Debug, Clone)]
pub struct PostWrite<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub lead: &'a str,
    pub status: &'a str,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub comments_open: bool,
}

impl PostWrite<'_> {
    /// The columns in the order both the insert and the update bind them (?1 to ?10).
    fn params(&self) -> [JsValue; 10] {
        [
            self.slug.into(),
            self.title.into(),
            self.body.into(),
            self.status.into(),
            opt_num(self.published_at),
            num(self.updated_at),
            num(self.comments_open.into()),
            self.body_html.into(),
            self.lead.into(),
            num(crate::markdown::RENDERER_VERSION),
        ]
    }
}

/// A comment as the author moderates it.
#[derive(Debug, Clone, Deserialize)]
pub struct CommentRecord {
    pub id: i64,
    pub post_id: i64,
    pub post_slug: String,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: String,
    pub created_at: i64,
    pub by_post_author: i64,
    pub spam_reasons: String,
}

/// A comment to store.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub author_url: Option<&'a str>,
    pub body: &'a str,
    /// `comment_text::to_html` of the body.
    pub body_html: &'a str,
    pub status: &'a str,
    pub created_at: i64,
    pub by_post_author: bool,
    /// JSON array of the spam checks' reasons.
    pub spam_reasons: &'a str,
    pub client_hash: Option<&'a str>,
    pub import_key: Option<&'a str>,
}

/// Where a post stands on the home listing: its 0-based rank among visible posts (None when it
/// is not visible) and how many visible posts there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Placement {
    pub rank: Option<u32>,
    pub total: u32,
}

#[derive(Deserialize)]
struct PlacementRow {
    total: f64,
    rank: f64,
    visible: f64,
}

#[derive(Deserialize)]
struct IdRow {
    id: i64,
}

const POST_RECORD: &str = "SELECT p.id, p.slug, p.title, p.body, p.status, p.published_at, p.updated_at, p.comments_open,
        (SELECT json_group_array(tag) FROM post_tags t WHERE t.post_id = p.id) AS tags,
        (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'approved') AS approved,
        (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'pending') AS pending,
        (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'spam') AS spam
   FROM posts p";

const COMMENT_RECORD: &str =
    "SELECT c.id, c.post_id, p.slug AS post_slug, c.parent_id, c.author_name, c.author_email,
        c.author_url, c.body, c.status, c.created_at, c.by_post_author, c.spam_reasons
   FROM comments c JOIN posts p ON p.id = c.post_id";

impl Store {
    pub async fn post_record(&self, slug: &str) -> AppResult<Option<PostRecord>> {
        let sql = format!("{POST_RECORD} WHERE p.slug = ?1");
        Ok(self.statement(&sql, &[slug.into()])?.first(None).await?)
    }

    /// Every post, newest first (undated drafts first of all).
    pub async fn all_posts(&self) -> AppResult<Vec<PostRecord>> {
        let sql = format!(
            "{POST_RECORD} ORDER BY p.published_at IS NOT NULL, p.published_at DESC, p.id DESC"
        );
        Ok(self.statement(&sql, &[])?.all().await?.results()?)
    }

    pub async fn addenda(&self, post_id: i64) -> AppResult<Vec<AddendumRecord>> {
        let sql =
            "SELECT id, body, created_at FROM addenda WHERE post_id = ?1 ORDER BY created_at, id";
        Ok(self
            .statement(sql, &[num(post_id)])?
            .all()
            .await?
            .results()?)
    }

    /// Inserts a post; `None` when the slug is taken.
    pub async fn insert_post(
        &self,
        post: &PostWrite<'_>,
        tags: &[String],
    ) -> AppResult<Option<i64>> {
        let inserted: Option<IdRow> = self
            .statement(
                "INSERT INTO posts (slug, title, body, status, published_at, updated_at, comments_open,
                                    body_html, lead, rendered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (slug) DO NOTHING RETURNING id",
                &post.params(),
            )?
            .first(None)
            .await?;
        let Some(IdRow { id }) = inserted else {
            return Ok(None);
        };
        self.set_tags(id, tags).await?;
        Ok(Some(id))
    }

    /// Rewrites a post's columns (and its tags, when given); `false` when the new slug is taken.
    pub async fn update_post(
        &self,
        id: i64,
        post: &PostWrite<'_>,
        tags: Option<&[String]>,
    ) -> AppResult<bool> {
        let result = self
            .statement(
                "UPDATE OR IGNORE posts SET slug = ?1, title = ?2, body = ?3, status = ?4, published_at = ?5,
                        updated_at = ?6, comments_open = ?7, body_html = ?8, lead = ?9, rendered_by = ?10
                  WHERE id = ?11",
                &[post.params().as_slice(), &[num(id)]].concat(),
            )?
            .run()
            .await?;
        let changed = result.meta()?.and_then(|m| m.changes).unwrap_or(0) > 0;
        if changed {
            if let Some(tags) = tags {
                self.set_tags(id, tags).await?;
            }
        }
        Ok(changed)
    }

    async fn set_tags(&self, post_id: i64, tags: &[String]) -> AppResult<()> {
        let pairs: Vec<(&str, String)> = tags
            .iter()
            .map(|t| (t.as_str(), crate::input::tag_slug(t)))
            .collect();
        let json = serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into());
        let clear = self.statement("DELETE FROM post_tags WHERE post_id = ?1", &[num(post_id)])?;
        let insert = self.statement(
            "INSERT OR IGNORE INTO post_tags (post_id, tag, slug)
             SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?2)",
            &[num(post_id), json.into()],
        )?;
        self.db.batch(vec![clear, insert]).await?;
        Ok(())
    }

    /// Deletes a post; its addenda, comments and tags go with it (foreign keys cascade).
    pub async fn delete_post(&self, id: i64) -> AppResult<()> {
        self.execute("DELETE FROM posts WHERE id = ?1", &[num(id)])
            .await
    }

    /// Appends an addendum (Markdown and its HTML) and moves the post's updated time forward to it.
    pub async fn insert_addendum(
        &self,
        post_id: i64,
        markdown: &str,
        html: &str,
        at: i64,
    ) -> AppResult<i64> {
        let insert = self.statement(
            "INSERT INTO addenda (post_id, body, created_at, body_html, rendered_by)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            &[
                num(post_id),
                markdown.into(),
                num(at),
                html.into(),
                num(crate::markdown::RENDERER_VERSION),
            ],
        )?;
        let touch = self.statement(
            "UPDATE posts SET updated_at = MAX(updated_at, ?2) WHERE id = ?1",
            &[num(post_id), num(at)],
        )?;
        let results = self.db.batch(vec![insert, touch]).await?;
        let id = results
            .first()
            .map(first::<IdRow>)
            .transpose()?
            .flatten()
            .ok_or_else(short_batch)?;
        Ok(id.id)
    }

    /// Stores a comment; `None` when an imported comment with the same key is already there.
    pub async fn insert_comment(&self, c: &NewComment<'_>) -> AppResult<Option<i64>> {
        let row: Option<IdRow> = self
            .statement(
                "INSERT INTO comments (post_id, parent_id, author_name, author_email, author_url, body, status,
                                       created_at, by_post_author, spam_reasons, client_hash, import_key,
                                       body_html, rendered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT DO NOTHING RETURNING id",
                &[
                    num(c.post_id),
                    opt_num(c.parent_id),
                    c.author_name.into(),
                    c.author_email.into(),
                    opt_str(c.author_url),
                    c.body.into(),
                    c.status.into(),
                    num(c.created_at),
                    num(c.by_post_author.into()),
                    c.spam_reasons.into(),
                    opt_str(c.client_hash),
                    opt_str(c.import_key),
                    c.body_html.into(),
                    num(crate::comment_text::RENDERER_VERSION),
                ],
            )?
            .first(None)
            .await?;
        Ok(row.map(|r| r.id))
    }

    pub async fn comment(&self, id: i64) -> AppResult<Option<CommentRecord>> {
        let sql = format!("{COMMENT_RECORD} WHERE c.id = ?1");
        Ok(self.statement(&sql, &[num(id)])?.first(None).await?)
    }

    /// The id of an imported comment by its key on a post.
    pub async fn imported_comment_id(&self, post_id: i64, key: &str) -> AppResult<Option<i64>> {
        let row: Option<IdRow> = self
            .statement(
                "SELECT id FROM comments WHERE post_id = ?1 AND import_key = ?2",
                &[num(post_id), key.into()],
            )?
            .first(None)
            .await?;
        Ok(row.map(|r| r.id))
    }

    /// Comments with a status, newest first.
    pub async fn comments_with_status(
        &self,
        status: &str,
        limit: u32,
        offset: u32,
    ) -> AppResult<Vec<CommentRecord>> {
        let sql = format!("{COMMENT_RECORD} WHERE c.status = ?1 ORDER BY c.created_at DESC, c.id DESC LIMIT ?2 OFFSET ?3");
        let params = [status.into(), num(limit.into()), num(offset.into())];
        Ok(self.statement(&sql, &params)?.all().await?.results()?)
    }

    pub async fn set_comment_status(&self, id: i64, status: &str) -> AppResult<()> {
        self.execute(
            "UPDATE comments SET status = ?2 WHERE id = ?1",
            &[num(id), status.into()],
        )
        .await
    }

    pub async fn delete_comment(&self, id: i64) -> AppResult<()> {
        self.execute("DELETE FROM comments WHERE id = ?1", &[num(id)])
            .await
    }

    /// Where a post stands on the home listing now (see [`Placement`]); `post_id` None gives
    /// only the total.
    pub async fn placement(&self, post_id: Option<i64>, now: i64) -> AppResult<Placement> {
        let row: Option<PlacementRow> = self
            .statement(
                &format!(
                    "SELECT (SELECT COUNT(*) FROM posts WHERE {VISIBLE}) AS total,
                            (SELECT COUNT(*) FROM posts p WHERE p.id = ?2 AND p.status = 'published'
                                AND p.published_at <= ?1) AS visible,
                            (SELECT COUNT(*) FROM posts q JOIN posts p ON p.id = ?2
                              WHERE q.status = 'published' AND q.published_at <= ?1
                                AND (q.published_at > p.published_at
                                     OR (q.published_at = p.published_at AND q.id > p.id))) AS rank"
                ),
                &[num(now), opt_num(post_id)],
            )?
            .first(None)
            .await?;
        let row = row.ok_or_else(short_batch)?;
        Ok(Placement {
            rank: (row.visible > 0.0).then_some(row.rank as u32),
            total: row.total as u32,
        })
    }

    /// Posts that became visible in `(since, now]` (scheduled ones whose time has come), newest
    /// first: (id, slug).
    pub async fn newly_visible(&self, since: i64, now: i64) -> AppResult<Vec<(i64, String)>> {
        #[derive(Deserialize)]
        struct Row {
            id: i64,
            slug: String,
        }
        let rows: Vec<Row> = self
            .statement(
                "SELECT id, slug FROM posts WHERE status = 'published' AND published_at > ?1 AND published_at <= ?2
                  ORDER BY published_at DESC, id DESC",
                &[num(since), num(now)],
            )?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().map(|r| (r.id, r.slug)).collect())
    }

    pub async fn setting(&self, key: &str) -> AppResult<Option<String>> {
        #[derive(Deserialize)]
        struct Row {
            value: String,
        }
        let row: Option<Row> = self
            .statement("SELECT value FROM settings WHERE key = ?1", &[key.into()])?
            .first(None)
            .await?;
        Ok(row.map(|r| r.value))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> AppResult<()> {
        self.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[key.into(), value.into()],
        )
        .await
    }
}

/// What the comment form needs to know of the post it posts to.
#[derive(Debug, Clone, Deserialize)]
pub struct CommentablePost {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub published_at: i64,
    pub comments_open: i64,
}

/// The data the spam rules look up, read in one round trip.
#[derive(Debug, Clone, Default)]
pub struct CommentChecks {
    /// Comments from this client within the rate-limit window, and when the oldest was sent.
    pub recent: u32,
    pub oldest_recent: i64,
    /// The latest comment texts on the post, for the duplicate check.
    pub recent_bodies: Vec<String>,
    /// Whether the email address has an approved comment anywhere on the blog.
    pub known_commenter: bool,
    /// Whether the parent, if one was asked for, is an approved comment on this post.
    pub parent_ok: bool,
}

impl Store {
    /// A visible post that readers may comment on (open or closed: the caller decides).
    pub async fn commentable_post(
        &self,
        slug: &str,
        now: i64,
    ) -> AppResult<Option<CommentablePost>> {
        let sql = format!("SELECT id, slug, title, published_at, comments_open FROM posts WHERE slug = ?2 AND {VISIBLE}");
        Ok(self
            .statement(&sql, &[num(now), slug.into()])?
            .first(None)
            .await?)
    }

    pub async fn comment_checks(
        &self,
        post_id: i64,
        client_hash: &str,
        since: i64,
        email: &str,
        parent: Option<i64>,
    ) -> AppResult<CommentChecks> {
        #[derive(Deserialize)]
        struct Recent {
            n: f64,
            oldest: Option<f64>,
        }
        #[derive(Deserialize)]
        struct Body {
            body: String,
        }
        let recent = self.statement(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM comments WHERE client_hash = ?1 AND created_at > ?2",
            &[client_hash.into(), num(since)],
        )?;
        let bodies = self.statement(
            "SELECT body FROM comments WHERE post_id = ?1 ORDER BY id DESC LIMIT 200",
            &[num(post_id)],
        )?;
        let known = self.statement(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM comments WHERE author_email = ?1 COLLATE NOCASE
                AND status = 'approved' LIMIT 1)",
            &[email.into()],
        )?;
        let parent_ok = self.statement(
            "SELECT COUNT(*) AS n FROM comments WHERE id = ?1 AND post_id = ?2 AND status = 'approved'",
            &[opt_num(parent), num(post_id)],
        )?;
        let results = self
            .db
            .batch(vec![recent, bodies, known, parent_ok])
            .await?;
        let [recent, bodies, known, parent_ok] = results.as_slice() else {
            return Err(short_batch());
        };
        let recent = first::<Recent>(recent)?.ok_or_else(short_batch)?;
        Ok(CommentChecks {
            recent: recent.n as u32,
            oldest_recent: recent.oldest.map_or(0, |t| t as i64),
            recent_bodies: bodies
                .results::<Body>()?
                .into_iter()
                .map(|b| b.body)
                .collect(),
            known_commenter: first::<Count>(known)?.is_some_and(|c| c.n > 0.0),
            parent_ok: parent.is_none() || first::<Count>(parent_ok)?.is_some_and(|c| c.n > 0.0),
        })
    }

    /// An approved comment on a post, for the reply form.
    pub async fn approved_comment(&self, post_id: i64, id: i64) -> AppResult<Option<Comment>> {
        Ok(self
            .statement(
                &format!(
                    "SELECT id, parent_id, author_name, author_url, body_html, {}, created_at, by_post_author
                       FROM comments WHERE id = ?1 AND post_id = ?2 AND status = 'approved'",
                    stale_text("comments")
                ),
                &[num(id), num(post_id)],
            )?
            .first(None)
            .await?)
    }
}

/// A post in a feed: full content, with its addenda.
#[derive(Debug, Clone, Deserialize)]
pub struct FeedPost {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub body_html: String,
    pub stale_markdown: Option<String>,
    pub published_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FeedAddendum {
    pub post_id: i64,
    pub body_html: String,
    pub stale_markdown: Option<String>,
    pub created_at: i64,
}

/// A search result.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchHit {
    pub slug: String,
    pub title: String,
    pub published_at: i64,
    /// Text around the match, with U+E000/U+E001 around each matched term.
    pub snippet: String,
}

/// Marks around matched terms in search snippets (private-use characters no text contains).
pub const MATCH_START: char = '\u{e000}';
pub const MATCH_END: char = '\u{e001}';

/// An entry of the sitemap.
#[derive(Debug, Clone, Deserialize)]
pub struct SitemapEntry {
    pub slug: String,
    pub updated_at: i64,
}

impl Store {
    /// A page of the posts with a tag, and the tag's name; `None` when no visible post has it.
    pub async fn tag_listing(
        &self,
        tag_slug: &str,
        now: i64,
        per_page: u32,
        offset: u32,
    ) -> AppResult<Option<(String, Listing)>> {
        #[derive(Deserialize)]
        struct Name {
            tag: String,
        }
        let posts = self.statement(
            &format!(
                "SELECT p.slug, p.title, p.lead, {}, p.published_at,
                        (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'approved') AS responses
                   FROM posts p JOIN post_tags t ON t.post_id = p.id
                  WHERE t.slug = ?2 AND {VISIBLE_P}
                  ORDER BY p.published_at DESC, p.id DESC
                  LIMIT ?3 OFFSET ?4",
                stale_markdown("p")
            ),
            &[num(now), tag_slug.into(), num(per_page.into()), num(offset.into())],
        )?;
        let total = self.statement(
            &format!("SELECT COUNT(*) AS n FROM posts p JOIN post_tags t ON t.post_id = p.id WHERE t.slug = ?2 AND {VISIBLE_P}"),
            &[num(now), tag_slug.into()],
        )?;
        let name = self.statement(
            "SELECT tag FROM post_tags WHERE slug = ?1 LIMIT 1",
            &[tag_slug.into()],
        )?;
        let results = self.db.batch(vec![posts, total, name]).await?;
        let [posts, total, name] = results.as_slice() else {
            return Err(short_batch());
        };
        let total = first::<Count>(total)?.map_or(0, |c| c.n as u32);
        match first::<Name>(name)? {
            Some(name) if total > 0 => Ok(Some((
                name.tag,
                Listing {
                    posts: posts.results()?,
                    total,
                },
            ))),
            _ => Ok(None),
        }
    }

    /// How many visible posts carry each tag slug.
    pub async fn tag_totals(
        &self,
        tag_slugs: &[String],
        now: i64,
    ) -> AppResult<Vec<(String, u32)>> {
        #[derive(Deserialize)]
        struct Row {
            slug: String,
            n: f64,
        }
        let json = serde_json::to_string(tag_slugs).unwrap_or_else(|_| "[]".into());
        let rows: Vec<Row> = self
            .statement(
                &format!(
                    "SELECT j.value AS slug,
                            (SELECT COUNT(*) FROM posts p JOIN post_tags t ON t.post_id = p.id
                              WHERE t.slug = j.value AND {VISIBLE_P}) AS n
                       FROM json_each(?2) j"
                ),
                &[num(now), json.into()],
            )?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().map(|r| (r.slug, r.n as u32)).collect())
    }

    /// The tag slugs of a post.
    pub async fn tag_slugs(&self, post_id: i64) -> AppResult<Vec<String>> {
        #[derive(Deserialize)]
        struct Row {
            slug: String,
        }
        let rows: Vec<Row> = self
            .statement(
                "SELECT slug FROM post_tags WHERE post_id = ?1",
                &[num(post_id)],
            )?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().map(|r| r.slug).collect())
    }

    /// The newest visible posts with their addenda, for the feeds.
    pub async fn feed(
        &self,
        now: i64,
        limit: u32,
    ) -> AppResult<(Vec<FeedPost>, Vec<FeedAddendum>)> {
        let newest = format!(
            "SELECT id FROM posts WHERE {VISIBLE} ORDER BY published_at DESC, id DESC LIMIT ?2"
        );
        let posts = self.statement(
            &format!(
                "SELECT id, slug, title, body_html, {}, published_at, updated_at FROM posts p
                  WHERE id IN ({newest}) ORDER BY published_at DESC, id DESC",
                stale_markdown("p")
            ),
            &[num(now), num(limit.into())],
        )?;
        let addenda = self.statement(
            &format!(
                "SELECT post_id, body_html, {}, created_at FROM addenda a
                  WHERE post_id IN ({newest}) ORDER BY created_at, id",
                stale_markdown("a")
            ),
            &[num(now), num(limit.into())],
        )?;
        let results = self.db.batch(vec![posts, addenda]).await?;
        let [posts, addenda] = results.as_slice() else {
            return Err(short_batch());
        };
        Ok((posts.results()?, addenda.results()?))
    }

    /// Every visible post, for the sitemap.
    pub async fn sitemap(&self, now: i64) -> AppResult<Vec<SitemapEntry>> {
        let sql = format!("SELECT slug, updated_at FROM posts WHERE {VISIBLE} ORDER BY published_at DESC, id DESC LIMIT 50000");
        Ok(self.statement(&sql, &[num(now)])?.all().await?.results()?)
    }

    /// Full-text search over visible posts (title weighs most), best first, and the total.
    pub async fn search(
        &self,
        fts_query: &str,
        now: i64,
        limit: u32,
        offset: u32,
    ) -> AppResult<(Vec<SearchHit>, u32)> {
        let hits = self.statement(
            &format!(
                "SELECT p.slug, p.title, p.published_at,
                        snippet(post_search, -1, char(57344), char(57345), '…', 24) AS snippet
                   FROM post_search JOIN posts p ON p.id = post_search.rowid
                  WHERE post_search MATCH ?2 AND {VISIBLE_P}
                  ORDER BY bm25(post_search, 10.0, 1.0, 1.0), p.published_at DESC
                  LIMIT ?3 OFFSET ?4"
            ),
            &[
                num(now),
                fts_query.into(),
                num(limit.into()),
                num(offset.into()),
            ],
        )?;
        let total = self.statement(
            &format!(
                "SELECT COUNT(*) AS n FROM post_search JOIN posts p ON p.id = post_search.rowid
                  WHERE post_search MATCH ?2 AND {VISIBLE_P}"
            ),
            &[num(now), fts_query.into()],
        )?;
        let results = self.db.batch(vec![hits, total]).await?;
        let [hits, total] = results.as_slice() else {
            return Err(short_batch());
        };
        Ok((
            hits.results()?,
            first::<Count>(total)?.map_or(0, |c| c.n as u32),
        ))
    }
}

impl Store {
    /// Up to `limit` posts, addenda and comments whose stored HTML is not from this renderer.
    pub async fn stale_renders(&self, limit: u32) -> AppResult<StaleRenders> {
        let version = num(crate::markdown::RENDERER_VERSION);
        let posts = self.statement(
            "SELECT id, body FROM posts WHERE rendered_by != ?1 LIMIT ?2",
            &[version.clone(), num(limit.into())],
        )?;
        let addenda = self.statement(
            "SELECT id, body FROM addenda WHERE rendered_by != ?1 LIMIT ?2",
            &[version, num(limit.into())],
        )?;
        let comments = self.statement(
            "SELECT id, body FROM comments WHERE rendered_by != ?1 LIMIT ?2",
            &[
                num(crate::comment_text::RENDERER_VERSION),
                num(limit.into()),
            ],
        )?;
        let results = self.db.batch(vec![posts, addenda, comments]).await?;
        let [posts, addenda, comments] = results.as_slice() else {
            return Err(short_batch());
        };
        Ok(StaleRenders {
            posts: posts.results()?,
            addenda: addenda.results()?,
            comments: comments.results()?,
        })
    }

    /// Stores renders of stale rows: `(id, source, html, lead)` for posts and `(id, source, html)`
    /// for addenda and comments. A row whose source changed meanwhile keeps its newer render.
    pub async fn save_renders(
        &self,
        posts: &[(i64, &str, &str, &str)],
        addenda: &[(i64, &str, &str)],
        comments: &[(i64, &str, &str)],
    ) -> AppResult<()> {
        let version = num(crate::markdown::RENDERER_VERSION);
        let mut statements = Vec::with_capacity(posts.len() + addenda.len() + comments.len());
        for (id, markdown, html, lead) in posts {
            statements.push(self.statement(
                "UPDATE posts SET body_html = ?3, lead = ?4, rendered_by = ?5 WHERE id = ?1 AND body = ?2",
                &[num(*id), (*markdown).into(), (*html).into(), (*lead).into(), version.clone()],
            )?);
        }
        let others = [
            (
                "UPDATE addenda SET body_html = ?3, rendered_by = ?4 WHERE id = ?1 AND body = ?2",
                crate::markdown::RENDERER_VERSION,
                addenda,
            ),
            (
                "UPDATE comments SET body_html = ?3, rendered_by = ?4 WHERE id = ?1 AND body = ?2",
                crate::comment_text::RENDERER_VERSION,
                comments,
            ),
        ];
        for (sql, version, rows) in others {
            for (id, source, html) in rows {
                statements.push(self.statement(
                    sql,
                    &[num(*id), (*source).into(), (*html).into(), num(version)],
                )?);
            }
        }
        if !statements.is_empty() {
            self.db.batch(statements).await?;
        }
        Ok(())
    }
}
