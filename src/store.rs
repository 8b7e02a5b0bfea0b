//! Every SQL statement the blog runs, against D1. Parameters are always bound, never spliced.
//!
//! Times are Unix seconds. A post is visible to readers when its status is `published` and its
//! `published_at` is not in the future (a future one is scheduled).

use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

use crate::error::AppResult;

/// A post as a reader's page needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct Post {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub published_at: i64,
    pub updated_at: i64,
    pub comments_open: i64,
}

/// A post in a listing.
#[derive(Debug, Clone, Deserialize)]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    pub body: String,
    pub published_at: i64,
    pub responses: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Addendum {
    pub id: i64,
    /// Markdown.
    pub body: String,
    pub created_at: i64,
}

/// An approved comment as readers see it (no email, no spam data).
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub body: String,
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

pub struct Store {
    db: D1Database,
}

fn num(n: i64) -> JsValue {
    // D1 takes JS numbers; an i64 would cross as a BigInt, which it rejects.
    JsValue::from_f64(n as f64)
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

    /// Published posts, newest first, `per_page` from `offset`, and how many there are in all.
    pub async fn listing(&self, now: i64, per_page: u32, offset: u32) -> AppResult<Listing> {
        let posts = self.statement(
            &format!(
                "SELECT slug, title, body, published_at,
                        (SELECT COUNT(*) FROM comments c
                          WHERE c.post_id = p.id AND c.status = 'approved') AS responses
                   FROM posts p
                  WHERE {VISIBLE}
                  ORDER BY published_at DESC, id DESC
                  LIMIT ?2 OFFSET ?3"
            ),
            &[num(now), num(per_page.into()), num(offset.into())],
        )?;
        let total = self.statement(
            &format!("SELECT COUNT(*) AS n FROM posts WHERE {VISIBLE}"),
            &[num(now)],
        )?;
        let results = self.db.batch(vec![posts, total]).await?;
        let [posts, total] = results.as_slice() else {
            return Err(crate::error::AppError::Unavailable(
                "D1 batch returned too few results".into(),
            ));
        };
        Ok(Listing {
            posts: posts.results()?,
            total: first::<Count>(total)?.map_or(0, |c| c.n as u32),
        })
    }

    /// A published post with its addenda (oldest first) and approved comments (oldest first).
    pub async fn post_page(&self, slug: &str, now: i64) -> AppResult<Option<PostPage>> {
        let slug = JsValue::from_str(slug);
        let post = self.statement(
            &format!(
                "SELECT id, slug, title, body, published_at, updated_at, comments_open
                   FROM posts WHERE slug = ?2 AND {VISIBLE}"
            ),
            &[num(now), slug.clone()],
        )?;
        let addenda = self.statement(
            "SELECT a.id, a.body, a.created_at FROM addenda a JOIN posts p ON p.id = a.post_id
              WHERE p.slug = ?1 ORDER BY a.created_at, a.id",
            std::slice::from_ref(&slug),
        )?;
        let comments = self.statement(
            "SELECT c.id, c.parent_id, c.author_name, c.author_url, c.body, c.created_at, c.by_post_author
               FROM comments c JOIN posts p ON p.id = c.post_id
              WHERE p.slug = ?1 AND c.status = 'approved'
              ORDER BY c.created_at, c.id",
            &[slug],
        )?;
        let results = self.db.batch(vec![post, addenda, comments]).await?;
        let [post, addenda, comments] = results.as_slice() else {
            return Err(crate::error::AppError::Unavailable(
                "D1 batch returned too few results".into(),
            ));
        };
        let Some(post) = first::<Post>(post)? else {
            return Ok(None);
        };
        Ok(Some(PostPage {
            post,
            addenda: addenda.results()?,
            comments: comments.results()?,
        }))
    }
}
