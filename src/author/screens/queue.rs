//! The moderation queue: pending and spam comments, acted on one or many at once, and blocking
//! an address or a sender.

use super::*;

/// A comment as the queue shows it.
pub(super) struct QueueItem {
    id: i64,
    author: String,
    email: String,
    url: Option<String>,
    html: String,
    reasons: Vec<String>,
    /// It came through the form, from a client that can be blocked (or from a fediverse account).
    has_client: bool,
    /// A reply from the fediverse: its server, which can be blocked as a whole.
    server: Option<String>,
    post_title: String,
    post_path: String,
    when: String,
    datetime: String,
}

#[derive(Template)]
#[template(path = "admin/queue.html")]
pub(super) struct QueuePage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    status: &'static str,
    comments: Vec<QueueItem>,
    /// How many comments have the status.
    total: u32,
    pager: Pager,
}

pub(super) async fn queue(
    app: &App,
    store: &Store,
    session: &Session,
    status: CommentStatus,
    page: u32,
    done: Option<String>,
) -> AppResult<Response> {
    let utc = FixedZone::UTC;
    let (rows, total) = store
        .comments_with_status(status, ROWS_PER_PAGE, Pager::offset(page))
        .await?;
    let base = match status {
        CommentStatus::Spam => "/admin/queue?status=spam",
        _ => "/admin/queue",
    };
    let pager = Pager::new(base, page, rows.len(), Some(total), false);
    let comments = rows
        .into_iter()
        .map(|c| QueueItem {
            id: c.id,
            author: c.author_name,
            email: c.author_email,
            url: c.author_url,
            html: comment_text::to_html(&c.body),
            reasons: c.spam_reasons,
            has_client: c.client_hash.is_some(),
            server: c
                .client_hash
                .as_deref()
                .and_then(blog_core::federation::host_of)
                .map(str::to_string),
            post_title: c.post_title,
            post_path: c.post_path,
            when: dates::long_date(c.created_at, &utc),
            datetime: dates::rfc3339(c.created_at, &utc),
        })
        .collect();
    let page = QueuePage {
        section: "queue",
        csrf: &session.csrf,
        notice: done,
        status: status.as_str(),
        comments,
        total,
        pager,
    };
    screen(app, "Moderation", &page, 200).await
}

/// One button of the queue: `approve:12` (one comment) or `approve` (the selected ones).
pub(super) async fn act_on_queue(
    app: &App,
    store: &Store,
    form: &Form,
    spam_tab: bool,
) -> AppResult<Response> {
    let choice = form.get("do").unwrap_or_default();
    let (action, ids): (&str, Vec<i64>) = match choice.split_once(':') {
        Some((action, id)) => (action, id.parse().ok().into_iter().collect()),
        None => (
            choice,
            form.all("id").filter_map(|id| id.parse().ok()).collect(),
        ),
    };
    if !matches!(
        action,
        "approve" | "spam" | "delete" | "block" | "block-sender" | "block-server"
    ) {
        return Err(AppError::BadRequest(
            "Choose approve, spam, delete, block, block-sender or block-server.".into(),
        ));
    }
    let now = runtime::now();
    let mut done = 0;
    let mut approved = false;
    for id in ids {
        let Some(comment) = store.comment(id).await? else {
            continue;
        };
        let was_approved = comment.status == CommentStatus::Approved;
        match action {
            "delete" => store.delete_comment(id).await?,
            _ => {
                if action == "block" {
                    block_address(store, &comment.author_email).await?;
                }
                if let ("block-sender", Some(client)) = (action, &comment.client_hash) {
                    block_sender(store, client).await?;
                }
                let server = comment
                    .client_hash
                    .as_deref()
                    .and_then(blog_core::federation::host_of);
                if let ("block-server", Some(server)) = (action, server) {
                    block_server(store, server).await?;
                }
                let status = match action {
                    "approve" => CommentStatus::Approved,
                    _ => CommentStatus::Spam,
                };
                store.set_comment_status_with_mail(id, status, now).await?;
                approved |= status == CommentStatus::Approved;
            }
        }
        if was_approved || action == "approve" {
            comments::purge_comments_of(app, store, comment.post_id, &comment.post_path).await?;
        }
        done += 1;
    }
    if approved {
        app.after_response(app.outbox_kick()).await;
    }
    let verb = match action {
        "approve" => "approved",
        "delete" => "deleted",
        "block" => "marked as spam, their addresses blocked",
        "block-sender" => "marked as spam, their senders blocked",
        "block-server" => "marked as spam, their fediverse servers blocked",
        _ => "marked as spam",
    };
    let notice = format!("{done} comment{} {verb}.", if done == 1 { "" } else { "s" });
    let tab = if spam_tab { "status=spam&" } else { "" };
    let encoded: String = form_urlencoded::byte_serialize(notice.as_bytes()).collect();
    http::see_other(&format!("/admin/queue?{tab}done={encoded}"))
}

/// Adds an address to the comment blocklist (a phrase any field may match).
pub(super) async fn block_address(store: &Store, email: &str) -> AppResult<()> {
    if email.is_empty() {
        return Ok(());
    }
    let current = store
        .setting("comment_blocklist")
        .await?
        .unwrap_or_default();
    if current
        .lines()
        .any(|line| line.trim().eq_ignore_ascii_case(email))
    {
        return Ok(());
    }
    let list = if current.trim().is_empty() {
        email.to_string()
    } else {
        format!("{}\n{email}", current.trim_end())
    };
    let checked = blog_core::settings::check("comment_blocklist", &list).map_err(|why| {
        AppError::Conflict(format!("The blocklist cannot take this address: {why}"))
    })?;
    store.set_setting("comment_blocklist", &checked).await?;
    Ok(())
}

/// Adds a fediverse server (a host, without its port) to `fediverse_blocked_domains`.
pub(super) async fn block_server(store: &Store, host: &str) -> AppResult<()> {
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let current = store
        .setting("fediverse_blocked_domains")
        .await?
        .unwrap_or_default();
    if current.lines().any(|d| d.trim() == host) {
        return Ok(());
    }
    let list = format!("{}\n{host}", current.trim_end()).trim().to_string();
    let checked = blog_core::settings::check("fediverse_blocked_domains", &list)
        .map_err(|why| AppError::Conflict(format!("The blocked servers list is full: {why}")))?;
    store
        .set_setting("fediverse_blocked_domains", &checked)
        .await?;
    Ok(())
}

/// Adds a client's keyed hash to the blocked senders (`comment_blocked_clients`).
pub(super) async fn block_sender(store: &Store, client: &str) -> AppResult<()> {
    let current = store
        .setting("comment_blocked_clients")
        .await?
        .unwrap_or_default();
    if current.split_whitespace().any(|c| c == client) {
        return Ok(());
    }
    let list = format!("{}\n{client}", current.trim_end())
        .trim()
        .to_string();
    let checked = blog_core::settings::check("comment_blocked_clients", &list)
        .map_err(|why| AppError::Conflict(format!("The blocked senders list is full: {why}")))?;
    store
        .set_setting("comment_blocked_clients", &checked)
        .await?;
    Ok(())
}
