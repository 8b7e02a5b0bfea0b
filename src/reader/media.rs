//! `/media/{hash}/{name}`: files from the media library, served from R2 through this data
//! centre's Cache API. The address is the content's hash, so a file never changes: it is cached
//! for a year (`immutable`), its strong `ETag` is the hash (a revalidation is answered without
//! touching storage), and `Range` requests (`206`, `416`) let audio and video seek. Images are
//! also served at the widths pages ask for (`/media/{hash}/w{width}/{name}`).

use blog_core::media::{self, RangeRequest, SITE_ICON_KEY};
use blog_core::routes::Icon;
use blog_core::variants;
use worker::{Headers, Range, Request, Response};

use crate::edge::cache;
use crate::edge::error::{AppError, AppResult};
use crate::edge::headers::{self, MEDIA_CACHE_CONTROL};
use crate::edge::App;

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
    let headers = headers::media_headers(&etag, name, &content_type)?;
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
/// type by `Accept` (see `blog_core::variants`), kept in this data centre's Cache API under one
/// key per format. A variant is made once, by the author Worker (which holds the Images binding,
/// so that making one never weighs on a reader's cold start), and kept in R2 beside the
/// original; from then on it is read from there. A file that gets no variants (a GIF) is sent as
/// it is.
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
    let etag = headers::variant_etag(hash, width, encoding);
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
    let served_type = encoding.media_type(named_type);
    let key = variants::variant_key(hash, width, served_type);
    let made = app
        .media()?
        .get(key.as_str())
        .execute()
        .await
        .map_err(r2_unavailable)?;
    let mut response = match made.as_ref().and_then(|object| object.body()) {
        Some(body) => {
            let headers = headers::media_headers(&etag, name, served_type.mime())?;
            Response::from_body(body.response_body()?)?.with_headers(headers)
        }
        // Not made yet: the author Worker makes it (or sends the original, and says for how long).
        None => super::forward_to_author(req.clone()?, app).await?,
    };
    if response.status_code() == 200 {
        let copy = response.cloned()?;
        app.after_response(cache::edge_put(edge_key, copy)).await;
    }
    with_vary(response)
}

/// The answer depends on `Accept`; the Cache API copy is keyed by format instead (see
/// `variants::cache_path`), so only what leaves the Worker says so.
fn with_vary(response: Response) -> AppResult<Response> {
    let headers = response.headers().clone();
    headers.set("Vary", "Accept")?;
    Ok(response.with_headers(headers))
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
