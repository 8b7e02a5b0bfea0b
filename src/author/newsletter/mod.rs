//! The newsletter: readers who asked for each new post (or a weekly digest) by email.
//!
//! - [`pages`]: the way in and out for readers: the subscribe form (which the reader Worker has
//!   checked, see `src/reader/subscribe.rs`), confirming, changing how often, leaving (also
//!   RFC 8058's one-click `POST`);
//! - [`send`]: the sender, run by the `OUTBOX` queue's consumer and the cron job: weekly
//!   digests when their time comes, issues fanned out to their recipients, messages sent at the
//!   settings' pace;
//! - [`mail`]: a message's MIME (HTML and plain text, the list headers);
//! - [`admin`]: the admin API (`/admin/subscribers`, `/admin/newsletter`).
//!
//! The rules (cadences, the pace, the digest's time, import files, the words) are in
//! `blog_core::newsletter`; the SQL in `src/store/newsletter.rs`.

pub mod admin;
mod mail;
pub mod pages;
pub mod send;
