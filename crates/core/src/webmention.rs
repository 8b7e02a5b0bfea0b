//! Webmention (W3C), the pure parts: where a page says its endpoint is (the HTTP `Link` header
//! first, then the first `<link>` or `<a>` with `rel="webmention"` in the document), with its
//! address resolved against the page's, as the webmention.rocks discovery tests ask.
//!
//! Not yet used by the Workers: sending and receiving mentions are the next part of the
//! fediverse work (README.md, "Fediverse").

/// The endpoint a page names: from its `Link` headers (each value as received), else from its
/// HTML; resolved against `page_url` (the address the page was fetched from, after redirects).
/// `None`: the page accepts no Webmention.
pub fn discover(page_url: &str, link_headers: &[&str], html: &str) -> Option<String> {
    let found = link_headers
        .iter()
        .find_map(|h| from_link_header(h))
        .or_else(|| from_html(html))?;
    resolve(page_url, &found)
}

/// The first `<…>; rel="… webmention …"` of a `Link` header value.
fn from_link_header(value: &str) -> Option<String> {
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>')? + open;
        let target = &rest[open + 1..close];
        let after = &rest[close + 1..];
        // The parameters run to the next link (a comma outside quotes).
        let mut end = after.len();
        let mut quoted = false;
        for (i, c) in after.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let params = &after[..end];
        let is_webmention = params.split(';').any(|p| {
            let Some((name, value)) = p.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("webmention"))
        });
        if is_webmention {
            return Some(target.trim().to_string());
        }
        rest = &after[end..];
    }
    None
}

/// The `href` of the first `<link>` or `<a>` whose `rel` has `webmention`, outside comments.
fn from_html(html: &str) -> Option<String> {
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let end = tag_end(after)?;
        let tag = &after[..end];
        rest = &after[end..];
        let name: String = tag
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name != "link" && name != "a" {
            continue;
        }
        let attrs = attributes(&tag[name.len()..]);
        let rel = attrs
            .iter()
            .find(|(k, _)| k == "rel")
            .map(|(_, v)| v.as_str());
        let webmention = rel.is_some_and(|r| {
            r.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("webmention"))
        });
        if webmention {
            if let Some((_, href)) = attrs.iter().find(|(k, _)| k == "href") {
                return Some(crate::text::decode_entities(href.trim()));
            }
        }
    }
    None
}

/// Where a tag that starts `text` (after its `<`) ends, quotes respected.
fn tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if q == c => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// A tag's attributes (names in lower case, values unquoted; a bare name has an empty value).
fn attributes(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim_start_matches('/');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return out;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let end = inner.find(q).unwrap_or(inner.len());
                    rest = inner.get(end + 1..).unwrap_or("");
                    inner[..end].to_string()
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    rest = &after[end..];
                    after[..end].to_string()
                }
            }
        } else {
            String::new()
        };
        if !name.is_empty() {
            out.push((name, value));
        }
    }
}

/// `reference` resolved against `base` (RFC 3986, section 5.2, for http(s) bases): absolute
/// addresses as they are, scheme-relative, absolute and relative paths, a query or fragment
/// alone, and the empty reference (the page itself). `None` for a base that is not http(s).
pub fn resolve(base: &str, reference: &str) -> Option<String> {
    let (scheme, after_scheme) = base.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let base = base.split('#').next().unwrap_or(base);
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let origin = format!("{scheme}://{}", &after_scheme[..authority_end]);
    let base_path_query = &base[origin.len()..];
    let (base_path, _) = base_path_query
        .split_once('?')
        .unwrap_or((base_path_query, ""));
    let base_path = if base_path.is_empty() { "/" } else { base_path };
    let reference = reference.trim();
    if let Some((ref_scheme, _)) = reference.split_once(':') {
        if !ref_scheme.is_empty()
            && ref_scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Some(reference.to_string());
        }
    }
    if let Some(rest) = reference.strip_prefix("//") {
        return Some(format!("{scheme}://{rest}"));
    }
    if reference.is_empty() {
        return Some(base.to_string());
    }
    if reference.starts_with('#') {
        return Some(format!("{base}{reference}"));
    }
    if reference.starts_with('?') {
        return Some(format!("{origin}{base_path}{reference}"));
    }
    let (ref_path, tail) = match reference.find(['?', '#']) {
        Some(at) => (&reference[..at], &reference[at..]),
        None => (reference, ""),
    };
    let merged = if ref_path.starts_with('/') {
        ref_path.to_string()
    } else {
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{ref_path}")
    };
    Some(format!("{origin}{}{tail}", remove_dot_segments(&merged)))
}

/// RFC 3986's remove_dot_segments, for a path that starts with `/`.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://webmention.rocks/test/1";

    #[test]
    fn relative_addresses_resolve_as_rfc_3986_says() {
        let base = "http://a/b/c/d;p?q";
        for (reference, expected) in [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("https://other.example/x", "https://other.example/x"),
        ] {
            assert_eq!(
                resolve(base, reference).as_deref(),
                Some(expected),
                "{reference:?}"
            );
        }
        assert_eq!(resolve("ftp://a/b", "c"), None);
    }

    #[test]
    fn discovery_as_webmention_rocks_tests_it() {
        let endpoint = |headers: &[&str], html: &str| discover(PAGE, headers, html);
        let want = |path: &str| Some(format!("https://webmention.rocks{path}"));
        // 1, 2: a Link header, relative and absolute.
        assert_eq!(
            endpoint(&["</test/1/webmention?head=true>; rel=webmention"], ""),
            want("/test/1/webmention?head=true")
        );
        assert_eq!(
            endpoint(
                &["<https://webmention.rocks/test/2/webmention?head=true>; rel=webmention"],
                ""
            ),
            want("/test/2/webmention?head=true")
        );
        // 3, 4: <link> in the document, relative and absolute; 5, 6: <a>.
        assert_eq!(
            endpoint(&[], r#"<link rel="webmention" href="/test/3/webmention">"#),
            want("/test/3/webmention")
        );
        assert_eq!(
            endpoint(
                &[],
                r#"<a rel="webmention" href="https://webmention.rocks/test/6/webmention">x</a>"#
            ),
            want("/test/6/webmention")
        );
        // 7: a header with strange casing; 8: rel unquoted and quoted.
        assert_eq!(
            endpoint(
                &["<https://webmention.rocks/test/7/webmention?head=true>; REL=\"webmention\""],
                ""
            ),
            want("/test/7/webmention?head=true")
        );
        // 9: several rel values.
        assert_eq!(
            endpoint(
                &[],
                r#"<link rel="webmention somethingelse" href="/test/9/webmention">"#
            ),
            want("/test/9/webmention")
        );
        assert_eq!(
            endpoint(
                &["</test/10/webmention?head=true>; rel=\"webmention somethingelse\""],
                ""
            ),
            want("/test/10/webmention?head=true")
        );
        // 11: header, <link> and <a> all present: the header wins.
        assert_eq!(
            endpoint(
                &["</test/11/webmention?head=true>; rel=\"webmention\""],
                r#"<link rel="webmention" href="/test/11/webmention?link"><a rel="webmention" href="/x">"#
            ),
            want("/test/11/webmention?head=true")
        );
        // 12: rel="not-webmention" must not match.
        assert_eq!(
            endpoint(
                &[],
                r#"<link rel="not-webmention" href="/wrong"><link rel="webmention" href="/test/12/webmention">"#
            ),
            want("/test/12/webmention")
        );
        // 13: an endpoint in an HTML comment is not one.
        assert_eq!(
            endpoint(
                &[],
                r#"<!-- <link rel="webmention" href="/wrong"> --><link rel="webmention" href="/test/13/webmention">"#
            ),
            want("/test/13/webmention")
        );
        // 14: escaped characters in the address.
        assert_eq!(
            endpoint(
                &[],
                r#"<a href="/test/14/webmention?a=1&amp;b=2" rel="webmention">"#
            ),
            want("/test/14/webmention?a=1&b=2")
        );
        // 15: an empty href is the page itself.
        assert_eq!(
            endpoint(&[], r#"<link rel="webmention" href="">"#),
            Some(PAGE.to_string())
        );
        // 16, 17: the first of <a> and <link> in document order.
        assert_eq!(
            endpoint(
                &[],
                r#"<a rel="webmention" href="/test/16/webmention">a</a><link rel="webmention" href="/wrong">"#
            ),
            want("/test/16/webmention")
        );
        assert_eq!(
            endpoint(
                &[],
                r#"<link rel="webmention" href="/test/17/webmention"><a rel="webmention" href="/wrong">"#
            ),
            want("/test/17/webmention")
        );
        // 18: several Link headers; 19: several links in one header.
        assert_eq!(
            endpoint(
                &[
                    "<https://example.org/nope>; rel=other",
                    "</test/18/webmention?head=true>; rel=webmention"
                ],
                ""
            ),
            want("/test/18/webmention?head=true")
        );
        assert_eq!(endpoint(&["<https://example.org/bogus>; rel=\"other\", </test/19/webmention?head=true>; rel=\"webmention\""], ""), want("/test/19/webmention?head=true"));
        // 20: a <link> without href is skipped.
        assert_eq!(
            endpoint(
                &[],
                r#"<link rel="webmention"><link rel="webmention" href="/test/20/webmention">"#
            ),
            want("/test/20/webmention")
        );
        // 21: a query string kept.
        assert_eq!(
            endpoint(
                &[],
                r#"<link rel="webmention" href="/test/21/webmention?query=yes">"#
            ),
            want("/test/21/webmention?query=yes")
        );
        // 22: relative to the page's path.
        assert_eq!(
            endpoint(&[], r#"<link rel="webmention" href="1/webmention">"#),
            want("/test/1/webmention")
        );
        // None at all.
        assert_eq!(
            endpoint(&["<https://example.org/>; rel=me"], "<p>no endpoint</p>"),
            None
        );
    }
}
