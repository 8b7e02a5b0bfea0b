//! The list of posts and pages, page by page.

use super::*;

/// A post or page in the list.
pub(super) struct EntryRow {
    slug: String,
    title: String,
    kind: &'static str,
    status: &'static str,
    date: Option<When>,
    path: String,
    visible: bool,
}

#[derive(Template)]
#[template(path = "admin/entries.html")]
pub(super) struct EntriesPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    /// The kind shown (`""` for both), for the filter's links.
    kind: &'static str,
    entries: Vec<EntryRow>,
    pager: Pager,
}

pub(super) async fn entries(
    app: &App,
    store: &Store,
    session: &Session,
    kind: Option<EntryKind>,
    page: u32,
    done: Option<String>,
) -> AppResult<Response> {
    let now = runtime::now();
    let clock = Clock::of(app).await?;
    let (rows, total) = store
        .entries(kind, ROWS_PER_PAGE, Pager::offset(page))
        .await?;
    let kind = match kind {
        None => "",
        Some(EntryKind::Post) => "post",
        Some(EntryKind::Page) => "page",
    };
    let base = match kind {
        "" => "/admin/entries".to_string(),
        kind => format!("/admin/entries?type={kind}"),
    };
    let pager = Pager::new(&base, page, rows.len(), Some(total), false);
    let entries = rows
        .into_iter()
        .map(|p| EntryRow {
            status: match (p.status, p.is_scheduled(now)) {
                (PostStatus::Draft, _) => "draft",
                (_, true) => "scheduled",
                _ => "published",
            },
            kind: if p.is_page { "page" } else { "post" },
            date: p.published_at.map(|t| clock.when(t)),
            visible: p.is_visible(now),
            slug: p.slug,
            title: p.title,
            path: p.path,
        })
        .collect();
    let page = EntriesPage {
        section: "entries",
        csrf: &session.csrf,
        notice: done,
        kind,
        entries,
        pager,
    };
    screen(app, "Posts and pages", &page, 200).await
}
