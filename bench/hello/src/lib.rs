//! The hello-world Rust Worker (the `worker` crate's template): the benchmark measures a fresh
//! isolate's first response from it beside the reader Worker's, so that the reader's cold start
//! is read against the least a Rust Worker costs.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(_req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    Response::ok("Hello, world!")
}
