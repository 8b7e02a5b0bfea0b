//! The author Worker (built with `--features author`): the admin API under `/admin/` ([`api`],
//! with [`posts`] and [`comments`]), the Markdown renders it stores ([`renders`]) and the cron
//! job ([`schedule`]). It is reached only through the reader Worker's `AUTHOR` service binding;
//! its answers name the pages it purged in a header, for the reader to drop from its data
//! centre's Cache API.

mod access;
mod api;
mod backups;
mod comments;
mod email_links;
mod federation;
mod history;
mod media;
mod newsletter;
mod outbox;
mod posts;
mod redirects;
mod renders;
mod restore;
mod revisions;
mod schedule;
mod screens;
mod settings;
mod trash;
mod variants;
mod webcrypto;

use worker::{Env, Request, Response};

use crate::edge::error::{self, AppError};
use crate::edge::{cache, App};

/// Entry point of the author Worker's requests.
pub async fn handle(mut req: Request, env: Env, ctx: worker::Context) -> worker::Result<Response> {
    let app = App::new(env, Some(ctx), Some(&req));
    let path = req.path();
    let context = format!("{} {path}", req.method());
    let response = if path.starts_with("/email/") {
        // The pages behind the links in the blog's email: people's pages, errors included.
        match email_links::handle(&req, &app, &path).await {
            Ok(response) => response,
            Err(e) => error::error_page(&app.blog_for_errors().await, &e, &context)?,
        }
    } else if path == "/subscribe" || path.starts_with("/newsletter/") {
        // The newsletter's pages for readers.
        match newsletter::pages::handle(&mut req, &app, &path).await {
            Ok(response) => response,
            Err(e) => error::error_page(&app.blog_for_errors().await, &e, &context)?,
        }
    } else if federation::is_fediverse_path(&path) || wants_activity(&req) {
        // The fediverse's requests: JSON answers and errors.
        let result = if federation::is_fediverse_path(&path) {
            federation::handle(&mut req, &app, &path).await
        } else {
            federation::article_at(&app, &path).await
        };
        match result {
            Ok(response) => response,
            Err(e) => error::json_error(&e, &context)?,
        }
    } else if path.starts_with("/media/") {
        // An image variant R2 does not hold yet, passed on by the reader Worker.
        let result = match blog_core::routes::route_for(&path) {
            Some(blog_core::routes::Route::MediaVariant { hash, width, name }) => {
                variants::make(&req, &app, &hash, width, &name).await
            }
            _ => Err(AppError::NotFound),
        };
        match result {
            Ok(response) => response,
            Err(e) => error::error_page(&app.blog_for_errors().await, &e, &context)?,
        }
    } else if path.starts_with("/preview/") {
        match screens::preview(&app, &path).await {
            Ok(response) => response,
            Err(e) => error::error_page(&app.blog_for_errors().await, &e, &context)?,
        }
    } else if screens::is_screen(&path) && req.headers().get("Authorization")?.is_none() {
        // The browser admin: pages for people, errors included. (A request with a bearer token
        // is the JSON API's, wherever it goes.)
        match screens::handle(&mut req, &app, &path).await {
            Ok(response) => response,
            Err(e) => error::error_page(&app.blog_for_errors().await, &e, &context)?,
        }
    } else {
        let result = if path == "/admin" || path.starts_with("/admin/") {
            api::handle(&mut req, &app, &path).await
        } else {
            Err(AppError::NotFound)
        };
        match result {
            Ok(response) => response,
            Err(e) => error::json_error(&e, &context)?,
        }
    };
    if req.method() != worker::Method::Get && path.starts_with("/admin") {
        // A change may have written fediverse deliveries (the triggers on posts): the
        // consumer sends them now rather than at the next minute's cron run.
        app.after_response(app.outbox_kick()).await;
    }
    drain_unread_body(&mut req).await;
    let purged = app.purged_header();
    if !purged.is_empty() {
        response.headers().set(cache::PURGE_HEADER, &purged)?;
    }
    Ok(response)
}

/// Whether a request asks for ActivityPub JSON (a post's address asked for as an `Article`).
fn wants_activity(req: &Request) -> bool {
    req.headers()
        .get("Accept")
        .ok()
        .flatten()
        .is_some_and(|accept| blog_core::federation::wants_activity_json(&accept))
}

/// The `OUTBOX` queue's consumer: each message asks for the outbox to be sent (see
/// [`outbox`]). When some message failed and waits for another try, the queue is asked to come
/// back then; otherwise every message is acknowledged. (The cron job sends what is due as well.)
pub async fn consume_outbox_queue(batch: &worker::MessageBatch<serde_json::Value>, env: Env) {
    let app = App::new(env, None, None);
    send_newsletter(&app, true).await;
    deliver_fediverse(&app, true).await;
    check_webmentions(&app, true).await;
    match outbox::send_due(&app).await {
        Ok(report) => {
            if report.sent > 0 || report.given_up > 0 {
                worker::console_log!("outbox: {} sent, {} given up", report.sent, report.given_up);
            }
            match report.retry_at {
                Some(at) => {
                    // Cloudflare Queues delay a retry by at most 12 hours.
                    let delay = (at - crate::edge::runtime::now()).clamp(1, 43_200) as u32;
                    batch.retry_all_with_options(
                        &worker::QueueRetryOptionsBuilder::new()
                            .with_delay_seconds(delay)
                            .build(),
                    );
                }
                None => batch.ack_all(),
            }
        }
        Err(e) => {
            worker::console_error!("sending the outbox failed: {e}");
            batch.retry_all();
        }
    }
}

/// The cron job: publishes scheduled posts whose time has come, deletes for good what has been in
/// the trash for 30 days, backs up the database once a day, sends the outbox's due mail,
/// keeps the not-found list bounded, and stores fresh renders of rows whose stored HTML is stale.
pub async fn scheduled(env: Env) {
    let app = App::new(env, None, None);
    send_newsletter(&app, false).await;
    deliver_fediverse(&app, false).await;
    check_webmentions(&app, false).await;
    match outbox::send_due(&app).await {
        Ok(report) if report.sent > 0 || report.given_up > 0 => {
            worker::console_log!("outbox: {} sent, {} given up", report.sent, report.given_up)
        }
        Ok(_) => {}
        Err(e) => worker::console_error!("sending the outbox failed: {e}"),
    }
    match schedule::publish_due(&app).await {
        Ok(0) => {}
        Ok(n) => worker::console_log!("published {n} scheduled posts"),
        Err(e) => worker::console_error!("scheduled publishing failed: {e}"),
    }
    match backups::make_if_due(&app).await {
        Ok(Some(b)) => {
            worker::console_log!("backed up the database as {} ({} bytes)", b.name, b.bytes)
        }
        Ok(None) => {}
        Err(e) => worker::console_error!("the daily backup failed: {e}"),
    }
    match trash::purge_expired(&app).await {
        Ok(0) => {}
        Ok(n) => worker::console_log!("deleted {n} entries for good after their time in the trash"),
        Err(e) => worker::console_error!("emptying the trash of old entries failed: {e}"),
    }
    // The reader counts not-found paths; the list stays bounded here, once a minute.
    match app.store() {
        Ok(store) => {
            if let Err(e) = store.trim_not_found().await {
                worker::console_error!("trimming the not-found list failed: {e}");
            }
            if let Err(e) = store.trim_email(crate::edge::runtime::now()).await {
                worker::console_error!("trimming old mail failed: {e}");
            }
            if let Err(e) = store
                .trim_sign_in_failures(crate::edge::runtime::now())
                .await
            {
                worker::console_error!("trimming old sign-in failures failed: {e}");
            }
        }
        Err(e) => worker::console_error!("{e}"),
    }
    match app.store() {
        Ok(store) => {
            if let Err(e) = store.trim_newsletter(crate::edge::runtime::now()).await {
                worker::console_error!("trimming the newsletter's old mail failed: {e}");
            }
            if let Err(e) = store.trim_deliveries(crate::edge::runtime::now()).await {
                worker::console_error!("trimming old fediverse deliveries failed: {e}");
            }
        }
        Err(e) => worker::console_error!("{e}"),
    }
    match renders::refresh_all(&app, 25).await {
        Ok((0, _)) => {}
        Ok((n, _)) => worker::console_log!("stored {n} fresh renders"),
        Err(e) => worker::console_error!("storing fresh renders failed: {e}"),
    }
}

/// One run of the newsletter's sender (see [`newsletter::send`]). When work is left, a message
/// on the queue brings the consumer back (`requeue`; the cron job comes back every minute
/// anyway).
async fn send_newsletter(app: &App, requeue: bool) {
    match newsletter::send::run(app).await {
        Ok(report) => {
            if report.sent > 0 || report.failed > 0 {
                worker::console_log!("newsletter: {} sent, {} failed", report.sent, report.failed);
            }
            if let (true, Some(delay)) = (requeue, report.again_in) {
                if let Err(e) = app.outbox_kick_later(delay).await {
                    worker::console_error!("the queue did not take the newsletter's next run: {e}");
                }
            }
        }
        Err(e) => worker::console_error!("sending the newsletter failed: {e}"),
    }
}

/// One run of the fediverse's deliveries (see [`federation::deliver`]); like the newsletter's,
/// a message on the queue brings the consumer back when work is left (`requeue`).
async fn deliver_fediverse(app: &App, requeue: bool) {
    match federation::deliver::run(app).await {
        Ok(report) => {
            if report.delivered > 0 || report.failed > 0 {
                worker::console_log!(
                    "fediverse: {} delivered, {} failed",
                    report.delivered,
                    report.failed
                );
            }
            if let (true, Some(delay)) = (requeue, report.again_in) {
                let queued = if delay == 0 {
                    app.outbox_kick().await;
                    Ok(())
                } else {
                    app.outbox_kick_later(delay).await
                };
                if let Err(e) = queued {
                    worker::console_error!("the queue did not take the deliveries' next run: {e}");
                }
            }
        }
        Err(e) => worker::console_error!("delivering to the fediverse failed: {e}"),
    }
}

/// One run of the Webmention checks and sends (see [`federation::webmention`]); when more are
/// due than a run takes, a message on the queue brings the consumer back (`requeue`).
async fn check_webmentions(app: &App, requeue: bool) {
    match federation::webmention::check_due(app).await {
        Ok(true) if requeue => app.outbox_kick().await,
        Ok(_) => {}
        Err(e) => worker::console_error!("checking Webmentions failed: {e}"),
    }
    match federation::webmention::send_due(app).await {
        Ok(true) if requeue => app.outbox_kick().await,
        Ok(_) => {}
        Err(e) => worker::console_error!("sending Webmentions failed: {e}"),
    }
}

/// How much of a body an early answer left unread the author Worker reads before answering.
const MAX_DRAINED_BYTES: usize = 1024 * 1024;

/// Reads what is left of a request body that an early answer (401, 404, 405…) did not read, up
/// to [`MAX_DRAINED_BYTES`]. The body streams from the client through the reader Worker's service
/// binding; left unread, its stream is cancelled and the client's connection reset before the
/// answer reaches it. Larger uploads are still cut off, as by any server answering them early.
async fn drain_unread_body(req: &mut Request) {
    use futures_util::StreamExt;
    if req.inner().body_used() {
        return;
    }
    let Ok(mut stream) = req.stream() else {
        return; // no body
    };
    let mut read = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        read += chunk.len();
        if read > MAX_DRAINED_BYTES {
            break;
        }
    }
}
