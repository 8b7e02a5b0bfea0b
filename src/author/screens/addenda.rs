//! A post's addenda from the editor: a new one (published entries only; a draft is still its
//! text), and each one corrected or removed. What cannot be taken comes back with its text.

use super::editor::{editor_page, Draft, Outcome};
use super::*;

/// A new addendum from the editor; one that cannot be taken comes back with its text.
pub(super) async fn add_addendum(
    app: &App,
    store: &Store,
    session: &Session,
    slug: &str,
    form: &Form,
) -> AppResult<Response> {
    let record = posts::find(store, slug).await?;
    let body = form.get("body").unwrap_or_default().replace("\r\n", "\n");
    let refused = if record.status != PostStatus::Published {
        "A draft has no addenda: change its text until it is published.".to_string()
    } else {
        match posts::add_addendum(app, store, slug, &json!({ "body": body })).await {
            Ok(_) => return http::see_other(&format!("/admin/entries/{slug}?done=addendum")),
            Err(AppError::Unprocessable { fields, .. }) => {
                fields.into_values().collect::<Vec<_>>().join(" ")
            }
            Err(other) => return Err(other),
        }
    };
    let draft = Draft::from_record(&record, &Clock::of(app).await?);
    let outcome = Outcome {
        addendum: Some((body, refused)),
        ..Outcome::default()
    };
    editor_page(app, store, session, Some(&record), &draft, outcome, 422).await
}

/// An addendum corrected (`do=save`) or removed (`do=delete`) from the editor.
pub(super) async fn change_addendum(
    app: &App,
    store: &Store,
    session: &Session,
    slug: &str,
    id: i64,
    form: &Form,
) -> AppResult<Response> {
    let done = match form.get("do") {
        Some("delete") => {
            posts::delete_addendum(app, store, slug, id).await?;
            "The addendum is removed."
        }
        _ => {
            let body = form.get("body").unwrap_or_default().replace("\r\n", "\n");
            match posts::update_addendum(app, store, slug, id, &json!({ "body": body })).await {
                Ok(_) => "The addendum is corrected.",
                Err(AppError::Unprocessable { fields, .. }) => {
                    let record = posts::find(store, slug).await?;
                    let draft = Draft::from_record(&record, &Clock::of(app).await?);
                    let why = fields.into_values().collect::<Vec<_>>().join(" ");
                    let outcome = Outcome {
                        addendum: Some((
                            String::new(),
                            format!("The addendum was not corrected: {why}"),
                        )),
                        ..Outcome::default()
                    };
                    return editor_page(app, store, session, Some(&record), &draft, outcome, 422)
                        .await;
                }
                Err(other) => return Err(other),
            }
        }
    };
    let done: String = form_urlencoded::byte_serialize(done.as_bytes()).collect();
    http::see_other(&format!("/admin/entries/{slug}?done={done}#addenda"))
}
