//! The comment form's HTTP flow: posting a comment through the spam checks, the reply form, and
//! the page where a commenter sees their held comment. Whatever happens, the person's text is
//! either stored or handed back to them in the form.

use blog_core::dates::{self, FixedZone};
use blog_core::form::{self, CommentForm};
use blog_core::model::{CommentKind, CommentStatus, CommentablePost, NewComment};
use blog_core::spam::{self, Facts, Outcome};
use blog_core::validation::FieldErrors;
use blog_core::{comment_text, invalidation, routes, token};
use worker::{Request, Response};

use super::akismet;
use super::views::{self, FormView};
use crate::edge::error::{AppError, AppResult};
use crate::edge::runtime::{self, IntlZone};
use crate::edge::{http, App};

/// Bodies above this are refused before parsing (the form's own limits need far less).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// `POST /posts/{slug}/comments` (`/about/comments` for a page); `entry` is the post's or
/// page's canonical path.
pub async fn post_comment(req: &mut Request, app: &App, entry: &str) -> AppResult<Response> {
    let bytes = read_form(req).await?;
    let form = CommentForm::decode(&bytes);
    match accept(req, app, entry, &form).await {
        // Storage failed, or a bug: the person gets their text back, never a bare error page.
        Err(error @ (AppError::Unavailable(_) | AppError::Internal(_))) => {
            worker::console_error!("comment on {entry} not stored: {error}");
            let post = CommentablePost {
                id: 0,
                slug: String::new(),
                path: entry.to_string(),
                title: "this post".into(),
                published_at: 0,
                comments_open: true,
            };
            let message = match error {
                AppError::Unavailable(_) => {
                    "Your comment could not be stored just now: the blog's database is not answering. \
                     Your text is kept below; please send it again in a minute."
                }
                _ => {
                    "Your comment could not be stored: something went wrong on the blog's side, and \
                     it has been logged for the author. Your text is kept below; please keep a copy."
                }
            };
            let response = form_page(
                app,
                &post,
                form_view(&post, &form, String::new()).with_message(message),
                error.status(),
            )
            .await?;
            if matches!(error, AppError::Unavailable(_)) {
                response.headers().set("Retry-After", "30")?;
            }
            Ok(response)
        }
        other => other,
    }
}

async fn accept(req: &Request, app: &App, entry: &str, form: &CommentForm) -> AppResult<Response> {
    let now = runtime::now();
    let store = app.store()?;
    let post = store
        .commentable_post(entry, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = app.settings().await?;
    let config = &settings.spam;
    // A form sent back counts as issued a little while ago: the person has already typed.
    let resend_token =
        |secret: &str| token::issue_form_token(secret, post.id, now - config.min_seconds);
    let Some(secret) = app.form_secret() else {
        let view = form_view(&post, form, String::new());
        let message = "Comments are not set up on this blog yet (its FORM_SECRET is missing). Your text is below; please keep a copy.";
        return form_page(app, &post, view.with_message(message), 503).await;
    };
    let mut view = form_view(&post, form, resend_token(&secret));

    if comments_closed(app, &post, now).await? {
        let message =
            "Comments are closed on this post. Your text is below so that you can keep it.";
        return form_page(app, &post, view.with_message(message), 403).await;
    }
    let comment = match form::validate(form) {
        Ok(comment) => comment,
        Err(errors) => {
            view.errors = errors;
            return form_page(
                app,
                &post,
                view.with_message("Please check the fields marked below."),
                422,
            )
            .await;
        }
    };
    let issued_at = match token::verify_form_token(&secret, post.id, &form.token, now) {
        Ok(issued_at) => issued_at,
        Err(e) => {
            let message = match e {
                token::TokenError::Expired => "This form was opened too long ago. Your text is kept below: please send it again.",
                _ => "This form could not be checked (it may have been opened on an older version of the page). Your text is kept below: please send it again.",
            };
            return form_page(app, &post, view.with_message(message), 422).await;
        }
    };

    let ip = client_ip(req);
    let client = token::client_hash(&secret, &ip);
    let checks = store
        .comment_checks(
            post.id,
            &client,
            now - config.rate_window_seconds,
            &comment.email,
            comment.parent,
        )
        .await?;
    if !checks.parent_ok {
        view.errors = FieldErrors::from([(
            "parent".to_string(),
            "The comment you are replying to is no longer there; your reply can still be posted as a new comment.".to_string(),
        )]);
        view.parent = None;
        view.replying_to = None;
        return form_page(
            app,
            &post,
            view.with_message("Please check the message below."),
            422,
        )
        .await;
    }
    if let Some(wait) = spam::retry_after(config, checks.recent, checks.oldest_recent, now) {
        let minutes = (wait + 59) / 60;
        let message = format!(
            "You have sent several comments in a short time. Please wait {minutes} minute{} and send this one again; your text is kept below.",
            if minutes == 1 { "" } else { "s" }
        );
        let response = form_page(app, &post, view.with_message(&message), 429).await?;
        response.headers().set("Retry-After", &wait.to_string())?;
        return Ok(response);
    }
    if spam::is_duplicate(&comment.body, &checks.recent_bodies) {
        view.errors = FieldErrors::from([(
            "body".to_string(),
            "This comment has already been posted on this post.".to_string(),
        )]);
        return form_page(
            app,
            &post,
            view.with_message("This looks like a comment sent twice."),
            422,
        )
        .await;
    }

    let mut verdict = spam::judge(
        config,
        &Facts {
            honeypot: &form.honeypot,
            seconds_since_form: now - issued_at,
            author: &comment.author,
            email: &comment.email,
            url: comment.url.as_deref(),
            body: &comment.body,
            known_commenter: checks.known_commenter,
            client: &client,
        },
    );
    if verdict.outcome != Outcome::Spam {
        if let Some(key) = app.akismet_key() {
            verdict.add(akismet_finding(app, req, &post, &comment, &ip, &key, now).await);
        }
    }

    let new = NewComment {
        post_id: post.id,
        parent_id: comment.parent,
        author_name: &comment.author,
        author_email: &comment.email,
        author_url: comment.url.as_deref(),
        body: &comment.body,
        body_html: &comment_text::to_html(&comment.body),
        status: verdict.outcome.status(),
        created_at: now,
        by_post_author: false,
        kind: CommentKind::Comment,
        spam_reasons: &verdict.reasons,
        client_hash: Some(&client),
        import_key: None,
    };
    // The mail it causes is written in the same batch (see `Store::mail_on_new_comment`).
    let mail_on = settings.mail.from.is_some();
    let mail = match mail_on {
        true => store.mail_on_new_comment(&comment.email, &client, comment.notify, now)?,
        false => Vec::new(),
    };
    let id = store
        .insert_comment_with(&new, mail)
        .await?
        .ok_or_else(|| AppError::Internal("the comment's insert returned no id".into()))?;
    if mail_on {
        app.after_response(app.outbox_kick()).await;
    }
    let location = if verdict.outcome == Outcome::Approve {
        let facts = store.comments_facts(post.id, now).await?;
        app.purge(&invalidation::comments_pages_to_drop(&post.path, facts))
            .await;
        comment_address(&store, &post.path, id, now).await?
    } else {
        // Held and spam comments get the same answer, so a bot learns nothing.
        routes::held_path(&post.path, id, &token::held_comment_key(&secret, id))
    };
    http::see_other(&location)
}

async fn akismet_finding(
    app: &App,
    req: &Request,
    post: &CommentablePost,
    comment: &form::ValidComment,
    ip: &str,
    key: &str,
    now: i64,
) -> Option<(Outcome, String)> {
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    let (user_agent, referrer) = (header("User-Agent"), header("Referer"));
    let blog = app.blog().await.ok()?;
    let permalink = blog.url(&post.path);
    let date = dates::rfc3339(now, &FixedZone::UTC);
    let check = akismet::Check {
        api_key: key,
        blog: &blog.base_url,
        user_ip: ip,
        user_agent: &user_agent,
        referrer: &referrer,
        permalink: &permalink,
        author: &comment.author,
        email: &comment.email,
        url: comment.url.as_deref().unwrap_or(""),
        content: &comment.body,
        date_gmt: &date,
    };
    let endpoint = app
        .akismet_endpoint()
        .unwrap_or_else(|| akismet::DEFAULT_ENDPOINT.to_string());
    match akismet::check(&endpoint, &check).await {
        akismet::Answer::Spam => Some((Outcome::Spam, "Akismet says spam".into())),
        akismet::Answer::Ham => None,
        akismet::Answer::Error(why) => {
            Some((Outcome::Hold, format!("Akismet could not be asked ({why})")))
        }
    }
}

/// `GET /posts/{slug}/reply/{parent}`: the form, set to reply to one comment.
pub async fn reply_page(app: &App, entry: &str, parent: i64) -> AppResult<Response> {
    let now = runtime::now();
    let store = app.store()?;
    let post = store
        .commentable_post(entry, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let comment = store
        .approved_comment(post.id, parent)
        .await?
        .ok_or(AppError::NotFound)?;
    let token = app
        .form_secret()
        .map(|s| token::issue_form_token(&s, post.id, now))
        .unwrap_or_default();
    let mut view = FormView::new(&post.path, token);
    view.offer_notify = app.settings().await?.mail.from.is_some();
    view.parent = Some(comment.id);
    view.replying_to = Some(comment.author_name.clone());
    if comments_closed(app, &post, now).await? {
        view.message = Some("Comments are closed on this post.".into());
    }
    let blog = app.blog().await?;
    let zone = IntlZone::new(&blog.time_zone);
    let html = views::reply(blog, &zone, &post, Some(&comment), view)?;
    http::html_response(200, &html, "private, no-store")
}

/// Where approved comment `id` of `entry` is shown: its page of comments, at its anchor.
async fn comment_address(
    store: &crate::store::Store,
    entry: &str,
    id: i64,
    now: i64,
) -> AppResult<String> {
    let page = store
        .comment_page(entry, id, now, routes::COMMENT_THREADS_PER_PAGE)
        .await?
        .unwrap_or(1);
    Ok(routes::comment_on_page(entry, page, id))
}

/// `GET /posts/{slug}/comments/{id}`: a comment's lasting address, which leads (`303`) to the
/// page of comments that holds it; `404` when it is not shown (held, spam, or gone).
pub async fn comment_link(app: &App, entry: &str, id: i64) -> AppResult<Response> {
    let store = app.store()?;
    let page = store
        .comment_page(entry, id, runtime::now(), routes::COMMENT_THREADS_PER_PAGE)
        .await?
        .ok_or(AppError::NotFound)?;
    http::see_other(&routes::comment_on_page(entry, page, id))
}

/// `GET /posts/{slug}/held/{id}/{key}`: a held comment, for the person who wrote it.
pub async fn held_page(app: &App, entry: &str, id: i64, key: &str) -> AppResult<Response> {
    let secret = app.form_secret().ok_or(AppError::NotFound)?;
    if !token::verify_held_comment_key(&secret, id, key) {
        return Err(AppError::NotFound);
    }
    let store = app.store()?;
    let comment = store
        .comment(id)
        .await?
        .filter(|c| c.post_path == entry)
        .ok_or(AppError::NotFound)?;
    if comment.status == CommentStatus::Approved {
        return http::see_other(&comment_address(&store, entry, id, runtime::now()).await?);
    }
    let post = store
        .commentable_post(entry, runtime::now())
        .await?
        .ok_or(AppError::NotFound)?;
    let blog = app.blog().await?;
    let zone = IntlZone::new(&blog.time_zone);
    let html = views::held(blog, &zone, &post.title, &comment)?;
    let response = http::html_response(200, &html, "private, no-store")?;
    response.headers().set("X-Robots-Tag", "noindex")?;
    Ok(response)
}

async fn comments_closed(app: &App, post: &CommentablePost, now: i64) -> AppResult<bool> {
    let too_old = app
        .settings()
        .await?
        .comments_close_after_days
        .is_some_and(|days| now - post.published_at > days.saturating_mul(86_400));
    Ok(!post.comments_open || too_old)
}

fn form_view(post: &CommentablePost, form: &CommentForm, token: String) -> FormView {
    let mut view = FormView::new(&post.path, token);
    view.author = form.author.clone();
    view.email = form.email.clone();
    view.url = form.url.clone();
    view.body = form.body.clone();
    view.notify = form.notify;
    view.parent = form.parent.trim().parse::<i64>().ok().filter(|&p| p > 0);
    if view.parent.is_some() {
        view.replying_to = Some("a comment".into());
    }
    view
}

/// The form page with the person's text. It must show even when the settings cannot be read
/// (the error may be that D1 does not answer), so it falls back to the defaults.
async fn form_page(
    app: &App,
    post: &CommentablePost,
    mut view: FormView,
    status: u16,
) -> AppResult<Response> {
    view.offer_notify = app.settings().await.is_ok_and(|s| s.mail.from.is_some());
    let blog = app.blog_for_errors().await;
    let zone = IntlZone::new(&blog.time_zone);
    let html = views::reply(&blog, &zone, post, None, view)?;
    http::html_response(status, &html, http::NO_STORE)
}

async fn read_form(req: &mut Request) -> AppResult<Vec<u8>> {
    http::read_body(
        req,
        "application/x-www-form-urlencoded",
        MAX_FORM_BYTES,
        "Comments are sent from the form on the post's page (as application/x-www-form-urlencoded).",
    )
    .await
}

fn client_ip(req: &Request) -> String {
    req.headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .map(|ip| ip.trim().to_string())
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

impl FormView {
    fn with_message(mut self, message: &str) -> Self {
        self.message = Some(message.to_string());
        self
    }
}
