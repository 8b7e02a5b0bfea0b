//! Backups on a schedule: once a day the cron job writes the whole database — every entry with
//! its Markdown and addenda, every comment, the media library's list, the settings, redirects,
//! subscribers and followers, as the admin API shows them ([`api::Backup`]) — into R2 under
//! `backups/`, and keeps the newest `backups_keep` of them. The media files are in R2 already.
//! So a restore does not depend on the author's laptop: `blogctl backups restore NAME` turns one
//! back into an export folder and imports it.
//!
//! R2 is private: the reader serves only `media/{sha256}` keys, never these.
//!
//! `GET /admin/backups`, `POST /admin/backups` (one now), `GET /admin/backups/{name}`; and
//! `GET /admin/export`, the same document made on the spot for whoever asks (`curl`, a script).

use std::collections::BTreeMap;

use blog_core::api;
use blog_core::dates::{self, rfc3339_utc as utc};
use blog_core::model::CommentStatus;
use worker::Response;

use super::{comments, media, newsletter, posts, settings};
use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime, App};
use crate::store::Store;

const PREFIX: &str = "backups/";
/// A day between scheduled backups.
const EVERY_SECONDS: i64 = 24 * 3600;
/// Rows read a query.
const PAGE: u32 = 500;
/// When the last backup was made (Unix seconds), kept with the settings: the cron job reads it
/// each minute instead of listing R2.
const MADE_AT: &str = "backup_made_at";

fn r2(e: worker::Error) -> AppError {
    AppError::Unavailable(format!("R2: {e}"))
}

/// The whole database as a backup, read a page at a time.
async fn gather(app: &App, store: &Store, now: i64) -> AppResult<api::Backup> {
    let blog = app.blog().await?;
    let mut addenda: BTreeMap<i64, Vec<blog_core::model::AddendumRecord>> = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = store.all_addenda(after, PAGE).await?;
        let Some((_, last)) = page.last() else { break };
        after = last.id;
        for (post_id, a) in page {
            addenda.entry(post_id).or_default().push(a);
        }
    }
    let mut entries = Vec::new();
    loop {
        let (page, _) = store.entries(None, PAGE, entries.len() as u32).await?;
        let short = page.len() < PAGE as usize;
        for record in &page {
            let mut own = addenda.remove(&record.id).unwrap_or_default();
            own.sort_by_key(|a| (a.created_at, a.id));
            entries.push(posts::post_json(blog, record, Some(&own), now));
        }
        if short {
            break;
        }
    }
    entries.sort_by_key(|e| e.id);
    let mut all_comments = Vec::new();
    for status in [
        CommentStatus::Pending,
        CommentStatus::Approved,
        CommentStatus::Spam,
    ] {
        let mut offset = 0;
        loop {
            let (page, _) = store.comments_with_status(status, PAGE, offset).await?;
            offset += page.len() as u32;
            let short = page.len() < PAGE as usize;
            all_comments.extend(page.into_iter().map(comments::comment_json));
            if short {
                break;
            }
        }
    }
    all_comments.sort_by_key(|c| c.id);
    let mut library = Vec::new();
    loop {
        let (page, _) = store.media_list(PAGE, library.len() as u32).await?;
        let short = page.len() < PAGE as usize;
        library.extend(page.into_iter().map(|m| media::media_json(m, false)));
        if short {
            break;
        }
    }
    let mut redirects = Vec::new();
    loop {
        let page = store.redirects(PAGE, redirects.len() as u32).await?;
        let short = page.len() < PAGE as usize;
        redirects.extend(page.into_iter().map(|r| api::Redirect {
            from: r.from_path,
            to: r.to_url,
            created_at: Some(utc(r.created_at)),
        }));
        if short {
            break;
        }
    }
    let mut followers = Vec::new();
    loop {
        let (page, _) = store.followers(PAGE, followers.len() as u32).await?;
        let short = page.len() < PAGE as usize;
        followers.extend(page.into_iter().map(|f| api::Follower {
            actor: f.actor_id,
            handle: f.handle,
            name: f.name,
            inbox: f.inbox,
            since: utc(f.created_at),
        }));
        if short {
            break;
        }
    }
    let values = settings::list(&store.settings().await?, None)
        .settings
        .into_iter()
        .map(|s| (s.key, s.value))
        .collect();
    Ok(api::Backup {
        format: 1,
        made_at: utc(now),
        entries,
        comments: all_comments,
        media: library,
        settings: values,
        redirects,
        subscribers_csv: newsletter::admin::export_csv(store).await?,
        followers,
    })
}

/// The backups in R2, newest first.
async fn kept(app: &App) -> AppResult<Vec<api::BackupSummary>> {
    let listed = app
        .media()?
        .list()
        .prefix(PREFIX)
        .execute()
        .await
        .map_err(r2)?;
    let mut backups: Vec<api::BackupSummary> = listed
        .objects()
        .iter()
        .filter_map(|o| {
            let key = o.key();
            let name = key.strip_prefix(PREFIX)?.strip_suffix(".json")?.to_string();
            dates::parse_rfc3339(&name)?;
            Some(api::BackupSummary {
                made_at: name.clone(),
                name,
                bytes: o.size(),
            })
        })
        .collect();
    backups.sort_by(|a, b| b.name.cmp(&a.name));
    Ok(backups)
}

/// Writes a backup now, then deletes the oldest beyond `keep` (at least this one stays).
pub async fn make(app: &App, keep: u32) -> AppResult<api::BackupSummary> {
    let store = app.store()?;
    let now = runtime::now();
    let backup = gather(app, &store, now).await?;
    let json = serde_json::to_string(&backup)
        .map_err(|e| AppError::Internal(format!("a backup's JSON: {e}")))?;
    let name = utc(now);
    let bytes = json.len() as u64;
    let bucket = app.media()?;
    bucket
        .put(format!("{PREFIX}{name}.json"), json)
        .execute()
        .await
        .map_err(r2)?;
    for old in kept(app).await?.iter().skip(keep.max(1) as usize) {
        bucket
            .delete(format!("{PREFIX}{}.json", old.name))
            .await
            .map_err(r2)?;
    }
    store.set_setting(MADE_AT, &now.to_string()).await?;
    Ok(api::BackupSummary {
        made_at: name.clone(),
        name,
        bytes,
    })
}

/// The cron job's part: a backup when the newest is a day old (and `backups_keep` is not 0).
pub async fn make_if_due(app: &App) -> AppResult<Option<api::BackupSummary>> {
    let keep = app.settings().await?.backups_keep;
    if keep == 0 {
        return Ok(None);
    }
    let newest = app
        .store()?
        .setting(MADE_AT)
        .await?
        .and_then(|v| v.parse::<i64>().ok());
    if newest.is_some_and(|at| runtime::now() - at < EVERY_SECONDS) {
        return Ok(None);
    }
    make(app, keep).await.map(Some)
}

/// `GET /admin/backups`.
pub async fn list(app: &App) -> AppResult<Response> {
    let keep = app.settings().await?.backups_keep;
    http::json_response(
        200,
        &api::BackupList {
            keep,
            backups: kept(app).await?,
        },
    )
}

/// `POST /admin/backups`: one now (kept among the newest `backups_keep`, at least itself).
pub async fn create(app: &App) -> AppResult<Response> {
    let keep = app.settings().await?.backups_keep;
    http::json_response(201, &make(app, keep).await?)
}

/// `GET /admin/export`: the whole database now, as a backup holds it (a download).
pub async fn export(app: &App) -> AppResult<Response> {
    let store = app.store()?;
    let now = runtime::now();
    let backup = gather(app, &store, now).await?;
    let response = http::json_response(200, &backup)?;
    let file = format!(
        "attachment; filename=\"blog-{}.json\"",
        utc(now).replace(':', "-")
    );
    response.headers().set("Content-Disposition", &file)?;
    Ok(response)
}

/// `GET /admin/backups/{name}`: the backup's JSON.
pub async fn get(app: &App, name: &str) -> AppResult<Response> {
    if dates::parse_rfc3339(name).is_none() {
        return Err(AppError::NotFound);
    }
    let object = app
        .media()?
        .get(format!("{PREFIX}{name}.json"))
        .execute()
        .await
        .map_err(r2)?
        .ok_or(AppError::NotFound)?;
    let body = object
        .body()
        .ok_or_else(|| AppError::Internal("an R2 read had no body".into()))?
        .text()
        .await
        .map_err(r2)?;
    let response = Response::ok(body)?;
    response
        .headers()
        .set("Content-Type", "application/json; charset=utf-8")?;
    response.headers().set("Cache-Control", http::NO_STORE)?;
    Ok(response)
}
