//! Comment rendering never panics and never lets markup through: the only tags in its output are
//! the paragraphs, line breaks and nofollow links it makes itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

/// Whether `tag` starts with a link exactly as the renderer writes one: `<a href="http…"` whose
/// value has no quote, then at once ` rel="nofollow ugc noopener">`. (Looking for that text
/// anywhere further on would accept a forged tag followed by a real link.)
fn is_own_link(tag: &str) -> bool {
    let Some(value) = tag.strip_prefix("<a href=\"") else {
        return false;
    };
    let Some(end) = value.find('"') else {
        return false;
    };
    value.starts_with("http") && value[end..].starts_with("\" rel=\"nofollow ugc noopener\">")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let html = blog_core::comment_text::to_html(&text);
    let mut rest = html.as_str();
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let allowed = ["<p>", "</p>", "<br>", "</a>"].iter().any(|t| rest.starts_with(t))
            || is_own_link(rest);
        assert!(allowed, "unexpected markup: {}", &rest[..rest.len().min(80)]);
        rest = &rest[1..];
    }
    // Attribute values cannot be broken out of: no raw quote inside an href.
    for part in html.split("<a href=\"").skip(1) {
        let value = part.split('"').next().unwrap_or("");
        assert!(!value.contains('<') && !value.contains('>'));
    }
});
