//! Webmention (W3C), the pure parts: where a page says its endpoint is (the HTTP `Link` header
//! first, then the first `<link>` or `<a>` with `rel="webmention"` in the document), with its
//! address resolved against the page's, as the webmention.rocks discovery tests ask; whether a
//! source page links to a target; and what its microformats2 `h-entry` says (who wrote it, its
//! text, and whether it is a reply, a like or a repost).

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

/// Whether `html` links to `target` (an `href` or `src` equal to it, a trailing slash aside).
pub fn links_to(html: &str, target: &str) -> bool {
    let want = target.trim_end_matches('/');
    elements(html).iter().any(|e| {
        e.attrs.iter().any(|(k, v)| {
            (k == "href" || k == "src")
                && crate::text::decode_entities(v.trim()).trim_end_matches('/') == want
        })
    })
}

/// The most links of one post that are sent a mention.
pub const MAX_LINKS: usize = 100;

/// The addresses a post's HTML links to on other sites (`<a href>`, http(s), without their
/// fragment, each once, at most [`MAX_LINKS`]): where its Webmentions go.
pub fn external_links(html: &str, own_base: &str) -> Vec<String> {
    let own = crate::federation::host_of(own_base);
    let mut out: Vec<String> = Vec::new();
    for e in elements(html) {
        let Some(href) = e.attr("href") else {
            continue;
        };
        let href = crate::text::decode_entities(href.trim());
        let href = href.split('#').next().unwrap_or_default().to_string();
        let host = crate::federation::host_of(&href);
        if host.is_some() && host != own && !out.contains(&href) {
            out.push(href);
            if out.len() == MAX_LINKS {
                break;
            }
        }
    }
    out
}

/// What a mention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    Reply,
    Like,
    Repost,
    Mention,
}

impl MentionKind {
    /// How the post's page says it.
    pub fn verb(self) -> &'static str {
        match self {
            MentionKind::Reply => "replied",
            MentionKind::Like => "liked this",
            MentionKind::Repost => "reposted this",
            MentionKind::Mention => "mentioned this",
        }
    }
}

/// What a source page's `h-entry` says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub author_name: Option<String>,
    pub author_url: Option<String>,
    pub author_photo: Option<String>,
    /// The entry's text (`e-content`, else `p-content`, else `p-name`), plain.
    pub content: Option<String>,
    pub kind: MentionKind,
}

/// The first `h-entry` of `html` (fetched from `source`; addresses resolved against it), as
/// it concerns `target`. `None` when the page has no `h-entry`: a plain mention.
pub fn read_entry(html: &str, source: &str, target: &str) -> Option<Entry> {
    let all = elements(html);
    let entry = all.iter().position(|e| e.has_class("h-entry"))?;
    let inside = |i: usize| i > entry && all[i].start < all[entry].end;
    let find = |class: &str, from: usize| {
        (from + 1..all.len()).find(|&i| all[i].start < all[from].end && all[i].has_class(class))
    };
    let text_of = |i: usize| {
        let e = &all[i];
        let inner = &html[e.inner_start.min(e.end)..e.inner_end.max(e.inner_start).min(html.len())];
        let text = crate::federation::note_text::to_text(inner);
        (!text.trim().is_empty()).then_some(text)
    };
    let url_of = |i: usize, attr: &str| {
        all[i]
            .attr(attr)
            .and_then(|v| resolve(source, &crate::text::decode_entities(v)))
    };
    let links_target = |class: &str| {
        (entry + 1..all.len()).any(|i| {
            inside(i)
                && all[i].has_class(class)
                && url_of(i, "href")
                    .or_else(|| text_of(i))
                    .is_some_and(|u| u.trim_end_matches('/') == target.trim_end_matches('/'))
        })
    };
    let kind = if links_target("u-in-reply-to") {
        MentionKind::Reply
    } else if links_target("u-like-of") {
        MentionKind::Like
    } else if links_target("u-repost-of") {
        MentionKind::Repost
    } else {
        MentionKind::Mention
    };
    let (mut author_name, mut author_url, mut author_photo) = (None, None, None);
    if let Some(author) = find("p-author", entry) {
        if all[author].has_class("h-card") {
            author_name = find("p-name", author).and_then(text_of);
            author_url = find("u-url", author).and_then(|i| url_of(i, "href"));
            author_photo = find("u-photo", author).and_then(|i| url_of(i, "src"));
            if author_name.is_none() {
                author_name = text_of(author);
            }
        } else {
            author_name = text_of(author);
        }
    }
    let content = find("e-content", entry)
        .or_else(|| find("p-content", entry))
        .or_else(|| find("p-name", entry).filter(|&i| Some(i) != find("p-author", entry)))
        .and_then(text_of);
    Some(Entry {
        author_name: author_name.map(|n| n.chars().take(100).collect()),
        author_url,
        author_photo,
        content,
        kind,
    })
}

/// An element of a page: its attributes and where it and its inside are.
struct Element {
    attrs: Vec<(String, String)>,
    start: usize,
    inner_start: usize,
    inner_end: usize,
    end: usize,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == class))
    }
}

/// Elements that have no end tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Every element of `html`, in document order, each with its extent: a forgiving reading (an
/// end tag closes the nearest open element of its name; what is left open ends with the page).
fn elements(html: &str) -> Vec<Element> {
    let mut out: Vec<Element> = Vec::new();
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut at = 0;
    while let Some(lt) = html[at..].find('<').map(|i| at + i) {
        let after = &html[lt + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            at = comment
                .find("-->")
                .map_or(html.len(), |end| lt + 4 + end + 3);
            continue;
        }
        let Some(end) = tag_end(after) else {
            break;
        };
        let tag = &after[..end];
        let tag_close = lt + 1 + end + 1;
        at = tag_close;
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            if let Some(depth) = open.iter().rposition(|(n, _)| *n == name) {
                for (_, index) in open.drain(depth..) {
                    out[index].inner_end = lt;
                    out[index].end = tag_close;
                }
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let self_closing = tag.ends_with('/') || VOID.contains(&name.as_str());
        out.push(Element {
            attrs: attributes(&tag[name.len()..]),
            start: lt,
            inner_start: tag_close,
            inner_end: if self_closing { tag_close } else { html.len() },
            end: if self_closing { tag_close } else { html.len() },
        });
        if matches!(name.as_str(), "script" | "style") {
            // Their text is not markup.
            let close = format!("</{name}");
            let lower = html[tag_close..].to_ascii_lowercase();
            let stop = lower.find(&close).map_or(html.len(), |i| tag_close + i);
            let index = out.len() - 1;
            out[index].inner_end = stop;
            out[index].end = stop;
            at = stop;
            continue;
        }
        if !self_closing {
            open.push((name, out.len() - 1));
        }
    }
    out
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

    const TARGET: &str = "https://blog.example/posts/hello";

    #[test]
    fn a_posts_links_elsewhere() {
        let html = r#"<p><a href="https://a.example/x#part">a</a> <a href="/posts/local">local</a>
            <a href="https://blog.example/posts/other">own</a> <a href="https://a.example/x">again</a>
            <a href="mailto:me@example.org">mail</a> <img src="https://img.example/i.png">
            <a href="http://b.example/?q=1&amp;r=2">b</a></p>"#;
        assert_eq!(
            external_links(html, "https://blog.example"),
            vec!["https://a.example/x", "http://b.example/?q=1&r=2"]
        );
    }

    #[test]
    fn a_source_links_or_not() {
        assert!(links_to(
            r#"<p>See <a href="https://blog.example/posts/hello/">this</a></p>"#,
            TARGET
        ));
        assert!(links_to(
            r#"<a href="https://blog.example/posts/hello">x</a>"#,
            TARGET
        ));
        assert!(!links_to(
            r#"<p>https://blog.example/posts/hello in text only</p>"#,
            TARGET
        ));
        assert!(!links_to(
            r#"<!-- <a href="https://blog.example/posts/hello">x</a> -->"#,
            TARGET
        ));
        assert!(!links_to(
            r#"<a href="https://blog.example/posts/hello-world">x</a>"#,
            TARGET
        ));
    }

    #[test]
    fn an_h_entry_says_who_and_what() {
        let reply = r#"<html><body><article class="h-entry">
          <div class="p-author h-card"><img class="u-photo" src="/me.jpg" alt=""><a class="p-name u-url" href="https://alice.example/">Alice &amp; co</a></div>
          <p>In reply to <a class="u-in-reply-to" href="https://blog.example/posts/hello">a post</a></p>
          <div class="e-content"><p>Great <b>post</b>!</p><script>alert(1)</script></div>
        </article></body></html>"#;
        let entry = read_entry(reply, "https://alice.example/notes/1", TARGET).unwrap();
        assert_eq!(entry.kind, MentionKind::Reply);
        assert_eq!(entry.author_name.as_deref(), Some("Alice & co"));
        assert_eq!(entry.author_url.as_deref(), Some("https://alice.example/"));
        assert_eq!(
            entry.author_photo.as_deref(),
            Some("https://alice.example/me.jpg")
        );
        assert_eq!(entry.content.as_deref(), Some("Great post!"));
        let like = r#"<div class="h-entry"><a class="u-like-of" href="https://blog.example/posts/hello">liked</a><span class="p-author">Bob</span></div>"#;
        let entry = read_entry(like, "https://bob.example/likes/1", TARGET).unwrap();
        assert_eq!(entry.kind, MentionKind::Like);
        assert_eq!(entry.author_name.as_deref(), Some("Bob"));
        let repost = r#"<div class="h-entry"><a class="u-repost-of" href="https://blog.example/posts/hello">x</a></div>"#;
        assert_eq!(
            read_entry(repost, "https://c.example/", TARGET)
                .unwrap()
                .kind,
            MentionKind::Repost
        );
        let mention = r#"<div class="h-entry"><p class="p-name">I wrote about <a href="https://blog.example/posts/hello">it</a></p></div>"#;
        let entry = read_entry(mention, "https://d.example/", TARGET).unwrap();
        assert_eq!(entry.kind, MentionKind::Mention);
        assert_eq!(
            entry.content.as_deref(),
            Some("I wrote about it (https://blog.example/posts/hello)")
        );
        assert_eq!(
            read_entry("<p>no microformats</p>", "https://e.example/", TARGET),
            None
        );
    }
}
