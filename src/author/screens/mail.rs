//! The outbox, by status.

use super::*;

#[derive(Template)]
#[template(path = "admin/mail.html")]
pub(super) struct MailPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    /// Each status, and whether it is the one shown.
    tabs: Vec<(&'static str, bool)>,
    status: &'static str,
    messages: Vec<MailRow>,
    pager: Pager,
    /// No sender is set: nothing goes out.
    mail_off: bool,
}

pub(super) struct MailRow {
    kind: &'static str,
    comment: i64,
    recipient: String,
    attempts: u32,
    last_error: Option<String>,
    when: When,
}

/// `/admin/mail?status=…`: the outbox.
pub(super) async fn mail(
    app: &App,
    store: &Store,
    session: &Session,
    status: blog_core::email::OutboxStatus,
    page: u32,
) -> AppResult<Response> {
    // One row more than a page: it says whether another page follows.
    let mut rows = store
        .outbox(status, ROWS_PER_PAGE + 1, Pager::offset(page))
        .await?;
    let more = rows.len() > ROWS_PER_PAGE as usize;
    rows.truncate(ROWS_PER_PAGE as usize);
    let base = format!("/admin/mail?status={}", status.as_str());
    let pager = Pager::new(&base, page, rows.len(), None, more);
    let clock = Clock::of(app).await?;
    let messages = rows
        .into_iter()
        .map(|m| MailRow {
            kind: m.kind.as_str(),
            comment: m.comment_id,
            recipient: m.recipient,
            attempts: m.attempts,
            last_error: m.last_error,
            when: clock.when(m.sent_at.unwrap_or(m.next_attempt_at)),
        })
        .collect();
    let page = MailPage {
        section: "mail",
        csrf: &session.csrf,
        notice: None,
        tabs: ["pending", "sending", "sent", "failed"]
            .into_iter()
            .map(|t| (t, t == status.as_str()))
            .collect(),
        status: status.as_str(),
        messages,
        pager,
        mail_off: app.settings().await?.mail.from.is_none(),
    };
    screen(app, "Mail", &page, 200).await
}
