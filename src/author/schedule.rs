//! Scheduled publishing: a post with a future `published_at` is invisible until its time; the
//! cron job then drops the cached pages that must now show it.

use blog_core::invalidation;
use blog_core::model::Placement;

use crate::edge::error::AppResult;
use crate::edge::runtime;
use crate::edge::App;

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
    if due.iter().any(|entry| entry.is_page) {
        // A page can enter the site menu, which every page shows.
        app.purge_all().await;
    }
    let posts: Vec<_> = due.iter().filter(|entry| !entry.is_page).collect();
    if let Some(newest) = posts.first().map(|entry| entry.id) {
        // The newest of them stands highest on the listing: every page from there on shifted.
        let after = store.placement(Some(newest), now).await?;
        let before = Placement {
            rank: None,
            total: after.total.saturating_sub(posts.len() as u32),
        };
        let mut tags = Vec::new();
        for entry in &posts {
            tags.extend(store.tag_slugs(entry.id).await?);
        }
        let paths = posts.iter().map(|entry| entry.path.clone()).collect();
        let change = store
            .posts_change((before, after), paths, 0, &tags, now)
            .await?;
        app.purge(&invalidation::pages_to_drop(&change)).await;
    }
    store.set_setting(CHECKED_AT, &now.to_string()).await?;
    Ok(due.len())
}
