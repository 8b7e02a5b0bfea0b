//! Turning what a reader typed into a safe FTS5 query, and search snippets into clean text.

use crate::text::escape;

/// Marks around matched terms in search snippets (private-use characters no text contains); the
/// store asks FTS5's `snippet()` for them.
pub const MATCH_START: char = '\u{e000}';
pub const MATCH_END: char = '\u{e001}';

pub const MAX_QUERY_CHARS: usize = 200;
const MAX_TERMS: usize = 12;

/// An FTS5 query that finds every word the reader typed, each taken literally: every term is
/// quoted (inner quotes doubled), so FTS syntax (`AND`, `*`, `:`, `^`, quotes) is just text.
/// `None` when there is nothing to search for.
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect::<String>()
        .split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .take(MAX_TERMS)
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// A snippet (from Markdown or imported HTML) as readable, escaped HTML with `<mark>` around
/// the matched terms: link syntax becomes its text, tags and emphasis marks go.
pub fn snippet_html(snippet: &str) -> String {
    let text = strip_markup(snippet);
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text.as_str();
    while let Some(at) = rest.find([MATCH_START, MATCH_END]) {
        escape(&rest[..at], &mut out);
        let mark = rest[at..].chars().next().unwrap_or(MATCH_END);
        out.push_str(if mark == MATCH_START {
            "<mark>"
        } else {
            "</mark>"
        });
        rest = &rest[at + mark.len_utf8()..];
    }
    escape(rest, &mut out);
    out
}

fn strip_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_tag = false;
    let mut in_link_target = false;
    while let Some(c) = chars.next() {
        match c {
            '<' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '/') =>
            {
                in_tag = true
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            ']' if chars.peek() == Some(&'(') => {
                chars.next();
                in_link_target = true;
            }
            ')' if in_link_target => in_link_target = false,
            _ if in_link_target => {}
            '[' | '*' | '_' | '#' | '`' => {}
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_literal() {
        assert_eq!(
            fts_query("social media"),
            Some("\"social\" \"media\"".into())
        );
        assert_eq!(
            fts_query("a\"b OR c*"),
            Some("\"a\"\"b\" \"OR\" \"c*\"".into())
        );
        assert_eq!(fts_query("  -- ** "), None);
        assert_eq!(fts_query(""), None);
        assert_eq!(
            fts_query("'; DROP TABLE posts; --"),
            Some("\"DROP\" \"TABLE\" \"posts;\"".into())
        );
    }

    #[test]
    fn snippets_lose_markup_and_mark_matches() {
        let raw = format!(
            "Found [this {MATCH_START}website{MATCH_END}](http://x.org/) <b>now</b> & *then*"
        );
        assert_eq!(
            snippet_html(&raw),
            "Found this <mark>website</mark> now &amp; then"
        );
        assert_eq!(snippet_html("1 < 2 <script>x</script>"), "1 &lt; 2 x");
    }
}
