//! The export folder's entry files: one Markdown file a post or page, with the front matter
//! `blogctl publish` reads ([`crate::front_matter`]) and its addenda after the text, each under
//! an `<!-- addendum … -->` line with its date, so that a person can read it, keep it in git and
//! bring it back.

use blog_core::api::{EntryKind, Post};
use blog_core::model::PostStatus;

/// The line that opens an addendum in an entry file: `<!-- addendum 2011-03-18T14:17:00Z -->`.
pub const ADDENDUM_MARK: &str = "<!-- addendum ";

/// A front matter value: quoted when YAML would read it otherwise (or it has a `#`, `:`, quotes
/// or surrounding spaces).
fn value(text: &str) -> String {
    let plain = !text.is_empty()
        && text.trim() == text
        && !text.contains([':', '#', '"', '\'', '[', ']', ',', '{', '}'])
        && !matches!(text, "true" | "false" | "yes" | "no");
    if plain {
        text.to_string()
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        format!("'{text}'")
    }
}

/// An entry as its export file: front matter, the Markdown, then each addendum.
pub fn entry_file(post: &Post) -> String {
    let mut out = String::from("---\n");
    let mut line = |key: &str, v: String| out.push_str(&format!("{key}: {v}\n"));
    line("title", value(&post.title));
    line("slug", post.slug.clone());
    if post.kind == EntryKind::Page {
        line("type", "page".into());
        if let Some(parent) = &post.parent {
            line("parent", parent.clone());
        }
        line("menu_order", post.menu_order.to_string());
        line("menu", post.in_menu.to_string());
    }
    if let Some(date) = &post.published_at {
        line("date", date.clone());
    }
    line("draft", (post.status == PostStatus::Draft).to_string());
    if post.kind == EntryKind::Post {
        let tags: Vec<String> = post.tags.iter().map(|t| value(t)).collect();
        line("tags", format!("[{}]", tags.join(", ")));
        line("newsletter", post.newsletter.to_string());
    }
    if let Some(image) = &post.image {
        line("image", value(image));
    }
    line(
        "comments",
        if post.comments_open { "open" } else { "closed" }.into(),
    );
    out.push_str("---\n");
    out.push_str(post.body.as_deref().unwrap_or_default());
    for addendum in post.addenda.iter().flatten() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!(
            "\n{ADDENDUM_MARK}{} -->\n{}",
            addendum.at, addendum.body
        ));
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use blog_core::api::{Addendum, CommentCounts};

    fn post() -> Post {
        Post {
            id: 1,
            kind: EntryKind::Post,
            slug: "health-is-social".into(),
            url: "/posts/health-is-social".into(),
            title: "Health is Social: ain’t no doubt".into(),
            status: PostStatus::Published,
            published_at: Some("2011-03-17T21:05:00Z".into()),
            updated_at: "2011-03-18T14:17:00Z".into(),
            scheduled: false,
            visible: true,
            comments_open: false,
            newsletter: false,
            tags: vec!["NHS".into(), "social media".into()],
            image: None,
            comments: CommentCounts {
                approved: 0,
                pending: 0,
                spam: 0,
            },
            parent: None,
            menu_order: 0,
            in_menu: false,
            body: Some("Found *this*.\n".into()),
            addenda: Some(vec![Addendum {
                id: 4,
                at: "2011-03-18T14:17:00Z".into(),
                body: "Later.".into(),
            }]),
        }
    }

    #[test]
    fn an_entry_file_reads_back_through_the_front_matter_parser() {
        let file = entry_file(&post());
        assert!(
            file.ends_with("Found *this*.\n\n<!-- addendum 2011-03-18T14:17:00Z -->\nLater.\n"),
            "{file}"
        );
        let doc = crate::front_matter::parse(&file).expect("publish reads it");
        assert_eq!(
            doc.title.as_deref(),
            Some("Health is Social: ain’t no doubt")
        );
        assert_eq!(doc.slug.as_deref(), Some("health-is-social"));
        assert_eq!(doc.date.as_deref(), Some("2011-03-17T21:05:00Z"));
        assert_eq!(
            doc.tags,
            Some(vec!["NHS".to_string(), "social media".to_string()])
        );
        assert_eq!(doc.draft, Some(false));
        assert_eq!(doc.newsletter, Some(false));
        assert_eq!(doc.comments_open, Some(false));
        assert!(doc.body.starts_with("Found *this*.\n"));
    }
}
