//! A fediverse note's HTML as comment text: the plain text a comment is stored as (and
//! [`crate::comment_text::to_html`] shows), so that nothing a remote server sends becomes markup.
//! Paragraphs and line breaks are kept; links become their address (Mastodon shortens the text
//! of a long link with hidden spans); mentions and hashtags keep their text; the mentions that
//! open a reply (the people it answers) are dropped; scripts and styles vanish with their content.

/// The text of `html`.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // The link being read: its address and its text so far.
    let mut link: Option<(String, String)> = None;
    let mut skipping: Option<String> = None;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(rest, &mut out, &mut link, skipping.is_some());
            break;
        };
        push_text(&rest[..lt], &mut out, &mut link, skipping.is_some());
        let after = &rest[lt + 1..];
        let Some(gt) = tag_end(after) else {
            // A lone '<' is text.
            push_text("<", &mut out, &mut link, skipping.is_some());
            rest = after;
            continue;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(skipped) = &skipping {
            if closing && *skipped == name {
                skipping = None;
            }
            continue;
        }
        match (name.as_str(), closing) {
            ("script" | "style" | "template", false) => skipping = Some(name),
            (
                "p" | "div" | "blockquote" | "li" | "ul" | "ol" | "pre" | "h1" | "h2" | "h3" | "h4"
                | "h5" | "h6",
                _,
            ) => paragraph_break(&mut out),
            ("br", _) => {
                trim_end_spaces(&mut out);
                out.push('\n');
            }
            ("a", false) => {
                let href = attribute(tag, "href").unwrap_or_default();
                link = Some((href, String::new()));
            }
            ("a", true) => {
                if let Some((href, text)) = link.take() {
                    out.push_str(&link_text(&href, text.trim()));
                }
            }
            _ => {}
        }
    }
    if let Some((href, text)) = link.take() {
        out.push_str(&link_text(&href, text.trim()));
    }
    tidy(&out)
}

/// Where the tag that starts `text` (after its `<`) ends, quotes respected.
fn tag_end(text: &str) -> Option<usize> {
    let first = text.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '/' || first == '!') {
        return None;
    }
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

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = tag[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value = after[1..].trim_start();
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value.split_ascii_whitespace().next().unwrap_or_default(),
        };
        return Some(crate::text::decode_entities(raw));
    }
    None
}

fn push_text(raw: &str, out: &mut String, link: &mut Option<(String, String)>, skipping: bool) {
    if skipping {
        return;
    }
    let text = crate::text::decode_entities(raw);
    match link {
        Some((_, inner)) => inner.push_str(&text),
        None => {
            // HTML whitespace collapses: a source line break is a space.
            for c in text.chars() {
                if c.is_whitespace() {
                    if !out.ends_with([' ', '\n']) && !out.is_empty() {
                        out.push(' ');
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
}

/// What a link reads as: a mention or hashtag its text, a link whose text is its address (or
/// Mastodon's shortening of it) the address, any other link its text and address.
fn link_text(href: &str, text: &str) -> String {
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let web = href.starts_with("https://") || href.starts_with("http://");
    if text.starts_with('@') || text.starts_with('#') || !web {
        return text;
    }
    let bare = href.split_once("://").map_or(href, |(_, rest)| rest);
    let shown = text
        .split_once("://")
        .map_or(text.as_str(), |(_, rest)| rest);
    let shown = shown.trim_end_matches('…');
    if text.is_empty() || bare.starts_with(shown) {
        href.to_string()
    } else {
        format!("{text} ({href})")
    }
}

fn trim_end_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

fn paragraph_break(out: &mut String) {
    trim_end_spaces(out);
    if !out.is_empty() && !out.ends_with("\n\n") {
        if out.ends_with('\n') {
            out.push('\n');
        } else {
            out.push_str("\n\n");
        }
    }
}

/// Paragraphs trimmed, the reply's opening mentions dropped, at most one blank line.
fn tidy(text: &str) -> String {
    let mut paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join("\n"))
        .filter(|p| !p.trim().is_empty())
        .collect();
    if let Some(first) = paragraphs.first_mut() {
        let kept: Vec<&str> = first
            .split(' ')
            .skip_while(|word| word.starts_with('@') && word.len() > 1)
            .collect();
        *first = kept.join(" ").trim().to_string();
        if first.is_empty() {
            paragraphs.remove(0);
        }
    }
    paragraphs.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_replies_read_as_text() {
        let html = r#"<p><span class="h-card" translate="no"><a href="https://blog.example/ap/actor" class="u-url mention">@<span>blog</span></a></span> Great post! See <a href="https://example.org/a/very/long/path" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="ellipsis">example.org/a/very/lo</span><span class="invisible">ng/path</span></a></p><p>Second<br>line &amp; <a href="https://social.example/tags/health" class="mention hashtag">#<span>health</span></a></p>"#;
        assert_eq!(
            to_text(html),
            "Great post! See https://example.org/a/very/long/path\n\nSecond\nline & #health"
        );
    }

    #[test]
    fn markup_never_survives() {
        assert_eq!(
            to_text("<script>alert(1)</script><p>hi <b>there</b></p>"),
            "hi there"
        );
        assert_eq!(
            to_text("a < b &lt;img src=x onerror=alert(1)&gt;"),
            "a < b <img src=x onerror=alert(1)>"
        );
        assert_eq!(
            to_text(r#"<a href="javascript:alert(1)">click</a>"#),
            "click"
        );
        assert_eq!(
            to_text(r#"<a href="https://x.example/">my site</a>"#),
            "my site (https://x.example/)"
        );
        assert_eq!(
            to_text("&#x27;quoted&#39; &bogus; &#0;"),
            "'quoted' &bogus; &#0;"
        );
        assert_eq!(
            to_text("<p>unclosed <a href='https://x.example/'>link"),
            "unclosed link (https://x.example/)"
        );
        assert_eq!(to_text(""), "");
    }
}
