//! `POST /admin/restore`: one entry of an export (`blogctl import DIR`) brought back whole —
//! its fields, the time it was last changed and its addenda with the ids they had, so that its
//! page, its feeds and its `#addendum-N` links are what they were. Its comments follow through
//! `POST /admin/import`, which keeps their ids the same way.
//!
//! An entry whose slug is taken is never overwritten: when it is the same entry (the same
//! version, addenda ids aside) the answer says it is there already; otherwise it is a conflict,
//! with what differs and which copy is newer.

use blog_core::dates::rfc3339_utc as utc;
use blog_core::model::PostStatus;
use blog_core::revisions::{self, AddendumVersion, Version};
use blog_core::validation::{self, RestoredEntry};
use serde_json::{json, Value};
use worker::Response;

use super::posts;
use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, App};
use crate::store::Store;

/// `POST /admin/restore` ([`validation::restored_entry`]): 201 when restored, 200 when the same
/// entry is there, 409 when another version of it is.
pub async fn entry(app: &App, store: &Store, body: &Value) -> AppResult<Response> {
    let restored = validation::restored_entry(body).map_err(AppError::invalid)?;
    if let Some(existing) = store.post_record(&restored.slug).await? {
        return same_or_conflict(store, existing.id, existing.updated_at, &restored).await;
    }
    let RestoredEntry {
        mut fields,
        slug: _,
        updated_at,
        addenda,
    } = restored;
    let is_page = fields.is_page == Some(true);
    let newsletter = fields.newsletter.unwrap_or(!is_page);
    fields.newsletter = Some(false);
    let (id, slug) = posts::create_entry(app, store, fields, Some(updated_at)).await?;
    for addendum in &addenda {
        let html = posts::render(store, &addendum.body).await?.html;
        store
            .restore_addendum(id, addendum.id, &addendum.body, &html, addendum.at)
            .await?;
    }
    store.finish_restore(id, updated_at, newsletter).await?;
    if !addenda.is_empty() {
        posts::purge_entry(app, store, &slug).await?;
    }
    http::json_response(201, &json!({"outcome": "created", "slug": slug}))
}

/// The answer for an entry whose slug is taken: the same entry, or a conflict saying what
/// differs and which is newer.
async fn same_or_conflict(
    store: &Store,
    id: i64,
    updated_at: i64,
    restored: &RestoredEntry,
) -> AppResult<Response> {
    let Some((here, _)) = store.version_now(id).await? else {
        return Err(AppError::NotFound);
    };
    let differs = revisions::changes(
        &comparable(here.clone()),
        &comparable(wanted(here, restored)),
    );
    if differs.is_empty() {
        return http::json_response(200, &json!({"outcome": "present", "slug": restored.slug}));
    }
    let newer = if updated_at > restored.updated_at {
        "this blog's copy is newer"
    } else {
        "the export's copy is newer"
    };
    Err(AppError::Conflict(format!(
        "\"{}\" is here already and differs in {} ({newer}: changed here {}, in the export {}); left as it is",
        restored.slug,
        differs.join(", "),
        utc(updated_at),
        utc(restored.updated_at),
    )))
}

/// A version as a restore compares it: an addendum's id may differ (its old one was taken), and
/// blank lines around a text are not the text.
fn comparable(mut version: Version) -> Version {
    version.body = version.body.trim().to_string();
    for addendum in &mut version.addenda {
        addendum.id = 0;
        addendum.body = addendum.body.trim().to_string();
    }
    version
}

/// The version a restore asks for: the entry here with what the export names.
fn wanted(here: Version, restored: &RestoredEntry) -> Version {
    let f = &restored.fields;
    let status = f.status.unwrap_or(PostStatus::Published);
    Version {
        title: f.title.clone().unwrap_or(here.title),
        body: f.body.clone().unwrap_or(here.body),
        slug: restored.slug.clone(),
        status: status.as_str().to_string(),
        published_at: f.published_at.unwrap_or(here.published_at),
        kind: here.kind,
        image: f.image.clone().unwrap_or(here.image),
        parent: f.parent.clone().unwrap_or(here.parent),
        menu_order: f.menu_order.unwrap_or(here.menu_order),
        in_menu: f.in_menu.unwrap_or(here.in_menu),
        newsletter: f.newsletter.unwrap_or(here.newsletter),
        comments_open: f.comments_open.unwrap_or(here.comments_open),
        tags: f.tags.clone().unwrap_or(here.tags),
        addenda: restored
            .addenda
            .iter()
            .map(|a| AddendumVersion {
                id: a.id,
                at: a.at,
                body: a.body.clone(),
            })
            .collect(),
    }
}
