//! Every HTML page's layout (`templates/base.html`): the blog's settings, the page's `<head>`
//! metadata and the page's own content, rendered inside it; and the error page, which both
//! Workers show in that layout.
//!
//! Pages do not `extends` the layout: askama would copy the layout's code into every page
//! template. Each page renders its content template into the one layout instead.

use std::fmt;

use askama::Template;
use blog_core::settings::Blog;

/// What every page's `<head>` says about it.
pub struct PageMeta {
    pub title: String,
    /// The page's path: the site menu marks the page it is on.
    pub path: String,
    pub canonical: String,
    pub description: String,
    /// OpenGraph type: `website` or `article`.
    pub og_type: &'static str,
    /// JSON-LD, already safe to put inside `<script>`.
    pub json_ld: Option<String>,
    /// A post's comment feed.
    pub comment_feed: Option<String>,
    /// Pages that are not for search engines (forms, errors).
    pub noindex: bool,
    /// The page's lead image, an absolute URL: og:image, and a large Twitter card.
    pub image: Option<String>,
    /// Its ActivityPub JSON's address (the blog's actor, a post's `Article`).
    pub activity: Option<String>,
    /// CSS for this kind of page beyond the blog's own (the admin's screens), static text.
    pub extra_style: &'static str,
}

impl PageMeta {
    pub fn new(blog: &Blog, title: String, path: &str) -> Self {
        PageMeta {
            title,
            path: path.to_string(),
            canonical: blog.url(path),
            description: if blog.tagline.is_empty() {
                blog.title.clone()
            } else {
                blog.tagline.clone()
            },
            og_type: "website",
            json_ld: None,
            comment_feed: None,
            noindex: false,
            image: None,
            activity: None,
            extra_style: "",
        }
    }

    pub fn noindex(mut self) -> Self {
        self.noindex = true;
        self
    }
}

#[derive(Template)]
#[template(path = "base.html")]
struct Layout<'a> {
    blog: &'a Blog,
    meta: &'a PageMeta,
    content: &'a dyn fmt::Display,
}

/// A whole HTML page: `content` (a page's template) in the layout, rendered into a buffer of at
/// least `expected` bytes, so that a long page grows its buffer once rather than doubling its
/// way up.
pub fn page(
    blog: &Blog,
    meta: &PageMeta,
    content: &dyn fmt::Display,
    expected: usize,
) -> askama::Result<String> {
    let layout = Layout {
        blog,
        meta,
        content,
    };
    let mut out = String::with_capacity(expected.max(8 * 1024));
    layout.render_into(&mut out)?;
    Ok(out)
}

/// The newsletter's subscribe form (under posts, on `/subscribe`, and sent back with what was
/// typed when it needs correcting). It posts to `action`: `/subscribe?post={id}&t={token}`, the
/// comment form's token, which the reader Worker checks before passing the form on.
#[derive(Debug, Clone, Default, Template)]
#[template(path = "subscribe_form.html")]
pub struct SubscribeForm {
    pub action: String,
    pub email: String,
    pub weekly: bool,
    /// About the whole form (sent too fast, too many sign-ups).
    pub message: Option<String>,
    /// About the address.
    pub error: Option<String>,
}

impl SubscribeForm {
    /// An empty form, with the token of the post it is under (`0`: the `/subscribe` page).
    pub fn new(post_id: i64, token: &str) -> Self {
        SubscribeForm {
            action: format!("/subscribe?post={post_id}&t={token}"),
            ..SubscribeForm::default()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    heading: &'static str,
    message: &'a str,
}

/// The page shown with an error status.
pub fn error(blog: &Blog, status: u16, message: &str) -> askama::Result<String> {
    let heading = match status {
        404 => "Not found",
        403 => "Not allowed",
        405 => "Method not allowed",
        410 => "No longer valid",
        413 => "Too large",
        415 => "Unsupported form",
        500 => "Something went wrong",
        503 => "Temporarily unavailable",
        _ => "Something is wrong with this request",
    };
    let meta = PageMeta::new(blog, format!("{heading} | {}", blog.title), "/").noindex();
    page(blog, &meta, &ErrorPage { heading, message }, 0)
}
