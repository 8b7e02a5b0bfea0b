//! `/media/{hash}/{name}`: files from the media library, served from R2 through this data
//! centre's Cache API. The address is the content's hash, so a file never changes: it is cached
//! for a year (`immutable`), its strong `ETag` is the hash (a revalidation is answered without
//! touching storage), and `Range` requests (`206`, `416`) let audio and video seek.

use blog_core::media::{self, RangeRequest, SITE_ICON_KEY};
use blog_core::routes::Icon;
use worker::{Headers, Range, Request, Response};

use crate::edge::cache;
use crate::edge::error::{AppError, AppResult};
use crate::edge::App;

/// A year: the content at an address never changes.
const MEDIA_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// What media answers send, whichever path they take.
fn media_headers(hash: &str, name: &str, content_type: &str) -> AppResult<Headers> {
    let headers = Headers::new();
    headers.set("Content-Type", content_type)?;
    headers.set("Cache-Control", MEDIA_CACHE_CONTROL)?;
    headers.set("ETag", &format!("\"{hash}\""))?;
    headers.set("Accept-Ranges", "bytes")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set(
        "Content-Disposition",
        &format!("inline; filename=\"{name}\""),
    )?;
    // Only types sniffed from their bytes are stored (no HTML, no SVG); this keeps even a
    // mislabelled file from loading anything if opened on its own.
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    )?;
    Ok(headers)
}

pub async fn serve(req: &Request, app: &App, hash: &str, name: &str) -> AppResult<Response> {
    let etag = format!("\"{hash}\"");
    if let Some(if_none_match) = req.headers().get("If-None-Match")? {
        if cache::etag_matches(&if_none_match, &etag) {
            let headers = Headers::new();
            headers.set("ETag", &etag)?;
            headers.set("Cache-Control", MEDIA_CACHE_CONTROL)?;
            return Ok(Response::empty()?.with_status(304).with_headers(headers));
        }
    }
    let range = req.headers().get("Range")?;
    let edge_key = format!("{}/media/{hash}/{name}", app.origin());
    if range.is_none() {
        if let Some(found) = cache::edge_get(&edge_key).await {
            return Ok(found);
        }
    }
    let bucket = app.media()?;
    let key = format!("media/{hash}");
    let unavailable = |e: worker::Error| AppError::Unavailable(format!("R2: {e}"));
    let Some(head) = bucket.head(key.as_str()).await.map_err(unavailable)? else {
        return Err(AppError::NotFound);
    };
    let size = head.size();
    let content_type = head
        .http_metadata()
        .content_type
        .unwrap_or_else(|| "application/octet-stream".into());
    let headers = media_headers(hash, name, &content_type)?;
    // Which bytes: all of them (and a copy for the Cache API), one range, or none (416).
    let part = match media::range(range.as_deref(), size) {
        RangeRequest::Unsatisfiable => {
            headers.set("Content-Range", &format!("bytes */{size}"))?;
            headers.delete("Content-Type")?;
            return Ok(Response::empty()?.with_status(416).with_headers(headers));
        }
        RangeRequest::Part { start, end } => Some((start, end)),
        RangeRequest::Whole => None,
    };
    let mut get = bucket.get(key.as_str());
    if let Some((start, end)) = part {
        get = get.range(Range::OffsetWithLength {
            offset: start,
            length: end - start + 1,
        });
    }
    let object = get
        .execute()
        .await
        .map_err(unavailable)?
        .ok_or(AppError::NotFound)?;
    let body = object
        .body()
        .ok_or_else(|| AppError::Internal("an R2 read had no body".into()))?;
    let response = Response::from_body(body.response_body()?)?;
    match part {
        Some((start, end)) => {
            headers.set("Content-Range", &format!("bytes {start}-{end}/{size}"))?;
            headers.set("Content-Length", &(end - start + 1).to_string())?;
            Ok(response.with_status(206).with_headers(headers))
        }
        None => {
            headers.set("Content-Length", &size.to_string())?;
            let mut response = response.with_headers(headers);
            let copy = response.cloned()?;
            app.after_response(cache::edge_put(edge_key, copy)).await;
            Ok(response)
        }
    }
}

/// `/favicon.ico` and `/apple-touch-icon.png`: the icon the author chose (the author Worker keeps a
/// copy of it in R2 under [`SITE_ICON_KEY`], so that no setting is read here) or the default one
/// (drawn by `scripts/icons.mjs`), so that neither is ever a 404. Kept in this data centre's
/// Cache API; a new icon purges it there.
pub async fn icon(app: &App, icon: Icon) -> AppResult<Response> {
    let edge_key = format!("{}{}", app.origin(), icon.path());
    if let Some(found) = cache::edge_get(&edge_key).await {
        return Ok(found);
    }
    let chosen = app
        .media()?
        .get(SITE_ICON_KEY)
        .execute()
        .await
        .map_err(|e| AppError::Unavailable(format!("R2: {e}")))?;
    let headers = Headers::new();
    // A week: long enough to cost nothing, short enough for a new icon to arrive.
    headers.set("Cache-Control", "public, max-age=604800")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    let response = match chosen.as_ref().and_then(|object| object.body()) {
        Some(body) => {
            let content_type = chosen
                .as_ref()
                .and_then(|object| object.http_metadata().content_type)
                .unwrap_or_else(|| "application/octet-stream".into());
            headers.set("Content-Type", &content_type)?;
            Response::from_body(body.response_body()?)?
        }
        None => {
            headers.set("Content-Type", "image/png")?;
            Response::from_bytes(default_icon(icon).to_vec())?
        }
    };
    let mut response = response.with_headers(headers);
    let copy = response.cloned()?;
    app.after_response(cache::edge_put(edge_key, copy)).await;
    Ok(response)
}

fn default_icon(icon: Icon) -> &'static [u8] {
    match icon {
        Icon::Favicon => include_bytes!("icons/favicon-32.png"),
        Icon::AppleTouch => include_bytes!("icons/apple-touch-icon-180.png"),
    }
}
