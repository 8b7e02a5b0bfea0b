//! Old addresses that keep working: a redirect's "from" is a path on this blog (with a query only
//! for WordPress's `?p=ID`-style links), its "to" a path here or an absolute `http(s)` URL. The
//! reader consults redirects only where it would otherwise answer 404, so they cost nothing on a
//! page that exists; the paths readers still ask for in vain are counted for the author.

/// The longest "from" kept, and the longest path counted as not found.
pub const MAX_PATH_CHARS: usize = 500;
/// How many distinct not-found paths are kept (the least recently seen go first).
pub const NOT_FOUND_KEPT: u32 = 1000;

/// The query parameters of WordPress's own short links (`/?p=1164`, `/?page_id=2`, …): a request
/// for the home page with one of them may be an old link.
const WORDPRESS_IDS: [&str; 4] = ["p", "page_id", "attachment_id", "cat"];

/// The key a request is looked up under: its path without a trailing slash (WordPress ends its
/// addresses with one, readers' links may not), in lower case as WordPress's slugs are.
pub fn lookup_key(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        trimmed.to_ascii_lowercase()
    }
}

/// For a request of the home page: the key of a WordPress short link in its query
/// (`p=1164` → `/?p=1164`), if it has one.
pub fn short_link_key(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let is_id =
            !value.is_empty() && value.len() <= 20 && value.bytes().all(|b| b.is_ascii_digit());
        (WORDPRESS_IDS.contains(&name) && is_id).then(|| format!("/?{name}={value}"))
    })
}

/// Checks a redirect's "from": a path on this blog (a full URL is cut to its path and query),
/// stored as [`lookup_key`] makes it.
pub fn check_from(from: &str) -> Result<String, String> {
    let from = from.trim();
    let path = match from.find("://") {
        Some(i) => from[i + 3..].find('/').map_or("/", |j| &from[i + 3 + j..]),
        None => from,
    };
    if !path.starts_with('/') || path.starts_with("//") {
        return Err("Must be a path on this blog, like /2018/10/20/my-post/ or /?p=1164.".into());
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) || path.contains('#') {
        return Err("Must have no spaces, line breaks or #fragment (percent-encode them).".into());
    }
    if path.chars().count() > MAX_PATH_CHARS {
        return Err(format!("At most {MAX_PATH_CHARS} characters."));
    }
    // Requests arrive percent-encoded: a path typed with other letters is kept encoded too.
    let mut encoded = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii() {
            encoded.push(c);
        } else {
            for byte in c.to_string().bytes() {
                encoded.push_str(&format!("%{byte:02x}"));
            }
        }
    }
    let path = encoded.as_str();
    Ok(match path.split_once('?') {
        Some(("/", query)) => short_link_key(query).ok_or_else(|| {
            "Only WordPress's short links (/?p=ID, /?page_id=ID, /?attachment_id=ID, /?cat=ID) can have a query.".to_string()
        })?,
        Some(_) => return Err("Only the home page's WordPress short links (/?p=ID) can have a query.".into()),
        None => lookup_key(path),
    })
}

/// Checks a redirect's "to": a path on this blog or an absolute `http(s)` URL, never the same
/// address as `from` (a loop).
pub fn check_to(to: &str, from: &str) -> Result<String, String> {
    let to = to.trim();
    let local = to.starts_with('/') && !to.starts_with("//");
    let absolute = (to.starts_with("https://") || to.starts_with("http://")) && to.len() > 8;
    if !(local || absolute) || to.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("Must be a path on this blog (/posts/my-post) or an http(s) URL.".into());
    }
    if to.chars().count() > 2 * MAX_PATH_CHARS {
        return Err(format!("At most {} characters.", 2 * MAX_PATH_CHARS));
    }
    if local && lookup_key(to) == from {
        return Err("Must lead somewhere else than the old address itself.".into());
    }
    Ok(to.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(
            lookup_key("/2018/10/20/Keyboard-Navigation/"),
            "/2018/10/20/keyboard-navigation"
        );
        assert_eq!(lookup_key("/about"), "/about");
        assert_eq!(lookup_key("/"), "/");
        assert_eq!(short_link_key("p=1164"), Some("/?p=1164".into()));
        assert_eq!(
            short_link_key("utm=x&page_id=2"),
            Some("/?page_id=2".into())
        );
        assert_eq!(short_link_key("p=abc"), None);
        assert_eq!(short_link_key("s=hello"), None);
        assert_eq!(short_link_key(""), None);
    }

    #[test]
    fn checks() {
        assert_eq!(check_from("/about/"), Ok("/about".into()));
        assert_eq!(
            check_from("https://old.example.com/about/team/"),
            Ok("/about/team".into())
        );
        assert_eq!(
            check_from("https://old.example.com/?p=1164"),
            Ok("/?p=1164".into())
        );
        assert_eq!(check_from("https://old.example.com"), Ok("/".into()));
        assert_eq!(check_from("/?p=1164"), Ok("/?p=1164".into()));
        assert_eq!(check_from("/tag/é/"), Ok("/tag/%c3%a9".into()));
        assert_eq!(lookup_key("/tag/%C3%A9/"), "/tag/%c3%a9");
        assert!(check_from("/?s=x").is_err());
        assert!(check_from("/a?x=1").is_err());
        assert!(check_from("about").is_err());
        assert!(check_from("//evil.example/x").is_err());
        assert!(check_from("/a b").is_err());
        assert!(check_from(&format!("/{}", "a".repeat(600))).is_err());
        assert_eq!(check_to("/posts/x", "/old"), Ok("/posts/x".into()));
        assert_eq!(
            check_to("https://elsewhere.org/x", "/old"),
            Ok("https://elsewhere.org/x".into())
        );
        assert!(check_to("javascript:alert(1)", "/old").is_err());
        assert!(check_to("//evil.example", "/old").is_err());
        assert!(check_to("/old/", "/old").is_err());
        assert!(check_to("", "/old").is_err());
    }
}
