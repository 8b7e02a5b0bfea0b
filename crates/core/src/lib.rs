//! The blog's rules, with no I/O and no `worker`: what the two Workers and `blogctl` agree on.
//!
//! - [`model`]: posts, addenda, comments, tags and their statuses, as the store returns them;
//! - [`routes`]: which page a path names, and every page's path;
//! - [`invalidation`]: which cached pages a change makes wrong;
//! - [`media`]: what an uploaded file is (from its bytes), its size, name and ranges;
//! - [`variants`]: images at the widths and in the formats a page needs (`srcset`, `Accept`);
//! - [`text`] (escaping, slugs, hex, excerpts) and [`comment_text`] (a commenter's text as HTML);
//! - [`dates`]: the blog's date formats, over a time zone the runtime supplies;
//! - [`thread`]: comments arranged under their parents;
//! - [`form`], [`spam`] and [`token`]: the comment form, its checks and its signatures;
//! - [`email`]: the outbox's kinds and retries, confirmation limits, header-safe text;
//! - [`federation`]: the blog on the fediverse: signatures, documents, what arrives in its inbox;
//! - [`newsletter`]: subscribers, cadences, the digest's time, the pace, import files;
//! - [`validation`]: what the admin API accepts; [`settings`]: the blog's identity;
//! - [`api`]: the admin API's answers, shared with `blogctl`;
//! - [`search`]: a reader's words as a literal full-text query, and snippets as HTML;
//! - [`redirects`]: old addresses, checked and looked up;
//! - [`access`]: Cloudflare Access tokens in front of the browser admin;
//! - [`webmention`]: where a page says its Webmention endpoint is;
//! - [`revisions`]: a post's versions, what changed between two, and a readable diff.

pub mod access;
pub mod api;
pub mod comment_text;
pub mod dates;
pub mod email;
pub mod federation;
pub mod form;
pub mod invalidation;
pub mod media;
pub mod model;
pub mod newsletter;
pub mod redirects;
pub mod revisions;
pub mod routes;
pub mod search;
pub mod settings;
pub mod spam;
pub mod text;
pub mod thread;
pub mod token;
pub mod validation;
pub mod variants;
pub mod webmention;
