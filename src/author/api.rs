//! The admin API's door: JSON endpoints under `/admin/` for the author and `blogctl`. Every
//! request needs `Authorization: Bearer <ADMIN_TOKEN>`, checked first, for every path; then the
//! path and method pick a handler in [`super::posts`] or [`super::comments`].

use blog_core::routes::positive_id;
use blog_core::token::secrets_match;
use serde_json::{json, Value};
use worker::{Method, Request, Response};

use super::federation::admin as federation;
use super::newsletter::admin as newsletter;
use super::{
    backups, comments, media, outbox, posts, redirects, renders, restore, revisions, settings,
    trash,
};
use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, App};

/// The largest JSON body the admin API reads.
const MAX_JSON_BYTES: usize = 1024 * 1024;

/// Handles a request under `/admin`: authentication first, for every path.
pub async fn handle(req: &mut Request, app: &App, path: &str) -> AppResult<Response> {
    authenticate(req, app)?;
    let rest = path.trim_start_matches("/admin").trim_start_matches('/');
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let method = req.method();
    let store = app.store()?;
    match (segments.as_slice(), method) {
        (["posts"], Method::Get) => posts::list(app, &store, req).await,
        (["posts"], Method::Post) => posts::create(app, &store, &read_json(req).await?).await,
        (["posts"], _) => Err(AppError::MethodNotAllowed("GET, POST")),
        (["posts", slug], Method::Get) => posts::get(app, &store, slug).await,
        (["posts", slug], Method::Patch) => {
            posts::update(app, &store, slug, &read_json(req).await?).await
        }
        (["posts", slug], Method::Delete) => posts::delete(app, &store, slug).await,
        (["posts", _], _) => Err(AppError::MethodNotAllowed("GET, PATCH, DELETE")),
        (["posts", slug, "addenda"], Method::Post) => {
            posts::add_addendum(app, &store, slug, &read_json(req).await?).await
        }
        (["posts", slug, "comments"], Method::Post) => {
            comments::add_author_comment(app, &store, slug, &read_json(req).await?).await
        }
        (["posts", _, "addenda" | "comments"], _) => Err(AppError::MethodNotAllowed("POST")),
        (["posts", slug, "addenda", id], Method::Patch) => {
            let id = record_id(id)?;
            posts::update_addendum(app, &store, slug, id, &read_json(req).await?).await
        }
        (["posts", slug, "addenda", id], Method::Delete) => {
            posts::delete_addendum(app, &store, slug, record_id(id)?).await
        }
        (["posts", _, "addenda", _], _) => Err(AppError::MethodNotAllowed("PATCH, DELETE")),
        (["posts", slug, "revisions"], Method::Get) => revisions::list(&store, slug).await,
        (["posts", slug, "revisions", id], Method::Get) => {
            revisions::get(&store, slug, record_id(id)?).await
        }
        (["posts", slug, "revisions", id, "diff"], Method::Get) => {
            revisions::diff(&store, req, slug, record_id(id)?).await
        }
        (["posts", slug, "revisions", id, "restore"], Method::Post) => {
            revisions::restore(app, &store, slug, record_id(id)?).await
        }
        (["posts", _, "revisions", ..], Method::Get | Method::Post) => Err(AppError::NotFound),
        (["posts", _, "revisions", ..], _) => Err(AppError::MethodNotAllowed("GET, POST")),
        (["comments"], Method::Get) => comments::list(&store, req).await,
        (["comments"], _) => Err(AppError::MethodNotAllowed("GET")),
        (["comments", id], Method::Patch) => {
            comments::moderate(app, &store, record_id(id)?, &read_json(req).await?).await
        }
        (["comments", id], Method::Delete) => comments::delete(app, &store, record_id(id)?).await,
        (["comments", _], _) => Err(AppError::MethodNotAllowed("PATCH, DELETE")),
        (["import"], Method::Post) => comments::import(app, &store, &read_json(req).await?).await,
        (["import"], _) => Err(AppError::MethodNotAllowed("POST")),
        (["restore"], Method::Post) => restore::entry(app, &store, &read_json(req).await?).await,
        (["restore"], _) => Err(AppError::MethodNotAllowed("POST")),
        (["export"], Method::Get) => backups::export(app).await,
        (["export"], _) => Err(AppError::MethodNotAllowed("GET")),
        (["backups"], Method::Get) => backups::list(app).await,
        (["backups"], Method::Post) => backups::create(app).await,
        (["backups"], _) => Err(AppError::MethodNotAllowed("GET, POST")),
        (["backups", name], Method::Get) => backups::get(app, name).await,
        (["backups", _], _) => Err(AppError::MethodNotAllowed("GET")),
        (["trash"], Method::Get) => trash::list(&store, req).await,
        (["trash"], Method::Delete) => trash::empty(&store).await,
        (["trash"], _) => Err(AppError::MethodNotAllowed("GET, DELETE")),
        (["trash", id], Method::Delete) => trash::delete(&store, record_id(id)?).await,
        (["trash", _], _) => Err(AppError::MethodNotAllowed("DELETE")),
        (["trash", id, "restore"], Method::Post) => {
            trash::restore_response(app, &store, record_id(id)?).await
        }
        (["trash", _, "restore"], _) => Err(AppError::MethodNotAllowed("POST")),
        (["media"], Method::Post) => media::upload(app, &store, req).await,
        (["media"], Method::Get) => media::list(&store, req).await,
        (["media"], _) => Err(AppError::MethodNotAllowed("GET, POST")),
        (["media", id], Method::Delete) => media::delete(app, &store, req, record_id(id)?).await,
        (["media", _], _) => Err(AppError::MethodNotAllowed("DELETE")),
        (["redirects"], Method::Get) => redirects::list(&store, req).await,
        (["redirects"], Method::Post) => redirects::add(&store, &read_json(req).await?).await,
        (["redirects"], Method::Delete) => redirects::delete(&store, req).await,
        (["redirects"], _) => Err(AppError::MethodNotAllowed("GET, POST, DELETE")),
        (["outbox"], Method::Get) => outbox::list(&store, req).await,
        (["outbox"], _) => Err(AppError::MethodNotAllowed("GET")),
        (["forget"], Method::Post) => outbox::forget(app, &store, &read_json(req).await?).await,
        (["forget"], _) => Err(AppError::MethodNotAllowed("POST")),
        (["subscribers"], Method::Get) => newsletter::list(&store, req).await,
        (["subscribers"], Method::Post) => {
            newsletter::add(app, &store, &read_json(req).await?).await
        }
        (["subscribers"], Method::Delete) => newsletter::remove(&store, req).await,
        (["subscribers"], _) => Err(AppError::MethodNotAllowed("GET, POST, DELETE")),
        (["subscribers", "import"], Method::Post) => newsletter::import(app, &store, req).await,
        (["subscribers", "export"], Method::Get) => newsletter::export(&store).await,
        (["subscribers", "import"], _) => Err(AppError::MethodNotAllowed("POST")),
        (["subscribers", "export"], _) => Err(AppError::MethodNotAllowed("GET")),
        (["newsletter"], Method::Get) => newsletter::issues(&store, req).await,
        (["newsletter"], _) => Err(AppError::MethodNotAllowed("GET")),
        (["newsletter", "test"], Method::Post) => {
            newsletter::test_mail(app, &store, &read_json(req).await?).await
        }
        (["newsletter", "test"], _) => Err(AppError::MethodNotAllowed("POST")),
        (["followers"], Method::Get) => federation::followers(app, &store, req).await,
        (["followers"], Method::Post) => {
            federation::restore_followers(&store, &read_json(req).await?).await
        }
        (["followers"], _) => Err(AppError::MethodNotAllowed("GET, POST")),
        (["fediverse"], Method::Get) => federation::deliveries(&store, req).await,
        (["fediverse"], _) => Err(AppError::MethodNotAllowed("GET")),
        (["not-found"], Method::Get) => redirects::not_found(&store, req).await,
        (["not-found"], _) => Err(AppError::MethodNotAllowed("GET")),
        (["settings"], Method::Get) => settings::get(&store).await,
        (["settings"], Method::Patch) => {
            settings::update(app, &store, &read_json(req).await?).await
        }
        (["settings"], _) => Err(AppError::MethodNotAllowed("GET, PATCH")),
        (["renders"], Method::Post) => refresh_renders(app).await,
        (["renders"], _) => Err(AppError::MethodNotAllowed("POST")),
        _ => Err(AppError::NotFound),
    }
}

/// Compares the bearer token with `ADMIN_TOKEN` in constant time.
fn authenticate(req: &Request, app: &App) -> AppResult<()> {
    let Some(expected) = app.admin_token().filter(|t| !t.is_empty()) else {
        return Err(AppError::Unauthorized(
            "The admin API is disabled: set the ADMIN_TOKEN secret (wrangler secret put ADMIN_TOKEN).".into(),
        ));
    };
    let header = req
        .headers()
        .get("Authorization")
        .ok()
        .flatten()
        .unwrap_or_default();
    let (scheme, token) = header.trim().split_once(' ').unwrap_or(("", ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AppError::Unauthorized(
            "Send the admin token as: Authorization: Bearer <token>.".into(),
        ));
    }
    if !secrets_match(token.trim(), &expected) {
        return Err(AppError::Unauthorized("The admin token is wrong.".into()));
    }
    Ok(())
}

async fn read_json(req: &mut Request) -> AppResult<Value> {
    let bytes = http::read_body(
        req,
        "application/json",
        MAX_JSON_BYTES,
        "Send the body as JSON with Content-Type: application/json.",
    )
    .await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| AppError::BadRequest(format!("The body is not valid JSON: {e}.")))
}

/// A record's id in an admin path; anything else names nothing.
pub(super) fn record_id(text: &str) -> AppResult<i64> {
    positive_id(text).ok_or(AppError::NotFound)
}

/// `POST /admin/renders`: stores fresh renders of every stale post, addendum and comment now
/// (the cron job does it a batch at a time), e.g. after loading rows with plain SQL.
async fn refresh_renders(app: &App) -> AppResult<Response> {
    // Bounded, so that one request's work is too: `remaining` says to ask again.
    let (rendered, remaining) = renders::refresh_all(app, 200).await?;
    http::json_response(
        200,
        &json!({ "rendered": rendered, "remaining": remaining }),
    )
}
