//! `GET /search?q=…&page=n`: full-text search over visible posts. Results are not kept in KV
//! (queries are unbounded); shared caches may keep them a minute.

use blog_core::routes::PER_PAGE;
use blog_core::search::{fts_query, MAX_QUERY_CHARS};
use worker::{Request, Response};

use super::views;
use crate::edge::error::{AppError, AppResult};
use crate::edge::runtime::{self, IntlZone};
use crate::edge::{http, App};

pub async fn page(req: &Request, app: &App) -> AppResult<Response> {
    let mut query = String::new();
    let mut page = 1u32;
    let query_string = http::query_string(req);
    for (key, value) in form_urlencoded::parse(query_string.as_bytes()) {
        match key.as_ref() {
            "q" if query.is_empty() => query = value.chars().take(MAX_QUERY_CHARS).collect(),
            "page" => {
                page = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| {
                        AppError::BadRequest("page must be a number from 1 to 1000.".into())
                    })?
            }
            _ => {}
        }
    }
    let (hits, total) = match fts_query(&query) {
        Some(fts) => {
            let offset = (page - 1) * PER_PAGE;
            app.store()?
                .search(&fts, runtime::now(), PER_PAGE, offset)
                .await?
        }
        None => (Vec::new(), 0),
    };
    let blog = app.blog().await?;
    let zone = IntlZone::new(&blog.time_zone);
    let html = views::search(blog, &zone, &query, &hits, total, page)?;
    http::html_response(200, &html, "public, max-age=0, s-maxage=60")
}
