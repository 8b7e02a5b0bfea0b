//! The author's Markdown, rendered with pulldown-cmark.
//!
//! The author is trusted: raw HTML in a post passes through (as it does in WordPress, which matters
//! for imported posts). Comments are *not* Markdown and never come through here.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders Markdown to HTML. Headings without an explicit `{#id}` get one derived from their
/// text, so that every section of a post can be linked to.
pub fn to_html(markdown: &str) -> String {
    let events: Vec<Event> = Parser::new_ext(markdown, options()).collect();
    let events = with_heading_ids(events);
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// Gives each heading that has no id one made from its text ("Why it matters" → "why-it-matters"),
/// made unique within the document.
fn with_heading_ids(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut used: Vec<String> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            for event in &events[i + 1..] {
                match event {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let id = unique(slugify(&text), &mut used);
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                *slot = Some(id.into());
            }
        }
        i += 1;
    }
    events
}

fn unique(base: String, used: &mut Vec<String>) -> String {
    let base = if base.is_empty() {
        "section".to_string()
    } else {
        base
    };
    let mut candidate = base.clone();
    let mut n = 1;
    while used.contains(&candidate) {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    used.push(candidate.clone());
    candidate
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

/// Plain text of the first paragraphs, cut at a word boundary near `max_chars`: the excerpt on
/// the home page.
pub fn excerpt(markdown: &str, max_chars: usize) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => text.push(' '),
            _ => {}
        }
        if text.chars().count() > max_chars {
            break;
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
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
        assert_eq!(excerpt("Short *text*.", 50), "Short text.");
        let long = "word ".repeat(40);
        let cut = excerpt(&long, 22);
        assert_eq!(cut, "word word word word…");
        assert_eq!(excerpt("* a\n* b\n", 50), "a b");
    }
}
