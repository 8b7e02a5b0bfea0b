//! The edge plumbing both Workers share: the request context ([`App`]: settings, bindings, the
//! pages a request purged), the page caches and their headers ([`cache`]), HTTP bodies and
//! answers ([`http`], [`headers`]), the page layout's shared parts ([`layout`]), what only the runtime knows
//! ([`runtime`]), and errors turned into responses in one place ([`error`]).

pub mod cache;
pub mod error;
pub mod headers;
pub mod http;
pub mod layout;
pub mod runtime;

use std::cell::{OnceCell, RefCell};

use blog_core::routes::Page;
use blog_core::settings::{self, Blog};
use blog_core::spam::SpamConfig;
use worker::{Context, Env};

use crate::store::Store;
use error::{AppError, AppResult};

/// What every handler needs: settings, bindings, and the request's context (absent for the
/// cron job) for work that may finish after the response.
pub struct App {
    /// Read from the vars when first needed: a cached page needs only `BASE_URL`.
    blog: OnceCell<Blog>,
    base_url: OnceCell<String>,
    env: Env,
    ctx: Option<Context>,
    /// The pages purged while handling this request (see [`App::purge`]).
    purged: RefCell<Vec<Page>>,
    /// The media files (by path) dropped while handling this request.
    purged_media: RefCell<Vec<String>>,
}

impl App {
    pub fn new(env: Env, ctx: Option<Context>) -> Self {
        App {
            blog: OnceCell::new(),
            base_url: OnceCell::new(),
            env,
            ctx,
            purged: RefCell::new(Vec::new()),
            purged_media: RefCell::new(Vec::new()),
        }
    }

    /// Runs `work` after the response is sent when there is a request context, else now.
    pub async fn after_response(&self, work: impl std::future::Future<Output = ()> + 'static) {
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
    pub fn base_url(&self) -> &str {
        self.base_url
            .get_or_init(|| settings::base_url(self.var("BASE_URL")))
    }

    /// The D1 database. Without the binding the deployment is broken, not busy: a 500.
    pub fn store(&self) -> AppResult<Store> {
        let db = self.env.d1("DB").map_err(|e| {
            AppError::Internal(format!("the DB binding (D1) is missing or wrong: {e}"))
        })?;
        Ok(Store::new(db))
    }

    /// The page cache, when the binding exists (pages are rendered from D1 without it).
    pub fn kv(&self) -> Option<worker::kv::KvStore> {
        self.env.kv("CACHE").ok()
    }

    /// The media bucket (R2), where uploaded files live under `media/{hash}`.
    pub fn media(&self) -> AppResult<worker::Bucket> {
        self.env.bucket("MEDIA").map_err(|e| {
            AppError::Internal(format!("the MEDIA binding (R2) is missing or wrong: {e}"))
        })
    }

    /// `MEDIA_MAX_BYTES`: the largest file the media library takes (default 25 MB).
    pub fn media_max_bytes(&self) -> usize {
        self.var("MEDIA_MAX_BYTES")
            .and_then(|v| v.trim().parse().ok())
            .filter(|n: &usize| *n > 0)
            .unwrap_or(25 * 1000 * 1000)
    }

    /// A service binding (the reader reaches the author Worker through `AUTHOR`).
    pub fn service(&self, name: &str) -> Option<worker::Fetcher> {
        self.env.service(name).ok()
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

    /// `AKISMET_ENDPOINT` points the Worker at a fake Akismet in tests.
    pub fn akismet_endpoint(&self) -> Option<String> {
        self.var("AKISMET_ENDPOINT")
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
    pub fn bench_force_miss(&self, req: &worker::Request) -> bool {
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

    /// Drops cached pages after a change (see `blog_core::invalidation`), from this data centre's
    /// Cache API and from KV. A failing KV is logged, not fatal: the change is already stored,
    /// and cached pages expire on their own. The pages are also remembered ([`App::purged`]): the
    /// author Worker names them to the reader Worker, which drops them from the Cache API of the
    /// data centre where the author works.
    pub async fn purge(&self, pages: &[Page]) {
        self.purged.borrow_mut().extend_from_slice(pages);
        cache::edge_purge(self.base_url(), pages).await;
        if let Some(kv) = self.kv() {
            if let Err(e) = cache::purge(&kv, pages).await {
                worker::console_error!("purging {} cached pages failed: {e}", pages.len());
            }
        }
    }

    /// Drops a deleted media file (`/media/{hash}/{name}`) from this data centre's Cache API, and
    /// remembers it for the reader Worker like [`App::purge`]'s pages. Other data centres keep
    /// their copy until it expires: a file's address is cached as immutable.
    pub async fn purge_media(&self, path: &str) {
        self.purged_media.borrow_mut().push(path.to_string());
        cache::edge_delete(&[format!("{}{path}", self.base_url())]).await;
    }

    /// Every page and media file purged while handling this request, as the reader Worker's
    /// purge header names them (empty when nothing was).
    pub fn purged_header(&self) -> String {
        cache::purge_header(&self.purged.borrow(), &self.purged_media.borrow())
    }
}
