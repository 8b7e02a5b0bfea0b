//! `/media/{hash}/{name}`: files from the media library, served from R2 through this data
//! centre's Cache API. The address is the content's hash, so a file never changes: it is cached
//! for a year (`immutable`), its strong `ETag` is the hash (a revalidation is answered without
//! touching storage), and `Range` requests (`206`, `416`) let audio and video seek. Images are
//! also served at the widths pages ask for (`/media/{hash}/w{width}/{name}`).

use blog_core::media::{self, MediaType, RangeRequest, SITE_ICON_KEY};
use blog_core::routes::Icon;
use blog_core::variants;
use worker::{Headers, Range, Request, Response};

use crate::edge::cache;
use crate::edge::error::{AppError, AppResult};
use crate::edge::images::ImagesError;
use crate::edge::App;

/// A year: the content at an address never changes.
const MEDIA_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The original sent in place of a variant the Images binding could not make: an hour, after
/// which it is tried again.
const FALLBACK_CACHE_CONTROL: &str = "public, max-age=3600";

/// What media answers send, whichever path they take.
fn media_headers(etag: &str, name: &str, content_type: &str) -> AppResult<Headers> {
    let headers = Headers::new();
    headers.set("Content-Type", content_type)?;
    headers.set("Cache-Control", MEDIA_CACHE_CONTROL)?;
    headers.set("ETag", etag)?;
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

/// `304` when the browser already has this version (`If-None-Match`).
fn not_modified(req: &Request, etag: &str) -> AppResult<Option<Response>> {
    let Some(if_none_match) = req.headers().get("If-None-Match")? else {
        return Ok(None);
    };
    if !cache::etag_matches(&if_none_match, etag) {
        return Ok(None);
    }
    let headers = Headers::new();
    headers.set("ETag", etag)?;
    headers.set("Cache-Control", MEDIA_CACHE_CONTROL)?;
    Ok(Some(
        Response::empty()?.with_status(304).with_headers(headers),
    ))
}

fn r2_unavailable(e: worker::Error) -> AppError {
    AppError::Unavailable(format!("R2: {e}"))
}

pub async fn serve(req: &Request, app: &App, hash: &str, name: &str) -> AppResult<Response> {
    let etag = format!("\"{hash}\"");
    if let Some(response) = not_modified(req, &etag)? {
        return Ok(response);
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
    let Some(head) = bucket.head(key.as_str()).await.map_err(r2_unavailable)? else {
        return Err(AppError::NotFound);
    };
    let size = head.size();
    let content_type = head
        .http_metadata()
        .content_type
        .unwrap_or_else(|| "application/octet-stream".into());
    let headers = media_headers(&etag, name, &content_type)?;
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
        .map_err(r2_unavailable)?
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

/// `/media/{hash}/w{width}/{name}`: the image `width` pixels wide, as AVIF, WebP or its own
/// type by `Accept` (see `blog_core::variants`). Made once through the Images binding and kept
/// in R2 beside the original; kept in this data centre's Cache API under one key per format.
/// Served as it is (the original's bytes) when it is not an image that gets variants (a GIF),
/// no wider than asked, or when the transform fails (then only for an hour, so that it is tried
/// again).
pub async fn serve_variant(
    req: &Request,
    app: &App,
    hash: &str,
    width: u32,
    name: &str,
) -> AppResult<Response> {
    let Some(named_type) = variants::type_of_name(name).filter(|t| variants::is_resizable(*t))
    else {
        return serve(req, app, hash, name).await;
    };
    let encoding = variants::negotiate(req.headers().get("Accept")?.as_deref());
    let etag = format!("\"{hash}-w{width}-{}\"", encoding.tag());
    if let Some(response) = not_modified(req, &etag)? {
        return with_vary(response);
    }
    let edge_key = format!(
        "{}{}",
        app.origin(),
        variants::cache_path(hash, width, encoding, name)
    );
    if let Some(found) = cache::edge_get(&edge_key).await {
        return with_vary(found);
    }
    let bucket = app.media()?;
    let target = encoding.media_type(named_type);
    let key = variants::variant_key(hash, width, target);
    let made = bucket
        .get(key.as_str())
        .execute()
        .await
        .map_err(r2_unavailable)?;
    let (bytes, served_type, cache_control) = match made {
        Some(object) => {
            let body = object
                .body()
                .ok_or_else(|| AppError::Internal("an R2 read had no body".into()))?;
            (body.bytes().await?, target, MEDIA_CACHE_CONTROL)
        }
        None => make_variant(app, &bucket, hash, width, target, key).await?,
    };
    let headers = media_headers(&etag, name, served_type.mime())?;
    headers.set("Cache-Control", cache_control)?;
    headers.set("Content-Length", &bytes.len().to_string())?;
    let mut response = Response::from_bytes(bytes)?.with_headers(headers);
    let copy = response.cloned()?;
    app.after_response(cache::edge_put(edge_key, copy)).await;
    with_vary(response)
}

/// The answer depends on `Accept`; the Cache API copy is keyed by format instead (see
/// `variants::cache_path`), so only what leaves the Worker says so.
fn with_vary(response: Response) -> AppResult<Response> {
    let headers = response.headers().clone();
    headers.set("Vary", "Accept")?;
    Ok(response.with_headers(headers))
}

/// Makes the variant from the original (and keeps it in R2 under `key`); what to send: the
/// bytes, their type and how long they may be kept.
async fn make_variant(
    app: &App,
    bucket: &worker::Bucket,
    hash: &str,
    width: u32,
    target: MediaType,
    key: String,
) -> AppResult<(Vec<u8>, MediaType, &'static str)> {
    let original = bucket
        .get(format!("media/{hash}"))
        .execute()
        .await
        .map_err(r2_unavailable)?
        .ok_or(AppError::NotFound)?;
    let bytes = original
        .body()
        .ok_or_else(|| AppError::Internal("an R2 read had no body".into()))?
        .bytes()
        .await?;
    let Some(kind) = media::sniff(&bytes) else {
        return Err(AppError::NotFound);
    };
    // As it is: not a still image, or no wider than asked (a broken header reads as no width).
    let narrower = media::dimensions(kind, &bytes).is_some_and(|(w, _)| w > width);
    if !variants::is_resizable(kind) || !narrower {
        return Ok((bytes, kind, MEDIA_CACHE_CONTROL));
    }
    let resized = match app.images() {
        Some(images) => images.resize(&bytes, width, target.mime()).await,
        None => Err(ImagesError("no IMAGES binding".into())),
    };
    match resized {
        Ok(variant) => {
            let put = bucket
                .put(key.as_str(), variant.clone())
                .http_metadata(worker::HttpMetadata {
                    content_type: Some(target.mime().into()),
                    ..Default::default()
                })
                .execute();
            if let Err(e) = put.await {
                worker::console_error!("keeping the variant {key} failed: {e}");
            }
            Ok((variant, target, MEDIA_CACHE_CONTROL))
        }
        Err(ImagesError(e)) => {
            worker::console_error!("making the variant {key} failed: {e}; sending the original");
            Ok((bytes, kind, FALLBACK_CACHE_CONTROL))
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
