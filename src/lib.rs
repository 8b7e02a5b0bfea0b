//! A blog engine for Cloudflare Workers: the two Workers' entry points, and nothing else.
//!
//! The crate builds two Workers that share D1 and KV. The *reader* Worker (the default build)
//! serves every page, the comment form and search; the *author* Worker (`--features author`)
//! holds the admin API, the Markdown renderer and the cron job, and is reached only through the
//! reader's `AUTHOR` service binding. Readers' cold starts load the smaller one: the reader build
//! cannot name the Markdown renderer (`blog-markdown` is an optional dependency of `author`).
//!
//! Dependencies point one way: [`reader`] and `author` (handlers and views) → [`edge`] (request
//! context, caches, errors → responses) and [`store`] (every SQL statement) → `blog_core` (the
//! pure rules) — and `author` → `blog_markdown`.

pub mod edge;
pub mod store;

#[cfg(not(feature = "author"))]
pub mod reader;

#[cfg(feature = "author")]
pub mod author;

use worker::{event, Context, Env, Request, Response};

/// The reader Worker: pages, comments, search; `/admin/` is passed to the author Worker.
#[cfg(not(feature = "author"))]
#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    reader::handle(req, env, ctx).await
}

/// The author Worker: the admin API (reached through the reader's `AUTHOR` binding).
#[cfg(feature = "author")]
#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    author::handle(req, env, ctx).await
}

/// The author Worker's queue consumer: sends the outbox (see `author::consume_outbox_queue`).
#[cfg(feature = "author")]
#[event(queue)]
async fn queue(
    batch: worker::MessageBatch<serde_json::Value>,
    env: Env,
    _ctx: Context,
) -> worker::Result<()> {
    author::consume_outbox_queue(&batch, env).await;
    Ok(())
}

/// The author Worker's cron trigger: publishes scheduled posts whose time has come, and stores
/// fresh renders of rows whose stored HTML is stale.
#[cfg(feature = "author")]
#[event(scheduled)]
async fn scheduled(_event: worker::ScheduledEvent, env: Env, _ctx: worker::ScheduleContext) {
    author::scheduled(env).await
}
