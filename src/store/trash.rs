//! The trash (migrations/0018_trash.sql): a deleted entry keeps its row for 30 days as a draft
//! at an address no one can ask for, so that a restore gives back the very same entry — its id,
//! comments, addenda, tags and revisions — and only a purge deletes it.

use super::*;
use blog_core::model::PostStatus;

/// An entry in the trash.
#[derive(Debug, Clone, Deserialize)]
pub struct TrashedEntry {
    pub id: i64,
    pub title: String,
    /// Its slug, address and status before it was deleted.
    pub slug: String,
    pub path: String,
    pub status: PostStatus,
    #[serde(deserialize_with = "blog_core::model::sql_bool")]
    pub is_page: bool,
    pub deleted_at: i64,
    /// A page's parent's address now (`None`: a top-level page, or a post).
    pub parent_path: Option<String>,
    /// Whether the parent page is in the trash too.
    #[serde(deserialize_with = "blog_core::model::sql_bool")]
    pub parent_trashed: bool,
}

/// A trashed entry's columns, from `trash t` (first, so that the trash, not the posts, is walked)
/// and `posts p`.
const TRASHED: &str =
    "SELECT p.id, p.title, t.slug, t.path, t.status, p.kind = 'page' AS is_page, t.deleted_at,
        (SELECT path FROM posts parent WHERE parent.id = p.parent_id) AS parent_path,
        EXISTS (SELECT 1 FROM trash pt WHERE pt.post_id = p.parent_id) AS parent_trashed";

impl Store {
    /// Moves an entry to the trash: a draft whose slug and address no one can ask for (a post's
    /// address follows its slug: see the `posts_path_rename` trigger).
    pub async fn trash_post(&self, id: i64, now: i64) -> Result<()> {
        let keep = self.statement(
            "INSERT INTO trash (post_id, slug, path, status, deleted_at)
             SELECT id, slug, path, status, ?2 FROM posts WHERE id = ?1",
            &[num(id), num(now)],
        )?;
        let hide = self.statement(
            "UPDATE posts SET status = 'draft', slug = '~trash-' || id, path = '/~trash/' || id || '/'
              WHERE id = ?1",
            &[num(id)],
        )?;
        self.db.batch(vec![keep, hide]).await?;
        Ok(())
    }

    /// A page of the trash, the latest deleted first, and how many entries it holds.
    pub async fn trash(&self, limit: u32, offset: u32) -> Result<(Vec<TrashedEntry>, u32)> {
        let page = self.statement(
            &format!(
                "{TRASHED} FROM trash t INDEXED BY trash_by_time CROSS JOIN posts p ON p.id = t.post_id
                  ORDER BY t.deleted_at DESC, t.post_id DESC LIMIT ?1 OFFSET ?2"
            ),
            &[num(limit.into()), num(offset.into())],
        )?;
        self.page_and_tally(page, &["trash"]).await
    }

    pub async fn trashed(&self, id: i64) -> Result<Option<TrashedEntry>> {
        let sql = format!(
            "{TRASHED} FROM trash t CROSS JOIN posts p ON p.id = t.post_id WHERE t.post_id = ?1"
        );
        Ok(self.statement(&sql, &[num(id)])?.first(None).await?)
    }

    /// Whether an entry has this address (a trashed entry's old one may have been taken since).
    pub async fn path_taken(&self, path: &str) -> Result<bool> {
        let row: Option<IdRow> = self
            .statement("SELECT id FROM posts WHERE path = ?1", &[path.into()])?
            .first(None)
            .await?;
        Ok(row.is_some())
    }

    /// Gives a trashed entry back its slug and status, at `path` (a page's parent may have
    /// moved meanwhile); `false` when it is not in the trash. (The caller checks first that its
    /// slug and address are free.)
    pub async fn untrash(&self, id: i64, path: &str) -> Result<bool> {
        let back = self.statement(
            "UPDATE posts SET slug = (SELECT slug FROM trash WHERE post_id = ?1), path = ?2,
                              status = (SELECT status FROM trash WHERE post_id = ?1)
              WHERE id = ?1 AND EXISTS (SELECT 1 FROM trash WHERE post_id = ?1)",
            &[num(id), path.into()],
        )?;
        let out = self.statement(
            "DELETE FROM trash WHERE post_id = ?1 RETURNING post_id AS id",
            &[num(id)],
        )?;
        let results = self.db.batch(vec![back, out]).await?;
        let out = results.get(1).ok_or_else(short_batch)?;
        Ok(first::<IdRow>(out)?.is_some())
    }

    /// Deletes for good the trashed entries deleted before `before` (or only `only`), with their
    /// revisions (comments, addenda and tags go with their rows). How many.
    pub async fn purge_trash(&self, before: i64, only: Option<i64>) -> Result<usize> {
        let ids: Vec<IdRow> = self
            .statement(
                "SELECT post_id AS id FROM trash
                  WHERE deleted_at < ?1 AND (?2 IS NULL OR post_id = ?2) LIMIT 100",
                &[num(before), opt_num(only)],
            )?
            .all()
            .await?
            .results()?;
        if ids.is_empty() {
            return Ok(0);
        }
        let list = serde_json::to_string(&ids.iter().map(|r| r.id).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into());
        let statements = [
            "DELETE FROM revisions WHERE post_id IN (SELECT value FROM json_each(?1))",
            // A trashed page's trashed child stays in the trash, as a top-level page.
            "UPDATE posts SET parent_id = NULL WHERE parent_id IN (SELECT value FROM json_each(?1))",
            "DELETE FROM trash WHERE post_id IN (SELECT value FROM json_each(?1))",
            "DELETE FROM posts WHERE id IN (SELECT value FROM json_each(?1))",
        ]
        .into_iter()
        .map(|sql| self.statement(sql, &[list.as_str().into()]))
        .collect::<Result<Vec<_>>>()?;
        self.db.batch(statements).await?;
        Ok(ids.len())
    }
}
