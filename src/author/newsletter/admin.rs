//! The newsletter in the admin API: subscribers (`GET`, `POST`, `DELETE /admin/subscribers`,
//! `POST /admin/subscribers/import`, `GET /admin/subscribers/export`) and what went out
//! (`GET /admin/newsletter`, `POST /admin/newsletter/test`).

use blog_core::dates::rfc3339_utc as utc;
use blog_core::form;
use blog_core::newsletter::{
    self, Cadence, ExportRow, LineOutcome, Source, SubscriberStatus, MAX_IMPORT_BYTES,
};
use serde_json::{json, Value};
use worker::{Request, Response};

use super::mail::{self, Recipient};
use crate::author::outbox::{hand_over, Failure};
use crate::edge::error::{AppError, AppResult};
use crate::edge::runtime::{self, IntlZone};
use crate::edge::{http, App};
use crate::store::{Store, Subscriber};

/// Addresses added in one statement of an import.
const IMPORT_CHUNK: usize = 500;

fn subscriber_json(s: &Subscriber) -> Value {
    json!({
        "email": s.email,
        "status": s.status.as_str(),
        "cadence": s.cadence.as_str(),
        "source": s.source,
        "created_at": utc(s.created_at),
        "confirmed_at": s.confirmed_at.map(utc),
    })
}

fn query(req: &Request) -> Vec<(String, String)> {
    form_urlencoded::parse(http::query_string(req).as_bytes())
        .into_owned()
        .collect()
}

fn flag(pairs: &[(String, String)], name: &str) -> bool {
    pairs
        .iter()
        .any(|(k, v)| k == name && matches!(v.as_str(), "1" | "true" | "yes"))
}

fn cadence_of(text: Option<&str>) -> AppResult<Cadence> {
    match text {
        None => Ok(Cadence::EveryPost),
        Some(text) => Cadence::parse(text)
            .ok_or_else(|| AppError::invalid_field("cadence", "Must be post or weekly.")),
    }
}

/// `GET /admin/subscribers?status=…&limit=…&offset=…`: counts by status and a page, newest first.
pub async fn list(store: &Store, req: &Request) -> AppResult<Response> {
    let (mut status, mut paging) = (None, http::Paging::default());
    for (key, value) in query(req) {
        if key == "status" {
            status = Some(SubscriberStatus::parse(&value).ok_or_else(|| {
                AppError::BadRequest(
                    "status must be pending, confirmed, unsubscribed or suppressed.".into(),
                )
            })?);
        } else {
            paging.read(&key, &value)?;
        }
    }
    let (page, total) = store
        .subscribers(status, paging.limit, paging.offset)
        .await?;
    let counts: serde_json::Map<String, Value> = store
        .subscriber_counts()
        .await?
        .into_iter()
        .map(|(status, n)| (status.as_str().to_string(), json!(n)))
        .collect();
    http::json_response(
        200,
        &json!({
            "counts": counts,
            "total": total,
            "limit": paging.limit,
            "offset": paging.offset,
            "subscribers": page.iter().map(subscriber_json).collect::<Vec<_>>(),
        }),
    )
}

/// `POST /admin/subscribers` with `{"email", "cadence"?, "confirmed"?}`: one address the author
/// adds; unless `confirmed` is true it gets a confirmation mail first.
pub async fn add(app: &App, store: &Store, body: &Value) -> AppResult<Response> {
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|e| form::is_email(e))
        .ok_or_else(|| AppError::invalid_field("email", "Required: an address, like a@b.org."))?;
    let cadence = cadence_of(body.get("cadence").and_then(Value::as_str))?;
    let confirmed = match body.get("confirmed") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(AppError::invalid_field(
                "confirmed",
                "Must be true or false.",
            ))
        }
    };
    let added = store
        .add_subscribers(
            &[email.to_string()],
            cadence,
            confirmed,
            Source::Admin,
            runtime::now(),
        )
        .await?;
    if !confirmed {
        app.after_response(app.outbox_kick()).await;
    }
    let subscriber = store.subscriber_by_email(email).await?;
    let status = if added.added.is_empty() { 200 } else { 201 };
    http::json_response(
        status,
        &json!({
            "added": !added.added.is_empty(),
            "subscriber": subscriber.as_ref().map(subscriber_json),
        }),
    )
}

/// `DELETE /admin/subscribers?email=…`: the subscriber and their queued mail go.
pub async fn remove(store: &Store, req: &Request) -> AppResult<Response> {
    let pairs = query(req);
    let email = pairs
        .iter()
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.trim().to_string())
        .filter(|e| form::is_email(e))
        .ok_or_else(|| AppError::BadRequest("Say which: ?email=a@b.org.".into()))?;
    if store.remove_subscriber(&email).await? {
        http::no_content()
    } else {
        Err(AppError::NotFound)
    }
}

/// `POST /admin/subscribers/import?confirmed=1&cadence=weekly&dry_run=1` with a subscriber
/// export as the body (Substack, Ghost, Mailchimp, Buttondown, or any CSV with an email
/// column): every line is accounted for (imported, duplicate, or refused with its number).
/// Addresses are pending, each with a confirmation mail, unless `confirmed=1` says the author
/// has their consent already.
pub async fn import(app: &App, store: &Store, req: &mut Request) -> AppResult<Response> {
    let pairs = query(req);
    let confirmed = flag(&pairs, "confirmed");
    let dry_run = flag(&pairs, "dry_run");
    let cadence = cadence_of(
        pairs
            .iter()
            .find(|(k, _)| k == "cadence")
            .map(|(_, v)| v.as_str()),
    )?;
    let bytes = req
        .bytes()
        .await
        .map_err(|e| AppError::BadRequest(format!("The body could not be read: {e}")))?;
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(AppError::PayloadTooLarge(format!(
            "The file is larger than {} MB: split it.",
            MAX_IMPORT_BYTES / 1024 / 1024
        )));
    }
    let text = newsletter::decode_text(&bytes);
    let file = newsletter::read_import(&text).map_err(|e| AppError::invalid_field("file", &e))?;
    let mut refused = Vec::new();
    let mut duplicates = Vec::new();
    let mut candidates: Vec<(u64, String)> = Vec::new();
    for line in &file.lines {
        match &line.outcome {
            LineOutcome::Address(a) => candidates.push((line.line, a.clone())),
            LineOutcome::Duplicate(a) => duplicates
                .push(json!({"line": line.line, "email": a, "reason": "earlier in the file"})),
            LineOutcome::Refused(why) => refused.push(json!({"line": line.line, "reason": why})),
        }
    }
    let mut imported = 0;
    if !dry_run {
        let now = runtime::now();
        for chunk in candidates.chunks(IMPORT_CHUNK) {
            let emails: Vec<String> = chunk.iter().map(|(_, e)| e.clone()).collect();
            let added = store
                .add_subscribers(&emails, cadence, confirmed, Source::Import, now)
                .await?;
            imported += added.added.len();
            for (line, email) in chunk {
                if !added.added.iter().any(|a| a.eq_ignore_ascii_case(email)) {
                    duplicates.push(
                        json!({"line": line, "email": email, "reason": "already a subscriber"}),
                    );
                }
            }
        }
        if imported > 0 && !confirmed {
            app.after_response(app.outbox_kick()).await;
        }
    }
    http::json_response(
        200,
        &json!({
            "provider": file.provider.as_str(),
            "dry_run": dry_run,
            "confirmed": confirmed,
            "lines": file.lines.len(),
            "imported": if dry_run { candidates.len() } else { imported },
            "duplicates": duplicates,
            "refused": refused,
        }),
    )
}

/// `GET /admin/subscribers/export`: every subscriber as CSV (`email` first).
pub async fn export(store: &Store) -> AppResult<Response> {
    let response = Response::ok(export_csv(store).await?)?;
    let headers = response.headers();
    headers.set("Content-Type", "text/csv; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        "attachment; filename=\"subscribers.csv\"",
    )?;
    headers.set("Cache-Control", http::NO_STORE)?;
    Ok(response)
}

/// Every subscriber as CSV (`email,status,cadence,created_at,confirmed_at`), oldest first.
pub async fn export_csv(store: &Store) -> AppResult<String> {
    let mut csv = String::from(newsletter::EXPORT_HEADER);
    let mut after = 0;
    loop {
        let page = store.subscribers_after(after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for s in &page {
            let created = utc(s.created_at);
            let confirmed = s.confirmed_at.map(utc);
            csv.push_str(&newsletter::export_line(&ExportRow {
                email: &s.email,
                status: s.status,
                cadence: s.cadence,
                created_at: &created,
                confirmed_at: confirmed.as_deref(),
            }));
        }
    }
    Ok(csv)
}

/// `GET /admin/newsletter`: the issues, newest first, each with its messages by state.
pub async fn issues(store: &Store, req: &Request) -> AppResult<Response> {
    let mut paging = http::Paging::default();
    for (key, value) in query(req) {
        paging.read(&key, &value)?;
    }
    let issues: Vec<Value> = store
        .issues(paging.limit, paging.offset)
        .await?
        .into_iter()
        .map(|i| {
            json!({
                "id": i.id,
                "kind": i.kind,
                "post": i.slug,
                "title": i.title,
                "period_start": i.period_start.map(utc),
                "period_end": i.period_end.map(utc),
                "created_at": utc(i.created_at),
                "fanned_out_at": i.fanned_at.map(utc),
                "queued": i.queued,
                "sent": i.sent,
                "failed": i.failed,
                "cancelled": i.cancelled,
            })
        })
        .collect();
    http::json_response(200, &json!({ "issues": issues }))
}

/// `POST /admin/newsletter/test` with `{"post": slug}`: the post's mail, now, to the author's
/// address (`author_email`), as subscribers would get it.
pub async fn test_mail(app: &App, store: &Store, body: &Value) -> AppResult<Response> {
    let settings = app.settings().await?;
    let slug = body
        .get("post")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::invalid_field("post", "Required: the post's slug."))?;
    let to = settings.mail.author.clone().ok_or_else(|| {
        AppError::invalid_field("post", "Set author_email first: the test goes there.")
    })?;
    let from = settings.newsletter.from.clone().ok_or_else(|| {
        AppError::invalid_field(
            "post",
            "Set email_from (or newsletter_from) first: mail needs a sender.",
        )
    })?;
    let now = runtime::now();
    let post = store
        .issue_post_by_slug(slug, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let zone = IntlZone::new(&settings.blog.time_zone);
    let prepared = mail::Prepared {
        posts: vec![mail::prepare_post(settings, &zone, &post)],
        digest: false,
    };
    let recipient = Recipient {
        email: &to,
        token: "test",
        message_id: -now,
    };
    let raw = mail::issue_message(settings, &from, &prepared, &recipient, now)
        .map_err(|e| AppError::Internal(format!("the message could not be written: {e}")))?;
    hand_over(app, &from, &to, &raw)
        .await
        .map_err(|failure| match failure {
            Failure::Permanent(why) => AppError::Internal(why),
            Failure::Transient(why) => AppError::Unavailable(why),
        })?;
    http::json_response(200, &json!({ "sent_to": to }))
}
