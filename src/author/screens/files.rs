//! The media library, page by page, with an upload form.

use super::*;

/// A file of the library, as the screen lists it.
pub(super) struct FileRow {
    id: i64,
    url: String,
    name: String,
    kind: String,
    size: String,
    alt: String,
    image: bool,
    /// The Markdown that shows it in a post.
    markdown: String,
    when: When,
    width: u32,
    height: u32,
}

#[derive(Template)]
#[template(path = "admin/files.html")]
pub(super) struct FilesPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    message: Option<String>,
    max_mb: usize,
    total: String,
    files: Vec<FileRow>,
    pager: Pager,
}

/// `/admin/files`: the media library, newest first, with an upload form.
pub(super) async fn files(
    app: &App,
    store: &Store,
    session: &Session,
    page: u32,
    done: Option<String>,
    message: Option<String>,
    status: u16,
) -> AppResult<Response> {
    let (rows, total) = store.media_list(ROWS_PER_PAGE, Pager::offset(page)).await?;
    let pager = Pager::new("/admin/files", page, rows.len(), Some(total), false);
    let clock = Clock::of(app).await?;
    let files = rows
        .into_iter()
        .map(|m| FileRow {
            markdown: markdown_for(&m),
            when: clock.when(m.created_at),
            id: m.id,
            url: m.path(),
            image: m.media_type.starts_with("image/"),
            width: m.width.unwrap_or(0),
            height: m.height.unwrap_or(0),
            size: if m.bytes >= 1_000_000 {
                format!("{} MB", m.bytes / 1_000_000)
            } else {
                format!("{} KB", m.bytes.div_ceil(1000))
            },
            kind: m.media_type,
            alt: m.alt,
            name: m.name,
        })
        .collect();
    let page = FilesPage {
        section: "files",
        csrf: &session.csrf,
        notice: done,
        message,
        max_mb: app.media_max_bytes() / 1_000_000,
        total: count(total, "file", "files"),
        files,
        pager,
    };
    screen(app, "Images and files", &page, status).await
}

/// The upload form's `POST` (multipart, read and checked like every form): stored as the admin
/// API stores files, and answered with the Markdown that shows it.
pub(super) async fn upload(
    app: &App,
    store: &Store,
    session: &Session,
    form: &Form,
) -> AppResult<Response> {
    let Some(file) = form.file("file") else {
        let message = Some("Choose a file to upload.".to_string());
        return files(app, store, session, 1, None, message, 422).await;
    };
    let bytes = file
        .bytes()
        .await
        .map_err(|e| AppError::BadRequest(format!("The file could not be read: {e}")))?;
    let alt = form.get("alt").unwrap_or_default();
    match media::store_file(app, store, bytes, &file.name(), alt).await {
        Ok((stored, created)) => {
            let what = if created { "Stored" } else { "Already there" };
            let notice = format!("{what}. In a post, write: {}", markdown_for(&stored));
            let encoded: String = form_urlencoded::byte_serialize(notice.as_bytes()).collect();
            http::see_other(&format!("/admin/files?done={encoded}"))
        }
        Err(
            e @ (AppError::UnsupportedMediaType(_)
            | AppError::PayloadTooLarge(_)
            | AppError::Unprocessable { .. }
            | AppError::BadRequest(_)),
        ) => {
            let message = match &e {
                AppError::Unprocessable { fields, .. } => {
                    fields.values().next().cloned().unwrap_or_default()
                }
                other => other.message(),
            };
            files(app, store, session, 1, None, Some(message), e.status()).await
        }
        Err(other) => Err(other),
    }
}

/// The Markdown that shows a file: an image with its alt text, else a link with its name.
fn markdown_for(m: &blog_core::model::MediaRecord) -> String {
    if m.media_type.starts_with("image/") {
        let alt: String = m.alt.chars().filter(|c| !matches!(c, '[' | ']')).collect();
        format!("![{alt}]({})", m.path())
    } else {
        format!("[{}]({})", m.name, m.path())
    }
}
