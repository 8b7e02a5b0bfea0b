//! The admin API: JSON endpoints under `/admin/` for the author and the `blogctl` tool. Every
//! request needs `Authorization: Bearer <ADMIN_TOKEN>`; every change drops exactly the cached
//! pages it affects.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use worker::{Method, Request, Response};

use crate::cache;
use crate::dates::{self, FixedZone};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::http::{self, App};
use crate::input::{self, CommentStatus, PostStatus};
use crate::routes::{self, Page};
use crate::runtime;
use crate::store::{
    AddendumRecord, CommentRecord, NewComment, Placement, PostRecord, PostWrite, Store,
};
use crate::{comment_text, markdown};

/// The largest JSON body the admin API reads.
const MAX_JSON_BYTES: usize = 1024 * 1024;

/// Handles a request under `/admin`: authentication first, for every path.
pub async fn handle(req: &mut Request, app: &App, path: &str) -> AppResult<Response> {
    authenticate(req, app)?;
    let rest = path.trim_start_matches("/admin").trim_start_matches('/');
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let method = req.method();
    let store = app.store()?;
    match (segments.as_slice(), method) {
        (["posts"], Method::Get) => list_posts(app, &store).await,
        (["posts"], Method::Post) => create_post(app, &store, &read_json(req).await?).await,
        (["posts"], _) => Err(AppError::MethodNotAllowed("GET, POST")),
        (["posts", slug], Method::Get) => get_post(app, &store, slug).await,
        (["posts", slug], Method::Patch) => {
            update_post(app, &store, slug, &read_json(req).await?).await
        }
        (["posts", slug], Method::Delete) => delete_post(app, &store, slug).await,
        (["posts", _], _) => Err(AppError::MethodNotAllowed("GET, PATCH, DELETE")),
        (["posts", slug, "addenda"], Method::Post) => {
            add_addendum(app, &store, slug, &read_json(req).await?).await
        }
        (["posts", slug, "comments"], Method::Post) => {
            add_author_comment(app, &store, slug, &read_json(req).await?).await
        }
        (["posts", _, "addenda" | "comments"], _) => Err(AppError::MethodNotAllowed("POST")),
        (["comments"], Method::Get) => list_comments(&store, req).await,
        (["comments"], _) => Err(AppError::MethodNotAllowed("GET")),
        (["comments", id], Method::Patch) => {
            moderate(app, &store, comment_id(id)?, &read_json(req).await?).await
        }
        (["comments", id], Method::Delete) => delete_comment(app, &store, comment_id(id)?).await,
        (["comments", _], _) => Err(AppError::MethodNotAllowed("PATCH, DELETE")),
        (["import"], Method::Post) => import(app, &store, &read_json(req).await?).await,
        (["import"], _) => Err(AppError::MethodNotAllowed("POST")),
        (["renders"], Method::Post) => refresh_renders(app).await,
        (["renders"], _) => Err(AppError::MethodNotAllowed("POST")),
        _ => Err(AppError::NotFound),
    }
}

/// Compares the bearer token with `ADMIN_TOKEN` in constant time (over SHA-256 digests, so that
/// not even the length leaks).
fn authenticate(req: &Request, app: &App) -> AppResult<()> {
    let Some(expected) = app.admin_token().filter(|t| !t.is_empty()) else {
        return Err(AppError::Unauthorized(
            "The admin API is disabled: set the ADMIN_TOKEN secret (wrangler secret put ADMIN_TOKEN).".into(),
        ));
    };
    let header = req
        .headers()
        .get("Authorization")
        .ok()
        .flatten()
        .unwrap_or_default();
    let (scheme, token) = header.trim().split_once(' ').unwrap_or(("", ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AppError::Unauthorized(
            "Send the admin token as: Authorization: Bearer <token>.".into(),
        ));
    }
    if !tokens_match(token.trim(), &expected) {
        return Err(AppError::Unauthorized("The admin token is wrong.".into()));
    }
    Ok(())
}

pub fn tokens_match(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    constant_time_eq::constant_time_eq_32(&a.into(), &b.into())
}

async fn read_json(req: &mut Request) -> AppResult<Value> {
    let bytes = http::read_body(
        req,
        "application/json",
        MAX_JSON_BYTES,
        "Send the body as JSON with Content-Type: application/json.",
    )
    .await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| AppError::BadRequest(format!("The body is not valid JSON: {e}.")))
}

fn comment_id(text: &str) -> AppResult<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|&id| id > 0 && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(AppError::NotFound)
}

fn created(body: Value, location: Option<String>) -> AppResult<Response> {
    let response = json_response(201, &body)?;
    if let Some(location) = location {
        response.headers().set("Location", &location)?;
    }
    Ok(response)
}

pub fn json_response(status: u16, body: &Value) -> AppResult<Response> {
    let response = Response::from_json(body)?.with_status(status);
    response.headers().set("Cache-Control", "no-store")?;
    Ok(response)
}

fn no_content() -> AppResult<Response> {
    Ok(Response::empty()?.with_status(204))
}

fn utc(unix: i64) -> String {
    dates::rfc3339(unix, &FixedZone::UTC)
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::invalid(FieldErrors::from([(
        field.to_string(),
        message.to_string(),
    )]))
}

// ---- posts ----

fn post_json(app: &App, post: &PostRecord, addenda: Option<&[AddendumRecord]>, now: i64) -> Value {
    let tags: Vec<String> = serde_json::from_str(&post.tags).unwrap_or_default();
    let published = post.status == PostStatus::Published.as_str();
    let mut value = json!({
        "id": post.id,
        "slug": post.slug,
        "url": app.blog().url(&routes::post_path(&post.slug)),
        "title": post.title,
        "status": post.status,
        "published_at": post.published_at.map(utc),
        "updated_at": utc(post.updated_at),
        "scheduled": published && post.published_at.is_some_and(|at| at > now),
        "visible": published && post.published_at.is_some_and(|at| at <= now),
        "comments_open": post.comments_open != 0,
        "tags": tags,
        "comments": {"approved": post.approved, "pending": post.pending, "spam": post.spam},
    });
    if let Some(addenda) = addenda {
        value["body"] = json!(post.body);
        value["addenda"] = addenda
            .iter()
            .map(|a| json!({"id": a.id, "at": utc(a.created_at), "body": a.body}))
            .collect();
    }
    value
}

async fn find_post(store: &Store, slug: &str) -> AppResult<PostRecord> {
    store.post_record(slug).await?.ok_or(AppError::NotFound)
}

async fn full_post(app: &App, store: &Store, slug: &str, now: i64) -> AppResult<Value> {
    let post = find_post(store, slug).await?;
    let addenda = store.addenda(post.id).await?;
    Ok(post_json(app, &post, Some(&addenda), now))
}

async fn list_posts(app: &App, store: &Store) -> AppResult<Response> {
    let now = runtime::now();
    let posts: Vec<Value> = store
        .all_posts()
        .await?
        .iter()
        .map(|p| post_json(app, p, None, now))
        .collect();
    json_response(200, &json!({ "posts": posts }))
}

async fn get_post(app: &App, store: &Store, slug: &str) -> AppResult<Response> {
    json_response(200, &full_post(app, store, slug, runtime::now()).await?)
}

async fn create_post(app: &App, store: &Store, body: &Value) -> AppResult<Response> {
    let fields = input::post_fields(body, true).map_err(AppError::invalid)?;
    let now = runtime::now();
    let (title, markdown) = (
        fields.title.unwrap_or_default(),
        fields.body.unwrap_or_default(),
    );
    let status = fields.status.unwrap_or(PostStatus::Published);
    let published_at = match fields.published_at {
        Some(at) => at,
        None => (status == PostStatus::Published).then_some(now),
    };
    let tags = fields.tags.unwrap_or_default();
    let before = store.placement(None, now).await?;
    let explicit = fields.slug.is_some();
    let base = fields.slug.unwrap_or_else(|| {
        let derived = input::slug_from_title(&title);
        if derived.is_empty() {
            format!("post-{now}")
        } else {
            derived
        }
    });
    let rendered = markdown::render(&markdown);
    // A slug made from the title gets -2, -3, … when taken; an explicit one is the author's call.
    let mut id = None;
    let mut slug = base.clone();
    for attempt in 1..=20 {
        if attempt > 1 {
            slug = format!("{base}-{attempt}");
        }
        let write = PostWrite {
            slug: &slug,
            title: &title,
            body: &markdown,
            body_html: &rendered.html,
            lead: &rendered.lead,
            status: status.as_str(),
            published_at,
            updated_at: now,
            comments_open: fields.comments_open.unwrap_or(true),
        };
        id = store.insert_post(&write, &tags).await?;
        if id.is_some() || explicit {
            break;
        }
    }
    let Some(id) = id else {
        return Err(AppError::Conflict(format!(
            "The slug \"{slug}\" is taken by another post; choose another slug or PATCH /admin/posts/{slug}."
        )));
    };
    let after = store.placement(Some(id), now).await?;
    purge_post_change(app, store, (before, after), &[&slug], (&tags, 0), now).await?;
    let location = format!("/admin/posts/{slug}");
    created(full_post(app, store, &slug, now).await?, Some(location))
}

async fn update_post(app: &App, store: &Store, slug: &str, body: &Value) -> AppResult<Response> {
    let post = find_post(store, slug).await?;
    let fields = input::post_fields(body, false).map_err(AppError::invalid)?;
    let now = runtime::now();
    let status = fields.status.unwrap_or(if post.status == "draft" {
        PostStatus::Draft
    } else {
        PostStatus::Published
    });
    let published_at = match fields.published_at {
        Some(at) => at,
        None if status == PostStatus::Published && post.published_at.is_none() => Some(now),
        None => post.published_at,
    };
    let new_slug = fields.slug.clone().unwrap_or_else(|| post.slug.clone());
    let body = fields.body.as_deref().unwrap_or(&post.body);
    let rendered = markdown::render(body);
    let write = PostWrite {
        slug: &new_slug,
        title: fields.title.as_deref().unwrap_or(&post.title),
        body,
        body_html: &rendered.html,
        lead: &rendered.lead,
        status: status.as_str(),
        published_at,
        updated_at: now,
        comments_open: fields.comments_open.unwrap_or(post.comments_open != 0),
    };
    let before = store.placement(Some(post.id), now).await?;
    if !store
        .update_post(post.id, &write, fields.tags.as_deref())
        .await?
    {
        return Err(AppError::Conflict(format!(
            "The slug \"{new_slug}\" is taken by another post."
        )));
    }
    let after = store.placement(Some(post.id), now).await?;
    let mut tags = tag_names(&post);
    tags.extend(fields.tags.unwrap_or_default());
    purge_post_change(
        app,
        store,
        (before, after),
        &[&post.slug, &new_slug],
        (&tags, post.approved as u32),
        now,
    )
    .await?;
    json_response(200, &full_post(app, store, &new_slug, now).await?)
}

fn tag_names(post: &PostRecord) -> Vec<String> {
    serde_json::from_str(&post.tags).unwrap_or_default()
}

/// After a post was created, edited or deleted: its page and comment pages (under each slug it
/// had; `approved` comments bound how many threads there are), its comment feed, the listing
/// pages it moved on (see `cache::listing_pages`; an edit in place still changes its own entry),
/// the feeds and sitemap, and the pages of its tags, old and new.
async fn purge_post_change(
    app: &App,
    store: &Store,
    (before, after): (Placement, Placement),
    slugs: &[&str],
    (tags, approved): (&[String], u32),
    now: i64,
) -> AppResult<()> {
    let mut pages = cache::listing_pages(before, after);
    if pages.is_empty() {
        pages.extend(after.rank.map(cache::listing_page));
    }
    for slug in slugs {
        pages.push(Page::Post {
            slug: slug.to_string(),
        });
        pages.push(Page::CommentFeed {
            slug: slug.to_string(),
        });
        pages.extend(cache::comment_pages(slug, approved));
    }
    pages.extend(cache::site_pages());
    let mut tag_slugs: Vec<String> = tags.iter().map(|t| input::tag_slug(t)).collect();
    tag_slugs.sort();
    tag_slugs.dedup();
    if !tag_slugs.is_empty() {
        pages.extend(cache::tag_pages(&store.tag_totals(&tag_slugs, now).await?));
    }
    pages.dedup();
    http::purge(app, &pages).await;
    Ok(())
}

async fn delete_post(app: &App, store: &Store, slug: &str) -> AppResult<Response> {
    let post = find_post(store, slug).await?;
    let now = runtime::now();
    let before = store.placement(Some(post.id), now).await?;
    store.delete_post(post.id).await?;
    let after = store.placement(None, now).await?;
    purge_post_change(
        app,
        store,
        (before, after),
        &[&post.slug],
        (&tag_names(&post), post.approved as u32),
        now,
    )
    .await?;
    no_content()
}

async fn add_addendum(app: &App, store: &Store, slug: &str, body: &Value) -> AppResult<Response> {
    let post = find_post(store, slug).await?;
    let (markdown, at) = input::addendum(body).map_err(AppError::invalid)?;
    let at = at.unwrap_or_else(runtime::now);
    let html = markdown::to_html(&markdown);
    let id = store.insert_addendum(post.id, &markdown, &html, at).await?;
    // The post and everything that shows its full text or updated time.
    let mut pages = cache::comment_pages(&post.slug, post.approved as u32);
    pages.push(Page::Post { slug: post.slug });
    pages.extend(cache::site_pages());
    http::purge(app, &pages).await;
    created(json!({"id": id, "at": utc(at)}), None)
}

async fn add_author_comment(
    app: &App,
    store: &Store,
    slug: &str,
    body: &Value,
) -> AppResult<Response> {
    let post = find_post(store, slug).await?;
    let (text, parent) = input::author_comment(body).map_err(AppError::invalid)?;
    if let Some(parent) = parent {
        let on_this_post = store
            .comment(parent)
            .await?
            .is_some_and(|c| c.post_id == post.id);
        if !on_this_post {
            return Err(invalid(
                "parent",
                "Must be the id of a comment on this post.",
            ));
        }
    }
    let comment = NewComment {
        post_id: post.id,
        parent_id: parent,
        author_name: &app.blog().author,
        author_email: "",
        author_url: None,
        body: &text,
        body_html: &comment_text::to_html(&text),
        status: CommentStatus::Approved.as_str(),
        created_at: runtime::now(),
        by_post_author: true,
        spam_reasons: "[]",
        client_hash: None,
        import_key: None,
    };
    let id = store
        .insert_comment(&comment)
        .await?
        .ok_or_else(|| AppError::Unavailable("comment not stored".into()))?;
    http::purge_post(app, store, post.id, &post.slug).await?;
    created(
        json!({ "id": id }),
        Some(format!("{}#comment-{id}", routes::post_path(&post.slug))),
    )
}

// ---- comments ----

fn comment_json(c: &CommentRecord) -> Value {
    let reasons: Value = serde_json::from_str(&c.spam_reasons).unwrap_or_else(|_| json!([]));
    json!({
        "id": c.id,
        "post": c.post_slug,
        "parent": c.parent_id,
        "author": c.author_name,
        "email": c.author_email,
        "url": c.author_url,
        "body": c.body,
        "status": c.status,
        "created_at": utc(c.created_at),
        "by_post_author": c.by_post_author != 0,
        "reasons": reasons,
    })
}

async fn list_comments(store: &Store, req: &Request) -> AppResult<Response> {
    let url = req.inner().url();
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let (mut status, mut limit, mut offset) = (CommentStatus::Pending, 50u32, 0u32);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "status" => {
                status = CommentStatus::parse(&value).ok_or_else(|| {
                    AppError::BadRequest("status must be pending, approved or spam.".into())
                })?
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=500).contains(n))
                    .ok_or_else(|| {
                        AppError::BadRequest("limit must be a number from 1 to 500.".into())
                    })?
            }
            "offset" => {
                offset = value
                    .parse()
                    .map_err(|_| AppError::BadRequest("offset must be a whole number.".into()))?
            }
            _ => {}
        }
    }
    let comments = store
        .comments_with_status(status.as_str(), limit, offset)
        .await?;
    let list: Vec<Value> = comments.iter().map(comment_json).collect();
    json_response(
        200,
        &json!({"status": status.as_str(), "limit": limit, "offset": offset, "comments": list}),
    )
}

async fn moderate(app: &App, store: &Store, id: i64, body: &Value) -> AppResult<Response> {
    let comment = store.comment(id).await?.ok_or(AppError::NotFound)?;
    let status = input::comment_status(body).map_err(AppError::invalid)?;
    if comment.status != status.as_str() {
        store.set_comment_status(id, status.as_str()).await?;
        let approved = CommentStatus::Approved.as_str();
        if comment.status == approved || status == CommentStatus::Approved {
            http::purge_post(app, store, comment.post_id, &comment.post_slug).await?;
        }
    }
    let updated = store.comment(id).await?.ok_or(AppError::NotFound)?;
    json_response(200, &comment_json(&updated))
}

async fn delete_comment(app: &App, store: &Store, id: i64) -> AppResult<Response> {
    let comment = store.comment(id).await?.ok_or(AppError::NotFound)?;
    store.delete_comment(id).await?;
    if comment.status == CommentStatus::Approved.as_str() {
        http::purge_post(app, store, comment.post_id, &comment.post_slug).await?;
    }
    no_content()
}

// ---- import ----

/// Imports comments onto an existing post, idempotently: `{"post": slug, "comments": [{"key",
/// "parent_key"?, "author", "email", "url"?, "body", "at", "status"}]}`, parents before replies.
/// A comment whose key is already on the post is skipped. Used by `blogctl import-wxr`.
async fn import(app: &App, store: &Store, body: &Value) -> AppResult<Response> {
    let slug = body
        .get("post")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("post", "Required: the post's slug."))?;
    let post = find_post(store, slug).await?;
    let items = body
        .get("comments")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("comments", "Required: an array of comments."))?;
    if items.len() > 40 {
        return Err(invalid(
            "comments",
            "At most 40 comments a request (D1 allows 50 queries).",
        ));
    }
    let mut created_ids = Vec::new();
    let mut skipped = 0;
    let mut failed: Vec<Value> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_string);
        let (Some(key), Some(author), Some(text)) = (field("key"), field("author"), field("body"))
        else {
            failed.push(json!({"index": index, "error": "key, author and body are required"}));
            continue;
        };
        let at = field("at").as_deref().and_then(dates::parse_rfc3339);
        let Some(at) = at else {
            failed
                .push(json!({"index": index, "key": key, "error": "at must be an RFC 3339 time"}));
            continue;
        };
        let status = field("status")
            .as_deref()
            .and_then(CommentStatus::parse)
            .unwrap_or(CommentStatus::Approved);
        let parent = match field("parent_key") {
            Some(parent_key) => store.imported_comment_id(post.id, &parent_key).await?,
            None => None,
        };
        let email = field("email").unwrap_or_default();
        let url = field("url").filter(|u| !u.is_empty());
        let comment = NewComment {
            post_id: post.id,
            parent_id: parent,
            author_name: &author,
            author_email: &email,
            author_url: url.as_deref(),
            body: &text,
            body_html: &comment_text::to_html(&text),
            status: status.as_str(),
            created_at: at,
            by_post_author: item
                .get("by_post_author")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            spam_reasons: "[]",
            client_hash: None,
            import_key: Some(&key),
        };
        match store.insert_comment(&comment).await? {
            Some(id) => created_ids.push(id),
            None => skipped += 1,
        }
    }
    if !created_ids.is_empty() {
        http::purge_post(app, store, post.id, &post.slug).await?;
    }
    json_response(
        200,
        &json!({"imported": created_ids.len(), "skipped": skipped, "failed": failed}),
    )
}

/// `POST /admin/renders`: stores fresh renders of every stale post, addendum and comment now
/// (the cron job does it a batch at a time), e.g. after loading rows with plain SQL.
async fn refresh_renders(app: &App) -> AppResult<Response> {
    // Bounded, so that one request's work is too: `remaining` says to ask again.
    let (rendered, remaining) = crate::schedule::refresh_renders(app, 200).await?;
    json_response(
        200,
        &json!({ "rendered": rendered, "remaining": remaining }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        assert!(tokens_match("s3cret-token", "s3cret-token"));
        assert!(!tokens_match("S3cret-token", "s3cret-token"));
        assert!(!tokens_match("s3cret-toke", "s3cret-token"));
        assert!(!tokens_match("", "s3cret-token"));
    }

    #[test]
    fn comment_ids_are_positive_digits() {
        assert_eq!(comment_id("42").ok(), Some(42));
        for bad in ["0", "-1", "+1", "1e3", "x", ""] {
            assert!(comment_id(bad).is_err(), "{bad}");
        }
    }
}
