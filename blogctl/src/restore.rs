//! `blogctl import DIR`: brings back a folder `blogctl export` wrote (or a person edited) — into
//! an empty blog, all of it; into one with content, what is missing. Nothing here is ever
//! overwritten: an entry, setting or redirect that differs is reported as a conflict (with which
//! copy is newer) and left as it is. Run twice, the second run changes nothing.
//!
//! Every item is checked on its own: a broken front matter line, a missing media file, a comment
//! whose parent is gone, two files with one slug or a file the blog refuses is named with its
//! file (and line), the rest is still imported, and the exit status says something was refused.
//! An entry goes in whole (text, addenda and the time it was last changed in one request).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use blog_core::api;
use blog_core::routes::is_slug;
use blogctl::export_format::{self, EntryFile};
use serde_json::{json, Value};

use crate::client::Client;

/// Comments sent in one request: each may take a few queries (its id, its parent, the insert).
const COMMENTS_A_REQUEST: usize = 10;
/// Followers sent in one request.
const FOLLOWERS_A_REQUEST: usize = 20;

/// What an import did, by kind of thing: restored, there already, and each problem.
#[derive(Default)]
struct Report {
    dry_run: bool,
    restored: BTreeMap<&'static str, usize>,
    present: BTreeMap<&'static str, usize>,
    conflicts: Vec<String>,
    refused: Vec<String>,
}

impl Report {
    fn restored(&mut self, what: &'static str, n: usize) {
        if n > 0 {
            *self.restored.entry(what).or_default() += n;
        }
    }
    fn present(&mut self, what: &'static str, n: usize) {
        if n > 0 {
            *self.present.entry(what).or_default() += n;
        }
    }
    fn refuse(&mut self, what: impl Into<String>) {
        let what = what.into();
        eprintln!("refused: {what}");
        self.refused.push(what);
    }
    fn conflict(&mut self, what: impl Into<String>) {
        let what = what.into();
        eprintln!("conflict: {what}");
        self.conflicts.push(what);
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A JSON file of the export; `None` (and nothing to do) when it is not there.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, String> {
    if !path.exists() {
        return Ok(None);
    }
    let text = read_text(path)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{}: line {}: {e}", path.display(), e.line()))
}

/// The files of `folder` (under `dir`) ending in `.{extension}`, sorted; none when there is no
/// such folder.
fn files_in(dir: &Path, folder: &str, extension: &str) -> Vec<PathBuf> {
    let Ok(listing) = fs::read_dir(dir.join(folder)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .collect();
    files.sort();
    files
}

/// A file's name in messages: its path within the export.
fn label_of(dir: &Path, file: &Path) -> String {
    file.strip_prefix(dir).unwrap_or(file).display().to_string()
}

/// The line of a file where `needle` first appears (1 when it does not).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

pub fn run(client: &Client, dir: &Path, dry_run: bool) -> Result<bool, String> {
    if dir.join("INCOMPLETE").exists() {
        return Err(format!(
            "{}: this export did not finish (it has an INCOMPLETE file): it is not the whole blog; export again",
            dir.display()
        ));
    }
    let about: Value = read_json(&dir.join("blog.json"))?.ok_or_else(|| {
        format!(
            "{}: not a blogctl export (it has no blog.json)",
            dir.display()
        )
    })?;
    if about["format"] != json!(1) {
        return Err(format!(
            "{}: blog.json says format {}; this blogctl reads format 1",
            dir.display(),
            about["format"]
        ));
    }
    let mut report = Report {
        dry_run,
        ..Report::default()
    };
    settings(client, dir, &mut report)?;
    media(client, dir, &mut report)?;
    let order: Vec<String> = about["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    let entries = entries(client, dir, &order, &mut report)?;
    comments(client, dir, &entries, &mut report)?;
    redirects(client, dir, &mut report)?;
    subscribers(client, dir, &mut report)?;
    followers(client, dir, &mut report)?;

    let list = |counts: &BTreeMap<&str, usize>| {
        let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        }
    };
    let verb = if dry_run { "Would restore" } else { "Restored" };
    println!(
        "{verb} {}; already there: {}; {} conflicts (left as they are); {} refused.",
        list(&report.restored),
        list(&report.present),
        report.conflicts.len(),
        report.refused.len()
    );
    Ok(report.conflicts.is_empty() && report.refused.is_empty())
}

/// Settings: one the blog still has at its default takes the export's value; one it has
/// changed is a conflict when it differs.
fn settings(client: &Client, dir: &Path, report: &mut Report) -> Result<(), String> {
    let path = dir.join("settings.json");
    let Some(wanted) = read_json::<BTreeMap<String, String>>(&path)? else {
        return Ok(());
    };
    let answer = client.call("GET", "/admin/settings", None)?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let here: api::SettingList =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    let mut patch = serde_json::Map::new();
    for (key, value) in &wanted {
        match here.settings.iter().find(|s| &s.key == key) {
            None => report.refuse(format!(
                "settings.json: {key}: this blog has no such setting"
            )),
            Some(s) if &s.value == value => report.present("settings", 1),
            Some(s) if s.value == s.default => {
                patch.insert(key.clone(), json!(value));
            }
            Some(s) => report.conflict(format!(
                "settings.json: {key} is {:?} here and {value:?} in the export",
                s.value
            )),
        }
    }
    if patch.is_empty() {
        return Ok(());
    }
    let n = patch.len();
    if report.dry_run {
        report.restored("settings", n);
        return Ok(());
    }
    let answer = client.call("PATCH", "/admin/settings", Some(&Value::Object(patch)))?;
    match answer.status {
        200 => report.restored("settings", n),
        _ => report.refuse(format!("settings.json: {}", answer.problem())),
    }
    Ok(())
}

/// Media files: each one the library lacks is uploaded with its name and alt text (its address
/// is its content's hash, so it is the same address as before).
fn media(client: &Client, dir: &Path, report: &mut Report) -> Result<(), String> {
    let Some(listed) = read_json::<Vec<api::Media>>(&dir.join("media.json"))? else {
        return Ok(());
    };
    let here: BTreeSet<String> = client
        .every_page("/admin/media", |l: api::MediaList| l.media)?
        .into_iter()
        .map(|m| m.url)
        .collect();
    for m in &listed {
        if here.contains(&m.url) {
            report.present("media files", 1);
            continue;
        }
        let relative = m.url.trim_start_matches('/');
        let file = dir.join(relative);
        let safe = relative.split('/').all(|p| !p.is_empty() && p != "..");
        if !safe || !relative.starts_with("media/") {
            report.refuse(format!(
                "media.json: {}: not a media library address",
                m.url
            ));
            continue;
        }
        let bytes = match fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) => {
                report.refuse(format!("{relative}: {e} (media.json lists it)"));
                continue;
            }
        };
        if report.dry_run {
            report.restored("media files", 1);
            continue;
        }
        match client.upload_bytes(relative, &m.name, bytes, &m.alt) {
            Ok(stored) if stored.url == m.url => report.restored("media files", 1),
            Ok(stored) => report.conflict(format!(
                "{relative}: its bytes are not the exported file's (edited?): stored at {}, and entries pointing at {} will not find it",
                stored.url, m.url
            )),
            Err(e) => report.refuse(e),
        }
    }
    Ok(())
}

/// An entry file read and checked, with where it came from.
struct Entry {
    file: PathBuf,
    slug: String,
    read: EntryFile,
}

/// Posts and pages: read and checked first (each refused one named with its line), then sent in
/// the order they were first written (`order`, from blog.json; the first entry to use a tag
/// names it), parents before their child pages. The slugs that are on the blog afterwards.
fn entries(
    client: &Client,
    dir: &Path,
    order: &[String],
    report: &mut Report,
) -> Result<BTreeSet<String>, String> {
    let mut found: Vec<Entry> = Vec::new();
    let mut slugs: HashMap<String, PathBuf> = HashMap::new();
    for folder in ["pages", "posts"] {
        for file in files_in(dir, folder, "md") {
            let label = label_of(dir, &file);
            let read = match read_text(&file)
                .and_then(|t| export_format::read_entry(&t).map_err(|e| format!("{label}: {e}")))
            {
                Ok(read) => read,
                Err(e) => {
                    report.refuse(e);
                    continue;
                }
            };
            let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
            let Some(slug) = read.doc.slug.clone().or(stem).filter(|s| is_slug(s)) else {
                report.refuse(format!("{label}: no usable slug; add `slug: some-words`"));
                continue;
            };
            if read.doc.page != (folder == "pages") {
                report.refuse(format!(
                    "{label}: a {} in {folder}/: move it, or change its `type`",
                    if read.doc.page { "page" } else { "post" }
                ));
                continue;
            }
            if let Some(other) = slugs.get(&slug) {
                report.refuse(format!(
                    "{label}: line {}: the slug {slug:?} is {}'s too; give one of them another",
                    line_of(&read_text(&file)?, "slug:"),
                    label_of(dir, other)
                ));
                continue;
            }
            slugs.insert(slug.clone(), file.clone());
            found.push(Entry { file, slug, read });
        }
    }

    let rank: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(n, slug)| (slug.as_str(), n))
        .collect();
    found.sort_by_key(|e| rank.get(e.slug.as_str()).copied().unwrap_or(usize::MAX));
    let mut on_blog: BTreeSet<String> = BTreeSet::new();
    // Parents first: each round sends the entries whose parent is on the blog (or none).
    let mut waiting = found;
    loop {
        let (ready, later): (Vec<Entry>, Vec<Entry>) =
            waiting.into_iter().partition(|e| match &e.read.doc.parent {
                None => true,
                Some(parent) => on_blog.contains(parent) || !slugs.contains_key(parent),
            });
        if ready.is_empty() {
            for e in later {
                report.refuse(format!(
                    "{}: its parent {:?} could not be restored",
                    label_of(dir, &e.file),
                    e.read.doc.parent.as_deref().unwrap_or_default()
                ));
            }
            break;
        }
        for entry in ready {
            if restore_entry(client, dir, &entry, report)? {
                on_blog.insert(entry.slug);
            }
        }
        waiting = later;
    }
    Ok(on_blog)
}

/// Sends one entry; whether it is on the blog afterwards (restored, or there already).
fn restore_entry(
    client: &Client,
    dir: &Path,
    entry: &Entry,
    report: &mut Report,
) -> Result<bool, String> {
    let label = label_of(dir, &entry.file);
    let doc = &entry.read.doc;
    let kind = if doc.page { "pages" } else { "posts" };
    let Some(title) = &doc.title else {
        report.refuse(format!(
            "{label}: no title; add `title: …` to the front matter"
        ));
        return Ok(false);
    };
    let mut fields = json!({
        "title": title,
        "body": doc.body,
        "slug": entry.slug,
        "status": if doc.draft == Some(true) { "draft" } else { "published" },
        "published_at": doc.date,
    });
    for (key, value) in [
        ("image", doc.image.as_ref().map(|v| json!(v))),
        ("tags", doc.tags.as_ref().map(|v| json!(v))),
        ("comments_open", doc.comments_open.map(|v| json!(v))),
        ("newsletter", doc.newsletter.map(|v| json!(v))),
    ] {
        if let Some(value) = value {
            fields[key] = value;
        }
    }
    if doc.page {
        fields["type"] = json!("page");
        fields["parent"] = json!(doc.parent);
        fields["menu_order"] = json!(doc.menu_order.unwrap_or(0));
        fields["in_menu"] = json!(doc.in_menu.unwrap_or(true));
    }
    // A file written by hand may lack `updated`: its date stands in (else now).
    let updated = doc.updated.clone().or(doc.date.clone()).unwrap_or_else(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        blog_core::dates::rfc3339_utc(now)
    });
    let addenda: Vec<Value> = entry
        .read
        .addenda
        .iter()
        .map(|a| json!({"id": a.id, "at": a.at, "body": a.body}))
        .collect();
    if report.dry_run {
        let answer = client.call("GET", &format!("/admin/posts/{}", entry.slug), None)?;
        match answer.status {
            404 => report.restored(kind, 1),
            200 if answer.body["title"] == json!(title)
                && answer.body["body"].as_str().map(str::trim_end) == Some(doc.body.trim_end()) =>
            {
                report.present(kind, 1)
            }
            200 => report.conflict(format!(
                "{label}: {:?} is here already and differs; it would be left as it is",
                entry.slug
            )),
            _ => return Err(answer.problem()),
        }
        return Ok(true);
    }
    let body = json!({"entry": fields, "updated_at": updated, "addenda": addenda});
    let answer = client.call("POST", "/admin/restore", Some(&body))?;
    match answer.status {
        201 => report.restored(kind, 1),
        200 => report.present(kind, 1),
        409 => report.conflict(format!(
            "{label}: {}",
            answer.body["error"].as_str().unwrap_or("a conflict")
        )),
        _ => {
            report.refuse(format!("{label}: {}", answer.problem()));
            return Ok(false);
        }
    }
    Ok(true)
}

/// Comments, by the entry they are under: each keeps its id where it is free, its parent, kind
/// and status. One whose parent is not in its file is refused.
fn comments(
    client: &Client,
    dir: &Path,
    on_blog: &BTreeSet<String>,
    report: &mut Report,
) -> Result<(), String> {
    for file in files_in(dir, "comments", "json") {
        let label = label_of(dir, &file);
        let slug = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !on_blog.contains(&slug) {
            report.refuse(format!(
                "{label}: there is no entry {slug:?} to put them under (see the entries refused above)"
            ));
            continue;
        }
        let text = read_text(&file)?;
        let list: Vec<api::Comment> = match serde_json::from_str(&text) {
            Ok(list) => list,
            Err(e) => {
                report.refuse(format!("{label}: line {}: {e}", e.line()));
                continue;
            }
        };
        let key_of = |c: &api::Comment| c.key.clone().unwrap_or_else(|| format!("id:{}", c.id));
        let keys: HashMap<i64, String> = list.iter().map(|c| (c.id, key_of(c))).collect();
        let mut rows = Vec::new();
        // Parents come first (ids grow); a reply to a refused comment is refused too.
        let mut accepted: BTreeSet<i64> = BTreeSet::new();
        for c in &list {
            if let Some(parent) = c.parent.filter(|p| !accepted.contains(p)) {
                let why = if keys.contains_key(&parent) {
                    "which is refused"
                } else {
                    "which is not in the file"
                };
                report.refuse(format!(
                    "{label}: line {}: comment {} answers comment {parent}, {why}",
                    line_of(&text, &format!("\"id\": {},", c.id)),
                    c.id
                ));
                continue;
            }
            accepted.insert(c.id);
            rows.push(json!({
                "key": key_of(c),
                "id": c.id,
                "parent": c.parent,
                "parent_key": c.parent.and_then(|p| keys.get(&p)),
                "author": c.author,
                "email": c.email,
                "url": c.url,
                "body": c.body,
                "at": c.created_at,
                "status": c.status,
                "by_post_author": c.by_post_author,
                "kind": c.kind,
                "reasons": c.reasons,
            }));
        }
        if report.dry_run {
            report.restored("comments", rows.len());
            continue;
        }
        for chunk in rows.chunks(COMMENTS_A_REQUEST) {
            let answer = client.call(
                "POST",
                "/admin/import",
                Some(&json!({"post": slug, "comments": chunk})),
            )?;
            if answer.status != 200 {
                report.refuse(format!("{label}: {}", answer.problem()));
                break;
            }
            let outcome: api::ImportOutcome =
                serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
            report.restored("comments", outcome.imported);
            report.present("comments", outcome.skipped);
            for f in outcome.failed {
                report.refuse(format!("{label}: comment {:?}: {}", f.key, f.error));
            }
        }
    }
    Ok(())
}

/// Redirects: each missing one is added; one from the same address to another is a conflict.
fn redirects(client: &Client, dir: &Path, report: &mut Report) -> Result<(), String> {
    let Some(listed) = read_json::<Vec<api::Redirect>>(&dir.join("redirects.json"))? else {
        return Ok(());
    };
    let here: HashMap<String, String> = client
        .every_page("/admin/redirects", |l: api::RedirectList| l.redirects)?
        .into_iter()
        .map(|r| (r.from, r.to))
        .collect();
    for r in listed {
        match here.get(&r.from) {
            Some(to) if *to == r.to => report.present("redirects", 1),
            Some(to) => report.conflict(format!(
                "redirects.json: {} leads to {to} here and to {} in the export",
                r.from, r.to
            )),
            None if report.dry_run => report.restored("redirects", 1),
            None => {
                let answer = client.call(
                    "POST",
                    "/admin/redirects",
                    Some(&json!({"from": r.from, "to": r.to})),
                )?;
                match answer.status {
                    200 | 201 => report.restored("redirects", 1),
                    _ => report.refuse(format!("redirects.json: {}: {}", r.from, answer.problem())),
                }
            }
        }
    }
    Ok(())
}

/// The newsletter's subscribers, as the export's CSV has them (`email,status,cadence,…`):
/// confirmed ones stay confirmed with their cadence; pending ones are asked again (a
/// confirmation mail); those who unsubscribed are not brought back.
fn subscribers(client: &Client, dir: &Path, report: &mut Report) -> Result<(), String> {
    let path = dir.join("subscribers.csv");
    if !path.exists() {
        return Ok(());
    }
    let text = read_text(&path)?;
    let mut groups: BTreeMap<(bool, String), Vec<String>> = BTreeMap::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let cells: Vec<&str> = line.split(',').map(|c| c.trim_matches('"')).collect();
        match cells.as_slice() {
            [email, "confirmed", cadence, ..] => groups
                .entry((true, cadence.to_string()))
                .or_default()
                .push(email.to_string()),
            [email, "pending", cadence, ..] => groups
                .entry((false, cadence.to_string()))
                .or_default()
                .push(email.to_string()),
            [_, "unsubscribed" | "suppressed", ..] => {}
            [""] => {}
            _ => report.refuse(format!(
                "subscribers.csv: line {}: expected email,status,cadence,…",
                index + 1
            )),
        }
    }
    for ((confirmed, cadence), emails) in groups {
        let mut query = format!("/admin/subscribers/import?cadence={cadence}");
        if confirmed {
            query.push_str("&confirmed=1");
        }
        if report.dry_run {
            query.push_str("&dry_run=1");
        }
        let csv = format!("email\n{}\n", emails.join("\n"));
        let answer = client.call_bytes("POST", &query, "text/csv", csv.into_bytes())?;
        if answer.status != 200 {
            report.refuse(format!("subscribers.csv: {}", answer.problem()));
            continue;
        }
        let count = |k: &str| answer.body[k].as_array().map_or(0, Vec::len);
        report.restored(
            "subscribers",
            answer.body["imported"].as_u64().unwrap_or(0) as usize,
        );
        report.present("subscribers", count("duplicates"));
        for r in answer.body["refused"].as_array().into_iter().flatten() {
            report.refuse(format!("subscribers.csv: {}", r["reason"]));
        }
    }
    Ok(())
}

/// Fediverse followers: kept again, so that new posts reach them (their servers still follow
/// the blog's address).
fn followers(client: &Client, dir: &Path, report: &mut Report) -> Result<(), String> {
    let Some(listed) = read_json::<Vec<Value>>(&dir.join("followers.json"))? else {
        return Ok(());
    };
    if report.dry_run {
        report.restored("followers", listed.len());
        return Ok(());
    }
    for chunk in listed.chunks(FOLLOWERS_A_REQUEST) {
        let answer = client.call(
            "POST",
            "/admin/followers",
            Some(&json!({"followers": chunk})),
        )?;
        if answer.status != 200 {
            report.refuse(format!("followers.json: {}", answer.problem()));
            continue;
        }
        report.restored(
            "followers",
            answer.body["added"].as_u64().unwrap_or(0) as usize,
        );
        report.present(
            "followers",
            answer.body["present"].as_u64().unwrap_or(0) as usize,
        );
    }
    Ok(())
}
