//! The errors a request can end in, and the one place they become HTTP statuses.

use std::fmt;

#[derive(Debug)]
pub enum AppError {
    /// No such page or record.
    NotFound,
    /// The request is malformed; the message says what to fix.
    BadRequest(String),
    /// The method is not allowed on this path; carries the allowed methods.
    MethodNotAllowed(&'static str),
    /// Storage is unreachable or failing: try again later.
    Unavailable(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::BadRequest(_) => 400,
            AppError::MethodNotAllowed(_) => 405,
            AppError::Unavailable(_) => 503,
        }
    }

    /// A message a person can act on.
    pub fn message(&self) -> String {
        match self {
            AppError::NotFound => "There is nothing at this address.".into(),
            AppError::BadRequest(why) => why.clone(),
            AppError::MethodNotAllowed(allowed) => {
                format!("This address only answers {allowed}.")
            }
            AppError::Unavailable(_) => {
                "The blog's storage is not answering just now. Please try again in a minute.".into()
            }
        }
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
