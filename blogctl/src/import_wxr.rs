//! `blogctl import-wxr` and `blogctl import-disqus`: a WordPress export's posts, pages,
//! attachments and comment threads (and a Disqus export's comments) into the blog, idempotently,
//! with a report of what changed on the way. An edge-blog WXR (`blogctl export`'s
//! `wordpress.xml`) comes back exactly: its Markdown, addenda and times ride in `wp:postmeta`.

use std::path::Path;

use blog_core::api;
use blog_core::routes::is_slug;
use blog_core::text::{self as text_rules, Letters};
use blogctl::wxr;
use serde_json::json;

use crate::client::Client;
use crate::read;

#[derive(Default)]
struct Summary {
    /// Posts WordPress did not show to everyone (private, pending, password-protected), imported
    /// as drafts.
    kept_private: Vec<String>,
    /// What had to change to fit (tags cut, …).
    changed: Vec<String>,
    /// Shortcodes converted, and those kept as text (with the post they are in).
    shortcodes_converted: usize,
    shortcodes_unknown: Vec<String>,
    posts: usize,
    posts_present: usize,
    pages: usize,
    pages_present: usize,
    /// Pages by WordPress id: their slug and address here, for their children.
    pages_by_id: std::collections::BTreeMap<String, (String, String)>,
    comments: usize,
    comments_present: usize,
    skipped: Vec<String>,
    failed: Vec<String>,
    /// Old addresses of public posts → their new ones.
    redirects: std::collections::BTreeMap<String, String>,
    /// A dry run: the slugs already on the blog (nothing is written).
    dry_run: Option<std::collections::BTreeSet<String>>,
    /// Attachments stored: old URL → media address.
    media: Vec<(String, String)>,
    /// The stored images, for `[gallery]`.
    gallery_images: Vec<blogctl::shortcodes::GalleryImage>,
    /// The image attachments that could not be stored, at their old addresses.
    gallery_lost: Vec<blogctl::shortcodes::GalleryImage>,
    /// Shortcodes readers will not see as WordPress showed them, by post.
    shortcode_notes: Vec<String>,
    /// Attachments that could not be fetched or stored (reported, not fatal).
    media_failed: Vec<String>,
    references_rewritten: usize,
}

/// Stores every attachment through the media API, fetched from its URL or read from a local copy
/// of the uploads folder; records where each now lives and its old addresses as redirects.
fn import_attachments(
    client: &Client,
    items: &[wxr::Item],
    uploads: Option<&Path>,
    summary: &mut Summary,
) {
    let attachments: Vec<&wxr::Item> = items
        .iter()
        .filter(|i| i.post_type == "attachment" && !i.attachment_url.is_empty())
        .collect();
    let total = attachments.len();
    let fetcher: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into();
    for (n, item) in attachments.into_iter().enumerate() {
        let url = &item.attachment_url;
        if summary.dry_run.is_some() {
            // Nothing is downloaded or stored; a local copy is checked for the file.
            let missing = uploads.and_then(|dir| {
                let found = blogctl::attachments::uploads_path(url)
                    .is_some_and(|relative| dir.join(relative).is_file());
                (!found).then(|| format!("{url}: not in {}", dir.display()))
            });
            match missing {
                Some(reason) => summary.media_failed.push(reason),
                None => summary.media.push((url.clone(), String::new())),
            }
            continue;
        }
        let bytes = match uploads {
            Some(dir) => blogctl::attachments::uploads_path(url)
                .ok_or_else(|| format!("{url}: not a file address"))
                .and_then(|relative| {
                    std::fs::read(dir.join(&relative))
                        .map_err(|e| format!("{url}: {}: {e}", dir.join(&relative).display()))
                }),
            None => fetcher
                .get(url)
                .call()
                .map_err(|e| format!("{url}: {e}"))
                .and_then(|mut r| {
                    r.body_mut()
                        .with_config()
                        .limit(100 * 1024 * 1024)
                        .read_to_vec()
                        .map_err(|e| format!("{url}: {e}"))
                }),
        };
        let name = blogctl::attachments::file_name(url);
        let stored = bytes.and_then(|bytes| client.upload_bytes(url, &name, bytes, &item.alt));
        match stored {
            Ok(media) => {
                eprintln!("[media {}/{total}] {url} → {}", n + 1, media.url);
                let address = media
                    .url
                    .find("/media/")
                    .map_or(media.url.clone(), |i| media.url[i..].to_string());
                blogctl::old_addresses::record_attachment(item, &address, &mut summary.redirects);
                if media.width.is_some() {
                    summary
                        .gallery_images
                        .push(blogctl::shortcodes::GalleryImage {
                            id: item.id.clone(),
                            parent: item.parent.clone(),
                            src: address.clone(),
                            alt: item.alt.clone(),
                        });
                }
                summary.media.push((url.clone(), address));
            }
            Err(reason) => {
                eprintln!("[media {}/{total}] FAILED: {reason}", n + 1);
                summary.media_failed.push(reason);
                if blogctl::attachments::is_image_address(url) {
                    summary
                        .gallery_lost
                        .push(blogctl::shortcodes::GalleryImage {
                            id: item.id.clone(),
                            parent: item.parent.clone(),
                            src: url.clone(),
                            alt: item.alt.clone(),
                        });
                }
            }
        }
    }
}

pub fn import_wxr(
    client: &Client,
    file: &Path,
    uploads: Option<&Path>,
    dry_run: bool,
) -> Result<bool, String> {
    let items = wxr::parse(&read(file)?).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut summary = Summary::default();
    if dry_run {
        let posts = client.every_page("/admin/posts", |l: api::PostList| l.posts)?;
        summary.dry_run = Some(posts.into_iter().map(|p| p.slug).collect());
        println!("Dry run: nothing is written; the counts say what an import would do.");
    }
    import_attachments(client, &items, uploads, &mut summary);
    let mut items: Vec<&wxr::Item> = items
        .iter()
        .filter(|i| i.post_type != "attachment")
        .collect();
    // Parent pages before their children (a stable sort keeps the file's order otherwise).
    let depths = wxr::page_depths(&items);
    items.sort_by_key(|item| depths.get(item.id.as_str()).copied().unwrap_or(0));
    let total = items.len();
    for (n, item) in items.into_iter().enumerate() {
        let label = format!("[{}/{total}] {:?} (line {})", n + 1, item.title, item.line);
        match import_item(client, item, &mut summary) {
            Ok(outcome) => eprintln!("{label}: {outcome}"),
            Err(reason) => {
                eprintln!("{label}: FAILED: {reason}");
                summary.failed.push(format!(
                    "{}, line {}: {:?}: {reason}",
                    file.display(),
                    item.line,
                    item.title
                ));
            }
        }
    }
    let redirects: Vec<api::Redirect> = summary
        .redirects
        .iter()
        .map(|(from, to)| api::Redirect {
            from: from.clone(),
            to: to.clone(),
            created_at: None,
        })
        .collect();
    let mut recorded = 0;
    if summary.dry_run.is_some() {
        recorded = redirects.len();
    }
    for chunk in redirects.chunks(500).filter(|_| summary.dry_run.is_none()) {
        let body = serde_json::to_value(api::RedirectList {
            redirects: chunk.to_vec(),
        })
        .map_err(|e| e.to_string())?;
        let answer = client.call("POST", "/admin/redirects", Some(&body))?;
        if answer.status == 200 {
            recorded += chunk.len();
        } else {
            summary
                .failed
                .push(format!("redirects: {}", answer.problem()));
        }
    }
    println!(
        "Imported {} posts ({} already there), {} pages ({} already there) and {} comments ({} already there); skipped {}; failed {}.",
        summary.posts,
        summary.posts_present,
        summary.pages,
        summary.pages_present,
        summary.comments,
        summary.comments_present,
        summary.skipped.len(),
        summary.failed.len()
    );
    if !summary.kept_private.is_empty() {
        println!(
            "Kept as drafts ({}), because WordPress did not show them to everyone:",
            summary.kept_private.len()
        );
        for p in &summary.kept_private {
            println!("  draft: {p}");
        }
    }
    println!("Redirects: {recorded} old addresses lead to their new pages (blogctl redirect ls).");
    println!(
        "Media: {} files stored in the media library, {} failed; {} references rewritten.",
        summary.media.len(),
        summary.media_failed.len(),
        summary.references_rewritten
    );
    for f in &summary.media_failed {
        println!("  media failed: {f}");
    }
    for c in &summary.changed {
        println!("  changed: {c}");
    }
    println!(
        "Shortcodes: {} converted, {} kept as text.",
        summary.shortcodes_converted,
        summary.shortcodes_unknown.len()
    );
    for u in &summary.shortcodes_unknown {
        println!("  kept as text: {u}");
    }
    for note in &summary.shortcode_notes {
        println!("  not as WordPress showed it: {note}");
    }
    for s in &summary.skipped {
        println!("  skipped: {s}");
    }
    for f in &summary.failed {
        println!("  failed: {f}");
    }
    Ok(summary.failed.is_empty())
}

fn import_item(client: &Client, item: &wxr::Item, summary: &mut Summary) -> Result<String, String> {
    let is_page = match item.post_type.as_str() {
        "post" => false,
        "page" => true,
        "" => {
            summary
                .skipped
                .push(format!("{:?}: an item without a type", item.title));
            return Ok("skipped (no type)".into());
        }
        other => {
            summary
                .skipped
                .push(format!("{:?}: a {other}, not a post or page", item.title));
            return Ok(format!("skipped ({other})"));
        }
    };
    let status = match item.status.as_str() {
        "publish" | "future" => "published",
        "draft" | "pending" | "private" | "auto-draft" => "draft",
        "trash" => {
            summary
                .skipped
                .push(format!("{:?}: in the trash", item.title));
            return Ok("skipped (trash)".into());
        }
        other => return Err(format!("unknown wp:status {other:?}")),
    };
    // Never public what WordPress kept from the public: a password-protected post is a draft
    // here (the blog has no password prompt), and so are private and pending ones.
    let protected = !item.password.is_empty();
    let private_reason = if protected {
        Some("password-protected")
    } else {
        match item.status.as_str() {
            "private" => Some("private"),
            "pending" => Some("pending review"),
            _ => None,
        }
    };
    let status = if private_reason.is_some() {
        "draft"
    } else {
        status
    };
    if let Some(reason) = private_reason {
        summary
            .kept_private
            .push(format!("{:?} ({reason})", item.title));
    }
    let mut tags = item.tags.clone();
    if tags.len() > blog_core::validation::MAX_TAGS {
        summary.changed.push(format!(
            "{:?}: {} tags and categories, the first {} kept",
            item.title,
            tags.len(),
            blog_core::validation::MAX_TAGS
        ));
        tags.truncate(blog_core::validation::MAX_TAGS);
    }
    let title = if item.title.is_empty() {
        "(untitled)".to_string()
    } else {
        item.title.clone()
    };
    let decoded = percent_encoding::percent_decode_str(&item.slug)
        .decode_utf8_lossy()
        .to_lowercase();
    let slug = [
        decoded.clone(),
        text_rules::slug(&decoded, Letters::Ascii),
        text_rules::slug(&title, Letters::Ascii),
        format!("post-{}", item.id),
    ]
    .into_iter()
    .find(|s| is_slug(s))
    .unwrap_or_default();
    // A page's parent must have come first (see `wxr::page_depths`); one that is missing (not
    // in the file, or failed) leaves the page at the top level, which the summary says.
    let parent = match is_page && item.parent != "0" && !item.parent.is_empty() {
        true => match summary.pages_by_id.get(&item.parent) {
            Some(parent) => Some(parent.clone()),
            None => {
                summary.changed.push(format!(
                    "{:?}: its parent page ({}) is not imported: placed at the top level",
                    item.title, item.parent
                ));
                None
            }
        },
        false => None,
    };
    let slug = match is_page && !blog_core::routes::page_slug_allowed(&slug, parent.is_none()) {
        true => {
            let renamed = format!("{slug}-page");
            summary.changed.push(format!(
                "{:?}: the slug {slug:?} is one of the blog's own addresses: {renamed:?} instead",
                item.title
            ));
            renamed
        }
        false => slug,
    };
    let new_path = match is_page {
        true => blog_core::routes::page_path(parent.as_ref().map(|(_, path)| path.as_str()), &slug),
        false => blog_core::routes::post_path(&slug),
    };
    if is_page {
        summary
            .pages_by_id
            .insert(item.id.clone(), (slug.clone(), new_path.clone()));
    }
    if let Some(markdown) = &item.markdown {
        return import_own_item(client, item, (&slug, markdown, status), parent, summary);
    }
    let gallery = blogctl::shortcodes::Gallery {
        post_id: &item.id,
        images: &summary.gallery_images,
        lost: &summary.gallery_lost,
    };
    let mut content = blogctl::shortcodes::convert(&item.content, &gallery);
    let (html, rewritten) = blogctl::attachments::rewrite(&content.html, &summary.media);
    content.html = html;
    summary.references_rewritten += rewritten;
    summary.shortcodes_converted += content.converted.len();
    for name in &content.unknown {
        summary
            .shortcodes_unknown
            .push(format!("[{name}] in {:?}", item.title));
    }
    for note in &content.notes {
        summary
            .shortcode_notes
            .push(format!("{note}, in {:?}", item.title));
    }
    // An imported post was published elsewhere long ago: it never goes out to subscribers.
    let mut post = json!({"title": title, "body": content.html, "slug": slug, "status": status,
                          "tags": tags, "newsletter": false});
    if is_page {
        post = json!({
            "type": "page",
            "title": title,
            "body": content.html,
            "slug": slug,
            "status": status,
            "parent": parent.map(|(slug, _)| slug),
            "menu_order": item.menu_order,
            "comments_open": item.comments_open,
        });
    }
    if let Some(date) = &item.date {
        post["published_at"] = json!(date);
    }
    if content.html.trim().is_empty() {
        post["body"] = json!("(This post has no content.)");
    }
    let created = match &summary.dry_run {
        Some(existing) => !existing.contains(&slug),
        None => {
            let answer = client.call("POST", "/admin/posts", Some(&post))?;
            match answer.status {
                201 => true,
                409 => false,
                _ => return Err(answer.problem()),
            }
        }
    };
    let post_outcome = if created {
        match is_page {
            true => summary.pages += 1,
            false => summary.posts += 1,
        }
        if summary.dry_run.is_some() {
            "would be imported"
        } else {
            "imported"
        }
    } else {
        match is_page {
            true => summary.pages_present += 1,
            false => summary.posts_present += 1,
        }
        if private_reason.is_some() && summary.dry_run.is_none() {
            // An earlier import may have published it: make sure it is a draft now.
            let fix = client.call(
                "PATCH",
                &format!("/admin/posts/{slug}"),
                Some(&json!({"status": "draft"})),
            )?;
            if fix.status != 200 {
                return Err(fix.problem());
            }
        }
        "already there"
    };
    if status == "published" {
        blogctl::old_addresses::record(item, &new_path, &mut summary.redirects);
    }

    let (imported, present) = import_comments(client, &slug, &item.comments, false, summary)?;
    Ok(format!("{post_outcome} as {new_path} ({status}); {imported} comments imported, {present} already there"))
}

/// An item of edge-blog's own WXR: brought back exactly as it was written (its Markdown, tags,
/// addenda and times) through `POST /admin/restore`, which never overwrites an entry that is
/// there.
fn import_own_item(
    client: &Client,
    item: &wxr::Item,
    (slug, markdown, status): (&str, &str, &str),
    parent: Option<(String, String)>,
    summary: &mut Summary,
) -> Result<String, String> {
    let is_page = item.post_type == "page";
    let mut entry = json!({
        "title": item.title, "body": markdown, "slug": slug, "status": status,
        "published_at": item.date, "tags": item.tags, "comments_open": item.comments_open,
        "newsletter": false,
    });
    if is_page {
        entry = json!({
            "type": "page", "title": item.title, "body": markdown, "slug": slug, "status": status,
            "published_at": item.date, "comments_open": item.comments_open,
            "parent": parent.map(|(slug, _)| slug), "menu_order": item.menu_order,
            "in_menu": item.in_menu.unwrap_or(true),
        });
    }
    let addenda: Vec<_> = item
        .addenda
        .iter()
        .map(|(at, body)| json!({"at": at, "body": body}))
        .collect();
    let updated = item.updated.clone().or(item.date.clone());
    let created = match &summary.dry_run {
        Some(existing) => !existing.contains(slug),
        None => {
            let body = json!({"entry": entry, "updated_at": updated, "addenda": addenda});
            let answer = client.call("POST", "/admin/restore", Some(&body))?;
            match answer.status {
                201 => true,
                200 => false,
                409 => {
                    summary.changed.push(format!(
                        "{:?}: {}",
                        item.title,
                        answer.body["error"].as_str().unwrap_or("a conflict")
                    ));
                    false
                }
                _ => return Err(answer.problem()),
            }
        }
    };
    match (created, is_page) {
        (true, true) => summary.pages += 1,
        (true, false) => summary.posts += 1,
        (false, true) => summary.pages_present += 1,
        (false, false) => summary.posts_present += 1,
    }
    let (imported, present) = import_comments(client, slug, &item.comments, true, summary)?;
    let outcome = if created { "imported" } else { "already there" };
    Ok(format!(
        "{outcome} as it was written ({status}); {imported} comments imported, {present} already there"
    ))
}

/// Stores comments (WordPress's, or Disqus's in the same shape) on the post `slug`, parents
/// first, 40 a request; the blog skips those it has by key. Spam is left out, unless
/// `keep_spam` (an edge-blog export, whose spam the author had kept). Returns how many were new
/// and how many were there already (in a dry run: how many would be sent).
fn import_comments(
    client: &Client,
    slug: &str,
    comments: &[wxr::Comment],
    keep_spam: bool,
    summary: &mut Summary,
) -> Result<(usize, usize), String> {
    let mut imported = 0;
    let mut present = 0;
    let mut rows = Vec::new();
    for c in wxr::parents_first(comments) {
        let status = match c.approved.as_str() {
            "1" => "approved",
            "0" => "pending",
            "spam" if keep_spam => "spam",
            other => {
                let why = if other == "spam" {
                    "spam"
                } else {
                    "in the trash"
                };
                summary
                    .skipped
                    .push(format!("comment {} on {slug}: {why}", c.id));
                continue;
            }
        };
        let Some(at) = &c.date else {
            summary.failed.push(format!(
                "comment {} on {slug}: no wp:comment_date_gmt",
                c.id
            ));
            continue;
        };
        let mut row = json!({
            "key": c.id, "author": if c.author.is_empty() { "Anonymous" } else { c.author.as_str() },
            "email": c.email, "url": c.url, "body": wxr::comment_text(&c.content), "at": at, "status": status,
            "by_post_author": !c.user_id.is_empty() && c.user_id != "0",
            "kind": c.kind(),
        });
        if let Some(parent) = c.parent_id() {
            row["parent_key"] = json!(parent);
        }
        rows.push(row);
    }
    if summary.dry_run.is_some() {
        // Which of them are there already only the blog knows: at most this many are new.
        imported = rows.len();
    }
    for chunk in rows.chunks(40).filter(|_| summary.dry_run.is_none()) {
        let answer = client.call(
            "POST",
            "/admin/import",
            Some(&json!({"post": slug, "comments": chunk})),
        )?;
        if answer.status != 200 {
            return Err(format!("comments: {}", answer.problem()));
        }
        imported += answer.body["imported"].as_u64().unwrap_or(0) as usize;
        present += answer.body["skipped"].as_u64().unwrap_or(0) as usize;
        for f in answer.body["failed"].as_array().into_iter().flatten() {
            summary.failed.push(format!("comment on {slug}: {f}"));
        }
    }
    summary.comments += imported;
    summary.comments_present += present;
    Ok((imported, present))
}

/// The slug of the post a Disqus thread was on: its address is the post's own, or an old address
/// with a redirect to a post.
fn thread_post(link: &str, redirects: &[api::Redirect]) -> Option<String> {
    let from = blog_core::redirects::check_from(link).ok()?;
    let target = match from.strip_prefix("/posts/") {
        Some(_) => from.clone(),
        None => redirects.iter().find(|r| r.from == from)?.to.clone(),
    };
    let slug = target.strip_prefix("/posts/")?.trim_end_matches('/');
    is_slug(slug).then(|| slug.to_string())
}

pub fn import_disqus(client: &Client, file: &Path) -> Result<bool, String> {
    let export =
        blogctl::disqus::parse(&read(file)?).map_err(|e| format!("{}: {e}", file.display()))?;
    let redirects = client.every_page("/admin/redirects", |l: api::RedirectList| l.redirects)?;
    let mut summary = Summary::default();
    let mut unmatched = Vec::new();
    let mut posts = std::collections::BTreeSet::new();
    for thread in export.threads.iter().filter(|t| !t.comments.is_empty()) {
        let Some(slug) = thread_post(&thread.link, &redirects) else {
            unmatched.push(format!(
                "{:?} ({}): {} comments; no post has this address (blogctl redirect add {} /posts/…, then run this again)",
                thread.title,
                thread.link,
                thread.comments.len(),
                thread.link
            ));
            continue;
        };
        match import_comments(client, &slug, &thread.comments, false, &mut summary) {
            Ok((imported, present)) => {
                posts.insert(slug.clone());
                eprintln!(
                    "{:?} → /posts/{slug}: {imported} comments imported, {present} already there",
                    thread.title
                );
            }
            Err(reason) => summary.failed.push(format!("{:?}: {reason}", thread.title)),
        }
    }
    println!(
        "Imported {} comments ({} already there) on {} posts; skipped {}; threads without a post {}; failed {}.",
        summary.comments,
        summary.comments_present,
        posts.len(),
        summary.skipped.len(),
        unmatched.len(),
        summary.failed.len()
    );
    if export.orphans > 0 {
        println!(
            "  {} comments name a thread the export does not have.",
            export.orphans
        );
    }
    for u in &unmatched {
        println!("  no post: {u}");
    }
    for s in &summary.skipped {
        println!("  skipped: {s}");
    }
    for f in &summary.failed {
        println!("  failed: {f}");
    }
    Ok(summary.failed.is_empty() && unmatched.is_empty())
}
