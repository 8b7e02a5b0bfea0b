//! The blog on the fediverse (README.md, "Fediverse"): the addresses other servers ask
//! ([`discovery`]: WebFinger, NodeInfo, the actor, posts as `Article`s, the outbox), the inbox
//! that takes their follows, replies, likes and boosts ([`inbox`]), remote actors fetched and
//! kept with their keys ([`remote`]), the deliveries of what the blog sends ([`deliver`]),
//! Webmentions received ([`webmention`]), and the admin's view of followers and deliveries
//! ([`admin`]). The rules are
//! `blog_core::federation`'s; the SQL is `store::federation`'s.
//!
//! The reader Worker passes every fediverse request here, so that its readers never load this.

pub mod admin;
pub mod deliver;
mod discovery;
mod inbox;
mod remote;
pub mod webmention;

use blog_core::federation::Paths;
use worker::{Request, Response};

use crate::edge::error::{AppError, AppResult};
use crate::edge::App;

/// The paths this module answers (besides a post's address asked for as ActivityPub JSON).
pub fn is_fediverse_path(path: &str) -> bool {
    path.starts_with("/.well-known/")
        || path.starts_with("/ap/")
        || path == "/nodeinfo/2.1"
        || path == "/webmention"
        || path.starts_with("/webmention/")
}

/// The blog's fediverse addresses, from its settings.
pub struct Identity {
    pub base: String,
    pub handle: String,
}

impl Identity {
    pub async fn of(app: &App) -> AppResult<Self> {
        let settings = app.settings().await?;
        Ok(Identity {
            base: settings.blog.base_url.clone(),
            handle: settings.fediverse.handle.clone(),
        })
    }

    pub fn paths(&self) -> Paths<'_> {
        Paths {
            base: &self.base,
            handle: &self.handle,
        }
    }
}

/// Answers a fediverse request: the discovery documents and collections, or the inbox.
pub async fn handle(req: &mut Request, app: &App, path: &str) -> AppResult<Response> {
    // Webmention needs no key.
    if path == "/webmention" {
        return webmention::receive(req, app).await;
    }
    if let Some(id) = path.strip_prefix("/webmention/") {
        return webmention::status(app, id).await;
    }
    if app.fediverse_key().is_none() {
        worker::console_log!(
            "{path}: the blog is not on the fediverse: set the AP_PRIVATE_KEY secret (npm run deploy makes one)"
        );
        return Err(AppError::NotFound);
    }
    if path == blog_core::federation::INBOX_PATH {
        return inbox::receive(req, app).await;
    }
    if req.method() != worker::Method::Get && req.method() != worker::Method::Head {
        return Err(AppError::MethodNotAllowed("GET, HEAD"));
    }
    discovery::answer(req, app, path).await
}

/// A post's page asked for as ActivityPub JSON: its `Article`.
pub async fn article_at(app: &App, path: &str) -> AppResult<Response> {
    if app.fediverse_key().is_none() {
        return Err(AppError::NotFound);
    }
    discovery::article_at(app, path).await
}
