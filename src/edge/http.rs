//! HTTP in and out: reading bodies and query strings with clear refusals, and the answers both
//! Workers give (HTML with the blog's security headers, JSON, redirects, HEAD).

use serde::Serialize;
use worker::{Request, Response};

use super::error::{AppError, AppResult};
pub use super::headers::{html_headers, NO_STORE};

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

/// The request's query string (without `?`), for `form_urlencoded::parse`. Read from the raw URL
/// string: `Request::url()` would link the `url` crate (~200 KB of wasm) for this.
pub fn query_string(req: &Request) -> String {
    let url = req.inner().url();
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query.split_once('#').map_or(query, |(q, _)| q).to_string()
}

/// A list's page as a query string asks for it: `limit` (1 to 500, default 50) and `offset`.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub limit: u32,
    pub offset: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            limit: 50,
            offset: 0,
        }
    }
}

impl Paging {
    /// Takes `limit` or `offset`; any other parameter is not its business.
    pub fn read(&mut self, key: &str, value: &str) -> AppResult<()> {
        match key {
            "limit" => {
                self.limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=500).contains(n))
                    .ok_or_else(|| {
                        AppError::BadRequest("limit must be a number from 1 to 500.".into())
                    })?
            }
            "offset" => {
                self.offset = value
                    .parse()
                    .map_err(|_| AppError::BadRequest("offset must be a whole number.".into()))?
            }
            _ => {}
        }
        Ok(())
    }
}

/// An HTML answer that caches keep as `cache_control` says (forms, held comments, search).
pub fn html_response(status: u16, html: &str, cache_control: &str) -> AppResult<Response> {
    let headers = html_headers(cache_control)?;
    Ok(Response::from_html(html)?
        .with_status(status)
        .with_headers(headers))
}

/// `201 Created` with the new record as JSON, and where it lives.
pub fn created(body: &impl Serialize, location: Option<&str>) -> AppResult<Response> {
    let response = json_response(201, body)?;
    if let Some(location) = location {
        response.headers().set("Location", location)?;
    }
    Ok(response)
}

/// A JSON answer no cache keeps.
pub fn json_response(status: u16, body: &impl Serialize) -> AppResult<Response> {
    let response = Response::from_json(body)?.with_status(status);
    response.headers().set("Cache-Control", NO_STORE)?;
    Ok(response)
}

pub fn no_content() -> AppResult<Response> {
    Ok(Response::empty()?.with_status(204))
}

/// `303 See Other` to `location` (after a form is posted).
pub fn see_other(location: &str) -> AppResult<Response> {
    let response = Response::empty()?.with_status(303);
    response.headers().set("Location", location)?;
    response.headers().set("Cache-Control", NO_STORE)?;
    Ok(response)
}

/// A HEAD answer: the GET answer's status and headers without the body.
pub fn strip_body(response: Response) -> worker::Result<Response> {
    let status = response.status_code();
    let headers = response.headers().clone();
    Ok(Response::empty()?.with_status(status).with_headers(headers))
}
