//! The reader Worker: every page ([`pages`]), the comment form ([`comments`]), search
//! ([`search`]) and media files ([`media`]), with their views ([`views`]). Requests under `/admin/` are passed to the author
//! Worker through the `AUTHOR` service binding, so that a reader's cold start never loads the
//! Markdown renderer or the admin code.

mod akismet;
mod comments;
mod media;
mod pages;
mod redirects;
mod search;
mod subscribe;
pub mod views;

use blog_core::routes::{self, Page, Route};
use worker::{Context, Env, Method, Request, Response};

use crate::edge::error::{self, AppError, AppResult};
use crate::edge::{cache, http, runtime, App};

/// What the author Worker answers: the admin API and screens, the pages behind the links in the
/// blog's email (the newsletter's too), drafts' shareable previews (which need its keys, mail
/// code and renderer), and the fediverse's requests (WebFinger, NodeInfo, the actor, its inbox).
fn is_admin_path(path: &str) -> bool {
    path == "/admin"
        || path.starts_with("/admin/")
        || path.starts_with("/email/")
        || path.starts_with("/preview/")
        || path.starts_with("/newsletter/")
        || path.starts_with("/ap/")
        || path.starts_with("/.well-known/")
        || path == "/nodeinfo/2.1"
        || path.starts_with("/webmention")
}

/// A page asked for as ActivityPub JSON (a fediverse server looking a post up by its address):
/// the author Worker answers it as an `Article`.
fn wants_activity(req: &Request) -> bool {
    req.headers()
        .get("Accept")
        .ok()
        .flatten()
        .is_some_and(|a| a.contains("activity+json") || a.contains("ld+json"))
}

/// Entry point of the reader Worker.
pub async fn handle(mut req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let app = App::new(env, Some(ctx), Some(&req));
    let method = req.method();
    let path = req.path();
    // Only an error's log line names the request: a cache hit formats nothing.
    let context = |method: &Method| format!("{method} {path}");
    if is_admin_path(&path) || (wants_activity(&req) && method == Method::Get) {
        return match forward_to_author(req, &app).await {
            Ok(response) => Ok(response),
            Err(e) => error::json_error(&e, &context(&method)),
        };
    }
    let result = if path == "/subscribe" {
        subscribe::handle(req, &app).await
    } else {
        route(&mut req, &app, &path).await
    };
    let response = match result {
        Ok(response) => response,
        Err(e) => answer_error(&app, e, &method, &path).await?,
    };
    if method == Method::Head {
        http::strip_body(response)
    } else {
        Ok(response)
    }
}

/// The answer to a request that failed: for a reading request that found nothing, the redirect
/// if the path is an old address; else the error page.
async fn answer_error(
    app: &App,
    error: AppError,
    method: &Method,
    path: &str,
) -> worker::Result<Response> {
    if matches!(error, AppError::NotFound) && matches!(method, Method::Get | Method::Head) {
        match redirects::old_address(app, path).await {
            Ok(Some(moved)) => return Ok(moved),
            Ok(None) => {}
            Err(e) => worker::console_error!("looking up an old address failed: {e}"),
        }
    }
    let context = format!("{method} {path}");
    error::error_page(&app.blog_for_errors().await, &error, &context)
}

async fn route(req: &mut Request, app: &App, path: &str) -> AppResult<Response> {
    let route = routes::route_for(path).ok_or(AppError::NotFound)?;
    let method = req.method();
    let readable = matches!(method, Method::Get | Method::Head);
    match route {
        Route::Page(Page::Home { page: 1 }) if readable => {
            // Only a home page asked for with a query can be an old WordPress short link.
            let query = http::query_string(req);
            if !query.is_empty() {
                if let Some(moved) = redirects::short_link(app, &query).await? {
                    return Ok(moved);
                }
            }
            pages::serve(req, app, Page::Home { page: 1 }).await
        }
        Route::Page(page) if readable => pages::serve(req, app, page).await,
        Route::CommentLink { entry, id } if readable => {
            comments::comment_link(app, &entry, id).await
        }
        Route::Reply { entry, parent } if readable => {
            comments::reply_page(app, &entry, parent).await
        }
        Route::Held { entry, id, key } if readable => {
            comments::held_page(app, &entry, id, &key).await
        }
        Route::Comments { entry } if method == Method::Post => {
            comments::post_comment(req, app, &entry).await
        }
        Route::Search if readable => search::page(req, app).await,
        Route::Media { hash, name } if readable => media::serve(req, app, &hash, &name).await,
        Route::MediaVariant { hash, width, name } if readable => {
            media::serve_variant(req, app, &hash, width, &name).await
        }
        Route::Icon(icon) if readable => media::icon(app, icon).await,
        Route::Comments { .. } => Err(AppError::MethodNotAllowed("POST")),
        // Any path of slugs could be a page: only one that is there allows other methods.
        Route::Page(Page::Entry { path }) if !path.starts_with("/posts/") => {
            match app.store()?.commentable_post(&path, runtime::now()).await? {
                Some(_) => Err(AppError::MethodNotAllowed("GET, HEAD")),
                None => Err(AppError::NotFound),
            }
        }
        _ => Err(AppError::MethodNotAllowed("GET, HEAD")),
    }
}

/// Passes an admin request to the author Worker, then drops from this data centre's Cache API
/// the pages its answer names (the author Worker runs outside the blog's zone, where the Cache
/// API does nothing; KV it purged itself).
pub(crate) async fn forward_to_author(req: Request, app: &App) -> AppResult<Response> {
    let author = app.service("AUTHOR").ok_or_else(|| {
        AppError::Internal(
            "The admin API runs in the author Worker: bind it as AUTHOR (see wrangler.toml)."
                .into(),
        )
    })?;
    let response = author
        .fetch_request(req)
        .await
        .map_err(|e| AppError::Unavailable(format!("the author Worker did not answer: {e}")))?;
    let Some(purged) = response.headers().get(cache::PURGE_HEADER)? else {
        return Ok(response);
    };
    app.edge_purge_paths(cache::paths_from_purge_header(&purged).into_iter())
        .await;
    let headers = response.headers().clone();
    headers.delete(cache::PURGE_HEADER)?;
    Ok(response.with_headers(headers))
}
