//! The settings screen: every setting of `blog_core::settings::SETTINGS`, grouped and explained,
//! checked by the same rules and messages as `PATCH /admin/settings`, and the site icon chosen
//! from the library or uploaded here.

use std::collections::BTreeMap;

use blog_core::settings::{Rule, SETTINGS};
use blog_core::validation::FieldErrors;

use super::*;
use crate::author::settings::apply;

/// The screen's groups, and each setting's label, in the order shown. A unit test holds every
/// setting to one place here.
const GROUPS: &[(&str, &[(&str, &str)])] = &[
    (
        "The blog",
        &[
            ("title", "Title"),
            ("tagline", "Tagline"),
            ("author", "Author’s name"),
            ("base_url", "Address"),
            ("time_zone", "Time zone"),
            ("language", "Language"),
            ("icon", "Site icon"),
        ],
    ),
    (
        "Mail",
        &[
            ("email_from", "Send mail from"),
            ("author_email", "Tell me of waiting comments at"),
        ],
    ),
    (
        "Comments",
        &[
            ("comment_moderation", "Which comments wait for you"),
            ("comments_close_after_days", "Close comments after (days)"),
            ("comment_max_links", "Links a comment may hold"),
            (
                "comment_min_seconds",
                "Seconds before a comment may be sent",
            ),
            (
                "comment_rate_limit",
                "Comments one sender may send per window",
            ),
            ("comment_rate_window_seconds", "That window (seconds)"),
            ("comment_blocklist", "Blocked words and addresses"),
            ("comment_blocked_clients", "Blocked senders"),
        ],
    ),
    (
        "Newsletter",
        &[
            ("newsletter", "Newsletter"),
            ("newsletter_from", "Newsletter sender"),
            ("newsletter_content", "What a post’s mail holds"),
            ("newsletter_per_minute", "Mails a minute at most"),
            ("newsletter_digest_day", "Weekly digest’s day"),
            ("newsletter_digest_hour", "Weekly digest’s hour"),
        ],
    ),
    (
        "Fediverse",
        &[
            ("fediverse_handle", "Account name"),
            ("fediverse_blocked_domains", "Blocked servers"),
        ],
    ),
    (
        "The admin",
        &[
            ("admin_session_hours", "Stay signed in for (hours)"),
            ("backups_keep", "Daily backups kept"),
        ],
    ),
];

/// One setting's field.
pub(super) struct SettingField {
    key: &'static str,
    label: &'static str,
    about: &'static str,
    /// `text`, `url`, `email`, `number`, `textarea`, `select` or `icon`.
    kind: &'static str,
    value: String,
    /// A select's (value, words).
    options: Vec<(String, String)>,
    min: Option<i64>,
    max: Option<i64>,
    error: Option<String>,
}

/// What the form holds when it comes back with a fault: key → text, and key → why.
#[derive(Default)]
pub(super) struct Typed {
    values: BTreeMap<String, String>,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
pub(super) struct SettingsPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    message: Option<&'static str>,
    groups: Vec<(&'static str, Vec<SettingField>)>,
    icon: Option<String>,
}

/// A setting's group and label; a setting the table does not name yet is still shown, under
/// "Other", by its key.
fn place_of(key: &'static str) -> (&'static str, &'static str) {
    GROUPS
        .iter()
        .find_map(|(heading, keys)| {
            keys.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, label)| (*heading, *label))
        })
        .unwrap_or(("Other", key))
}

/// The options of a select, by its rule.
fn choices(rule: Rule) -> Option<Vec<(String, String)>> {
    let pairs: Vec<(&str, &str)> = match rule {
        Rule::Moderation => vec![
            ("first-time", "A commenter’s first comment"),
            ("all", "Every comment"),
            ("none", "None (spam checks still apply)"),
        ],
        Rule::OneOf(words) => words.iter().map(|w| (*w, *w)).collect(),
        _ => return None,
    };
    Some(
        pairs
            .into_iter()
            .map(|(v, w)| (v.to_string(), w.to_string()))
            .collect(),
    )
}

/// `/admin/settings`.
pub(super) async fn settings_page(
    app: &App,
    store: &Store,
    session: &Session,
    typed: Typed,
    done: Option<String>,
    status: u16,
) -> AppResult<Response> {
    let stored = store.settings().await?;
    let images = library_images(store).await?;
    let mut groups: Vec<(&'static str, Vec<SettingField>)> = Vec::new();
    for setting in SETTINGS {
        let (heading, label) = place_of(setting.key);
        let value = typed
            .values
            .get(setting.key)
            .cloned()
            .unwrap_or_else(|| stored.value(setting).to_string());
        let (kind, options) = match setting.rule {
            Rule::MediaPath => {
                let mut options = vec![(String::new(), "The default icon".to_string())];
                options.extend(images.iter().cloned());
                ("icon", options)
            }
            Rule::Lines { .. } => ("textarea", vec![]),
            Rule::Number { .. } => ("number", vec![]),
            Rule::Address => ("url", vec![]),
            Rule::Email => ("email", vec![]),
            rule => match choices(rule) {
                Some(options) => ("select", options),
                None => ("text", vec![]),
            },
        };
        let (min, max) = match setting.rule {
            Rule::Number { min, max, .. } => (Some(min), Some(max)),
            _ => (None, None),
        };
        let field = SettingField {
            key: setting.key,
            label,
            about: setting.about,
            kind,
            value,
            options,
            min,
            max,
            error: typed.errors.get(setting.key).cloned(),
        };
        match groups.iter_mut().find(|(h, _)| *h == heading) {
            Some((_, fields)) => fields.push(field),
            None => groups.push((heading, vec![field])),
        }
    }
    // The groups in the order of [`GROUPS`], each setting in its group's order.
    let rank = |key: &str| {
        GROUPS
            .iter()
            .flat_map(|(_, keys)| keys.iter())
            .position(|(k, _)| *k == key)
            .unwrap_or(usize::MAX)
    };
    groups.sort_by_key(|(heading, _)| {
        GROUPS
            .iter()
            .position(|(h, _)| h == heading)
            .unwrap_or(usize::MAX)
    });
    for (_, fields) in &mut groups {
        fields.sort_by_key(|f| rank(f.key));
    }
    let icon = stored
        .get("icon")
        .filter(|i| i.starts_with("/media/"))
        .map(str::to_string);
    let page = SettingsPage {
        section: "settings",
        csrf: &session.csrf,
        notice: done,
        message: (!typed.errors.is_empty())
            .then_some("Nothing was changed: please check the settings marked below."),
        groups,
        icon,
    };
    screen(app, "Settings", &page, status).await
}

/// The settings form's `POST`: every setting it holds, checked together and stored together.
pub(super) async fn save_settings(
    app: &App,
    store: &Store,
    session: &Session,
    form: &Form,
) -> AppResult<Response> {
    let mut changes: BTreeMap<String, String> = SETTINGS
        .iter()
        .filter_map(|s| {
            let value = form.get(s.key)?.replace("\r\n", "\n");
            Some((s.key.to_string(), value))
        })
        .collect();
    let mut upload_error = None;
    if let Some(file) = form.file("icon_file") {
        let bytes = file
            .bytes()
            .await
            .map_err(|e| AppError::BadRequest(format!("The file could not be read: {e}")))?;
        match media::store_file(app, store, bytes, &file.name(), "The site icon").await {
            Ok((stored, _)) => _ = changes.insert("icon".into(), stored.path()),
            Err(e @ (AppError::UnsupportedMediaType(_) | AppError::PayloadTooLarge(_))) => {
                upload_error = Some(e.message())
            }
            Err(AppError::Unprocessable { fields, .. }) => {
                upload_error = fields.into_values().next()
            }
            Err(other) => return Err(other),
        }
    }
    let result = match upload_error {
        Some(why) => Err(FieldErrors::from([("icon".to_string(), why)])),
        None => match apply(app, store, &changes).await {
            Ok(_) => Ok(()),
            Err(AppError::Unprocessable { fields, .. }) => Err(fields),
            Err(other) => return Err(other),
        },
    };
    match result {
        Ok(()) => http::see_other("/admin/settings?done=Settings%20saved."),
        Err(errors) => {
            let typed = Typed {
                values: changes,
                errors,
            };
            settings_page(app, store, session, typed, None, 422).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_one_place_on_the_screen() {
        for setting in SETTINGS {
            let places = GROUPS
                .iter()
                .flat_map(|(_, keys)| keys.iter())
                .filter(|(key, _)| *key == setting.key)
                .count();
            assert_eq!(places, 1, "{} is shown {places} times", setting.key);
        }
        let shown: usize = GROUPS.iter().map(|(_, keys)| keys.len()).sum();
        assert_eq!(shown, SETTINGS.len(), "a label names no setting");
    }
}
