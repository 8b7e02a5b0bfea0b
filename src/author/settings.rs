//! `GET /admin/settings` and `PATCH /admin/settings`: the blog's settings (`blog_core::settings`),
//! checked, stored in D1 in one batch, and every cached page dropped when a change shows on them.

use std::collections::BTreeMap;

use blog_core::api;
use blog_core::media::SITE_ICON_KEY;
use blog_core::routes::Icon;
use blog_core::settings::{self, Stored, SETTINGS};
use blog_core::validation::FieldErrors;
use serde_json::Value;
use worker::Response;

use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime, App};
use crate::store::Store;

/// `GET /admin/settings`: every setting, its value in force, default and meaning.
pub async fn get(store: &Store) -> AppResult<Response> {
    http::json_response(200, &list(&store.settings().await?, None))
}

/// `PATCH /admin/settings` with `{"key": "value", …}` (`null`: back to the default). Every value
/// is checked before any is stored; a wrong one gets `422` naming each wrong key.
pub async fn update(app: &App, store: &Store, json: &Value) -> AppResult<Response> {
    let Some(object) = json.as_object().filter(|o| !o.is_empty()) else {
        return Err(AppError::BadRequest(
            "Send the settings to change as a JSON object, like {\"title\": \"My blog\"}.".into(),
        ));
    };
    let mut changes = BTreeMap::new();
    let mut errors = FieldErrors::new();
    for (key, value) in object {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Null => settings::setting(key)
                .map(|s| s.default.to_string())
                .unwrap_or_default(),
            _ => {
                errors.insert(key.clone(), "Must be a string.".to_string());
                continue;
            }
        };
        changes.insert(key.clone(), text);
    }
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let (stored, purged) = apply(app, store, &changes).await?;
    http::json_response(200, &list(&stored, Some(purged)))
}

/// The refusal of settings that do not pass their rules: `422` naming each wrong key.
fn refused(errors: FieldErrors) -> AppError {
    let keys: Vec<&str> = errors.keys().map(String::as_str).collect();
    AppError::Unprocessable {
        message: format!("Nothing was changed: check {}.", keys.join(", ")),
        fields: errors,
    }
}

/// Checks `changes` (key → text) and stores them in one batch, or none of them; the settings in
/// force afterwards and how many cached pages were dropped. The API's and the settings screen's.
pub async fn apply(
    app: &App,
    store: &Store,
    changes: &BTreeMap<String, String>,
) -> AppResult<(Stored, usize)> {
    let mut errors = FieldErrors::new();
    let mut checked = BTreeMap::new();
    for (key, value) in changes {
        match settings::check(key, value) {
            Ok(value) => {
                checked.insert(key.clone(), value);
            }
            Err(message) => {
                errors.insert(key.clone(), message);
            }
        }
    }
    // The shape is checked above; whether the zone exists only the runtime's tz data knows.
    if let Some(zone) = checked.get("time_zone") {
        if !runtime::knows_time_zone(zone) {
            errors.insert(
                "time_zone".into(),
                format!("{zone:?} is not a time zone this runtime knows; use an IANA name like Europe/London."),
            );
        }
    }
    if let Some(hash) = checked.get("icon").and_then(|v| settings::media_file(v)) {
        let is_image = store
            .media_by_hash(&hash)
            .await?
            .is_some_and(|m| m.width.is_some() && m.media_type.starts_with("image/"));
        if !is_image {
            errors.insert(
                "icon".into(),
                "No image in the media library has this address; upload it first (on the Files screen, or blogctl media upload icon.png).".into(),
            );
        }
    }
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let mut stored = store.settings().await?;
    // Only what differs from the value in force counts as a change (and purges). Every key
    // here passed `check`, so it names a setting.
    checked.retain(|key, value| {
        settings::setting(key).is_some_and(|setting| stored.value(setting) != value.as_str())
    });
    if let Some(icon) = checked.get("icon") {
        keep_icon_copy(app, settings::media_file(icon).as_deref()).await?;
    }
    store.set_settings(&checked).await?;
    for (key, value) in &checked {
        stored.set(key, value);
    }
    if checked.contains_key("icon") {
        for icon in [Icon::Favicon, Icon::AppleTouch] {
            app.purge_media(icon.path()).await;
        }
    }
    let purged = if checked.keys().any(|key| settings::shows_on_pages(key)) {
        app.purge_all().await
    } else {
        0
    };
    Ok((stored, purged))
}

pub(crate) fn list(stored: &Stored, purged: Option<usize>) -> api::SettingList {
    let settings = SETTINGS
        .iter()
        .map(|s| api::Setting {
            key: s.key.into(),
            value: stored.value(s).into(),
            default: s.default.into(),
            about: s.about.into(),
        })
        .collect();
    api::SettingList { settings, purged }
}

/// Copies the chosen icon (by its hash in the media library) to R2's [`SITE_ICON_KEY`], which the
/// reader serves at `/favicon.ico` without reading a setting; `None` removes the copy (the
/// default icon again).
async fn keep_icon_copy(app: &App, hash: Option<&str>) -> AppResult<()> {
    let bucket = app.media()?;
    let r2 = |e: worker::Error| AppError::Unavailable(format!("R2: {e}"));
    let Some(hash) = hash else {
        return bucket.delete(SITE_ICON_KEY).await.map_err(r2);
    };
    let object = bucket
        .get(format!("media/{hash}"))
        .execute()
        .await
        .map_err(r2)?
        .ok_or_else(|| AppError::Internal(format!("media/{hash} is listed but not in R2")))?;
    let metadata = object.http_metadata();
    let bytes = object
        .body()
        .ok_or_else(|| AppError::Internal("an R2 read had no body".into()))?
        .bytes()
        .await
        .map_err(r2)?;
    bucket
        .put(SITE_ICON_KEY, bytes)
        .http_metadata(metadata)
        .execute()
        .await
        .map_err(r2)?;
    Ok(())
}
