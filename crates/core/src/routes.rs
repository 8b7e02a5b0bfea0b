//! Which page a request path names, and the paths of pages. Pure, so that every path rule has a
//! native test.

/// Posts per listing page (home, tags, search).
pub const PER_PAGE: u32 = 10;
/// Threads (a top-level comment with its replies) per page of comments, so that a page's cost
/// stays bounded however much a post is discussed.
pub const COMMENT_THREADS_PER_PAGE: u32 = 100;

/// A reader-facing page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The home page's listing; page 1 is `/`, page n > 1 is `/page/n`.
    Home { page: u32 },
    /// A post or a page, by its canonical path (see [`entry_path`]).
    Entry { path: String },
    /// A post or page with a later page of its comments (page 1 is the entry itself).
    EntryComments { path: String, page: u32 },
    /// The posts with a tag (by the tag's slug), paginated like the home page.
    Tag { tag: String, page: u32 },
    /// Atom feed of the newest posts: `/feed.atom`.
    AtomFeed,
    /// RSS 2.0 feed of the same: `/feed.rss`.
    RssFeed,
    /// Atom feed of an entry's approved comments: `/posts/{slug}/comments.atom`,
    /// `/about/comments.atom`.
    CommentFeed { path: String },
    /// `/sitemap.xml`.
    Sitemap,
    /// `/robots.txt`.
    Robots,
}

/// Anything a reader's request can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A cacheable page.
    Page(Page),
    /// `/posts/{slug}/comments` (`/about/comments` for a page): where the comment form posts.
    /// `entry` is the canonical path of the post or page, as in [`Page::Entry`].
    Comments { entry: String },
    /// `/posts/{slug}/reply/{id}`: the form, set to reply to comment `id`.
    Reply { entry: String, parent: i64 },
    /// `/posts/{slug}/comments/{id}`: a comment's lasting address, which leads to the page of
    /// comments that holds it (`#comment-{id}` alone finds only the first page's).
    CommentLink { entry: String, id: i64 },
    /// `/posts/{slug}/held/{id}/{key}`: a comment awaiting moderation, shown to its author.
    Held { entry: String, id: i64, key: String },
    /// `/search?q=…`.
    Search,
    /// `/media/{hash}/{name}`: a file from the media library (the name is for people; the hash
    /// alone names the file).
    Media { hash: String, name: String },
    /// `/media/{hash}/w{width}/{name}`: an image from the library at one of
    /// [`crate::variants`]' widths, in the format the browser takes.
    MediaVariant {
        hash: String,
        width: u32,
        name: String,
    },
    /// `/favicon.ico` and `/apple-touch-icon.png`: the blog's icon.
    Icon(Icon),
}

/// The icon sizes browsers ask for by address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    /// `/favicon.ico` (served as a 32×32 PNG, which every browser takes there).
    Favicon,
    /// `/apple-touch-icon.png` (and `-precomposed`): 180×180.
    AppleTouch,
}

impl Icon {
    /// Where browsers ask for it.
    pub fn path(self) -> &'static str {
        match self {
            Icon::Favicon => "/favicon.ico",
            Icon::AppleTouch => "/apple-touch-icon.png",
        }
    }
}

/// A media file's served name (see [`crate::media::clean_name`]): nothing else is looked up.
fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Maps a URL path to a route.
pub fn route_for(path: &str) -> Option<Route> {
    if let Some(page) = page_for(path) {
        return Some(Route::Page(page));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["search"] => Some(Route::Search),
        ["favicon.ico"] => Some(Route::Icon(Icon::Favicon)),
        ["apple-touch-icon.png" | "apple-touch-icon-precomposed.png"] => {
            Some(Route::Icon(Icon::AppleTouch))
        }
        ["media", hash, name] if crate::media::is_hash(hash) && is_file_name(name) => {
            Some(Route::Media {
                hash: hash.to_string(),
                name: name.to_string(),
            })
        }
        ["media", hash, width, name] if crate::media::is_hash(hash) && is_file_name(name) => {
            Some(Route::MediaVariant {
                hash: hash.to_string(),
                width: crate::variants::parse_width_segment(width)?,
                name: name.to_string(),
            })
        }
        [entry @ .., "comments"] => Some(Route::Comments {
            entry: entry_path(entry)?,
        }),
        [entry @ .., "comments", id] if id.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Route::CommentLink {
                entry: entry_path(entry)?,
                id: positive_id(id)?,
            })
        }
        [entry @ .., "reply", id] => Some(Route::Reply {
            entry: entry_path(entry)?,
            parent: positive_id(id)?,
        }),
        [entry @ .., "held", id, key]
            if key.len() <= 64 && key.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Some(Route::Held {
                entry: entry_path(entry)?,
                id: positive_id(id)?,
                key: key.to_string(),
            })
        }
        _ => None,
    }
}

/// Pages nest at most this deep (`/a/b/c/d/e/f/g/h/`).
pub const MAX_PAGE_DEPTH: usize = 8;

/// Top-level page slugs that would hide the blog's own addresses, or the WordPress addresses an
/// import redirects.
const RESERVED_TOP: [&str; 17] = [
    "admin",
    "author",
    "category",
    "comments",
    "email",
    "feed",
    "media",
    "page",
    "posts",
    "preview",
    "search",
    "tag",
    "tags",
    "wp-admin",
    "wp-content",
    "wp-includes",
    "wp-json",
];

/// Slugs no page can have at any depth: they end the addresses of an entry's comment form.
const RESERVED_ANYWHERE: [&str; 3] = ["comments", "reply", "held"];

/// Whether `slug` may name a page whose parent is `at_top` (no parent) or another page.
pub fn page_slug_allowed(slug: &str, at_top: bool) -> bool {
    is_slug(slug) && !RESERVED_ANYWHERE.contains(&slug) && !(at_top && RESERVED_TOP.contains(&slug))
}

/// The canonical path of the post or page that path segments name: `["posts", slug]` is
/// `/posts/{slug}`; a page's slugs, parents first, are `/about/team/`.
pub fn entry_path(segments: &[&str]) -> Option<String> {
    match segments {
        ["posts", slug] if is_slug(slug) => Some(post_path(slug)),
        [first, ..] if segments.len() <= MAX_PAGE_DEPTH && page_slug_allowed(first, true) => {
            let mut path = String::from("/");
            for slug in segments {
                if !page_slug_allowed(slug, false) {
                    return None;
                }
                path.push_str(slug);
                path.push('/');
            }
            Some(path)
        }
        _ => None,
    }
}

/// A page's canonical path under its parent's (`None`: a top-level page).
pub fn page_path(parent: Option<&str>, slug: &str) -> String {
    format!("{}{slug}/", parent.unwrap_or("/"))
}

/// The paths of a page's parents, the top-level one first: `/a/b/c/` → `/a/`, `/a/b/`.
pub fn parent_paths(path: &str) -> Vec<&str> {
    let inner = path.trim_end_matches('/');
    inner
        .match_indices('/')
        .skip(1)
        .map(|(i, _)| &path[..=i])
        .collect()
}

/// The path that an entry's comment routes hang from: `/posts/a`, `/about` (no final slash).
fn entry_base(entry: &str) -> &str {
    entry.strip_suffix('/').unwrap_or(entry)
}

/// The origin (`scheme://host[:port]`) of an absolute URL as the runtime gives it, found without
/// a URL parser (the `url` crate's IDNA tables would cost every reader 100 KB of wasm); empty
/// when `url` has no `://`.
pub fn origin(url: &str) -> &str {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return "";
    };
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    &url[..end]
}

/// A record id in a path: positive, digits only.
pub fn positive_id(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|&n| n > 0)
}

/// A comment's lasting address (see [`Route::CommentLink`]): links from outside the page (feeds,
/// mail, the fediverse) use it.
pub fn comment_link(entry: &str, id: i64) -> String {
    format!("{}/comments/{id}", entry_base(entry))
}

/// The page of comments `page` of an entry, where comment `id` is: the address a comment's
/// link leads to.
pub fn comment_on_page(entry: &str, page: u32, id: i64) -> String {
    let page = if page <= 1 {
        Page::Entry {
            path: entry.to_string(),
        }
    } else {
        Page::EntryComments {
            path: entry.to_string(),
            page,
        }
    };
    format!("{}#comment-{id}", page.path())
}

/// Where the reply link of a comment on entry `entry` (its canonical path) leads.
pub fn reply_path(entry: &str, parent: i64) -> String {
    format!("{}/reply/{parent}", entry_base(entry))
}

/// Where the comment form of an entry posts.
pub fn comments_path(entry: &str) -> String {
    format!("{}/comments", entry_base(entry))
}

pub fn held_path(entry: &str, id: i64, key: &str) -> String {
    format!("{}/held/{id}/{key}", entry_base(entry))
}

/// Maps a URL path (as the runtime gives it: percent-encoded, without query) to a page.
pub fn page_for(path: &str) -> Option<Page> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [""] => Some(Page::Home { page: 1 }),
        ["page", n] | ["page", n, ""] => Some(Page::Home {
            page: page_number(n)?,
        }),
        ["tags", tag] | ["tags", tag, ""] if is_slug(tag) => Some(Page::Tag {
            tag: tag.to_string(),
            page: 1,
        }),
        ["tags", tag, "page", n] if is_slug(tag) => Some(Page::Tag {
            tag: tag.to_string(),
            page: page_number(n)?,
        }),
        ["feed.atom"] => Some(Page::AtomFeed),
        ["feed.rss"] => Some(Page::RssFeed),
        ["sitemap.xml"] => Some(Page::Sitemap),
        ["robots.txt"] => Some(Page::Robots),
        [entry @ .., "comments", "page", n] => Some(Page::EntryComments {
            path: entry_path(entry)?,
            page: page_number(n)?,
        }),
        [entry @ .., "comments.atom"] => Some(Page::CommentFeed {
            path: entry_path(entry)?,
        }),
        // `/posts/a/` and `/about` are the same entries as `/posts/a` and `/about/`.
        [entry @ .., ""] | entry => Some(Page::Entry {
            path: entry_path(entry)?,
        }),
    }
}

/// A page number in a path: 2 or more (page 1 has no number), digits only.
fn page_number(text: &str) -> Option<u32> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u32>().ok().filter(|&n| n >= 2)
}

impl Page {
    /// The canonical path of the page.
    pub fn path(&self) -> String {
        match self {
            Page::Home { page: 1 } => "/".to_string(),
            Page::Home { page } => format!("/page/{page}"),
            Page::Entry { path } => path.clone(),
            Page::EntryComments { path, page } => {
                format!("{}/comments/page/{page}", entry_base(path))
            }
            Page::Tag { tag, page: 1 } => tag_path(tag),
            Page::Tag { tag, page } => format!("{}/page/{page}", tag_path(tag)),
            Page::AtomFeed => "/feed.atom".into(),
            Page::RssFeed => "/feed.rss".into(),
            Page::CommentFeed { path } => format!("{}/comments.atom", entry_base(path)),
            Page::Sitemap => "/sitemap.xml".into(),
            Page::Robots => "/robots.txt".into(),
        }
    }

    /// The media type the page is served as.
    pub fn content_type(&self) -> &'static str {
        match self {
            Page::Home { .. }
            | Page::Entry { .. }
            | Page::EntryComments { .. }
            | Page::Tag { .. } => "text/html; charset=utf-8",
            Page::AtomFeed | Page::CommentFeed { .. } => "application/atom+xml; charset=utf-8",
            Page::RssFeed => "application/rss+xml; charset=utf-8",
            Page::Sitemap => "application/xml; charset=utf-8",
            Page::Robots => "text/plain; charset=utf-8",
        }
    }
}

pub fn tag_path(tag_slug: &str) -> String {
    format!("/tags/{tag_slug}")
}

pub fn post_path(slug: &str) -> String {
    format!("/posts/{slug}")
}

/// Slugs are lower-case ASCII letters, digits and single hyphens (what `slugify` makes of a title
/// is transliterated to this by the admin API); anything else cannot name a post.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 200
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_and_its_pages() {
        assert_eq!(page_for("/"), Some(Page::Home { page: 1 }));
        assert_eq!(page_for("/page/2"), Some(Page::Home { page: 2 }));
        assert_eq!(page_for("/page/2/"), Some(Page::Home { page: 2 }));
        assert_eq!(page_for("/page/1"), None, "page 1 lives at /");
        assert_eq!(page_for("/page/0"), None);
        assert_eq!(page_for("/page/+3"), None);
        assert_eq!(page_for("/page/99999999999"), None);
        assert_eq!(page_for("/page/x"), None);
    }

    #[test]
    fn posts_by_slug() {
        assert_eq!(
            page_for("/posts/health-is-social"),
            Some(Page::Entry {
                path: "/posts/health-is-social".into()
            })
        );
        assert_eq!(
            page_for("/posts/health-is-social/"),
            Some(Page::Entry {
                path: "/posts/health-is-social".into()
            })
        );
        assert_eq!(page_for("/posts/Health"), None);
        assert_eq!(page_for("/posts/a%20b"), None);
        assert_eq!(page_for("/posts/"), None);
        assert_eq!(page_for("/posts/a/b"), None);
        assert_eq!(page_for("/Nothing"), None);
        assert_eq!(page_for("/a//b"), None);
    }

    #[test]
    fn pages_by_path() {
        let entry = |path: &str| Some(Page::Entry { path: path.into() });
        assert_eq!(page_for("/about/"), entry("/about/"));
        assert_eq!(
            page_for("/about"),
            entry("/about/"),
            "one page, one cache key"
        );
        assert_eq!(page_for("/level-1/level-2/"), entry("/level-1/level-2/"));
        assert_eq!(page_for("/a/b/c/d/e/f/g/h/"), entry("/a/b/c/d/e/f/g/h/"));
        assert_eq!(page_for("/a/b/c/d/e/f/g/h/i/"), None, "deeper than allowed");
        for reserved in [
            "/posts/",
            "/tags/",
            "/page/",
            "/search/",
            "/feed/",
            "/category/x/",
        ] {
            assert_eq!(page_for(reserved), None, "{reserved}");
        }
        assert_eq!(page_for("/about/reply/"), None);
        assert_eq!(page_for("/about/held/x/"), None);
        assert_eq!(page_for("/tags/x/y/"), None);
        assert_eq!(
            page_for("/about/comments/page/2"),
            Some(Page::EntryComments {
                path: "/about/".into(),
                page: 2
            })
        );
        assert_eq!(
            page_for("/about/team/comments.atom"),
            Some(Page::CommentFeed {
                path: "/about/team/".into()
            })
        );
        assert_eq!(
            route_for("/about/team/reply/3"),
            Some(Route::Reply {
                entry: "/about/team/".into(),
                parent: 3
            })
        );
        assert_eq!(
            route_for("/about/comments"),
            Some(Route::Comments {
                entry: "/about/".into()
            })
        );
        assert_eq!(route_for("/search/comments"), None);
        assert_eq!(comments_path("/about/"), "/about/comments");
        assert_eq!(reply_path("/posts/a", 4), "/posts/a/reply/4");
        assert_eq!(held_path("/a/b/", 4, "ff"), "/a/b/held/4/ff");
        assert_eq!(parent_paths("/a/b/c/"), ["/a/", "/a/b/"]);
        assert!(parent_paths("/about/").is_empty());
        assert_eq!(page_path(None, "about"), "/about/");
        assert_eq!(page_path(Some("/about/"), "team"), "/about/team/");
        assert!(page_slug_allowed("blog", true));
        assert!(!page_slug_allowed("posts", true));
        assert!(
            page_slug_allowed("posts", false),
            "only the top level is the blog's"
        );
        assert!(!page_slug_allowed("comments", false));
    }

    #[test]
    fn comment_routes() {
        assert_eq!(
            route_for("/posts/a-b/comments"),
            Some(Route::Comments {
                entry: "/posts/a-b".into()
            })
        );
        assert_eq!(
            route_for("/posts/a-b/reply/12"),
            Some(Route::Reply {
                entry: "/posts/a-b".into(),
                parent: 12
            })
        );
        assert_eq!(route_for("/posts/a-b/reply/0"), None);
        assert_eq!(
            route_for("/posts/a-b/comments/12"),
            Some(Route::CommentLink {
                entry: "/posts/a-b".into(),
                id: 12
            })
        );
        assert_eq!(
            route_for("/about/team/comments/7"),
            Some(Route::CommentLink {
                entry: "/about/team/".into(),
                id: 7
            })
        );
        assert_eq!(route_for("/posts/a-b/comments/0"), None);
        assert_eq!(comment_link("/about/team/", 7), "/about/team/comments/7");
        assert_eq!(comment_on_page("/posts/a", 1, 9), "/posts/a#comment-9");
        assert_eq!(
            comment_on_page("/about/", 3, 9),
            "/about/comments/page/3#comment-9"
        );
        assert_eq!(route_for("/posts/a-b/reply/1x"), None);
        assert_eq!(
            route_for("/posts/a-b/held/7/00ff"),
            Some(Route::Held {
                entry: "/posts/a-b".into(),
                id: 7,
                key: "00ff".into()
            })
        );
        assert_eq!(route_for("/posts/a-b/held/7/zz"), None);
        assert_eq!(route_for("/posts/A/comments"), None);
        assert_eq!(route_for("/"), Some(Route::Page(Page::Home { page: 1 })));
        assert_eq!(route_for("/search"), Some(Route::Search));
        assert_eq!(route_for("/favicon.ico"), Some(Route::Icon(Icon::Favicon)));
        assert_eq!(
            route_for("/apple-touch-icon-precomposed.png"),
            Some(Route::Icon(Icon::AppleTouch))
        );
        assert_eq!(route_for("/tags/nhs/page/1"), None);
        let hash = "0f".repeat(32);
        assert_eq!(
            route_for(&format!("/media/{hash}/chart-1.png")),
            Some(Route::Media {
                hash: hash.clone(),
                name: "chart-1.png".into()
            })
        );
        assert_eq!(route_for(&format!("/media/{hash}/..")), None);
        assert_eq!(route_for(&format!("/media/{hash}/a%2Fb.png")), None);
        assert_eq!(route_for("/media/0f0f/x.png"), None);
        assert_eq!(
            route_for(&format!("/media/{hash}/w640/chart-1.png")),
            Some(Route::MediaVariant {
                hash: hash.to_string(),
                width: 640,
                name: "chart-1.png".into()
            })
        );
        assert_eq!(route_for(&format!("/media/{hash}/w641/chart-1.png")), None);
        assert_eq!(route_for(&format!("/media/{hash}/w640/..")), None);
    }

    #[test]
    fn canonical_paths_round_trip() {
        for path in [
            "/",
            "/page/3",
            "/posts/a-b-1",
            "/tags/nhs",
            "/tags/nhs/page/2",
            "/feed.atom",
            "/feed.rss",
            "/sitemap.xml",
            "/robots.txt",
            "/posts/a/comments.atom",
            "/posts/a/comments/page/2",
            "/about/",
            "/about/team/",
            "/about/comments.atom",
            "/about/team/comments/page/3",
        ] {
            assert_eq!(page_for(path).map(|p| p.path()).as_deref(), Some(path));
        }
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin("https://blog.example.com/posts/a?x=1"),
            "https://blog.example.com"
        );
        assert_eq!(origin("http://127.0.0.1:8787/"), "http://127.0.0.1:8787");
        assert_eq!(origin("http://127.0.0.1:8787"), "http://127.0.0.1:8787");
        assert_eq!(origin("http://x.org?q"), "http://x.org");
        assert_eq!(origin("/relative"), "");
    }
}
