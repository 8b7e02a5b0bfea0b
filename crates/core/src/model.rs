//! The blog's domain: posts, addenda, comments and tags as the pages and the admin API use them.
//!
//! The store (`src/store`) reads rows straight into these types. SQLite has no booleans and no
//! lists, so two small deserializers here turn its `0`/`1` into `bool` ([`sql_bool`]) and a
//! joined column into a `Vec` ([`sql_list`]); statuses are enums whose serde names are what the
//! rows hold.

use serde::{Deserialize, Deserializer, Serialize};

/// Whether readers may see a post (given its time: a published post dated in the future is
/// *scheduled*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    Draft,
    Published,
}

fn yes() -> bool {
    true
}

/// Where a comment stands in moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    Pending,
    Approved,
    Spam,
}

macro_rules! names {
    ($type:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $type {
            /// The name the rows and the admin API use.
            pub fn as_str(self) -> &'static str {
                match self { $($type::$variant => $name),+ }
            }
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($name => Some($type::$variant),)+ _ => None }
            }
        }
    };
}
/// Statuses are read from their names through `parse` (a derived enum deserializer costs the
/// reader Worker about a kilobyte of wasm for each).
macro_rules! deserialize_by_name {
    ($type:ident, $expected:literal) => {
        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = String::deserialize(d)?;
                $type::parse(&name).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown status \"{name}\", expected {}",
                        $expected
                    ))
                })
            }
        }
    };
}
/// What a response is. Pingbacks and trackbacks (from WordPress imports) are another site's
/// mention of the post: shown as such, never as a person's comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentKind {
    #[default]
    Comment,
    Pingback,
    Trackback,
    /// A Webmention (README.md, "Fediverse"), checked against its source.
    Webmention,
}

impl CommentKind {
    pub fn is_mention(self) -> bool {
        self != CommentKind::Comment
    }
}

deserialize_by_name!(PostStatus, "draft or published");
deserialize_by_name!(CommentKind, "comment, pingback, trackback or webmention");
deserialize_by_name!(CommentStatus, "pending, approved or spam");

names!(PostStatus { Draft = "draft", Published = "published" });
names!(CommentStatus { Pending = "pending", Approved = "approved", Spam = "spam" });
names!(CommentKind { Comment = "comment", Pingback = "pingback", Trackback = "trackback", Webmention = "webmention" });

/// Versions of the two renderers whose output rows store. Bump one when its output changes (the
/// Markdown options, heading ids, the lead; comment paragraphs or links), and every row it
/// rendered becomes *stale*: shown as well as a reader can without the Markdown renderer, kept out
/// of the caches, and rendered again by the author Worker.
pub mod renderer {
    /// `blog_markdown::render`. 2: a `<!--more-->` break ends the lead. 3: library images get
    /// `srcset` and `sizes`.
    pub const MARKDOWN: i64 = 3;
    /// [`crate::comment_text::to_html`].
    pub const COMMENT_TEXT: i64 = 2;
}

/// `0`/`1` (SQLite's booleans) as `bool`. (Read as a number, not through `deserialize_any` or
/// an untagged enum: their generic paths cost the reader Worker kilobytes of wasm.)
pub fn sql_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(f64::deserialize(d)? != 0.0)
}

/// What separates the items of a [`sql_list`] column: U+001F, the unit separator (white space
/// to Unicode, so no tag keeps one).
pub const LIST_SEPARATOR: char = '\u{1f}';

/// A column holding a list joined with [`LIST_SEPARATOR`] (SQLite's
/// `group_concat(x, char(31))`; NULL for none) as a `Vec`.
pub fn sql_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    Ok(match text.as_deref() {
        None | Some("") => Vec::new(),
        Some(list) => list.split(LIST_SEPARATOR).map(str::to_string).collect(),
    })
}

/// A tag as shown: its name and the slug of its page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Tag {
    pub tag: String,
    pub slug: String,
}

/// A post or a page as a reader's page needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct Post {
    pub id: i64,
    pub slug: String,
    /// Its canonical address (see `crate::routes::entry_path`).
    pub path: String,
    /// A page (About, Contact): no date, tags or author line; its parents and children shown.
    #[serde(deserialize_with = "sql_bool")]
    pub is_page: bool,
    pub title: String,
    /// Rendered when the author saved it.
    pub body_html: String,
    /// Plain text that excerpts and descriptions are cut from.
    pub lead: String,
    /// The Markdown, only when the stored HTML is not from the current renderer.
    pub stale_markdown: Option<String>,
    pub published_at: i64,
    pub updated_at: i64,
    #[serde(deserialize_with = "sql_bool")]
    pub comments_open: bool,
    /// The lead image's address, for og:image.
    pub image: Option<String>,
    /// Likes and boosts from the fediverse.
    #[serde(default)]
    pub likes: u32,
    #[serde(default)]
    pub boosts: u32,
}

/// A post in a listing.
#[derive(Debug, Clone, Deserialize)]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    pub lead: String,
    pub stale_markdown: Option<String>,
    pub published_at: i64,
    pub responses: i64,
}

/// An addendum as readers see it.
#[derive(Debug, Clone, Deserialize)]
pub struct Addendum {
    pub id: i64,
    pub body_html: String,
    /// The Markdown, only when the stored HTML is not from the current renderer.
    pub stale_markdown: Option<String>,
    pub created_at: i64,
}

/// An addendum as the author wrote it.
#[derive(Debug, Clone, Deserialize)]
pub struct AddendumRecord {
    pub id: i64,
    /// Markdown.
    pub body: String,
    pub created_at: i64,
}

/// An approved comment as readers see it (no email, no spam data).
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    /// Rendered when the comment was stored (see [`crate::comment_text::to_html`]).
    pub body_html: String,
    /// The text, only when the stored HTML is not from the current renderer.
    pub stale_text: Option<String>,
    pub created_at: i64,
    #[serde(deserialize_with = "sql_bool")]
    pub by_post_author: bool,
    #[serde(default)]
    pub kind: CommentKind,
}

impl crate::thread::Threaded for Comment {
    fn id(&self) -> i64 {
        self.id
    }
    fn parent_id(&self) -> Option<i64> {
        self.parent_id
    }
}

/// A link to a page: in the site menu, a page's parents (breadcrumbs) and its children.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PageLink {
    pub title: String,
    pub path: String,
}

/// Everything the post (or page) page shows, read in one round trip.
#[derive(Debug, Clone)]
pub struct PostPage {
    pub post: Post,
    /// A page's parents, the top-level one first (empty for a post).
    pub ancestors: Vec<PageLink>,
    /// A page's visible children, in the author's order (empty for a post).
    pub children: Vec<PageLink>,
    pub addenda: Vec<Addendum>,
    pub comments: Vec<Comment>,
    pub tags: Vec<Tag>,
    /// Threads (top-level comments) in all, for the comment pages' navigation.
    pub threads: u32,
    /// Approved comments in all.
    pub responses: u32,
}

/// One page of a listing (home or tag), and whether an older page follows. No total: counting
/// every listed post would make each page's cost grow with the blog.
#[derive(Debug, Clone)]
pub struct Listing {
    pub posts: Vec<PostSummary>,
    pub more: bool,
}

impl Listing {
    /// A page from up to `per_page + 1` rows read: the extra row only says that more follow.
    pub fn from_rows(mut posts: Vec<PostSummary>, per_page: u32) -> Self {
        let more = posts.len() > per_page as usize;
        posts.truncate(per_page as usize);
        Listing { posts, more }
    }
}

/// A post in a feed: full content, with its addenda.
#[derive(Debug, Clone, Deserialize)]
pub struct FeedPost {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub body_html: String,
    pub stale_markdown: Option<String>,
    pub published_at: i64,
    pub updated_at: i64,
    /// The first audio file the post uses, as `{type} {bytes} {path}`: a podcast episode's
    /// enclosure (see [`FeedPost::enclosure`]).
    #[serde(default)]
    pub enclosure: Option<String>,
}

/// A feed entry's enclosure: an audio file, which makes the post a podcast episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure<'a> {
    pub media_type: &'a str,
    pub bytes: u64,
    /// A path on the blog.
    pub path: &'a str,
}

impl FeedPost {
    pub fn enclosure(&self) -> Option<Enclosure<'_>> {
        let mut parts = self.enclosure.as_deref()?.splitn(3, ' ');
        Some(Enclosure {
            media_type: parts.next()?,
            bytes: parts.next()?.parse().ok()?,
            path: parts.next()?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct FeedAddendum {
    pub id: i64,
    pub post_id: i64,
    pub body_html: String,
    pub stale_markdown: Option<String>,
    pub created_at: i64,
}

/// A search result.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchHit {
    /// The post's or page's address.
    pub path: String,
    pub title: String,
    pub published_at: i64,
    /// Text around the match, with [`crate::search::MATCH_START`]/[`crate::search::MATCH_END`]
    /// around each matched term.
    pub snippet: String,
}

/// An entry of the sitemap.
#[derive(Debug, Clone, Deserialize)]
pub struct SitemapEntry {
    pub path: String,
    pub updated_at: i64,
}

/// A post or page as the author manages it: drafts and scheduled ones included.
#[derive(Debug, Clone, Deserialize)]
pub struct PostRecord {
    pub id: i64,
    pub slug: String,
    /// Its canonical address.
    pub path: String,
    #[serde(deserialize_with = "sql_bool")]
    pub is_page: bool,
    /// A page's parent page: its id and slug.
    pub parent_id: Option<i64>,
    pub parent: Option<String>,
    /// Where a page stands among its siblings and in the menu (smaller first).
    pub menu_order: i64,
    /// Whether a top-level page is listed in the site menu.
    #[serde(deserialize_with = "sql_bool")]
    pub in_menu: bool,
    /// A page's child pages.
    pub children: u32,
    pub title: String,
    pub body: String,
    pub status: PostStatus,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    #[serde(deserialize_with = "sql_bool")]
    pub comments_open: bool,
    /// Goes out to the newsletter's subscribers when it is published.
    #[serde(deserialize_with = "sql_bool", default = "yes")]
    pub newsletter: bool,
    #[serde(deserialize_with = "sql_list")]
    pub tags: Vec<String>,
    /// The lead image's address.
    pub image: Option<String>,
    pub approved: u32,
    pub pending: u32,
    pub spam: u32,
}

impl PostRecord {
    /// Published and dated in the future.
    pub fn is_scheduled(&self, now: i64) -> bool {
        self.status == PostStatus::Published && self.published_at.is_some_and(|at| at > now)
    }

    /// What readers can see now.
    pub fn is_visible(&self, now: i64) -> bool {
        self.status == PostStatus::Published && self.published_at.is_some_and(|at| at <= now)
    }
}

/// The columns of a post that the author writes, with its Markdown rendered.
#[derive(Debug, Clone)]
pub struct PostWrite<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub lead: &'a str,
    pub status: PostStatus,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub comments_open: bool,
    /// Goes out by email when it becomes published (see migrations/0013_newsletter.sql).
    pub newsletter: bool,
    /// The lead image's address (see `blog_markdown::Rendered::image`).
    pub image: Option<&'a str>,
    /// Its canonical address (`routes::post_path` or `routes::page_path`).
    pub path: &'a str,
    /// Where a page stands; `None` for a post.
    pub page: Option<PagePlace>,
}

/// A page's place among the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagePlace {
    pub parent_id: Option<i64>,
    pub menu_order: i64,
    pub in_menu: bool,
}

/// A comment as the author moderates it.
#[derive(Debug, Clone, Deserialize)]
pub struct CommentRecord {
    pub id: i64,
    pub post_id: i64,
    pub post_slug: String,
    /// The canonical address of its post or page, and its title.
    pub post_path: String,
    pub post_title: String,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: i64,
    #[serde(deserialize_with = "sql_bool")]
    pub by_post_author: bool,
    /// Why the spam checks held it, or marked it as spam.
    #[serde(deserialize_with = "sql_list")]
    pub spam_reasons: Vec<String>,
    /// The sender's keyed hash (comments from the form).
    #[serde(default)]
    pub client_hash: Option<String>,
    #[serde(default)]
    pub kind: CommentKind,
    /// The key it was imported with, if imported.
    #[serde(default)]
    pub import_key: Option<String>,
}

/// A comment to store.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub author_url: Option<&'a str>,
    pub body: &'a str,
    /// [`crate::comment_text::to_html`] of the body.
    pub body_html: &'a str,
    pub status: CommentStatus,
    pub created_at: i64,
    pub by_post_author: bool,
    pub kind: CommentKind,
    /// The spam checks' reasons.
    pub spam_reasons: &'a [String],
    pub client_hash: Option<&'a str>,
    pub import_key: Option<&'a str>,
}

/// What the comment form needs to know of the post it posts to.
#[derive(Debug, Clone, Deserialize)]
pub struct CommentablePost {
    pub id: i64,
    pub slug: String,
    /// Its canonical address.
    pub path: String,
    pub title: String,
    pub published_at: i64,
    #[serde(deserialize_with = "sql_bool")]
    pub comments_open: bool,
}

/// The data the spam rules look up, read in one round trip.
#[derive(Debug, Clone, Default)]
pub struct CommentChecks {
    /// Comments from this client within the rate-limit window, and when the oldest was sent.
    pub recent: u32,
    pub oldest_recent: i64,
    /// The latest comment texts on the post, for the duplicate check.
    pub recent_bodies: Vec<String>,
    /// Whether the email address has an approved comment anywhere on the blog.
    pub known_commenter: bool,
    /// Whether the parent, if one was asked for, is an approved comment on this post.
    pub parent_ok: bool,
}

/// Where a post stands on the home listing: its 0-based rank among visible posts (None when it
/// is not visible) and how many visible posts there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Placement {
    pub rank: Option<u32>,
    pub total: u32,
}

/// What decides which pages show a post's approved comments (see
/// [`crate::invalidation::comments_pages_to_drop`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentsFacts {
    /// The post's rank on the home listing, where its response count shows; None when hidden.
    pub rank: Option<u32>,
    /// Threads (top-level approved comments) it has now.
    pub threads: u32,
}

/// A stored file, as the media library knows it.
#[derive(Debug, Clone, Deserialize)]
pub struct MediaRecord {
    pub id: i64,
    /// SHA-256 of the content (64 hex digits): its key in R2 and in its address.
    pub hash: String,
    /// The name it is served under.
    pub name: String,
    /// MIME type, from the bytes.
    #[serde(rename = "type")]
    pub media_type: String,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub alt: String,
    pub original_name: String,
    pub created_at: i64,
}

impl MediaRecord {
    /// Its address: `/media/{hash}/{name}`.
    pub fn path(&self) -> String {
        crate::media::media_path(&self.hash, &self.name)
    }
}

/// A file to store.
#[derive(Debug, Clone)]
pub struct NewMedia<'a> {
    pub hash: &'a str,
    pub name: &'a str,
    pub media_type: &'a str,
    pub bytes: u64,
    pub size: Option<(u32, u32)>,
    pub alt: &'a str,
    pub original_name: &'a str,
    pub created_at: i64,
}

/// An image's size, by its content hash: what the renderer writes into `<img>`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ImageSize {
    pub hash: String,
    pub width: u32,
    pub height: u32,
    /// Whether it gets variants (see [`crate::variants::is_resizable`]): a page offers them in
    /// `srcset`.
    #[serde(rename = "type", deserialize_with = "resizable_type")]
    pub resizable: bool,
}

/// A media row's MIME type read as whether it gets variants.
fn resizable_type<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let mime = String::deserialize(d)?;
    Ok(crate::media::MediaType::from_mime(&mime).is_some_and(crate::variants::is_resizable))
}

/// A source (Markdown, or a comment's text) whose stored HTML is from another renderer version.
#[derive(Debug, Clone, Deserialize)]
pub struct StaleSource {
    pub id: i64,
    pub body: String,
}

/// Rows whose stored HTML is stale, a batch of each kind.
#[derive(Debug, Clone, Default)]
pub struct StaleRenders {
    pub posts: Vec<StaleSource>,
    pub addenda: Vec<StaleSource>,
    pub comments: Vec<StaleSource>,
}

impl PostPage {
    /// Whether the page shows Markdown whose stored render is stale. (A comment whose stored HTML
    /// is stale is rendered exactly by the reader, which has the comment renderer.)
    pub fn is_stale(&self) -> bool {
        self.post.stale_markdown.is_some()
            || self.addenda.iter().any(|a| a.stale_markdown.is_some())
    }
}

impl Listing {
    /// Whether the listing shows a post whose stored render is stale.
    pub fn is_stale(&self) -> bool {
        self.posts.iter().any(|p| p.stale_markdown.is_some())
    }
}

/// Whether a feed holds a post or addendum whose stored render is stale.
pub fn feed_is_stale(posts: &[FeedPost], addenda: &[FeedAddendum]) -> bool {
    posts.iter().any(|p| p.stale_markdown.is_some())
        || addenda.iter().any(|a| a.stale_markdown.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_domain_types() {
        let record: PostRecord = serde_json::from_value(serde_json::json!({
            "id": 3, "slug": "a", "title": "A", "body": "b", "status": "draft",
            "published_at": null, "updated_at": 5, "comments_open": 0, "image": null,
            "tags": "NHS\u{1f}social media", "approved": 2, "pending": 1, "spam": 0,
            "path": "/about/a/", "is_page": 1, "parent_id": 2, "parent": "about",
            "menu_order": -1, "in_menu": 0, "children": 0
        }))
        .expect("a post row");
        assert_eq!(record.status, PostStatus::Draft);
        assert!(!record.comments_open);
        assert!(record.is_page && !record.in_menu);
        assert_eq!(record.parent.as_deref(), Some("about"));
        assert_eq!(record.tags, ["NHS", "social media"]);
        let open: CommentablePost = serde_json::from_value(serde_json::json!({
            "id": 1, "slug": "a", "path": "/posts/a", "title": "A", "published_at": 0, "comments_open": 1
        }))
        .expect("a post row");
        assert!(open.comments_open);
        let status: PostStatus = serde_json::from_str("\"published\"").expect("a status");
        assert_eq!(status, PostStatus::Published);
    }

    #[test]
    fn an_unknown_status_is_an_error_not_a_default() {
        let row = serde_json::json!({
            "id": 1, "post_id": 1, "post_slug": "a", "parent_id": null, "author_name": "x",
            "author_email": "", "author_url": null, "body": "b", "status": "trash",
            "created_at": 0, "by_post_author": 0, "spam_reasons": null
        });
        assert!(serde_json::from_value::<CommentRecord>(row).is_err());
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            CommentStatus::Pending,
            CommentStatus::Approved,
            CommentStatus::Spam,
        ] {
            assert_eq!(CommentStatus::parse(s.as_str()), Some(s));
        }
        for s in [PostStatus::Draft, PostStatus::Published] {
            assert_eq!(PostStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PostStatus::parse("Draft"), None);
    }
}
