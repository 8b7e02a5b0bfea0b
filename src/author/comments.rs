//! Comments as the author handles them: the moderation list, decisions, deletions, the author's
//! own replies, and imports from other systems. A change to what readers see drops the post's
//! pages (see `blog_core::invalidation`).

use blog_core::api::{self, ImportFailure};
use blog_core::dates::{self, rfc3339_utc as utc};
use blog_core::model::{CommentKind, CommentRecord, CommentStatus, NewComment};
use blog_core::validation::CommentEdit;
use blog_core::{comment_text, invalidation, validation};
use serde_json::{json, Value};
use worker::{Request, Response};

use super::posts;
use crate::edge::error::{AppError, AppResult};
use crate::edge::runtime;
use crate::edge::{http, App};
use crate::store::Store;

pub(crate) fn comment_json(c: CommentRecord) -> api::Comment {
    api::Comment {
        id: c.id,
        post: c.post_slug,
        parent: c.parent_id,
        author: c.author_name,
        email: c.author_email,
        url: c.author_url,
        body: c.body,
        status: c.status,
        created_at: utc(c.created_at),
        by_post_author: c.by_post_author,
        reasons: c.spam_reasons,
        kind: c.kind,
        key: c.import_key,
    }
}

/// Drops the pages that show a post's approved comments.
pub(super) async fn purge_comments_of(
    app: &App,
    store: &Store,
    post_id: i64,
    path: &str,
) -> AppResult<()> {
    let facts = store.comments_facts(post_id, runtime::now()).await?;
    app.purge(&invalidation::comments_pages_to_drop(path, facts))
        .await;
    Ok(())
}

/// `GET /admin/comments?status=pending|approved|spam&limit=n&offset=n`.
pub async fn list(store: &Store, req: &Request) -> AppResult<Response> {
    let (mut status, mut paging) = (CommentStatus::Pending, http::Paging::default());
    let query = http::query_string(req);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key == "status" {
            status = CommentStatus::parse(&value).ok_or_else(|| {
                AppError::BadRequest("status must be pending, approved or spam.".into())
            })?;
        } else {
            paging.read(&key, &value)?;
        }
    }
    let http::Paging { limit, offset } = paging;
    let (comments, total) = store.comments_with_status(status, limit, offset).await?;
    http::json_response(
        200,
        &api::CommentList {
            status,
            limit,
            offset,
            total,
            comments: comments.into_iter().map(comment_json).collect(),
        },
    )
}

/// `PATCH /admin/comments/{id}` with `{"status": …}` and/or the author's correction of its
/// `body`, `author`, `email` or `url` ([`validation::comment_edit`]).
pub async fn moderate(app: &App, store: &Store, id: i64, body: &Value) -> AppResult<Response> {
    let edit = validation::comment_edit(body).map_err(AppError::invalid)?;
    let updated = edit_comment(app, store, id, &edit).await?;
    http::json_response(200, &comment_json(updated))
}

/// Applies an edit to a comment (the API's and the browser admin's): its content first, then
/// its status, with the mail an approval causes; the post's pages are dropped when readers see
/// a difference. The comment as it now is.
pub async fn edit_comment(
    app: &App,
    store: &Store,
    id: i64,
    edit: &CommentEdit,
) -> AppResult<CommentRecord> {
    let comment = store.comment(id).await?.ok_or(AppError::NotFound)?;
    let mut seen_by_readers = false;
    if edit.changes_content() {
        let body = edit.body.as_deref().unwrap_or(&comment.body);
        let url = match &edit.url {
            Some(url) => url.as_deref(),
            None => comment.author_url.as_deref(),
        };
        store
            .update_comment_content(
                id,
                edit.author.as_deref().unwrap_or(&comment.author_name),
                edit.email.as_deref().unwrap_or(&comment.author_email),
                url,
                (body, &comment_text::to_html(body)),
            )
            .await?;
        seen_by_readers |= comment.status == CommentStatus::Approved;
    }
    if let Some(status) = edit.status.filter(|s| *s != comment.status) {
        // An approval writes the mail it causes (replies, a confirmation) in the same batch.
        store
            .set_comment_status_with_mail(id, status, runtime::now())
            .await?;
        seen_by_readers |=
            comment.status == CommentStatus::Approved || status == CommentStatus::Approved;
        if status == CommentStatus::Approved {
            app.after_response(app.outbox_kick()).await;
        }
    }
    if seen_by_readers {
        purge_comments_of(app, store, comment.post_id, &comment.post_path).await?;
    }
    store.comment(id).await?.ok_or(AppError::NotFound)
}

/// `DELETE /admin/comments/{id}`.
pub async fn delete(app: &App, store: &Store, id: i64) -> AppResult<Response> {
    let comment = store.comment(id).await?.ok_or(AppError::NotFound)?;
    store.delete_comment(id).await?;
    if comment.status == CommentStatus::Approved {
        purge_comments_of(app, store, comment.post_id, &comment.post_path).await?;
    }
    http::no_content()
}

/// `POST /admin/posts/{slug}/comments`: the author's own comment or reply, approved at once.
pub async fn add_author_comment(
    app: &App,
    store: &Store,
    slug: &str,
    body: &Value,
) -> AppResult<Response> {
    let post = posts::find(store, slug).await?;
    let (text, parent) = validation::author_comment(body).map_err(AppError::invalid)?;
    let parent = match parent {
        Some(id) => Some(
            store
                .comment(id)
                .await?
                .filter(|c| c.post_id == post.id)
                .ok_or_else(|| {
                    AppError::invalid_field("parent", "Must be the id of a comment on this post.")
                })?,
        ),
        None => None,
    };
    let id = author_reply(app, store, (post.id, &post.path), parent.as_ref(), &text).await?;
    let location = blog_core::routes::comment_link(&post.path, id);
    http::created(&json!({ "id": id }), Some(&location))
}

/// The author's comment on a post (`(id, path)`), or reply to `parent`, approved at once; a
/// reply approves the comment it answers if it was waiting or spam, as WordPress does. The
/// new comment's id.
pub async fn author_reply(
    app: &App,
    store: &Store,
    (post_id, post_path): (i64, &str),
    parent: Option<&CommentRecord>,
    text: &str,
) -> AppResult<i64> {
    let now = runtime::now();
    if let Some(parent) = parent.filter(|p| p.status != CommentStatus::Approved) {
        store
            .set_comment_status_with_mail(parent.id, CommentStatus::Approved, now)
            .await?;
    }
    let comment = NewComment {
        post_id,
        parent_id: parent.map(|p| p.id),
        author_name: &app.blog().await?.author,
        author_email: "",
        author_url: None,
        body: text,
        body_html: &comment_text::to_html(text),
        status: CommentStatus::Approved,
        created_at: now,
        by_post_author: true,
        kind: CommentKind::Comment,
        spam_reasons: &[],
        client_hash: None,
        import_key: None,
    };
    // The author's reply is mail for the commenter replied to, if they asked for it.
    let mail = store.mail_on_new_approved_comment(now)?;
    let id = store
        .insert_comment_with(&comment, mail)
        .await?
        .ok_or_else(|| AppError::Internal("the comment's insert returned no id".into()))?;
    purge_comments_of(app, store, post_id, post_path).await?;
    app.after_response(app.outbox_kick()).await;
    Ok(id)
}

/// `POST /admin/import` ([`api::ImportRequest`]): comments onto an existing post, idempotently,
/// parents before replies. A comment whose key is already on the post is skipped; an item that
/// cannot be read is reported, and the others are still imported. Used by `blogctl import-wxr`,
/// `import-disqus` and `import` (a restore, which keeps each comment's id where it is free).
pub async fn import(app: &App, store: &Store, body: &Value) -> AppResult<Response> {
    let slug = body
        .get("post")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::invalid_field("post", "Required: the post's slug."))?;
    let post = posts::find(store, slug).await?;
    let items = body
        .get("comments")
        .and_then(Value::as_array)
        .ok_or_else(|| AppError::invalid_field("comments", "Required: an array of comments."))?;
    if items.len() > 40 {
        return Err(AppError::invalid_field(
            "comments",
            "At most 40 comments a request (D1 allows 50 queries).",
        ));
    }
    let mut outcome = api::ImportOutcome {
        imported: 0,
        skipped: 0,
        failed: Vec::new(),
    };
    for (index, item) in items.iter().enumerate() {
        let item: api::ImportedComment = match serde_json::from_value(item.clone()) {
            Ok(item) => item,
            Err(e) => {
                let key = item.get("key").and_then(Value::as_str).map(str::to_string);
                outcome.failed.push(ImportFailure {
                    index,
                    key,
                    error: format!("key, author, body and at are required ({e})"),
                });
                continue;
            }
        };
        let Some(at) = dates::parse_rfc3339(&item.at) else {
            outcome.failed.push(ImportFailure {
                index,
                key: Some(item.key),
                error: "at must be an RFC 3339 time".into(),
            });
            continue;
        };
        // A restored comment whose id is on this post with its time is that comment.
        if let Some(id) = item.id {
            if store
                .comment(id)
                .await?
                .is_some_and(|c| c.post_id == post.id && c.created_at == at)
            {
                outcome.skipped += 1;
                continue;
            }
        }
        let by_key = match &item.parent_key {
            Some(parent_key) => store.imported_comment_id(post.id, parent_key).await?,
            None => None,
        };
        let parent = match (by_key, item.parent) {
            (Some(id), _) => Some(id),
            (None, Some(id)) => store
                .comment(id)
                .await?
                .filter(|c| c.post_id == post.id)
                .map(|c| c.id),
            (None, None) => None,
        };
        let comment = NewComment {
            post_id: post.id,
            parent_id: parent,
            author_name: &item.author,
            author_email: &item.email,
            author_url: item.url.as_deref().filter(|u| !u.is_empty()),
            body: &item.body,
            body_html: &comment_text::to_html(&item.body),
            status: item.status,
            created_at: at,
            by_post_author: item.by_post_author,
            kind: item.kind,
            spam_reasons: &item.reasons,
            client_hash: None,
            import_key: Some(&item.key),
        };
        // Its old id when free; else (or when there is none) the next.
        let inserted = match item.id {
            Some(id) => match store.insert_comment_as(id, &comment).await? {
                Some(id) => Some(id),
                None => store.insert_comment(&comment).await?,
            },
            None => store.insert_comment(&comment).await?,
        };
        match inserted {
            Some(_) => outcome.imported += 1,
            None => outcome.skipped += 1,
        }
    }
    if outcome.imported > 0 {
        purge_comments_of(app, store, post.id, &post.path).await?;
    }
    http::json_response(200, &outcome)
}
