//! The media library's rows (the bytes are in R2, under `media/{hash}`).

use blog_core::model::{ImageSize, MediaRecord, NewMedia};
use serde::Deserialize;

use super::*;

const MEDIA: &str =
    "SELECT id, hash, name, type, bytes, width, height, alt, original_name, created_at FROM media";

impl Store {
    /// Stores a file's row; `None` when a file with the same content is already there.
    pub async fn insert_media(&self, m: &NewMedia<'_>) -> Result<Option<i64>> {
        let row: Option<IdRow> = self
            .statement(
                "INSERT INTO media (hash, name, type, bytes, width, height, alt, original_name, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (hash) DO NOTHING RETURNING id",
                &[
                    m.hash.into(),
                    m.name.into(),
                    m.media_type.into(),
                    num(m.bytes as i64),
                    opt_num(m.size.map(|(w, _)| i64::from(w))),
                    opt_num(m.size.map(|(_, h)| i64::from(h))),
                    m.alt.into(),
                    m.original_name.into(),
                    num(m.created_at),
                ],
            )?
            .first(None)
            .await?;
        Ok(row.map(|r| r.id))
    }

    pub async fn media_by_hash(&self, hash: &str) -> Result<Option<MediaRecord>> {
        let sql = format!("{MEDIA} WHERE hash = ?1");
        Ok(self.statement(&sql, &[hash.into()])?.first(None).await?)
    }

    pub async fn media_by_id(&self, id: i64) -> Result<Option<MediaRecord>> {
        let sql = format!("{MEDIA} WHERE id = ?1");
        Ok(self.statement(&sql, &[num(id)])?.first(None).await?)
    }

    /// A page of the library, newest first, and how many files there are (kept in `tallies`).
    pub async fn media_list(&self, limit: u32, offset: u32) -> Result<(Vec<MediaRecord>, u32)> {
        let page = self.statement(
            &format!("{MEDIA} ORDER BY created_at DESC, id DESC LIMIT ?1 OFFSET ?2"),
            &[num(limit.into()), num(offset.into())],
        )?;
        self.page_and_tally(page, &["media"]).await
    }

    pub async fn delete_media(&self, id: i64) -> Result<()> {
        self.execute("DELETE FROM media WHERE id = ?1", &[num(id)])
            .await
    }

    /// The stored sizes of the images among `hashes`.
    pub async fn image_sizes(&self, hashes: &[String]) -> Result<Vec<ImageSize>> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let json = serde_json::to_string(hashes).unwrap_or_else(|_| "[]".into());
        Ok(self
            .statement(
                "SELECT hash, width, height, type FROM media
                  WHERE hash IN (SELECT value FROM json_each(?1)) AND width IS NOT NULL AND height IS NOT NULL",
                &[json.into()],
            )?
            .all()
            .await?
            .results()?)
    }

    /// The slugs of posts whose text, addenda or lead image use the file with this hash.
    pub async fn posts_using_media(&self, hash: &str) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Row {
            slug: String,
        }
        let rows: Vec<Row> = self
            .statement(
                "SELECT slug FROM posts p
                  WHERE instr(p.body, '/media/' || ?1 || '/') > 0
                     OR instr(coalesce(p.image, ''), '/media/' || ?1 || '/') > 0
                     OR EXISTS (SELECT 1 FROM addenda a WHERE a.post_id = p.id
                                   AND instr(a.body, '/media/' || ?1 || '/') > 0)
                  ORDER BY p.id",
                &[hash.into()],
            )?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().map(|r| r.slug).collect())
    }
}
