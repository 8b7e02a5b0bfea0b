//! `blogctl export DIR`: the whole blog as a folder a person can read and keep in git — one
//! Markdown file a post (`posts/`) or page (`pages/`) with its front matter and addenda
//! ([`blogctl::export_format`]), every media file (`media/{hash}/{name}`, described in
//! `media.json` with its alt text), the comments of each entry with their threads, kinds and
//! statuses (`comments/{slug}.json`), the settings (`settings.json`; secrets are never in them),
//! the redirects, the newsletter's subscribers (`subscribers.csv`) and the fediverse followers;
//! and all of it that WordPress can hold as `wordpress.xml` (WXR 1.2: [`blogctl::wxr_writer`]),
//! for WordPress's importer or `blogctl import-wxr --uploads DIR`.
//! `INCOMPLETE` is written first and removed last, so an interrupted export says so.
//!
//! A backup the blog made on its own (`blogctl backups get`) is written the same way: both are an
//! [`api::Backup`] first, read from the admin API here or from R2 there.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use blog_core::api;
use blogctl::{export_format, wxr_writer};
use serde_json::json;

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

/// Refuses a folder that holds anything, and marks a new one incomplete until it is written.
pub fn start(dir: &Path) -> Result<(), String> {
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
    )
}

pub fn run(client: &Client, dir: &Path) -> Result<(), String> {
    start(dir)?;
    let blog = gather(client)?;
    write_folder(client, dir, &blog)
}

/// The whole blog from the admin API.
fn gather(client: &Client) -> Result<api::Backup, String> {
    // Posts and pages, each read whole (Markdown and addenda).
    let listed = client.every_page("/admin/posts", |l: api::PostList| l.posts)?;
    let mut entries = Vec::new();
    for summary in &listed {
        let answer = client.call("GET", &format!("/admin/posts/{}", summary.slug), None)?;
        if answer.status != 200 {
            return Err(answer.problem());
        }
        entries.push(serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?);
    }
    let mut comments = Vec::new();
    for status in ["pending", "approved", "spam"] {
        let path = format!("/admin/comments?status={status}");
        comments.extend(client.every_page(&path, |l: api::CommentList| l.comments)?);
    }
    let media = client.every_page("/admin/media", |l: api::MediaList| l.media)?;
    let answer = client.call("GET", "/admin/settings", None)?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let settings: api::SettingList =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    Ok(api::Backup {
        format: 1,
        made_at: String::new(),
        entries,
        comments,
        media,
        settings: settings
            .settings
            .into_iter()
            .map(|s| (s.key, s.value))
            .collect(),
        redirects: client.every_page("/admin/redirects", |l: api::RedirectList| l.redirects)?,
        subscribers_csv: client.get_text("/admin/subscribers/export")?,
        followers: client.every_page("/admin/followers", |page: serde_json::Value| {
            serde_json::from_value(page["followers"].clone()).unwrap_or_default()
        })?,
    })
}

/// Writes `blog` into `dir` (already [`start`]ed), the media files' bytes read from the blog.
pub fn write_folder(client: &Client, dir: &Path, blog: &api::Backup) -> Result<(), String> {
    let mut entries: Vec<&api::Post> = blog.entries.iter().collect();
    // The order they were written in (an import keeps it: the first entry to use a tag names it).
    entries.sort_by_key(|p| p.id);
    let (mut posts, mut pages) = (0, 0);
    for post in &entries {
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
            export_format::entry_file(post),
        )?;
    }

    // Comments, by the entry they are under, oldest first (parents before their replies).
    let mut by_entry: BTreeMap<String, Vec<api::Comment>> = BTreeMap::new();
    for c in &blog.comments {
        by_entry.entry(c.post.clone()).or_default().push(c.clone());
    }
    for (slug, list) in by_entry.iter_mut() {
        list.sort_by_key(|c| c.id);
        let name = format!("{}.json", safe(slug)?);
        write(&dir.join("comments").join(name), pretty(&list))?;
    }

    // Media: the files, and what the library says of each.
    for m in &blog.media {
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
    write(&dir.join("media.json"), pretty(&blog.media))?;
    write(&dir.join("settings.json"), pretty(&blog.settings))?;
    write(&dir.join("redirects.json"), pretty(&blog.redirects))?;
    write(&dir.join("subscribers.csv"), &blog.subscribers_csv)?;
    write(&dir.join("followers.json"), pretty(&blog.followers))?;

    // The same for WordPress, its media by URL (or from this folder: import-wxr --uploads).
    let value = |key: &str| blog.settings.get(key).map_or("", String::as_str);
    let channel = wxr_writer::Channel {
        title: value("title"),
        tagline: value("tagline"),
        base_url: value("base_url"),
        author: value("author"),
        language: value("language"),
    };
    let full: Vec<api::Post> = entries.iter().map(|p| (*p).clone()).collect();
    write(
        &dir.join("wordpress.xml"),
        wxr_writer::write(&channel, &full, &by_entry, &blog.media),
    )?;

    let subscribers = blog.subscribers_csv.lines().count().saturating_sub(1);
    let counts = json!({
        "posts": posts, "pages": pages, "comments": blog.comments.len(), "media": blog.media.len(),
        "redirects": blog.redirects.len(), "subscribers": subscribers,
        "followers": blog.followers.len(),
    });
    write(
        &dir.join("blog.json"),
        pretty(&json!({
            "format": 1,
            "base_url": value("base_url"),
            "counts": counts,
            "entries": entries.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(),
        })),
    )?;
    fs::remove_file(dir.join(INCOMPLETE)).map_err(|e| format!("{INCOMPLETE}: {e}"))?;
    println!(
        "Exported {posts} posts, {pages} pages, {} comments, {} media files, {} redirects, {subscribers} subscribers and {} followers into {}.",
        blog.comments.len(),
        blog.media.len(),
        blog.redirects.len(),
        blog.followers.len(),
        dir.display()
    );
    Ok(())
}
