//! The pure parts of `blogctl`: front matter, WordPress and Disqus exports, old addresses, the
//! export folder's entry files and its WordPress export.

pub mod attachments;
pub mod disqus;
pub mod export_format;
pub mod front_matter;
pub mod local_files;
pub mod old_addresses;
pub mod shortcodes;
pub mod wxr;
pub mod wxr_writer;

use std::fmt;

/// A problem in an input file, with the line it is on.
#[derive(Debug, PartialEq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}
