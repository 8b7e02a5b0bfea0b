//! The fediverse in the admin API: who follows (`GET /admin/followers`) and how deliveries
//! stand (`GET /admin/fediverse`: counts by status and the newest deliveries, with their errors).

use blog_core::dates::rfc3339_utc as utc;
use serde_json::json;
use worker::{Request, Response};

use crate::edge::error::AppResult;
use crate::edge::{http, App};
use crate::store::Store;

fn paging(req: &Request) -> AppResult<http::Paging> {
    let mut paging = http::Paging::default();
    for (key, value) in form_urlencoded::parse(http::query_string(req).as_bytes()) {
        paging.read(&key, &value)?;
    }
    Ok(paging)
}

/// `GET /admin/followers?limit=…&offset=…`: the blog's followers, newest first.
pub async fn followers(app: &App, store: &Store, req: &Request) -> AppResult<Response> {
    let paging = paging(req)?;
    let (followers, total) = store.followers(paging.limit, paging.offset).await?;
    let settings = app.settings().await?;
    let host = blog_core::federation::host_of(&settings.blog.base_url).unwrap_or_default();
    let rows: Vec<_> = followers
        .iter()
        .map(|f| {
            json!({
                "actor": f.actor_id,
                "handle": f.handle,
                "name": f.name,
                "inbox": f.inbox,
                "since": utc(f.created_at),
            })
        })
        .collect();
    http::json_response(
        200,
        &json!({
            "account": format!("@{}@{host}", settings.fediverse.handle),
            "on": app.fediverse_key().is_some(),
            "total": total,
            "followers": rows,
        }),
    )
}

/// `GET /admin/fediverse?limit=…&offset=…`: deliveries by status, and the newest of them.
pub async fn deliveries(store: &Store, req: &Request) -> AppResult<Response> {
    let paging = paging(req)?;
    let (rows, counts) = store.deliveries(paging.limit, paging.offset).await?;
    let counts: serde_json::Map<String, serde_json::Value> = counts
        .into_iter()
        .map(|(status, n)| (status, json!(n)))
        .collect();
    let rows: Vec<_> = rows
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "activity": d.activity_id,
                "kind": d.kind,
                "post_id": d.post_id,
                "inbox": d.inbox,
                "status": d.status,
                "attempts": d.attempts,
                "next_at": utc(d.next_at),
                "last_error": d.last_error,
                "delivered_at": d.delivered_at.map(utc),
            })
        })
        .collect();
    http::json_response(200, &json!({ "counts": counts, "deliveries": rows }))
}
