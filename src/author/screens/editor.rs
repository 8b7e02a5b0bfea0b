//! The editor of a post or page (Markdown, server-side preview, addenda), its delete
//! confirmation, and a draft's shareable preview.

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
    addenda: Vec<(String, String)>,
    until: String,
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
    let utc = FixedZone::UTC;
    let addenda = store
        .addenda(record.id)
        .await?
        .iter()
        .map(|a| {
            (
                dates::addendum_stamp(a.created_at, &utc),
                blog_markdown::render(&a.body, &[]).html,
            )
        })
        .collect();
    let page = PreviewPage {
        title: &record.title,
        html: blog_markdown::render(&record.body, &[]).html,
        addenda,
        until: dates::long_date(expires, &utc),
    };
    screen(app, &format!("Preview: {}", record.title), &page, 200).await
}

/// What the editor's fields hold.
#[derive(Debug, Default, Clone)]
pub(super) struct Draft {
    title: String,
    slug: String,
    body: String,
    tags: String,
    kind: String,
    status: String,
    /// `YYYY-MM-DDTHH:MM`, UTC (a `datetime-local` field).
    published_at: String,
    /// A page's parent (a slug), place in the menu and whether it is in it (`yes`/`no`).
    parent: String,
    menu_order: String,
    in_menu: String,
    /// A post goes out to the newsletter's subscribers when first published (`yes`/`no`).
    newsletter: String,
}

impl Draft {
    pub(super) fn from_record(p: &PostRecord) -> Self {
        Draft {
            title: p.title.clone(),
            slug: p.slug.clone(),
            body: p.body.clone(),
            tags: p.tags.join(", "),
            kind: if p.is_page { "page" } else { "post" }.into(),
            status: p.status.as_str().into(),
            published_at: p
                .published_at
                .map(|t| dates::rfc3339_utc(t).chars().take(16).collect())
                .unwrap_or_default(),
            parent: p.parent.clone().unwrap_or_default(),
            menu_order: p.menu_order.to_string(),
            in_menu: if p.in_menu { "yes" } else { "no" }.into(),
            newsletter: if p.newsletter { "yes" } else { "no" }.into(),
        }
    }

    fn from_form(form: &Form) -> Self {
        let field = |name: &str| form.get(name).unwrap_or_default().to_string();
        Draft {
            title: field("title"),
            slug: field("slug"),
            body: field("body").replace("\r\n", "\n"),
            tags: field("tags"),
            kind: field("type"),
            status: field("status"),
            published_at: field("published_at"),
            parent: field("parent"),
            menu_order: field("menu_order"),
            in_menu: field("in_menu"),
            newsletter: field("newsletter"),
        }
    }

    /// The admin API's JSON for these fields (`creating`: with the type and an optional slug).
    fn json(&self, creating: bool) -> Value {
        let tags: Vec<String> = self
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let mut fields = json!({
            "title": self.title,
            "body": self.body,
            "status": if self.status == "draft" { "draft" } else { "published" },
        });
        if self.kind == "page" {
            let parent = self.parent.trim();
            fields["parent"] = if parent.is_empty() {
                Value::Null
            } else {
                json!(parent)
            };
            let order = self.menu_order.trim();
            if !order.is_empty() {
                // A number as the API wants it; anything else is passed on for it to refuse.
                fields["menu_order"] = order.parse::<i64>().map_or(json!(order), |n| json!(n));
            }
            fields["in_menu"] = json!(self.in_menu != "no");
        } else {
            fields["tags"] = json!(tags);
            if !self.newsletter.is_empty() {
                fields["newsletter"] = json!(self.newsletter != "no");
            }
        }
        if !self.published_at.trim().is_empty() {
            let at = self.published_at.trim();
            fields["published_at"] = json!(if at.len() == 16 {
                format!("{at}:00Z")
            } else {
                at.to_string()
            });
        }
        if creating {
            fields["type"] = json!(if self.kind == "page" { "page" } else { "post" });
            if !self.slug.trim().is_empty() {
                fields["slug"] = json!(self.slug.trim());
            }
        } else if !self.slug.trim().is_empty() {
            fields["slug"] = json!(self.slug.trim());
        }
        fields
    }
}

/// A field of the editor.
pub(super) struct Field {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    hint: Option<&'static str>,
    error: Option<String>,
    options: Vec<(&'static str, &'static str)>,
}

impl Field {
    /// A `<select>`: its (name, label), its (value, default when empty), the (value, words) of
    /// its options, a hint and an error.
    fn select(
        (name, label): (&'static str, &'static str),
        (value, default): (&str, &'static str),
        options: Vec<(&'static str, &'static str)>,
        hint: Option<&'static str>,
        error: Option<String>,
    ) -> Self {
        Field {
            name,
            label,
            kind: "select",
            value: if value.is_empty() { default } else { value }.to_string(),
            hint,
            error,
            options,
        }
    }
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
    fields: Vec<Field>,
    preview: Option<String>,
    addendum_action: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn editor_page(
    app: &App,
    session: &Session,
    record: Option<&PostRecord>,
    draft: &Draft,
    errors: Option<&blog_core::validation::FieldErrors>,
    done: Option<String>,
    preview: Option<String>,
    status: u16,
) -> AppResult<Response> {
    let error = |name: &str| errors.and_then(|e| e.get(name)).cloned();
    let mut fields = vec![
        Field {
            name: "title",
            label: "Title",
            kind: "text",
            value: draft.title.clone(),
            hint: None,
            error: error("title"),
            options: vec![],
        },
        Field {
            name: "body",
            label: "Text (Markdown)",
            kind: "textarea",
            value: draft.body.clone(),
            hint: None,
            error: error("body"),
            options: vec![],
        },
        Field {
            name: "tags",
            label: "Tags",
            kind: "text",
            value: draft.tags.clone(),
            hint: Some("Separated by commas; pages have none."),
            error: error("tags"),
            options: vec![],
        },
        Field::select(
            ("status", "Status"),
            (&draft.status, "draft"),
            vec![("draft", "Draft"), ("published", "Published")],
            None,
            error("status"),
        ),
        Field {
            name: "published_at",
            label: "Date (UTC)",
            kind: "datetime-local",
            value: draft.published_at.clone(),
            hint: Some("Empty: now, when published. A time to come schedules it."),
            error: error("published_at"),
            options: vec![],
        },
        Field {
            name: "slug",
            label: "Slug",
            kind: "text",
            value: draft.slug.clone(),
            hint: Some("The address: lower-case words and hyphens; empty: made from the title."),
            error: error("slug"),
            options: vec![],
        },
    ];
    if record.is_none_or(|r| !r.is_page) {
        fields.push(Field::select(
            ("newsletter", "Email it to subscribers"),
            (&draft.newsletter, "yes"),
            vec![("yes", "Yes, when it is published"), ("no", "No")],
            Some("Posts only, once: edits, pages and back-dated posts never go out by email."),
            error("newsletter"),
        ));
    }
    if record.is_none_or(|r| r.is_page) {
        fields.push(Field {
            name: "parent",
            label: "Parent page",
            kind: "text",
            value: draft.parent.clone(),
            hint: Some("Pages only: the slug of the page it goes under; empty: the top level."),
            error: error("parent"),
            options: vec![],
        });
        fields.push(Field {
            name: "menu_order",
            label: "Place in the menu",
            kind: "number",
            value: draft.menu_order.clone(),
            hint: Some("Pages only: smaller comes first."),
            error: error("menu_order"),
            options: vec![],
        });
        fields.push(Field::select(
            ("in_menu", "In the site menu"),
            (&draft.in_menu, "yes"),
            vec![("yes", "Yes"), ("no", "No")],
            Some("Pages only: top-level pages are in the menu unless this says no."),
            error("in_menu"),
        ));
    }
    if record.is_none() {
        fields.push(Field::select(
            ("type", "Type"),
            (&draft.kind, "post"),
            vec![("post", "Post"), ("page", "Page")],
            None,
            error("type"),
        ));
    }
    let blog = app.blog().await?;
    let heading = match record {
        Some(r) => format!("Edit “{}”", r.title),
        None => "Write".to_string(),
    };
    let page = EditPage {
        section: "entries",
        csrf: &session.csrf,
        notice: done.map(|d| match d.as_str() {
            "saved" => "Saved.".to_string(),
            "addendum" => "The addendum is added.".to_string(),
            other => other.to_string(),
        }),
        heading: heading.clone(),
        message: errors.map(|_| "Please check the fields marked below."),
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
        fields,
        preview,
        addendum_action: record.map(|r| format!("/admin/entries/{}/addenda", r.slug)),
    };
    screen(app, &heading, &page, status).await
}

/// The editor's `POST`: a preview (rendered, not saved) or a save through the admin API's rules.
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
    }
    if form.get("do") == Some("preview") {
        let rendered = blog_markdown::render(&draft.body, &[]);
        return editor_page(
            app,
            session,
            record,
            &draft,
            None,
            None,
            Some(rendered.html),
            200,
        )
        .await;
    }
    let result = match record {
        None => posts::create(app, store, &draft.json(true)).await,
        Some(r) => posts::update(app, store, &r.slug, &draft.json(false)).await,
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
            editor_page(app, session, record, &draft, Some(&fields), None, None, 422).await
        }
        Err(AppError::Conflict(why)) => {
            let fields = blog_core::validation::FieldErrors::from([("slug".to_string(), why)]);
            editor_page(app, session, record, &draft, Some(&fields), None, None, 409).await
        }
        Err(other) => Err(other),
    }
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
