//! A post's or page's versions: everything the author wrote of it (title, Markdown, addenda,
//! tags and the rest of its metadata) as one value, what changed from one version to the next,
//! and a diff between two that a person can read.
//!
//! The store writes a [`Version`] as JSON each time an entry changes (the version replaced), so
//! that any of them can be compared with another or brought back.

use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};

/// An addendum as a version holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddendumVersion {
    pub id: i64,
    /// When it is dated (Unix seconds).
    pub at: i64,
    /// Markdown.
    pub body: String,
}

/// Everything about an entry that the author decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub title: String,
    /// Markdown.
    pub body: String,
    pub slug: String,
    /// `draft` or `published`.
    pub status: String,
    pub published_at: Option<i64>,
    /// `post` or `page`.
    pub kind: String,
    pub image: Option<String>,
    /// A page's parent, by slug.
    pub parent: Option<String>,
    pub menu_order: i64,
    pub in_menu: bool,
    pub newsletter: bool,
    pub comments_open: bool,
    pub tags: Vec<String>,
    pub addenda: Vec<AddendumVersion>,
}

/// Whether two versions differ in one part.
type Differs = fn(&Version, &Version) -> bool;

/// The parts of a version, in the order a diff shows them, with the words for each.
const PARTS: [(&str, Differs); 12] = [
    ("title", |a, b| a.title != b.title),
    ("text", |a, b| a.body != b.body),
    ("addenda", |a, b| a.addenda != b.addenda),
    ("tags", |a, b| a.tags != b.tags),
    ("status", |a, b| a.status != b.status),
    ("date", |a, b| a.published_at != b.published_at),
    ("slug", |a, b| a.slug != b.slug),
    ("lead image", |a, b| a.image != b.image),
    ("parent", |a, b| a.parent != b.parent),
    ("menu", |a, b| {
        a.menu_order != b.menu_order || a.in_menu != b.in_menu
    }),
    ("newsletter", |a, b| a.newsletter != b.newsletter),
    ("comments", |a, b| a.comments_open != b.comments_open),
];

/// What differs between two versions, in words ("title", "text", "tags", …); empty: nothing.
pub fn changes(old: &Version, new: &Version) -> Vec<&'static str> {
    PARTS
        .iter()
        .filter(|(_, differs)| differs(old, new))
        .map(|(name, _)| *name)
        .collect()
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum Line {
    /// In both.
    Same(String),
    /// Only in the older version.
    Removed(String),
    /// Only in the newer one.
    Added(String),
    /// Unchanged lines left out.
    Gap,
}

/// The diff of one part of two versions: its name and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub part: String,
    pub lines: Vec<Line>,
}

/// Unchanged lines shown around each change.
const CONTEXT: usize = 2;

/// The line diff of two texts: changed lines with [`CONTEXT`] lines around them, gaps between.
pub fn diff_lines(old: &str, new: &str) -> Vec<Line> {
    let diff = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 || group.first().is_some_and(|op| op.old_range().start > 0) {
            lines.push(Line::Gap);
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let text = change.value().trim_end_matches(['\n', '\r']).to_string();
                lines.push(match change.tag() {
                    ChangeTag::Equal => Line::Same(text),
                    ChangeTag::Delete => Line::Removed(text),
                    ChangeTag::Insert => Line::Added(text),
                });
            }
        }
    }
    lines
}

/// The readable diff of two versions: a section for each part that differs. Text parts (the
/// title, the Markdown, each addendum) go line by line; the others are one line each way.
pub fn diff(old: &Version, new: &Version) -> Vec<Section> {
    let one = |part: &str, before: String, after: String| Section {
        part: part.to_string(),
        lines: vec![Line::Removed(before), Line::Added(after)],
    };
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    let date = |t: Option<i64>| t.map_or("(none)".into(), crate::dates::rfc3339_utc);
    let mut sections = Vec::new();
    for part in changes(old, new) {
        sections.push(match part {
            "title" => Section {
                part: part.into(),
                lines: diff_lines(&old.title, &new.title),
            },
            "text" => Section {
                part: part.into(),
                lines: diff_lines(&old.body, &new.body),
            },
            "addenda" => Section {
                part: part.into(),
                lines: diff_lines(&addenda_text(&old.addenda), &addenda_text(&new.addenda)),
            },
            "tags" => one(part, old.tags.join(", "), new.tags.join(", ")),
            "status" => one(part, old.status.clone(), new.status.clone()),
            "date" => one(part, date(old.published_at), date(new.published_at)),
            "slug" => one(part, old.slug.clone(), new.slug.clone()),
            "lead image" => one(part, shown(&old.image), shown(&new.image)),
            "parent" => one(part, shown(&old.parent), shown(&new.parent)),
            "menu" => one(
                part,
                menu_words(old.menu_order, old.in_menu),
                menu_words(new.menu_order, new.in_menu),
            ),
            "newsletter" => one(part, yes_no(old.newsletter), yes_no(new.newsletter)),
            _ => one(
                part,
                open_closed(old.comments_open),
                open_closed(new.comments_open),
            ),
        });
    }
    sections
}

/// The addenda as one text for a line diff: each headed by its date.
fn addenda_text(addenda: &[AddendumVersion]) -> String {
    addenda
        .iter()
        .map(|a| {
            format!(
                "[{}]\n{}\n",
                crate::dates::rfc3339_utc(a.at),
                a.body.trim_end()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn menu_words(order: i64, in_menu: bool) -> String {
    format!(
        "place {order}, {}",
        if in_menu {
            "in the menu"
        } else {
            "not in the menu"
        }
    )
}

fn yes_no(on: bool) -> String {
    if on { "yes" } else { "no" }.into()
}

fn open_closed(open: bool) -> String {
    if open { "open" } else { "closed" }.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version() -> Version {
        Version {
            title: "Health is Social".into(),
            body: "One.\n\nTwo.\n\nThree.\n\nFour.\n\nFive.\n\nSix.\n".into(),
            slug: "health".into(),
            status: "published".into(),
            published_at: Some(1_300_457_820),
            kind: "post".into(),
            image: None,
            parent: None,
            menu_order: 0,
            in_menu: true,
            newsletter: true,
            comments_open: true,
            tags: vec!["NHS".into()],
            addenda: vec![],
        }
    }

    #[test]
    fn what_changed_is_named() {
        let old = version();
        assert!(changes(&old, &old).is_empty());
        let mut new = old.clone();
        new.body = new.body.replace("Five.", "Five and a half.");
        new.tags.push("social media".into());
        new.addenda.push(AddendumVersion {
            id: 1,
            at: 1_300_500_000,
            body: "Later.".into(),
        });
        assert_eq!(changes(&old, &new), ["text", "addenda", "tags"]);
    }

    #[test]
    fn a_diff_names_the_changed_lines_with_a_little_around_them() {
        let old = version();
        let mut new = old.clone();
        new.body = new.body.replace("Five.", "Five and a half.");
        new.title = "Health is social".into();
        let sections = diff(&old, &new);
        assert_eq!(sections.len(), 2);
        assert_eq!(
            sections[0].lines,
            [
                Line::Removed("Health is Social".into()),
                Line::Added("Health is social".into())
            ]
        );
        let text = &sections[1].lines;
        assert_eq!(
            text.first(),
            Some(&Line::Gap),
            "the unchanged start is left out"
        );
        assert!(text.contains(&Line::Removed("Five.".into())));
        assert!(text.contains(&Line::Added("Five and a half.".into())));
        assert!(
            !text.contains(&Line::Same("One.".into())),
            "far from the change"
        );
        assert!(text.contains(&Line::Same("Four.".into())), "near it");
    }

    #[test]
    fn the_metadata_reads_one_line_each_way() {
        let old = version();
        let mut new = old.clone();
        new.status = "draft".into();
        new.published_at = None;
        let sections = diff(&old, &new);
        assert_eq!(sections[0].part, "status");
        assert_eq!(sections[1].lines[1], Line::Added("(none)".into()));
        let json = serde_json::to_string(&sections[0]).expect("serialises");
        assert_eq!(
            json,
            r#"{"part":"status","lines":[{"kind":"removed","text":"published"},{"kind":"added","text":"draft"}]}"#
        );
    }
}
