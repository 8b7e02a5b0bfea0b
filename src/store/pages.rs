//! What readers' pages read: listings, a post with one page of its thread, feeds, the sitemap,
//! search, and what the comment form checks.

use blog_core::model::{
    Comment, CommentChecks, CommentablePost, FeedAddendum, FeedPost, Listing, PageLink, Post,
    PostPage, SearchHit, SitemapEntry,
};
use blog_core::routes;
use serde::Deserialize;
use wasm_bindgen::JsValue;

use super::*;

impl Store {
    /// Published posts, newest first, `per_page` from `offset`, and whether more follow: a walk
    /// of `posts_listed` as long as the page, never a count of the whole blog.
    pub async fn listing(&self, now: i64, per_page: u32, offset: u32) -> Result<Listing> {
        let posts = self
            .statement(
                &format!(
                    "SELECT slug, title, lead, {}, published_at, responses
                       FROM posts p INDEXED BY posts_listed
                      WHERE {LISTED}
                      ORDER BY published_at DESC, id DESC
                      LIMIT ?2 OFFSET ?3",
                    stale_markdown("p")
                ),
                &[num(now), num((per_page + 1).into()), num(offset.into())],
            )?
            .all()
            .await?;
        Ok(Listing::from_rows(posts.results()?, per_page))
    }

    /// A visible post or page (by its canonical path) with its addenda (oldest first) and one
    /// page of its approved comments: `per_page` threads (a top-level comment and all its
    /// replies), oldest first; for a page, also its visible parents and children.
    pub async fn post_page(
        &self,
        path: &str,
        now: i64,
        comment_page: u32,
        per_page: u32,
    ) -> Result<Option<PostPage>> {
        let is_page = !path.starts_with("/posts/");
        let path_value = JsValue::from_str(path);
        let slug = path_value.clone();
        let post = self.statement(
            &format!(
                "SELECT id, slug, path, kind = 'page' AS is_page, title, body_html, lead, {}, published_at,
                        updated_at, comments_open, image, likes, boosts
                   FROM posts p WHERE path = ?2 AND {VISIBLE}",
                stale_markdown("p")
            ),
            &[num(now), slug.clone()],
        )?;
        let addenda = self.statement(
            &format!(
                "SELECT a.id, a.body_html, {}, a.created_at FROM addenda a JOIN posts p ON p.id = a.post_id
                  WHERE p.path = ?1 ORDER BY a.created_at, a.id",
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
                 -- The post's approved comments in their order (an index walk), keeping this page's.
                 SELECT c.id, c.parent_id, c.author_name, c.author_url, c.body_html, {}, c.created_at, c.by_post_author, c.kind
                   FROM comments c INDEXED BY comments_by_post
                  WHERE c.post_id = (SELECT id FROM posts WHERE path = ?1) AND c.status = 'approved'
                    AND c.id IN (SELECT id FROM thread)
                  ORDER BY c.created_at, c.id",
                stale_text("c")
            ),
            &[slug.clone(), num(per_page.into()), num(offset.into())],
        )?;
        let counts = self.statement(
            &format!(
                "WITH {THREAD_ROOTS}
                 SELECT (SELECT COUNT(*) FROM roots) AS threads,
                        (SELECT responses FROM posts WHERE path = ?1) AS responses"
            ),
            std::slice::from_ref(&slug),
        )?;
        let tags = self.statement(
            "SELECT t.tag, t.slug FROM post_tags t JOIN posts p ON p.id = t.post_id WHERE p.path = ?1 ORDER BY t.tag",
            &[slug],
        )?;
        let mut statements = vec![post, addenda, comments, counts, tags];
        if is_page {
            let parents = serde_json::to_string(&routes::parent_paths(path)).unwrap_or_default();
            statements.push(self.statement(
                &format!(
                    "SELECT title, path FROM posts
                      WHERE kind = 'page' AND path IN (SELECT value FROM json_each(?2)) AND {VISIBLE}"
                ),
                &[num(now), parents.into()],
            )?);
            statements.push(self.statement(
                &format!(
                    "SELECT p.title, p.path FROM posts p INDEXED BY pages_by_parent
                      WHERE p.parent_id = (SELECT id FROM posts WHERE path = ?2) AND p.kind = 'page' AND {VISIBLE_P}
                      ORDER BY p.menu_order, p.title COLLATE NOCASE"
                ),
                &[num(now), path_value],
            )?);
        }
        let results = self.db.batch(statements).await?;
        let (post, addenda, comments, counts, tags, ancestors, children) = match results.as_slice()
        {
            [post, addenda, comments, counts, tags] => (
                post,
                addenda,
                comments,
                counts,
                tags,
                Vec::new(),
                Vec::new(),
            ),
            [post, addenda, comments, counts, tags, ancestors, children] => (
                post,
                addenda,
                comments,
                counts,
                tags,
                ancestors.results()?,
                children.results()?,
            ),
            _ => return Err(short_batch()),
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
        // The parents in the order of their paths, outermost first (at most eight rows: picked
        // here, where a sort in SQL would be a temporary B-tree in a statement over posts).
        let ancestors: Vec<PageLink> = ancestors;
        let ancestors: Vec<PageLink> = routes::parent_paths(path)
            .iter()
            .filter_map(|p| ancestors.iter().find(|a| a.path == *p).cloned())
            .collect();
        Ok(Some(PostPage {
            post,
            ancestors,
            children,
            addenda: addenda.results()?,
            comments: comments.results()?,
            tags: tags.results()?,
            threads: counts.threads as u32,
            responses: counts.responses as u32,
        }))
    }

    /// How many threads (top-level approved comments) a post has.
    pub async fn thread_count(&self, post_id: i64) -> Result<u32> {
        let sql = "SELECT COUNT(*) AS n FROM comments c WHERE c.post_id = ?1 AND c.status = 'approved'
                      AND (c.parent_id IS NULL OR NOT EXISTS
                           (SELECT 1 FROM comments q WHERE q.id = c.parent_id AND q.status = 'approved'))";
        let row: Option<Count> = self.statement(sql, &[num(post_id)])?.first(None).await?;
        Ok(row.map_or(0, |c| c.n as u32))
    }

    /// A post's newest approved comments, for its comment feed.
    pub async fn latest_comments(&self, post_id: i64, limit: u32) -> Result<Vec<Comment>> {
        let sql = format!(
            "SELECT id, parent_id, author_name, author_url, body_html, {}, created_at, by_post_author, kind
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

    /// A page of the posts with a tag (a walk of `post_tags_listed`, newest first), and the
    /// tag's name; `None` when no post has it.
    pub async fn tag_listing(
        &self,
        tag_slug: &str,
        now: i64,
        per_page: u32,
        offset: u32,
    ) -> Result<Option<(String, Listing)>> {
        #[derive(Deserialize)]
        struct Name {
            tag: String,
        }
        let posts = self.statement(
            &format!(
                "SELECT p.slug, p.title, p.lead, {}, p.published_at, p.responses
                   FROM post_tags t INDEXED BY post_tags_listed JOIN posts p ON p.id = t.post_id
                  WHERE t.slug = ?2 AND t.listed_at IS NOT NULL AND t.listed_at <= ?1
                  ORDER BY t.listed_at DESC, t.post_id DESC
                  LIMIT ?3 OFFSET ?4",
                stale_markdown("p")
            ),
            &[
                num(now),
                tag_slug.into(),
                num((per_page + 1).into()),
                num(offset.into()),
            ],
        )?;
        let name = self.statement(
            "SELECT tag FROM post_tags WHERE slug = ?1 LIMIT 1",
            &[tag_slug.into()],
        )?;
        let results = self.db.batch(vec![posts, name]).await?;
        let [posts, name] = results.as_slice() else {
            return Err(short_batch());
        };
        let Some(name) = first::<Name>(name)? else {
            return Ok(None);
        };
        Ok(Some((
            name.tag,
            Listing::from_rows(posts.results()?, per_page),
        )))
    }

    /// The newest visible posts with their addenda, for the feeds.
    pub async fn feed(&self, now: i64, limit: u32) -> Result<(Vec<FeedPost>, Vec<FeedAddendum>)> {
        let newest = format!(
            "SELECT published_at FROM posts INDEXED BY posts_listed WHERE {LISTED} ORDER BY published_at DESC, id DESC LIMIT ?2"
        );
        // `enclosure`: the first audio file the post uses, for a podcast feed (the audio files are
        // found by `media_by_type`; SQLite's bare column beside min() is the row with the least).
        let posts = self.statement(
            &format!(
                "SELECT id, slug, title, body_html, {}, published_at, updated_at,
                        (SELECT e FROM (SELECT e, min(at) FROM
                                         (SELECT m.type || ' ' || m.bytes || ' /media/' || m.hash || '/' || m.name AS e,
                                                 instr(p.body, '/media/' || m.hash || '/') AS at
                                            FROM media m WHERE m.type GLOB 'audio/*')
                                         WHERE at > 0)) AS enclosure
                   FROM posts p INDEXED BY posts_listed
                  WHERE {LISTED} ORDER BY published_at DESC, id DESC LIMIT ?2",
                stale_markdown("p")
            ),
            &[num(now), num(limit.into())],
        )?;
        // The addenda of the posts from the oldest of the newest on: a range of `posts_listed`
        // walked in the feed's order, each post's addenda in theirs (no sort); a post beyond
        // the feed that shares the oldest one's time only adds rows the views skip.
        let addenda = self.statement(
            &format!(
                "SELECT a.id, a.post_id, a.body_html, {}, a.created_at
                   FROM posts p INDEXED BY posts_listed JOIN addenda a ON a.post_id = p.id
                  WHERE {LISTED_P} AND p.published_at >= (SELECT min(published_at) FROM ({newest}))
                  ORDER BY p.published_at DESC, p.id DESC, a.created_at, a.id",
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

    /// Every visible post and page, for the sitemap.
    pub async fn sitemap(&self, now: i64) -> Result<Vec<SitemapEntry>> {
        let sql = format!("SELECT path, updated_at FROM posts WHERE {VISIBLE} ORDER BY kind, published_at DESC, id DESC LIMIT 50000");
        Ok(self.statement(&sql, &[num(now)])?.all().await?.results()?)
    }

    /// Full-text search over visible posts and pages (title weighs most), best first, and the
    /// total.
    pub async fn search(
        &self,
        fts_query: &str,
        now: i64,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<SearchHit>, u32)> {
        let hits = self.statement(
            &format!(
                "SELECT p.path, p.title, p.published_at,
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

    /// A visible post or page (by its canonical path) that readers may comment on (open or
    /// closed: the caller decides).
    pub async fn commentable_post(&self, path: &str, now: i64) -> Result<Option<CommentablePost>> {
        let sql = format!("SELECT id, slug, path, title, published_at, comments_open FROM posts WHERE path = ?2 AND {VISIBLE}");
        Ok(self
            .statement(&sql, &[num(now), path.into()])?
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
    ) -> Result<CommentChecks> {
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
            "SELECT body FROM comments INDEXED BY comments_by_post_newest WHERE post_id = ?1 ORDER BY id DESC LIMIT 200",
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
    pub async fn approved_comment(&self, post_id: i64, id: i64) -> Result<Option<Comment>> {
        Ok(self
            .statement(
                &format!(
                    "SELECT id, parent_id, author_name, author_url, body_html, {}, created_at, by_post_author, kind
                       FROM comments WHERE id = ?1 AND post_id = ?2 AND status = 'approved'",
                    stale_text("comments")
                ),
                &[num(id), num(post_id)],
            )?
            .first(None)
            .await?)
    }
}

/// The approved comments of post `?1` that start a thread: top-level ones, and replies whose
/// parent is not shown (held, or marked spam later), which the page shows at the top level too.
impl Store {
    /// Which page of `per_page` threads holds approved comment `id` of the visible entry at
    /// `path` (1 for the first); `None` when there is no such comment to show.
    pub async fn comment_page(
        &self,
        path: &str,
        id: i64,
        now: i64,
        per_page: u32,
    ) -> Result<Option<u32>> {
        #[derive(Deserialize)]
        struct Row {
            before: u32,
        }
        let row: Option<Row> = self
            .statement(
                &format!(
                    "WITH RECURSIVE {THREAD_ROOTS},
                     -- From the comment up through its approved parents to its thread's root.
                     up(id, parent_id, created_at) AS (
                       SELECT c.id, c.parent_id, c.created_at FROM comments c JOIN posts p ON p.id = c.post_id
                        WHERE c.id = ?2 AND c.status = 'approved' AND p.path = ?1 AND {VISIBLE_P3}
                       UNION ALL
                       SELECT q.id, q.parent_id, q.created_at FROM up JOIN comments q ON q.id = up.parent_id
                        WHERE q.status = 'approved'),
                     root AS (SELECT created_at, id FROM up WHERE id IN (SELECT id FROM roots))
                     SELECT (SELECT COUNT(*) FROM roots r
                              WHERE r.created_at < root.created_at
                                 OR (r.created_at = root.created_at AND r.id < root.id)) AS before
                       FROM root"
                ),
                &[path.into(), num(id), num(now)],
            )?
            .first(None)
            .await?;
        Ok(row.map(|r| r.before / per_page.max(1) + 1))
    }
}

/// A published entry's visibility with the time as `?3` (see `VISIBLE`).
const VISIBLE_P3: &str = "p.status = 'published' AND p.published_at <= ?3";

const THREAD_ROOTS: &str = "roots AS (
    SELECT c.id, c.created_at FROM comments c JOIN posts p ON p.id = c.post_id
     WHERE p.path = ?1 AND c.status = 'approved'
       AND (c.parent_id IS NULL OR NOT EXISTS
            (SELECT 1 FROM comments q WHERE q.id = c.parent_id AND q.status = 'approved')))";
