//! Validation of what the admin API is sent: JSON in, typed values or field errors out. Pure, so
//! each rule has a native test.

use serde_json::{Map, Value};

use crate::dates;
use crate::model::{CommentStatus, PostStatus};
use crate::routes::is_slug;

pub use crate::form::FieldErrors;

pub const MAX_TITLE_CHARS: usize = 300;
/// D1 keeps rows up to 2 MB; a post far below that leaves room for its rendered copy.
pub const MAX_BODY_BYTES: usize = 512 * 1024;
/// WordPress sets no limit; its own theme test export has a post with 65 tags and categories.
pub const MAX_TAGS: usize = 100;
pub const MAX_TAG_CHARS: usize = 60;
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// The fields of a post that a request sets; `None` leaves a field as it is (PATCH).
#[derive(Debug, Default, PartialEq)]
pub struct PostFields {
    pub title: Option<String>,
    pub body: Option<String>,
    pub slug: Option<String>,
    pub status: Option<PostStatus>,
    /// `Some(None)`: clear (a draft with no date).
    pub published_at: Option<Option<i64>>,
    pub tags: Option<Vec<String>>,
    pub comments_open: Option<bool>,
    /// Whether the post goes out to the newsletter's subscribers when published.
    pub newsletter: Option<bool>,
    /// The lead image's address; `Some(None)`: the post's first image again.
    pub image: Option<Option<String>>,
    /// `"type": "page"` makes a page (only when creating: an entry stays what it is).
    pub is_page: Option<bool>,
    /// A page's parent page, by slug; `Some(None)`: a top-level page.
    pub parent: Option<Option<String>>,
    pub menu_order: Option<i64>,
    /// Whether a top-level page is in the site menu.
    pub in_menu: Option<bool>,
}

const POST_KEYS: [&str; 13] = [
    "type",
    "parent",
    "menu_order",
    "in_menu",
    "title",
    "body",
    "slug",
    "status",
    "published_at",
    "tags",
    "comments_open",
    "newsletter",
    "image",
];

fn object(json: &Value) -> Result<&Map<String, Value>, FieldErrors> {
    json.as_object().ok_or_else(|| {
        FieldErrors::from([(
            "body".to_string(),
            "Send a JSON object, like {\"title\": \"…\", \"body\": \"…\"}.".to_string(),
        )])
    })
}

fn unknown_keys(map: &Map<String, Value>, known: &[&str], errors: &mut FieldErrors) {
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        errors.insert(
            key.clone(),
            format!("Unknown field; the fields are: {}.", known.join(", ")),
        );
    }
}

fn text(map: &Map<String, Value>, key: &str, errors: &mut FieldErrors) -> Option<String> {
    match map.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        _ => {
            errors.insert(key.into(), "Must be a string.".into());
            None
        }
    }
}

/// Reads a post's fields. `creating`: title and body are required.
pub fn post_fields(json: &Value, creating: bool) -> Result<PostFields, FieldErrors> {
    let map = object(json)?;
    let mut errors = FieldErrors::new();
    unknown_keys(map, &POST_KEYS, &mut errors);
    let mut fields = PostFields {
        title: text(map, "title", &mut errors).map(|t| t.trim().to_string()),
        ..PostFields::default()
    };
    match &fields.title {
        Some(t) if t.is_empty() => _ = errors.insert("title".into(), "Must not be empty.".into()),
        Some(t) if t.chars().count() > MAX_TITLE_CHARS => {
            _ = errors.insert(
                "title".into(),
                format!("At most {MAX_TITLE_CHARS} characters."),
            )
        }
        None if creating && !errors.contains_key("title") => {
            _ = errors.insert("title".into(), "Required.".into())
        }
        _ => {}
    }

    fields.body = text(map, "body", &mut errors);
    match &fields.body {
        Some(b) if b.trim().is_empty() => {
            _ = errors.insert("body".into(), "Must not be empty.".into())
        }
        Some(b) if b.len() > MAX_BODY_BYTES => {
            _ = errors.insert(
                "body".into(),
                format!("At most {} KB of Markdown.", MAX_BODY_BYTES / 1024),
            )
        }
        None if creating && !errors.contains_key("body") => {
            _ = errors.insert("body".into(), "Required.".into())
        }
        _ => {}
    }

    fields.slug = text(map, "slug", &mut errors).map(|s| s.trim().to_string());
    if let Some(slug) = &fields.slug {
        if !is_slug(slug) {
            errors.insert(
                "slug".into(),
                "Use lower-case letters a–z, digits and single hyphens, at most 200 characters."
                    .into(),
            );
        }
    }

    if let Some(status) = text(map, "status", &mut errors) {
        match PostStatus::parse(&status) {
            Some(s) => fields.status = Some(s),
            None => {
                _ = errors.insert(
                    "status".into(),
                    "Must be \"published\" or \"draft\".".into(),
                )
            }
        }
    }

    match map.get("published_at") {
        None => {}
        Some(Value::Null) => fields.published_at = Some(None),
        Some(Value::String(s)) => match dates::parse_rfc3339(s) {
            Some(at) => fields.published_at = Some(Some(at)),
            None => {
                _ = errors.insert(
                    "published_at".into(),
                    "Must be an RFC 3339 time, like 2011-03-18T14:17:00Z.".into(),
                )
            }
        },
        Some(_) => {
            _ = errors.insert(
                "published_at".into(),
                "Must be an RFC 3339 time string.".into(),
            )
        }
    }

    match map.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => match tags(items) {
            Ok(t) => fields.tags = Some(t),
            Err(e) => _ = errors.insert("tags".into(), e),
        },
        Some(_) => _ = errors.insert("tags".into(), "Must be an array of strings.".into()),
    }

    match map.get("comments_open") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => fields.comments_open = Some(*b),
        Some(_) => _ = errors.insert("comments_open".into(), "Must be true or false.".into()),
    }

    match map.get("newsletter") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => fields.newsletter = Some(*b),
        Some(_) => _ = errors.insert("newsletter".into(), "Must be true or false.".into()),
    }

    match map.get("type").map(Value::as_str) {
        None => {}
        Some(Some("post")) => fields.is_page = Some(false),
        Some(Some("page")) => fields.is_page = Some(true),
        Some(_) => _ = errors.insert("type".into(), "Must be \"post\" or \"page\".".into()),
    }

    match map.get("parent") {
        None => {}
        Some(Value::Null) => fields.parent = Some(None),
        Some(Value::String(slug)) if is_slug(slug.trim()) => {
            fields.parent = Some(Some(slug.trim().to_string()))
        }
        Some(_) => {
            _ = errors.insert(
                "parent".into(),
                "Must be the slug of a page, or null for a top-level page.".into(),
            )
        }
    }

    match map.get("menu_order") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_i64().is_some_and(|n| n.abs() <= 1_000_000) => {
            fields.menu_order = n.as_i64()
        }
        Some(_) => {
            _ = errors.insert(
                "menu_order".into(),
                "Must be a whole number between -1000000 and 1000000 (smaller comes first).".into(),
            )
        }
    }

    match map.get("in_menu") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => fields.in_menu = Some(*b),
        Some(_) => _ = errors.insert("in_menu".into(), "Must be true or false.".into()),
    }

    match map.get("image") {
        None => {}
        Some(Value::Null) => fields.image = Some(None),
        Some(Value::String(url)) if is_image_address(url) => {
            fields.image = Some(Some(url.trim().to_string()))
        }
        Some(_) => _ = errors.insert(
            "image".into(),
            "Must be an address on this blog (/media/…) or an http(s) URL, at most 500 characters."
                .into(),
        ),
    }

    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

/// A lead image's address: a path on the blog or an `http(s)` URL, nothing that could break out
/// of an attribute.
fn is_image_address(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    (url.starts_with('/') && !url.starts_with("//")
        || lower.starts_with("https://")
        || lower.starts_with("http://"))
        && url.len() <= 500
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>'))
}

/// Tags: trimmed, inner whitespace collapsed, duplicates (ignoring case) dropped, order kept.
fn tags(items: &[Value]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let Value::String(tag) = item else {
            return Err("Must be an array of strings.".into());
        };
        let tag = tag.split_whitespace().collect::<Vec<_>>().join(" ");
        if tag.is_empty() {
            return Err("Tags must not be empty.".into());
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(format!("Each tag is at most {MAX_TAG_CHARS} characters."));
        }
        if !out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(format!("At most {MAX_TAGS} tags."));
    }
    Ok(out)
}

/// An addendum: Markdown body and an optional time (default: now).
pub fn addendum(json: &Value) -> Result<(String, Option<i64>), FieldErrors> {
    let map = object(json)?;
    let mut errors = FieldErrors::new();
    unknown_keys(map, &["body", "at"], &mut errors);
    let body = text(map, "body", &mut errors);
    match &body {
        Some(b) if b.trim().is_empty() => {
            _ = errors.insert("body".into(), "Must not be empty.".into())
        }
        Some(b) if b.len() > MAX_BODY_BYTES => _ = errors.insert("body".into(), "Too long.".into()),
        None if !errors.contains_key("body") => {
            _ = errors.insert("body".into(), "Required.".into())
        }
        _ => {}
    }
    let at = match map.get("at") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let at = dates::parse_rfc3339(s);
            if at.is_none() {
                errors.insert(
                    "at".into(),
                    "Must be an RFC 3339 time, like 2011-03-18T14:17:00Z.".into(),
                );
            }
            at
        }
        Some(_) => {
            errors.insert("at".into(), "Must be an RFC 3339 time string.".into());
            None
        }
    };
    match body {
        Some(body) if errors.is_empty() => Ok((body, at)),
        _ => Err(errors),
    }
}

/// `POST /admin/restore`: an entry of an export brought back whole — its fields as
/// `POST /admin/posts` takes them (the slug required), when it was last changed, and its addenda
/// with the ids they had.
#[derive(Debug, PartialEq)]
pub struct RestoredEntry {
    pub fields: PostFields,
    pub slug: String,
    pub updated_at: i64,
    pub addenda: Vec<crate::revisions::AddendumVersion>,
}

/// Reads a restore request (see [`RestoredEntry`]); every field's error at once, addenda's as
/// `addenda[N].field`.
pub fn restored_entry(json: &Value) -> Result<RestoredEntry, FieldErrors> {
    let map = object(json)?;
    let mut errors = FieldErrors::new();
    unknown_keys(map, &["entry", "updated_at", "addenda"], &mut errors);
    let fields = match map.get("entry") {
        Some(entry) => match post_fields(entry, true) {
            Ok(fields) => Some(fields),
            Err(e) => {
                errors.extend(e.into_iter().map(|(k, v)| (format!("entry.{k}"), v)));
                None
            }
        },
        None => {
            errors.insert("entry".into(), "Required: the entry's fields.".into());
            None
        }
    };
    let slug = fields.as_ref().and_then(|f| f.slug.clone());
    if fields.is_some() && slug.is_none() {
        errors.insert(
            "entry.slug".into(),
            "Required: a restore keeps the slug.".into(),
        );
    }
    let updated_at = match map.get("updated_at") {
        Some(Value::String(s)) => dates::parse_rfc3339(s),
        _ => None,
    };
    if updated_at.is_none() {
        errors.insert(
            "updated_at".into(),
            "Required: an RFC 3339 time, like 2011-03-18T14:17:00Z.".into(),
        );
    }
    let mut addenda = Vec::new();
    match map.get("addenda") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (n, item) in items.iter().enumerate() {
                let id = item.get("id").and_then(Value::as_i64).unwrap_or(0);
                let without_id = match item.as_object() {
                    Some(m) => Value::Object(
                        m.iter()
                            .filter(|(k, _)| k.as_str() != "id")
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    ),
                    None => item.clone(),
                };
                match addendum(&without_id) {
                    Ok((body, Some(at))) => {
                        addenda.push(crate::revisions::AddendumVersion { id, at, body })
                    }
                    Ok((_, None)) => {
                        _ = errors.insert(format!("addenda[{n}].at"), "Required.".into())
                    }
                    Err(e) => {
                        errors.extend(e.into_iter().map(|(k, v)| (format!("addenda[{n}].{k}"), v)))
                    }
                }
            }
        }
        Some(_) => _ = errors.insert("addenda".into(), "Must be an array.".into()),
    }
    match (fields, slug, updated_at) {
        (Some(fields), Some(slug), Some(updated_at)) if errors.is_empty() => Ok(RestoredEntry {
            fields,
            slug,
            updated_at,
            addenda,
        }),
        _ => Err(errors),
    }
}

/// The author's own comment: body and optional parent comment id.
pub fn author_comment(json: &Value) -> Result<(String, Option<i64>), FieldErrors> {
    let map = object(json)?;
    let mut errors = FieldErrors::new();
    unknown_keys(map, &["body", "parent"], &mut errors);
    let body = text(map, "body", &mut errors).map(|b| b.trim().to_string());
    match &body {
        Some(b) if b.is_empty() => _ = errors.insert("body".into(), "Must not be empty.".into()),
        Some(b) if b.chars().count() > MAX_COMMENT_CHARS => {
            _ = errors.insert(
                "body".into(),
                format!("At most {MAX_COMMENT_CHARS} characters."),
            )
        }
        None if !errors.contains_key("body") => {
            _ = errors.insert("body".into(), "Required.".into())
        }
        _ => {}
    }
    let parent = match map.get("parent") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64().filter(|&id| id > 0) {
            Some(id) => Some(id),
            None => {
                errors.insert(
                    "parent".into(),
                    "Must be the id of a comment on this post.".into(),
                );
                None
            }
        },
    };
    match body {
        Some(body) if errors.is_empty() => Ok((body, parent)),
        _ => Err(errors),
    }
}

/// What `PATCH /admin/comments/{id}` changes: its status and, when the author corrects a
/// comment, its text and who it is from. `None` leaves a field as it is.
#[derive(Debug, Default, PartialEq)]
pub struct CommentEdit {
    pub status: Option<CommentStatus>,
    pub body: Option<String>,
    pub author: Option<String>,
    /// Empty: no address (the author's own replies and fediverse comments have none).
    pub email: Option<String>,
    /// `Some(None)`: no website.
    pub url: Option<Option<String>>,
}

impl CommentEdit {
    /// Whether it changes more than the status (the text must be rendered again).
    pub fn changes_content(&self) -> bool {
        self.body.is_some() || self.author.is_some() || self.email.is_some() || self.url.is_some()
    }
}

/// Reads a comment's edit: `{"status": …, "body": …, "author": …, "email": …, "url": …}`, each
/// optional, at least one.
pub fn comment_edit(json: &Value) -> Result<CommentEdit, FieldErrors> {
    let map = object(json)?;
    let mut errors = FieldErrors::new();
    unknown_keys(
        map,
        &["status", "body", "author", "email", "url"],
        &mut errors,
    );
    let mut edit = CommentEdit::default();
    if let Some(status) = text(map, "status", &mut errors) {
        edit.status = CommentStatus::parse(&status);
        if edit.status.is_none() {
            errors.insert(
                "status".into(),
                "Must be \"approved\", \"pending\" or \"spam\".".into(),
            );
        }
    }
    if let Some(body) = text(map, "body", &mut errors) {
        let body = body.replace("\r\n", "\n").trim().to_string();
        match body.chars().count() {
            0 => _ = errors.insert("body".into(), "Must not be empty.".into()),
            n if n > MAX_COMMENT_CHARS => {
                _ = errors.insert(
                    "body".into(),
                    format!("At most {MAX_COMMENT_CHARS} characters (this has {n})."),
                )
            }
            _ => edit.body = Some(body),
        }
    }
    if let Some(author) = text(map, "author", &mut errors) {
        let author = author.split_whitespace().collect::<Vec<_>>().join(" ");
        match author.chars().count() {
            0 => _ = errors.insert("author".into(), "Must not be empty.".into()),
            n if n > crate::form::MAX_AUTHOR_CHARS => {
                _ = errors.insert(
                    "author".into(),
                    format!("At most {} characters.", crate::form::MAX_AUTHOR_CHARS),
                )
            }
            _ => edit.author = Some(author),
        }
    }
    if let Some(email) = text(map, "email", &mut errors) {
        let email = email.trim().to_string();
        if email.is_empty() || crate::form::is_email(&email) {
            edit.email = Some(email);
        } else {
            errors.insert(
                "email".into(),
                "This does not look like an email address (like name@example.com); empty: none."
                    .into(),
            );
        }
    }
    if let Some(url) = text(map, "url", &mut errors) {
        match crate::form::normalise_url(&url) {
            Ok(url) => edit.url = Some(url),
            Err(why) => _ = errors.insert("url".into(), why),
        }
    }
    if errors.is_empty() && edit == CommentEdit::default() {
        errors.insert(
            "status".into(),
            "Send at least one of status, body, author, email, url.".into(),
        );
    }
    if errors.is_empty() {
        Ok(edit)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_full_post() {
        let fields = post_fields(
            &json!({"title": " Hello ", "body": "Text", "slug": "hello", "status": "draft",
                    "published_at": "2011-03-18T14:17:00Z", "tags": ["NHS", " social  media ", "nhs"]}),
            true,
        )
        .expect("valid");
        assert_eq!(fields.title.as_deref(), Some("Hello"));
        assert_eq!(fields.status, Some(PostStatus::Draft));
        assert_eq!(fields.published_at, Some(Some(1_300_457_820)));
        assert_eq!(
            fields.tags,
            Some(vec!["NHS".to_string(), "social media".to_string()])
        );
    }

    #[test]
    fn creating_needs_title_and_body() {
        let errors = post_fields(&json!({}), true).unwrap_err();
        assert_eq!(errors.get("title").map(String::as_str), Some("Required."));
        assert_eq!(errors.get("body").map(String::as_str), Some("Required."));
        assert!(
            post_fields(&json!({}), false).is_ok(),
            "a PATCH may change nothing"
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = post_fields(
            &json!({"title": 5, "body": "", "slug": "Not A Slug", "status": "live",
                    "published_at": "yesterday", "tags": "a", "colour": "red", "image": "javascript:x"}),
            true,
        )
        .unwrap_err();
        for key in [
            "title",
            "body",
            "slug",
            "status",
            "published_at",
            "tags",
            "image",
            "colour",
        ] {
            assert!(errors.contains_key(key), "{key} in {errors:?}");
        }
        assert!(post_fields(&json!([1]), true).is_err());
    }

    #[test]
    fn addenda_and_author_comments() {
        assert_eq!(
            addendum(&json!({"body": "x"})).unwrap(),
            ("x".to_string(), None)
        );
        assert_eq!(
            addendum(&json!({"body": "x", "at": "2011-03-18T14:17:00Z"}))
                .unwrap()
                .1,
            Some(1_300_457_820)
        );
        assert!(addendum(&json!({"body": " "}))
            .unwrap_err()
            .contains_key("body"));
        assert!(addendum(&json!({"body": "x", "at": 3}))
            .unwrap_err()
            .contains_key("at"));
        assert_eq!(
            author_comment(&json!({"body": " Thanks ", "parent": 4})).unwrap(),
            ("Thanks".into(), Some(4))
        );
        assert!(author_comment(&json!({"body": "x", "parent": -1}))
            .unwrap_err()
            .contains_key("parent"));
        assert!(author_comment(&json!({"body": "x", "parent": "4"}))
            .unwrap_err()
            .contains_key("parent"));
    }

    #[test]
    fn moderation_statuses() {
        assert_eq!(
            comment_edit(&json!({"status": "spam"})).unwrap().status,
            Some(CommentStatus::Spam)
        );
        assert!(comment_edit(&json!({"status": "deleted"}))
            .unwrap_err()
            .contains_key("status"));
        assert!(comment_edit(&json!({})).unwrap_err().contains_key("status"));
    }

    #[test]
    fn a_comment_edit() {
        let edit = comment_edit(&json!({"body": " Fixed\r\ntypo ", "author": " Ann  Lee ", "email": "", "url": "example.org"}))
            .expect("valid");
        assert_eq!(edit.body.as_deref(), Some("Fixed\ntypo"));
        assert_eq!(edit.author.as_deref(), Some("Ann Lee"));
        assert_eq!(edit.email.as_deref(), Some(""));
        assert_eq!(edit.url, Some(Some("https://example.org".into())));
        assert!(edit.changes_content());
        let status = comment_edit(&json!({"status": "spam"})).expect("valid");
        assert_eq!(status.status, Some(CommentStatus::Spam));
        assert!(!status.changes_content());
        let wrong = comment_edit(&json!({"body": "", "email": "not-an-address", "url": "javascript:x", "status": "gone", "colour": 1}))
            .expect_err("refused");
        for key in ["body", "email", "url", "status", "colour"] {
            assert!(wrong.contains_key(key), "{key}: {wrong:?}");
        }
        assert!(comment_edit(&json!({})).is_err(), "nothing to change");
    }

    #[test]
    fn a_restore_keeps_the_slug_the_time_and_the_addenda_ids() {
        let ok = restored_entry(&serde_json::json!({
            "entry": {"title": "T", "body": "B", "slug": "t", "status": "draft"},
            "updated_at": "2011-03-18T14:17:00Z",
            "addenda": [{"id": 4, "at": "2011-03-18T14:17:00Z", "body": "Later."}],
        }))
        .expect("valid");
        assert_eq!(ok.slug, "t");
        assert_eq!(ok.updated_at, 1_300_457_820);
        assert_eq!(ok.addenda[0].id, 4);
        assert_eq!(ok.fields.status, Some(PostStatus::Draft));

        let errors = restored_entry(&serde_json::json!({
            "entry": {"title": "T", "body": "B"},
            "addenda": [{"body": "no date"}, {"at": "soon", "body": ""}],
        }))
        .expect_err("invalid");
        let keys: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "addenda[0].at",
                "addenda[1].at",
                "addenda[1].body",
                "entry.slug",
                "updated_at"
            ]
        );
    }
}
