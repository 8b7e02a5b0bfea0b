//! Revisions: every change to a post or page keeps the version it replaces — through the API,
//! `blogctl`, the browser editor, an import or an addendum — and any version can be compared
//! with another or restored (a restore is itself a change, so it can be undone).
//!
//! Keeping them is [`super::history`]'s job; this module reads them back and restores them.

use blog_core::api;
use blog_core::dates::rfc3339_utc as utc;
use blog_core::revisions;
use serde_json::{json, Value};
use worker::{Request, Response};

use super::history::{after, before};
use super::posts;
use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, App};
use crate::store::Store;

/// The most revisions a list shows.
const LISTED: u32 = 200;

/// `GET /admin/posts/{slug}/revisions`.
pub async fn list(store: &Store, slug: &str) -> AppResult<Response> {
    let post = posts::find(store, slug).await?;
    let revisions = store
        .revisions(post.id, LISTED)
        .await?
        .into_iter()
        .map(|r| api::RevisionSummary {
            id: r.id,
            at: utc(r.created_at),
            changed: r.changed(),
        })
        .collect();
    http::json_response(200, &api::RevisionList { revisions })
}

/// `GET /admin/posts/{slug}/revisions/{id}`.
pub async fn get(store: &Store, slug: &str, id: i64) -> AppResult<Response> {
    let post = posts::find(store, slug).await?;
    let row = store
        .revision(post.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    http::json_response(
        200,
        &api::Revision {
            id: row.id,
            at: utc(row.created_at),
            changed: row.changed(),
            version: row.version()?,
        },
    )
}

/// The diff from revision `from` to revision `to`, or to the entry now (`None`).
pub async fn diff_of(
    store: &Store,
    post_id: i64,
    from: i64,
    to: Option<i64>,
) -> AppResult<Vec<revisions::Section>> {
    let old = store
        .revision(post_id, from)
        .await?
        .ok_or(AppError::NotFound)?
        .version()?;
    let new = match to {
        Some(to) => store
            .revision(post_id, to)
            .await?
            .ok_or(AppError::NotFound)?
            .version()?,
        None => {
            store
                .version_now(post_id)
                .await?
                .ok_or(AppError::NotFound)?
                .0
        }
    };
    Ok(revisions::diff(&old, &new))
}

/// `GET /admin/posts/{slug}/revisions/{id}/diff?to={id|current}`.
pub async fn diff(store: &Store, req: &Request, slug: &str, id: i64) -> AppResult<Response> {
    let post = posts::find(store, slug).await?;
    let query = http::query_string(req);
    let to =
        match form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "to") {
            None => None,
            Some((_, v)) if v == "current" => None,
            Some((_, v)) => Some(v.parse::<i64>().map_err(|_| {
                AppError::BadRequest("to must be a revision's id or current.".into())
            })?),
        };
    let sections = diff_of(store, post.id, id, to).await?;
    http::json_response(
        200,
        &api::RevisionDiff {
            from: id,
            to,
            sections,
        },
    )
}

/// Brings revision `id` back: the entry's fields through the admin API's own rules (so its
/// address, pages and feeds follow), then its addenda. The version replaced is kept like any
/// other, so a restore can be undone. The entry as it now is.
pub async fn restore(app: &App, store: &Store, slug: &str, id: i64) -> AppResult<Response> {
    let post = posts::find(store, slug).await?;
    let row = store
        .revision(post.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version = row.version()?;
    let mut fields = json!({
        "title": version.title,
        "body": version.body,
        "slug": version.slug,
        "status": version.status,
        "published_at": version.published_at.map(utc),
        "image": version.image,
        "comments_open": version.comments_open,
    });
    if version.kind == "page" {
        fields["parent"] = json!(version.parent);
        fields["menu_order"] = json!(version.menu_order);
        fields["in_menu"] = json!(version.in_menu);
    } else {
        fields["tags"] = json!(version.tags);
        fields["newsletter"] = json!(version.newsletter);
    }
    let before = before(store, post.id).await?;
    let mut addenda = Vec::with_capacity(version.addenda.len());
    for a in &version.addenda {
        let html = posts::render(store, &a.body).await?.html;
        addenda.push((a.id, a.at, a.body.clone(), html));
    }
    // The fields first (this keeps no revision of its own: the one below covers the restore).
    let post_id = post.id;
    posts::update_without_revision(app, store, post, &fields).await?;
    store.replace_addenda(post_id, &addenda).await?;
    let mut changed = after(store, before).await?;
    if changed.is_empty() {
        changed.push("nothing");
    }
    posts::purge_entry(app, store, &version.slug).await?;
    let answer: Value = json!({
        "restored": id,
        "slug": version.slug,
        "changed": changed,
    });
    http::json_response(200, &answer)
}
