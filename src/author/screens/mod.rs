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
//! - Screens, a module each: [`sign_in`], the moderation queue ([`queue`]), posts and pages
//!   ([`entries`]) with a Markdown editor and a server-side preview ([`editor`]), the outbox
//!   ([`mail`]), redirects and the not-found log ([`addresses`]), the media library ([`files`]).
//!   The lists go page by page ([`Pager`], `?page=`): a screen reads one page, never the table.
//! - Every screen is `Cache-Control: private, no-store`, `noindex`, under the blog's CSP (no
//!   script), and never stored in KV or the Cache API.

use askama::Template;
use blog_core::api::EntryKind;
use blog_core::comment_text;
use blog_core::dates::{self, FixedZone};
use blog_core::model::{CommentStatus, PostRecord, PostStatus};
use blog_core::token;
use serde_json::{json, Value};
use worker::{Method, Request, Response};

use super::{access, comments, media, posts};

mod addresses;
mod editor;
mod entries;
mod files;
mod mail;
mod newsletter;
mod queue;
mod sign_in;

use addresses::{addresses, change_addresses, Typed};
use editor::{delete_page, editor_page, save_entry, Draft};
use entries::entries;
use files::{files, upload};
use mail::mail;
use newsletter::{add_pasted, newsletter_page};
use queue::{act_on_queue, queue};
use sign_in::{sign_in, sign_in_page};

use crate::edge::error::{AppError, AppResult};
use crate::edge::layout::{self, PageMeta};
use crate::edge::{http, runtime, App};
use crate::store::Store;
pub use editor::preview;

const COOKIE: &str = "blog_admin";
/// Wrong tokens one client may send per window before it must wait.
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: i64 = 900;
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The first path segments under `/admin/` that are screens (the rest is the JSON API).
const SCREENS: [&str; 8] = [
    "sign-in",
    "sign-out",
    "queue",
    "entries",
    "addresses",
    "mail",
    "files",
    "newsletter",
];

/// Whether `path` is a screen (`/admin/` itself, the sign-in page, the queue, the editor).
pub fn is_screen(path: &str) -> bool {
    let rest = path.trim_start_matches("/admin").trim_start_matches('/');
    rest.is_empty() || SCREENS.contains(&rest.split('/').next().unwrap_or_default())
}

/// Rows on one page of a list screen.
const ROWS_PER_PAGE: u32 = 50;

/// Where a list screen stands: the rows it shows of how many, and links to the pages beside it
/// (`templates/admin/pager.html`).
pub(super) struct Pager {
    summary: String,
    newer: Option<String>,
    older: Option<String>,
}

impl Pager {
    /// Page `page` (from 1) of a list at `base` (a path, with its query if any) showing `shown`
    /// rows; `total` when the list's size is kept, else `more` says whether a page follows.
    fn new(base: &str, page: u32, shown: usize, total: Option<u32>, more: bool) -> Self {
        let link = |n: u32| match (n, base.contains('?')) {
            (1, _) => base.to_string(),
            (n, true) => format!("{base}&page={n}"),
            (n, false) => format!("{base}?page={n}"),
        };
        let first = (page - 1) * ROWS_PER_PAGE + 1;
        let last = first - 1 + shown as u32;
        let more = total.map_or(more, |total| last < total);
        let summary = match (shown, total) {
            (0, _) => String::new(),
            (_, Some(total)) => format!("{first}–{last} of {total}"),
            (_, None) => format!("{first}–{last}"),
        };
        Pager {
            summary,
            newer: (page > 1).then(|| link(page - 1)),
            older: more.then(|| link(page + 1)),
        }
    }

    /// The rows to skip for page `page`.
    fn offset(page: u32) -> u32 {
        (page - 1).saturating_mul(ROWS_PER_PAGE)
    }
}

/// A list screen's `page` parameter: a number from 1 to 10,000, else a clear 400.
fn page_number(value: Option<String>) -> AppResult<u32> {
    match value {
        None => Ok(1),
        Some(v) => v
            .parse()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| AppError::BadRequest("page must be a number from 1 to 10000.".into())),
    }
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
                let page = page_number(param("page"))?;
                queue(app, &store, &session, status, page, param("done")).await
            }
            ["entries"] => {
                let kind = match param("type").as_deref() {
                    None | Some("") => None,
                    Some("post") => Some(EntryKind::Post),
                    Some("page") => Some(EntryKind::Page),
                    Some(_) => {
                        return Err(AppError::BadRequest("type must be post or page.".into()))
                    }
                };
                let page = page_number(param("page"))?;
                entries(app, &store, &session, kind, page, param("done")).await
            }
            ["mail"] => {
                let status = param("status")
                    .as_deref()
                    .and_then(blog_core::email::OutboxStatus::parse)
                    .unwrap_or(blog_core::email::OutboxStatus::Pending);
                mail(app, &store, &session, status, page_number(param("page"))?).await
            }
            ["files"] => {
                let page = page_number(param("page"))?;
                files(app, &store, &session, page, param("done"), None, 200).await
            }
            ["newsletter", "export"] => crate::author::newsletter::admin::export(&store).await,
            ["newsletter"] => {
                let status = param("status")
                    .as_deref()
                    .and_then(blog_core::newsletter::SubscriberStatus::parse)
                    .unwrap_or(blog_core::newsletter::SubscriberStatus::Confirmed);
                let page = page_number(param("page"))?;
                let (notice, typed) = (param("done"), String::new());
                newsletter_page(app, &store, &session, (status, page), notice, typed, 200).await
            }
            ["addresses"] => {
                let page = page_number(param("page"))?;
                let typed = Typed::default();
                addresses(app, &store, &session, page, param("done"), typed, 200).await
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
                delete_page(app, &session, &record).await
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
                files(app, &store, &session, 1, None, Some(why), 409).await
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
        ["newsletter", "import"] => add_pasted(app, &store, &session, &form).await,
        ["newsletter", action @ ("remove" | "test")] => {
            newsletter::act(app, &store, action, &form).await
        }
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
