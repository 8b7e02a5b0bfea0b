//! The author's Markdown as plain text, for the text part of the newsletter's mail: paragraphs
//! apart, headings underlined, lists marked, quotes with `> `, code indented, and every link and
//! image with its absolute address, so that the words read well in a client that shows no HTML.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// Plain text of `markdown`. Addresses starting with `/` get `base` in front; `#…` ones the
/// post's own `page_url`.
pub fn plain_text(markdown: &str, base: &str, page_url: &str) -> String {
    let absolute = |url: &str| {
        if url.starts_with("//") {
            format!("https:{url}")
        } else if url.starts_with('/') {
            format!("{base}{url}")
        } else if url.starts_with('#') {
            format!("{page_url}{url}")
        } else {
            url.to_string()
        }
    };
    let mut out = String::with_capacity(markdown.len());
    // Open containers, innermost last: quote prefixes and list counters.
    let mut quotes = 0usize;
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    let mut heading: Option<(HeadingLevel, usize)> = None;
    let mut in_image = false;
    let mut in_code = false;
    let new_line = |out: &mut String, quotes: usize| {
        if !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&"> ".repeat(quotes));
    };
    let blank_line = |out: &mut String, quotes: usize| {
        // A line holding only a quote's prefix is dropped before the blank line.
        let line_start = out.rfind('\n').map_or(0, |at| at + 1);
        if out[line_start..].chars().all(|c| c == '>' || c == ' ') {
            out.truncate(line_start);
        }
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        if !out.is_empty() {
            while !out.ends_with("\n\n") {
                out.push('\n');
            }
        }
        out.push_str(&"> ".repeat(quotes));
    };
    for event in Parser::new_ext(markdown, crate::options()) {
        match event {
            // A list item's or a footnote's first paragraph stays on its marker's line.
            Event::Start(Tag::Paragraph) if lists.is_empty() && !out.ends_with("]: ") => {
                blank_line(&mut out, quotes)
            }
            Event::Start(Tag::Heading { level, .. }) => {
                blank_line(&mut out, quotes);
                heading = Some((level, out.len()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start)) = heading.take() {
                    let width = out[start..].chars().count();
                    let rule = if level == HeadingLevel::H1 || level == HeadingLevel::H2 {
                        '='
                    } else {
                        '-'
                    };
                    out.push('\n');
                    out.extend(std::iter::repeat_n(rule, width));
                }
            }
            Event::Start(Tag::BlockQuote(_)) => {
                quotes += 1;
                blank_line(&mut out, quotes);
            }
            Event::End(TagEnd::BlockQuote(_)) => quotes = quotes.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => {
                blank_line(&mut out, quotes);
                in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::List(first)) => {
                if lists.is_empty() {
                    blank_line(&mut out, quotes);
                }
                lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                new_line(&mut out, quotes);
                let depth = lists.len().saturating_sub(1);
                out.push_str(&"   ".repeat(depth));
                match lists.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(absolute(&dest_url)),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop() {
                    out.push_str(&format!(" <{url}>"));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                in_image = true;
                out.push_str("[Image: ");
                links.push(absolute(&dest_url));
            }
            Event::End(TagEnd::Image) => {
                in_image = false;
                if let Some(url) = links.pop() {
                    out.push_str(&format!("] <{url}>"));
                }
            }
            Event::Text(text) if in_code => {
                for line in text.lines() {
                    new_line(&mut out, quotes);
                    out.push_str("    ");
                    out.push_str(line);
                }
            }
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak => out.push(if in_image { ' ' } else { '\n' }),
            Event::HardBreak => new_line(&mut out, quotes),
            Event::Rule => {
                blank_line(&mut out, quotes);
                out.push_str("* * *");
            }
            Event::TaskListMarker(done) => out.push_str(if done { "[x] " } else { "[ ] " }),
            Event::FootnoteReference(name) => out.push_str(&format!("[{name}]")),
            Event::Start(Tag::FootnoteDefinition(name)) => {
                blank_line(&mut out, quotes);
                out.push_str(&format!("[{name}]: "));
            }
            Event::Start(Tag::TableRow | Tag::TableHead) => new_line(&mut out, quotes),
            Event::End(TagEnd::TableCell) => out.push_str(" | "),
            // Raw HTML in a post is markup, not words.
            Event::Html(_) | Event::InlineHtml(_) => {}
            _ => {}
        }
    }
    let mut text = out.trim_end().to_string();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_text() {
        let text = plain_text(
            "# Title\n\nA [link](/posts/b) and *stress*.\n\n- one\n- two\n  1. deep\n\n> quoted\n\n```\ncode\n```\n\n![Alt text](/media/ab/c.png)\n\nSee[^1].\n\n[^1]: A note <b>bold</b>.\n",
            "https://b.example",
            "https://b.example/posts/a",
        );
        assert!(text.starts_with("Title\n=====\n\nA link <https://b.example/posts/b> and stress.\n\n- one\n- two\n   1. deep"), "{text}");
        assert!(text.contains("\n\n> quoted\n"), "{text}");
        assert!(text.contains("\n\n    code\n"), "{text}");
        assert!(
            text.contains("[Image: Alt text] <https://b.example/media/ab/c.png>"),
            "{text}"
        );
        assert!(text.contains("[1]: A note bold."), "{text}");
        assert!(!text.contains('<') || !text.contains("<b>"), "{text}");
    }
}
