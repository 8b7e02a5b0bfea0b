//! Readers' pages of the newsletter: `POST /subscribe` (passed on by the reader Worker's gate),
//! and `/newsletter/{confirm,manage,unsubscribe}/{token}`.
//!
//! A `GET` only shows a page whose buttons `POST` (mail scanners open links). The subscriber's
//! random token in the address is what authorizes a change; confirming and changing are also
//! refused from another site's page, leaving is not (RFC 8058 has providers post it from
//! anywhere). The answer to the form is the same whether the address was subscribed or not.

use askama::Template;
use blog_core::form;
use blog_core::newsletter::{Cadence, SubscriberStatus, SUBSCRIBES_PER_CLIENT_PER_HOUR};
use blog_core::token;
use worker::{Method, Request, Response};

use crate::author::email_links::{page, same_site};
use crate::edge::error::{AppError, AppResult};
use crate::edge::layout::{self, PageMeta, SubscribeForm};
use crate::edge::{http, runtime, App};
use crate::store::Subscriber;

/// What the reader's gate found (see `src/reader/subscribe.rs`).
const FORM_HEADER: &str = "X-Blog-Form";
const CLIENT_HEADER: &str = "X-Blog-Client";
/// The form is small; anything larger is not it.
const MAX_FORM_BYTES: usize = 8 * 1024;

/// Handles `/subscribe` and `/newsletter/…`.
pub async fn handle(req: &mut Request, app: &App, path: &str) -> AppResult<Response> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method();
    let query = http::query_string(req);
    let param = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    match (segments.as_slice(), method) {
        (["subscribe"], Method::Post) => subscribe(req, app).await,
        (["subscribe"], Method::Get | Method::Head) => {
            if !app.settings().await?.newsletter.enabled {
                return Err(AppError::NotFound);
            }
            form_page(app, 200, &SubscribeForm::default(), true).await
        }
        (["newsletter", "confirm", token], Method::Get) => confirm(app, token, false).await,
        (["newsletter", "confirm", token], Method::Post) => {
            same_site(req, app).await?;
            confirm(app, token, true).await
        }
        (["newsletter", "manage", token], Method::Get) => manage(app, token, None).await,
        (["newsletter", "manage", token], Method::Post) => {
            same_site(req, app).await?;
            let cadence = param("cadence")
                .as_deref()
                .and_then(Cadence::parse)
                .ok_or_else(|| {
                    AppError::BadRequest("Choose how often: cadence=post or cadence=weekly.".into())
                })?;
            manage(app, token, Some(cadence)).await
        }
        (["newsletter", "unsubscribe", token], Method::Get) => unsubscribe(app, token, false).await,
        (["newsletter", "unsubscribe", token], Method::Post) => unsubscribe(app, token, true).await,
        (["newsletter", _, _], _) => Err(AppError::MethodNotAllowed("GET, POST")),
        (["subscribe"], _) => Err(AppError::MethodNotAllowed("GET, HEAD, POST")),
        _ => Err(AppError::NotFound),
    }
}

/// The key the author Worker signs a sent-back form's retry token with (see [`subscribe`]).
fn retry_key(app: &App) -> AppResult<String> {
    app.admin_token()
        .map(|t| token::link_key(&t))
        .ok_or_else(|| AppError::Internal("ADMIN_TOKEN is not set".into()))
}

#[derive(Template)]
#[template(path = "subscribe.html")]
struct SubscribePage<'a> {
    blog_title: &'a str,
    form: &'a SubscribeForm,
}

/// The `/subscribe` page: `form` (empty, or sent back with what was typed and a message), which
/// posts with a token of this Worker's: issued now for a `fresh` page, so that a form sent sooner
/// than a person types is held as the comment form's is; valid at once for a form sent back (the
/// person has typed already).
async fn form_page(
    app: &App,
    status: u16,
    form: &SubscribeForm,
    fresh: bool,
) -> AppResult<Response> {
    let settings = app.settings().await?;
    let blog = &settings.blog;
    let now = runtime::now();
    let issued = if fresh {
        now
    } else {
        now - settings.spam.min_seconds
    };
    let retry = token::issue_form_token(&retry_key(app)?, -1, issued);
    let form = SubscribeForm {
        action: format!("/subscribe?retry={retry}"),
        ..form.clone()
    };
    let page = SubscribePage {
        blog_title: &blog.title,
        form: &form,
    };
    let meta = PageMeta::new(blog, format!("Subscribe | {}", blog.title), "/subscribe").noindex();
    let html = layout::page(blog, &meta, &page, 0)?;
    http::html_response(status, &html, http::NO_STORE)
}

/// The form sent back with what was typed, and a message.
async fn form_again(
    app: &App,
    status: u16,
    email: &str,
    weekly: bool,
    message: Option<&str>,
    error: Option<&str>,
) -> AppResult<Response> {
    let form = SubscribeForm {
        action: String::new(),
        email: email.to_string(),
        weekly,
        message: message.map(str::to_string),
        error: error.map(str::to_string),
    };
    form_page(app, status, &form, false).await
}

/// `POST /subscribe`: the form, checked at the reader's gate.
async fn subscribe(req: &mut Request, app: &App) -> AppResult<Response> {
    let settings = app.settings().await?;
    if !settings.newsletter.enabled {
        return Err(AppError::NotFound);
    }
    let bytes = http::read_body(
        req,
        "application/x-www-form-urlencoded",
        MAX_FORM_BYTES,
        "Send the subscribe form from the blog's page.",
    )
    .await?;
    let (mut email, mut cadence, mut honeypot) = (String::new(), Cadence::EveryPost, String::new());
    for (key, value) in form_urlencoded::parse(&bytes) {
        match &*key {
            "email" => email = value.trim().to_string(),
            "cadence" => cadence = Cadence::parse(&value).unwrap_or(Cadence::EveryPost),
            "website" => honeypot = value.into_owned(),
            _ => {}
        }
    }
    let weekly = cadence == Cadence::Weekly;
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    let (verdict, client) = (header(FORM_HEADER), header(CLIENT_HEADER));
    // A form this Worker sent back carries its own retry token instead of the page's.
    let query = http::query_string(req);
    let now = runtime::now();
    let retried = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "retry")
        .and_then(|(_, t)| {
            let key = retry_key(app).ok()?;
            token::verify_form_token(&key, -1, &t, now).ok()
        });
    let done = || async {
        let text = "If that address is not subscribed yet, an email is on its way to it: open the link in it to confirm. \
                    (Nothing arrives? Look in the spam folder, or send the form again in a few minutes.)";
        page(
            app,
            200,
            "Check your inbox",
            vec![text.into()],
            None,
            vec![],
        )
        .await
    };
    if !honeypot.trim().is_empty() || verdict == "blocked" {
        // A bot, or a blocked client: it is told what a person would be, and nothing is kept.
        return done().await;
    }
    // A form from this Worker's own page carries its retry token, which the reader does not know.
    let verdict = match retried {
        Some(issued) if now - issued < settings.spam.min_seconds => "fast",
        Some(_) => "ok",
        None => verdict.as_str(),
    };
    match verdict {
        "ok" => {}
        "fast" => {
            let message = "That was quicker than a person types: please press Subscribe again.";
            return form_again(app, 422, &email, weekly, Some(message), None).await;
        }
        "unavailable" => {
            return Err(AppError::Unavailable(
                "Subscribing is not set up on this blog yet (its FORM_SECRET is missing).".into(),
            ))
        }
        _ => {
            let message = "This form could not be checked (it may come from an old copy of the page): please press Subscribe again.";
            return form_again(app, 422, &email, weekly, Some(message), None).await;
        }
    }
    if email.is_empty() || !form::is_email(&email) {
        let error = "Type your email address, like name@example.com.";
        return form_again(app, 422, &email, weekly, None, Some(error)).await;
    }
    let store = app.store()?;
    if store.recent_subscribes(&client, now).await? >= SUBSCRIBES_PER_CLIENT_PER_HOUR {
        let message =
            "Too many sign-ups from your network in the last hour: please try again later.";
        return form_again(app, 429, &email, weekly, Some(message), None).await;
    }
    store.subscribe(&email, cadence, &client, now).await?;
    app.after_response(app.outbox_kick()).await;
    done().await
}

async fn subscriber(app: &App, token: &str) -> AppResult<Subscriber> {
    app.store()?
        .subscriber_by_token(token)
        .await?
        .ok_or(AppError::NotFound)
}

fn manage_buttons(token: &str) -> Vec<(String, &'static str)> {
    vec![
        (
            format!("/newsletter/manage/{token}?cadence=post"),
            "Send me each new post",
        ),
        (
            format!("/newsletter/manage/{token}?cadence=weekly"),
            "Send me a weekly digest",
        ),
        (format!("/newsletter/unsubscribe/{token}"), "Unsubscribe"),
    ]
}

/// `/newsletter/confirm/{token}`.
async fn confirm(app: &App, token: &str, act: bool) -> AppResult<Response> {
    let subscriber = subscriber(app, token).await?;
    let blog_title = &app.blog().await?.title;
    if subscriber.status == SubscriberStatus::Confirmed {
        let text = format!(
            "{} gets {} from {blog_title}.",
            subscriber.email,
            subscriber.cadence.describe()
        );
        return page(
            app,
            200,
            "Subscribed",
            vec![text],
            None,
            manage_buttons(token),
        )
        .await;
    }
    if !act {
        let text = format!(
            "Confirm that {} wants {} from {blog_title} by email.",
            subscriber.email,
            subscriber.cadence.describe()
        );
        let button = (format!("/newsletter/confirm/{token}"), "Yes, subscribe me");
        return page(
            app,
            200,
            "Confirm your subscription",
            vec![text],
            None,
            vec![button],
        )
        .await;
    }
    app.store()?
        .confirm_subscriber(subscriber.id, runtime::now())
        .await?;
    let texts = vec![
        format!(
            "{} will get {} from {blog_title}.",
            subscriber.email,
            subscriber.cadence.describe()
        ),
        "Every email has a link to change how often, or to stop them.".into(),
    ];
    page(app, 200, "Subscribed", texts, None, vec![]).await
}

/// `/newsletter/manage/{token}`: how often, or leave.
async fn manage(app: &App, token: &str, cadence: Option<Cadence>) -> AppResult<Response> {
    let subscriber = subscriber(app, token).await?;
    let blog_title = &app.blog().await?.title;
    if !matches!(subscriber.status, SubscriberStatus::Confirmed) {
        let text = format!(
            "{} is not subscribed to {blog_title} (any more). To subscribe again, use the form under any post.",
            subscriber.email
        );
        return page(app, 200, "Not subscribed", vec![text], None, vec![]).await;
    }
    let now_cadence = match cadence {
        Some(cadence) => {
            app.store()?
                .set_cadence(subscriber.id, cadence, runtime::now())
                .await?;
            cadence
        }
        None => subscriber.cadence,
    };
    let text = format!(
        "{} gets {} from {blog_title}.",
        subscriber.email,
        now_cadence.describe()
    );
    let heading = if cadence.is_some() {
        "Saved"
    } else {
        "Your subscription"
    };
    page(app, 200, heading, vec![text], None, manage_buttons(token)).await
}

/// `/newsletter/unsubscribe/{token}` (the `List-Unsubscribe` address).
async fn unsubscribe(app: &App, token: &str, act: bool) -> AppResult<Response> {
    let Some(subscriber) = app.store()?.subscriber_by_token(token).await? else {
        let text = "This address is not subscribed (any more).".to_string();
        return page(app, 200, "Unsubscribed", vec![text], None, vec![]).await;
    };
    let blog_title = &app.blog().await?.title;
    if !act {
        let text = format!(
            "Stop the emails {} gets from {blog_title}?",
            subscriber.email
        );
        let button = (format!("/newsletter/unsubscribe/{token}"), "Unsubscribe");
        return page(app, 200, "Unsubscribe", vec![text], None, vec![button]).await;
    }
    app.store()?
        .unsubscribe_subscriber(subscriber.id, runtime::now())
        .await?;
    let text = format!(
        "{} will get no more email from {blog_title}. Changed your mind? Subscribe again from any post.",
        subscriber.email
    );
    page(app, 200, "Unsubscribed", vec![text], None, vec![]).await
}
