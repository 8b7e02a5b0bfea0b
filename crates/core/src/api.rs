//! The admin API's JSON answers (and the import request), as types: the author Worker writes
//! them and `blogctl` reads them, so that both agree by construction. Times are RFC 3339 in UTC.

use serde::{Deserialize, Serialize};

use crate::model::{CommentKind, CommentStatus, PostStatus};

/// What an entry is: a dated post (listed, in the feeds) or a page (at its own address, in the
/// site menu).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    #[default]
    Post,
    Page,
}

/// A post or page as `GET /admin/posts/{slug}` (with `body` and `addenda`) and the list
/// (without) show it.
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: i64,
    #[serde(rename = "type", default)]
    pub kind: EntryKind,
    pub slug: String,
    /// Its address on the blog.
    pub url: String,
    pub title: String,
    pub status: PostStatus,
    pub published_at: Option<String>,
    pub updated_at: String,
    /// Published, with a time still to come.
    pub scheduled: bool,
    /// What readers can see now.
    pub visible: bool,
    pub comments_open: bool,
    /// Goes out to the newsletter's subscribers when published.
    #[serde(default = "yes")]
    pub newsletter: bool,
    pub tags: Vec<String>,
    /// The lead image (og:image): named by the author, else the post's first image.
    pub image: Option<String>,
    pub comments: CommentCounts,
    /// A page's parent page (its slug).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// A page's place among its siblings and in the menu (smaller first).
    #[serde(default)]
    pub menu_order: i64,
    /// Whether a top-level page is in the site menu.
    #[serde(default)]
    pub in_menu: bool,
    /// The Markdown (only for a single post).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addenda: Option<Vec<Addendum>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentCounts {
    pub approved: u32,
    pub pending: u32,
    pub spam: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Addendum {
    pub id: i64,
    pub at: String,
    /// Markdown.
    pub body: String,
}

/// `GET /admin/posts?type=post|page&limit=n&offset=n`: one page of the entries (undated
/// drafts first, then newest first) and how many there are of the asked type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostList {
    pub limit: u32,
    pub offset: u32,
    pub total: u32,
    pub posts: Vec<Post>,
}

/// A comment as the author moderates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    /// The post's slug.
    pub post: String,
    pub parent: Option<i64>,
    pub author: String,
    pub email: String,
    pub url: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: String,
    pub by_post_author: bool,
    /// Why the spam checks held it or marked it as spam.
    pub reasons: Vec<String>,
    /// A person's comment, or another site's mention (pingback, trackback, Webmention).
    #[serde(default)]
    pub kind: CommentKind,
    /// The key it was imported with (its id in the system it came from), if imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// `GET /admin/comments?status=…&limit=…&offset=…`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentList {
    pub status: CommentStatus,
    pub limit: u32,
    pub offset: u32,
    /// How many comments have the status.
    pub total: u32,
    pub comments: Vec<Comment>,
}

/// `POST /admin/import`: comments for one existing post, parents before replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRequest {
    /// The post's slug.
    pub post: String,
    pub comments: Vec<ImportedComment>,
}

/// A comment from another system. `key` identifies it on its post, so a re-run skips it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedComment {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_key: Option<String>,
    /// The id it had (a restore from an export): kept when free, so that links to
    /// `#comment-N` still lead to it; and when this post has a comment with that id and time, it
    /// is that comment, already there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Its parent's id where it came from: the parent when `parent_key` finds none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<i64>,
    /// Why the spam checks held it, where it came from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    pub author: String,
    #[serde(default)]
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub body: String,
    /// RFC 3339.
    pub at: String,
    #[serde(default = "approved")]
    pub status: CommentStatus,
    #[serde(default)]
    pub by_post_author: bool,
    /// A pingback or trackback is shown as a mention, not as a comment.
    #[serde(default)]
    pub kind: CommentKind,
}

fn approved() -> CommentStatus {
    CommentStatus::Approved
}

/// The answer to `POST /admin/import`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub imported: usize,
    /// Already there (by key).
    pub skipped: usize,
    pub failed: Vec<ImportFailure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportFailure {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub error: String,
}

/// A stored file, as `POST /admin/media` and `GET /admin/media` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    pub id: i64,
    /// Its address on the blog (a path: `/media/{hash}/{name}`).
    pub url: String,
    #[serde(rename = "type")]
    pub media_type: String,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub alt: String,
    pub name: String,
    pub original_name: String,
    pub created_at: String,
    /// False when the same content was already stored (the answer is then the stored file).
    #[serde(default)]
    pub created: bool,
}

/// `GET /admin/media?limit=…&offset=…`, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaList {
    pub limit: u32,
    pub offset: u32,
    pub total: u32,
    pub media: Vec<Media>,
}

/// The answer to `POST /admin/renders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderOutcome {
    pub rendered: usize,
    /// More stale rows remain: ask again.
    pub remaining: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_imported_comment_defaults_to_approved() {
        let c: ImportedComment = serde_json::from_str(
            r#"{"key": "1", "author": "A", "body": "b", "at": "2011-03-18T14:17:00Z"}"#,
        )
        .expect("valid");
        assert_eq!(c.status, CommentStatus::Approved);
        assert!(!c.by_post_author && c.parent_key.is_none());
    }
}

/// One setting as `GET /admin/settings` shows it (see `crate::settings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    pub key: String,
    /// The value in force (the default when none is stored).
    pub value: String,
    pub default: String,
    pub about: String,
}

/// `GET /admin/settings`, and the answer to `PATCH /admin/settings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingList {
    pub settings: Vec<Setting>,
    /// Cached pages dropped by the change (absent for a `GET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purged: Option<usize>,
}

/// One old address and where it leads (`GET /admin/redirects`; `POST` takes `from` and `to`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Redirect {
    pub from: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// `GET /admin/redirects`, and the body of `POST /admin/redirects` (many at once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedirectList {
    pub redirects: Vec<Redirect>,
}

/// A path readers asked for in vain (`GET /admin/not-found`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotFound {
    pub path: String,
    pub hits: i64,
    pub last_seen: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotFoundList {
    pub not_found: Vec<NotFound>,
}

/// A message of the outbox (`GET /admin/outbox`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: i64,
    /// `moderation`, `confirm` or `reply`.
    pub kind: String,
    /// The comment it is about.
    pub comment: i64,
    pub recipient: String,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    pub attempts: u32,
    pub next_attempt_at: String,
    /// Why the last attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
}

/// `GET /admin/outbox?status=…`, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outbox {
    pub status: String,
    pub messages: Vec<OutboxMessage>,
}

/// The answer to `POST /admin/forget`: how many rows lost the address or went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forgotten {
    /// Comments anonymised (their text stays).
    pub comments: u32,
    pub subscriptions: u32,
    /// Outbox messages to the address, deleted.
    pub messages: u32,
    /// The newsletter's subscriber with the address (0 or 1), and their mail.
    #[serde(default)]
    pub subscribers: u32,
}

/// `GET /admin/posts/{slug}/revisions`: the versions an entry had, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevisionList {
    pub revisions: Vec<RevisionSummary>,
}

/// A revision in the list: when its version was replaced and what the change changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevisionSummary {
    pub id: i64,
    /// RFC 3339 (UTC).
    pub at: String,
    pub changed: Vec<String>,
}

/// `GET /admin/posts/{slug}/revisions/{id}`: one revision and the version it keeps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Revision {
    pub id: i64,
    pub at: String,
    pub changed: Vec<String>,
    pub version: crate::revisions::Version,
}

/// `GET /admin/posts/{slug}/revisions/{id}/diff?to={id|current}`: from the older to the newer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevisionDiff {
    pub from: i64,
    /// A revision's id, or `None`: the entry as it is now.
    pub to: Option<i64>,
    pub sections: Vec<crate::revisions::Section>,
}

/// `GET /admin/trash`: the entries deleted in the last [`crate::revisions::TRASH_SECONDS`], the
/// latest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrashList {
    pub total: u32,
    pub trash: Vec<Trashed>,
}

/// An entry in the trash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trashed {
    /// What `POST /admin/trash/{id}/restore` takes.
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: EntryKind,
    pub title: String,
    /// The slug and status it gets back when restored.
    pub slug: String,
    pub status: PostStatus,
    /// RFC 3339 (UTC).
    pub deleted_at: String,
    /// When it is deleted for good, unless restored.
    pub purge_at: String,
}

/// A fediverse follower, as `GET /admin/followers` lists it and `POST /admin/followers` takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Follower {
    pub actor: String,
    #[serde(default)]
    pub handle: String,
    #[serde(default)]
    pub name: String,
    pub inbox: String,
    /// RFC 3339.
    #[serde(default)]
    pub since: String,
}

/// A backup (`GET /admin/backups/{name}`): the whole database as the admin API shows it — what
/// `blogctl export` writes as a folder, without the media files' bytes (R2 keeps them).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Backup {
    pub format: u32,
    /// RFC 3339.
    pub made_at: String,
    /// Every post and page with its Markdown and addenda, in the order they were written.
    pub entries: Vec<Post>,
    pub comments: Vec<Comment>,
    pub media: Vec<Media>,
    /// Every setting's value in force (never a secret: those are not settings).
    pub settings: std::collections::BTreeMap<String, String>,
    pub redirects: Vec<Redirect>,
    /// The newsletter's subscribers as `GET /admin/subscribers/export` writes them.
    pub subscribers_csv: String,
    pub followers: Vec<Follower>,
}

/// A backup in `GET /admin/backups`, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupSummary {
    /// What `GET /admin/backups/{name}` takes.
    pub name: String,
    pub bytes: u64,
    /// RFC 3339.
    pub made_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupList {
    /// How many are kept (the `backups_keep` setting; 0: none are made on a schedule).
    pub keep: u32,
    pub backups: Vec<BackupSummary>,
}
