//! The author's posts, addenda and tags, and where a post stands on the home listing.

use blog_core::api::EntryKind;
use blog_core::invalidation::{self, Change};
use blog_core::model::{renderer, AddendumRecord, PagePlace, Placement, PostRecord, PostWrite};
use blog_core::text::tag_slug;
use serde::Deserialize;
use wasm_bindgen::JsValue;

use super::*;

const POST_RECORD: &str = "SELECT p.id, p.slug, p.path, p.kind = 'page' AS is_page, p.parent_id,
        (SELECT slug FROM posts parent WHERE parent.id = p.parent_id) AS parent, p.menu_order, p.in_menu,
        (SELECT COUNT(*) FROM posts child WHERE child.parent_id = p.id
           AND NOT EXISTS (SELECT 1 FROM trash t WHERE t.post_id = child.id)) AS children,
        p.title, p.body, p.status, p.published_at, p.updated_at, p.comments_open, p.newsletter, p.image,
        (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM post_tags t WHERE t.post_id = p.id ORDER BY tag)) AS tags,
        p.responses AS approved,
        (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'pending') AS pending,
        (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'spam') AS spam
   FROM posts p";

/// Leaves out the entries in the trash (a few rows, looked up by key).
const NOT_TRASHED: &str = "NOT EXISTS (SELECT 1 FROM trash t WHERE t.post_id = p.id)";

/// The `kind` column's value, and the `tallies` row counting that kind.
fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Post => "post",
        EntryKind::Page => "page",
    }
}

/// A post or page whose scheduled time came (see [`Store::newly_visible`]).
#[derive(Deserialize)]
pub struct NewlyVisible {
    pub id: i64,
    pub path: String,
    #[serde(deserialize_with = "blog_core::model::sql_bool")]
    pub is_page: bool,
}

/// How many listed posts come before post `?2` on the home listing at time `?1`.
const RANK: &str = "(SELECT COUNT(*) FROM posts p JOIN posts q INDEXED BY posts_listed
                      WHERE p.id = ?2 AND q.kind = 'post' AND q.status = 'published' AND q.published_at <= ?1
                        AND (q.published_at, q.id) > (p.published_at, p.id))";

#[derive(Deserialize)]
struct PlacementRow {
    total: f64,
    rank: f64,
    visible: f64,
}

/// A post's columns in the order both the insert and the update bind them (?1 to ?17).
fn post_params(post: &PostWrite<'_>) -> [JsValue; 17] {
    let page = post.page.unwrap_or(PagePlace {
        parent_id: None,
        menu_order: 0,
        in_menu: true,
    });
    [
        post.slug.into(),
        post.title.into(),
        post.body.into(),
        post.status.as_str().into(),
        opt_num(post.published_at),
        num(post.updated_at),
        num(post.comments_open.into()),
        post.body_html.into(),
        post.lead.into(),
        num(renderer::MARKDOWN),
        opt_str(post.image),
        (if post.page.is_some() { "page" } else { "post" }).into(),
        opt_num(page.parent_id),
        num(page.menu_order),
        num(page.in_menu.into()),
        post.path.into(),
        num(post.newsletter.into()),
    ]
}

impl Store {
    pub async fn post_record(&self, slug: &str) -> Result<Option<PostRecord>> {
        let sql = format!("{POST_RECORD} WHERE p.slug = ?1");
        Ok(self.statement(&sql, &[slug.into()])?.first(None).await?)
    }

    /// One page of the posts and pages (or of one `kind`) not in the trash, undated drafts
    /// first, then newest first, and how many there are (kept in `tallies`): a walk of `posts_admin_order` or
    /// `posts_admin_by_kind` as long as the page.
    pub async fn entries(
        &self,
        kind: Option<EntryKind>,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<PostRecord>, u32)> {
        let order = "ORDER BY p.published_at IS NOT NULL, p.published_at DESC, p.id DESC";
        match kind {
            Some(kind) => {
                let page = self.statement(
                    &format!("{POST_RECORD} INDEXED BY posts_admin_by_kind WHERE p.kind = ?1 AND {NOT_TRASHED} {order} LIMIT ?2 OFFSET ?3"),
                    &[kind_name(kind).into(), num(limit.into()), num(offset.into())],
                )?;
                self.page_and_tally(page, &[kind_name(kind)]).await
            }
            None => {
                let page = self.statement(
                    &format!(
                        "{POST_RECORD} INDEXED BY posts_admin_order WHERE {NOT_TRASHED} {order} LIMIT ?1 OFFSET ?2"
                    ),
                    &[num(limit.into()), num(offset.into())],
                )?;
                self.page_and_tally(page, &["post", "page"]).await
            }
        }
    }

    /// Every post's addenda, a page at a time by id (after `after`): (post id, addendum).
    pub async fn all_addenda(&self, after: i64, limit: u32) -> Result<Vec<(i64, AddendumRecord)>> {
        #[derive(Deserialize)]
        struct Row {
            post_id: i64,
            id: i64,
            body: String,
            created_at: i64,
        }
        let rows: Vec<Row> = self
            .statement(
                "SELECT post_id, id, body, created_at FROM addenda WHERE id > ?1 ORDER BY id LIMIT ?2",
                &[num(after), num(limit.into())],
            )?
            .all()
            .await?
            .results()?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let record = AddendumRecord {
                    id: r.id,
                    body: r.body,
                    created_at: r.created_at,
                };
                (r.post_id, record)
            })
            .collect())
    }

    pub async fn addenda(&self, post_id: i64) -> Result<Vec<AddendumRecord>> {
        let sql =
            "SELECT id, body, created_at FROM addenda WHERE post_id = ?1 ORDER BY created_at, id";
        Ok(self
            .statement(sql, &[num(post_id)])?
            .all()
            .await?
            .results()?)
    }

    /// Inserts a post; `None` when the slug is taken.
    pub async fn insert_post(&self, post: &PostWrite<'_>, tags: &[String]) -> Result<Option<i64>> {
        let inserted: Option<IdRow> = self
            .statement(
                "INSERT INTO posts (slug, title, body, status, published_at, updated_at, comments_open,
                                    body_html, lead, rendered_by, image, kind, parent_id, menu_order,
                                    in_menu, path, newsletter)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                 ON CONFLICT DO NOTHING RETURNING id",
                &post_params(post),
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
    ) -> Result<bool> {
        let result = self
            .statement(
                "UPDATE OR IGNORE posts SET slug = ?1, title = ?2, body = ?3, status = ?4, published_at = ?5,
                        updated_at = ?6, comments_open = ?7, body_html = ?8, lead = ?9, rendered_by = ?10,
                        image = ?11, kind = ?12, parent_id = ?13, menu_order = ?14, in_menu = ?15, path = ?16,
                        newsletter = ?17
                  WHERE id = ?18",
                &[post_params(post).as_slice(), &[num(id)]].concat(),
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

    /// Moves the addresses of a page's descendants with it, from under `old` to under `new`.
    pub async fn move_page_children(&self, old: &str, new: &str) -> Result<()> {
        if old == new {
            return Ok(());
        }
        self.execute(
            "UPDATE posts SET path = ?2 || substr(path, length(?1) + 1)
              WHERE kind = 'page' AND substr(path, 1, length(?1)) = ?1 AND path <> ?1",
            &[old.into(), new.into()],
        )
        .await
    }

    /// The ids and addresses of a page and all its descendants (to refuse a parent that would
    /// make a loop, or nest them too deep).
    pub async fn page_and_descendants(&self, path: &str) -> Result<Vec<(i64, String)>> {
        #[derive(Deserialize)]
        struct Row {
            id: i64,
            path: String,
        }
        let rows: Vec<Row> = self
            .statement(
                "SELECT id, path FROM posts WHERE kind = 'page' AND substr(path, 1, length(?1)) = ?1",
                &[path.into()],
            )?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().map(|r| (r.id, r.path)).collect())
    }

    async fn set_tags(&self, post_id: i64, tags: &[String]) -> Result<()> {
        let pairs: Vec<(&str, String)> = tags.iter().map(|t| (t.as_str(), tag_slug(t))).collect();
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
    pub async fn delete_post(&self, id: i64) -> Result<()> {
        self.execute("DELETE FROM posts WHERE id = ?1", &[num(id)])
            .await
    }

    /// Corrects an addendum of a post (its date stays); `false` when the post has no such
    /// addendum. The post's `updated_at` moves, as for any edit.
    pub async fn update_addendum(
        &self,
        post_id: i64,
        id: i64,
        markdown: &str,
        html: &str,
        now: i64,
    ) -> Result<bool> {
        let update = self.statement(
            "UPDATE addenda SET body = ?3, body_html = ?4, rendered_by = ?5
              WHERE id = ?1 AND post_id = ?2 RETURNING id",
            &[
                num(id),
                num(post_id),
                markdown.into(),
                html.into(),
                num(renderer::MARKDOWN),
            ],
        )?;
        self.addendum_changed(update, post_id, now).await
    }

    /// Removes an addendum of a post; `false` when the post has no such addendum.
    pub async fn delete_addendum(&self, post_id: i64, id: i64, now: i64) -> Result<bool> {
        let delete = self.statement(
            "DELETE FROM addenda WHERE id = ?1 AND post_id = ?2 RETURNING id",
            &[num(id), num(post_id)],
        )?;
        self.addendum_changed(delete, post_id, now).await
    }

    /// Runs a change to an addendum with the touch of its post's `updated_at`, in one batch.
    async fn addendum_changed(
        &self,
        change: D1PreparedStatement,
        post_id: i64,
        now: i64,
    ) -> Result<bool> {
        let touch = self.statement(
            "UPDATE posts SET updated_at = MAX(updated_at, ?2) WHERE id = ?1",
            &[num(post_id), num(now)],
        )?;
        let results = self.db.batch(vec![change, touch]).await?;
        let changed = results.first().ok_or_else(short_batch)?;
        Ok(first::<IdRow>(changed)?.is_some())
    }

    /// Appends an addendum (Markdown and its HTML) and moves the post's updated time forward to it.
    pub async fn insert_addendum(
        &self,
        post_id: i64,
        markdown: &str,
        html: &str,
        at: i64,
    ) -> Result<i64> {
        let insert = self.statement(
            "INSERT INTO addenda (post_id, body, created_at, body_html, rendered_by)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            &[
                num(post_id),
                markdown.into(),
                num(at),
                html.into(),
                num(renderer::MARKDOWN),
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

    /// Stores an addendum of a restored entry with the id it had when that id is free (links to
    /// `#addendum-N` keep working), else with the next. Its id.
    pub async fn restore_addendum(
        &self,
        post_id: i64,
        id: i64,
        markdown: &str,
        html: &str,
        at: i64,
    ) -> Result<i64> {
        let row: Option<IdRow> = self
            .statement(
                "INSERT INTO addenda (id, post_id, body, created_at, body_html, rendered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING RETURNING id",
                &[
                    opt_num((id > 0).then_some(id)),
                    num(post_id),
                    markdown.into(),
                    num(at),
                    html.into(),
                    num(renderer::MARKDOWN),
                ],
            )?
            .first(None)
            .await?;
        match row {
            Some(row) => Ok(row.id),
            None => self.insert_addendum(post_id, markdown, html, at).await,
        }
    }

    /// The last facts of a restored entry, set after its addenda: when it was last changed, and
    /// its newsletter flag (set only now, so that restoring a post published within the day
    /// does not mail it to the subscribers again).
    pub async fn finish_restore(
        &self,
        post_id: i64,
        updated_at: i64,
        newsletter: bool,
    ) -> Result<()> {
        self.execute(
            "UPDATE posts SET updated_at = ?2, newsletter = ?3 WHERE id = ?1",
            &[num(post_id), num(updated_at), num(newsletter.into())],
        )
        .await
    }

    /// Where a post stands on the home listing now (see [`Placement`]); `post_id` None gives
    /// only the total. The author's writes need the total (which listing pages shift); it is a
    /// count over `posts_listed` alone, never the posts' rows.
    pub async fn placement(&self, post_id: Option<i64>, now: i64) -> Result<Placement> {
        let row: Option<PlacementRow> = self
            .statement(
                &format!(
                    "SELECT (SELECT COUNT(*) FROM posts INDEXED BY posts_listed WHERE {LISTED}) AS total,
                            (SELECT COUNT(*) FROM posts p WHERE p.id = ?2 AND {LISTED_P}) AS visible,
                            {RANK} AS rank"
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

    /// A listed post's 0-based rank on the home listing now (None when it is not listed): a
    /// count of the newer entries of `posts_listed`, which a comment needs to find the listing
    /// page showing its post's count.
    pub async fn rank(&self, post_id: i64, now: i64) -> Result<Option<u32>> {
        #[derive(Deserialize)]
        struct Row {
            visible: f64,
            rank: f64,
        }
        let row: Option<Row> = self
            .statement(
                &format!(
                    "SELECT (SELECT COUNT(*) FROM posts p WHERE p.id = ?2 AND {LISTED_P}) AS visible,
                            {RANK} AS rank"
                ),
                &[num(now), num(post_id)],
            )?
            .first(None)
            .await?;
        let row = row.ok_or_else(short_batch)?;
        Ok((row.visible > 0.0).then_some(row.rank as u32))
    }

    /// Posts and pages that became visible in `(since, now]` (scheduled ones whose time has
    /// come), newest first.
    pub async fn newly_visible(&self, since: i64, now: i64) -> Result<Vec<NewlyVisible>> {
        Ok(self
            .statement(
                "SELECT id, path, kind = 'page' AS is_page FROM posts
                  WHERE status = 'published' AND published_at > ?1 AND published_at <= ?2
                  ORDER BY published_at DESC, id DESC",
                &[num(since), num(now)],
            )?
            .all()
            .await?
            .results()?)
    }

    /// How many visible posts carry each tag slug.
    pub async fn tag_totals(&self, tag_slugs: &[String], now: i64) -> Result<Vec<(String, u32)>> {
        #[derive(Deserialize)]
        struct Row {
            slug: String,
            n: f64,
        }
        let json = serde_json::to_string(tag_slugs).unwrap_or_else(|_| "[]".into());
        let rows: Vec<Row> = self
            .statement(
                "SELECT j.value AS slug,
                        (SELECT COUNT(*) FROM post_tags t INDEXED BY post_tags_listed
                          WHERE t.slug = j.value AND t.listed_at IS NOT NULL AND t.listed_at <= ?1) AS n
                   FROM json_each(?2) j",
                &[num(now), json.into()],
            )?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().map(|r| (r.slug, r.n as u32)).collect())
    }

    /// The tag slugs of a post.
    pub async fn tag_slugs(&self, post_id: i64) -> Result<Vec<String>> {
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
}

impl Store {
    /// The facts of a change to posts, for `blog_core::invalidation`: where the (newest) post
    /// stood `before` and stands `after`, its addresses, its approved comments, and how many
    /// visible posts now carry each of `tags` (names, before and after the change).
    pub async fn posts_change(
        &self,
        (before, after): (Placement, Placement),
        paths: Vec<String>,
        approved: u32,
        tags: &[String],
        now: i64,
    ) -> Result<Change> {
        let tag_slugs = invalidation::tag_slugs(tags);
        let tag_totals = if tag_slugs.is_empty() {
            Vec::new()
        } else {
            self.tag_totals(&tag_slugs, now).await?
        };
        Ok(Change::Posts {
            before,
            after,
            paths,
            approved,
            tag_totals,
        })
    }
}
