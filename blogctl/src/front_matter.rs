//! Front matter at the top of a Markdown file, between `---` lines:
//!
//! ```text
//! ---
//! title: Health is Social- ain’t no doubt
//! slug: health-is-social
//! date: 2011-03-17T21:05:00Z
//! tags: [health, social media]
//! draft: false
//! ---
//! The post's Markdown…
//! ```
//!
//! A page (About, Contact) says `type: page`, and may name its `parent` page (by slug), its
//! `menu_order` (smaller first) and `menu: false` to stay out of the site menu.
//!
//! A small, strict subset of YAML: one `key: value` a line; values may be quoted; `tags` is a
//! `[a, b]` list or comma-separated. Errors give the line number and what to write instead.

#[derive(Debug, Default, PartialEq)]
pub struct Document {
    pub title: Option<String>,
    pub slug: Option<String>,
    /// RFC 3339 (dates without a time are taken as midnight UTC).
    pub date: Option<String>,
    pub tags: Option<Vec<String>>,
    pub draft: Option<bool>,
    /// The lead image: a local file (uploaded by `publish`) or an address.
    pub image: Option<String>,
    /// `type: page`.
    pub page: bool,
    /// A page's parent page, by slug.
    pub parent: Option<String>,
    pub menu_order: Option<i64>,
    /// `menu: false` keeps a top-level page out of the site menu.
    pub in_menu: Option<bool>,
    /// `newsletter: false`: publishing it sends no mail to the newsletter's subscribers.
    pub newsletter: Option<bool>,
    /// `comments: closed` (or `open`).
    pub comments_open: Option<bool>,
    /// When it was last changed (RFC 3339): written by `blogctl export` and read back by
    /// `blogctl import`; `publish` leaves it to the blog.
    pub updated: Option<String>,
    pub body: String,
    /// The file's line where the body starts (1-based), for messages about the body.
    pub body_line: usize,
}

pub use crate::LineError as Error;

fn error(line: usize, message: impl Into<String>) -> Error {
    Error {
        line,
        message: message.into(),
    }
}

/// Splits `text` into front matter and body. A file without front matter is all body.
pub fn parse(text: &str) -> Result<Document, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.clone().next().unwrap_or("");
    if first.trim_end() != "---" {
        return Ok(Document {
            body: text.to_string(),
            body_line: 1,
            ..Document::default()
        });
    }
    lines.next();
    let mut doc = Document::default();
    let mut consumed = first.len();
    let mut closed = false;
    for (index, raw) in lines.enumerate() {
        let number = index + 2;
        consumed += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim_end() == "---" {
            closed = true;
            break;
        }
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(error(
                number,
                format!("expected `key: value`, found {line:?}"),
            ));
        };
        let key = key.trim();
        let value = value.trim();
        match key {
            "title" => doc.title = Some(nonempty(number, key, unquote(value))?),
            "slug" => doc.slug = Some(nonempty(number, key, unquote(value))?),
            "date" => doc.date = Some(date(number, &unquote(value))?),
            "updated" => doc.updated = Some(date(number, &unquote(value))?),
            "tags" => doc.tags = Some(list(value)),
            "image" => doc.image = Some(nonempty(number, key, unquote(value))?),
            "draft" => doc.draft = Some(boolean(number, key, value)?),
            "menu" => doc.in_menu = Some(boolean(number, key, value)?),
            "newsletter" => doc.newsletter = Some(boolean(number, key, value)?),
            "comments" => {
                doc.comments_open = match unquote(value).as_str() {
                    "open" => Some(true),
                    "closed" => Some(false),
                    other => {
                        return Err(error(
                            number,
                            format!("comments must be open or closed, found {other:?}"),
                        ))
                    }
                }
            }
            "type" => {
                doc.page = match unquote(value).as_str() {
                    "page" => true,
                    "post" => false,
                    other => {
                        return Err(error(
                            number,
                            format!("type must be post or page, found {other:?}"),
                        ))
                    }
                }
            }
            "parent" => doc.parent = Some(nonempty(number, key, unquote(value))?),
            "menu_order" => {
                doc.menu_order = Some(unquote(value).parse().map_err(|_| {
                    error(
                        number,
                        format!("menu_order must be a whole number, like 2; found {value:?}"),
                    )
                })?)
            }
            _ => {
                return Err(error(
                    number,
                    format!(
                    "unknown key {key:?}; the keys are title, slug, date, updated, tags, draft, image, newsletter, comments, type, parent, menu_order and menu"
                ),
                ))
            }
        }
    }
    if !closed {
        return Err(error(
            1,
            "the front matter is not closed: add a line with only --- after it",
        ));
    }
    let rest = &text[consumed..];
    let body = rest.trim_start_matches(['\n', '\r']);
    let body_start = consumed + (rest.len() - body.len());
    doc.body = body.to_string();
    doc.body_line = text[..body_start].matches('\n').count() + 1;
    Ok(doc)
}

fn boolean(line: usize, key: &str, value: &str) -> Result<bool, Error> {
    match value {
        "true" | "yes" => Ok(true),
        "false" | "no" => Ok(false),
        _ => Err(error(
            line,
            format!("{key} must be true or false, found {value:?}"),
        )),
    }
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_string();
        }
    }
    v.to_string()
}

fn nonempty(line: usize, key: &str, value: String) -> Result<String, Error> {
    if value.is_empty() {
        Err(error(line, format!("{key} is empty")))
    } else {
        Ok(value)
    }
}

fn list(value: &str) -> Vec<String> {
    let inner = value.trim().trim_start_matches('[').trim_end_matches(']');
    inner
        .split(',')
        .map(unquote)
        .filter(|t| !t.is_empty())
        .collect()
}

/// Accepts RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (UTC) and `YYYY-MM-DD` (midnight UTC).
fn date(line: usize, value: &str) -> Result<String, Error> {
    if blog_core::dates::parse_rfc3339(value).is_some() {
        return Ok(value.to_string());
    }
    let candidate = match value.len() {
        10 => format!("{value}T00:00:00Z"),
        16 => format!("{}:00Z", value.replacen(' ', "T", 1)),
        19 => format!("{}Z", value.replacen(' ', "T", 1)),
        _ => String::new(),
    };
    if blog_core::dates::parse_rfc3339(&candidate).is_some() {
        Ok(candidate)
    } else {
        Err(error(
            line,
            format!(
                "date {value:?} is not a date; write it like 2011-03-18T14:17:00Z or 2011-03-18"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let doc = parse("---\ntitle: \"Hello: world\"\nslug: hello\ndate: 2011-03-18\ntags: [a, 'b c']\ndraft: yes\n---\n\nBody\n").unwrap();
        assert_eq!(doc.title.as_deref(), Some("Hello: world"));
        assert_eq!(doc.slug.as_deref(), Some("hello"));
        assert_eq!(doc.date.as_deref(), Some("2011-03-18T00:00:00Z"));
        assert_eq!(doc.tags, Some(vec!["a".to_string(), "b c".to_string()]));
        assert_eq!(doc.draft, Some(true));
        assert_eq!(doc.body, "Body\n");
    }

    #[test]
    fn reads_a_page() {
        let doc = parse(
            "---\ntitle: Team\ntype: page\nparent: about\nmenu_order: -2\nmenu: no\n---\nWe\n",
        )
        .unwrap();
        assert!(doc.page);
        assert_eq!(doc.parent.as_deref(), Some("about"));
        assert_eq!(doc.menu_order, Some(-2));
        assert_eq!(doc.in_menu, Some(false));
        assert!(!parse("---\ntitle: A post\n---\n").unwrap().page);
        assert_eq!(parse("---\ntype: article\n---\n").unwrap_err().line, 2);
        assert_eq!(parse("---\nmenu_order: first\n---\n").unwrap_err().line, 2);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        assert_eq!(parse("Just text\n").unwrap().body, "Just text\n");
        assert_eq!(
            parse("").unwrap(),
            Document {
                body_line: 1,
                ..Document::default()
            }
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse("---\ntitle: x\ncolour: red\n---\n").unwrap_err().line,
            3
        );
        assert_eq!(parse("---\ntitle x\n---\n").unwrap_err().line, 2);
        assert_eq!(parse("---\ndate: soon\n---\n").unwrap_err().line, 2);
        assert_eq!(parse("---\ndraft: maybe\n---\n").unwrap_err().line, 2);
        assert!(parse("---\ntitle: x\n")
            .unwrap_err()
            .message
            .contains("not closed"));
    }

    #[test]
    fn windows_line_endings_and_bom() {
        let doc = parse("\u{feff}---\r\ntitle: T\r\n---\r\nBody\r\n").unwrap();
        assert_eq!(doc.title.as_deref(), Some("T"));
        assert_eq!(doc.body, "Body\r\n");
    }

    #[test]
    fn dates_with_times() {
        assert_eq!(
            parse("---\ndate: 2011-03-18 14:17\n---\n")
                .unwrap()
                .date
                .as_deref(),
            Some("2011-03-18T14:17:00Z")
        );
        assert_eq!(
            parse("---\ndate: 2011-03-18T14:17:00+01:00\n---\n")
                .unwrap()
                .date
                .as_deref(),
            Some("2011-03-18T14:17:00+01:00")
        );
    }
}
