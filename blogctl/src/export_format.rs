//! The export folder's entry files: one Markdown file a post or page, with the front matter
//! `blogctl publish` reads ([`crate::front_matter`]) and its addenda after the text, each under
//! an `<!-- addendum … -->` line with its date and id, so that a person can read it, keep it in
//! git and bring it back ([`read_entry`]).

use blog_core::api::{EntryKind, Post};
use blog_core::model::PostStatus;

use crate::front_matter::{self, Document};
use crate::LineError;

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
    line("updated", post.updated_at.clone());
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
    // Each text ends with one line break of its own (so that the file reads back to the very
    // byte: [`read_entry`] takes it off), and a blank line comes before each addendum's mark.
    out.push_str(post.body.as_deref().unwrap_or_default());
    out.push('\n');
    for addendum in post.addenda.iter().flatten() {
        out.push_str(&format!(
            "\n{ADDENDUM_MARK}{} id={} -->\n{}\n",
            addendum.at, addendum.id, addendum.body
        ));
    }
    out
}

/// An addendum read back from an entry file.
#[derive(Debug, PartialEq)]
pub struct AddendumText {
    /// The id it had (0: none given).
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    /// Markdown.
    pub body: String,
}

/// An entry file read back: its front matter and text, and its addenda.
#[derive(Debug)]
pub struct EntryFile {
    pub doc: Document,
    pub addenda: Vec<AddendumText>,
}

/// Reads an entry file as [`entry_file`] writes it (or as a person edited it). Errors name the
/// line.
pub fn read_entry(text: &str) -> Result<EntryFile, LineError> {
    let mut doc = front_matter::parse(text)?;
    let mut addenda = Vec::new();
    let mut body = String::new();
    let mut current: Option<AddendumText> = None;
    for (index, raw) in doc.body.split_inclusive('\n').enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(rest) = line.strip_prefix(ADDENDUM_MARK) {
            let number = doc.body_line + index;
            let mark = rest
                .strip_suffix("-->")
                .map(str::trim)
                .ok_or_else(|| LineError {
                    line: number,
                    message: "an addendum line ends with -->".into(),
                })?;
            let (at, id) = match mark.split_once(" id=") {
                Some((at, id)) => (at.trim(), id.trim()),
                None => (mark, "0"),
            };
            let id = id.parse::<i64>().map_err(|_| LineError {
                line: number,
                message: format!("the addendum's id must be a whole number, found {id:?}"),
            })?;
            if blog_core::dates::parse_rfc3339(at).is_none() {
                return Err(LineError {
                    line: number,
                    message: format!(
                        "the addendum's date {at:?} is not a time like 2011-03-18T14:17:00Z"
                    ),
                });
            }
            addenda.extend(current.take());
            current = Some(AddendumText {
                id,
                at: at.to_string(),
                body: String::new(),
            });
            continue;
        }
        match &mut current {
            Some(addendum) => addendum.body.push_str(raw),
            None => body.push_str(raw),
        }
    }
    addenda.extend(current);
    // Each text's own last line break, and the blank line before a mark, are the file's.
    let last = addenda.len();
    for (n, text) in std::iter::once(&mut body)
        .chain(addenda.iter_mut().map(|a| &mut a.body))
        .enumerate()
    {
        let breaks = if n < last { 2 } else { 1 };
        for _ in 0..breaks {
            if text.ends_with('\n') {
                text.pop();
                if text.ends_with('\r') {
                    text.pop();
                }
            }
        }
    }
    for addendum in &mut addenda {
        if addendum.body.trim().is_empty() {
            return Err(LineError {
                line: doc.body_line,
                message: format!("the addendum dated {} has no text", addendum.at),
            });
        }
    }
    doc.body = body;
    Ok(EntryFile { doc, addenda })
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
            file.ends_with(
                "Found *this*.\n\n\n<!-- addendum 2011-03-18T14:17:00Z id=4 -->\nLater.\n"
            ),
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

        let read = read_entry(&file).expect("import reads it");
        assert_eq!(read.doc.body, "Found *this*.\n");
        let mut twice = post();
        twice.body = Some("No line break at the end".into());
        twice.addenda.as_mut().unwrap().push(Addendum {
            id: 5,
            at: "2011-03-19T10:00:00Z".into(),
            body: "Two\n\n".into(),
        });
        let again = read_entry(&entry_file(&twice)).expect("import reads it");
        assert_eq!(again.doc.body, "No line break at the end");
        let bodies: Vec<&str> = again.addenda.iter().map(|a| a.body.as_str()).collect();
        assert_eq!(bodies, ["Later.", "Two\n\n"]);
        assert_eq!(read.doc.updated.as_deref(), Some("2011-03-18T14:17:00Z"));
        assert_eq!(
            read.addenda,
            [AddendumText {
                id: 4,
                at: "2011-03-18T14:17:00Z".into(),
                body: "Later.".into()
            }]
        );
    }

    #[test]
    fn a_broken_addendum_line_is_named() {
        let text = "---\ntitle: T\n---\nText\n\n<!-- addendum yesterday -->\nLater\n";
        let error = read_entry(text).expect_err("a bad date");
        assert_eq!(error.line, 6);
        assert!(error.message.contains("yesterday"), "{error}");
        let text = "---\ntitle: T\n---\nText\n<!-- addendum 2011-03-18T14:17:00Z id=x -->\nLater\n";
        assert_eq!(read_entry(text).expect_err("a bad id").line, 5);
        let plain = read_entry("---\ntitle: T\n---\nText\n").expect("no addenda");
        assert_eq!(plain.doc.body, "Text");
        assert!(plain.addenda.is_empty());
    }
}
