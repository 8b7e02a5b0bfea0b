//! Comment text as readers see it: never markup.
//!
//! Everything a commenter typed is escaped. Blank lines separate paragraphs, single line breaks
//! are kept, `http(s)` URLs become links marked `nofollow ugc noopener`, and `*words*` and
//! `**words**` become emphasis and strong emphasis (as in Markdown, within a line).

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
        emphasize(&rest[..start], out);
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
    emphasize(rest, out);
}

/// Writes `text` escaped, with `*words*` as `<em>` and `**words**` as `<strong>`. A star opens
/// only after a non-letter and before a non-space, and closes only after a non-space and before
/// a non-letter, so `2*3*4` and `a * b` stay as they are; a star without its pair stays a star.
fn emphasize(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some((open, stars, close)) = next_emphasis(rest) {
        escape(&rest[..open], out);
        let tag = if stars == 2 { "strong" } else { "em" };
        out.push('<');
        out.push_str(tag);
        out.push('>');
        escape(&rest[open + stars..close], out);
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
        rest = &rest[close + stars..];
    }
    escape(rest, out);
}

/// The next emphasis in `text`: where its opening stars are, how many (1 or 2), and where its
/// closing stars are.
fn next_emphasis(text: &str) -> Option<(usize, usize, usize)> {
    let letter_before = |at: usize| {
        text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    };
    let mut from = 0;
    while let Some(found) = text[from..].find('*') {
        let open = from + found;
        let stars = if text[open..].starts_with("**") { 2 } else { 1 };
        let inner = open + stars;
        let first = text[inner..].chars().next();
        if let Some(first) =
            first.filter(|&c| !letter_before(open) && !c.is_whitespace() && c != '*')
        {
            let marker = &text[open..inner];
            let mut search = inner + first.len_utf8();
            while let Some(found) = text.get(search..).and_then(|t| t.find(marker)) {
                let close = search + found;
                let after = text[close + stars..].chars().next();
                let closes = !text[..close].ends_with(char::is_whitespace)
                    && !text[..close].ends_with('*')
                    && !after.is_some_and(|c| c.is_alphanumeric() || c == '*');
                if closes {
                    return Some((open, stars, close));
                }
                search = close + 1;
            }
        }
        from = inner;
    }
    None
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
    fn stars_make_emphasis_only_around_words() {
        assert_eq!(
            to_html("a *fine* and **bold** day"),
            "<p>a <em>fine</em> and <strong>bold</strong> day</p>\n"
        );
        assert_eq!(to_html("*two words*."), "<p><em>two words</em>.</p>\n");
        for plain in [
            "2*3*4",
            "a * b * c",
            "*unpaired",
            "**",
            "snake*case*x",
            "* x*",
            "*x *",
        ] {
            assert_eq!(to_html(plain), format!("<p>{plain}</p>\n"), "{plain}");
        }
        assert_eq!(
            to_html("*<b>*"),
            "<p><em>&lt;b&gt;</em></p>\n",
            "what is inside stays text"
        );
        assert_eq!(
            to_html("*see* https://x.org/*a*"),
            "<p><em>see</em> <a href=\"https://x.org/*a\" rel=\"nofollow ugc noopener\">https://x.org/*a</a>*</p>\n",
            "addresses are not emphasis"
        );
        assert_eq!(to_html("*é* ok"), "<p><em>é</em> ok</p>\n");
    }

    #[test]
    fn non_ascii_text_survives() {
        assert_eq!(to_html("Ça va — très bien 🙂 https://é.fr"), "<p>Ça va — très bien 🙂 <a href=\"https://é.fr\" rel=\"nofollow ugc noopener\">https://é.fr</a></p>\n");
    }
}
