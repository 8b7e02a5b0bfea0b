//! Old addresses (WordPress's, or the author's own): asked only when a request would otherwise be
//! a 404, or when the home page is asked for with a WordPress short link (`/?p=1164`), so pages
//! that exist never pay for them. Paths that lead nowhere are counted for `blogctl not-found`.

use blog_core::redirects::{self, MAX_PATH_CHARS};
use worker::Response;

use crate::edge::error::AppResult;
use crate::edge::{runtime, App};

/// An hour: an old address's target may still be corrected by the author.
const MOVED_CACHE_CONTROL: &str = "public, max-age=3600";

/// A `301` to where an old address now lives.
fn moved(to: &str) -> AppResult<Response> {
    let response = Response::empty()?.with_status(301);
    response.headers().set("Location", to)?;
    response
        .headers()
        .set("Cache-Control", MOVED_CACHE_CONTROL)?;
    Ok(response)
}

/// For a path with nothing at it: the redirect, if it is an old address; else `None`, and the
/// path is counted (after the response) as not found.
pub async fn old_address(app: &App, path: &str) -> AppResult<Option<Response>> {
    let store = app.store()?;
    let key = redirects::lookup_key(path);
    if let Some(to) = store.redirect(&key).await? {
        return moved(&to).map(Some);
    }
    if key.chars().count() <= MAX_PATH_CHARS {
        let now = runtime::now();
        app.after_response(async move {
            if let Err(e) = store.count_not_found(&key, now).await {
                worker::console_error!("counting a not-found path failed: {e}");
            }
        })
        .await;
    }
    Ok(None)
}

/// For the home page asked for with a query: the redirect of a WordPress short link in it.
pub async fn short_link(app: &App, query: &str) -> AppResult<Option<Response>> {
    let Some(key) = redirects::short_link_key(query) else {
        return Ok(None);
    };
    match app.store()?.redirect(&key).await? {
        Some(to) => moved(&to).map(Some),
        None => Ok(None),
    }
}
