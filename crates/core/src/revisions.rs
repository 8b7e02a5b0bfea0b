//! A post's or page's versions: everything the author wrote of it (title, Markdown, addenda,
//! tags and the rest of its metadata) as one value, what changed from one version to the next,
//! and a diff between two that a person can read.
//!
//! The store writes a [`Version`] as JSON each time an entry changes (the version replaced), so
//! that any of them can be compared with another or brought back.

use serde::{Deserialize, Serialize};

/// How long a deleted post or page stays in the trash, restorable, before it is deleted for good
/// (with its revisions): 30 days, as in WordPress.
pub const TRASH_SECONDS: i64 = 30 * 24 * 3600;

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

/// The most cells the longest-common-subsequence table may have (the changed middle's lines
/// multiplied): beyond it, the middle shows as all removed, then all added.
const MAX_CELLS: usize = 4_000_000;

/// One line of both texts, by its change.
#[derive(Clone, Copy, PartialEq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// The line changes from `old` to `new`, in order: the common start and end are matched at
/// once; the changed middle by a longest common subsequence of its lines. (A diff crate would
/// do it too, at about 80 KiB of the author Worker's wasm.)
fn line_ops<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(Op, &'a str)> {
    let start = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let end = old[start..]
        .iter()
        .rev()
        .zip(new[start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (&old[start..old.len() - end], &new[start..new.len() - end]);
    let mut ops: Vec<(Op, &str)> = old[..start].iter().map(|l| (Op::Same, *l)).collect();
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        ops.extend(a.iter().map(|l| (Op::Removed, *l)));
        ops.extend(b.iter().map(|l| (Op::Added, *l)));
    } else {
        // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
        let width = b.len() + 1;
        let mut lcs = vec![0u32; (a.len() + 1) * width];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i * width + j] = if a[i] == b[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && a[i] == b[j] {
                ops.push((Op::Same, a[i]));
                (i, j) = (i + 1, j + 1);
            } else if j == b.len()
                || (i < a.len() && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])
            {
                ops.push((Op::Removed, a[i]));
                i += 1;
            } else {
                ops.push((Op::Added, b[j]));
                j += 1;
            }
        }
    }
    ops.extend(old[old.len() - end..].iter().map(|l| (Op::Same, *l)));
    ops
}

/// The line diff of two texts: changed lines with [`CONTEXT`] lines around them, gaps between.
pub fn diff_lines(old: &str, new: &str) -> Vec<Line> {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let ops = line_ops(&old, &new);
    // Which lines are shown: every change, and the unchanged lines near one.
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != Op::Same).collect();
    let near = |k: usize| {
        changed
            .iter()
            .any(|&c| k + CONTEXT >= c && k <= c + CONTEXT)
    };
    let mut lines = Vec::new();
    let mut skipped = false;
    for (k, (op, text)) in ops.iter().enumerate() {
        if *op == Op::Same && !near(k) {
            skipped = true;
            continue;
        }
        if skipped {
            lines.push(Line::Gap);
            skipped = false;
        }
        let text = text.to_string();
        lines.push(match op {
            Op::Same => Line::Same(text),
            Op::Removed => Line::Removed(text),
            Op::Added => Line::Added(text),
        });
    }
    if skipped && !lines.is_empty() {
        lines.push(Line::Gap);
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

    #[test]
    fn line_diffs_pair_what_stayed_and_cap_their_work() {
        let lines = |ls: &[Line]| -> Vec<String> {
            ls.iter()
                .map(|l| match l {
                    Line::Same(t) => format!(" {t}"),
                    Line::Removed(t) => format!("-{t}"),
                    Line::Added(t) => format!("+{t}"),
                    Line::Gap => "…".into(),
                })
                .collect()
        };
        assert_eq!(
            lines(&diff_lines("a\nb\nc\n", "a\nB\nc\nd\n")),
            [" a", "-b", "+B", " c", "+d"]
        );
        assert_eq!(
            lines(&diff_lines("x\na\ny\nb\n", "a\nz\nb\n")),
            ["-x", " a", "-y", "+z", " b"]
        );
        assert!(diff_lines("same\n", "same\n").is_empty());
        assert_eq!(lines(&diff_lines("", "new\n")), ["+new"]);
        let far: String = (0..20).map(|n| format!("{n}\n")).collect();
        let edited = far.replace("10\n", "ten\n");
        assert_eq!(
            lines(&diff_lines(&far, &edited)),
            ["…", " 8", " 9", "-10", "+ten", " 11", " 12", "…"]
        );
        // Two texts of 3,000 different lines each: no table of nine million cells.
        let a: String = (0..3000).map(|n| format!("a{n}\n")).collect();
        let b: String = (0..3000).map(|n| format!("b{n}\n")).collect();
        let big = diff_lines(&a, &b);
        assert_eq!(big.len(), 6000);
        assert_eq!(big[0], Line::Removed("a0".into()));
        assert_eq!(big[3000], Line::Added("b0".into()));
    }
}
