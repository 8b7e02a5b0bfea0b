//! The edge plumbing both Workers share: the request context ([`App`]: settings, bindings, the
//! pages a request purged), the page caches and their headers ([`cache`]), HTTP bodies and
//! answers ([`http`], [`headers`]), the page layout's shared parts ([`layout`]), what only the runtime knows
//! ([`runtime`]), and errors turned into responses in one place ([`error`]).

pub mod cache;
pub mod error;
pub mod headers;
pub mod http;
pub mod images;
pub mod js;
pub mod layout;
pub mod runtime;

use std::cell::{OnceCell, RefCell};

use blog_core::routes::Page;
use blog_core::settings::{Blog, Settings};
use worker::{Context, Env};

use crate::store::Store;
use error::{AppError, AppResult};

/// What every handler needs: settings, bindings, and the request's context (absent for the
/// cron job) for work that may finish after the response.
pub struct App {
    /// Read from D1 when first needed: a cached page needs none of them.
    settings: OnceCell<Settings>,
    /// The scheme and host the request came to (absent for the cron job).
    origin: Option<String>,
    env: Env,
    ctx: Option<Context>,
    /// The pages purged while handling this request (see [`App::purge`]).
    purged: RefCell<Vec<Page>>,
    /// The media files (by path) dropped while handling this request.
    purged_media: RefCell<Vec<String>>,
}

impl App {
    /// `req`: the request (its origin keys this data centre's cached pages); the cron job has none.
    pub fn new(env: Env, ctx: Option<Context>, req: Option<&worker::Request>) -> Self {
        App {
            settings: OnceCell::new(),
            // The raw string: `Request::url` would parse it with the `url` crate.
            origin: req.map(|req| blog_core::routes::origin(&req.inner().url()).to_string()),
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

    /// The blog's settings (the D1 `settings` table, read once per request; see
    /// `blog_core::settings`).
    pub async fn settings(&self) -> AppResult<&Settings> {
        if let Some(settings) = self.settings.get() {
            return Ok(settings);
        }
        let (stored, menu) = self.store()?.settings_and_menu(runtime::now()).await?;
        let mut settings = stored.settings();
        settings.blog.menu = menu;
        Ok(self.settings.get_or_init(|| settings))
    }

    /// The settings that shape every page.
    pub async fn blog(&self) -> AppResult<&Blog> {
        Ok(&self.settings().await?.blog)
    }

    /// The settings for an error page: the defaults when they cannot be read (the error may be
    /// that D1 does not answer).
    pub async fn blog_for_errors(&self) -> Blog {
        match self.settings().await {
            Ok(settings) => settings.blog.clone(),
            Err(_) => Settings::default().blog,
        }
    }

    /// The origin this data centre's cached pages are keyed under: the request's own, so that a
    /// cache hit reads no setting (empty for the cron job).
    pub fn origin(&self) -> &str {
        self.origin.as_deref().unwrap_or_default()
    }

    /// The origins a purge drops pages under: the request's, and the blog's address (`base_url`),
    /// where readers are, when the author works through another (a workers.dev address) or the
    /// cron job purges. Other data centres drop a page when its minute (`s-maxage`) is up.
    async fn purge_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self.origin.iter().cloned().collect();
        if let Ok(blog) = self.blog().await {
            if !origins.contains(&blog.base_url) {
                origins.push(blog.base_url.clone());
            }
        }
        origins
    }

    /// Drops the Cache API entries at `paths` (pages' or files') under [`App::purge_origins`].
    pub async fn edge_purge_paths(&self, paths: impl Iterator<Item = String>) {
        let origins = self.purge_origins().await;
        let paths: Vec<String> = paths.collect();
        let mut keys = Vec::with_capacity(origins.len() * paths.len());
        for origin in &origins {
            for path in &paths {
                keys.push(format!("{origin}{path}"));
            }
        }
        cache::edge_delete(&keys).await;
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

    /// A binding as the runtime gives it, for calling its own methods (see [`js`]).
    pub fn binding(&self, name: &str) -> Option<wasm_bindgen::JsValue> {
        js::binding(&self.env, name)
    }

    /// The media bucket (R2), where uploaded files live under `media/{hash}`.
    pub fn media(&self) -> AppResult<worker::Bucket> {
        self.env.bucket("MEDIA").map_err(|e| {
            AppError::Internal(format!("the MEDIA binding (R2) is missing or wrong: {e}"))
        })
    }

    /// The Images binding, which makes image variants (absent: originals are sent instead).
    pub fn images(&self) -> Option<images::Images> {
        images::Images::from_env(&self.env)
    }

    /// `MEDIA_MAX_BYTES`: the largest file the media library takes (default 25 MB).
    pub fn media_max_bytes(&self) -> usize {
        self.var("MEDIA_MAX_BYTES")
            .and_then(|v| v.trim().parse().ok())
            .filter(|n: &usize| *n > 0)
            .unwrap_or(25 * 1000 * 1000)
    }

    /// A task that asks the author Worker to send the outbox now: a message on the `OUTBOX`
    /// queue, whose consumer sends every due message (without the binding, or if the queue
    /// does not take it, the cron job sends them within a minute). Called through the `send`
    /// method of the binding itself: the `worker` crate's `Queue::send_raw` would link serde's
    /// serializer into the reader for its options.
    pub fn outbox_kick(&self) -> impl std::future::Future<Output = ()> + 'static {
        let queue = self.binding("OUTBOX");
        async move {
            let Some(queue) = queue else {
                return;
            };
            if let Err(e) = js::call(&queue, "send", &[&"outbox".into()]).await {
                worker::console_error!(
                    "the outbox queue did not take the message: {}",
                    js::message(&e)
                );
            }
        }
    }

    /// A message on the `OUTBOX` queue, delivered after `delay_seconds`: the newsletter's sender
    /// comes back when its pace allows (author Worker only).
    pub async fn outbox_kick_later(&self, delay_seconds: u32) -> worker::Result<()> {
        let queue = self.env.queue("OUTBOX")?;
        queue
            .send(
                worker::MessageBuilder::new("newsletter")
                    .delay_seconds(delay_seconds)
                    .build(),
            )
            .await
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

    /// The blog's fediverse key (PKCS#8 PEM); without it the blog is not on the fediverse.
    pub fn fediverse_key(&self) -> Option<String> {
        self.secret("AP_PRIVATE_KEY")
    }

    pub fn akismet_key(&self) -> Option<String> {
        self.secret("AKISMET_KEY")
    }

    /// `AKISMET_ENDPOINT` points the Worker at a fake Akismet in tests.
    pub fn akismet_endpoint(&self) -> Option<String> {
        self.var("AKISMET_ENDPOINT")
    }

    /// Only the benchmark's configuration sets `BENCH_FORCE_MISS`; with it, a request with
    /// `X-Bench-Miss: 1` skips the cache reads, to time the uncached path.
    pub fn bench_force_miss(&self, req: &worker::Request) -> bool {
        req.headers().get("X-Bench-Miss").ok().flatten().as_deref() == Some("1")
            && self.var("BENCH_FORCE_MISS").as_deref() == Some("1")
    }

    /// The `EMAIL` binding (Cloudflare's `send_email`), which the author Worker sends with.
    pub fn email(&self) -> worker::Result<worker::SendEmail> {
        self.env.send_email("EMAIL")
    }

    /// An optional plain-text variable (or secret).
    pub fn var(&self, name: &str) -> Option<String> {
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
        self.edge_purge_paths(pages.iter().map(cache::edge_path))
            .await;
        if let Some(kv) = self.kv() {
            if let Err(e) = cache::purge(&kv, pages).await {
                worker::console_error!("purging {} cached pages failed: {e}", pages.len());
            }
        }
    }

    /// Drops every cached page, after a change that shows on all of them (the blog's settings).
    /// Returns how many KV held. A data centre's Cache API keeps a page no longer than its
    /// `s-maxage` (a minute), so the pages KV never stored are gone soon too.
    pub async fn purge_all(&self) -> usize {
        let Some(kv) = self.kv() else {
            return 0;
        };
        match cache::cached_pages(&kv).await {
            Ok(pages) => {
                self.purge(&pages).await;
                pages.len()
            }
            Err(e) => {
                worker::console_error!("listing the cached pages failed: {e}");
                0
            }
        }
    }

    /// Drops a deleted media file (`/media/{hash}/{name}`), or a replaced icon, from this data centre's Cache API, and
    /// remembers it for the reader Worker like [`App::purge`]'s pages. Other data centres keep
    /// their copy until it expires: a file's address is cached as immutable.
    pub async fn purge_media(&self, path: &str) {
        self.purged_media.borrow_mut().push(path.to_string());
        self.edge_purge_paths(cache::paths_from_purge_header(path).into_iter())
            .await;
    }

    /// Every page and media file purged while handling this request, as the reader Worker's
    /// purge header names them (empty when nothing was).
    pub fn purged_header(&self) -> String {
        cache::purge_header(&self.purged.borrow(), &self.purged_media.borrow())
    }
}
