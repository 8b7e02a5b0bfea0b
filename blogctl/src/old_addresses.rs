//! The addresses an imported WordPress post had, and where each leads now: its permalink, its
//! short link (`/?p=ID`), its comment feed, its categories' and tags' archives, its date archives
//! and its author's archive, plus the site's feeds. The importer stores them as redirects.

use std::collections::BTreeMap;

use blog_core::text::tag_slug;

use crate::wxr::Item;

/// The path (and query) of a URL on the old site: `https://old.example/a/b/?x` → `/a/b/?x`.
fn path_of(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let path = rest.find(['/', '?']).map_or("/", |i| &rest[i..]);
    // WordPress exports sometimes double the slash after the host (`.com//greek/`): one is meant.
    let extra = path.len() - path.trim_start_matches('/').len();
    Some(&path[extra.saturating_sub(1)..])
}

/// Adds the old addresses of `item`, now at `new_path` (`/posts/{slug}`), to `redirects`.
pub fn record(item: &Item, new_path: &str, redirects: &mut BTreeMap<String, String>) {
    let mut add = |from: String, to: &str| {
        if from != "/" && from != to {
            redirects.entry(from).or_insert_with(|| to.to_string());
        }
    };
    if let Some(path) = path_of(&item.link) {
        add(path.to_string(), new_path);
        if !path.contains('?') {
            let feed = format!("{}/feed/", path.trim_end_matches('/'));
            add(
                feed,
                &format!("{}/comments.atom", new_path.trim_end_matches('/')),
            );
        }
    }
    if !item.id.is_empty() {
        add(format!("/?p={}", item.id), new_path);
        if item.post_type == "page" {
            add(format!("/?page_id={}", item.id), new_path);
        }
    }
    for term in &item.terms {
        let base = match term.taxonomy.as_str() {
            "category" => "category",
            "post_tag" => "tag",
            _ => continue,
        };
        let to = if term.name == "Uncategorized" {
            "/".to_string()
        } else {
            format!("/tags/{}", tag_slug(&term.name))
        };
        add(format!("/{base}/{}/", term.nicename), &to);
        add(format!("/{base}/{}/", term.nested), &to);
    }
    // WordPress's date archives: the closest page here is the home page's listing.
    if let Some(date) = &item.date {
        let (y, m, d) = (&date[..4.min(date.len())], date.get(5..7), date.get(8..10));
        if let (Some(m), Some(d)) = (m, d) {
            add(format!("/{y}/"), "/");
            add(format!("/{y}/{m}/"), "/");
            add(format!("/{y}/{m}/{d}/"), "/");
        }
    }
    if !item.creator.is_empty() {
        add(format!("/author/{}/", item.creator), "/");
    }
    add("/feed/".into(), "/feed.atom");
    add("/comments/feed/".into(), "/feed.atom");
}

/// Adds the old addresses of an attachment stored at `address` (`/media/…`): its attachment
/// page, `/?attachment_id=ID`, and the file's own path (which still works if the blog now
/// answers on the old site's domain).
pub fn record_attachment(item: &Item, address: &str, redirects: &mut BTreeMap<String, String>) {
    let mut add = |from: &str| {
        // (An edge-blog export's attachments are at their address already.)
        if from != "/" && from != address {
            redirects
                .entry(from.to_string())
                .or_insert_with(|| address.to_string());
        }
    };
    if let Some(path) = path_of(&item.link) {
        add(path);
    }
    if !item.id.is_empty() {
        add(&format!("/?attachment_id={}", item.id));
    }
    if let Some(path) = path_of(&item.attachment_url) {
        add(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wxr::Term;

    #[test]
    fn a_posts_old_addresses() {
        let item = Item {
            id: "1164".into(),
            link: "https://old.example/2018/10/20/keyboard-navigation/".into(),
            date: Some("2018-10-20T17:02:55Z".into()),
            creator: "themedemos".into(),
            terms: vec![
                Term {
                    taxonomy: "category".into(),
                    nicename: "block".into(),
                    name: "Block".into(),
                    nested: "blocks/block".into(),
                },
                Term {
                    taxonomy: "post_tag".into(),
                    nicename: "ελληνικά".into(),
                    name: "Ελληνικά".into(),
                    nested: "ελληνικά".into(),
                },
            ],
            ..Item::default()
        };
        let mut r = BTreeMap::new();
        record(&item, "/posts/keyboard-navigation", &mut r);
        let to = |from: &str| r.get(from).map(String::as_str);
        assert_eq!(
            to("/2018/10/20/keyboard-navigation/"),
            Some("/posts/keyboard-navigation")
        );
        assert_eq!(
            to("/2018/10/20/keyboard-navigation/feed/"),
            Some("/posts/keyboard-navigation/comments.atom")
        );
        assert_eq!(to("/?p=1164"), Some("/posts/keyboard-navigation"));
        assert_eq!(to("/category/block/"), Some("/tags/block"));
        assert_eq!(
            to("/category/blocks/block/"),
            Some("/tags/block"),
            "nested categories too"
        );
        assert_eq!(
            to("/tag/ελληνικά/"),
            Some(format!("/tags/{}", tag_slug("Ελληνικά")).as_str())
        );
        assert_eq!(to("/2018/10/"), Some("/"));
        assert_eq!(to("/author/themedemos/"), Some("/"));
        assert_eq!(to("/feed/"), Some("/feed.atom"));
        assert_eq!(path_of("https://old.example"), Some("/"));
        let photo = Item {
            id: "611".into(),
            link: "https://old.example/2010/09/10/post-format-gallery/canola2/".into(),
            attachment_url: "https://old.example/wp-content/uploads/2008/06/canola2.jpg".into(),
            ..Item::default()
        };
        let mut r = BTreeMap::new();
        record_attachment(&photo, "/media/ab/canola2.jpg", &mut r);
        assert_eq!(r.len(), 3);
        assert!(r.values().all(|to| to == "/media/ab/canola2.jpg"));
        assert!(r.contains_key("/?attachment_id=611"));
        assert_eq!(path_of("https://old.example/?p=5"), Some("/?p=5"));
        assert_eq!(path_of("https://old.example//greek/x/"), Some("/greek/x/"));
    }

    #[test]
    fn a_pages_old_addresses() {
        let page = Item {
            id: "1811".into(),
            post_type: "page".into(),
            link: "https://old.example/greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/".into(),
            ..Item::default()
        };
        let mut r = BTreeMap::new();
        record(&page, "/greek/epipedo-2/", &mut r);
        let to = |from: &str| r.get(from).map(String::as_str);
        assert_eq!(to("/?page_id=1811"), Some("/greek/epipedo-2/"));
        assert_eq!(to("/?p=1811"), Some("/greek/epipedo-2/"));
        assert_eq!(
            to("/greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/feed/"),
            Some("/greek/epipedo-2/comments.atom")
        );
        // An address that stays the same needs no redirect (it would loop).
        let about = Item {
            id: "2".into(),
            post_type: "page".into(),
            link: "https://old.example/about/".into(),
            ..Item::default()
        };
        let mut r = BTreeMap::new();
        record(&about, "/about/", &mut r);
        assert!(!r.contains_key("/about/"));
        assert_eq!(r.get("/?page_id=2").map(String::as_str), Some("/about/"));
    }
}
