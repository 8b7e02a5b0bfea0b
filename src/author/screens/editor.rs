//! The editor of a post or page: Markdown in a monospace box with a server-side preview beside
//! it, images uploaded or picked from the library and put into the text, the lead image, the
//! addenda (listed here, changed in [`super::addenda`]), its delete confirmation, and a draft's
//! shareable preview.

pub(super) use super::draft::Draft;
use super::*;

#[derive(Template)]
#[template(path = "admin/delete.html")]
pub(super) struct DeletePage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    title: &'a str,
    slug: &'a str,
    comments: u32,
}

#[derive(Template)]
#[template(path = "admin/preview.html")]
pub(super) struct PreviewPage<'a> {
    title: &'a str,
    html: String,
    /// (when, HTML) of each addendum.
    addenda: Vec<(When, String)>,
    until: When,
}

/// `/preview/{slug}/{expires}.{signature}`: a draft's shareable preview, for whoever has the
/// link until it expires — rendered afresh, `private, no-store` and `noindex`.
pub async fn preview(app: &App, path: &str) -> AppResult<Response> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ["preview", slug, link] = parts.as_slice() else {
        return Err(AppError::NotFound);
    };
    let store = app.store()?;
    let record = posts::find(&store, slug).await?;
    let now = runtime::now();
    let expires = token::verify_preview(&key(app)?, record.id, link, now).map_err(|e| match e {
        token::TokenError::Expired => {
            AppError::Gone("This preview link has expired: ask the author for a new one.".into())
        }
        _ => AppError::NotFound,
    })?;
    let clock = Clock::of(app).await?;
    let addenda = store
        .addenda(record.id)
        .await?
        .iter()
        .map(|a| {
            (
                clock.when(a.created_at),
                blog_markdown::render(&a.body, &[]).html,
            )
        })
        .collect();
    let page = PreviewPage {
        title: &record.title,
        html: blog_markdown::render(&record.body, &[]).html,
        addenda,
        until: clock.when(expires),
    };
    screen(app, &format!("Preview: {}", record.title), &page, 200).await
}

/// A field of the editor.
pub(super) struct Field {
    name: &'static str,
    label: String,
    kind: &'static str,
    value: String,
    hint: Option<&'static str>,
    error: Option<String>,
    options: Vec<(String, String)>,
}

impl Field {
    fn text(name: &'static str, label: &str, value: &str, hint: Option<&'static str>) -> Self {
        Field {
            name,
            label: label.to_string(),
            kind: "text",
            value: value.to_string(),
            hint,
            error: None,
            options: vec![],
        }
    }

    /// A `<select>`: its (name, label), its (value, default when empty), the (value, words) of
    /// its options and a hint.
    fn select(
        (name, label): (&'static str, &str),
        (value, default): (&str, &str),
        options: &[(&str, &str)],
        hint: Option<&'static str>,
    ) -> Self {
        Field {
            name,
            label: label.to_string(),
            kind: "select",
            value: if value.is_empty() { default } else { value }.to_string(),
            hint,
            error: None,
            options: options
                .iter()
                .map(|(v, w)| (v.to_string(), w.to_string()))
                .collect(),
        }
    }

    fn of_kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }
}

/// An addendum as the editor lists it.
pub(super) struct AddendumRow {
    id: i64,
    when: When,
    body: String,
}

/// What comes back with the editor besides its fields.
#[derive(Default)]
pub(super) struct Outcome {
    pub(super) errors: Option<blog_core::validation::FieldErrors>,
    pub(super) done: Option<String>,
    pub(super) preview: Option<String>,
    /// What happened to the text itself (an image added), said beside it.
    pub(super) beside_text: Option<String>,
    /// A new addendum's text and why it was refused.
    pub(super) addendum: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin/edit.html")]
pub(super) struct EditPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    heading: String,
    message: Option<&'a str>,
    view_url: Option<String>,
    /// A draft's (or scheduled entry's) shareable preview link.
    share_url: Option<String>,
    delete_url: Option<String>,
    action: String,
    /// Hidden: a new entry's type.
    kind: Option<String>,
    /// The title and the text, then the other fields.
    title: Field,
    body: Field,
    fields: Vec<Field>,
    preview: Option<String>,
    beside_text: Option<String>,
    /// The library's images: (address, words).
    library: Vec<(String, String)>,
    max_mb: usize,
    /// Where the entry's addenda are corrected or added (published entries only).
    addenda_action: Option<String>,
    addenda: Vec<AddendumRow>,
    addendum: (String, Option<String>),
    /// Why an image could not be added.
    image_error: Option<String>,
    /// The entry's newest revisions.
    revisions: Vec<super::revisions::RevisionRow>,
    /// When the session asks for the token again.
    session_ends: Option<When>,
}

pub(super) async fn editor_page(
    app: &App,
    store: &Store,
    session: &Session,
    record: Option<&PostRecord>,
    draft: &Draft,
    outcome: Outcome,
    status: u16,
) -> AppResult<Response> {
    let blog = app.blog().await?;
    let clock = Clock::of(app).await?;
    let errors = outcome.errors.as_ref();
    let error = |name: &str| errors.and_then(|e| e.get(name)).cloned();
    let with_error = |mut field: Field| {
        field.error = error(field.name);
        field
    };
    let is_page = record.map_or(draft.is_page(), |r| r.is_page);
    let library = library_images(store).await?;
    let mut fields = Vec::new();
    if is_page {
        fields.push(Field::text(
            "parent",
            "Parent page",
            &draft.parent,
            Some("The slug of the page it goes under; empty: the top level."),
        ));
        fields.push(
            Field::text(
                "menu_order",
                "Place in the menu",
                &draft.menu_order,
                Some("Smaller comes first."),
            )
            .of_kind("number"),
        );
        fields.push(Field::select(
            ("in_menu", "In the site menu"),
            (&draft.in_menu, "yes"),
            &[("yes", "Yes"), ("no", "No")],
            Some("Top-level pages are in the menu unless this says no."),
        ));
    } else {
        fields.push(Field::text(
            "tags",
            "Tags",
            &draft.tags,
            Some("Separated by commas."),
        ));
        let mut images = vec![(String::new(), "The first image in the text".to_string())];
        if !draft.image.is_empty() && !library.iter().any(|(path, _)| *path == draft.image) {
            images.push((draft.image.clone(), draft.image.clone()));
        }
        images.extend(library.iter().cloned());
        fields.push(Field {
            options: images,
            ..Field::select(
                ("image", "Lead image"),
                (&draft.image, ""),
                &[],
                Some("Shown when the post is shared (og:image) and on the fediverse."),
            )
        });
        fields.push(Field::select(
            ("newsletter", "Email it to subscribers"),
            (&draft.newsletter, "yes"),
            &[("yes", "Yes, when it is published"), ("no", "No")],
            Some("Once, when first published: edits and back-dated posts never go out by email."),
        ));
    }
    fields.push(Field::select(
        ("status", "Status"),
        (&draft.status, "draft"),
        &[("draft", "Draft"), ("published", "Published")],
        None,
    ));
    fields.push(Field {
        label: format!("Date ({} time)", blog.time_zone),
        ..Field::text(
            "published_at",
            "",
            &draft.published_at,
            Some("Empty: now, when published. A time to come schedules it."),
        )
        .of_kind("datetime-local")
    });
    fields.push(Field::text(
        "slug",
        "Slug",
        &draft.slug,
        Some("The address: lower-case words and hyphens; empty: made from the title."),
    ));
    let fields = fields.into_iter().map(with_error).collect();
    let kind_words = if is_page { "page" } else { "post" };
    let heading = match record {
        Some(r) => format!("Edit “{}”", r.title),
        None => format!("Write a new {kind_words}"),
    };
    let addenda = match record {
        Some(r) => store
            .addenda(r.id)
            .await?
            .into_iter()
            .map(|a| AddendumRow {
                id: a.id,
                when: clock.when(a.created_at),
                body: a.body,
            })
            .collect(),
        None => Vec::new(),
    };
    let (addendum_text, addendum_error) = outcome.addendum.unzip();
    let page = EditPage {
        section: "entries",
        csrf: &session.csrf,
        notice: outcome.done.map(|d| match d.as_str() {
            "saved" => "Saved.".to_string(),
            "addendum" => "The addendum is added.".to_string(),
            "restored" => "Restored from the trash: readers see it again if it was published.".to_string(),
            other => other.to_string(),
        }),
        heading: heading.clone(),
        message: errors.map(|_| "Nothing was saved: please check the fields marked below."),
        view_url: record
            .filter(|r| r.is_visible(runtime::now()))
            .map(|r| blog.url(&r.path)),
        share_url: match record.filter(|r| !r.is_visible(runtime::now())) {
            Some(r) => {
                let expires = runtime::now() + token::PREVIEW_SECONDS;
                let link = token::preview_token(&key(app)?, r.id, expires);
                Some(blog.url(&format!("/preview/{}/{link}", r.slug)))
            }
            None => None,
        },
        delete_url: record.map(|r| format!("/admin/entries/{}/delete", r.slug)),
        action: match record {
            Some(r) => format!("/admin/entries/{}", r.slug),
            None => "/admin/entries/new".into(),
        },
        kind: record.is_none().then(|| kind_words.to_string()),
        title: with_error(Field::text("title", "Title", &draft.title, None)),
        body: with_error(
            Field::text(
                "body",
                "Text (Markdown)",
                &draft.body,
                Some("Markdown: # heading, *emphasis*, [link](https://…), ![alt text](/media/…), ``` for code."),
            )
            .of_kind("textarea"),
        ),
        fields,
        preview: outcome.preview,
        beside_text: outcome.beside_text,
        library,
        max_mb: app.media_max_bytes() / 1_000_000,
        addenda_action: record
            .filter(|r| r.status == PostStatus::Published)
            .map(|r| format!("/admin/entries/{}/addenda", r.slug)),
        addenda,
        addendum: (addendum_text.unwrap_or_default(), addendum_error),
        image_error: error("image_file").or_else(|| error("library")),
        revisions: match record {
            Some(r) => super::revisions::recent(store, &clock, r.id).await?,
            None => Vec::new(),
        },
        session_ends: session.expires.map(|t| clock.when(t)),
    };
    screen(app, &heading, &page, status).await
}

/// Puts an image's Markdown at the end of the text, a paragraph of its own.
fn append_image(body: &mut String, alt: &str, path: &str) -> String {
    let alt: String = alt
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | '\n' | '\r'))
        .collect();
    let line = format!("![{}]({path})", alt.trim());
    let trimmed = body.trim_end().len();
    body.truncate(trimmed);
    if !body.is_empty() {
        body.push_str("\n\n");
    }
    body.push_str(&line);
    body.push('\n');
    line
}

/// The editor's `POST`: a preview (rendered, not saved), an image put into the text (uploaded,
/// or picked from the library; not saved yet), or a save through the admin API's rules.
pub(super) async fn save_entry(
    app: &App,
    store: &Store,
    session: &Session,
    record: Option<&PostRecord>,
    form: &Form,
) -> AppResult<Response> {
    let mut draft = Draft::from_form(form);
    if let Some(r) = record {
        draft.kind = if r.is_page { "page" } else { "post" }.into();
    } else if draft.kind != "page" {
        draft.kind = "post".into();
    }
    let again = |draft: Draft, outcome: Outcome, status: u16| async move {
        editor_page(app, store, session, record, &draft, outcome, status).await
    };
    match form.get("do").unwrap_or("save") {
        "preview" => {
            let rendered = posts::render(store, &draft.body).await?;
            let outcome = Outcome {
                preview: Some(rendered.html),
                ..Outcome::default()
            };
            return again(draft, outcome, 200).await;
        }
        "insert" => {
            let path = form.get("library").unwrap_or_default().to_string();
            let Some(hash) = blog_core::settings::media_file(&path) else {
                let outcome = Outcome {
                    errors: Some(one_error("library", "Choose an image of the library.")),
                    ..Outcome::default()
                };
                return again(draft, outcome, 422).await;
            };
            let alt = store
                .media_by_hash(&hash)
                .await?
                .map(|m| m.alt)
                .unwrap_or_default();
            let line = append_image(&mut draft.body, &alt, &path);
            let outcome = Outcome {
                beside_text: Some(format!(
                    "Added at the end of the text (not saved yet): {line}"
                )),
                ..Outcome::default()
            };
            return again(draft, outcome, 200).await;
        }
        "upload" => {
            let alt = form.get("image_alt").unwrap_or_default().to_string();
            let Some(file) = form.file("image_file") else {
                let outcome = Outcome {
                    errors: Some(one_error("image_file", "Choose an image to upload.")),
                    ..Outcome::default()
                };
                return again(draft, outcome, 422).await;
            };
            let bytes = file
                .bytes()
                .await
                .map_err(|e| AppError::BadRequest(format!("The file could not be read: {e}")))?;
            let refused = match media::store_file(app, store, bytes, &file.name(), &alt).await {
                Ok((stored, _)) if stored.media_type.starts_with("image/") => {
                    let alt = if alt.trim().is_empty() {
                        stored.alt.clone()
                    } else {
                        alt
                    };
                    let line = append_image(&mut draft.body, &alt, &stored.path());
                    let outcome = Outcome {
                        beside_text: Some(format!(
                            "Uploaded, and added at the end of the text (not saved yet): {line}"
                        )),
                        ..Outcome::default()
                    };
                    return again(draft, outcome, 200).await;
                }
                Ok(_) => {
                    "This is not an image: link other files from the Files screen.".to_string()
                }
                Err(AppError::Unprocessable { fields, .. }) => {
                    fields.into_values().next().unwrap_or_default()
                }
                Err(
                    e @ (AppError::UnsupportedMediaType(_)
                    | AppError::PayloadTooLarge(_)
                    | AppError::BadRequest(_)),
                ) => e.message(),
                Err(other) => return Err(other),
            };
            let outcome = Outcome {
                errors: Some(one_error("image_file", &refused)),
                ..Outcome::default()
            };
            return again(draft, outcome, 422).await;
        }
        _ => {}
    }
    let clock = Clock::of(app).await?;
    let result = match record {
        None => posts::create(app, store, &draft.json(None, &clock)).await,
        Some(r) => posts::update(app, store, &r.slug, &draft.json(record, &clock)).await,
    };
    match result {
        Ok(mut response) => {
            let saved: blog_core::api::Post = response
                .json()
                .await
                .map_err(|e| AppError::Internal(format!("the saved post did not read: {e}")))?;
            http::see_other(&format!("/admin/entries/{}?done=saved", saved.slug))
        }
        Err(AppError::Unprocessable { fields, .. }) => {
            let outcome = Outcome {
                errors: Some(fields),
                ..Outcome::default()
            };
            again(draft, outcome, 422).await
        }
        Err(AppError::Conflict(why)) => {
            let outcome = Outcome {
                errors: Some(one_error("slug", &why)),
                ..Outcome::default()
            };
            again(draft, outcome, 409).await
        }
        Err(other) => Err(other),
    }
}

fn one_error(field: &str, why: &str) -> blog_core::validation::FieldErrors {
    blog_core::validation::FieldErrors::from([(field.to_string(), why.to_string())])
}

/// The confirmation page before an entry is deleted (with how many comments go with it).
pub(super) async fn delete_page(
    app: &App,
    session: &Session,
    record: &PostRecord,
) -> AppResult<Response> {
    let page = DeletePage {
        section: "entries",
        csrf: &session.csrf,
        notice: None,
        title: &record.title,
        slug: &record.slug,
        comments: record.approved + record.pending + record.spam,
    };
    screen(app, "Delete", &page, 200).await
}
