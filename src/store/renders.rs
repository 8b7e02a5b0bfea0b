//! Rows whose stored HTML is not from the current renderers, and their fresh renders.

use super::*;
use blog_core::model::{renderer, StaleRenders};

/// A post's fresh render, for [`Store::save_renders`]: stored only if its Markdown is still
/// `markdown`.
pub struct PostRender<'a> {
    pub id: i64,
    pub markdown: &'a str,
    pub html: &'a str,
    pub lead: &'a str,
    pub image: Option<&'a str>,
}

impl Store {
    /// Up to `limit` posts, addenda and comments whose stored HTML is not from this renderer.
    pub async fn stale_renders(&self, limit: u32) -> Result<StaleRenders> {
        let version = num(renderer::MARKDOWN);
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
            &[num(renderer::COMMENT_TEXT), num(limit.into())],
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

    /// Stores renders of stale rows: [`PostRender`]s for posts and `(id, source, html)`
    /// for addenda and comments. A row whose source changed meanwhile keeps its newer render.
    pub async fn save_renders(
        &self,
        posts: &[PostRender<'_>],
        addenda: &[(i64, &str, &str)],
        comments: &[(i64, &str, &str)],
    ) -> Result<()> {
        let version = num(renderer::MARKDOWN);
        let mut statements = Vec::with_capacity(posts.len() + addenda.len() + comments.len());
        for post in posts {
            // An explicit lead image (front matter `image`) stays; a missing one is filled in.
            statements.push(self.statement(
                "UPDATE posts SET body_html = ?3, lead = ?4, rendered_by = ?5, image = coalesce(image, ?6)
                  WHERE id = ?1 AND body = ?2",
                &[
                    num(post.id),
                    post.markdown.into(),
                    post.html.into(),
                    post.lead.into(),
                    version.clone(),
                    opt_str(post.image),
                ],
            )?);
        }
        let others = [
            (
                "UPDATE addenda SET body_html = ?3, rendered_by = ?4 WHERE id = ?1 AND body = ?2",
                renderer::MARKDOWN,
                addenda,
            ),
            (
                "UPDATE comments SET body_html = ?3, rendered_by = ?4 WHERE id = ?1 AND body = ?2",
                renderer::COMMENT_TEXT,
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
