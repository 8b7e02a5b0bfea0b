//! The comments by status (waiting, approved, spam, with their counts), searched by text, name
//! or address; acted on one or many at once (see [`super::moderation`]) and answered by the
//! author in place.

use super::moderation::{moderate, verb, with_notice, QueueItem};
use super::*;

/// Which comments a list shows.
pub(super) struct QueueView {
    pub(super) status: CommentStatus,
    pub(super) page: u32,
    /// Words the comments must hold (text, name, address or website); empty: all.
    pub(super) search: String,
}

impl QueueView {
    /// The list's address (for the pager, and to come back to after an action).
    fn address(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if self.status != CommentStatus::Pending {
            query.append_pair("status", self.status.as_str());
        }
        if !self.search.is_empty() {
            query.append_pair("q", &self.search);
        }
        match query.finish() {
            q if q.is_empty() => "/admin/queue".to_string(),
            q => format!("/admin/queue?{q}"),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/queue.html")]
pub(super) struct QueuePage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    status: &'static str,
    /// (status, words, count, shown) of each tab.
    tabs: Vec<(&'static str, &'static str, u32, bool)>,
    search: &'a str,
    /// Where the list's forms go (with its status and search, to come back to them).
    action: String,
    comments: Vec<QueueItem>,
    pager: Pager,
}

pub(super) async fn queue(
    app: &App,
    store: &Store,
    session: &Session,
    view: &QueueView,
    done: Option<String>,
) -> AppResult<Response> {
    let clock = Clock::of(app).await?;
    let offset = Pager::offset(view.page);
    let counts = store.comment_counts().await?;
    let (rows, total, more) = if view.search.is_empty() {
        let (rows, total) = store
            .comments_with_status(view.status, ROWS_PER_PAGE, offset)
            .await?;
        (rows, Some(total), false)
    } else {
        let (rows, more) = store
            .search_comments(view.status, &view.search, ROWS_PER_PAGE, offset)
            .await?;
        (rows, None, more)
    };
    let base = view.address();
    let pager = Pager::new(&base, view.page, rows.len(), total, more);
    let tabs = [
        (CommentStatus::Pending, "Waiting"),
        (CommentStatus::Approved, "Approved"),
        (CommentStatus::Spam, "Spam"),
    ]
    .into_iter()
    .zip(counts)
    .map(|((status, words), n)| (status.as_str(), words, n, status == view.status))
    .collect();
    let page = QueuePage {
        section: "queue",
        csrf: &session.csrf,
        notice: done,
        status: view.status.as_str(),
        tabs,
        search: &view.search,
        action: base,
        comments: rows
            .into_iter()
            .map(|c| QueueItem::new(c, &clock))
            .collect(),
        pager,
    };
    screen(app, "Comments", &page, 200).await
}

/// One button of a list: `approve:12` (one comment), `approve` (the selected ones) or
/// `reply:12` (the author's answer typed under comment 12). `query` is the list's own, to go
/// back to it.
pub(super) async fn act_on_queue(
    app: &App,
    store: &Store,
    session: &Session,
    form: &Form,
    query: &str,
) -> AppResult<Response> {
    let back = match query {
        "" => "/admin/queue".to_string(),
        q => format!("/admin/queue?{q}"),
    };
    let choice = form.get("do").unwrap_or_default();
    let (action, ids): (&str, Vec<i64>) = match choice.split_once(':') {
        Some((action, id)) => (action, id.parse().ok().into_iter().collect()),
        None => (
            choice,
            form.all("id").filter_map(|id| id.parse().ok()).collect(),
        ),
    };
    if action == "reply" {
        let id = ids.first().copied().ok_or(AppError::NotFound)?;
        let text = form.get(&format!("reply-{id}")).unwrap_or_default();
        return super::comment::reply(app, store, session, id, text, &back).await;
    }
    if !matches!(
        action,
        "approve" | "pending" | "spam" | "delete" | "block" | "block-sender" | "block-server"
    ) {
        return Err(AppError::BadRequest(
            "Choose approve, pending, spam, delete, block, block-sender, block-server or reply."
                .into(),
        ));
    }
    let done = moderate(app, store, action, &ids).await?;
    let notice = format!("{} {}.", count(done, "comment", "comments"), verb(action));
    http::see_other(&with_notice(&back, &notice))
}
