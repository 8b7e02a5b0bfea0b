//! The HTTP layer: routes a request to the domain, and turns answers and errors into responses.
//! Nothing here knows SQL or markup.

use std::cell::{OnceCell, RefCell};

use worker::{Context, Env, Headers, Method, Request, Response};

use crate::cache::{self, CachedPage};
use crate::config::Blog;
use crate::error::{AppError, AppResult};
use crate::pages::FormView;
use crate::routes::{self, Page, Route};
use crate::runtime::{self, IntlZone};
use crate::spam::SpamConfig;
use crate::store::Store;
use crate::{admin, commenting, pages, rendering, token};

/// Applied to every HTML page: no script may run, the page may not be framed.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What every handler needs: settings, bindings, and the request's context (absent for the
/// cron job) for work that may finish after the response.
pub struct App {
    /// Read from the vars when first needed: a cached page needs only `BASE_URL`.
    blog: OnceCell<Blog>,
    base_url: OnceCell<String>,
    env: Env,
    ctx: Option<Context>,
    /// The pages purged while handling this request (see [`purge`]).
    purged: RefCell<Vec<Page>>,
}

impl App {
    pub fn new(env: Env, ctx: Option<Context>) -> Self {
        App {
            blog: OnceCell::new(),
            base_url: OnceCell::new(),
            env,
            ctx,
            purged: RefCell::new(Vec::new()),
        }
    }

    /// Runs `work` after the response is sent when there is a request context, else now.
    async fn after_response(&self, work: impl std::future::Future<Output = ()> + 'static) {
        match &self.ctx {
            Some(ctx) => ctx.wait_until(work),
            None => work.await,
        }
    }

    /// The blog's settings (`[vars]`).
    pub fn blog(&self) -> &Blog {
        self.blog
            .get_or_init(|| Blog::from_vars(|name| self.env.var(name).ok().map(|v| v.to_string())))
    }

    /// `BASE_URL` alone: what a cached page needs of the settings (its cache key).
    fn base_url(&self) -> &str {
        self.base_url
            .get_or_init(|| crate::config::base_url(self.var("BASE_URL")))
    }

    pub fn store(&self) -> AppResult<Store> {
        Ok(Store::new(self.env.d1("DB")?))
    }

    /// The page cache, when the binding exists (pages are rendered from D1 without it).
    pub fn kv(&self) -> Option<worker::kv::KvStore> {
        self.env.kv("CACHE").ok()
    }

    pub fn admin_token(&self) -> Option<String> {
        self.secret("ADMIN_TOKEN")
    }

    /// The key for the comment form's tokens and the client hashes.
    pub fn form_secret(&self) -> Option<String> {
        self.secret("FORM_SECRET")
    }

    pub fn akismet_key(&self) -> Option<String> {
        self.secret("AKISMET_KEY")
    }

    /// Akismet's comment-check URL (`AKISMET_ENDPOINT` points the Worker at a fake in tests).
    pub fn akismet_endpoint(&self) -> String {
        self.var("AKISMET_ENDPOINT")
            .unwrap_or_else(|| crate::akismet::DEFAULT_ENDPOINT.to_string())
    }

    pub fn spam_config(&self) -> SpamConfig {
        SpamConfig::from_vars(|name| self.var(name))
    }

    /// `COMMENTS_CLOSE_AFTER_DAYS`: comments close this long after a post is published.
    pub fn comments_close_after_days(&self) -> Option<i64> {
        self.var("COMMENTS_CLOSE_AFTER_DAYS")
            .and_then(|v| v.trim().parse().ok())
            .filter(|d: &i64| *d > 0)
    }

    /// Only the benchmark's configuration sets `BENCH_FORCE_MISS`; with it, a request with
    /// `X-Bench-Miss: 1` skips the cache reads, to time the uncached path.
    fn bench_force_miss(&self, req: &Request) -> bool {
        req.headers().get("X-Bench-Miss").ok().flatten().as_deref() == Some("1")
            && self.var("BENCH_FORCE_MISS").as_deref() == Some("1")
    }

    fn var(&self, name: &str) -> Option<String> {
        self.env
            .var(name)
            .ok()
            .map(|v| v.to_string())
            .filter(|v| !v.trim().is_empty())
    }

    /// A secret (or, locally, a var of the same name).
    fn secret(&self, name: &str) -> Option<String> {
        self.env
            .secret(name)
            .ok()
            .map(|s| s.to_string())
            .filter(|s| !s.is_empty())
    }
}

/// After a change in a post's approved comments: its page, its comment feed and the listing page
/// that shows its response count.
pub async fn purge_post(app: &App, store: &Store, post_id: i64, slug: &str) -> AppResult<()> {
    let placement = store.placement(Some(post_id), runtime::now()).await?;
    let threads = store.thread_count(post_id).await?;
    let mut pages = vec![
        Page::Post {
            slug: slug.to_string(),
        },
        Page::CommentFeed {
            slug: slug.to_string(),
        },
    ];
    pages.extend(placement.rank.map(cache::listing_page));
    pages.extend(cache::comment_pages(slug, threads));
    purge(app, &pages).await;
    Ok(())
}

/// Drops cached pages after a change, from this data centre's Cache API and from KV. A failing
/// KV is logged, not fatal: the change is already stored, and cached pages expire on their own.
/// The pages are also remembered: the author Worker names them to the reader Worker, which
/// drops them from the Cache API of the data centre where the author works (see
/// [`handle_author`]).
pub async fn purge(app: &App, pages: &[Page]) {
    app.purged.borrow_mut().extend_from_slice(pages);
    cache::edge_purge(app.base_url(), pages).await;
    if let Some(kv) = app.kv() {
        if let Err(e) = cache::purge(&kv, pages).await {
            worker::console_error!("purging {} cached pages failed: {e}", pages.len());
        }
    }
}

fn is_admin_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

/// Entry point of the reader Worker: every page, the comment form, search. The admin API lives
/// in the author Worker (see [`handle_author`]), reached through the `AUTHOR` service binding,
/// so that a reader's cold start never loads the Markdown renderer or the admin code.
pub async fn handle(mut req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let app = App::new(env, Some(ctx));
    let head = req.method() == Method::Head;
    let path = req.path();
    if is_admin_path(&path) {
        return match forward_to_author(req, &app).await {
            Ok(response) => Ok(response),
            Err(error) => json_error(&error),
        };
    }
    let response = match route(&mut req, &app, &path).await {
        Ok(response) => response,
        Err(error) => error_page(app.blog(), &error)?,
    };
    if head {
        strip_body(response)
    } else {
        Ok(response)
    }
}

/// Passes an admin request to the author Worker, then drops from this data centre's Cache API
/// the pages its answer names (the author Worker runs outside the blog's zone, where the Cache
/// API does nothing; KV it purged itself).
async fn forward_to_author(req: Request, app: &App) -> AppResult<Response> {
    let author = app.env.service("AUTHOR").map_err(|_| {
        AppError::Unavailable(
            "The admin API runs in the author Worker: bind it as AUTHOR (see wrangler.toml)."
                .into(),
        )
    })?;
    let response = author.fetch_request(req).await?;
    let Some(purged) = response.headers().get(cache::PURGE_HEADER)? else {
        return Ok(response);
    };
    cache::edge_purge(app.base_url(), &cache::pages_from_purge_header(&purged)).await;
    let headers = response.headers().clone();
    headers.delete(cache::PURGE_HEADER)?;
    Ok(response.with_headers(headers))
}

/// Entry point of the author Worker: the admin API under `/admin/`, reached through the reader
/// Worker's `AUTHOR` binding. Its answers name the pages it purged in a header for the reader.
pub async fn handle_author(mut req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let app = App::new(env, Some(ctx));
    let path = req.path();
    let result = if is_admin_path(&path) {
        admin::handle(&mut req, &app, &path).await
    } else {
        Err(AppError::NotFound)
    };
    let response = match result {
        Ok(response) => response,
        Err(error) => json_error(&error)?,
    };
    drain_unread_body(&mut req).await;
    let purged = app.purged.borrow();
    if !purged.is_empty() {
        response
            .headers()
            .set(cache::PURGE_HEADER, &cache::purge_header(&purged))?;
    }
    Ok(response)
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

async fn route(req: &mut Request, app: &App, path: &str) -> AppResult<Response> {
    let route = routes::route_for(path).ok_or(AppError::NotFound)?;
    let method = req.method();
    let readable = matches!(method, Method::Get | Method::Head);
    match route {
        Route::Page(page) if readable => serve_page(req, app, page).await,
        Route::Reply { slug, parent } if readable => {
            commenting::reply_page(app, &slug, parent).await
        }
        Route::Held { slug, id, key } if readable => {
            commenting::held_page(app, &slug, id, &key).await
        }
        Route::Comments { slug } if method == Method::Post => {
            commenting::post_comment(req, app, &slug).await
        }
        Route::Search if readable => search(req, app).await,
        Route::Comments { .. } => Err(AppError::MethodNotAllowed("POST")),
        _ => Err(AppError::MethodNotAllowed("GET, HEAD")),
    }
}

/// Serves a reader's page from KV when it can, else renders it from D1 and stores it.
/// Serves a reader's page from the nearest layer that has it (see `cache`): this data centre's
/// Cache API, then KV, then D1 and the templates. A copy goes back into the layers it missed.
async fn serve_page(req: &Request, app: &App, page: Page) -> AppResult<Response> {
    let edge_key = cache::edge_key(app.base_url(), &page);
    let force_miss = app.bench_force_miss(req);
    if !force_miss {
        if let Some(found) = cache::edge_get(&edge_key).await {
            return edge_response(req, found);
        }
    }
    let kv = app.kv();
    let mut state = "hit";
    let cached = match kv.as_ref() {
        Some(kv) if !force_miss => cache::get(kv, &page).await,
        _ => None,
    };
    let cached = match cached {
        Some(cached) => cached,
        None => {
            let rendered = render(app, &page).await?;
            let cached = CachedPage::new(rendered.html);
            if !rendered.cacheable {
                // Kept out of every cache until the author Worker stores fresh renders.
                let headers = page_headers(&page, &cached.etag, "uncached")?;
                headers.set("Cache-Control", cache::NO_STORE)?;
                return Ok(Response::from_bytes(cached.html.into_bytes())?.with_headers(headers));
            }
            state = "miss";
            if let Some(kv) = &kv {
                cache::put(kv, &page, &cached).await;
            }
            cached
        }
    };
    let copy = cache::edge_response(&cached, page_headers(&page, &cached.etag, "edge")?)?;
    app.after_response(cache::edge_put(edge_key, copy)).await;
    page_response(req, &page, &cached, state)
}

/// A page that this data centre's Cache API had: passed on as it is, or as a 304.
fn edge_response(req: &Request, found: Response) -> AppResult<Response> {
    if let Some(if_none_match) = req.headers().get("If-None-Match")? {
        let etag = found.headers().get("ETag")?.unwrap_or_default();
        if !etag.is_empty() && cache::etag_matches(&if_none_match, &etag) {
            let headers = found.headers().clone();
            return Ok(Response::empty()?.with_status(304).with_headers(headers));
        }
    }
    Ok(found)
}

fn page_headers(page: &Page, etag: &str, cache_state: &str) -> AppResult<Headers> {
    let headers = html_headers(cache::PAGE_CACHE_CONTROL)?;
    headers.set("Content-Type", page.content_type())?;
    headers.set("ETag", etag)?;
    headers.set("Cache-Tag", &cache::cache_tags(page))?;
    headers.set("X-Blog-Cache", cache_state)?;
    Ok(headers)
}

/// A page rendered from D1. Not `cacheable` when it shows rows whose stored HTML is stale (see
/// `rendering`): such a page is right for now but must not outlive the fresh renders.
struct RenderedPage {
    html: String,
    cacheable: bool,
}

async fn render(app: &App, page: &Page) -> AppResult<RenderedPage> {
    let mut cacheable = true;
    let html = render_html(app, page, &mut cacheable).await?;
    Ok(RenderedPage { html, cacheable })
}

async fn render_html(app: &App, page: &Page, cacheable: &mut bool) -> AppResult<String> {
    if let Page::Robots = page {
        return Ok(pages::robots(app.blog()));
    }
    let store = app.store()?;
    let zone = IntlZone::new(&app.blog().time_zone);
    let now = runtime::now();
    let offset = |page: u32| (page - 1).saturating_mul(pages::PER_PAGE);
    match page {
        Page::Home { page } => {
            let listing = store.listing(now, pages::PER_PAGE, offset(*page)).await?;
            if *page > 1 && listing.posts.is_empty() {
                return Err(AppError::NotFound);
            }
            *cacheable = !rendering::listing_is_stale(&listing);
            Ok(pages::home(app.blog(), &zone, &listing, *page))
        }
        Page::Tag { tag, page } => {
            let (name, listing) = store
                .tag_listing(tag, now, pages::PER_PAGE, offset(*page))
                .await?
                .filter(|(_, listing)| !listing.posts.is_empty())
                .ok_or(AppError::NotFound)?;
            *cacheable = !rendering::listing_is_stale(&listing);
            Ok(pages::tag(app.blog(), &zone, tag, &name, &listing, *page))
        }
        Page::Post { slug } | Page::PostComments { slug, .. } => {
            let comment_page = match page {
                Page::PostComments { page, .. } => *page,
                _ => 1,
            };
            let data = store
                .post_page(slug, now, comment_page, pages::COMMENT_THREADS_PER_PAGE)
                .await?
                .filter(|data| comment_page == 1 || !data.comments.is_empty())
                .ok_or(AppError::NotFound)?;
            *cacheable = !rendering::post_page_is_stale(&data);
            // The token is issued now and stays valid longer than the page stays cached.
            let token = app
                .form_secret()
                .map(|secret| token::issue_form_token(&secret, data.post.id, now))
                .unwrap_or_default();
            Ok(pages::post(
                app.blog(),
                &zone,
                &data,
                comment_page,
                FormView::new(slug, token),
            ))
        }
        Page::CommentFeed { slug } => {
            let data = store
                .post_page(slug, now, 1, 0)
                .await?
                .ok_or(AppError::NotFound)?;
            let latest = store
                .latest_comments(data.post.id, pages::FEED_COMMENTS)
                .await?;
            Ok(pages::comment_feed(app.blog(), &data.post, &latest))
        }
        Page::AtomFeed | Page::RssFeed => {
            let (posts, addenda) = store.feed(now, pages::FEED_POSTS).await?;
            *cacheable = !rendering::feed_is_stale(&posts, &addenda);
            Ok(match page {
                Page::AtomFeed => pages::atom(app.blog(), &zone, &posts, &addenda),
                _ => pages::rss(app.blog(), &zone, &posts, &addenda),
            })
        }
        Page::Sitemap => Ok(pages::sitemap(app.blog(), &store.sitemap(now).await?)),
        Page::Robots => Ok(pages::robots(app.blog())),
    }
}

/// `GET /search?q=…&page=n`. Results are not kept in KV (queries are unbounded); shared caches
/// may keep them a minute.
async fn search(req: &Request, app: &App) -> AppResult<Response> {
    let url = req.inner().url();
    let query_string = url.split_once('?').map_or("", |(_, q)| q);
    let mut query = String::new();
    let mut page = 1u32;
    for (key, value) in form_urlencoded::parse(query_string.as_bytes()) {
        match key.as_ref() {
            "q" if query.is_empty() => {
                query = value.chars().take(crate::search::MAX_QUERY_CHARS).collect()
            }
            "page" => {
                page = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| {
                        AppError::BadRequest("page must be a number from 1 to 1000.".into())
                    })?
            }
            _ => {}
        }
    }
    let (hits, total) = match crate::search::fts_query(&query) {
        Some(fts) => {
            let offset = (page - 1) * pages::PER_PAGE;
            app.store()?
                .search(&fts, runtime::now(), pages::PER_PAGE, offset)
                .await?
        }
        None => (Vec::new(), 0),
    };
    let zone = IntlZone::new(&app.blog().time_zone);
    let html = pages::search(app.blog(), &zone, &query, &hits, total, page);
    html_response(200, &html, "public, max-age=0, s-maxage=60")
}

fn page_response(
    req: &Request,
    page: &Page,
    cached: &CachedPage,
    cache_state: &str,
) -> AppResult<Response> {
    let headers = page_headers(page, &cached.etag, cache_state)?;
    let if_none_match = req.headers().get("If-None-Match")?.unwrap_or_default();
    if cache::etag_matches(&if_none_match, &cached.etag) {
        return Ok(Response::empty()?.with_status(304).with_headers(headers));
    }
    Ok(Response::from_bytes(cached.html.as_bytes().to_vec())?.with_headers(headers))
}

/// Reads a request body of one media type and at most `max_bytes`: 415 with `wrong_type` for
/// another type, 413 when larger (by `Content-Length` before reading, and after).
pub async fn read_body(
    req: &mut Request,
    media_type: &str,
    max_bytes: usize,
    wrong_type: &str,
) -> AppResult<Vec<u8>> {
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    let content_type = header("Content-Type");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != media_type {
        return Err(AppError::UnsupportedMediaType(wrong_type.to_string()));
    }
    let too_large =
        || AppError::PayloadTooLarge(format!("The body may be at most {} KB.", max_bytes / 1024));
    if header("Content-Length")
        .parse::<usize>()
        .is_ok_and(|n| n > max_bytes)
    {
        return Err(too_large());
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|e| AppError::BadRequest(format!("The body could not be read: {e}")))?;
    if bytes.len() > max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// An uncached HTML answer (forms, held comments).
pub fn html_response(status: u16, html: &str, cache_control: &str) -> AppResult<Response> {
    let headers = html_headers(cache_control)?;
    Ok(Response::from_html(html)?
        .with_status(status)
        .with_headers(headers))
}

fn html_headers(cache_control: &str) -> AppResult<Headers> {
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", cache_control)?;
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY)?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Referrer-Policy", "strict-origin-when-cross-origin")?;
    Ok(headers)
}

fn log_if_internal(error: &AppError) {
    if let AppError::Unavailable(cause) = error {
        worker::console_error!("{cause}");
    }
}

/// Headers every error answer carries, whatever its format.
fn error_headers(error: &AppError, headers: &Headers) -> worker::Result<()> {
    match error {
        AppError::MethodNotAllowed(allowed) => headers.set("Allow", allowed),
        AppError::Unavailable(_) => headers.set("Retry-After", "30"),
        AppError::Unauthorized(_) => headers.set("WWW-Authenticate", "Bearer realm=\"admin\""),
        _ => Ok(()),
    }
}

/// A reader's error: a page in the blog's layout with the status.
fn error_page(blog: &Blog, error: &AppError) -> worker::Result<Response> {
    log_if_internal(error);
    let status = error.status();
    let html = pages::error(blog, status, &error.message());
    let headers =
        html_headers(cache::NO_STORE).map_err(|e| worker::Error::RustError(e.to_string()))?;
    error_headers(error, &headers)?;
    Ok(Response::from_html(html.as_str())?
        .with_status(status)
        .with_headers(headers))
}

/// An admin API error: `{"error": "...", "fields": {...}}`.
fn json_error(error: &AppError) -> worker::Result<Response> {
    log_if_internal(error);
    let mut body = serde_json::json!({ "error": error.message() });
    if let Some(fields) = error.fields() {
        body["fields"] = serde_json::json!(fields);
    }
    let response = Response::from_json(&body)?.with_status(error.status());
    response.headers().set("Cache-Control", "no-store")?;
    error_headers(error, response.headers())?;
    Ok(response)
}

/// A HEAD answer: the GET answer's status and headers without the body.
fn strip_body(response: Response) -> worker::Result<Response> {
    let status = response.status_code();
    let headers = response.headers().clone();
    Ok(Response::empty()?.with_status(status).with_headers(headers))
}
