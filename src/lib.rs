//! A blog engine for Cloudflare Workers.
//!
//! Layout, from the outside in: [`http`] routes requests and builds responses; [`routes`] maps
//! paths to pages; [`pages`] turns records into HTML through the askama templates in
//! `templates/`; [`admin`] is the author's JSON API and [`schedule`] its cron job;
//! [`store`] holds every SQL statement; [`cache`] owns the KV page cache and its
//! headers. [`markdown`], [`comment_text`], [`thread`] and [`dates`] are the pure rules underneath.

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

use worker::{event, Context, Env, Request, Response, ScheduleContext, ScheduledEvent};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    http::handle(req, env, ctx).await
}

/// The cron trigger in wrangler.toml: publishes scheduled posts whose time has come, and stores
/// fresh renders of rows whose stored HTML is stale.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let app = http::App::new(env, None);
    match schedule::publish_due(&app).await {
        Ok(0) => {}
        Ok(n) => worker::console_log!("published {n} scheduled posts"),
        Err(e) => worker::console_error!("scheduled publishing failed: {e}"),
    }
    match app.store() {
        Ok(store) => match rendering::refresh(&store).await {
            Ok(0) => {}
            Ok(n) => worker::console_log!("stored {n} fresh renders"),
            Err(e) => worker::console_error!("storing fresh renders failed: {e}"),
        },
        Err(e) => worker::console_error!("no database for fresh renders: {e}"),
    }
}
