//! Storing and moderating comments.

use super::*;
use blog_core::model::{renderer, CommentRecord, CommentStatus, CommentsFacts, NewComment};

const COMMENT_RECORD: &str =
    "SELECT c.id, c.post_id, p.slug AS post_slug, p.path AS post_path, p.title AS post_title, c.parent_id, c.author_name, c.author_email,
        c.author_url, c.body, c.status, c.created_at, c.by_post_author, c.client_hash, c.kind, c.import_key,
        (SELECT group_concat(value, char(31)) FROM json_each(c.spam_reasons)) AS spam_reasons
   FROM comments c JOIN posts p ON p.id = c.post_id";

impl Store {
    /// Stores a comment; `None` when an imported comment with the same key is already there.
    pub async fn insert_comment(&self, c: &NewComment<'_>) -> Result<Option<i64>> {
        self.insert_comment_with(c, Vec::new()).await
    }

    /// Stores a comment and runs `then` in the same batch (the mail it causes: see
    /// `Store::mail_on_new_comment`).
    pub async fn insert_comment_with(
        &self,
        c: &NewComment<'_>,
        then: Vec<D1PreparedStatement>,
    ) -> Result<Option<i64>> {
        let mut statements = vec![self.insert_comment_statement(c, None)?];
        statements.extend(then);
        let results = self.db.batch(statements).await?;
        let inserted = results.first().ok_or_else(short_batch)?;
        Ok(first::<IdRow>(inserted)?.map(|r| r.id))
    }

    /// Stores a restored comment with the id it had; `None` when the id is taken (or a comment
    /// with its key is on the post already).
    pub async fn insert_comment_as(&self, id: i64, c: &NewComment<'_>) -> Result<Option<i64>> {
        let row: Option<IdRow> = self
            .insert_comment_statement(c, Some(id))?
            .first(None)
            .await?;
        Ok(row.map(|r| r.id))
    }

    /// The insert of a comment, with its id when given (else SQLite picks the next).
    fn insert_comment_statement(
        &self,
        c: &NewComment<'_>,
        id: Option<i64>,
    ) -> Result<D1PreparedStatement> {
        self.statement(
            "INSERT INTO comments (post_id, parent_id, author_name, author_email, author_url, body, status,
                                   created_at, by_post_author, spam_reasons, client_hash, import_key,
                                   body_html, rendered_by, kind, id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT DO NOTHING RETURNING id",
            &[
                num(c.post_id),
                opt_num(c.parent_id),
                c.author_name.into(),
                c.author_email.into(),
                opt_str(c.author_url),
                c.body.into(),
                c.status.as_str().into(),
                num(c.created_at),
                num(c.by_post_author.into()),
                serde_json::to_string(c.spam_reasons)
                    .unwrap_or_else(|_| "[]".into())
                    .into(),
                opt_str(c.client_hash),
                opt_str(c.import_key),
                c.body_html.into(),
                num(renderer::COMMENT_TEXT),
                c.kind.as_str().into(),
                opt_num(id),
            ],
        )
    }

    pub async fn comment(&self, id: i64) -> Result<Option<CommentRecord>> {
        let sql = format!("{COMMENT_RECORD} WHERE c.id = ?1");
        Ok(self.statement(&sql, &[num(id)])?.first(None).await?)
    }

    /// The id of an imported comment by its key on a post.
    pub async fn imported_comment_id(&self, post_id: i64, key: &str) -> Result<Option<i64>> {
        let row: Option<IdRow> = self
            .statement(
                "SELECT id FROM comments WHERE post_id = ?1 AND import_key = ?2",
                &[num(post_id), key.into()],
            )?
            .first(None)
            .await?;
        Ok(row.map(|r| r.id))
    }

    /// A page of the comments with a status, newest first (a walk of `comments_by_status`), and
    /// how many have it (kept in `tallies`).
    pub async fn comments_with_status(
        &self,
        status: CommentStatus,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<CommentRecord>, u32)> {
        let page = self.statement(
            &format!("{COMMENT_RECORD} WHERE c.status = ?1 ORDER BY c.created_at DESC, c.id DESC LIMIT ?2 OFFSET ?3"),
            &[
                status.as_str().into(),
                num(limit.into()),
                num(offset.into()),
            ],
        )?;
        let tally = format!("comments:{}", status.as_str());
        self.page_and_tally(page, &[&tally]).await
    }

    /// A page of the comments with a status whose text, name, address or website holds
    /// `words` (any case), newest first: `limit` rows at most and whether more follow. A search
    /// reads the status's comments until it has a page: the author's rare act, bounded by what
    /// it finds.
    pub async fn search_comments(
        &self,
        status: CommentStatus,
        words: &str,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<CommentRecord>, bool)> {
        let sql = format!(
            "{COMMENT_RECORD} WHERE c.status = ?1
               AND (instr(lower(c.body), ?2) > 0 OR instr(lower(c.author_name), ?2) > 0
                    OR instr(lower(c.author_email), ?2) > 0 OR instr(lower(COALESCE(c.author_url, '')), ?2) > 0)
             ORDER BY c.created_at DESC, c.id DESC LIMIT ?3 OFFSET ?4"
        );
        let mut rows: Vec<CommentRecord> = self
            .statement(
                &sql,
                &[
                    status.as_str().into(),
                    words.to_lowercase().into(),
                    num(i64::from(limit) + 1),
                    num(offset.into()),
                ],
            )?
            .all()
            .await?
            .results()?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        Ok((rows, more))
    }

    /// How many comments wait, are approved and are spam (kept in `tallies`).
    pub async fn comment_counts(&self) -> Result<[u32; 3]> {
        #[derive(Deserialize)]
        struct Tally {
            name: String,
            n: i64,
        }
        let rows: Vec<Tally> = self
            .statement(
                "SELECT name, n FROM tallies WHERE name IN ('comments:pending', 'comments:approved', 'comments:spam')",
                &[],
            )?
            .all()
            .await?
            .results()?;
        let count = |status: CommentStatus| {
            let name = format!("comments:{}", status.as_str());
            rows.iter()
                .find(|t| t.name == name)
                .map_or(0, |t| t.n.max(0) as u32)
        };
        Ok([
            count(CommentStatus::Pending),
            count(CommentStatus::Approved),
            count(CommentStatus::Spam),
        ])
    }

    /// Replaces what a comment says and who it is from (the author's correction).
    pub async fn update_comment_content(
        &self,
        id: i64,
        author: &str,
        email: &str,
        url: Option<&str>,
        (body, body_html): (&str, &str),
    ) -> Result<()> {
        self.execute(
            "UPDATE comments SET author_name = ?2, author_email = ?3, author_url = ?4, body = ?5,
                    body_html = ?6, rendered_by = ?7
              WHERE id = ?1",
            &[
                num(id),
                author.into(),
                email.into(),
                opt_str(url),
                body.into(),
                body_html.into(),
                num(renderer::COMMENT_TEXT),
            ],
        )
        .await
    }

    pub async fn set_comment_status(&self, id: i64, status: CommentStatus) -> Result<()> {
        self.execute(
            "UPDATE comments SET status = ?2 WHERE id = ?1",
            &[num(id), status.as_str().into()],
        )
        .await
    }

    pub async fn delete_comment(&self, id: i64) -> Result<()> {
        self.execute("DELETE FROM comments WHERE id = ?1", &[num(id)])
            .await
    }
}

impl Store {
    /// What decides which pages show a post's approved comments.
    pub async fn comments_facts(&self, post_id: i64, now: i64) -> Result<CommentsFacts> {
        let rank = self.rank(post_id, now).await?;
        let threads = self.thread_count(post_id).await?;
        Ok(CommentsFacts { rank, threads })
    }
}
