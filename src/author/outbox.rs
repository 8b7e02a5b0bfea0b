//! Sending the outbox: due messages are claimed, written (`blog_core::email`'s letters, MIME by
//! `mail-builder`) and handed to the `EMAIL` binding (Cloudflare's `send_email`; locally,
//! Miniflare writes each message to a file). A failure is kept with the message and tried again
//! later (`blog_core::email::retry_delay`), until it is given up. Runs from the `OUTBOX` queue's
//! consumer, which the Workers ask to run right after a change, and from the cron job, which
//! catches whatever the queue did not.
//!
//! Also `GET /admin/outbox?status=…` and `POST /admin/forget`.

use blog_core::api;
use blog_core::dates::rfc3339_utc as utc;
use blog_core::email::{
    self, CommentFacts, Letter, ModerationAction, OutboxKind, OutboxStatus, MODERATION_LINK_SECONDS,
};
use blog_core::settings::Settings;
use blog_core::token::{self, ModerationLink};
use mail_builder::headers::text::Text;
use mail_builder::headers::url::URL;
use mail_builder::MessageBuilder;
use serde_json::Value;
use worker::{EmailMessage, Request, Response};

use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime, App};
use crate::store::{MailContext, OutboxRow, Store};

/// Messages one run sends at most (the rest wait for the next run).
const BATCH: u32 = 25;

/// What a run did.
#[derive(Debug, Default)]
pub struct Sent {
    pub sent: usize,
    /// Failed this time and to be tried again at the earliest of these.
    pub retry_at: Option<i64>,
    pub given_up: usize,
}

/// `OUTBOX_RETRY_SECONDS` (an optional var; tests make it short): the first wait after a failed
/// send, of the outbox's mail and the newsletter's.
fn retry_base(app: &App) -> i64 {
    app.var("OUTBOX_RETRY_SECONDS")
        .and_then(|v| v.trim().parse().ok())
        .filter(|s: &i64| *s > 0)
        .unwrap_or(email::RETRY_BASE_SECONDS)
}

/// Sends every due message (up to a batch).
pub async fn send_due(app: &App) -> AppResult<Sent> {
    let store = app.store()?;
    let settings = app.settings().await?;
    let mut report = Sent::default();
    let now = runtime::now();
    let Some(from) = settings.mail.from.clone() else {
        return Ok(report); // no sender: the rows wait until one is set
    };
    for row in store.claim_due(now, BATCH).await? {
        match send_one(app, &store, settings, &from, &row, now).await {
            Ok(()) => {
                store.mark_sent(row.id, runtime::now()).await?;
                report.sent += 1;
            }
            Err(failure) => {
                let (why, retry_at) = failure.outcome(app, row.attempts, now);
                worker::console_error!("outbox {} (attempt {}): {why}", row.id, row.attempts);
                store.mark_retry(row.id, &why, retry_at).await?;
                match retry_at {
                    Some(at) => {
                        report.retry_at = Some(report.retry_at.map_or(at, |t: i64| t.min(at)))
                    }
                    None => report.given_up += 1,
                }
            }
        }
    }
    Ok(report)
}

/// Why a message (the outbox's or the newsletter's) was not sent.
pub(super) enum Failure {
    /// Trying again will not help (the comment is gone, the address is not one).
    Permanent(String),
    /// The sending failed; it may work later.
    Transient(String),
}

impl Failure {
    /// Its reason, and when the message is tried again after its `attempts`th attempt failed
    /// (`None`: it is given up).
    pub(super) fn outcome(self, app: &App, attempts: u32, now: i64) -> (String, Option<i64>) {
        match self {
            Failure::Permanent(why) => (why, None),
            Failure::Transient(why) => {
                let retry_at = email::retry_delay(attempts, retry_base(app)).map(|d| now + d);
                (why, retry_at)
            }
        }
    }
}

/// Hands a written message to the `EMAIL` binding: every mail the blog sends goes through here.
pub(super) async fn hand_over(app: &App, from: &str, to: &str, raw: &str) -> Result<(), Failure> {
    if !email::is_mailbox(to) {
        return Err(Failure::Permanent(format!(
            "{to:?} is not an address mail can go to"
        )));
    }
    let message = EmailMessage::new(from, to, raw)
        .map_err(|e| Failure::Permanent(format!("the message was refused: {e:?}")))?;
    let binding = app
        .email()
        .map_err(|e| Failure::Transient(format!("no EMAIL binding: {e}")))?;
    binding
        .send(&message)
        .await
        .map_err(|e| Failure::Transient(format!("sending failed: {}", js_message(&e))))?;
    Ok(())
}

async fn send_one(
    app: &App,
    store: &Store,
    settings: &Settings,
    from: &str,
    row: &OutboxRow,
    now: i64,
) -> Result<(), Failure> {
    if !email::is_mailbox(&row.recipient) {
        return Err(Failure::Permanent(format!(
            "{:?} is not an address mail can go to",
            row.recipient
        )));
    }
    let context = store
        .mail_context(row)
        .await
        .map_err(|e| Failure::Transient(e.to_string()))?
        .ok_or_else(|| Failure::Permanent("the comment is gone".into()))?;
    let (letter, unsubscribe) = letter(app, settings, row, &context, now)?;
    let raw = mime(settings, from, row, &letter, unsubscribe.as_deref(), now)
        .map_err(|e| Failure::Permanent(format!("the message could not be written: {e}")))?;
    hand_over(app, from, &row.recipient, &raw).await
}

/// The message of a JS error, without the `Debug` noise.
fn js_message(error: &js_sys::Error) -> String {
    String::from(error.message())
}

/// The words of a message, and its one-click unsubscribe address (for commenters' mail).
fn letter(
    app: &App,
    settings: &Settings,
    row: &OutboxRow,
    c: &MailContext,
    now: i64,
) -> Result<(Letter, Option<String>), Failure> {
    let blog = &settings.blog;
    let comment_url = blog.url(&blog_core::routes::comment_link(&c.post_path, c.comment_id));
    let facts = CommentFacts {
        blog_title: &blog.title,
        comment_url: &comment_url,
        post_title: &c.post_title,
        author_name: &c.author_name,
        author_email: &c.author_email,
        author_url: c.author_url.as_deref(),
        body: &c.body,
        status: c.status,
        spam_reasons: &c.spam_reasons,
        parent_author: c.parent_author.as_deref(),
        parent_body: c.parent_body.as_deref(),
    };
    let token = || {
        c.token
            .clone()
            .ok_or_else(|| Failure::Permanent("the subscription is gone".into()))
    };
    Ok(match row.kind {
        OutboxKind::Moderation => {
            let key = app
                .admin_token()
                .map(|t| token::link_key(&t))
                .ok_or_else(|| Failure::Transient("ADMIN_TOKEN is not set".into()))?;
            let links: Vec<(ModerationAction, String)> = [
                ModerationAction::Approve,
                ModerationAction::Spam,
                ModerationAction::Delete,
            ]
            .into_iter()
            .filter(|action| action.status() != Some(c.status))
            .map(|action| {
                let link = ModerationLink {
                    comment_id: c.comment_id,
                    action,
                    expires: now + MODERATION_LINK_SECONDS,
                    nonce: format!("m{}", row.id),
                };
                let token = token::moderation_link_token(&key, &link);
                (action, blog.url(&format!("/email/moderate/{token}")))
            })
            .collect();
            (email::moderation_letter(&facts, &links), None)
        }
        OutboxKind::Confirm => {
            let token = token()?;
            let letter = email::confirm_letter(
                &facts,
                &blog.url(&format!("/email/confirm/{token}")),
                &blog.url(&format!("/email/unsubscribe/{token}?all=1")),
            );
            (letter, None)
        }
        OutboxKind::Reply => {
            let token = token()?;
            let stop = blog.url(&format!("/email/unsubscribe/{token}"));
            let letter = email::reply_letter(
                &facts,
                &stop,
                &blog.url(&format!("/email/unsubscribe/{token}?all=1")),
            );
            (letter, Some(stop))
        }
    })
}

/// The message as MIME. Every header value is `email::header_text` or an address checked by
/// `email::is_mailbox`, and `mail-builder` encodes what is not ASCII.
fn mime(
    settings: &Settings,
    from: &str,
    row: &OutboxRow,
    letter: &Letter,
    unsubscribe: Option<&str>,
    now: i64,
) -> std::io::Result<String> {
    let domain = from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let sender_name = email::header_text(&settings.blog.title, 80);
    let mut message = MessageBuilder::new()
        .from((sender_name.as_str(), from))
        .to(row.recipient.as_str())
        .subject(letter.subject.as_str())
        .message_id(format!("outbox-{}-{}@{domain}", row.id, row.attempts))
        .date(now)
        .header("Auto-Submitted", Text::new("auto-generated"))
        .text_body(letter.text.as_str());
    if let Some(url) = unsubscribe {
        message = message.header("List-Unsubscribe", URL::new(url)).header(
            "List-Unsubscribe-Post",
            Text::new("List-Unsubscribe=One-Click"),
        );
    }
    message.write_to_string()
}

/// `GET /admin/outbox?status=pending|sent|failed&limit=…&offset=…`.
pub async fn list(store: &Store, req: &Request) -> AppResult<Response> {
    let (mut status, mut paging) = (OutboxStatus::Pending, http::Paging::default());
    let query = http::query_string(req);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key == "status" {
            status = OutboxStatus::parse(&value).ok_or_else(|| {
                AppError::BadRequest("status must be pending, sending, sent or failed.".into())
            })?;
        } else {
            paging.read(&key, &value)?;
        }
    }
    let http::Paging { limit, offset } = paging;
    let messages = store
        .outbox(status, limit, offset)
        .await?
        .into_iter()
        .map(|m| api::OutboxMessage {
            id: m.id,
            kind: m.kind.as_str().to_string(),
            comment: m.comment_id,
            recipient: m.recipient,
            status: m.status.as_str().to_string(),
            attempts: m.attempts,
            next_attempt_at: utc(m.next_attempt_at),
            last_error: m.last_error,
            created_at: utc(m.created_at),
            sent_at: m.sent_at.map(utc),
        })
        .collect();
    http::json_response(
        200,
        &api::Outbox {
            status: status.as_str().to_string(),
            messages,
        },
    )
}

/// `POST /admin/forget` with `{"email": …}`: what the blog holds about an address goes (see
/// `Store::forget`), and every cached page (the comments' names are on them).
pub async fn forget(app: &App, store: &Store, body: &Value) -> AppResult<Response> {
    let address = body
        .get("email")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|a| email::is_mailbox(a))
        .ok_or_else(|| {
            AppError::invalid_field("email", "Required: the address to forget, like a@b.org.")
        })?;
    let gone = store.forget(address).await?;
    app.purge_all().await;
    http::json_response(
        200,
        &api::Forgotten {
            comments: gone.comments,
            subscriptions: gone.subscriptions,
            messages: gone.messages,
            subscribers: gone.subscribers,
        },
    )
}
