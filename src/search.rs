//! Turning what a reader typed into a safe FTS5 query, and search snippets into clean text.

use crate::store::{MATCH_END, MATCH_START};

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
    for c in text.chars() {
        match c {
            MATCH_START => out.push_str("<mark>"),
            MATCH_END => out.push_str("</mark>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
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
