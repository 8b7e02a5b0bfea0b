//! Which page a request path names. Pure, so that every path rule has a native test.

/// A reader-facing page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The home page's listing; page 1 is `/`, page n > 1 is `/page/n`.
    Home { page: u32 },
    /// A post by slug.
    Post { slug: String },
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
}

/// Maps a URL path to a route.
pub fn route_for(path: &str) -> Option<Route> {
    if let Some(page) = page_for(path) {
        return Some(Route::Page(page));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
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

fn positive_id(text: &str) -> Option<i64> {
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
        ["page", n] | ["page", n, ""] => match n.parse::<u32>() {
            Ok(page) if page >= 2 && n.bytes().all(|b| b.is_ascii_digit()) => {
                Some(Page::Home { page })
            }
            _ => None,
        },
        ["posts", slug] | ["posts", slug, ""] if is_slug(slug) => Some(Page::Post {
            slug: slug.to_string(),
        }),
        _ => None,
    }
}

impl Page {
    /// The canonical path of the page.
    pub fn path(&self) -> String {
        match self {
            Page::Home { page: 1 } => "/".to_string(),
            Page::Home { page } => format!("/page/{page}"),
            Page::Post { slug } => post_path(slug),
        }
    }
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
    }

    #[test]
    fn canonical_paths_round_trip() {
        for path in ["/", "/page/3", "/posts/a-b-1"] {
            assert_eq!(page_for(path).map(|p| p.path()).as_deref(), Some(path));
        }
    }
}
