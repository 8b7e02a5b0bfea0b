//! Comment rendering never panics and never lets markup through: the only tags in its output are
//! the paragraphs, line breaks and nofollow links it makes itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let html = edge_blog::comment_text::to_html(&text);
    let mut rest = html.as_str();
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let allowed = ["<p>", "</p>", "<br>", "</a>"].iter().any(|t| rest.starts_with(t))
            || (rest.starts_with("<a href=\"http") && rest.contains("\" rel=\"nofollow ugc noopener\">"));
        assert!(allowed, "unexpected markup: {}", &rest[..rest.len().min(80)]);
        rest = &rest[1..];
    }
    // Attribute values cannot be broken out of: no raw quote inside an href.
    for part in html.split("<a href=\"").skip(1) {
        let value = part.split('"').next().unwrap_or("");
        assert!(!value.contains('<') && !value.contains('>'));
    }
});
