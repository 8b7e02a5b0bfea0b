//! Comment text as readers see it: never markup.
//!
//! Everything a commenter typed is escaped. Blank lines separate paragraphs, single line breaks
//! are kept, and `http(s)` URLs become links marked `nofollow ugc noopener`.

use crate::text::escape;

/// The version of what [`to_html`] produces, stored beside each comment's HTML (see
/// [`crate::model::renderer`]).
pub const RENDERER_VERSION: i64 = crate::model::renderer::COMMENT_TEXT;

/// Renders a comment body to safe HTML.
pub fn to_html(body: &str) -> String {
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(body.len() + 64);
    for paragraph in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        for (i, line) in paragraph.lines().enumerate() {
            if i > 0 {
                out.push_str("<br>\n");
            }
            linkify(line.trim_end(), &mut out);
        }
        out.push_str("</p>\n");
    }
    out
}

/// Writes `line` escaped, with its `http://` and `https://` URLs as links.
fn linkify(line: &str, out: &mut String) {
    let mut rest = line;
    while let Some(start) = find_url_start(rest) {
        escape(&rest[..start], out);
        let candidate = &rest[start..];
        let len = url_len(candidate);
        let url = &candidate[..len];
        let has_host = url
            .split_once("://")
            .is_some_and(|(_, host)| !host.is_empty());
        if has_host {
            out.push_str("<a href=\"");
            escape(url, out);
            out.push_str("\" rel=\"nofollow ugc noopener\">");
            escape(url, out);
            out.push_str("</a>");
        } else {
            escape(url, out);
        }
        rest = &candidate[len.max(1)..];
        // `len.max(1)` guards against an empty match; URLs start with ASCII so slicing is safe.
    }
    escape(rest, out);
}

/// Where the next `http://` or `https://` (any case) starts, without allocating.
fn find_url_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes[from..]
        .iter()
        .position(|b| b.eq_ignore_ascii_case(&b'h'))
    {
        let i = from + at;
        let rest = &bytes[i..];
        let starts = |prefix: &[u8]| {
            rest.len() >= prefix.len() && rest[..prefix.len()].eq_ignore_ascii_case(prefix)
        };
        if starts(b"http://") || starts(b"https://") {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

/// Length of the URL at the start of `text`: up to whitespace or a character that cannot be in
/// a URL, without trailing punctuation (a closing parenthesis only when it has no opening twin).
fn url_len(text: &str) -> usize {
    let end = text
        .char_indices()
        .find(|&(_, c)| {
            c.is_whitespace()
                || matches!(
                    c,
                    '<' | '>' | '"' | '\'' | '`' | '{' | '}' | '|' | '\\' | '^'
                )
                || c.is_control()
        })
        .map_or(text.len(), |(i, _)| i);
    let mut url = &text[..end];
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '*']);
        let trimmed = if trimmed.ends_with(')')
            && trimmed.matches('(').count() < trimmed.matches(')').count()
        {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == url.len() {
            return url.len();
        }
        url = trimmed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_stays_text() {
        assert_eq!(
            to_html("<script>alert('x')</script> & \"quotes\""),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;</p>\n"
        );
    }

    #[test]
    fn paragraphs_and_line_breaks() {
        assert_eq!(
            to_html("one\ntwo\r\n\r\nthree\n\n\n"),
            "<p>one<br>\ntwo</p>\n<p>three</p>\n"
        );
        assert_eq!(to_html("  \n\n "), "");
    }

    #[test]
    fn urls_become_nofollow_links() {
        assert_eq!(
            to_html("see https://example.com/a?b=1&c=2."),
            "<p>see <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">https://example.com/a?b=1&amp;c=2</a>.</p>\n"
        );
        assert_eq!(
            to_html("(at http://w.org/x_(y))"),
            "<p>(at <a href=\"http://w.org/x_(y)\" rel=\"nofollow ugc noopener\">http://w.org/x_(y)</a>)</p>\n"
        );
    }

    #[test]
    fn other_schemes_and_breakouts_stay_text() {
        assert_eq!(
            to_html("javascript:alert(1)"),
            "<p>javascript:alert(1)</p>\n"
        );
        let html = to_html("https://x.org/\"onmouseover=alert(1)");
        assert!(html.contains("href=\"https://x.org/\""), "{html}");
        assert!(html.contains("&quot;onmouseover"), "{html}");
        assert_eq!(to_html("http://"), "<p>http://</p>\n");
    }

    #[test]
    fn non_ascii_text_survives() {
        assert_eq!(to_html("Ça va — très bien 🙂 https://é.fr"), "<p>Ça va — très bien 🙂 <a href=\"https://é.fr\" rel=\"nofollow ugc noopener\">https://é.fr</a></p>\n");
    }
}
