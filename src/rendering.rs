//! Stored renders: what a page shows of a post, an addendum or a comment, and keeping it current.
//!
//! The author's Markdown is rendered when it is saved (by the author Worker, see
//! [`crate::admin`]) and a comment's text when it is stored, so a reader's request renders
//! neither. A row whose stored HTML is not from the current renderer ([`markdown::RENDERER_VERSION`],
//! [`comment_text::RENDERER_VERSION`]) — written by plain SQL like the demo seed, or by an older
//! build — is *stale*: the pages show it as well as they can without the Markdown renderer (see
//! [`current_html`]) and keep such pages out of the caches, and [`refresh`] stores fresh renders.
//! The author Worker runs it from its cron job every minute and on `POST /admin/renders`.

use std::borrow::Cow;

use crate::error::AppResult;
use crate::store::{FeedAddendum, FeedPost, Listing, PostPage, Store};
use crate::{comment_text, markdown};

/// How many posts (and as many addenda and comments) one refresh renders at most.
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

/// Whether a post page shows Markdown whose stored render is stale. (Comments whose stored HTML
/// is stale are rendered exactly by the reader, which has the comment renderer.)
pub fn post_page_is_stale(page: &PostPage) -> bool {
    page.post.stale_markdown.is_some() || page.addenda.iter().any(|a| a.stale_markdown.is_some())
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

/// The HTML to show for a post or addendum. The reader Worker has no Markdown renderer (it
/// would double a reader's cold start), so a stale render is shown as it is (an older renderer's
/// HTML), and Markdown that was never rendered as its plain text, until the author Worker stores
/// fresh renders; pages showing either are not cached meanwhile.
pub fn current_html<'a>(stored: &'a str, stale_markdown: Option<&str>) -> Cow<'a, str> {
    match stale_markdown {
        Some(markdown) if stored.is_empty() => comment_text::to_html(markdown).into(),
        _ => stored.into(),
    }
}

/// A comment's HTML: the stored one, or a fresh render of text whose stored HTML is stale.
pub fn current_comment_html<'a>(stored: &'a str, stale_text: Option<&str>) -> Cow<'a, str> {
    match stale_text {
        Some(text) => comment_text::to_html(text).into(),
        None => stored.into(),
    }
}

/// The lead to cut excerpts from: the stored one, or (like [`current_html`]) the plain text of
/// Markdown that was never rendered.
pub fn current_lead<'a>(stored: &'a str, stale_markdown: Option<&str>) -> Cow<'a, str> {
    match stale_markdown {
        Some(markdown) if stored.is_empty() => markdown
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .into(),
        _ => stored.into(),
    }
}

fn borrowed<'a>(rows: &'a [(i64, &'a str, String)]) -> Vec<(i64, &'a str, &'a str)> {
    rows.iter()
        .map(|(id, source, html)| (*id, *source, html.as_str()))
        .collect()
}
