//! The fediverse in the admin API: who follows (`GET /admin/followers`) and how deliveries
//! stand (`GET /admin/fediverse`: counts by status and the newest deliveries, with their errors).

use blog_core::dates::{self, rfc3339_utc as utc};
use serde_json::{json, Value};
use worker::{Request, Response};

use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime, App};
use crate::store::{RestoredFollower, Store};

/// The most followers one `POST /admin/followers` keeps.
const MAX_RESTORED: usize = 50;

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

/// `POST /admin/followers` with `{"followers": [{"actor", "inbox", "handle", "name", "since"}]}`
/// (as `GET` lists them, and `blogctl export` writes them): followers kept again after a
/// restore. Those already following are left as they are.
pub async fn restore_followers(store: &Store, body: &Value) -> AppResult<Response> {
    let listed = body
        .get("followers")
        .and_then(Value::as_array)
        .ok_or_else(|| AppError::invalid_field("followers", "Required: an array of followers."))?;
    if listed.len() > MAX_RESTORED {
        return Err(AppError::invalid_field(
            "followers",
            &format!("At most {MAX_RESTORED} a request."),
        ));
    }
    let now = runtime::now();
    let mut followers = Vec::new();
    for (n, f) in listed.iter().enumerate() {
        let text = |key: &str| f.get(key).and_then(Value::as_str).unwrap_or_default();
        let web = |url: &str| url.starts_with("https://") || url.starts_with("http://");
        if !web(text("actor")) || !web(text("inbox")) {
            return Err(AppError::invalid_field(
                &format!("followers[{n}]"),
                "Each follower needs its actor and inbox addresses (http or https).",
            ));
        }
        followers.push(RestoredFollower {
            actor: text("actor").to_string(),
            handle: text("handle").to_string(),
            name: text("name").to_string(),
            inbox: text("inbox").to_string(),
            since: dates::parse_rfc3339(text("since")).unwrap_or(now),
        });
    }
    let added = store.restore_followers(&followers).await?;
    http::json_response(
        200,
        &json!({"added": added, "present": followers.len() - added}),
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
