//! What the comment screens do to comments: a comment as they show it, the moderation actions
//! (approve, back to waiting, spam, delete, block an address, a sender or a fediverse server)
//! and the notices they leave.

use blog_core::model::CommentRecord;

use super::*;

/// A comment as the lists show it.
pub(super) struct QueueItem {
    pub(super) id: i64,
    pub(super) author: String,
    pub(super) email: String,
    pub(super) url: Option<String>,
    pub(super) html: String,
    pub(super) reasons: Vec<String>,
    /// It came through the form, from a client that can be blocked (or from a fediverse account).
    pub(super) has_client: bool,
    /// A reply from the fediverse: its server, which can be blocked as a whole.
    pub(super) server: Option<String>,
    /// The author's own comment (nothing to block, nothing to answer from here).
    pub(super) by_author: bool,
    pub(super) post_title: String,
    pub(super) post_path: String,
    pub(super) when: When,
}

impl QueueItem {
    pub(super) fn new(c: CommentRecord, clock: &Clock) -> Self {
        QueueItem {
            id: c.id,
            html: comment_text::to_html(&c.body),
            reasons: c.spam_reasons,
            has_client: c.client_hash.is_some(),
            server: c
                .client_hash
                .as_deref()
                .and_then(blog_core::federation::host_of)
                .map(str::to_string),
            by_author: c.by_post_author,
            when: clock.when(c.created_at),
            author: c.author_name,
            email: c.author_email,
            url: c.author_url,
            post_title: c.post_title,
            post_path: c.post_path,
        }
    }
}

/// `back` (a list's address) with `done=notice` in its query, in place of any earlier one.
pub(super) fn with_notice(back: &str, notice: &str) -> String {
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != "done") {
        out.append_pair(&key, &value);
    }
    out.append_pair("done", notice);
    format!("{path}?{}", out.finish())
}

/// What an action did, in words.
pub(super) fn verb(action: &str) -> &'static str {
    match action {
        "approve" => "approved",
        "pending" => "moved back to waiting",
        "delete" => "deleted",
        "block" => "marked as spam, their addresses blocked",
        "block-sender" => "marked as spam, their senders blocked",
        "block-server" => "marked as spam, their fediverse servers blocked",
        _ => "marked as spam",
    }
}

/// Applies a moderation action to comments; how many it touched.
pub(super) async fn moderate(
    app: &App,
    store: &Store,
    action: &str,
    ids: &[i64],
) -> AppResult<u32> {
    let now = runtime::now();
    let mut done = 0;
    let mut approved = false;
    for &id in ids {
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
                    "pending" => CommentStatus::Pending,
                    _ => CommentStatus::Spam,
                };
                if status != comment.status {
                    store.set_comment_status_with_mail(id, status, now).await?;
                }
                approved |= status == CommentStatus::Approved && !was_approved;
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
    Ok(done)
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
