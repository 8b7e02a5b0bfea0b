//! Which page a request path names. Pure, so that every path rule has a native test.

/// A reader-facing page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The home page's listing; page 1 is `/`, page n > 1 is `/page/n`.
    Home { page: u32 },
    /// A post by slug.
    Post { slug: String },
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
    fn canonical_paths_round_trip() {
        for path in ["/", "/page/3", "/posts/a-b-1"] {
            assert_eq!(page_for(path).map(|p| p.path()).as_deref(), Some(path));
        }
    }
}
