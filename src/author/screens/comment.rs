//! One comment's screen: correct what it says or who it is from, move it between statuses,
//! delete it, and answer it as the author (which approves it, as WordPress does).

use blog_core::validation::{self, FieldErrors};

use super::moderation::{moderate, verb, with_notice, QueueItem};
use super::*;

/// What the comment's forms hold when they come back with a fault.
#[derive(Default)]
pub(super) struct Typed {
    author: String,
    email: String,
    url: String,
    body: String,
    status: String,
    reply: String,
    errors: FieldErrors,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/comment.html")]
pub(super) struct CommentPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    item: QueueItem,
    status: &'static str,
    action: String,
    typed: Typed,
}

impl CommentPage<'_> {
    fn error(&self, name: &str) -> Option<&String> {
        self.typed.errors.get(name)
    }

    /// (name, label, input type, value) of who the comment is from.
    fn contact_fields(&self) -> [(&'static str, &'static str, &'static str, &str); 3] {
        [
            ("author", "Name", "text", &self.typed.author),
            (
                "email",
                "Email address (never shown)",
                "email",
                &self.typed.email,
            ),
            ("url", "Website", "text", &self.typed.url),
        ]
    }

    /// (value, words) of each status.
    fn statuses(&self) -> [(&'static str, &'static str); 3] {
        [
            ("pending", "Waiting"),
            ("approved", "Approved"),
            ("spam", "Spam"),
        ]
    }
}

/// `/admin/queue/{id}`.
pub(super) async fn comment_page(
    app: &App,
    store: &Store,
    session: &Session,
    id: i64,
    typed: Option<Typed>,
    done: Option<String>,
    status: u16,
) -> AppResult<Response> {
    let comment = store.comment(id).await?.ok_or(AppError::NotFound)?;
    let typed = typed.unwrap_or_else(|| Typed {
        author: comment.author_name.clone(),
        email: comment.author_email.clone(),
        url: comment.author_url.clone().unwrap_or_default(),
        body: comment.body.clone(),
        status: comment.status.as_str().into(),
        ..Typed::default()
    });
    let clock = Clock::of(app).await?;
    let title = format!("The comment by {}", comment.author_name);
    let page = CommentPage {
        section: "queue",
        csrf: &session.csrf,
        notice: done,
        status: comment.status.as_str(),
        action: format!("/admin/queue/{id}"),
        item: QueueItem::new(comment, &clock),
        typed,
    };
    screen(app, &title, &page, status).await
}

/// The comment screen's buttons: `save` (its fields and status), `delete`, `reply`.
pub(super) async fn act_on_comment(
    app: &App,
    store: &Store,
    session: &Session,
    id: i64,
    form: &Form,
) -> AppResult<Response> {
    let field = |name: &str| form.get(name).unwrap_or_default().to_string();
    let here = format!("/admin/queue/{id}");
    match form.get("do").unwrap_or_default() {
        "delete" => {
            let back = store
                .comment(id)
                .await?
                .map(|c| format!("/admin/queue?status={}", c.status.as_str()))
                .ok_or(AppError::NotFound)?;
            moderate(app, store, "delete", &[id]).await?;
            http::see_other(&with_notice(&back, "The comment is deleted."))
        }
        "reply" => reply(app, store, session, id, &field("reply"), &here).await,
        "save" => {
            let json = json!({
                "author": field("author"),
                "email": field("email"),
                "url": field("url"),
                "body": field("body"),
                "status": field("status"),
            });
            match validation::comment_edit(&json) {
                Ok(edit) => {
                    comments::edit_comment(app, store, id, &edit).await?;
                    http::see_other(&with_notice(&here, "Saved."))
                }
                Err(errors) => {
                    let typed = Typed {
                        author: field("author"),
                        email: field("email"),
                        url: field("url"),
                        body: field("body"),
                        status: field("status"),
                        errors,
                        message: Some(
                            "Nothing was saved: please check the fields marked below.".into(),
                        ),
                        ..Typed::default()
                    };
                    comment_page(app, store, session, id, Some(typed), None, 422).await
                }
            }
        }
        action @ ("approve" | "pending" | "spam") => {
            moderate(app, store, action, &[id]).await?;
            let notice = format!("The comment is {}.", verb(action));
            http::see_other(&with_notice(&here, &notice))
        }
        _ => Err(AppError::BadRequest(
            "Choose save, delete, reply, approve, pending or spam.".into(),
        )),
    }
}

/// The author's reply to comment `id`, typed in `text`: published at once, approving the comment
/// it answers; then back to `back` with a notice. A reply that cannot be taken comes back on the
/// comment's screen with the text as typed.
pub(super) async fn reply(
    app: &App,
    store: &Store,
    session: &Session,
    id: i64,
    text: &str,
    back: &str,
) -> AppResult<Response> {
    let parent = store.comment(id).await?.ok_or(AppError::NotFound)?;
    let text = text.replace("\r\n", "\n");
    let (text, _) = match validation::author_comment(&json!({ "body": text })) {
        Ok(valid) => valid,
        Err(errors) => {
            let typed = Typed {
                author: parent.author_name.clone(),
                email: parent.author_email.clone(),
                url: parent.author_url.clone().unwrap_or_default(),
                body: parent.body.clone(),
                status: parent.status.as_str().into(),
                reply: text,
                errors: errors
                    .into_values()
                    .map(|why| ("reply".to_string(), why))
                    .collect(),
                message: Some("The reply was not published: see below.".into()),
            };
            return comment_page(app, store, session, id, Some(typed), None, 422).await;
        }
    };
    let post = (parent.post_id, parent.post_path.as_str());
    let new = comments::author_reply(app, store, post, Some(&parent), &text).await?;
    let approved = if parent.status == CommentStatus::Approved {
        ""
    } else {
        " and the comment is approved"
    };
    let notice = format!(
        "Your reply is published{approved}: {}",
        blog_core::routes::comment_link(&parent.post_path, new)
    );
    http::see_other(&with_notice(back, &notice))
}
