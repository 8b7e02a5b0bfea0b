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
    /// A post by slug.
    Post { slug: String },
    /// A post with a later page of its comments (page 1 is the post itself).
    PostComments { slug: String, page: u32 },
    /// The posts with a tag (by the tag's slug), paginated like the home page.
    Tag { tag: String, page: u32 },
    /// Atom feed of the newest posts: `/feed.atom`.
    AtomFeed,
    /// RSS 2.0 feed of the same: `/feed.rss`.
    RssFeed,
    /// Atom feed of a post's approved comments: `/posts/{slug}/comments.atom`.
    CommentFeed { slug: String },
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
    /// `/posts/{slug}/comments`: where the comment form posts.
    Comments { slug: String },
    /// `/posts/{slug}/reply/{id}`: the form, set to reply to comment `id`.
    Reply { slug: String, parent: i64 },
    /// `/posts/{slug}/held/{id}/{key}`: a comment awaiting moderation, shown to its author.
    Held { slug: String, id: i64, key: String },
    /// `/search?q=…`.
    Search,
    /// `/media/{hash}/{name}`: a file from the media library (the name is for people; the hash
    /// alone names the file).
    Media { hash: String, name: String },
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
        ["media", hash, name]
            if crate::media::is_hash(hash)
                && !name.is_empty()
                && name.len() <= 200
                && !name.starts_with('.')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) =>
        {
            Some(Route::Media {
                hash: hash.to_string(),
                name: name.to_string(),
            })
        }
        ["posts", slug, "comments"] if is_slug(slug) => Some(Route::Comments {
            slug: slug.to_string(),
        }),
        ["posts", slug, "reply", id] if is_slug(slug) => Some(Route::Reply {
            slug: slug.to_string(),
            parent: positive_id(id)?,
        }),
        ["posts", slug, "held", id, key]
            if is_slug(slug) && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Some(Route::Held {
                slug: slug.to_string(),
                id: positive_id(id)?,
                key: key.to_string(),
            })
        }
        _ => None,
    }
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

/// Where the reply link of a comment leads.
pub fn reply_path(slug: &str, parent: i64) -> String {
    format!("/posts/{slug}/reply/{parent}")
}

/// Where the comment form posts.
pub fn comments_path(slug: &str) -> String {
    format!("/posts/{slug}/comments")
}

pub fn held_path(slug: &str, id: i64, key: &str) -> String {
    format!("/posts/{slug}/held/{id}/{key}")
}

/// Maps a URL path (as the runtime gives it: percent-encoded, without query) to a page.
pub fn page_for(path: &str) -> Option<Page> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [""] => Some(Page::Home { page: 1 }),
        ["page", n] | ["page", n, ""] => Some(Page::Home {
            page: page_number(n)?,
        }),
        ["posts", slug] | ["posts", slug, ""] if is_slug(slug) => Some(Page::Post {
            slug: slug.to_string(),
        }),
        ["posts", slug, "comments", "page", n] if is_slug(slug) => Some(Page::PostComments {
            slug: slug.to_string(),
            page: page_number(n)?,
        }),
        ["posts", slug, "comments.atom"] if is_slug(slug) => Some(Page::CommentFeed {
            slug: slug.to_string(),
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
        _ => None,
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
            Page::Post { slug } => post_path(slug),
            Page::PostComments { slug, page } => {
                format!("{}/comments/page/{page}", post_path(slug))
            }
            Page::Tag { tag, page: 1 } => tag_path(tag),
            Page::Tag { tag, page } => format!("{}/page/{page}", tag_path(tag)),
            Page::AtomFeed => "/feed.atom".into(),
            Page::RssFeed => "/feed.rss".into(),
            Page::CommentFeed { slug } => format!("{}/comments.atom", post_path(slug)),
            Page::Sitemap => "/sitemap.xml".into(),
            Page::Robots => "/robots.txt".into(),
        }
    }

    /// The media type the page is served as.
    pub fn content_type(&self) -> &'static str {
        match self {
            Page::Home { .. }
            | Page::Post { .. }
            | Page::PostComments { .. }
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
            Some(Page::Post {
                slug: "health-is-social".into()
            })
        );
        assert_eq!(page_for("/posts/Health"), None);
        assert_eq!(page_for("/posts/a%20b"), None);
        assert_eq!(page_for("/posts/"), None);
        assert_eq!(page_for("/posts/a/b"), None);
        assert_eq!(page_for("/nothing"), None);
    }

    #[test]
    fn comment_routes() {
        assert_eq!(
            route_for("/posts/a-b/comments"),
            Some(Route::Comments { slug: "a-b".into() })
        );
        assert_eq!(
            route_for("/posts/a-b/reply/12"),
            Some(Route::Reply {
                slug: "a-b".into(),
                parent: 12
            })
        );
        assert_eq!(route_for("/posts/a-b/reply/0"), None);
        assert_eq!(route_for("/posts/a-b/reply/1x"), None);
        assert_eq!(
            route_for("/posts/a-b/held/7/00ff"),
            Some(Route::Held {
                slug: "a-b".into(),
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
