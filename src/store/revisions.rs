//! The versions a post or page had (`revisions`), and its version now, read as one JSON value
//! (`blog_core::revisions::Version`) so that the two compare field by field.

use super::*;
use blog_core::revisions::Version;

/// A post's version now, as one JSON object: the same shape a revision keeps.
const VERSION_NOW: &str = "SELECT json_object(
    'title', p.title, 'body', p.body, 'slug', p.slug, 'status', p.status,
    'published_at', p.published_at, 'kind', p.kind, 'image', p.image,
    'parent', (SELECT q.slug FROM posts q WHERE q.id = p.parent_id),
    'menu_order', p.menu_order,
    'in_menu', CASE WHEN p.in_menu THEN json('true') ELSE json('false') END,
    'newsletter', CASE WHEN p.newsletter THEN json('true') ELSE json('false') END,
    'comments_open', CASE WHEN p.comments_open THEN json('true') ELSE json('false') END,
    'tags', (SELECT json_group_array(tag) FROM (SELECT tag FROM post_tags WHERE post_id = p.id ORDER BY tag)),
    'addenda', (SELECT json_group_array(json_object('id', id, 'at', created_at, 'body', body))
                  FROM (SELECT id, created_at, body FROM addenda WHERE post_id = p.id ORDER BY created_at, id))
  ) AS version FROM posts p WHERE p.id = ?1";

/// A kept revision as stored.
#[derive(Debug, Deserialize)]
pub struct RevisionRow {
    pub id: i64,
    pub created_at: i64,
    /// What the change changed, comma-separated.
    pub changed: String,
    /// The version replaced (JSON).
    pub version: String,
}

impl RevisionRow {
    pub fn changed(&self) -> Vec<String> {
        self.changed
            .split(", ")
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn version(&self) -> Result<Version> {
        serde_json::from_str(&self.version)
            .map_err(|e| StoreError::Decode(format!("revision {}: {e}", self.id)))
    }
}

impl Store {
    /// A post's version now; `None` when there is no such post.
    pub async fn version_now(&self, post_id: i64) -> Result<Option<(Version, String)>> {
        #[derive(Deserialize)]
        struct Row {
            version: String,
        }
        let row: Option<Row> = self
            .statement(VERSION_NOW, &[num(post_id)])?
            .first(None)
            .await?;
        row.map(|r| {
            let version = serde_json::from_str(&r.version)
                .map_err(|e| StoreError::Decode(format!("post {post_id}'s version: {e}")))?;
            Ok((version, r.version))
        })
        .transpose()
    }

    /// Keeps the version a change replaced (`version`, JSON) and what the change changed.
    pub async fn keep_revision(
        &self,
        post_id: i64,
        at: i64,
        changed: &[&str],
        version: &str,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO revisions (post_id, created_at, changed, version) VALUES (?1, ?2, ?3, ?4)",
            &[
                num(post_id),
                num(at),
                changed.join(", ").into(),
                version.into(),
            ],
        )
        .await
    }

    /// A post's revisions, newest first (at most `limit`).
    pub async fn revisions(&self, post_id: i64, limit: u32) -> Result<Vec<RevisionRow>> {
        Ok(self
            .statement(
                "SELECT id, created_at, changed, version FROM revisions
                  WHERE post_id = ?1 ORDER BY id DESC LIMIT ?2",
                &[num(post_id), num(limit.into())],
            )?
            .all()
            .await?
            .results()?)
    }

    /// One revision of a post.
    pub async fn revision(&self, post_id: i64, id: i64) -> Result<Option<RevisionRow>> {
        Ok(self
            .statement(
                "SELECT id, created_at, changed, version FROM revisions WHERE id = ?2 AND post_id = ?1",
                &[num(post_id), num(id)],
            )?
            .first(None)
            .await?)
    }

    /// Replaces a post's addenda with a version's (a restore): the same ids where they are still
    /// there, so links to them hold.
    pub async fn replace_addenda(
        &self,
        post_id: i64,
        addenda: &[(i64, i64, String, String)],
    ) -> Result<()> {
        let rows: Vec<serde_json::Value> = addenda
            .iter()
            .map(|(id, at, body, html)| serde_json::json!([id, at, body, html]))
            .collect();
        let json = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
        let clear = self.statement(
            "DELETE FROM addenda WHERE post_id = ?1
               AND id NOT IN (SELECT json_extract(value, '$[0]') FROM json_each(?2))",
            &[num(post_id), json.clone().into()],
        )?;
        let upsert = self.statement(
            "INSERT INTO addenda (id, post_id, created_at, body, body_html, rendered_by)
             SELECT json_extract(value, '$[0]'), ?1, json_extract(value, '$[1]'),
                    json_extract(value, '$[2]'), json_extract(value, '$[3]'), ?3
               FROM json_each(?2) WHERE true
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, body_html = excluded.body_html,
                    created_at = excluded.created_at, rendered_by = excluded.rendered_by
              WHERE addenda.post_id = ?1",
            &[
                num(post_id),
                json.into(),
                num(blog_core::model::renderer::MARKDOWN),
            ],
        )?;
        self.db.batch(vec![clear, upsert]).await?;
        Ok(())
    }
}
