//! Page view models and their askama templates (the markup itself is in `templates/`).
//!
//! Functions here turn stored records into what a template shows: dates formatted in the blog's
//! zone, stored HTML placed, comments threaded and escaped, feeds and the sitemap. They do no I/O.
//!
//! A row whose stored HTML is stale (see `blog_core::model::renderer`) is shown as well as the
//! reader can without the Markdown renderer, which it does not link (it would double a reader's
//! cold start): an older render as it is, Markdown that was never rendered as its plain text, a
//! comment exactly (the reader has the comment renderer). Pages showing stale Markdown are kept
//! out of the caches until the author Worker stores fresh renders.

use std::borrow::Cow;

use askama::Template;
use serde::Serialize;

use blog_core::dates::{self, FixedZone, Zone};
use blog_core::model::{
    Comment, CommentKind, CommentRecord, CommentablePost, FeedAddendum, FeedPost, Listing,
    PageLink, Post, PostPage, SearchHit, SitemapEntry,
};
use blog_core::routes::{self, COMMENT_THREADS_PER_PAGE, PER_PAGE};
use blog_core::settings::Blog;
use blog_core::thread::{self, Step};
use blog_core::validation::FieldErrors;
use blog_core::{comment_text, search, text, variants};

use crate::edge::layout::{self, PageMeta, SubscribeForm};
const EXCERPT_CHARS: usize = 280;
const DESCRIPTION_CHARS: usize = 160;

pub struct PostItem {
    pub url: String,
    pub title: String,
    pub date: String,
    pub datetime: String,
    pub excerpt: String,
    pub responses: String,
}

/// The home page and the tag pages: a paginated list of posts.
#[derive(Template)]
#[template(path = "listing.html")]
pub struct ListingPage<'a> {
    pub blog: &'a Blog,
    /// "Posts tagged “NHS”" on tag pages.
    pub heading: Option<String>,
    pub posts: Vec<PostItem>,
    /// Link to newer posts (the previous page), if any.
    pub newer: Option<String>,
    /// Link to older posts (the next page), if any.
    pub older: Option<String>,
}

pub struct PostView {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub date: String,
    pub datetime: String,
    pub html: String,
}

pub struct AddendumView {
    pub id: i64,
    pub stamp: String,
    pub datetime: String,
    pub html: String,
}

pub struct CommentView<'a> {
    pub id: i64,
    pub reply_url: String,
    pub depth: usize,
    pub author: &'a str,
    pub url: Option<&'a str>,
    pub when: String,
    pub datetime: String,
    pub html: Cow<'a, str>,
    pub by_post_author: bool,
    /// A pingback or trackback: another site's mention of the post (no Reply link).
    pub mention: bool,
}

pub struct TagView {
    pub name: String,
    pub url: String,
}

/// A step of the comment thread, as the template walks it.
pub enum ThreadItem<'a> {
    Comment(CommentView<'a>),
    OpenReplies,
    CloseReplies,
    EndComment,
}

#[derive(Template)]
#[template(path = "post.html")]
pub struct PostPageView<'a> {
    pub blog: &'a Blog,
    /// A page: no date, author line or tags; its parents above the title, its children below.
    pub is_page: bool,
    pub ancestors: &'a [PageLink],
    pub children: &'a [PageLink],
    /// A page with no responses and comments closed shows no comment section at all.
    pub show_comments: bool,
    pub post: PostView,
    pub tags: Vec<TagView>,
    pub addenda: Vec<AddendumView>,
    pub responses_heading: String,
    pub thread: Vec<ThreadItem<'a>>,
    /// Links to the pages of earlier and later comments, if any.
    pub earlier_comments: Option<String>,
    pub later_comments: Option<String>,
    pub comments_open: bool,
    pub form: FormView,
    /// The newsletter's form under a post, when the newsletter is on.
    pub subscribe: Option<SubscribeForm>,
    /// "3 likes and 1 boost on the fediverse", when there are any.
    pub reactions: Option<String>,
}

/// The comment form: where it posts, its token, what the person typed and what is wrong with it.
/// A template of its own, so that the post and the reply page share one copy of its code.
#[derive(Debug, Clone, Default, Template)]
#[template(path = "comment_form.html")]
pub struct FormView {
    pub action: String,
    pub token: String,
    pub author: String,
    pub email: String,
    pub url: String,
    pub body: String,
    pub parent: Option<i64>,
    pub errors: FieldErrors,
    /// A message about the whole form (expired token, rate limit, comments closed).
    pub message: Option<String>,
    /// The author of the comment being replied to, and where cancelling leads.
    pub replying_to: Option<String>,
    pub cancel_url: String,
    /// The blog sends mail: the form offers "Email me replies".
    pub offer_notify: bool,
    /// … and the person ticked it.
    pub notify: bool,
}

impl FormView {
    /// An empty form for the post or page at `entry` (its canonical path).
    pub fn new(entry: &str, token: String) -> Self {
        FormView {
            action: routes::comments_path(entry),
            token,
            cancel_url: entry.to_string(),
            ..FormView::default()
        }
    }

    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

/// The form on a page of its own: to reply to a comment, or sent back with errors.
#[derive(Template)]
#[template(path = "reply.html")]
pub struct ReplyPage<'a> {
    pub heading: String,
    pub post_url: String,
    pub post_title: String,
    pub parent: Option<CommentView<'a>>,
    pub form: FormView,
}

/// A held comment, shown to the person who wrote it.
#[derive(Template)]
#[template(path = "held.html")]
pub struct HeldPage<'a> {
    pub post_url: String,
    pub post_title: String,
    pub comment: CommentView<'a>,
}

pub struct HitView {
    pub url: String,
    pub title: String,
    pub date: String,
    pub datetime: String,
    /// Escaped text with `<mark>` around matches.
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub query: String,
    pub summary: String,
    pub hits: Vec<HitView>,
    pub newer: Option<String>,
    pub older: Option<String>,
}

pub struct FeedEntry {
    pub id: String,
    pub url: String,
    pub title: String,
    pub author: String,
    pub published: String,
    pub updated: String,
    /// RFC 2822, for RSS.
    pub pub_date: String,
    pub content: String,
    /// An audio file: (absolute URL, MIME type, bytes).
    pub enclosure: Option<(String, String, u64)>,
}

#[derive(Template)]
#[template(path = "atom.xml")]
pub struct AtomFeed<'a> {
    pub blog: &'a Blog,
    pub title: String,
    pub feed_url: String,
    pub page_url: String,
    pub updated: String,
    pub entries: Vec<FeedEntry>,
}

#[derive(Template)]
#[template(path = "rss.xml")]
pub struct RssFeed<'a> {
    pub blog: &'a Blog,
    pub feed_url: String,
    pub home_url: String,
    pub entries: Vec<FeedEntry>,
}

#[derive(Template)]
#[template(path = "sitemap.xml")]
pub struct Sitemap {
    pub urls: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "robots.txt")]
pub struct Robots {
    pub sitemap: String,
}

/// "3 likes and 1 boost on the fediverse" (None without any).
fn reactions(likes: u32, boosts: u32) -> Option<String> {
    let count = |n: u32, one: &str| match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {one}s")),
    };
    match (count(likes, "like"), count(boosts, "boost")) {
        (None, None) => None,
        (Some(a), Some(b)) => Some(format!("{a} and {b} on the fediverse")),
        (Some(one), None) | (None, Some(one)) => Some(format!("{one} on the fediverse")),
    }
}

/// "3 responses", "1 response".
fn responses(n: i64) -> String {
    if n == 1 {
        "1 response".into()
    } else {
        format!("{n} responses")
    }
}

/// Links to the newer and older pages of a listing (`more`: an older page follows).
fn pagination(
    page: u32,
    more: bool,
    link: impl Fn(u32) -> String,
) -> (Option<String>, Option<String>) {
    (
        (page > 1).then(|| link(page - 1)),
        more.then(|| link(page + 1)),
    )
}

fn post_items(listing: &Listing, zone: &dyn Zone) -> Vec<PostItem> {
    listing
        .posts
        .iter()
        .map(|p| PostItem {
            url: routes::post_path(&p.slug),
            title: p.title.clone(),
            date: dates::long_date(p.published_at, zone),
            datetime: dates::rfc3339(p.published_at, zone),
            excerpt: text::excerpt(
                &stored_lead(&p.lead, p.stale_markdown.as_deref()),
                EXCERPT_CHARS,
            ),
            responses: responses(p.responses),
        })
        .collect()
}

fn paged_title(title: &str, page: u32) -> String {
    if page == 1 {
        title.to_string()
    } else {
        format!("{title} – Page {page}")
    }
}

pub fn home(blog: &Blog, zone: &dyn Zone, listing: &Listing, page: u32) -> askama::Result<String> {
    let link = |n: u32| routes::Page::Home { page: n }.path();
    let (newer, older) = pagination(page, listing.more, link);
    let mut meta = PageMeta::new(blog, paged_title(&blog.title, page), &link(page));
    meta.activity = Some(blog.url("/ap/actor"));
    let content = ListingPage {
        blog,
        heading: None,
        posts: post_items(listing, zone),
        newer,
        older,
    };
    layout::page(blog, &meta, &content, 0)
}

pub fn tag(
    blog: &Blog,
    zone: &dyn Zone,
    tag_slug: &str,
    name: &str,
    listing: &Listing,
    page: u32,
) -> askama::Result<String> {
    let link = |n: u32| {
        routes::Page::Tag {
            tag: tag_slug.to_string(),
            page: n,
        }
        .path()
    };
    let (newer, older) = pagination(page, listing.more, link);
    let heading = format!("Posts tagged “{name}”");
    let mut meta = PageMeta::new(
        blog,
        paged_title(&format!("{heading} | {}", blog.title), page),
        &link(page),
    );
    meta.description = format!("Posts tagged “{name}” on {}", blog.title);
    let content = ListingPage {
        blog,
        heading: Some(heading),
        posts: post_items(listing, zone),
        newer,
        older,
    };
    layout::page(blog, &meta, &content, 0)
}

/// JSON for a `<script type="application/ld+json">`: `<` is escaped so that no text can end
/// the script element. Typed rather than `serde_json::Value`, whose map and number printing
/// would cost every cold reader about 5 KiB of wasm.
fn json_ld(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

/// A post's or page's schema.org description, for search engines.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Posting<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    headline: &'a str,
    description: &'a str,
    url: &'a str,
    main_entity_of_page: &'a str,
    date_published: String,
    date_modified: String,
    author: Party<'a>,
    publisher: Party<'a>,
    keywords: Vec<&'a str>,
    comment_count: i64,
}

/// A schema.org `Person` or `Organization`.
#[derive(Serialize)]
struct Party<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

/// A post with page `comment_page` of its comments (1: the first threads).
pub fn post(
    blog: &Blog,
    zone: &dyn Zone,
    data: &PostPage,
    comment_page: u32,
    form: FormView,
    subscribe: Option<SubscribeForm>,
) -> askama::Result<String> {
    let post = &data.post;
    let count = i64::from(data.responses);
    let path_of = |n: u32| match n {
        1 => post.path.clone(),
        n => routes::Page::EntryComments {
            path: post.path.clone(),
            page: n,
        }
        .path(),
    };
    let comments_link = |n: u32| format!("{}#comments", path_of(n));
    let pages_of_comments = data.threads.div_ceil(COMMENT_THREADS_PER_PAGE).max(1);
    let path = path_of(comment_page);
    let utc = FixedZone::UTC;
    let mut meta = PageMeta::new(
        blog,
        paged_title(&format!("{} | {}", post.title, blog.title), comment_page),
        &path,
    );
    meta.description = text::excerpt(
        &stored_lead(&post.lead, post.stale_markdown.as_deref()),
        DESCRIPTION_CHARS,
    );
    meta.og_type = if post.is_page { "website" } else { "article" };
    if !post.is_page {
        meta.activity = Some(meta.canonical.clone());
    }
    // Link previews get the lead image at their width, not the original's.
    meta.image = post.image.as_deref().map(variants::og_image).map(|image| {
        if image.starts_with('/') {
            blog.url(&image)
        } else {
            image
        }
    });
    meta.comment_feed = Some(
        routes::Page::CommentFeed {
            path: post.path.clone(),
        }
        .path(),
    );
    meta.json_ld = Some(json_ld(&Posting {
        context: "https://schema.org",
        kind: if post.is_page {
            "WebPage"
        } else {
            "BlogPosting"
        },
        headline: &post.title,
        description: &meta.description,
        url: &meta.canonical,
        main_entity_of_page: &meta.canonical,
        date_published: dates::rfc3339(post.published_at, &utc),
        date_modified: dates::rfc3339(post.updated_at.max(post.published_at), &utc),
        author: Party {
            kind: "Person",
            name: &blog.author,
        },
        publisher: Party {
            kind: "Organization",
            name: &blog.title,
        },
        keywords: data.tags.iter().map(|t| t.tag.as_str()).collect(),
        comment_count: count,
    }));
    let view = PostPageView {
        blog,
        is_page: post.is_page,
        ancestors: &data.ancestors,
        children: &data.children,
        show_comments: !post.is_page || post.comments_open || count > 0,
        post: PostView {
            slug: post.slug.clone(),
            url: path,
            title: post.title.clone(),
            date: dates::long_date(post.published_at, zone),
            datetime: dates::rfc3339(post.published_at, zone),
            html: stored_html(&post.body_html, post.stale_markdown.as_deref()).into_owned(),
        },
        tags: data
            .tags
            .iter()
            .map(|t| TagView {
                name: t.tag.clone(),
                url: routes::tag_path(&t.slug),
            })
            .collect(),
        addenda: data
            .addenda
            .iter()
            .map(|a| AddendumView {
                id: a.id,
                stamp: dates::addendum_stamp(a.created_at, zone),
                datetime: dates::rfc3339(a.created_at, zone),
                html: stored_html(&a.body_html, a.stale_markdown.as_deref()).into_owned(),
            })
            .collect(),
        responses_heading: if count == 0 {
            "No responses yet".into()
        } else {
            format!("{} to “{}”", responses(count), post.title)
        },
        thread: thread_items(&post.path, &data.comments, zone),
        earlier_comments: (comment_page > 1).then(|| comments_link(comment_page - 1)),
        later_comments: (comment_page < pages_of_comments).then(|| comments_link(comment_page + 1)),
        comments_open: post.comments_open,
        form,
        subscribe: subscribe.filter(|_| !post.is_page),
        reactions: reactions(post.likes, post.boosts),
    };
    // The page is its stored HTML, each comment's, and about 900 bytes of markup per comment.
    let expected = 16 * 1024
        + view.post.html.len()
        + view.addenda.iter().map(|a| a.html.len()).sum::<usize>()
        + view
            .thread
            .iter()
            .map(|item| match item {
                ThreadItem::Comment(c) => c.html.len() + 900,
                _ => 16,
            })
            .sum::<usize>();
    layout::page(blog, &meta, &view, expected)
}

/// A comment as shown on the post or page at `entry` (its canonical path).
fn comment_view<'a>(entry: &str, c: &'a Comment, depth: usize, zone: &dyn Zone) -> CommentView<'a> {
    let (when, datetime) = dates::comment_stamps(c.created_at, zone);
    CommentView {
        id: c.id,
        reply_url: routes::reply_path(entry, c.id),
        depth,
        author: &c.author_name,
        url: c.author_url.as_deref().filter(|u| is_http_url(u)),
        when,
        datetime,
        html: comment_html(&c.body_html, c.stale_text.as_deref()),
        by_post_author: c.by_post_author,
        mention: c.kind.is_mention(),
    }
}

fn thread_items<'a>(entry: &str, comments: &'a [Comment], zone: &dyn Zone) -> Vec<ThreadItem<'a>> {
    thread::steps(comments)
        .into_iter()
        .map(|step| match step {
            Step::Comment { comment: c, depth } => {
                ThreadItem::Comment(comment_view(entry, c, depth, zone))
            }
            Step::OpenReplies => ThreadItem::OpenReplies,
            Step::CloseReplies => ThreadItem::CloseReplies,
            Step::EndComment => ThreadItem::EndComment,
        })
        .collect()
}

/// Only `http(s)` links are ever rendered as a commenter's website.
fn is_http_url(url: &str) -> bool {
    let url = url.trim_start().as_bytes();
    let starts = |prefix: &[u8]| {
        url.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    starts(b"http://") || starts(b"https://")
}

/// The comment form on its own page, replying to `parent` or sent back with errors.
pub fn reply(
    blog: &Blog,
    zone: &dyn Zone,
    post: &CommentablePost,
    parent: Option<&Comment>,
    form: FormView,
) -> askama::Result<String> {
    let parent = parent.map(|c| comment_view(&post.path, c, 1, zone));
    let heading = match &parent {
        Some(c) => format!("Reply to {}", c.author),
        None => "Leave a Reply".to_string(),
    };
    let path = post.path.clone();
    let meta = PageMeta::new(blog, format!("{heading} | {}", post.title), &path).noindex();
    let content = ReplyPage {
        heading,
        post_url: path,
        post_title: post.title.clone(),
        parent,
        form,
    };
    layout::page(blog, &meta, &content, 0)
}

/// A comment awaiting moderation, for its author's eyes.
pub fn held(
    blog: &Blog,
    zone: &dyn Zone,
    post_title: &str,
    record: &CommentRecord,
) -> askama::Result<String> {
    let comment = Comment {
        id: record.id,
        parent_id: record.parent_id,
        author_name: record.author_name.clone(),
        author_url: record.author_url.clone(),
        body_html: String::new(),
        stale_text: Some(record.body.clone()),
        created_at: record.created_at,
        by_post_author: record.by_post_author,
        kind: CommentKind::Comment,
    };
    let path = record.post_path.clone();
    let meta =
        PageMeta::new(blog, format!("Awaiting moderation | {}", blog.title), &path).noindex();
    let content = HeldPage {
        post_url: path.clone(),
        post_title: post_title.to_string(),
        comment: comment_view(&record.post_path, &comment, 1, zone),
    };
    layout::page(blog, &meta, &content, 0)
}

/// Search results for `query` (page `page` of `total` hits).
pub fn search(
    blog: &Blog,
    zone: &dyn Zone,
    query: &str,
    hits: &[SearchHit],
    total: u32,
    page: u32,
) -> askama::Result<String> {
    let encoded: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let link = |n: u32| {
        if n == 1 {
            format!("/search?q={encoded}")
        } else {
            format!("/search?q={encoded}&page={n}")
        }
    };
    let (newer, older) = pagination(page, page < total.div_ceil(PER_PAGE), link);
    let summary = match (query.trim().is_empty(), total) {
        (true, _) => "Type a few words to search the posts and their addenda.".to_string(),
        (false, 0) => format!("Nothing matches “{query}”. Try fewer or other words."),
        (false, 1) => format!("1 post matches “{query}”."),
        (false, n) => format!("{n} posts match “{query}”."),
    };
    let title = if query.trim().is_empty() {
        "Search".to_string()
    } else {
        format!("Search: {query}")
    };
    let meta = PageMeta::new(
        blog,
        paged_title(&format!("{title} | {}", blog.title), page),
        "/search",
    )
    .noindex();
    let content = SearchPage {
        query: query.to_string(),
        summary,
        hits: hits
            .iter()
            .map(|h| HitView {
                url: h.path.clone(),
                title: h.title.clone(),
                date: dates::long_date(h.published_at, zone),
                datetime: dates::rfc3339(h.published_at, zone),
                snippet: search::snippet_html(&h.snippet),
            })
            .collect(),
        newer,
        older,
    };
    layout::page(blog, &meta, &content, 0)
}

/// The content of a feed entry: the post and its addenda, as on the post page.
fn feed_content(post: &FeedPost, addenda: &[FeedAddendum], zone: &dyn Zone) -> String {
    let mut html = stored_html(&post.body_html, post.stale_markdown.as_deref()).into_owned();
    for a in addenda.iter().filter(|a| a.post_id == post.id) {
        let mut heading = String::new();
        text::escape(&dates::addendum_stamp(a.created_at, zone), &mut heading);
        html.push_str(&format!("<h2>Additional – {heading}</h2>\n"));
        html.push_str(&stored_html(&a.body_html, a.stale_markdown.as_deref()));
    }
    html
}

fn feed_entries(
    blog: &Blog,
    zone: &dyn Zone,
    posts: &[FeedPost],
    addenda: &[FeedAddendum],
) -> Vec<FeedEntry> {
    let utc = FixedZone::UTC;
    posts
        .iter()
        .map(|p| {
            let url = blog.url(&routes::post_path(&p.slug));
            FeedEntry {
                id: url.clone(),
                url,
                title: p.title.clone(),
                author: blog.author.clone(),
                published: dates::rfc3339(p.published_at, &utc),
                updated: dates::rfc3339(p.updated_at.max(p.published_at), &utc),
                pub_date: dates::rfc2822(p.published_at),
                content: feed_content(p, addenda, zone),
                enclosure: p
                    .enclosure()
                    .map(|e| (blog.url(e.path), e.media_type.to_string(), e.bytes)),
            }
        })
        .collect()
}

/// The latest of the entries' updated times (RFC 3339 sorts as text), or the epoch.
fn latest(entries: &[FeedEntry]) -> String {
    entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

pub fn atom(
    blog: &Blog,
    zone: &dyn Zone,
    posts: &[FeedPost],
    addenda: &[FeedAddendum],
) -> askama::Result<String> {
    let entries = feed_entries(blog, zone, posts, addenda);
    render(&AtomFeed {
        blog,
        title: blog.title.clone(),
        feed_url: blog.url(&routes::Page::AtomFeed.path()),
        page_url: blog.url("/"),
        updated: latest(&entries),
        entries,
    })
}

pub fn rss(
    blog: &Blog,
    zone: &dyn Zone,
    posts: &[FeedPost],
    addenda: &[FeedAddendum],
) -> askama::Result<String> {
    render(&RssFeed {
        blog,
        feed_url: blog.url(&routes::Page::RssFeed.path()),
        home_url: blog.url("/"),
        entries: feed_entries(blog, zone, posts, addenda),
    })
}

/// A post's newest approved comments as an Atom feed.
pub fn comment_feed(blog: &Blog, post: &Post, latest: &[Comment]) -> askama::Result<String> {
    let utc = FixedZone::UTC;
    let post_url = blog.url(&post.path);
    let entries: Vec<FeedEntry> = latest
        .iter()
        .map(|c| FeedEntry {
            id: format!("{post_url}#comment-{}", c.id),
            url: blog.url(&routes::comment_link(&post.path, c.id)),
            title: format!("Comment by {} on “{}”", c.author_name, post.title),
            author: c.author_name.clone(),
            published: dates::rfc3339(c.created_at, &utc),
            updated: dates::rfc3339(c.created_at, &utc),
            pub_date: dates::rfc2822(c.created_at),
            content: comment_html(&c.body_html, c.stale_text.as_deref()).into_owned(),
            enclosure: None,
        })
        .collect();
    render(&AtomFeed {
        blog,
        title: format!("Comments on “{}” | {}", post.title, blog.title),
        feed_url: blog.url(
            &routes::Page::CommentFeed {
                path: post.path.clone(),
            }
            .path(),
        ),
        page_url: post_url,
        updated: entries
            .iter()
            .map(|e| e.updated.clone())
            .max()
            .unwrap_or_else(|| dates::rfc3339(post.published_at, &utc)),
        entries,
    })
}

pub fn sitemap(blog: &Blog, entries: &[SitemapEntry]) -> askama::Result<String> {
    let utc = FixedZone::UTC;
    let newest = entries.iter().map(|e| e.updated_at).max();
    let mut urls = vec![(
        blog.url("/"),
        newest.map(|t| dates::rfc3339(t, &utc)).unwrap_or_default(),
    )];
    urls.extend(
        entries
            .iter()
            .map(|e| (blog.url(&e.path), dates::rfc3339(e.updated_at, &utc))),
    );
    render(&Sitemap { urls })
}

pub fn robots(blog: &Blog) -> askama::Result<String> {
    render(&Robots {
        sitemap: blog.url(&routes::Page::Sitemap.path()),
    })
}

fn render(template: &impl Template) -> askama::Result<String> {
    render_sized(template, 0)
}

/// Renders into a buffer of at least `expected` bytes: a long page then grows its buffer once
/// rather than doubling (and copying) its way up.
fn render_sized<T: Template>(template: &T, expected: usize) -> askama::Result<String> {
    let mut out = String::with_capacity(expected.max(T::SIZE_HINT));
    template.render_into(&mut out)?;
    Ok(out)
}

/// The HTML to show for a post or addendum: the stored render, or the escaped text of Markdown
/// that was never rendered.
fn stored_html<'a>(stored: &'a str, stale_markdown: Option<&str>) -> Cow<'a, str> {
    match stale_markdown {
        Some(markdown) if stored.is_empty() => comment_text::to_html(markdown).into(),
        _ => stored.into(),
    }
}

/// A comment's HTML: the stored one, or a fresh render of text whose stored HTML is stale.
fn comment_html<'a>(stored: &'a str, stale_text: Option<&str>) -> Cow<'a, str> {
    match stale_text {
        Some(text) => comment_text::to_html(text).into(),
        None => stored.into(),
    }
}

/// The lead to cut excerpts from: the stored one, or the plain text of Markdown that was never
/// rendered.
fn stored_lead<'a>(stored: &'a str, stale_markdown: Option<&str>) -> Cow<'a, str> {
    match stale_markdown {
        Some(markdown) if stored.is_empty() => text::collapse_whitespace(markdown).into(),
        _ => stored.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blog_core::model::{Addendum, Post, PostSummary, Tag};

    fn blog() -> Blog {
        blog_core::settings::Settings::from_stored(|key| match key {
            "title" => Some("Health Techie"),
            "tagline" => Some("Just another site"),
            "author" => Some("Claire"),
            _ => None,
        })
        .blog
    }

    fn comment(id: i64, parent: Option<i64>, author: &str, by_author: bool) -> Comment {
        Comment {
            id,
            parent_id: parent,
            author_name: author.into(),
            author_url: Some(if id == 1 {
                "http://philbaumann.com/".into()
            } else {
                "javascript:alert(1)".into()
            }),
            body_html: comment_text::to_html(&format!("Comment <b>{id}</b>")),
            stale_text: None,
            created_at: 1_300_411_020 + id * 60,
            by_post_author: by_author,
            kind: if id == 3 {
                CommentKind::Pingback
            } else {
                CommentKind::Comment
            },
        }
    }

    #[test]
    fn post_page_has_every_part_in_order() {
        let data = PostPage {
            ancestors: Vec::new(),
            children: Vec::new(),
            post: Post {
                id: 1,
                slug: "health".into(),
                path: "/posts/health".into(),
                is_page: false,
                title: "Health is Social".into(),
                body_html: "<p>Body text with a <a href=\"https://example.com/\">link</a>.</p>\n"
                    .into(),
                lead: "Body text with a link.".into(),
                stale_markdown: None,
                published_at: 1_300_400_000,
                updated_at: 1_300_457_820,
                comments_open: true,
                image: Some("/media/chart.png".into()),
                likes: 2,
                boosts: 1,
            },
            // Never rendered (plain SQL): shown as its text until the author Worker renders it.
            addenda: vec![Addendum {
                id: 7,
                body_html: String::new(),
                stale_markdown: Some("Later *news* <b>x</b>.".into()),
                created_at: 1_300_457_820,
            }],
            comments: vec![
                comment(1, None, "Phil", false),
                comment(2, Some(1), "Claire", true),
                comment(3, None, "Ping 1 « What’s a tellyworth?", false),
            ],
            tags: vec![Tag {
                tag: "Social media".into(),
                slug: "social-media".into(),
            }],
            threads: 1,
            responses: 2,
        };
        let form = FormView::new("/posts/health", "123.abc".into());
        let subscribe = SubscribeForm::new(7, "123.abc");
        let html =
            post(&blog(), &FixedZone::UTC, &data, 1, form, Some(subscribe)).expect("renders");
        let order = [
            "<h1",
            "Health is Social",
            "Body text with a <a href=\"https://example.com/\">link</a>",
            "Additional – <time datetime=\"2011-03-18T14:17:00Z\">14:17 18/03/2011</time>",
            "<p>Later <em>news</em> &lt;b&gt;x&lt;/b&gt;.</p>",
            "<p class=\"reactions\">2 likes and 1 boost on the fediverse</p>",
            // The newsletter's form ends the post, posting with the post's token in its address.
            "<form class=\"subscribe\" method=\"post\" action=\"/subscribe?post=7&#38;t=123.abc\">",
            "name=\"website\"",
            "2 responses to “Health is Social”",
            "id=\"comment-1\"",
            "<a href=\"http://philbaumann.com/\" rel=\"nofollow ugc\">Phil</a>",
            "March 18, 2011 at 1:18 am",
            "<ol class=\"children\">",
            "id=\"comment-2\"",
            "Leave a Reply",
            "action=\"/posts/health/comments\"",
            "name=\"token\" value=\"123.abc\"",
            "name=\"author\"",
            "name=\"email\"",
            "name=\"url\"",
            "name=\"body\"",
            "name=\"subject\"",
        ];
        let mut at = 0;
        for needle in order {
            let found = html[at..]
                .find(needle)
                .unwrap_or_else(|| panic!("{needle:?} missing after byte {at} in\n{html}"));
            at += found + needle.len();
        }
        assert!(
            html.contains("Comment &lt;b&gt;1&lt;/b&gt;"),
            "comment text is escaped"
        );
        assert!(
            !html.contains("javascript:"),
            "non-http websites are not linked"
        );
        assert!(
            html.contains("by-post-author"),
            "the author's reply is marked"
        );
        let mention = &html[html.find("id=\"comment-3\"").expect("the pingback")..];
        assert!(
            mention.starts_with("id=\"comment-3\" class=\"comment mention depth-1\""),
            "{mention}"
        );
        assert!(mention.contains("Mentioned in "), "{mention}");
        assert!(
            !html.contains("/posts/health/reply/3"),
            "a mention has no Reply link"
        );
        for needle in [
            "href=\"/posts/health/reply/1#respond\"",
            "<a href=\"/tags/social-media\" rel=\"tag\">Social media</a>",
            "\"@type\":\"BlogPosting\"",
            "\"dateModified\":\"2011-03-18T14:17:00Z\"",
            "property=\"og:type\" content=\"article\"",
            "<meta property=\"og:image\" content=\"http://127.0.0.1:8787/media/chart.png\">",
            "<meta name=\"twitter:card\" content=\"summary_large_image\">",
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Comments on this post (Atom)\" href=\"/posts/health/comments.atom\">",
        ] {
            assert!(html.contains(needle), "{needle} in {html}");
        }
    }

    #[test]
    fn json_ld_cannot_end_its_script() {
        let data = serde_json::json!({"headline": "</script><script>alert(1)</script>"});
        let script = json_ld(&data);
        assert!(!script.contains("</script>"), "{script}");
        assert!(script.contains("\\u003c/script>"), "{script}");
    }

    #[test]
    fn a_form_sent_back_keeps_the_text_and_names_the_faults() {
        let post = CommentablePost {
            id: 1,
            slug: "health".into(),
            path: "/posts/health".into(),
            title: "Health".into(),
            published_at: 0,
            comments_open: true,
        };
        let mut form = FormView::new("/posts/health", "t".into());
        form.author = "Zoë <b>".into();
        form.body = "My </textarea><script>x</script> text".into();
        form.errors.insert(
            "email".into(),
            "This does not look like an email address.".into(),
        );
        form.message = Some("Please check the fields marked below.".into());
        let html = reply(&blog(), &FixedZone::UTC, &post, None, form).expect("renders");
        assert!(
            html.contains("value=\"Zoë &#60;b&#62;\"") || html.contains("value=\"Zoë &lt;b&gt;\""),
            "{html}"
        );
        assert!(!html.contains("</textarea><script>"), "{html}");
        assert!(
            html.contains("aria-invalid=\"true\" aria-describedby=\"email-error\""),
            "{html}"
        );
        assert!(html.contains("This does not look like an email address."));
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    }

    #[test]
    fn home_paginates_and_counts() {
        let posts = (0..10)
            .map(|i| PostSummary {
                slug: format!("p{i}"),
                title: format!("Post {i}"),
                lead: "Text".into(),
                stale_markdown: None,
                published_at: 1_300_000_000 - i * 86_400,
                responses: i % 2,
            })
            .collect();
        let listing = Listing { posts, more: true };
        let html = home(&blog(), &FixedZone::UTC, &listing, 2).expect("renders");
        assert!(html.contains("<link rel=\"alternate\" type=\"application/rss+xml\""));
        assert!(html.contains("Just another site"));
        assert!(html.contains("href=\"/posts/p0\""));
        assert!(html.contains("1 response"));
        assert!(
            html.contains("href=\"/\""),
            "newer posts link to page 1: {html}"
        );
        assert!(
            html.contains("href=\"/page/3\""),
            "older posts link to page 3"
        );
        let last = Listing {
            more: false,
            ..listing
        };
        let last = home(&blog(), &FixedZone::UTC, &last, 3).expect("renders");
        assert!(!last.contains("/page/4"));
    }
}
