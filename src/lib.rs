//! A blog engine for Cloudflare Workers.
//!
//! The crate builds two Workers that share D1 and KV. The *reader* Worker (the default build)
//! serves every page, the comment form and search; the *author* Worker (`--features author`)
//! holds the admin API, the Markdown renderer and the cron job, and is reached only through the
//! reader's `AUTHOR` service binding. Readers' cold starts load the smaller one.
//!
//! Layout, from the outside in: [`http`] routes requests and builds responses; [`routes`] maps
//! paths to pages; [`pages`] turns records into HTML through the askama templates in
//! `templates/`; [`admin`] is the author's JSON API and [`schedule`] its cron job;
//! [`store`] holds every SQL statement; [`cache`] owns the page caches and their headers;
//! [`rendering`] the stored renders. [`markdown`], [`comment_text`], [`thread`] and [`dates`] are
//! the pure rules underneath.

pub mod admin;
pub mod akismet;
pub mod cache;
pub mod comment_text;
pub mod commenting;
pub mod config;
pub mod dates;
pub mod error;
pub mod form;
pub mod http;
pub mod input;
pub mod markdown;
pub mod pages;
pub mod rendering;
pub mod routes;
pub mod runtime;
pub mod schedule;
pub mod search;
pub mod spam;
pub mod store;
pub mod thread;
pub mod token;

use worker::{event, Context, Env, Request, Response};

/// The reader Worker: pages, comments, search; `/admin/` is passed to the author Worker.
#[cfg(not(feature = "author"))]
#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    http::handle(req, env, ctx).await
}

/// The author Worker: the admin API (reached through the reader's `AUTHOR` binding).
#[cfg(feature = "author")]
#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    http::handle_author(req, env, ctx).await
}

/// The author Worker's cron trigger: publishes scheduled posts whose time has come, and stores
/// fresh renders of rows whose stored HTML is stale.
#[cfg(feature = "author")]
#[event(scheduled)]
async fn scheduled(_event: worker::ScheduledEvent, env: Env, _ctx: worker::ScheduleContext) {
    let app = http::App::new(env, None);
    match schedule::publish_due(&app).await {
        Ok(0) => {}
        Ok(n) => worker::console_log!("published {n} scheduled posts"),
        Err(e) => worker::console_error!("scheduled publishing failed: {e}"),
    }
    match schedule::refresh_renders(&app, 25).await {
        Ok((0, _)) => {}
        Ok((n, _)) => worker::console_log!("stored {n} fresh renders"),
        Err(e) => worker::console_error!("storing fresh renders failed: {e}"),
    }
}
