//! The pages behind the links in the blog's email, under `/email/` (the reader Worker passes
//! them here): confirming a subscription to replies, unsubscribing (also RFC 8058's one-click
//! `POST`), and the author's one-click moderation.
//!
//! A `GET` only shows a page; its button `POST`s, because mail scanners open links. What
//! authorizes the `POST` is the secret in the address (a subscription's random token, a
//! moderation link's signature), as a CSRF token would; confirmation and moderation forms
//! posted from another site's page are refused by their `Origin`. Unsubscribing is not, since
//! RFC 8058 has mail providers post it from anywhere. Every page is `private, no-store` and
//! `noindex`.

use askama::Template;
use blog_core::email::{ModerationAction, MODERATION_LINK_SECONDS};
use blog_core::model::CommentStatus;
use blog_core::token::{self, TokenError};
use worker::{Method, Request, Response};

use super::comments;
use crate::edge::error::{AppError, AppResult};
use crate::edge::layout::{self, PageMeta};
use crate::edge::{http, runtime, App};

#[derive(Template)]
#[template(path = "email_page.html")]
struct EmailPage<'a> {
    heading: &'a str,
    paragraphs: Vec<String>,
    /// Who wrote it, the post's address, the post's title, the text.
    comment: Option<(String, String, String, String)>,
    /// Forms with one button: where they post, and the button's words.
    buttons: Vec<(String, &'static str)>,
}

/// Handles `/email/…`.
pub async fn handle(req: &Request, app: &App, path: &str) -> AppResult<Response> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method();
    let query = http::query_string(req);
    let everything = form_urlencoded::parse(query.as_bytes()).any(|(k, v)| k == "all" && v == "1");
    match (segments.as_slice(), method) {
        (["email", "confirm", token], Method::Get) => confirm(app, token, false).await,
        (["email", "confirm", token], Method::Post) => {
            same_site(req, app).await?;
            confirm(app, token, true).await
        }
        (["email", "unsubscribe", token], Method::Get) => {
            unsubscribe(app, token, everything, false).await
        }
        (["email", "unsubscribe", token], Method::Post) => {
            unsubscribe(app, token, everything, true).await
        }
        (["email", "moderate", token], Method::Get) => moderate(app, token, false).await,
        (["email", "moderate", token], Method::Post) => {
            same_site(req, app).await?;
            moderate(app, token, true).await
        }
        (["email", _, _], _) => Err(AppError::MethodNotAllowed("GET, POST")),
        _ => Err(AppError::NotFound),
    }
}

/// Refuses a form posted from another site's page (a browser names the page's origin).
pub(super) async fn same_site(req: &Request, app: &App) -> AppResult<()> {
    let Some(origin) = req.headers().get("Origin")? else {
        return Ok(());
    };
    let blog = app.blog().await?;
    if origin == app.origin() || origin == blog.base_url {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "This form can only be sent from the blog's own page.".into(),
        ))
    }
}

pub(super) async fn page(
    app: &App,
    status: u16,
    heading: &str,
    paragraphs: Vec<String>,
    comment: Option<(String, String, String, String)>,
    buttons: Vec<(String, &'static str)>,
) -> AppResult<Response> {
    let blog = app.blog().await?;
    let meta = PageMeta::new(blog, format!("{heading} | {}", blog.title), "/").noindex();
    let content = EmailPage {
        heading,
        paragraphs,
        comment,
        buttons,
    };
    let html = layout::page(blog, &meta, &content, 0)?;
    let response = http::html_response(status, &html, http::NO_STORE)?;
    response.headers().set("X-Robots-Tag", "noindex")?;
    response.headers().set("Referrer-Policy", "no-referrer")?;
    Ok(response)
}

fn invalid_link() -> AppError {
    AppError::NotFound
}

/// `/email/confirm/{token}`: "Email me replies", confirmed by the address's owner.
async fn confirm(app: &App, token: &str, act: bool) -> AppResult<Response> {
    let store = app.store()?;
    let subscription = store.subscription(token).await?.ok_or_else(invalid_link)?;
    let post = format!("“{}”", subscription.post_title);
    if subscription.confirmed {
        let text = format!("You will get an email when someone replies to your comment on {post}.");
        return page(app, 200, "Already confirmed", vec![text], None, vec![]).await;
    }
    if !act {
        let text = format!(
            "Confirm that {} may get an email when someone replies to a comment on {post}.",
            subscription.email
        );
        let button = (format!("/email/confirm/{token}"), "Yes, email me replies");
        return page(
            app,
            200,
            "Confirm your address",
            vec![text],
            None,
            vec![button],
        )
        .await;
    }
    store
        .confirm_subscription(subscription.id, runtime::now())
        .await?;
    let texts = vec![
        format!("You will get an email when someone replies to your comment on {post}."),
        "Every email has a link to stop them.".to_string(),
    ];
    page(app, 200, "Confirmed", texts, None, vec![]).await
}

/// `/email/unsubscribe/{token}` (`?all=1`: every email from the blog).
async fn unsubscribe(app: &App, token: &str, everything: bool, act: bool) -> AppResult<Response> {
    let store = app.store()?;
    let Some(subscription) = store.subscription(token).await? else {
        // Already gone: as good as done (a one-click POST may come twice).
        let text = "You are not subscribed to anything here (any more).".to_string();
        return page(app, 200, "Unsubscribed", vec![text], None, vec![]).await;
    };
    if !act {
        let text = format!(
            "Stop the emails {} gets about replies to a comment on “{}”, or every email from this blog?",
            subscription.email, subscription.post_title
        );
        let buttons = vec![
            (
                format!("/email/unsubscribe/{token}"),
                "Stop emails about this comment",
            ),
            (
                format!("/email/unsubscribe/{token}?all=1"),
                "Stop all email from this blog",
            ),
        ];
        return page(app, 200, "Unsubscribe", vec![text], None, buttons).await;
    }
    store
        .unsubscribe(subscription.id, everything, runtime::now())
        .await?;
    let text = if everything {
        format!(
            "{} will get no more email from this blog.",
            subscription.email
        )
    } else {
        format!(
            "{} will get no more email about replies to the comment on “{}”.",
            subscription.email, subscription.post_title
        )
    };
    page(app, 200, "Unsubscribed", vec![text], None, vec![]).await
}

/// `/email/moderate/{token}`: the author's one-click approve, spam or delete.
async fn moderate(app: &App, token: &str, act: bool) -> AppResult<Response> {
    let key = app
        .admin_token()
        .map(|t| token::link_key(&t))
        .ok_or_else(|| AppError::Internal("ADMIN_TOKEN is not set".into()))?;
    let now = runtime::now();
    let link = token::verify_moderation_link(&key, token, now).map_err(|e| match e {
        TokenError::Expired => AppError::Gone(format!(
            "This link has expired (they work for {} days). Moderate with `blogctl comments`.",
            MODERATION_LINK_SECONDS / 86_400
        )),
        _ => AppError::Forbidden("This link is not valid.".into()),
    })?;
    let store = app.store()?;
    let used = || AppError::Gone("This email's links have been used already.".into());
    if store.link_used(&link.nonce).await? {
        return Err(used());
    }
    let comment = store
        .comment(link.comment_id)
        .await?
        .ok_or_else(|| AppError::Gone("The comment is no longer there (it was deleted).".into()))?;
    let quote = Some((
        comment.author_name.clone(),
        comment.post_path.clone(),
        comment.post_title.clone(),
        comment.body.clone(),
    ));
    let verb = link.action.verb();
    if !act {
        let text = format!(
            "{verb} this comment? It is {} now.",
            comment.status.as_str()
        );
        let button = (format!("/email/moderate/{token}"), verb);
        return page(app, 200, verb, vec![text], quote, vec![button]).await;
    }
    if !store.use_link(&link.nonce, now).await? {
        return Err(used());
    }
    let was_approved = comment.status == CommentStatus::Approved;
    let done = match link.action.status() {
        Some(status) => {
            store
                .set_comment_status_with_mail(comment.id, status, now)
                .await?;
            if was_approved || status == CommentStatus::Approved {
                comments::purge_comments_of(app, &store, comment.post_id, &comment.post_path)
                    .await?;
            }
            if status == CommentStatus::Approved {
                app.after_response(app.outbox_kick()).await;
            }
            match link.action {
                ModerationAction::Approve => "The comment is approved and on the page.",
                _ => "The comment is marked as spam.",
            }
        }
        None => {
            store.delete_comment(comment.id).await?;
            if was_approved {
                comments::purge_comments_of(app, &store, comment.post_id, &comment.post_path)
                    .await?;
            }
            "The comment is deleted."
        }
    };
    page(app, 200, "Done", vec![done.to_string()], quote, vec![]).await
}
