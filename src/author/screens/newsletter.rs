//! The newsletter: subscribers by status (page by page), what went out, a test mail to the
//! author, and adding addresses (one a line, or another service's export pasted in).

use blog_core::newsletter::{self, LineOutcome, Source, SubscriberStatus};

use super::*;
use crate::author::newsletter::admin as api;

#[derive(Template)]
#[template(path = "admin/newsletter.html")]
pub(super) struct NewsletterPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    enabled: bool,
    counts: Vec<(&'static str, u32)>,
    issues: Vec<IssueRow>,
    tabs: Vec<(&'static str, bool)>,
    status: &'static str,
    subscribers: Vec<SubscriberRow>,
    pager: Pager,
    /// What was pasted, when it comes back with a problem.
    typed: String,
}

pub(super) struct IssueRow {
    what: String,
    when: When,
    queued: u32,
    sent: u32,
    failed: u32,
    cancelled: u32,
}

pub(super) struct SubscriberRow {
    email: String,
    cadence: &'static str,
    source: String,
    since: When,
}

/// `/admin/newsletter?status=…&page=…`: the subscribers of `status`, page `page`.
pub(super) async fn newsletter_page(
    app: &App,
    store: &Store,
    session: &Session,
    (status, page): (SubscriberStatus, u32),
    notice: Option<String>,
    typed: String,
    code: u16,
) -> AppResult<Response> {
    let (rows, total) = store
        .subscribers(Some(status), ROWS_PER_PAGE, Pager::offset(page))
        .await?;
    let base = format!("/admin/newsletter?status={}", status.as_str());
    let pager = Pager::new(&base, page, rows.len(), Some(total), false);
    let clock = Clock::of(app).await?;
    let issues = store
        .issues(10, 0)
        .await?
        .into_iter()
        .map(|i| IssueRow {
            what: match (i.title, i.period_end) {
                (Some(title), _) => format!("“{title}”"),
                (None, Some(end)) => format!("Weekly digest to {}", clock.when(end).text),
                _ => "A post since deleted".into(),
            },
            when: clock.when(i.created_at),
            queued: i.queued,
            sent: i.sent,
            failed: i.failed,
            cancelled: i.cancelled,
        })
        .collect();
    let settings = app.settings().await?;
    let content = NewsletterPage {
        section: "newsletter",
        csrf: &session.csrf,
        notice,
        enabled: settings.newsletter.enabled,
        counts: store
            .subscriber_counts()
            .await?
            .into_iter()
            .map(|(s, n)| (s.as_str(), n))
            .collect(),
        issues,
        tabs: SubscriberStatus::ALL
            .into_iter()
            .map(|s| (s.as_str(), s == status))
            .collect(),
        status: status.as_str(),
        subscribers: rows
            .into_iter()
            .map(|s| SubscriberRow {
                email: s.email,
                cadence: s.cadence.describe(),
                source: s.source,
                since: clock.when(s.created_at),
            })
            .collect(),
        pager,
        typed,
    };
    screen(app, "Newsletter", &content, code).await
}

/// `POST /admin/newsletter/import`: pasted addresses or an export. What was pasted comes back
/// when nothing in it could be read.
pub(super) async fn add_pasted(
    app: &App,
    store: &Store,
    session: &Session,
    form: &Form,
) -> AppResult<Response> {
    let text = form.get("file").unwrap_or_default();
    let confirmed = form.get("confirmed") == Some("1");
    let cadence = if form.get("weekly") == Some("1") {
        newsletter::Cadence::Weekly
    } else {
        newsletter::Cadence::EveryPost
    };
    let file = match newsletter::read_import(text) {
        Ok(file) => file,
        Err(why) => {
            let status = SubscriberStatus::Confirmed;
            return newsletter_page(
                app,
                store,
                session,
                (status, 1),
                Some(why),
                text.into(),
                422,
            )
            .await;
        }
    };
    let addresses: Vec<String> = file
        .lines
        .iter()
        .filter_map(|l| match &l.outcome {
            LineOutcome::Address(a) => Some(a.clone()),
            _ => None,
        })
        .collect();
    let refused: Vec<String> = file
        .lines
        .iter()
        .filter_map(|l| match &l.outcome {
            LineOutcome::Refused(why) => Some(format!("line {}: {why}", l.line)),
            _ => None,
        })
        .collect();
    let mut added = 0;
    for chunk in addresses.chunks(500) {
        added += store
            .add_subscribers(chunk, cadence, confirmed, Source::Import, runtime::now())
            .await?
            .added
            .len();
    }
    if added > 0 && !confirmed {
        app.after_response(app.outbox_kick()).await;
    }
    let mut notice = format!(
        "{added} added, {} there already or repeated, {} refused.",
        file.lines.len() - added - refused.len(),
        refused.len()
    );
    for line in refused.iter().take(20) {
        notice.push(' ');
        notice.push_str(line);
        notice.push('.');
    }
    let status = if confirmed {
        SubscriberStatus::Confirmed
    } else {
        SubscriberStatus::Pending
    };
    newsletter_page(
        app,
        store,
        session,
        (status, 1),
        Some(notice),
        String::new(),
        200,
    )
    .await
}

/// `POST /admin/newsletter/remove` and `/admin/newsletter/test`.
pub(super) async fn act(
    app: &App,
    store: &Store,
    action: &str,
    form: &Form,
) -> AppResult<Response> {
    let done = match action {
        "remove" => {
            let email = form.get("email").unwrap_or_default();
            match store.remove_subscriber(email).await? {
                true => format!("{email} is removed."),
                false => format!("{email} was not a subscriber."),
            }
        }
        _ => {
            let post = form.get("post").unwrap_or_default().trim();
            match api::test_mail(app, store, &json!({ "post": post })).await {
                Ok(_) => "The test is sent to author_email.".to_string(),
                Err(AppError::NotFound) => format!("No post has the slug “{post}”."),
                Err(AppError::Unprocessable { fields, .. }) => {
                    fields.into_values().collect::<Vec<_>>().join(" ")
                }
                Err(other) => return Err(other),
            }
        }
    };
    let done: String = form_urlencoded::byte_serialize(done.as_bytes()).collect();
    http::see_other(&format!("/admin/newsletter?done={done}"))
}
