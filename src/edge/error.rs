//! The errors a request can end in, what each means in HTTP terms, and the one place they become
//! responses: an HTML page in the blog's layout for readers ([`error_page`]), JSON for the admin
//! API ([`json_error`]).
//!
//! Kinds are kept apart on purpose: storage that does not answer is a 503 with `Retry-After`
//! (trying again helps); a bug — a row that does not decode, a template that fails, a missing
//! binding — is a 500, logged with its context, and never a "try again".

use std::fmt;

use blog_core::settings::Blog;
use blog_core::validation::FieldErrors;
use worker::{Headers, Response};

use super::headers::{html_headers, NO_STORE};
use super::layout;
use crate::store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// No such page or record.
    NotFound,
    /// The request is malformed; the message says what to fix.
    BadRequest(String),
    /// Missing or wrong credentials.
    Unauthorized(String),
    /// Not allowed whoever asks (a forged link, a form from another site).
    Forbidden(String),
    /// It was valid once: an expired or used link.
    Gone(String),
    /// The method is not allowed on this path; carries the allowed methods.
    MethodNotAllowed(&'static str),
    /// The request clashes with what exists (a taken slug).
    Conflict(String),
    /// The body is larger than this endpoint accepts.
    PayloadTooLarge(String),
    /// The body is not in a format this endpoint reads.
    UnsupportedMediaType(String),
    /// Too many requests from one sender; the message says when to come back.
    TooManyRequests(String),
    /// The request is well-formed but some fields are invalid.
    Unprocessable {
        message: String,
        fields: FieldErrors,
    },
    /// Storage is unreachable or failing: try again later.
    Unavailable(String),
    /// A bug or a broken deployment; the cause is logged, not shown.
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::Gone(_) => 410,
            AppError::MethodNotAllowed(_) => 405,
            AppError::Conflict(_) => 409,
            AppError::PayloadTooLarge(_) => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::TooManyRequests(_) => 429,
            AppError::Unprocessable { .. } => 422,
            AppError::Internal(_) => 500,
            AppError::Unavailable(_) => 503,
        }
    }

    /// A message a person can act on.
    pub fn message(&self) -> String {
        match self {
            AppError::NotFound => "There is nothing at this address.".into(),
            AppError::MethodNotAllowed(allowed) => format!("This address only answers {allowed}."),
            AppError::Unavailable(_) => {
                "The blog's storage is not answering just now. Please try again in a minute.".into()
            }
            AppError::Internal(_) => {
                "Something went wrong on the blog's side. The problem has been logged for the author."
                    .into()
            }
            AppError::BadRequest(why)
            | AppError::Unauthorized(why)
            | AppError::Forbidden(why)
            | AppError::Gone(why)
            | AppError::Conflict(why)
            | AppError::PayloadTooLarge(why)
            | AppError::UnsupportedMediaType(why)
            | AppError::TooManyRequests(why)
            | AppError::Unprocessable { message: why, .. } => why.clone(),
        }
    }

    /// Field-level problems, for the 422 answer.
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Unprocessable { fields, .. } => Some(fields),
            _ => None,
        }
    }

    pub fn invalid(fields: FieldErrors) -> Self {
        let message = if fields.len() == 1 {
            "One field is invalid; see fields.".to_string()
        } else {
            format!("{} fields are invalid; see fields.", fields.len())
        };
        AppError::Unprocessable { message, fields }
    }

    /// One invalid field.
    pub fn invalid_field(field: &str, message: &str) -> Self {
        AppError::invalid(FieldErrors::from([(
            field.to_string(),
            message.to_string(),
        )]))
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Unavailable(cause) => write!(f, "storage unavailable: {cause}"),
            AppError::Internal(cause) => write!(f, "internal error: {cause}"),
            other => f.write_str(&other.message()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => AppError::Unavailable(cause),
            StoreError::Decode(cause) => AppError::Internal(format!("a stored row: {cause}")),
        }
    }
}

/// Errors of the runtime's own API (building a response, setting a header) are bugs, not
/// storage trouble: storage errors come through [`StoreError`].
impl From<worker::Error> for AppError {
    fn from(e: worker::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Logs what a person is not shown: the cause of a 500 or a 503, with the request's method and
/// path.
fn log(error: &AppError, context: &str) {
    match error {
        AppError::Internal(_) | AppError::Unavailable(_) => {
            worker::console_error!("{context}: {error}")
        }
        _ => {}
    }
}

/// Headers every error answer carries, whatever its format.
fn error_headers(error: &AppError, headers: &Headers) -> worker::Result<()> {
    match error {
        AppError::MethodNotAllowed(allowed) => headers.set("Allow", allowed),
        AppError::Unavailable(_) => headers.set("Retry-After", "30"),
        AppError::TooManyRequests(_) => headers.set("Retry-After", "600"),
        AppError::Unauthorized(_) => headers.set("WWW-Authenticate", "Bearer realm=\"admin\""),
        _ => Ok(()),
    }
}

/// A reader's error: a page in the blog's layout with the status. `context` names the request
/// in the log ("GET /posts/x").
pub fn error_page(blog: &Blog, error: &AppError, context: &str) -> worker::Result<Response> {
    log(error, context);
    let status = error.status();
    let html = match layout::error(blog, status, &error.message()) {
        Ok(html) => html,
        Err(e) => {
            worker::console_error!("{context}: the error page's template failed: {e}");
            return plain_error(status, &error.message());
        }
    };
    let headers = html_headers(NO_STORE)?;
    error_headers(error, &headers)?;
    Ok(Response::from_html(html.as_str())?
        .with_status(status)
        .with_headers(headers))
}

/// What an API error says: typed rather than `serde_json::Value`, whose map and number
/// printing the reader Worker would otherwise carry.
#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a FieldErrors>,
}

/// An admin API error: `{"error": "...", "fields": {...}}`.
pub fn json_error(error: &AppError, context: &str) -> worker::Result<Response> {
    log(error, context);
    let body = ErrorBody {
        error: error.message(),
        fields: error.fields(),
    };
    let response = Response::from_json(&body)?.with_status(error.status());
    response.headers().set("Cache-Control", NO_STORE)?;
    error_headers(error, response.headers())?;
    Ok(response)
}

fn plain_error(status: u16, message: &str) -> worker::Result<Response> {
    let response = Response::ok(message)?.with_status(status);
    response.headers().set("Cache-Control", NO_STORE)?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bugs_are_500_and_storage_trouble_503() {
        let decode: AppError = StoreError::Decode("missing field `slug`".into()).into();
        assert_eq!(decode.status(), 500);
        assert!(!decode.message().contains("try again"));
        let down: AppError = StoreError::Unavailable("D1_ERROR".into()).into();
        assert_eq!(down.status(), 503);
        let template: AppError = askama::Error::Fmt.into();
        assert_eq!(template.status(), 500);
    }
}
