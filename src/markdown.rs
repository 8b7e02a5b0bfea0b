//! The author's Markdown, rendered with pulldown-cmark.
//!
//! The author is trusted: raw HTML in a post passes through (as it does in WordPress, which matters
//! for imported posts). Comments are *not* Markdown and never come through here.

use std::collections::{HashMap, HashSet, VecDeque};

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

/// The version of what [`render`] produces. Stored beside each rendered post and addendum; bump it
/// whenever the output changes (options, heading ids, lead), and the Worker renders older rows
/// again.
pub const RENDERER_VERSION: i64 = 1;

/// How much plain text a post's lead keeps: more than any excerpt cut from it.
const LEAD_CHARS: usize = 400;

/// What the Worker stores when the author saves Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub html: String,
    /// The plain text of the first paragraphs (see [`lead`]).
    pub lead: String,
}

/// The Markdown extensions the blog enables (the benchmark times pulldown-cmark alone with them).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders the author's Markdown for storage: HTML, and the lead that excerpts are cut from,
/// both from one pass of the parser.
pub fn render(markdown: &str) -> Rendered {
    let mut lead = Lead::default();
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    let events = HeadingIds::new(Parser::new_ext(markdown, options())).inspect(|e| {
        lead.see(e);
    });
    html::push_html(&mut html, events);
    Rendered {
        html,
        lead: lead.finish(),
    }
}

/// Renders Markdown to HTML. Headings without an explicit `{#id}` get one derived from their
/// text, so that every section of a post can be linked to.
pub fn to_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(
        &mut out,
        HeadingIds::new(Parser::new_ext(markdown, options())),
    );
    out
}

/// Passes events through, giving each heading that has no id one made from its text ("Why it
/// matters" → "why-it-matters"), unique within the document ("why-it-matters-2") and unlike any
/// explicit `{#id}` before it. Only a heading's own events are held back, so the document streams
/// (collecting every event first cost more than the parse itself).
struct HeadingIds<'a, I> {
    events: I,
    held: VecDeque<Event<'a>>,
    used: HashSet<String>,
    /// The next suffix to try for each base, so that many equal headings stay linear.
    next_suffix: HashMap<String, u32>,
}

impl<'a, I: Iterator<Item = Event<'a>>> HeadingIds<'a, I> {
    fn new(events: I) -> Self {
        HeadingIds {
            events,
            held: VecDeque::new(),
            used: HashSet::new(),
            next_suffix: HashMap::new(),
        }
    }

    fn unique(&mut self, base: String) -> String {
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let mut candidate = base.clone();
        let n = self.next_suffix.entry(base.clone()).or_insert(1);
        while self.used.contains(&candidate) {
            *n += 1;
            candidate = format!("{base}-{n}");
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for HeadingIds<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.held.pop_front() {
            return Some(event);
        }
        match self.events.next()? {
            Event::Start(Tag::Heading {
                level,
                id: None,
                classes,
                attrs,
            }) => {
                let mut text = String::new();
                for event in self.events.by_ref() {
                    let end = matches!(event, Event::End(TagEnd::Heading(_)));
                    if let Event::Text(t) | Event::Code(t) = &event {
                        text.push_str(t);
                    }
                    self.held.push_back(event);
                    if end {
                        break;
                    }
                }
                let id = self.unique(slugify(&text));
                Some(Event::Start(Tag::Heading {
                    level,
                    id: Some(id.into()),
                    classes,
                    attrs,
                }))
            }
            event => {
                if let Event::Start(Tag::Heading { id: Some(id), .. }) = &event {
                    self.used.insert(id.to_string());
                }
                Some(event)
            }
        }
    }
}

/// Lower-case words joined by hyphens; letters of any script are kept, punctuation is dropped.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' {
            pending_hyphen = true;
        }
    }
    slug
}

/// Plain text of the first paragraphs, whitespace collapsed, about [`LEAD_CHARS`] long: what
/// [`excerpt`] cuts the home page's excerpts and the pages' descriptions from.
pub fn lead(markdown: &str) -> String {
    let mut lead = Lead::default();
    for event in Parser::new_ext(markdown, options()) {
        if !lead.see(&event) {
            break;
        }
    }
    lead.finish()
}

/// Gathers a lead from the events of a document.
#[derive(Default)]
struct Lead {
    text: String,
}

impl Lead {
    /// Takes the text of `event`; `false` once there is enough.
    fn see(&mut self, event: &Event) -> bool {
        if self.text.len() > LEAD_CHARS * 4 {
            return false; // enough even if every character took four bytes
        }
        match event {
            Event::Text(t) | Event::Code(t) => self.text.push_str(t),
            Event::SoftBreak | Event::HardBreak => self.text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => {
                self.text.push(' ')
            }
            _ => {}
        }
        true
    }

    fn finish(self) -> String {
        let mut lead = String::with_capacity(self.text.len().min(LEAD_CHARS * 4));
        let mut chars = 0;
        for word in self.text.split_whitespace() {
            if chars > LEAD_CHARS {
                break;
            }
            if !lead.is_empty() {
                lead.push(' ');
                chars += 1;
            }
            lead.push_str(word);
            chars += word.chars().count();
        }
        lead
    }
}

/// A lead cut at a word boundary near `max_chars`, with "…" when something was cut.
pub fn excerpt(lead: &str, max_chars: usize) -> String {
    if lead.chars().count() <= max_chars {
        return lead.to_string();
    }
    let cut: String = lead.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max_chars / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '-', '–']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_lists_and_links() {
        let html = to_html("Intro\n\n* one\n* [two](https://example.com/)\n");
        assert!(html.contains("<ul>\n<li>one</li>"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com/">two</a>"#),
            "{html}"
        );
    }

    #[test]
    fn renders_the_extensions() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n\nNote[^1]\n\n[^1]: The note.\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(
            html.contains(r#"<input disabled="" type="checkbox" checked=""/>"#),
            "{html}"
        );
        assert!(html.contains("footnote-definition"), "{html}");
    }

    #[test]
    fn headings_get_unique_ids() {
        let html = to_html("## Why it matters\n\ntext\n\n## Why it matters\n\n### Own {#mine}\n");
        assert!(html.contains(r#"<h2 id="why-it-matters">"#), "{html}");
        assert!(html.contains(r#"<h2 id="why-it-matters-2">"#), "{html}");
        assert!(html.contains(r#"<h3 id="mine">"#), "{html}");
    }

    #[test]
    fn trusted_html_passes_through() {
        assert!(to_html("<figure>x</figure>").contains("<figure>x</figure>"));
    }

    #[test]
    fn slugs_keep_letters_of_any_script() {
        assert_eq!(
            slugify("Health is Social- ain’t no doubt"),
            "health-is-social-aint-no-doubt"
        );
        assert_eq!(slugify("  Ça va? Très bien!  "), "ça-va-très-bien");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt(&lead("Short *text*."), 50), "Short text.");
        let long = "word ".repeat(40);
        let cut = excerpt(&lead(&long), 22);
        assert_eq!(cut, "word word word word…");
        assert_eq!(excerpt(&lead("* a\n* b\n"), 50), "a b");
    }

    #[test]
    fn leads_are_bounded_and_keep_enough_for_an_excerpt() {
        let long = "word ".repeat(1000);
        let lead = lead(&long);
        assert!(lead.chars().count() > LEAD_CHARS && lead.chars().count() < LEAD_CHARS + 10);
        assert!(excerpt(&lead, 280).ends_with('…'));
        assert_eq!(render("# Title\n\nText.").lead, "Title Text.");
    }

    #[test]
    fn many_equal_headings_get_numbered_ids_without_clashing_with_explicit_ones() {
        let mut markdown = String::from("## Notes {#notes-2}\n\n");
        for _ in 0..3 {
            markdown.push_str("## Notes\n\n");
        }
        let html = to_html(&markdown);
        let ids: Vec<&str> = html
            .match_indices("id=\"")
            .map(|(at, _)| &html[at + 4..at + 4 + html[at + 4..].find('"').unwrap()])
            .collect();
        assert_eq!(ids, ["notes-2", "notes", "notes-3", "notes-4"], "{html}");
    }
}
