//! The trash in the browser: what was deleted in the last 30 days, each entry restorable or
//! deletable for good, and the whole trash emptied at once ([`crate::author::trash`] does it).

use super::*;
use crate::author::trash;

/// An entry in the trash, as the screen shows it.
pub(super) struct TrashRow {
    id: i64,
    title: String,
    kind: &'static str,
    status: &'static str,
    path: String,
    deleted: When,
    purge: When,
}

#[derive(Template)]
#[template(path = "admin/trash.html")]
struct TrashPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    total: u32,
    entries: Vec<TrashRow>,
    pager: Pager,
}

/// `GET /admin/trash`.
pub(super) async fn trash_page(
    app: &App,
    store: &Store,
    session: &Session,
    page: u32,
    notice: Option<String>,
) -> AppResult<Response> {
    let clock = Clock::of(app).await?;
    let paging = http::Paging {
        limit: ROWS_PER_PAGE,
        offset: Pager::offset(page),
    };
    let (rows, total) = store.trash(paging.limit, paging.offset).await?;
    let pager = Pager::new("/admin/trash", page, rows.len(), Some(total), false);
    let entries = rows
        .into_iter()
        .map(|t| TrashRow {
            id: t.id,
            kind: if t.is_page { "page" } else { "post" },
            status: if t.status == PostStatus::Published {
                "was published"
            } else {
                "was a draft"
            },
            deleted: clock.when(t.deleted_at),
            purge: clock.when(t.deleted_at + blog_core::revisions::TRASH_SECONDS),
            title: t.title,
            path: t.path,
        })
        .collect();
    let page = TrashPage {
        section: "entries",
        csrf: &session.csrf,
        notice,
        total,
        entries,
        pager,
    };
    screen(app, "Trash", &page, 200).await
}

/// The trash's forms: `restore` or `delete` one entry, or `empty` it all.
pub(super) async fn act_on_trash(
    app: &App,
    store: &Store,
    session: &Session,
    segments: &[&str],
) -> AppResult<Response> {
    match segments {
        ["empty"] => {
            let n = trash::purge(store, None).await?;
            let done = format!("Deleted {n} for good; the trash is empty.");
            let done: String = form_urlencoded::byte_serialize(done.as_bytes()).collect();
            http::see_other(&format!("/admin/trash?done={done}"))
        }
        [id, "restore"] => match trash::restore(app, store, record_id(id)?).await {
            Ok(post) => http::see_other(&format!("/admin/entries/{}?done=restored", post.slug)),
            Err(AppError::Conflict(why)) => trash_page(app, store, session, 1, Some(why)).await,
            Err(other) => Err(other),
        },
        [id, "delete"] => {
            if trash::purge(store, Some(record_id(id)?)).await? == 0 {
                return Err(AppError::NotFound);
            }
            http::see_other("/admin/trash?done=Deleted%20for%20good.")
        }
        _ => Err(AppError::NotFound),
    }
}
