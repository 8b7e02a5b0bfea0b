//! The `redirects` and `not_found` tables: old addresses and the paths readers ask for in vain.

use blog_core::redirects::NOT_FOUND_KEPT;
use serde::Deserialize;

use super::{num, Result, Store};

/// One redirect, as the admin API lists it.
#[derive(Debug, Deserialize)]
pub struct RedirectRow {
    pub from_path: String,
    pub to_url: String,
    pub created_at: i64,
}

/// A path asked for in vain: how often, and when last.
#[derive(Debug, Deserialize)]
pub struct NotFoundRow {
    pub path: String,
    pub hits: i64,
    pub last_seen: i64,
}

impl Store {
    /// Where an old address leads, if it is one.
    pub async fn redirect(&self, from: &str) -> Result<Option<String>> {
        #[derive(Deserialize)]
        struct Row {
            to_url: String,
        }
        let row: Option<Row> = self
            .statement(
                "SELECT to_url FROM redirects WHERE from_path = ?1",
                &[from.into()],
            )?
            .first(None)
            .await?;
        Ok(row.map(|r| r.to_url))
    }

    /// Counts a path that was not found (the cron job keeps the table bounded: see
    /// [`Store::trim_not_found`]).
    pub async fn count_not_found(&self, path: &str, now: i64) -> Result<()> {
        self.execute(
            "INSERT INTO not_found (path, hits, last_seen) VALUES (?1, 1, ?2) \
             ON CONFLICT (path) DO UPDATE SET hits = hits + 1, last_seen = excluded.last_seen",
            &[path.into(), num(now)],
        )
        .await
    }

    /// Keeps the [`NOT_FOUND_KEPT`] most recently seen not-found paths (and any seen at the same
    /// second as the last of them): one range of `not_found_by_last_seen`.
    pub async fn trim_not_found(&self) -> Result<()> {
        self.execute(
            "DELETE FROM not_found WHERE last_seen < \
             (SELECT last_seen FROM not_found ORDER BY last_seen DESC LIMIT 1 OFFSET ?1)",
            &[num(NOT_FOUND_KEPT.into())],
        )
        .await
    }

    /// A page of the redirects, by old address.
    pub async fn redirects(&self, limit: u32, offset: u32) -> Result<Vec<RedirectRow>> {
        Ok(self
            .statement(
                "SELECT from_path, to_url, created_at FROM redirects ORDER BY from_path LIMIT ?1 OFFSET ?2",
                &[num(limit.into()), num(offset.into())],
            )?
            .all()
            .await?
            .results()?)
    }

    /// Adds redirects (an existing "from" gets the new "to"), in one batch.
    pub async fn put_redirects(&self, redirects: &[(String, String)], now: i64) -> Result<()> {
        let statements = redirects
            .iter()
            .map(|(from, to)| {
                self.statement(
                    "INSERT INTO redirects (from_path, to_url, created_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (from_path) DO UPDATE SET to_url = excluded.to_url",
                    &[from.into(), to.into(), num(now)],
                )
            })
            .collect::<Result<Vec<_>>>()?;
        if !statements.is_empty() {
            self.db.batch(statements).await?;
        }
        Ok(())
    }

    /// Records that entries moved (old canonical path → new): each old address redirects to the
    /// new one, and a redirect from a new address (left by an earlier move the other way) goes,
    /// so that two moves can never make a loop.
    pub async fn record_moves(&self, moves: &[(String, String)], now: i64) -> Result<()> {
        let mut statements = Vec::new();
        for (old, new) in moves {
            statements.push(self.statement(
                "DELETE FROM redirects WHERE from_path = ?1",
                &[blog_core::redirects::lookup_key(new).into()],
            )?);
            statements.push(self.statement(
                "INSERT INTO redirects (from_path, to_url, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (from_path) DO UPDATE SET to_url = excluded.to_url",
                &[
                    blog_core::redirects::lookup_key(old).into(),
                    new.into(),
                    num(now),
                ],
            )?);
        }
        if !statements.is_empty() {
            self.db.batch(statements).await?;
        }
        Ok(())
    }

    /// Deletes a redirect; whether there was one.
    pub async fn delete_redirect(&self, from: &str) -> Result<bool> {
        let result = self
            .statement("DELETE FROM redirects WHERE from_path = ?1", &[from.into()])?
            .run()
            .await?;
        Ok(result
            .meta()?
            .and_then(|m| m.changes)
            .is_some_and(|n| n > 0))
    }

    /// The most asked-for paths that are not found, with a redirect's absence implied.
    pub async fn not_found(&self, limit: u32) -> Result<Vec<NotFoundRow>> {
        Ok(self
            .statement(
                "SELECT path, hits, last_seen FROM not_found \
                 WHERE path NOT IN (SELECT from_path FROM redirects) \
                 ORDER BY hits DESC, last_seen DESC LIMIT ?1",
                &[num(limit.into())],
            )?
            .all()
            .await?
            .results()?)
    }
}
