//! Stored renders: the author's Markdown is rendered when it is saved, and a comment's text when
//! it is stored, so a reader's request renders neither. Rows whose stored HTML is not from the
//! current renderers (see `blog_core::model::renderer`) — written by plain SQL like the demo
//! seed, or by an older build — are rendered again here: a batch at a time by the cron job, all
//! at once on `POST /admin/renders`.

use blog_core::{comment_text, media};

use crate::edge::error::AppResult;
use crate::edge::App;
use crate::store::{PostRender, Store};

/// How many posts (and as many addenda and comments) one batch renders at most.
const BATCH: u32 = 20;

/// Renders and stores up to a batch of stale posts, addenda and comments; returns how many.
async fn refresh_batch(store: &Store) -> AppResult<usize> {
    let stale = store.stale_renders(BATCH).await?;
    let hashes: Vec<String> = stale
        .posts
        .iter()
        .chain(&stale.addenda)
        .flat_map(|p| media::referenced_hashes(&p.body))
        .collect();
    let sizes = store.image_sizes(&hashes).await?;
    let posts: Vec<_> = stale
        .posts
        .iter()
        .map(|p| {
            (
                p.id,
                p.body.as_str(),
                blog_markdown::render(&p.body, &sizes),
            )
        })
        .collect();
    let addenda: Vec<_> = stale
        .addenda
        .iter()
        .map(|a| {
            (
                a.id,
                a.body.as_str(),
                blog_markdown::render(&a.body, &sizes).html,
            )
        })
        .collect();
    let comments: Vec<_> = stale
        .comments
        .iter()
        .map(|c| (c.id, c.body.as_str(), comment_text::to_html(&c.body)))
        .collect();
    let posts_borrowed: Vec<_> = posts
        .iter()
        .map(|(id, markdown, r)| PostRender {
            id: *id,
            markdown,
            html: &r.html,
            lead: &r.lead,
            image: r.image.as_deref(),
        })
        .collect();
    store
        .save_renders(&posts_borrowed, &borrowed(&addenda), &borrowed(&comments))
        .await?;
    Ok(posts.len() + addenda.len() + comments.len())
}

fn borrowed<'a>(rows: &'a [(i64, &'a str, String)]) -> Vec<(i64, &'a str, &'a str)> {
    rows.iter()
        .map(|(id, source, html)| (*id, *source, html.as_str()))
        .collect()
}

/// Stores fresh renders of stale rows, a batch at a time, for at most `max_rounds` batches (the
/// cron job spreads a renderer upgrade over a large archive across several runs); returns how
/// many rows were rendered, and whether the last batch still found some.
pub async fn refresh_all(app: &App, max_rounds: usize) -> AppResult<(usize, bool)> {
    let store = app.store()?;
    let mut total = 0;
    for _ in 0..max_rounds {
        let n = refresh_batch(&store).await?;
        total += n;
        if n == 0 {
            return Ok((total, false));
        }
    }
    Ok((total, true))
}
