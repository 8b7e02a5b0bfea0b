//! WordPress attachments moved into the media library: where a file is in a local copy of
//! `wp-content/uploads`, and every reference to it in a post rewritten to its new address —
//! `http:` or `https:`, and WordPress's resized copies (`photo-300x200.jpg`) mapped to the original.

/// The file's path inside a copy of the uploads folder: what follows `/wp-content/uploads/`
/// (WordPress) or, for sites without it (WordPress.com's `files.wordpress.com/2008/06/a.jpg`), the
/// whole path. Never leaves the folder (`..` is refused).
pub fn uploads_path(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    let path = &rest[rest.find('/')? + 1..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let relative = match path.find("wp-content/uploads/") {
        Some(at) => &path[at + "wp-content/uploads/".len()..],
        None => path,
    };
    let decoded = percent_encoding::percent_decode_str(relative)
        .decode_utf8()
        .ok()?;
    let safe = !decoded.is_empty()
        && decoded
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    safe.then(|| decoded.into_owned())
}

/// Whether an attachment's address names an image (by its extension), for a gallery that links
/// images left at their old addresses.
pub fn is_image_address(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// The file name an attachment is uploaded under.
pub fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or_default().to_string()
}

/// `content` with every reference to an old file (`moved`: old URL → new address) replaced;
/// returns it and how many references were rewritten.
pub fn rewrite(content: &str, moved: &[(String, String)]) -> (String, usize) {
    let mut out = content.to_string();
    let mut count = 0;
    for (old, new) in moved {
        let Some(scheme_end) = old.find("//") else {
            continue;
        };
        let schemeless = &old[scheme_end..];
        let (stem, extension) = match schemeless.rfind('.') {
            Some(dot) if !schemeless[dot..].contains('/') => schemeless.split_at(dot),
            _ => (schemeless, ""),
        };
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(stem) {
            let after = &rest[at + stem.len()..];
            let variant = size_suffix(after);
            if !after[variant..].starts_with(extension) {
                result.push_str(&rest[..at + stem.len()]);
                rest = after;
                continue;
            }
            // Take the scheme in front along (`https:` / `http:`), if there is one.
            let before = &rest[..at];
            let start = ["https:", "http:"]
                .iter()
                .find(|s| before.ends_with(*s))
                .map_or(at, |s| at - s.len());
            result.push_str(&rest[..start]);
            result.push_str(new);
            rest = &after[variant + extension.len()..];
            count += 1;
        }
        result.push_str(rest);
        out = result;
    }
    (out, count)
}

/// The length of a WordPress size suffix (`-300x200`) at the start of `text`, or 0.
fn size_suffix(text: &str) -> usize {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'-') {
        return 0;
    }
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let width = digits(1);
    if width == 0 || bytes.get(1 + width) != Some(&b'x') {
        return 0;
    }
    let height = digits(2 + width);
    if height == 0 {
        return 0;
    }
    2 + width + height
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_paths() {
        assert_eq!(
            uploads_path("https://old.example/wp-content/uploads/2013/03/a%20b.jpg").as_deref(),
            Some("2013/03/a b.jpg")
        );
        assert_eq!(
            uploads_path("https://wpthemetestdata.files.wordpress.com/2008/06/canola2.jpg")
                .as_deref(),
            Some("2008/06/canola2.jpg")
        );
        assert_eq!(
            uploads_path("https://x.org/wp-content/uploads/../../etc/passwd"),
            None
        );
        assert_eq!(uploads_path("not a url"), None);
        assert_eq!(
            file_name("https://x.org/2008/06/canola2.jpg?w=300"),
            "canola2.jpg"
        );
    }

    #[test]
    fn references_are_rewritten_with_their_resized_copies() {
        let moved = vec![(
            "https://old.example/wp-content/uploads/2013/03/photo.jpg".to_string(),
            "/media/abc/photo.jpg".to_string(),
        )];
        let html = r#"<a href="https://old.example/wp-content/uploads/2013/03/photo.jpg"><img src="http://old.example/wp-content/uploads/2013/03/photo-300x200.jpg"></a> <img src="//old.example/wp-content/uploads/2013/03/photo.jpg"> photo-2.jpg <img src="https://old.example/wp-content/uploads/2013/03/photograph.jpg"> <img src="https://old.example/wp-content/uploads/2013/03/photo.png">"#;
        let (out, n) = rewrite(html, &moved);
        assert_eq!(n, 3);
        assert_eq!(
            out,
            r#"<a href="/media/abc/photo.jpg"><img src="/media/abc/photo.jpg"></a> <img src="/media/abc/photo.jpg"> photo-2.jpg <img src="https://old.example/wp-content/uploads/2013/03/photograph.jpg"> <img src="https://old.example/wp-content/uploads/2013/03/photo.png">"#
        );
        assert_eq!(size_suffix("-300x200.jpg"), 8);
        assert_eq!(size_suffix("-300.jpg"), 0);
    }

    #[test]
    fn image_addresses_by_their_extension() {
        assert!(is_image_address(
            "https://old.example/wp-content/uploads/2011/01/Bell.JPG?w=300"
        ));
        assert!(!is_image_address(
            "https://old.example/wp-content/uploads/song.mp3"
        ));
        assert!(!is_image_address("https://old.example/image.png/page"));
    }
}
