//! Floors for the benchmark: each route does exactly the storage operations one of the blog's
//! paths does, and returns the same bytes as the blog's post page (written by the
//! benchmark hands to `build.rs` before it builds this crate), so that ratios show the blog's own cost.

use worker::{event, Cache, Context, Env, Request, Response, Result};

const PAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/page.html"));
/// The blog's response headers for the page, `Name: value` a line: a floor answers exactly what
/// the blog answers, headers included.
const HEADERS: &str = include_str!(concat!(env!("OUT_DIR"), "/headers.txt"));

fn page() -> Result<Response> {
    let response = Response::from_bytes(PAGE.to_vec())?;
    for line in HEADERS.lines() {
        if let Some((name, value)) = line.split_once(": ") {
            response.headers().set(name, value)?;
        }
    }
    Ok(response)
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    match req.path().as_str() {
        // Nothing but the bytes.
        "/plain" => page(),
        // One Cache API read (what a cached page costs in the blog when this data centre has it).
        "/edge" => {
            let cache = Cache::default();
            match cache.get("http://floor.bench/page", false).await? {
                Some(found) => Ok(found),
                None => {
                    let mut response = page()?;
                    response
                        .headers()
                        .set("Cache-Control", "public, max-age=3600")?;
                    cache
                        .put("http://floor.bench/page", response.cloned()?)
                        .await?;
                    Ok(response)
                }
            }
        }
        // One KV read, returning its value.
        "/kv" => {
            let text = env
                .kv("CACHE")?
                .get("floor:page")
                .text()
                .await?
                .unwrap_or_default();
            let response = Response::ok(text)?;
            response
                .headers()
                .set("Content-Type", "text/html; charset=utf-8")?;
            Ok(response)
        }
        // One D1 query.
        "/d1" => {
            let db = env.d1("DB")?;
            let _row: Option<serde_json::Value> = db
                .prepare("SELECT id, slug, title, body FROM posts WHERE slug = ?1")
                .bind(&["health-is-social-aint-no-doubt".into()])?
                .first(None)
                .await?;
            page()
        }
        // What a forced miss of the post page does in storage: a Cache API and a KV read that
        // miss, one D1 batch of four statements, a KV write and (after the response) a Cache API
        // write.
        "/miss" => {
            let cache = Cache::default();
            let _ = cache.get("http://floor.bench/missing", false).await?;
            let kv = env.kv("CACHE")?;
            let _ = kv.get("floor:missing").text().await?;
            let db = env.d1("DB")?;
            let slug: worker::wasm_bindgen::JsValue = "health-is-social-aint-no-doubt".into();
            let statements = vec![
                db.prepare("SELECT id, slug, title, body, published_at, updated_at, comments_open FROM posts WHERE slug = ?1")
                    .bind(std::slice::from_ref(&slug))?,
                db.prepare("SELECT a.id, a.body, a.created_at FROM addenda a JOIN posts p ON p.id = a.post_id WHERE p.slug = ?1")
                    .bind(std::slice::from_ref(&slug))?,
                db.prepare("SELECT c.id, c.parent_id, c.author_name, c.author_url, c.body, c.created_at, c.by_post_author FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.slug = ?1 AND c.status = 'approved' ORDER BY c.created_at, c.id")
                    .bind(std::slice::from_ref(&slug))?,
                db.prepare("SELECT t.tag, t.slug FROM post_tags t JOIN posts p ON p.id = t.post_id WHERE p.slug = ?1")
                    .bind(std::slice::from_ref(&slug))?,
            ];
            // The rows stay in JS: turning them into Rust values is the blog's work, not storage.
            let _results = db.batch(statements).await?;
            kv.put("floor:written", PAGE.to_vec())?.execute().await?;
            let copy = page()?;
            ctx.wait_until(async move {
                let _ = Cache::default()
                    .put("http://floor.bench/written", copy)
                    .await;
            });
            page()
        }
        _ => Response::error("not found", 404),
    }
}
