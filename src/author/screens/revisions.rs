//! An entry's revisions in the browser: the list beside the editor, one revision compared with
//! the entry now (the diff rendered here, on the server), and restoring it.

use blog_core::revisions::{Line, Section};

use super::*;
use crate::author::revisions;

/// A revision as the editor lists it.
pub(super) struct RevisionRow {
    pub(super) id: i64,
    pub(super) when: When,
    pub(super) changed: String,
}

/// The editor's list: the newest revisions of an entry.
pub(super) async fn recent(
    store: &Store,
    clock: &Clock,
    post_id: i64,
) -> AppResult<Vec<RevisionRow>> {
    Ok(store
        .revisions(post_id, 30)
        .await?
        .into_iter()
        .map(|r| RevisionRow {
            id: r.id,
            when: clock.when(r.created_at),
            changed: r.changed().join(", "),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "admin/revision.html")]
pub(super) struct RevisionPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    title: String,
    slug: String,
    id: i64,
    when: When,
    changed: String,
    sections: Vec<Section>,
}

impl RevisionPage<'_> {
    /// (class, sign, words for screen readers, text) of a diff line.
    fn line<'l>(&self, line: &'l Line) -> (&'static str, &'static str, &'static str, &'l str) {
        match line {
            Line::Same(text) => ("same", " ", "", text),
            Line::Removed(text) => ("removed", "−", "Then: ", text),
            Line::Added(text) => ("added", "+", "Now: ", text),
            Line::Gap => ("gap", "…", "", ""),
        }
    }
}

/// `/admin/entries/{slug}/revisions/{id}`: what the version was, against the entry now.
pub(super) async fn revision_page(
    app: &App,
    store: &Store,
    session: &Session,
    slug: &str,
    id: i64,
) -> AppResult<Response> {
    let post = posts::find(store, slug).await?;
    let row = store
        .revision(post.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let clock = Clock::of(app).await?;
    let sections = revisions::diff_of(store, post.id, id, None).await?;
    let title = format!("A version of “{}”", post.title);
    let page = RevisionPage {
        section: "entries",
        csrf: &session.csrf,
        notice: None,
        title: title.clone(),
        slug: post.slug,
        id,
        when: clock.when(row.created_at),
        changed: row.changed().join(", "),
        sections,
    };
    screen(app, &title, &page, 200).await
}

/// The revision screen's Restore button.
pub(super) async fn restore(app: &App, store: &Store, slug: &str, id: i64) -> AppResult<Response> {
    let mut answer = revisions::restore(app, store, slug, id).await?;
    let restored: Value = answer
        .json()
        .await
        .map_err(|e| AppError::Internal(format!("the restore's answer did not read: {e}")))?;
    let slug = restored["slug"].as_str().unwrap_or(slug).to_string();
    let notice =
        "Restored. The version it replaced is kept among the revisions, so this can be undone.";
    let encoded: String = form_urlencoded::byte_serialize(notice.as_bytes()).collect();
    http::see_other(&format!("/admin/entries/{slug}?done={encoded}"))
}
