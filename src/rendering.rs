//! Keeps the stored HTML of posts, addenda and comments current.
//!
//! The author's Markdown is rendered when it is saved (see [`crate::admin`]) and a comment's text
//! when it is stored, so a reader's request renders neither. Rows that no current renderer has
//! seen (written by plain SQL, like the demo seed, or by a build whose renderer version was older:
//! [`markdown::RENDERER_VERSION`], [`comment_text::RENDERER_VERSION`]) are shown rendered on the
//! fly by the pages, and [`refresh`] stores their new renders: the cron job runs it every minute,
//! and a reader's page that met a stale row runs it after the response.

use crate::error::AppResult;
use crate::store::{FeedAddendum, FeedPost, Listing, PostPage, Store};
use crate::{comment_text, markdown};

/// How many posts (and addenda) one refresh renders at most: a bounded amount of work per run.
const BATCH: u32 = 20;

/// Renders and stores up to a batch of stale posts, addenda and comments; returns how many.
pub async fn refresh(store: &Store) -> AppResult<usize> {
    let stale = store.stale_renders(BATCH).await?;
    let posts: Vec<_> = stale
        .posts
        .iter()
        .map(|p| (p.id, p.body.as_str(), markdown::render(&p.body)))
        .collect();
    let addenda: Vec<_> = stale
        .addenda
        .iter()
        .map(|a| (a.id, a.body.as_str(), markdown::to_html(&a.body)))
        .collect();
    let comments: Vec<_> = stale
        .comments
        .iter()
        .map(|c| (c.id, c.body.as_str(), comment_text::to_html(&c.body)))
        .collect();
    let posts_borrowed: Vec<_> = posts
        .iter()
        .map(|(id, md, r)| (*id, *md, r.html.as_str(), r.lead.as_str()))
        .collect();
    store
        .save_renders(&posts_borrowed, &borrowed(&addenda), &borrowed(&comments))
        .await?;
    Ok(posts.len() + addenda.len() + comments.len())
}

/// Whether a post page's data holds a row whose stored render is stale.
pub fn post_page_is_stale(page: &PostPage) -> bool {
    page.post.stale_markdown.is_some()
        || page.addenda.iter().any(|a| a.stale_markdown.is_some())
        || page.comments.iter().any(|c| c.stale_text.is_some())
}

/// Whether a listing shows a post whose stored render is stale.
pub fn listing_is_stale(listing: &Listing) -> bool {
    listing.posts.iter().any(|p| p.stale_markdown.is_some())
}

/// Whether a feed holds a post or addendum whose stored render is stale.
pub fn feed_is_stale(posts: &[FeedPost], addenda: &[FeedAddendum]) -> bool {
    posts.iter().any(|p| p.stale_markdown.is_some())
        || addenda.iter().any(|a| a.stale_markdown.is_some())
}

/// The HTML to show for a stored render: the stored one, or a fresh render of Markdown whose
/// stored HTML is stale.
pub fn current_html<'a>(
    stored: &'a str,
    stale_markdown: Option<&str>,
) -> std::borrow::Cow<'a, str> {
    match stale_markdown {
        Some(markdown) => markdown::to_html(markdown).into(),
        None => stored.into(),
    }
}

/// A comment's HTML: the stored one, or a fresh render of text whose stored HTML is stale.
pub fn current_comment_html<'a>(
    stored: &'a str,
    stale_text: Option<&str>,
) -> std::borrow::Cow<'a, str> {
    match stale_text {
        Some(text) => comment_text::to_html(text).into(),
        None => stored.into(),
    }
}

/// The lead to cut excerpts from: the stored one, or one from Markdown whose render is stale.
pub fn current_lead<'a>(
    stored: &'a str,
    stale_markdown: Option<&str>,
) -> std::borrow::Cow<'a, str> {
    match stale_markdown {
        Some(markdown) => markdown::lead(markdown).into(),
        None => stored.into(),
    }
}

fn borrowed<'a>(rows: &'a [(i64, &'a str, String)]) -> Vec<(i64, &'a str, &'a str)> {
    rows.iter()
        .map(|(id, source, html)| (*id, *source, html.as_str()))
        .collect()
}
