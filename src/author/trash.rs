//! The trash: `DELETE /admin/posts/{slug}` moves an entry here ([`super::posts::delete`]), and
//! for [`TRASH_SECONDS`] it can come back whole — the same id, text, addenda, comments, tags and
//! revisions — at its old address. Then the cron job deletes it for good with its revisions; the
//! author can do so sooner, one entry or the whole trash.
//!
//! `GET /admin/trash`, `POST /admin/trash/{id}/restore`, `DELETE /admin/trash/{id}`,
//! `DELETE /admin/trash` (empties it).

use blog_core::api::{self, EntryKind};
use blog_core::dates::rfc3339_utc as utc;
use blog_core::model::PostRecord;
use blog_core::revisions::TRASH_SECONDS;
use blog_core::routes;
use serde_json::json;
use worker::{Request, Response};

use super::posts;
use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime, App};
use crate::store::{Store, TrashedEntry};

fn trashed_json(t: TrashedEntry) -> api::Trashed {
    api::Trashed {
        id: t.id,
        kind: if t.is_page {
            EntryKind::Page
        } else {
            EntryKind::Post
        },
        title: t.title,
        slug: t.slug,
        status: t.status,
        deleted_at: utc(t.deleted_at),
        purge_at: utc(t.deleted_at + TRASH_SECONDS),
    }
}

/// A page of the trash, the latest deleted first.
pub async fn entries(store: &Store, paging: http::Paging) -> AppResult<api::TrashList> {
    let (rows, total) = store.trash(paging.limit, paging.offset).await?;
    Ok(api::TrashList {
        total,
        trash: rows.into_iter().map(trashed_json).collect(),
    })
}

/// `GET /admin/trash?limit=…&offset=…`.
pub async fn list(store: &Store, req: &Request) -> AppResult<Response> {
    let mut paging = http::Paging::default();
    for (key, value) in form_urlencoded::parse(http::query_string(req).as_bytes()) {
        paging.read(&key, &value)?;
    }
    http::json_response(200, &entries(store, paging).await?)
}

/// Brings an entry back from the trash to its old address; the entry as it is back. A conflict
/// when another entry has taken its slug or address since.
pub async fn restore(app: &App, store: &Store, id: i64) -> AppResult<PostRecord> {
    let trashed = store.trashed(id).await?.ok_or(AppError::NotFound)?;
    if trashed.parent_trashed {
        return Err(AppError::Conflict(format!(
            "\"{}\" is a child of a page that is in the trash too: restore that page first.",
            trashed.title
        )));
    }
    // A page goes back under its parent where the parent is now; a post to /posts/{slug}.
    let path = match trashed.is_page {
        true => routes::page_path(trashed.parent_path.as_deref(), &trashed.slug),
        false => routes::post_path(&trashed.slug),
    };
    let taken =
        store.post_record(&trashed.slug).await?.is_some() || store.path_taken(&path).await?;
    if taken {
        return Err(AppError::Conflict(format!(
            "Another entry has the slug \"{}\" or the address {path} now: give it another slug first, then restore this one.",
            trashed.slug
        )));
    }
    let now = runtime::now();
    let before = store.placement(None, now).await?;
    if !store.untrash(id, &path).await? {
        return Err(AppError::NotFound);
    }
    let post = posts::find(store, &trashed.slug).await?;
    let after = store.placement(Some(post.id), now).await?;
    posts::purge_placed(app, store, &post, (before, after), now).await?;
    Ok(post)
}

/// `POST /admin/trash/{id}/restore`.
pub async fn restore_response(app: &App, store: &Store, id: i64) -> AppResult<Response> {
    let post = restore(app, store, id).await?;
    http::json_response(200, &json!({"slug": post.slug, "url": post.path}))
}

/// Deletes one trashed entry for good (`Some(id)`), or the whole trash; how many.
pub async fn purge(store: &Store, only: Option<i64>) -> AppResult<usize> {
    let mut purged = 0;
    loop {
        // Everything deleted up to now (purge_trash takes a hundred at a time).
        let n = store.purge_trash(runtime::now() + 1, only).await?;
        purged += n;
        if n == 0 || only.is_some() {
            return Ok(purged);
        }
    }
}

/// `DELETE /admin/trash/{id}`.
pub async fn delete(store: &Store, id: i64) -> AppResult<Response> {
    match purge(store, Some(id)).await? {
        0 => Err(AppError::NotFound),
        _ => http::no_content(),
    }
}

/// `DELETE /admin/trash`: empties it.
pub async fn empty(store: &Store) -> AppResult<Response> {
    let purged = purge(store, None).await?;
    http::json_response(200, &json!({"purged": purged}))
}

/// The cron job's part: deletes for good what has been in the trash for [`TRASH_SECONDS`].
pub async fn purge_expired(app: &App) -> AppResult<usize> {
    let store = app.store()?;
    Ok(store
        .purge_trash(runtime::now() - TRASH_SECONDS, None)
        .await?)
}
