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
//! - A form sent after the session ended is not lost: the answer is the sign-in form carrying
//!   every field, and signing in completes what was sent ([`sign_in`]).
//! - Screens, a module each: [`sign_in`], the comments by status with search, editing and the
//!   author's replies ([`queue`], [`comment`]), posts and pages ([`entries`]) with a Markdown
//!   editor, images, addenda and a server-side preview ([`editor`]), the settings
//!   ([`settings`]), the outbox ([`mail`]), redirects and the not-found log ([`addresses`]), the
//!   media library ([`files`]), the newsletter ([`newsletter`]).
//! - One date format everywhere, on the blog's clock ([`Clock`]).
//!   The lists go page by page ([`Pager`], `?page=`): a screen reads one page, never the table.
//! - Every screen is `Cache-Control: private, no-store`, `noindex`, under the blog's CSP (no
//!   script), and never stored in KV or the Cache API.

use askama::Template;
use blog_core::api::EntryKind;
use blog_core::comment_text;
use blog_core::dates;
use blog_core::model::{CommentStatus, PostRecord, PostStatus};
use blog_core::token;
use serde_json::{json, Value};
use worker::{Method, Request, Response};

use super::api::record_id;
use super::{access, comments, media, posts};

mod addenda;
mod addresses;
mod comment;
mod draft;
mod editor;
mod entries;
mod files;
mod mail;
mod moderation;
mod newsletter;
mod queue;
mod revisions;
mod settings;
mod sign_in;
mod trash;

use addresses::{addresses, change_addresses, Typed};
use comment::{act_on_comment, comment_page};
use editor::{delete_page, editor_page, save_entry, Draft};
use entries::entries;
use files::{files, upload};
use mail::mail;
use newsletter::{add_pasted, newsletter_page};
use queue::{act_on_queue, queue, QueueView};
use sign_in::{carry_to_sign_in, sign_in, sign_in_page};

use crate::edge::error::{AppError, AppResult};
use crate::edge::layout::{self, PageMeta};
use crate::edge::runtime::IntlZone;
use crate::edge::{http, runtime, App};
use crate::store::Store;
pub use editor::preview;

const COOKIE: &str = "blog_admin";
/// Wrong tokens one client may send per window before it must wait.
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: i64 = 900;
const MAX_FORM_BYTES: usize = 1024 * 1024;
/// The admin's own CSS, kept out of the reader's pages (and the reader Worker).
const ADMIN_STYLE: &str = include_str!("../../../templates/admin/style.css");

/// The first path segments under `/admin/` that are screens (the rest is the JSON API).
const SCREENS: [&str; 10] = [
    "settings",
    "trash",
    "sign-in",
    "sign-out",
    "queue",
    "entries",
    "addresses",
    "mail",
    "files",
    "newsletter",
];

/// Whether `path` is a screen (`/admin/` itself, the sign-in page, the queue, the editor). The
/// author Worker asks only for requests without `Authorization`: `/admin/settings` is the
/// settings screen in a browser and the JSON API for `blogctl`.
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

/// A signed-in browser: the CSRF token its forms carry, and when it must sign in again (`None`
/// behind Cloudflare Access, which decides that itself).
struct Session {
    csrf: String,
    expires: Option<i64>,
}

/// Dates as every admin screen shows them: one format ("December 3, 2026 at 8:54 pm"), on the
/// blog's clock.
pub(super) struct Clock(IntlZone);

/// A moment on a screen: `<time datetime="…">…</time>`, made only of digits and month names.
pub(super) struct When {
    text: String,
    datetime: String,
}

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "<time datetime=\"{}\">{}</time>",
            self.datetime, self.text
        )
    }
}

impl Clock {
    async fn of(app: &App) -> AppResult<Clock> {
        Ok(Clock(IntlZone::new(&app.blog().await?.time_zone)))
    }

    fn when(&self, unix: i64) -> When {
        let (text, datetime) = dates::comment_stamps(unix, &self.0);
        When { text, datetime }
    }

    /// A `datetime-local` field's value.
    fn input(&self, unix: i64) -> String {
        dates::local_input(unix, &self.0)
    }

    /// A `datetime-local` field read on the blog's clock.
    fn parse_input(&self, text: &str) -> Option<i64> {
        dates::parse_local_input(text, &self.0)
    }
}

/// The library's newest images, as the editor's and the settings' selects offer them:
/// (address, "name – alt text").
async fn library_images(store: &Store) -> AppResult<Vec<(String, String)>> {
    let (rows, _) = store.media_list(100, 0).await?;
    Ok(rows
        .into_iter()
        .filter(|m| m.media_type.starts_with("image/") && m.width.is_some())
        .map(|m| {
            let words = if m.alt.is_empty() {
                m.name.clone()
            } else {
                format!("{} – {}", m.name, m.alt)
            };
            (m.path(), words)
        })
        .collect())
}

/// "1 file", "2 files".
pub(super) fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
                expires: None,
            })),
            Err(why) => Err(AppError::Forbidden(format!(
                "Cloudflare Access did not let this request in: {why}."
            ))),
        };
    }
    Ok(cookie(req).and_then(|c| {
        let expires = token::verify_session(&key, &c, runtime::now()).ok()?;
        Some(Session {
            csrf: token::csrf_token(&key, &c),
            expires: Some(expires),
        })
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

/// A submitted form's fields, in order (a field may repeat: the queue's selected ids), and its
/// files (a multipart form's).
struct Form {
    fields: Vec<(String, String)>,
    files: Vec<(String, worker::File)>,
}

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.fields
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A chosen file (an empty file input sends none).
    fn file(&self, name: &str) -> Option<&worker::File> {
        self.files.iter().find(|(k, _)| k == name).map(|(_, f)| f)
    }
}

/// Reads a form: `application/x-www-form-urlencoded` (at most [`MAX_FORM_BYTES`]) or
/// `multipart/form-data` (the forms with a file input; at most the media limit and a little).
async fn read_form(req: &mut Request, app: &App) -> AppResult<Form> {
    let kind = req.headers().get("Content-Type")?.unwrap_or_default();
    if !kind.starts_with("multipart/form-data") {
        let bytes = http::read_body(
            req,
            "application/x-www-form-urlencoded",
            MAX_FORM_BYTES,
            "The admin's forms are sent as application/x-www-form-urlencoded or multipart/form-data.",
        )
        .await?;
        let fields = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        return Ok(Form {
            fields,
            files: Vec::new(),
        });
    }
    let max = app.media_max_bytes();
    let declared = req.headers().get("Content-Length")?.unwrap_or_default();
    if declared
        .parse::<usize>()
        .is_ok_and(|n| n > max + MAX_FORM_BYTES)
    {
        return Err(AppError::PayloadTooLarge(format!(
            "Files may be at most {} MB.",
            max / 1_000_000
        )));
    }
    let data = req.form_data().await.map_err(|_| {
        AppError::BadRequest("The form could not be read (multipart/form-data).".into())
    })?;
    let unreadable = || AppError::BadRequest("The form's fields could not be read.".into());
    let entries = js_sys::try_iter(&data.into())
        .ok()
        .flatten()
        .ok_or_else(unreadable)?;
    let mut form = Form {
        fields: Vec::new(),
        files: Vec::new(),
    };
    for entry in entries {
        let pair: js_sys::Array = entry.map_err(|_| unreadable())?.into();
        let Some(name) = pair.get(0).as_string() else {
            continue;
        };
        let value = pair.get(1);
        match value.as_string() {
            Some(text) => form.fields.push((name, text)),
            None => {
                use wasm_bindgen::JsCast;
                let file: worker::worker_sys::web_sys::File = value.unchecked_into();
                if file.size() > 0.0 {
                    form.files.push((name, worker::File::from(file)));
                }
            }
        }
    }
    Ok(form)
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
                    Some("approved") => CommentStatus::Approved,
                    _ => CommentStatus::Pending,
                };
                let view = QueueView {
                    status,
                    page: page_number(param("page"))?,
                    search: param("q").unwrap_or_default().trim().to_string(),
                };
                queue(app, &store, &session, &view, param("done")).await
            }
            ["queue", id] => {
                let id = record_id(id)?;
                comment_page(app, &store, &session, id, None, param("done"), 200).await
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
            ["settings"] => {
                let typed = settings::Typed::default();
                settings::settings_page(app, &store, &session, typed, param("done"), 200).await
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
                let mut draft = Draft::default();
                if param("type").as_deref() == Some("page") {
                    draft.kind = "page".into();
                }
                let outcome = editor::Outcome::default();
                editor_page(app, &store, &session, None, &draft, outcome, 200).await
            }
            ["entries", slug] => {
                let record = posts::find(&store, slug).await?;
                let draft = Draft::from_record(&record, &Clock::of(app).await?);
                let outcome = editor::Outcome {
                    done: param("done"),
                    ..editor::Outcome::default()
                };
                editor_page(app, &store, &session, Some(&record), &draft, outcome, 200).await
            }
            ["entries", slug, "delete"] => {
                let record = posts::find(&store, slug).await?;
                delete_page(app, &session, &record).await
            }
            ["trash"] => {
                let page = page_number(param("page"))?;
                trash::trash_page(app, &store, &session, page, param("done")).await
            }
            ["entries", slug, "revisions", id] => {
                revisions::revision_page(app, &store, &session, slug, record_id(id)?).await
            }
            _ => Err(AppError::NotFound),
        };
    }
    if method != Method::Post {
        return Err(AppError::MethodNotAllowed("GET, POST"));
    }
    let Some(session) = signed_in else {
        if access::config(app).is_some() {
            return Err(AppError::Forbidden(
                "This admin is behind Cloudflare Access, and this request did not come through it."
                    .into(),
            ));
        }
        // The session ended while the author was working: keep what was sent.
        same_origin(req, app)?;
        let form = read_form(req, app).await?;
        let query = http::query_string(req);
        return carry_to_sign_in(app, &rest, &query, &form).await;
    };
    same_origin(req, app)?;
    let form = read_form(req, app).await?;
    if !token::secrets_match(form.get("csrf").unwrap_or_default(), &session.csrf) {
        return Err(AppError::Forbidden(
            "This form is not from this session (it may be old): open the page again.".into(),
        ));
    }
    let store = app.store()?;
    let query = http::query_string(req);
    act(app, &store, &session, &segments, &query, &form).await
}

/// Does what a checked form asks (`segments`: its path under `/admin/`, `query`: its query
/// string): from a signed-in browser, or from the sign-in form that carried it.
async fn act(
    app: &App,
    store: &Store,
    session: &Session,
    segments: &[&str],
    query: &str,
    form: &Form,
) -> AppResult<Response> {
    match segments {
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
        ["files"] => upload(app, store, session, form).await,
        ["files", "delete"] => {
            let id = form
                .get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .ok_or_else(|| AppError::BadRequest("Name the file to delete.".into()))?;
            match media::remove_file(app, store, id, false).await {
                Ok(()) => http::see_other("/admin/files?done=Deleted."),
                Err(AppError::Conflict(why)) => {
                    let why = why.replace(", or delete it anyway with ?force=1", "");
                    files(app, store, session, 1, None, Some(why), 409).await
                }
                Err(other) => Err(other),
            }
        }
        ["queue"] => act_on_queue(app, store, session, form, query).await,
        ["queue", id] => act_on_comment(app, store, session, record_id(id)?, form).await,
        ["settings"] => settings::save_settings(app, store, session, form).await,
        ["entries", "new"] => save_entry(app, store, session, None, form).await,
        ["addresses"] => change_addresses(app, store, session, form).await,
        ["newsletter", "import"] => add_pasted(app, store, session, form).await,
        ["newsletter", action @ ("remove" | "test")] => {
            newsletter::act(app, store, action, form).await
        }
        ["entries", slug] => {
            let record = posts::find(store, slug).await?;
            save_entry(app, store, session, Some(&record), form).await
        }
        ["entries", slug, "delete"] => {
            posts::delete(app, store, slug).await?;
            http::see_other("/admin/entries?done=Moved%20to%20the%20trash.")
        }
        ["trash", rest @ ..] => trash::act_on_trash(app, store, session, rest).await,
        ["entries", slug, "addenda"] => {
            addenda::add_addendum(app, store, session, slug, form).await
        }
        ["entries", slug, "revisions", id] => {
            revisions::restore(app, store, slug, record_id(id)?).await
        }
        ["entries", slug, "addenda", id] => {
            let id = record_id(id)?;
            addenda::change_addendum(app, store, session, slug, id, form).await
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
    let mut meta =
        PageMeta::new(blog, format!("{title} | {} admin", blog.title), "/admin/").noindex();
    meta.extra_style = ADMIN_STYLE;
    let html = layout::page(blog, &meta, content, 16 * 1024)?;
    let response = http::html_response(status, &html, "private, no-store")?;
    response.headers().set("X-Robots-Tag", "noindex")?;
    Ok(response)
}
