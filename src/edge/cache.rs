//! The page cache: which key holds which page, how pages are stored and dropped, and the HTTP
//! caching headers that go with them.
//!
//! Three layers answer a reader before D1 is asked:
//! 1. HTTP caches (browsers, Cloudflare's CDN): `Cache-Control` with `s-maxage` and
//!    `stale-while-revalidate`, an `ETag` answered with `304`, and `Cache-Tag` for purges by tag.
//! 2. The Workers Cache API, per data centre: a copy of the response kept for its `s-maxage`.
//!    A purge drops it in the data centre where the change was made; elsewhere it expires.
//! 3. KV, global: the rendered page under `page:{path}` with its ETag and build in the entry's
//!    metadata; a hit costs one KV read and no D1 query. Purges delete it (KV takes up to 60 s to
//!    reach every location).
//!
//! Every change to the data behind a page drops that page from layers 2 and 3 (which pages:
//! `blog_core::invalidation`; how: `App::purge`); the next reader re-renders it.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use wasm_bindgen::JsValue;
use worker::kv::KvStore;
use worker::{Cache, Headers, Response};

use blog_core::routes::{self, Page};
use blog_core::text::hex;
use blog_core::variants;

use super::js;

/// Browsers revalidate every time (cheap: a 304 on a matching ETag); shared caches (the CDN, and
/// each data centre's Cache API) may keep a page a minute and serve it stale for another while
/// they refetch. That minute, plus KV's propagation (up to 60 s), bounds how old a page a reader
/// elsewhere can see after a change.
pub const PAGE_CACHE_CONTROL: &str = "public, max-age=0, s-maxage=60, stale-while-revalidate=60";
/// Error pages are not worth keeping.
pub const NO_STORE: &str = "no-store";

/// A rendered page and its validator.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedPage {
    pub html: String,
    pub etag: String,
}

/// What a KV entry carries beside the page: its validator and the build that rendered it.
#[derive(Deserialize)]
struct Meta {
    etag: String,
    #[serde(default)]
    build: String,
}

impl CachedPage {
    pub fn new(html: String) -> Self {
        let etag = etag(&html);
        CachedPage { html, etag }
    }
}

/// A strong ETag: the first 128 bits of the page's SHA-256, quoted.
pub fn etag(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let mut etag = String::with_capacity(34);
    etag.push('"');
    etag.push_str(&hex(&digest[..16]));
    etag.push('"');
    etag
}

/// Whether an `If-None-Match` header value names `etag` (weak comparison, as RFC 9110 asks for
/// `If-None-Match`), or is `*`.
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let bare = etag.trim_start_matches("W/");
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == bare)
}

/// Changes whenever templates or code change (see `build.rs`), so a new deployment starts with
/// its own cache instead of serving pages an older version rendered.
pub const BUILD_ID: &str = env!("BLOG_BUILD_ID");

/// Cached pages expire after a week even if nothing changes.
const PAGE_TTL_SECONDS: u32 = 7 * 24 * 3600;

/// The KV key of a page. It does not name the build: the author Worker, which purges, may come
/// from another deployment than the reader Worker, which reads; the build is in the entry's
/// metadata instead, and an entry from another build reads as a miss (and is then replaced).
pub fn key(page: &Page) -> String {
    format!("page:{}", page.path())
}

/// The cached copy of a page, if there is one and this build rendered it. A failing KV is a
/// miss, not an error: the page can still be rendered from D1.
pub async fn get(kv: &KvStore, page: &Page) -> Option<CachedPage> {
    match kv.get(&key(page)).text_with_metadata::<Meta>().await {
        Ok((Some(html), Some(meta))) if meta.build == BUILD_ID => Some(CachedPage {
            html,
            etag: meta.etag,
        }),
        Ok(_) => None,
        Err(e) => {
            worker::console_error!("KV read failed for {}: {e}", key(page));
            None
        }
    }
}

/// Stores a rendered page in the KV binding `kv`. Failure is logged and otherwise ignored: the
/// reader still gets it. Called through the binding's own `put`: the `worker` crate's put builder
/// turns the metadata into a `serde_json::Value` and the options into JavaScript through serde's
/// serializer, which cost every cold reader about 4 KiB of wasm gzipped.
pub async fn put(kv: &JsValue, page: &Page, cached: &CachedPage) {
    let metadata = js::object(&[
        ("etag", cached.etag.as_str().into()),
        ("build", BUILD_ID.into()),
    ]);
    let options = js::object(&[
        ("expirationTtl", f64::from(PAGE_TTL_SECONDS).into()),
        ("metadata", metadata.into()),
    ]);
    let key = key(page);
    let html = JsValue::from_str(&cached.html);
    if let Err(e) = js::call(kv, "put", &[&key.as_str().into(), &html, &options]).await {
        worker::console_error!("KV write failed for {key}: {}", js::message(&e));
    }
}

/// Every page KV holds a copy of (read through KV's key listing, a thousand keys a call): what a
/// change that shows on every page (the blog's title) must drop.
pub async fn cached_pages(kv: &KvStore) -> Result<Vec<Page>, worker::kv::KvError> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut list = kv.list().prefix("page:".into());
        if let Some(cursor) = cursor.take() {
            list = list.cursor(cursor);
        }
        let answer = list.execute().await?;
        pages.extend(answer.keys.iter().filter_map(|key| {
            match routes::route_for(key.name.strip_prefix("page:")?)? {
                routes::Route::Page(page) => Some(page),
                _ => None,
            }
        }));
        match answer
            .cursor
            .filter(|c| !answer.list_complete && !c.is_empty())
        {
            Some(next) => cursor = Some(next),
            None => return Ok(pages),
        }
    }
}

/// Drops the KV copies of `pages`, so that the next request renders them afresh.
pub async fn purge(kv: &KvStore, pages: &[Page]) -> Result<(), worker::kv::KvError> {
    for page in pages {
        kv.delete(&key(page)).await?;
    }
    Ok(())
}

/// The Cache API key of a page: its URL on the blog, with the build so that a new deployment
/// starts afresh.
pub fn edge_key(origin: &str, page: &Page) -> String {
    format!("{origin}{}", edge_path(page))
}

/// A page's Cache API key without the origin.
pub fn edge_path(page: &Page) -> String {
    format!("{}?build={BUILD_ID}", page.path())
}

/// The `Cache-Tag` of a page, for purging HTTP caches by tag after a deployment or a change.
pub fn cache_tags(page: &Page) -> String {
    match page {
        Page::Entry { path } | Page::EntryComments { path, .. } | Page::CommentFeed { path } => {
            match path.strip_prefix("/posts/") {
                Some(slug) => format!("post-{slug}"),
                None => format!("page-{}", path.trim_matches('/').replace('/', "-")),
            }
        }
        Page::Home { .. } => "listing".into(),
        Page::Tag { tag, .. } => format!("listing,tag-{tag}"),
        Page::AtomFeed | Page::RssFeed | Page::Sitemap => "feeds".into(),
        Page::Robots => "static".into(),
    }
}

/// The response a data centre's Cache API keeps for a page: complete, headers and all (its
/// `Cache-Control` `s-maxage` is also its lifetime there), so that a hit is passed on untouched.
pub fn edge_response(cached: &CachedPage, headers: Headers) -> worker::Result<Response> {
    Ok(Response::from_bytes(cached.html.as_bytes().to_vec())?.with_headers(headers))
}

/// A page from this data centre's Cache API.
pub async fn edge_get(key: &str) -> Option<Response> {
    match Cache::default().get(key, false).await {
        Ok(found) => found,
        Err(e) => {
            worker::console_error!("Cache API read failed: {e}");
            None
        }
    }
}

pub async fn edge_put(key: String, response: Response) {
    if let Err(e) = Cache::default().put(key.as_str(), response).await {
        worker::console_error!("Cache API write failed: {e}");
    }
}

/// The header in which the author Worker names the pages an admin request purged, for the
/// reader Worker to drop from its data centre's Cache API.
pub const PURGE_HEADER: &str = "X-Blog-Purged";

/// The most paths a [`PURGE_HEADER`] names (a settings change purges every page).
const MAX_PURGED_PATHS: usize = 400;

/// The [`PURGE_HEADER`] value for `pages` and media files (by path): their paths (ASCII: slugs
/// and media names are), space-separated.
pub fn purge_header(pages: &[Page], media: &[String]) -> String {
    let mut paths: Vec<String> = pages.iter().map(Page::path).collect();
    paths.extend(media.iter().cloned());
    paths.sort();
    paths.dedup();
    // A header stays small: past this, pages leave the Cache API when their minute is up.
    paths.truncate(MAX_PURGED_PATHS);
    paths.join(" ")
}

/// The Cache API keys (without the origin) that a [`PURGE_HEADER`] value names: pages',
/// media files' and icons' addresses; anything else is ignored.
pub fn paths_from_purge_header(value: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for path in value.split_ascii_whitespace() {
        match routes::route_for(path) {
            Some(routes::Route::Page(page)) => paths.push(edge_path(&page)),
            Some(routes::Route::Media { hash, name }) => {
                // The file and the variants this data centre may keep of it.
                paths.extend(variants::cache_paths(&hash, &name));
                paths.push(path.to_string());
            }
            Some(routes::Route::Icon(_)) => paths.push(path.to_string()),
            _ => {}
        }
    }
    paths
}

/// Drops entries from this data centre's Cache API by key.
pub async fn edge_delete(keys: &[String]) {
    let cache = Cache::default();
    for key in keys {
        if let Err(e) = cache.delete(key.as_str(), false).await {
            worker::console_error!("Cache API delete failed: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_stable_and_quoted() {
        let a = etag("<p>hello</p>");
        assert_eq!(a, etag("<p>hello</p>"));
        assert_ne!(a, etag("<p>hello!</p>"));
        assert_eq!(a.len(), 34);
        assert!(a.starts_with('"') && a.ends_with('"'));
    }

    #[test]
    fn if_none_match_lists() {
        let tag = "\"abc\"";
        assert!(etag_matches("\"abc\"", tag));
        assert!(etag_matches("\"x\", W/\"abc\"", tag));
        assert!(etag_matches("*", tag));
        assert!(!etag_matches("\"abcd\"", tag));
        assert!(!etag_matches("", tag));
    }

    #[test]
    fn keys_follow_canonical_paths() {
        assert_eq!(key(&Page::Home { page: 1 }), "page:/");
        assert_eq!(key(&Page::Home { page: 4 }), "page:/page/4");
        assert_eq!(
            key(&Page::Entry {
                path: "/posts/a-b".into()
            }),
            "page:/posts/a-b"
        );
    }
}
