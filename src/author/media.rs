//! The media library: `POST /admin/media` stores a file (the raw bytes as the body, `?name=` and
//! `?alt=`), `GET /admin/media` lists them, `DELETE /admin/media/{id}` removes one that no post
//! uses (`?force=1` removes it anyway). A file's type comes from its own bytes; its address is
//! its SHA-256, so the same content uploaded twice is one file at one address.

use blog_core::dates::rfc3339_utc as utc;
use blog_core::media;
use blog_core::model::{MediaRecord, NewMedia};
use blog_core::{api, text, variants};
use sha2::{Digest, Sha256};
use worker::{HttpMetadata, Request, Response};

use crate::edge::error::{AppError, AppResult};
use crate::edge::runtime;
use crate::edge::{http, App};
use crate::store::Store;

/// The R2 key of a file's bytes.
pub fn object_key(hash: &str) -> String {
    format!("media/{hash}")
}

pub(crate) fn media_json(m: MediaRecord, created: bool) -> api::Media {
    api::Media {
        id: m.id,
        url: m.path(),
        media_type: m.media_type,
        bytes: m.bytes,
        width: m.width,
        height: m.height,
        alt: m.alt,
        name: m.name,
        original_name: m.original_name,
        created_at: utc(m.created_at),
        created,
    }
}

/// `POST /admin/media?name=photo.jpg&alt=…`.
pub async fn upload(app: &App, store: &Store, req: &mut Request) -> AppResult<Response> {
    let max = app.media_max_bytes();
    let too_large = || {
        AppError::PayloadTooLarge(format!(
            "Files may be at most {} MB (MEDIA_MAX_BYTES).",
            max / 1_000_000
        ))
    };
    let declared = req.headers().get("Content-Length")?.unwrap_or_default();
    if declared.parse::<usize>().is_ok_and(|n| n > max) {
        return Err(too_large());
    }
    let (mut given_name, mut alt) = (String::new(), String::new());
    let query = http::query_string(req);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "name" => given_name = value.into_owned(),
            "alt" => {
                alt = text::collapse_whitespace(&value)
                    .chars()
                    .take(500)
                    .collect()
            }
            _ => {}
        }
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|e| AppError::BadRequest(format!("The file could not be read: {e}")))?;
    let (stored, created) = store_file(app, store, bytes, &given_name, &alt).await?;
    let location = stored.path();
    let status = if created { 201 } else { 200 };
    let response = http::json_response(status, &media_json(stored, created))?;
    if created {
        response.headers().set("Location", &location)?;
    }
    Ok(response)
}

/// Stores a file's bytes under its name and alt text (the admin API's upload and the browser
/// admin's upload form): its stored row, and whether it is new (`false`: the same content was
/// there already, and that file is the answer).
pub async fn store_file(
    app: &App,
    store: &Store,
    bytes: Vec<u8>,
    given_name: &str,
    alt: &str,
) -> AppResult<(MediaRecord, bool)> {
    let max = app.media_max_bytes();
    let alt: String = text::collapse_whitespace(alt).chars().take(500).collect();
    if bytes.len() > max {
        return Err(AppError::PayloadTooLarge(format!(
            "Files may be at most {} MB (MEDIA_MAX_BYTES).",
            max / 1_000_000
        )));
    }
    if bytes.is_empty() {
        return Err(AppError::BadRequest(
            "The body is empty: send the file's bytes as the body.".into(),
        ));
    }
    let kind = media::sniff(&bytes).ok_or_else(|| {
        AppError::UnsupportedMediaType(
            "This is not a file the blog stores (by its contents, whatever its name says): \
             images (JPEG, PNG, GIF, WebP, AVIF), PDF, audio (MP3, M4A, Ogg) and video (MP4, \
             WebM). SVG is refused: it can carry script."
                .into(),
        )
    })?;
    let size = if kind.is_image() {
        Some(media::dimensions(kind, &bytes).ok_or_else(|| {
            AppError::invalid_field(
                "file",
                "The image's size cannot be read: the file is cut short or corrupt.",
            )
        })?)
    } else {
        None
    };
    let hash = text::hex(&Sha256::digest(&bytes));
    if let Some(existing) = store.media_by_hash(&hash).await? {
        return Ok((existing, false));
    }
    let name = media::clean_name(given_name, kind);
    let original_name: String = given_name
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    let length = bytes.len() as u64;
    // The bytes first: a row never names a file that is not there. If the row then fails, the
    // object goes too, so a failed upload leaves nothing behind.
    let bucket = app.media()?;
    bucket
        .put(object_key(&hash), bytes)
        .http_metadata(HttpMetadata {
            content_type: Some(kind.mime().to_string()),
            ..HttpMetadata::default()
        })
        .custom_metadata([("name".to_string(), name.clone())])
        .execute()
        .await
        .map_err(|e| AppError::Unavailable(format!("R2 put: {e}")))?;
    let row = NewMedia {
        hash: &hash,
        name: &name,
        media_type: kind.mime(),
        bytes: length,
        size,
        alt: &alt,
        original_name: &original_name,
        created_at: runtime::now(),
    };
    let inserted = match store.insert_media(&row).await {
        Ok(inserted) => inserted,
        Err(e) => {
            if let Err(cleanup) = bucket.delete(object_key(&hash)).await {
                worker::console_error!("removing media/{hash} after a failed insert: {cleanup}");
            }
            return Err(e.into());
        }
    };
    let stored = store
        .media_by_hash(&hash)
        .await?
        .ok_or_else(|| AppError::Internal("a stored media row is missing".into()))?;
    Ok((stored, inserted.is_some()))
}

/// `GET /admin/media?limit=50&offset=0`.
pub async fn list(store: &Store, req: &Request) -> AppResult<Response> {
    let mut paging = http::Paging::default();
    let query = http::query_string(req);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        paging.read(&key, &value)?;
    }
    let http::Paging { limit, offset } = paging;
    let (files, total) = store.media_list(limit, offset).await?;
    http::json_response(
        200,
        &api::MediaList {
            limit,
            offset,
            total,
            media: files.into_iter().map(|m| media_json(m, false)).collect(),
        },
    )
}

/// `DELETE /admin/media/{id}`: `409` while a post uses the file, unless `?force=1`.
pub async fn delete(app: &App, store: &Store, req: &Request, id: i64) -> AppResult<Response> {
    let query = http::query_string(req);
    let force = form_urlencoded::parse(query.as_bytes())
        .any(|(k, v)| k == "force" && matches!(v.as_ref(), "1" | "true"));
    remove_file(app, store, id, force).await?;
    http::no_content()
}

/// Removes a file (the admin API and the browser admin): refused with `409` naming the posts
/// that use it, unless `force`.
pub async fn remove_file(app: &App, store: &Store, id: i64, force: bool) -> AppResult<()> {
    let file = store.media_by_id(id).await?.ok_or(AppError::NotFound)?;
    if !force {
        let users = store.posts_using_media(&file.hash).await?;
        if !users.is_empty() {
            return Err(AppError::Conflict(format!(
                "{} is used by {}: edit {} first, or delete it anyway with ?force=1.",
                file.path(),
                users.join(", "),
                if users.len() == 1 {
                    "that post"
                } else {
                    "those posts"
                },
            )));
        }
    }
    app.media()?
        .delete(object_key(&file.hash))
        .await
        .map_err(|e| AppError::Unavailable(format!("R2 delete: {e}")))?;
    store.delete_media(id).await?;
    delete_variants(app, &file.hash).await;
    app.purge_media(&file.path()).await;
    Ok(())
}

/// Drops the image variants the reader made of a file (a failure leaves orphans in R2, which
/// nothing links to).
async fn delete_variants(app: &App, hash: &str) {
    let Ok(bucket) = app.media() else {
        return;
    };
    let listed = bucket
        .list()
        .prefix(variants::variants_prefix(hash))
        .execute()
        .await;
    let keys: Vec<String> = match listed {
        Ok(objects) => objects.objects().iter().map(|o| o.key()).collect(),
        Err(e) => {
            worker::console_error!("listing the variants of {hash} failed: {e}");
            return;
        }
    };
    for key in keys {
        if let Err(e) = bucket.delete(&key).await {
            worker::console_error!("deleting the variant {key} failed: {e}");
        }
    }
}
