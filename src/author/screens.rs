//! The browser admin: server-rendered screens under `/admin/` that need no JavaScript, for
//! moderating and writing from any browser. The JSON API beside them keeps its bearer token.
//!
//! - Signing in: behind Cloudflare Access (`ACCESS_TEAM_DOMAIN` and `ACCESS_AUD` set), only a
//!   valid `Cf-Access-Jwt-Assertion` is trusted (see [`super::access`]); otherwise a form takes the admin token once (compared in constant time; at most
//!   [`MAX_FAILURES`] wrong tries per client in [`FAILURE_WINDOW`] seconds) and sets a session
//!   cookie — `HttpOnly`, `SameSite=Strict`, `Path=/admin`, `Secure` except on localhost,
//!   signed and expiring (`blog_core::token::session_token`).
//! - Every state-changing form carries a CSRF token bound to the session, and a `POST` without
//!   it, or from another origin (by its `Origin`), gets `403`.
//! - Screens: the moderation queue ([`queue`]), posts and pages with a Markdown editor and a
//!   server-side preview ([`entries`]).
//! - Every screen is `Cache-Control: private, no-store`, `noindex`, under the blog's CSP (no
//!   script), and never stored in KV or the Cache API.

use askama::Template;
use blog_core::comment_text;
use blog_core::dates::{self, FixedZone};
use blog_core::model::{CommentStatus, PostRecord, PostStatus};
use blog_core::token;
use serde_json::{json, Value};
use worker::{Method, Request, Response};

use super::{access, comments, media, posts};
use crate::edge::error::{AppError, AppResult};
use crate::edge::layout::{self, PageMeta};
use crate::edge::{http, runtime, App};
use crate::store::Store;

const COOKIE: &str = "blog_admin";
/// Wrong tokens one client may send per window before it must wait.
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: i64 = 900;
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The first path segments under `/admin/` that are screens (the rest is the JSON API).
const SCREENS: [&str; 7] = [
    "sign-in",
    "sign-out",
    "queue",
    "entries",
    "addresses",
    "mail",
    "files",
];

/// Whether `path` is a screen (`/admin/` itself, the sign-in page, the queue, the editor).
pub fn is_screen(path: &str) -> bool {
    let rest = path.trim_start_matches("/admin").trim_start_matches('/');
    rest.is_empty() || SCREENS.contains(&rest.split('/').next().unwrap_or_default())
}

/// A signed-in browser: its cookie and the CSRF token its forms carry.
struct Session {
    csrf: String,
}

fn key(app: &App) -> AppResult<String> {
    app.admin_token()
        .map(|t| token::session_key(&t))
        .ok_or_else(|| AppError::Internal("ADMIN_TOKEN is not set".into()))
}

fn cookie(req: &Request) -> Option<String> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE).then(|| value.to_string())
    })
}

/// The signed-in browser, if any: behind Access, the one whose Access token verifies (and
/// nothing else counts); otherwise the one with a valid session cookie.
async fn session(req: &Request, app: &App) -> AppResult<Option<Session>> {
    let key = key(app)?;
    if let Some(config) = access::config(app) {
        let Some(assertion) = req.headers().get("Cf-Access-Jwt-Assertion")? else {
            return Ok(None);
        };
        return match access::verify(&config, &assertion).await {
            Ok(claims) => Ok(Some(Session {
                csrf: token::csrf_token(&key, &format!("access|{}", claims.sub)),
            })),
            Err(why) => Err(AppError::Forbidden(format!(
                "Cloudflare Access did not let this request in: {why}."
            ))),
        };
    }
    Ok(cookie(req)
        .filter(|c| token::verify_session(&key, c, runtime::now()).is_ok())
        .map(|c| Session {
            csrf: token::csrf_token(&key, &c),
        }))
}

/// Refuses a form posted from another site's page.
fn same_origin(req: &Request, app: &App) -> AppResult<()> {
    match req.headers().get("Origin")? {
        Some(origin) if origin != app.origin() => Err(AppError::Forbidden(
            "This form can only be sent from the blog's own admin pages.".into(),
        )),
        _ => Ok(()),
    }
}

/// A submitted form's fields, in order (a field may repeat: the queue's selected ids).
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn read_form(req: &mut Request) -> AppResult<Form> {
    let bytes = http::read_body(
        req,
        "application/x-www-form-urlencoded",
        MAX_FORM_BYTES,
        "The admin's forms are sent as application/x-www-form-urlencoded.",
    )
    .await?;
    Ok(Form(
        form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    ))
}

/// A `POST` from a signed-in browser, with its session's CSRF token and from the blog's origin.
async fn checked_post(req: &mut Request, app: &App) -> AppResult<(Session, Form)> {
    let session = session(req, app)
        .await?
        .ok_or_else(|| AppError::Forbidden("Sign in first: this form needs a session.".into()))?;
    same_origin(req, app)?;
    let form = read_form(req).await?;
    let given = form.get("csrf").unwrap_or_default();
    if !token::secrets_match(given, &session.csrf) {
        return Err(AppError::Forbidden(
            "This form is not from this session (it may be old): open the page again.".into(),
        ));
    }
    Ok((session, form))
}

/// Handles a screen.
pub async fn handle(req: &mut Request, app: &App, path: &str) -> AppResult<Response> {
    let rest = path
        .trim_start_matches("/admin")
        .trim_matches('/')
        .to_string();
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let method = req.method();
    if let (["sign-in"], Method::Get | Method::Post) = (segments.as_slice(), &method) {
        if access::config(app).is_some() {
            // Behind Access, the token form would be a second door: there is none.
            return Err(AppError::Forbidden(
                "This admin is behind Cloudflare Access: sign in there.".into(),
            ));
        }
        return match method {
            Method::Post => sign_in(req, app).await,
            _ => sign_in_page(app, None, 200).await,
        };
    }
    let signed_in = session(req, app).await?;
    if method == Method::Get {
        let Some(session) = signed_in else {
            if access::config(app).is_some() {
                return Err(AppError::Forbidden(
                    "This admin is behind Cloudflare Access, and this request did not come through it."
                        .into(),
                ));
            }
            return http::see_other("/admin/sign-in");
        };
        let store = app.store()?;
        let query = http::query_string(req);
        let param = |name: &str| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        return match segments.as_slice() {
            [] => http::see_other("/admin/queue"),
            ["queue"] => {
                let status = match param("status").as_deref() {
                    Some("spam") => CommentStatus::Spam,
                    _ => CommentStatus::Pending,
                };
                queue(app, &store, &session, status, param("done")).await
            }
            ["entries"] => entries(app, &store, &session, param("done")).await,
            ["mail"] => {
                let status = param("status")
                    .as_deref()
                    .and_then(blog_core::email::OutboxStatus::parse)
                    .unwrap_or(blog_core::email::OutboxStatus::Pending);
                mail(app, &store, &session, status).await
            }
            ["files"] => files(app, &store, &session, param("done"), None, 200).await,
            ["addresses"] => {
                let typed = (String::new(), String::new());
                addresses(app, &store, &session, param("done"), None, typed, 200).await
            }
            ["entries", "new"] => {
                let draft = Draft::default();
                editor_page(app, &session, None, &draft, None, None, None, 200).await
            }
            ["entries", slug] => {
                let record = posts::find(&store, slug).await?;
                let draft = Draft::from_record(&record);
                editor_page(
                    app,
                    &session,
                    Some(&record),
                    &draft,
                    None,
                    param("done"),
                    None,
                    200,
                )
                .await
            }
            ["entries", slug, "delete"] => {
                let record = posts::find(&store, slug).await?;
                let page = DeletePage {
                    section: "entries",
                    csrf: &session.csrf,
                    notice: None,
                    title: &record.title,
                    slug: &record.slug,
                    comments: record.approved + record.pending + record.spam,
                };
                screen(app, "Delete", &page, 200).await
            }
            _ => Err(AppError::NotFound),
        };
    }
    if method != Method::Post {
        return Err(AppError::MethodNotAllowed("GET, POST"));
    }
    if let ["files"] = segments.as_slice() {
        return upload(req, app).await;
    }
    if let ["files", "delete"] = segments.as_slice() {
        let (session, form) = checked_post(req, app).await?;
        let store = app.store()?;
        let id = form
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .ok_or_else(|| AppError::BadRequest("Name the file to delete.".into()))?;
        return match media::remove_file(app, &store, id, false).await {
            Ok(()) => http::see_other("/admin/files?done=Deleted."),
            Err(AppError::Conflict(why)) => {
                let why = why.replace(", or delete it anyway with ?force=1", "");
                files(app, &store, &session, None, Some(why), 409).await
            }
            Err(other) => Err(other),
        };
    }
    let (session, form) = checked_post(req, app).await?;
    let store = app.store()?;
    match segments.as_slice() {
        ["sign-out"] => {
            let to = match access::config(app) {
                Some(config) => format!("{}/cdn-cgi/access/logout", config.team),
                None => "/admin/sign-in".to_string(),
            };
            let response = http::see_other(&to)?;
            response
                .headers()
                .set("Set-Cookie", &session_cookie(app, "", 0))?;
            Ok(response)
        }
        ["queue"] => {
            let status = http::query_string(req);
            let spam_tab = status.contains("status=spam");
            act_on_queue(app, &store, &form, spam_tab).await
        }
        ["entries", "new"] => save_entry(app, &store, &session, None, &form).await,
        ["addresses"] => change_addresses(app, &store, &session, &form).await,
        ["entries", slug] => {
            let record = posts::find(&store, slug).await?;
            save_entry(app, &store, &session, Some(&record), &form).await
        }
        ["entries", slug, "delete"] => {
            posts::delete(app, &store, slug).await?;
            http::see_other("/admin/entries?done=Deleted.")
        }
        ["entries", slug, "addenda"] => {
            let body = form.get("body").unwrap_or_default();
            posts::add_addendum(app, &store, slug, &json!({ "body": body })).await?;
            http::see_other(&format!("/admin/entries/{slug}?done=addendum"))
        }
        _ => Err(AppError::NotFound),
    }
}

fn is_local(app: &App) -> bool {
    let origin = app.origin();
    origin.starts_with("http://127.0.0.1") || origin.starts_with("http://localhost")
}

fn session_cookie(app: &App, value: &str, max_age: i64) -> String {
    let secure = if is_local(app) { "" } else { "; Secure" };
    format!("{COOKIE}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// A whole admin page: `content` in the blog's layout, private and not for search engines.
async fn screen(
    app: &App,
    title: &str,
    content: &dyn std::fmt::Display,
    status: u16,
) -> AppResult<Response> {
    let blog = app.blog().await?;
    let meta = PageMeta::new(blog, format!("{title} | {} admin", blog.title), "/admin/").noindex();
    let html = layout::page(blog, &meta, content, 16 * 1024)?;
    let response = http::html_response(status, &html, "private, no-store")?;
    response.headers().set("X-Robots-Tag", "noindex")?;
    Ok(response)
}

#[derive(Template)]
#[template(path = "admin/sign_in.html")]
struct SignInPage<'a> {
    message: Option<&'a str>,
}

async fn sign_in_page(app: &App, message: Option<&str>, status: u16) -> AppResult<Response> {
    screen(app, "Sign in", &SignInPage { message }, status).await
}

async fn sign_in(req: &mut Request, app: &App) -> AppResult<Response> {
    same_origin(req, app)?;
    let form = read_form(req).await?;
    let key = key(app)?;
    let expected = app.admin_token().unwrap_or_default();
    let ip = req
        .headers()
        .get("CF-Connecting-IP")?
        .unwrap_or_else(|| "unknown".into());
    let client = token::client_hash(&key, &ip);
    let now = runtime::now();
    let store = app.store()?;
    if store
        .sign_in_failures(&client, now - FAILURE_WINDOW)
        .await?
        >= MAX_FAILURES
    {
        let message = "Too many wrong tokens from here: wait a quarter of an hour and try again.";
        let response = sign_in_page(app, Some(message), 429).await?;
        response
            .headers()
            .set("Retry-After", &FAILURE_WINDOW.to_string())?;
        return Ok(response);
    }
    let given = form.get("token").unwrap_or_default().trim();
    if given.is_empty() || !token::secrets_match(given, &expected) {
        store.record_sign_in_failure(&client, now).await?;
        return sign_in_page(app, Some("That is not the admin token."), 401).await;
    }
    let value = token::session_token(&key, now + token::SESSION_SECONDS);
    let response = http::see_other("/admin/queue")?;
    response.headers().set(
        "Set-Cookie",
        &session_cookie(app, &value, token::SESSION_SECONDS),
    )?;
    Ok(response)
}

/// A comment as the queue shows it.
struct QueueItem {
    id: i64,
    author: String,
    email: String,
    url: Option<String>,
    html: String,
    reasons: Vec<String>,
    /// It came through the form, from a client that can be blocked.
    has_client: bool,
    post_title: String,
    post_path: String,
    when: String,
    datetime: String,
}

#[derive(Template)]
#[template(path = "admin/queue.html")]
struct QueuePage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    status: &'static str,
    comments: Vec<QueueItem>,
}

async fn queue(
    app: &App,
    store: &Store,
    session: &Session,
    status: CommentStatus,
    done: Option<String>,
) -> AppResult<Response> {
    let utc = FixedZone::UTC;
    let (rows, _total) = store.comments_with_status(status, 200, 0).await?;
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
    };
    screen(app, "Moderation", &page, 200).await
}

/// One button of the queue: `approve:12` (one comment) or `approve` (the selected ones).
async fn act_on_queue(
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
        "approve" | "spam" | "delete" | "block" | "block-sender"
    ) {
        return Err(AppError::BadRequest(
            "Choose approve, spam, delete, block or block-sender.".into(),
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
        _ => "marked as spam",
    };
    let notice = format!("{done} comment{} {verb}.", if done == 1 { "" } else { "s" });
    let tab = if spam_tab { "status=spam&" } else { "" };
    let encoded: String = form_urlencoded::byte_serialize(notice.as_bytes()).collect();
    http::see_other(&format!("/admin/queue?{tab}done={encoded}"))
}

/// Adds an address to the comment blocklist (a phrase any field may match).
async fn block_address(store: &Store, email: &str) -> AppResult<()> {
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

#[derive(Template)]
#[template(path = "admin/delete.html")]
struct DeletePage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    title: &'a str,
    slug: &'a str,
    comments: u32,
}

#[derive(Template)]
#[template(path = "admin/preview.html")]
struct PreviewPage<'a> {
    title: &'a str,
    html: String,
    /// (when, HTML) of each addendum.
    addenda: Vec<(String, String)>,
    until: String,
}

/// `/preview/{slug}/{expires}.{signature}`: a draft's shareable preview, for whoever has the
/// link until it expires — rendered afresh, `private, no-store` and `noindex`.
pub async fn preview(app: &App, path: &str) -> AppResult<Response> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ["preview", slug, link] = parts.as_slice() else {
        return Err(AppError::NotFound);
    };
    let store = app.store()?;
    let record = posts::find(&store, slug).await?;
    let now = runtime::now();
    let expires = token::verify_preview(&key(app)?, record.id, link, now).map_err(|e| match e {
        token::TokenError::Expired => {
            AppError::Gone("This preview link has expired: ask the author for a new one.".into())
        }
        _ => AppError::NotFound,
    })?;
    let utc = FixedZone::UTC;
    let addenda = store
        .addenda(record.id)
        .await?
        .iter()
        .map(|a| {
            (
                dates::addendum_stamp(a.created_at, &utc),
                blog_markdown::render(&a.body, &[]).html,
            )
        })
        .collect();
    let page = PreviewPage {
        title: &record.title,
        html: blog_markdown::render(&record.body, &[]).html,
        addenda,
        until: dates::long_date(expires, &utc),
    };
    screen(app, &format!("Preview: {}", record.title), &page, 200).await
}

#[derive(Template)]
#[template(path = "admin/mail.html")]
struct MailPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    /// Each status, and whether it is the one shown.
    tabs: Vec<(&'static str, bool)>,
    status: &'static str,
    messages: Vec<MailRow>,
}

struct MailRow {
    kind: &'static str,
    comment: i64,
    recipient: String,
    attempts: u32,
    last_error: Option<String>,
    when: String,
}

/// `/admin/mail?status=…`: the outbox.
async fn mail(
    app: &App,
    store: &Store,
    session: &Session,
    status: blog_core::email::OutboxStatus,
) -> AppResult<Response> {
    let messages = store
        .outbox(status, 200, 0)
        .await?
        .into_iter()
        .map(|m| MailRow {
            kind: m.kind.as_str(),
            comment: m.comment_id,
            recipient: m.recipient,
            attempts: m.attempts,
            last_error: m.last_error,
            when: dates::rfc3339_utc(m.sent_at.unwrap_or(m.next_attempt_at)),
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
    };
    screen(app, "Mail", &page, 200).await
}

#[derive(Template)]
#[template(path = "admin/addresses.html")]
struct AddressesPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    message: Option<String>,
    from: String,
    to: String,
    redirects: Vec<(String, String)>,
    not_found: Vec<(String, i64, String)>,
}

/// `/admin/addresses`: the redirects, a form to add one, and the paths asked for in vain.
async fn addresses(
    app: &App,
    store: &Store,
    session: &Session,
    done: Option<String>,
    message: Option<String>,
    (from, to): (String, String),
    status: u16,
) -> AppResult<Response> {
    let redirects = store
        .redirects(500, 0)
        .await?
        .into_iter()
        .map(|r| (r.from_path, r.to_url))
        .collect();
    let not_found = store
        .not_found(100)
        .await?
        .into_iter()
        .map(|n| (n.path, n.hits, dates::rfc3339_utc(n.last_seen)))
        .collect();
    let page = AddressesPage {
        section: "addresses",
        csrf: &session.csrf,
        notice: done,
        message,
        from,
        to,
        redirects,
        not_found,
    };
    screen(app, "Redirects", &page, status).await
}

/// Adds a redirect (checked as the admin API checks it) or removes one.
async fn change_addresses(
    app: &App,
    store: &Store,
    session: &Session,
    form: &Form,
) -> AppResult<Response> {
    if let Some(from) = form.get("remove") {
        let from = blog_core::redirects::check_from(from).map_err(AppError::BadRequest)?;
        store.delete_redirect(&from).await?;
        return http::see_other("/admin/addresses?done=Removed.");
    }
    let (from, to) = (
        form.get("from").unwrap_or_default().to_string(),
        form.get("to").unwrap_or_default().to_string(),
    );
    match super::redirects::add(store, &json!({ "from": from, "to": to })).await {
        Ok(_) => http::see_other("/admin/addresses?done=Added."),
        Err(AppError::Unprocessable { fields, .. }) => {
            let why = fields.into_values().next().unwrap_or_default();
            let message = format!("Not added: {why}");
            addresses(app, store, session, None, Some(message), (from, to), 422).await
        }
        Err(AppError::BadRequest(why)) => {
            let message = format!("Not added: {why}");
            addresses(app, store, session, None, Some(message), (from, to), 422).await
        }
        Err(other) => Err(other),
    }
}

/// A file of the library, as the screen lists it.
struct FileRow {
    id: i64,
    url: String,
    name: String,
    kind: String,
    size: String,
    alt: String,
    image: bool,
    width: u32,
    height: u32,
}

#[derive(Template)]
#[template(path = "admin/files.html")]
struct FilesPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    message: Option<String>,
    max_mb: usize,
    total: u32,
    files: Vec<FileRow>,
}

/// `/admin/files`: the media library, newest first, with an upload form.
async fn files(
    app: &App,
    store: &Store,
    session: &Session,
    done: Option<String>,
    message: Option<String>,
    status: u16,
) -> AppResult<Response> {
    let (rows, total) = store.media_list(100, 0).await?;
    let files = rows
        .into_iter()
        .map(|m| FileRow {
            id: m.id,
            url: m.path(),
            image: m.media_type.starts_with("image/"),
            width: m.width.unwrap_or(0),
            height: m.height.unwrap_or(0),
            size: if m.bytes >= 1_000_000 {
                format!("{} MB", m.bytes / 1_000_000)
            } else {
                format!("{} KB", m.bytes.div_ceil(1000))
            },
            kind: m.media_type,
            alt: m.alt,
            name: m.name,
        })
        .collect();
    let page = FilesPage {
        section: "files",
        csrf: &session.csrf,
        notice: done,
        message,
        max_mb: app.media_max_bytes() / 1_000_000,
        total,
        files,
    };
    screen(app, "Images and files", &page, status).await
}

/// The upload form's `POST` (multipart): checked like every form, then stored as the admin
/// API stores files.
async fn upload(req: &mut Request, app: &App) -> AppResult<Response> {
    let session = session(req, app)
        .await?
        .ok_or_else(|| AppError::Forbidden("Sign in first: this form needs a session.".into()))?;
    same_origin(req, app)?;
    let max = app.media_max_bytes();
    let declared = req.headers().get("Content-Length")?.unwrap_or_default();
    if declared.parse::<usize>().is_ok_and(|n| n > max + 64 * 1024) {
        return Err(AppError::PayloadTooLarge(format!(
            "Files may be at most {} MB.",
            max / 1_000_000
        )));
    }
    let form = req.form_data().await.map_err(|_| {
        AppError::BadRequest("The form could not be read (multipart/form-data).".into())
    })?;
    let field = |name: &str| match form.get(name) {
        Some(worker::FormEntry::Field(value)) => value,
        _ => String::new(),
    };
    if !token::secrets_match(&field("csrf"), &session.csrf) {
        return Err(AppError::Forbidden(
            "This form is not from this session (it may be old): open the page again.".into(),
        ));
    }
    let store = app.store()?;
    let Some(worker::FormEntry::File(file)) = form.get("file") else {
        let message = Some("Choose a file to upload.".to_string());
        return files(app, &store, &session, None, message, 422).await;
    };
    let bytes = file
        .bytes()
        .await
        .map_err(|e| AppError::BadRequest(format!("The file could not be read: {e}")))?;
    match media::store_file(app, &store, bytes, &file.name(), &field("alt")).await {
        Ok((stored, created)) => {
            let what = if created { "Stored" } else { "Already there" };
            let notice = format!("{what}: {}", stored.path());
            let encoded: String = form_urlencoded::byte_serialize(notice.as_bytes()).collect();
            http::see_other(&format!("/admin/files?done={encoded}"))
        }
        Err(
            e @ (AppError::UnsupportedMediaType(_)
            | AppError::PayloadTooLarge(_)
            | AppError::Unprocessable { .. }
            | AppError::BadRequest(_)),
        ) => {
            let message = match &e {
                AppError::Unprocessable { fields, .. } => {
                    fields.values().next().cloned().unwrap_or_default()
                }
                other => other.message(),
            };
            files(app, &store, &session, None, Some(message), e.status()).await
        }
        Err(other) => Err(other),
    }
}

/// Adds a client's keyed hash to the blocked senders (`comment_blocked_clients`).
async fn block_sender(store: &Store, client: &str) -> AppResult<()> {
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

/// A post or page in the list.
struct EntryRow {
    slug: String,
    title: String,
    kind: &'static str,
    status: &'static str,
    date: String,
    path: String,
    visible: bool,
}

#[derive(Template)]
#[template(path = "admin/entries.html")]
struct EntriesPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    entries: Vec<EntryRow>,
}

async fn entries(
    app: &App,
    store: &Store,
    session: &Session,
    done: Option<String>,
) -> AppResult<Response> {
    let now = runtime::now();
    let utc = FixedZone::UTC;
    let (rows, _total) = store.entries(None, 200, 0).await?;
    let entries = rows
        .into_iter()
        .map(|p| EntryRow {
            status: match (p.status, p.is_scheduled(now)) {
                (PostStatus::Draft, _) => "draft",
                (_, true) => "scheduled",
                _ => "published",
            },
            kind: if p.is_page { "page" } else { "post" },
            date: p
                .published_at
                .map(|t| dates::long_date(t, &utc))
                .unwrap_or_default(),
            visible: p.is_visible(now),
            slug: p.slug,
            title: p.title,
            path: p.path,
        })
        .collect();
    let page = EntriesPage {
        section: "entries",
        csrf: &session.csrf,
        notice: done,
        entries,
    };
    screen(app, "Posts and pages", &page, 200).await
}

/// What the editor's fields hold.
#[derive(Debug, Default, Clone)]
struct Draft {
    title: String,
    slug: String,
    body: String,
    tags: String,
    kind: String,
    status: String,
    /// `YYYY-MM-DDTHH:MM`, UTC (a `datetime-local` field).
    published_at: String,
    /// A page's parent (a slug), place in the menu and whether it is in it (`yes`/`no`).
    parent: String,
    menu_order: String,
    in_menu: String,
}

impl Draft {
    fn from_record(p: &PostRecord) -> Self {
        Draft {
            title: p.title.clone(),
            slug: p.slug.clone(),
            body: p.body.clone(),
            tags: p.tags.join(", "),
            kind: if p.is_page { "page" } else { "post" }.into(),
            status: p.status.as_str().into(),
            published_at: p
                .published_at
                .map(|t| dates::rfc3339_utc(t).chars().take(16).collect())
                .unwrap_or_default(),
            parent: p.parent.clone().unwrap_or_default(),
            menu_order: p.menu_order.to_string(),
            in_menu: if p.in_menu { "yes" } else { "no" }.into(),
        }
    }

    fn from_form(form: &Form) -> Self {
        let field = |name: &str| form.get(name).unwrap_or_default().to_string();
        Draft {
            title: field("title"),
            slug: field("slug"),
            body: field("body").replace("\r\n", "\n"),
            tags: field("tags"),
            kind: field("type"),
            status: field("status"),
            published_at: field("published_at"),
            parent: field("parent"),
            menu_order: field("menu_order"),
            in_menu: field("in_menu"),
        }
    }

    /// The admin API's JSON for these fields (`creating`: with the type and an optional slug).
    fn json(&self, creating: bool) -> Value {
        let tags: Vec<String> = self
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let mut fields = json!({
            "title": self.title,
            "body": self.body,
            "status": if self.status == "draft" { "draft" } else { "published" },
        });
        if self.kind == "page" {
            let parent = self.parent.trim();
            fields["parent"] = if parent.is_empty() {
                Value::Null
            } else {
                json!(parent)
            };
            let order = self.menu_order.trim();
            if !order.is_empty() {
                // A number as the API wants it; anything else is passed on for it to refuse.
                fields["menu_order"] = order.parse::<i64>().map_or(json!(order), |n| json!(n));
            }
            fields["in_menu"] = json!(self.in_menu != "no");
        } else {
            fields["tags"] = json!(tags);
        }
        if !self.published_at.trim().is_empty() {
            let at = self.published_at.trim();
            fields["published_at"] = json!(if at.len() == 16 {
                format!("{at}:00Z")
            } else {
                at.to_string()
            });
        }
        if creating {
            fields["type"] = json!(if self.kind == "page" { "page" } else { "post" });
            if !self.slug.trim().is_empty() {
                fields["slug"] = json!(self.slug.trim());
            }
        } else if !self.slug.trim().is_empty() {
            fields["slug"] = json!(self.slug.trim());
        }
        fields
    }
}

/// A field of the editor.
struct Field {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    hint: Option<&'static str>,
    error: Option<String>,
    options: Vec<(&'static str, &'static str)>,
}

impl Field {
    /// A `<select>`: its (name, label), its (value, default when empty), the (value, words) of
    /// its options, a hint and an error.
    fn select(
        (name, label): (&'static str, &'static str),
        (value, default): (&str, &'static str),
        options: Vec<(&'static str, &'static str)>,
        hint: Option<&'static str>,
        error: Option<String>,
    ) -> Self {
        Field {
            name,
            label,
            kind: "select",
            value: if value.is_empty() { default } else { value }.to_string(),
            hint,
            error,
            options,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/edit.html")]
struct EditPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    heading: String,
    message: Option<&'a str>,
    view_url: Option<String>,
    /// A draft's (or scheduled entry's) shareable preview link.
    share_url: Option<String>,
    delete_url: Option<String>,
    action: String,
    fields: Vec<Field>,
    preview: Option<String>,
    addendum_action: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn editor_page(
    app: &App,
    session: &Session,
    record: Option<&PostRecord>,
    draft: &Draft,
    errors: Option<&blog_core::validation::FieldErrors>,
    done: Option<String>,
    preview: Option<String>,
    status: u16,
) -> AppResult<Response> {
    let error = |name: &str| errors.and_then(|e| e.get(name)).cloned();
    let mut fields = vec![
        Field {
            name: "title",
            label: "Title",
            kind: "text",
            value: draft.title.clone(),
            hint: None,
            error: error("title"),
            options: vec![],
        },
        Field {
            name: "body",
            label: "Text (Markdown)",
            kind: "textarea",
            value: draft.body.clone(),
            hint: None,
            error: error("body"),
            options: vec![],
        },
        Field {
            name: "tags",
            label: "Tags",
            kind: "text",
            value: draft.tags.clone(),
            hint: Some("Separated by commas; pages have none."),
            error: error("tags"),
            options: vec![],
        },
        Field::select(
            ("status", "Status"),
            (&draft.status, "draft"),
            vec![("draft", "Draft"), ("published", "Published")],
            None,
            error("status"),
        ),
        Field {
            name: "published_at",
            label: "Date (UTC)",
            kind: "datetime-local",
            value: draft.published_at.clone(),
            hint: Some("Empty: now, when published. A time to come schedules it."),
            error: error("published_at"),
            options: vec![],
        },
        Field {
            name: "slug",
            label: "Slug",
            kind: "text",
            value: draft.slug.clone(),
            hint: Some("The address: lower-case words and hyphens; empty: made from the title."),
            error: error("slug"),
            options: vec![],
        },
    ];
    if record.is_none_or(|r| r.is_page) {
        fields.push(Field {
            name: "parent",
            label: "Parent page",
            kind: "text",
            value: draft.parent.clone(),
            hint: Some("Pages only: the slug of the page it goes under; empty: the top level."),
            error: error("parent"),
            options: vec![],
        });
        fields.push(Field {
            name: "menu_order",
            label: "Place in the menu",
            kind: "number",
            value: draft.menu_order.clone(),
            hint: Some("Pages only: smaller comes first."),
            error: error("menu_order"),
            options: vec![],
        });
        fields.push(Field::select(
            ("in_menu", "In the site menu"),
            (&draft.in_menu, "yes"),
            vec![("yes", "Yes"), ("no", "No")],
            Some("Pages only: top-level pages are in the menu unless this says no."),
            error("in_menu"),
        ));
    }
    if record.is_none() {
        fields.push(Field::select(
            ("type", "Type"),
            (&draft.kind, "post"),
            vec![("post", "Post"), ("page", "Page")],
            None,
            error("type"),
        ));
    }
    let blog = app.blog().await?;
    let heading = match record {
        Some(r) => format!("Edit “{}”", r.title),
        None => "Write".to_string(),
    };
    let page = EditPage {
        section: "entries",
        csrf: &session.csrf,
        notice: done.map(|d| match d.as_str() {
            "saved" => "Saved.".to_string(),
            "addendum" => "The addendum is added.".to_string(),
            other => other.to_string(),
        }),
        heading: heading.clone(),
        message: errors.map(|_| "Please check the fields marked below."),
        view_url: record
            .filter(|r| r.is_visible(runtime::now()))
            .map(|r| blog.url(&r.path)),
        share_url: match record.filter(|r| !r.is_visible(runtime::now())) {
            Some(r) => {
                let expires = runtime::now() + token::PREVIEW_SECONDS;
                let link = token::preview_token(&key(app)?, r.id, expires);
                Some(blog.url(&format!("/preview/{}/{link}", r.slug)))
            }
            None => None,
        },
        delete_url: record.map(|r| format!("/admin/entries/{}/delete", r.slug)),
        action: match record {
            Some(r) => format!("/admin/entries/{}", r.slug),
            None => "/admin/entries/new".into(),
        },
        fields,
        preview,
        addendum_action: record.map(|r| format!("/admin/entries/{}/addenda", r.slug)),
    };
    screen(app, &heading, &page, status).await
}

/// The editor's `POST`: a preview (rendered, not saved) or a save through the admin API's rules.
async fn save_entry(
    app: &App,
    store: &Store,
    session: &Session,
    record: Option<&PostRecord>,
    form: &Form,
) -> AppResult<Response> {
    let mut draft = Draft::from_form(form);
    if let Some(r) = record {
        draft.kind = if r.is_page { "page" } else { "post" }.into();
    }
    if form.get("do") == Some("preview") {
        let rendered = blog_markdown::render(&draft.body, &[]);
        return editor_page(
            app,
            session,
            record,
            &draft,
            None,
            None,
            Some(rendered.html),
            200,
        )
        .await;
    }
    let result = match record {
        None => posts::create(app, store, &draft.json(true)).await,
        Some(r) => posts::update(app, store, &r.slug, &draft.json(false)).await,
    };
    match result {
        Ok(mut response) => {
            let saved: blog_core::api::Post = response
                .json()
                .await
                .map_err(|e| AppError::Internal(format!("the saved post did not read: {e}")))?;
            http::see_other(&format!("/admin/entries/{}?done=saved", saved.slug))
        }
        Err(AppError::Unprocessable { fields, .. }) => {
            editor_page(app, session, record, &draft, Some(&fields), None, None, 422).await
        }
        Err(AppError::Conflict(why)) => {
            let fields = blog_core::validation::FieldErrors::from([("slug".to_string(), why)]);
            editor_page(app, session, record, &draft, Some(&fields), None, None, 409).await
        }
        Err(other) => Err(other),
    }
}
