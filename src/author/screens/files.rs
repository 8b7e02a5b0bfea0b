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
    total: u32,
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
    let files = rows
        .into_iter()
        .map(|m| FileRow {
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
        total,
        files,
        pager,
    };
    screen(app, "Images and files", &page, status).await
}

/// The upload form's `POST` (multipart): checked like every form, then stored as the admin
/// API stores files.
pub(super) async fn upload(req: &mut Request, app: &App) -> AppResult<Response> {
    let session = session(req, app)
        .await?
        .ok_or_else(|| AppError::Forbidden("Sign in first: this form needs a session.".into()))?;
    same_origin(req, app)?;
    let max = app.media_max_bytes();
    let declared = req.headers().get("Content-Length")?.unwrap_or_default();
    if declared.parse::<usize>().is_ok_and(|n| n > max + 64 * 1024) {
        return Err(AppError::PayloadTooLarge(format!(
            "Files may be at most {} MB.",
            max / 1_000_000
        )));
    }
    let form = req.form_data().await.map_err(|_| {
        AppError::BadRequest("The form could not be read (multipart/form-data).".into())
    })?;
    let field = |name: &str| match form.get(name) {
        Some(worker::FormEntry::Field(value)) => value,
        _ => String::new(),
    };
    if !token::secrets_match(&field("csrf"), &session.csrf) {
        return Err(AppError::Forbidden(
            "This form is not from this session (it may be old): open the page again.".into(),
        ));
    }
    let store = app.store()?;
    let Some(worker::FormEntry::File(file)) = form.get("file") else {
        let message = Some("Choose a file to upload.".to_string());
        return files(app, &store, &session, 1, None, message, 422).await;
    };
    let bytes = file
        .bytes()
        .await
        .map_err(|e| AppError::BadRequest(format!("The file could not be read: {e}")))?;
    match media::store_file(app, &store, bytes, &file.name(), &field("alt")).await {
        Ok((stored, created)) => {
            let what = if created { "Stored" } else { "Already there" };
            let notice = format!("{what}: {}", stored.path());
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
            files(app, &store, &session, 1, None, Some(message), e.status()).await
        }
        Err(other) => Err(other),
    }
}
