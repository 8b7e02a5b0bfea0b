//! Making image variants: the reader Worker passes a request for a variant R2 does not hold yet
//! (`/media/{hash}/w{width}/{name}`) here, where the Images binding narrows the original to the
//! width and encodes it as the browser's `Accept` asks (see `blog_core::variants`); the variant
//! is kept in R2 beside the original, so the transform is paid once per variant, not per view.
//!
//! The original is sent as it is when it gets no variants (a GIF), is no wider than asked, or
//! cannot be transformed (then only for an hour, so that a later request tries again).

use blog_core::media::{self, MediaType};
use blog_core::variants;
use worker::{Request, Response};

use crate::edge::error::{AppError, AppResult};
use crate::edge::headers::{self, MEDIA_CACHE_CONTROL};
use crate::edge::images::ImagesError;
use crate::edge::App;

/// The original sent in place of a variant the Images binding could not make: an hour, after
/// which it is tried again.
const FALLBACK_CACHE_CONTROL: &str = "public, max-age=3600";

/// `GET /media/{hash}/w{width}/{name}` from the reader Worker.
pub async fn make(
    req: &Request,
    app: &App,
    hash: &str,
    width: u32,
    name: &str,
) -> AppResult<Response> {
    let encoding = variants::negotiate(req.headers().get("Accept")?.as_deref());
    let unavailable = |e: worker::Error| AppError::Unavailable(format!("R2: {e}"));
    let bucket = app.media()?;
    let original = bucket
        .get(super::media::object_key(hash))
        .execute()
        .await
        .map_err(unavailable)?
        .ok_or(AppError::NotFound)?;
    let bytes = original
        .body()
        .ok_or_else(|| AppError::Internal("an R2 read had no body".into()))?
        .bytes()
        .await?;
    let Some(kind) = media::sniff(&bytes) else {
        return Err(AppError::NotFound);
    };
    let (body, served, cache_control) = resized(app, &bytes, kind, width, encoding).await;
    let body = match body {
        Some(variant) => {
            let key = variants::variant_key(hash, width, served);
            let kept = bucket
                .put(key.as_str(), variant.clone())
                .http_metadata(worker::HttpMetadata {
                    content_type: Some(served.mime().into()),
                    ..Default::default()
                })
                .execute()
                .await;
            if let Err(e) = kept {
                worker::console_error!("keeping the variant {key} failed: {e}");
            }
            variant
        }
        None => bytes,
    };
    let etag = if served == kind && cache_control == FALLBACK_CACHE_CONTROL {
        format!("\"{hash}\"")
    } else {
        headers::variant_etag(hash, width, encoding)
    };
    let headers = headers::media_headers(&etag, name, served.mime())?;
    headers.set("Cache-Control", cache_control)?;
    headers.set("Content-Length", &body.len().to_string())?;
    Ok(Response::from_bytes(body)?.with_headers(headers))
}

/// The variant's bytes (`None`: send the original) and what is sent: its type and how long it
/// may be kept.
async fn resized(
    app: &App,
    bytes: &[u8],
    kind: MediaType,
    width: u32,
    encoding: variants::Encoding,
) -> (Option<Vec<u8>>, MediaType, &'static str) {
    // As it is: not a still image, or no wider than asked (a broken header reads as no width).
    let narrower = media::dimensions(kind, bytes).is_some_and(|(w, _)| w > width);
    if !variants::is_resizable(kind) || !narrower {
        return (None, kind, MEDIA_CACHE_CONTROL);
    }
    let target = encoding.media_type(kind);
    let made = match app.images() {
        Some(images) => images.resize(bytes, width, target.mime()).await,
        None => Err(ImagesError("there is no IMAGES binding".into())),
    };
    match made {
        Ok(variant) => (Some(variant), target, MEDIA_CACHE_CONTROL),
        Err(ImagesError(e)) => {
            worker::console_error!(
                "making a {width} px {} failed: {e}; sending the original",
                target.mime()
            );
            (None, kind, FALLBACK_CACHE_CONTROL)
        }
    }
}
