//! `/admin/redirects` (old addresses: list, add many at once, delete) and `/admin/not-found` (the
//! paths readers asked for in vain, most asked first, without those a redirect now covers).

use blog_core::api;
use blog_core::dates::rfc3339_utc as utc;
use blog_core::redirects;
use blog_core::validation::FieldErrors;
use serde_json::{json, Value};
use worker::{Request, Response};

use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime};
use crate::store::Store;

/// The most redirects one request adds (an importer sends them in batches).
const MAX_PER_REQUEST: usize = 500;

/// `GET /admin/redirects?limit=n&offset=n`: a page of the redirects, by old address.
pub async fn list(store: &Store, req: &Request) -> AppResult<Response> {
    let mut paging = http::Paging::default();
    let query = http::query_string(req);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        paging.read(&key, &value)?;
    }
    let redirects = store
        .redirects(paging.limit, paging.offset)
        .await?
        .into_iter()
        .map(|r| api::Redirect {
            from: r.from_path,
            to: r.to_url,
            created_at: Some(utc(r.created_at)),
        })
        .collect();
    http::json_response(200, &api::RedirectList { redirects })
}

/// `POST /admin/redirects` with `{"from": …, "to": …}` or `{"redirects": [{"from", "to"}, …]}`:
/// every one is checked first; a wrong one gets `422` naming it, and none is stored.
pub async fn add(store: &Store, json: &Value) -> AppResult<Response> {
    let list: Vec<api::Redirect> = if json.get("redirects").is_some() {
        serde_json::from_value::<api::RedirectList>(json.clone())
            .map(|l| l.redirects)
            .map_err(|e| AppError::BadRequest(format!("Send {{\"redirects\": [{{\"from\": \"/old/\", \"to\": \"/posts/new\"}}]}}: {e}.")))?
    } else {
        vec![
            serde_json::from_value::<api::Redirect>(json.clone()).map_err(|e| {
                AppError::BadRequest(format!(
                    "Send {{\"from\": \"/old/\", \"to\": \"/posts/new\"}}: {e}."
                ))
            })?,
        ]
    };
    if list.is_empty() || list.len() > MAX_PER_REQUEST {
        return Err(AppError::BadRequest(format!(
            "Send from 1 to {MAX_PER_REQUEST} redirects at a time."
        )));
    }
    let mut checked = Vec::new();
    let mut errors = FieldErrors::new();
    for (i, r) in list.iter().enumerate() {
        let result = redirects::check_from(&r.from)
            .and_then(|from| redirects::check_to(&r.to, &from).map(|to| (from, to)));
        match result {
            Ok(pair) => checked.push(pair),
            Err(message) => {
                errors.insert(r.from.clone(), format!("(#{}) {message}", i + 1));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Unprocessable {
            message: "No redirect was stored: check the ones named.".into(),
            fields: errors,
        });
    }
    store.put_redirects(&checked, runtime::now()).await?;
    http::json_response(200, &json!({ "stored": checked.len() }))
}

/// `DELETE /admin/redirects?from=/old/`.
pub async fn delete(store: &Store, req: &Request) -> AppResult<Response> {
    let query = http::query_string(req);
    let from = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "from")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| {
            AppError::BadRequest("Name the redirect: DELETE /admin/redirects?from=/old/.".into())
        })?;
    let from = redirects::check_from(&from).map_err(AppError::BadRequest)?;
    if store.delete_redirect(&from).await? {
        http::no_content()
    } else {
        Err(AppError::NotFound)
    }
}

/// `GET /admin/not-found?limit=…` (default 100).
pub async fn not_found(store: &Store, req: &Request) -> AppResult<Response> {
    let mut paging = http::Paging {
        limit: 100,
        offset: 0,
    };
    let query = http::query_string(req);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        paging.read(&key, &value)?;
    }
    let not_found = store
        .not_found(paging.limit)
        .await?
        .into_iter()
        .map(|n| api::NotFound {
            path: n.path,
            hits: n.hits,
            last_seen: utc(n.last_seen),
        })
        .collect();
    http::json_response(200, &api::NotFoundList { not_found })
}
