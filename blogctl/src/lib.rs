//! The pure parts of `blogctl`: front matter and WordPress exports.

pub mod front_matter;
pub mod wxr;
