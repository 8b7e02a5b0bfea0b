//! `blogctl export DIR`: the whole blog as a folder a person can read and keep in git — one
//! Markdown file a post (`posts/`) or page (`pages/`) with its front matter and addenda
//! ([`blogctl::export_format`]), every media file (`media/{hash}/{name}`, described in
//! `media.json` with its alt text), the comments of each entry with their threads, kinds and
//! statuses (`comments/{slug}.json`), the settings (`settings.json`; secrets are never in them),
//! the redirects, the newsletter's subscribers (`subscribers.csv`) and the fediverse followers;
//! and all of it that WordPress can hold as `wordpress.xml` (WXR 1.2: [`blogctl::wxr_writer`]),
//! for WordPress's importer or `blogctl import-wxr --uploads DIR`.
//! `INCOMPLETE` is written first and removed last, so an interrupted export says so.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use blog_core::api;
use blogctl::{export_format, wxr_writer};
use serde_json::{json, Value};

use crate::client::Client;

const INCOMPLETE: &str = "INCOMPLETE";

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// A file name that stays inside its folder whatever the blog holds.
fn safe(name: &str) -> Result<&str, String> {
    let ok = !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0']);
    ok.then_some(name)
        .ok_or_else(|| format!("{name:?} cannot be a file name"))
}

pub fn run(client: &Client, dir: &Path) -> Result<(), String> {
    if dir.exists()
        && fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} is not empty: export into a new or empty folder",
            dir.display()
        ));
    }
    write(
        &dir.join(INCOMPLETE),
        "This export did not finish: it is not the whole blog. Run `blogctl export` again into an empty folder.\n",
    )?;

    // Posts and pages, each read whole (Markdown and addenda).
    let listed = client.every_page("/admin/posts", |l: api::PostList| l.posts)?;
    let (mut posts, mut pages) = (0, 0);
    // The order they were written in (an import keeps it: the first entry to use a tag names it).
    let mut order: Vec<(i64, String)> = Vec::new();
    let mut full: Vec<api::Post> = Vec::new();
    for summary in &listed {
        let answer = client.call("GET", &format!("/admin/posts/{}", summary.slug), None)?;
        if answer.status != 200 {
            return Err(answer.problem());
        }
        let post: api::Post =
            serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
        let folder = match post.kind {
            api::EntryKind::Page => {
                pages += 1;
                "pages"
            }
            api::EntryKind::Post => {
                posts += 1;
                "posts"
            }
        };
        let name = format!("{}.md", safe(&post.slug)?);
        write(
            &dir.join(folder).join(name),
            export_format::entry_file(&post),
        )?;
        order.push((post.id, post.slug.clone()));
        full.push(post);
    }
    order.sort();

    // Comments, by the entry they are under, oldest first (parents before their replies).
    let mut by_entry: BTreeMap<String, Vec<api::Comment>> = BTreeMap::new();
    for status in ["pending", "approved", "spam"] {
        let path = format!("/admin/comments?status={status}");
        for c in client.every_page(&path, |l: api::CommentList| l.comments)? {
            by_entry.entry(c.post.clone()).or_default().push(c);
        }
    }
    let mut comments = 0;
    for (slug, list) in by_entry.iter_mut() {
        list.sort_by_key(|c| c.id);
        comments += list.len();
        let name = format!("{}.json", safe(slug)?);
        write(&dir.join("comments").join(name), pretty(&list))?;
    }

    // Media: the files, and what the library says of each.
    let media = client.every_page("/admin/media", |l: api::MediaList| l.media)?;
    for m in &media {
        let path = m.url.trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').collect();
        let ["media", hash, name] = parts.as_slice() else {
            return Err(format!("{}: not a media library address", m.url));
        };
        let bytes = client.get_bytes(&m.url)?;
        write(
            &dir.join("media").join(safe(hash)?).join(safe(name)?),
            bytes,
        )?;
    }
    write(&dir.join("media.json"), pretty(&media))?;

    // Settings (values only), redirects, subscribers, followers.
    let answer = client.call("GET", "/admin/settings", None)?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let settings: api::SettingList =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    let values: BTreeMap<&str, &str> = settings
        .settings
        .iter()
        .map(|s| (s.key.as_str(), s.value.as_str()))
        .collect();
    write(&dir.join("settings.json"), pretty(&values))?;
    let redirects = client.every_page("/admin/redirects", |l: api::RedirectList| l.redirects)?;
    write(&dir.join("redirects.json"), pretty(&redirects))?;
    let subscribers = client.get_text("/admin/subscribers/export")?;
    write(&dir.join("subscribers.csv"), &subscribers)?;
    let followers = client.every_page("/admin/followers", |page: Value| {
        page["followers"].as_array().cloned().unwrap_or_default()
    })?;
    write(&dir.join("followers.json"), pretty(&followers))?;

    // The same for WordPress, its media by URL (or from this folder: import-wxr --uploads).
    full.sort_by_key(|p| p.id);
    let value = |key: &str| values.get(key).copied().unwrap_or_default();
    let channel = wxr_writer::Channel {
        title: value("title"),
        tagline: value("tagline"),
        base_url: value("base_url"),
        author: value("author"),
        language: value("language"),
    };
    write(
        &dir.join("wordpress.xml"),
        wxr_writer::write(&channel, &full, &by_entry, &media),
    )?;

    let counts = json!({
        "posts": posts, "pages": pages, "comments": comments, "media": media.len(),
        "redirects": redirects.len(),
        "subscribers": subscribers.lines().count().saturating_sub(1),
        "followers": followers.len(),
    });
    write(
        &dir.join("blog.json"),
        pretty(&json!({
            "format": 1,
            "base_url": values.get("base_url"),
            "counts": counts,
            "entries": order.into_iter().map(|(_, slug)| slug).collect::<Vec<_>>(),
        })),
    )?;
    fs::remove_file(dir.join(INCOMPLETE)).map_err(|e| format!("{INCOMPLETE}: {e}"))?;
    println!(
        "Exported {posts} posts, {pages} pages, {comments} comments, {} media files, {} redirects, {} subscribers and {} followers into {}.",
        media.len(),
        redirects.len(),
        counts["subscribers"],
        counts["followers"],
        dir.display()
    );
    Ok(())
}
