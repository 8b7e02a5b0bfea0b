//! Page view models and their askama templates (the markup itself is in `templates/`).
//!
//! Functions here turn stored records into what a template shows: dates formatted in the blog's
//! zone, Markdown rendered, comments threaded and escaped. They do no I/O.

use askama::Template;

use crate::config::Blog;
use crate::dates::{self, Zone};
use crate::error::FieldErrors;
use crate::store::{Comment, CommentRecord, CommentablePost, Listing, PostPage};
use crate::thread::{self, Step};
use crate::{comment_text, markdown, routes};

/// Posts per home page.
pub const PER_PAGE: u32 = 10;
const EXCERPT_CHARS: usize = 280;

pub struct PostItem {
    pub url: String,
    pub title: String,
    pub date: String,
    pub datetime: String,
    pub excerpt: String,
    pub responses: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub blog: &'a Blog,
    pub page_title: String,
    pub canonical: String,
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

pub struct CommentView {
    pub id: i64,
    pub reply_url: String,
    pub depth: usize,
    pub author: String,
    pub url: Option<String>,
    pub when: String,
    pub datetime: String,
    pub html: String,
    pub by_post_author: bool,
}

/// A step of the comment thread, as the template walks it.
pub enum ThreadItem {
    Comment(CommentView),
    OpenReplies,
    CloseReplies,
    EndComment,
}

#[derive(Template)]
#[template(path = "post.html")]
pub struct PostPageView<'a> {
    pub blog: &'a Blog,
    pub page_title: String,
    pub canonical: String,
    pub post: PostView,
    pub addenda: Vec<AddendumView>,
    pub responses_heading: String,
    pub thread: Vec<ThreadItem>,
    pub comments_open: bool,
    pub form: FormView,
}

/// The comment form: where it posts, its token, what the person typed and what is wrong with it.
#[derive(Debug, Clone, Default)]
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
}

impl FormView {
    /// An empty form for a post.
    pub fn new(slug: &str, token: String) -> Self {
        FormView {
            action: routes::comments_path(slug),
            token,
            cancel_url: routes::post_path(slug),
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
    pub blog: &'a Blog,
    pub page_title: String,
    pub canonical: String,
    pub heading: String,
    pub post_url: String,
    pub post_title: String,
    pub parent: Option<CommentView>,
    pub form: FormView,
}

/// A held comment, shown to the person who wrote it.
#[derive(Template)]
#[template(path = "held.html")]
pub struct HeldPage<'a> {
    pub blog: &'a Blog,
    pub page_title: String,
    pub canonical: String,
    pub post_url: String,
    pub post_title: String,
    pub comment: CommentView,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub blog: &'a Blog,
    pub page_title: String,
    pub canonical: String,
    pub heading: String,
    pub message: String,
}

/// "3 responses", "1 response".
fn responses(n: i64) -> String {
    if n == 1 {
        "1 response".into()
    } else {
        format!("{n} responses")
    }
}

pub fn home(blog: &Blog, zone: &dyn Zone, listing: &Listing, page: u32) -> String {
    let last_page = listing.total.div_ceil(PER_PAGE).max(1);
    let link = |n: u32| routes::Page::Home { page: n }.path();
    let view = HomePage {
        blog,
        page_title: if page == 1 {
            blog.title.clone()
        } else {
            format!("{} – Page {page}", blog.title)
        },
        canonical: blog.url(&link(page)),
        posts: listing
            .posts
            .iter()
            .map(|p| PostItem {
                url: routes::post_path(&p.slug),
                title: p.title.clone(),
                date: dates::long_date(p.published_at, zone),
                datetime: dates::rfc3339(p.published_at, zone),
                excerpt: markdown::excerpt(&p.body, EXCERPT_CHARS),
                responses: responses(p.responses),
            })
            .collect(),
        newer: (page > 1).then(|| link(page - 1)),
        older: (page < last_page).then(|| link(page + 1)),
    };
    render(&view)
}

pub fn post(blog: &Blog, zone: &dyn Zone, data: &PostPage, form: FormView) -> String {
    let post = &data.post;
    let count = data.comments.len() as i64;
    let view = PostPageView {
        blog,
        page_title: format!("{} | {}", post.title, blog.title),
        canonical: blog.url(&routes::post_path(&post.slug)),
        post: PostView {
            slug: post.slug.clone(),
            url: routes::post_path(&post.slug),
            title: post.title.clone(),
            date: dates::long_date(post.published_at, zone),
            datetime: dates::rfc3339(post.published_at, zone),
            html: markdown::to_html(&post.body),
        },
        addenda: data
            .addenda
            .iter()
            .map(|a| AddendumView {
                id: a.id,
                stamp: dates::addendum_stamp(a.created_at, zone),
                datetime: dates::rfc3339(a.created_at, zone),
                html: markdown::to_html(&a.body),
            })
            .collect(),
        responses_heading: if count == 0 {
            "No responses yet".into()
        } else {
            format!("{} to “{}”", responses(count), post.title)
        },
        thread: thread_items(&post.slug, &data.comments, zone),
        comments_open: post.comments_open != 0,
        form,
    };
    render(&view)
}

fn comment_view(slug: &str, c: &Comment, depth: usize, zone: &dyn Zone) -> CommentView {
    CommentView {
        id: c.id,
        reply_url: routes::reply_path(slug, c.id),
        depth,
        author: c.author_name.clone(),
        url: c.author_url.clone().filter(|u| is_http_url(u)),
        when: dates::comment_time(c.created_at, zone),
        datetime: dates::rfc3339(c.created_at, zone),
        html: comment_text::to_html(&c.body),
        by_post_author: c.by_post_author != 0,
    }
}

fn thread_items(slug: &str, comments: &[Comment], zone: &dyn Zone) -> Vec<ThreadItem> {
    thread::steps(comments)
        .into_iter()
        .map(|step| match step {
            Step::Comment { comment: c, depth } => {
                ThreadItem::Comment(comment_view(slug, c, depth, zone))
            }
            Step::OpenReplies => ThreadItem::OpenReplies,
            Step::CloseReplies => ThreadItem::CloseReplies,
            Step::EndComment => ThreadItem::EndComment,
        })
        .collect()
}

/// Only `http(s)` links are ever rendered as a commenter's website.
fn is_http_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The comment form on its own page, replying to `parent` or sent back with errors.
pub fn reply(
    blog: &Blog,
    zone: &dyn Zone,
    post: &CommentablePost,
    parent: Option<&Comment>,
    form: FormView,
) -> String {
    let parent = parent.map(|c| comment_view(&post.slug, c, 1, zone));
    let heading = match &parent {
        Some(c) => format!("Reply to {}", c.author),
        None => "Leave a Reply".to_string(),
    };
    render(&ReplyPage {
        blog,
        page_title: format!("{heading} | {}", post.title),
        canonical: blog.url(&routes::post_path(&post.slug)),
        heading,
        post_url: routes::post_path(&post.slug),
        post_title: post.title.clone(),
        parent,
        form,
    })
}

/// A comment awaiting moderation, for its author's eyes.
pub fn held(blog: &Blog, zone: &dyn Zone, post_title: &str, record: &CommentRecord) -> String {
    let comment = Comment {
        id: record.id,
        parent_id: record.parent_id,
        author_name: record.author_name.clone(),
        author_url: record.author_url.clone(),
        body: record.body.clone(),
        created_at: record.created_at,
        by_post_author: record.by_post_author,
    };
    render(&HeldPage {
        blog,
        page_title: format!("Awaiting moderation | {}", blog.title),
        canonical: blog.url(&routes::post_path(&record.post_slug)),
        post_url: routes::post_path(&record.post_slug),
        post_title: post_title.to_string(),
        comment: comment_view(&record.post_slug, &comment, 1, zone),
    })
}

pub fn error(blog: &Blog, status: u16, message: &str) -> String {
    let heading = match status {
        404 => "Not found",
        403 => "Not allowed",
        405 => "Method not allowed",
        413 => "Too large",
        415 => "Unsupported form",
        503 => "Temporarily unavailable",
        _ => "Something is wrong with this request",
    };
    render(&ErrorPage {
        blog,
        page_title: format!("{heading} | {}", blog.title),
        canonical: blog.url("/"),
        heading: heading.into(),
        message: message.into(),
    })
}

fn render(template: &impl Template) -> String {
    // Rendering into a String only fails if a Display impl fails; ours do not.
    template
        .render()
        .unwrap_or_else(|e| format!("template error: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::FixedZone;
    use crate::store::{Addendum, Post, PostSummary};
    use time::UtcOffset;

    fn blog() -> Blog {
        Blog::from_vars(|name| match name {
            "BLOG_TITLE" => Some("Health Techie".into()),
            "BLOG_TAGLINE" => Some("Just another site".into()),
            "BLOG_AUTHOR" => Some("Claire".into()),
            _ => None,
        })
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
            body: format!("Comment <b>{id}</b>"),
            created_at: 1_300_411_020 + id * 60,
            by_post_author: by_author as i64,
        }
    }

    #[test]
    fn post_page_has_every_part_in_order() {
        let data = PostPage {
            post: Post {
                id: 1,
                slug: "health".into(),
                title: "Health is Social".into(),
                body: "Body text with a [link](https://example.com/).".into(),
                published_at: 1_300_400_000,
                updated_at: 1_300_457_820,
                comments_open: 1,
            },
            addenda: vec![Addendum {
                id: 7,
                body: "Later *news*.".into(),
                created_at: 1_300_457_820,
            }],
            comments: vec![
                comment(1, None, "Phil", false),
                comment(2, Some(1), "Claire", true),
            ],
        };
        let form = FormView::new("health", "123.abc".into());
        let html = post(&blog(), &FixedZone(UtcOffset::UTC), &data, form);
        let order = [
            "<h1",
            "Health is Social",
            "Body text with a <a href=\"https://example.com/\">link</a>",
            "Additional – <time datetime=\"2011-03-18T14:17:00Z\">14:17 18/03/2011</time>",
            "<em>news</em>",
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
    }

    #[test]
    fn home_paginates_and_counts() {
        let posts = (0..10)
            .map(|i| PostSummary {
                slug: format!("p{i}"),
                title: format!("Post {i}"),
                body: "Text".into(),
                published_at: 1_300_000_000 - i * 86_400,
                responses: i % 2,
            })
            .collect();
        let listing = Listing { posts, total: 25 };
        let html = home(&blog(), &FixedZone(UtcOffset::UTC), &listing, 2);
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
        let last = home(&blog(), &FixedZone(UtcOffset::UTC), &listing, 3);
        assert!(!last.contains("/page/4"));
    }
}
