//! The errors a request can end in, and what each means in HTTP terms. `http::error_response`
//! is the one place they become responses (an HTML page for readers, JSON for the admin API).

use std::collections::BTreeMap;
use std::fmt;

/// Field name → what is wrong with it.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug)]
pub enum AppError {
    /// No such page or record.
    NotFound,
    /// The request is malformed; the message says what to fix.
    BadRequest(String),
    /// Missing or wrong credentials.
    Unauthorized(String),
    /// The method is not allowed on this path; carries the allowed methods.
    MethodNotAllowed(&'static str),
    /// The request clashes with what exists (a taken slug).
    Conflict(String),
    /// The body is larger than this endpoint accepts.
    PayloadTooLarge(String),
    /// The body is not in a format this endpoint reads.
    UnsupportedMediaType(String),
    /// The request is well-formed but some fields are invalid.
    Unprocessable {
        message: String,
        fields: FieldErrors,
    },
    /// Storage is unreachable or failing: try again later.
    Unavailable(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::MethodNotAllowed(_) => 405,
            AppError::Conflict(_) => 409,
            AppError::PayloadTooLarge(_) => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::Unprocessable { .. } => 422,
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
            AppError::BadRequest(why)
            | AppError::Unauthorized(why)
            | AppError::Conflict(why)
            | AppError::PayloadTooLarge(why)
            | AppError::UnsupportedMediaType(why)
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
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Unavailable(cause) => write!(f, "storage unavailable: {cause}"),
            other => f.write_str(&other.message()),
        }
    }
}

impl From<worker::Error> for AppError {
    fn from(e: worker::Error) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

impl From<worker::kv::KvError> for AppError {
    fn from(e: worker::kv::KvError) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
