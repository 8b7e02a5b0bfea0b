//! A blog engine for Cloudflare Workers.
//!
//! Layout, from the outside in: [`http`] routes requests and builds responses; [`routes`] maps
//! paths to pages; [`pages`] turns records into HTML through the askama templates in
//! `templates/`; [`store`] holds every SQL statement; [`cache`] owns the KV page cache and its
//! headers. [`markdown`], [`comment_text`], [`thread`] and [`dates`] are the pure rules underneath.

pub mod cache;
pub mod comment_text;
pub mod config;
pub mod dates;
pub mod error;
pub mod http;
pub mod markdown;
pub mod pages;
pub mod routes;
pub mod runtime;
pub mod store;
pub mod thread;

use worker::{event, Context, Env, Request, Response};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    http::handle(req, env).await
}
