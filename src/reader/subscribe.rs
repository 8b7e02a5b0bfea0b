//! The newsletter's way in on the reader's side: the gate the subscribe form under a post
//! passes before the author Worker (which keeps subscribers, serves `/subscribe` and sends the
//! mail) gets it.
//!
//! The form carries the comment form's token in its address (`?post={id}&t={token}`), so that
//! the gate checks it without reading the body: it says in `X-Blog-Form` whether the form was
//! sent too soon after the page was served, or could not be checked, or comes from a blocked
//! client, and gives the client's keyed hash in `X-Blog-Client` (for the rate limit). Only this
//! Worker holds `FORM_SECRET`, and only it reaches the author Worker.

use blog_core::token::{self, TokenError};
use worker::worker_sys::web_sys;
use worker::{Method, Request, Response};

use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime, App};

/// What the gate found, for the author Worker.
pub const FORM_HEADER: &str = "X-Blog-Form";
pub const CLIENT_HEADER: &str = "X-Blog-Client";

/// `/subscribe`: the page (the author Worker's), or the form, checked, passed on (`POST`).
pub async fn handle(req: Request, app: &App) -> AppResult<Response> {
    let settings = app.settings().await?;
    if !settings.newsletter.enabled {
        return Err(AppError::NotFound);
    }
    match req.method() {
        // The page is the author Worker's, with a token of its own (see its `pages` module).
        Method::Get | Method::Head => super::forward_to_author(req, app).await,
        Method::Post => {
            let gated = gate(
                &req,
                app,
                settings.spam.min_seconds,
                &settings.spam.blocked_clients,
            )?;
            super::forward_to_author(gated, app).await
        }
        _ => Err(AppError::MethodNotAllowed("GET, HEAD, POST")),
    }
}

/// The request with the gate's findings in its headers (any the client sent are replaced).
fn gate(req: &Request, app: &App, min_seconds: i64, blocked: &[String]) -> AppResult<Request> {
    let now = runtime::now();
    let (mut post, mut given) = (0_i64, String::new());
    for (key, value) in form_urlencoded::parse(http::query_string(req).as_bytes()) {
        match &*key {
            "post" => post = value.parse().unwrap_or(-1),
            "t" => given = value.into_owned(),
            _ => {}
        }
    }
    let (verdict, client) = match app.form_secret() {
        None => ("unavailable", String::new()),
        Some(secret) => {
            let ip = req
                .headers()
                .get("CF-Connecting-IP")?
                .unwrap_or_else(|| "unknown".into());
            let client = token::client_hash(&secret, ip.trim());
            let verdict = if blocked.contains(&client) {
                "blocked"
            } else {
                match token::verify_form_token(&secret, post, &given, now) {
                    Ok(issued) if now - issued < min_seconds => "fast",
                    Ok(_) => "ok",
                    Err(TokenError::Expired) => "expired",
                    Err(_) => "invalid",
                }
            };
            (verdict, client)
        }
    };
    // Built with web-sys itself: the `worker` crate's `RequestInit` would link serde's
    // serializer into the reader for its `cf` options (about 8 KiB gzip).
    let headers = req.headers().clone();
    headers.set(FORM_HEADER, verdict)?;
    headers.set(CLIENT_HEADER, &client)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers.0);
    if let Some(body) = req.inner().body() {
        init.set_body(&body);
    }
    let forwarded = web_sys::Request::new_with_str_and_init(&req.inner().url(), &init)
        .map_err(|e| AppError::Internal(format!("the form could not be passed on: {e:?}")))?;
    Ok(Request::from(forwarded))
}
