//! The author Worker's cron job. Scheduled publishing: a post with a future `published_at` is
//! invisible until its time; the job then drops the cached pages that must now show it. And
//! fresh renders of stale rows (see `rendering`).

use crate::cache;
use crate::error::AppResult;
use crate::http::{self, App};
use crate::routes::Page;
use crate::runtime;
use crate::store::Placement;

const CHECKED_AT: &str = "scheduler_checked_at";

/// Purges the pages of posts whose time came since the last run; returns how many there were.
pub async fn publish_due(app: &App) -> AppResult<usize> {
    let store = app.store()?;
    let now = runtime::now();
    // The first run looks back a day rather than over the whole archive.
    let since = store
        .setting(CHECKED_AT)
        .await?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(now - 24 * 3600);
    let due = store.newly_visible(since, now).await?;
    if let Some((newest, _)) = due.first() {
        // The newest of them stands highest on the listing: every page from there on shifted.
        let after = store.placement(Some(*newest), now).await?;
        let before = Placement {
            rank: None,
            total: after.total.saturating_sub(due.len() as u32),
        };
        let mut pages = cache::listing_pages(before, after);
        pages.extend(
            due.iter()
                .map(|(_, slug)| Page::Post { slug: slug.clone() }),
        );
        pages.extend(cache::site_pages());
        let mut tags = Vec::new();
        for (id, _) in &due {
            tags.extend(store.tag_slugs(*id).await?);
        }
        tags.sort();
        tags.dedup();
        if !tags.is_empty() {
            pages.extend(cache::tag_pages(&store.tag_totals(&tags, now).await?));
        }
        http::purge(app, &pages).await;
    }
    store.set_setting(CHECKED_AT, &now.to_string()).await?;
    Ok(due.len())
}

/// Stores fresh renders of stale rows, a batch at a time, for at most `max_rounds` batches (the
/// cron job spreads a renderer upgrade over a large archive across several runs); returns how
/// many rows were rendered, and whether the last batch still found some.
pub async fn refresh_renders(app: &App, max_rounds: usize) -> AppResult<(usize, bool)> {
    let store = app.store()?;
    let mut total = 0;
    for _ in 0..max_rounds {
        let n = crate::rendering::refresh(&store).await?;
        total += n;
        if n == 0 {
            return Ok((total, false));
        }
    }
    Ok((total, true))
}
