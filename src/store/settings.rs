//! The `settings` table: key → text. The blog's settings (`blog_core::settings`) and the
//! scheduler's mark live here.

use std::collections::BTreeMap;

use blog_core::model::PageLink;
use blog_core::settings::Stored;
use serde::Deserialize;

use super::{num, short_batch, Result, Store, VISIBLE};

#[derive(Deserialize)]
struct Pair {
    key: String,
    value: String,
}

const UPSERT: &str = "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                      ON CONFLICT (key) DO UPDATE SET value = excluded.value";

impl Store {
    /// Every setting, and the site menu (see `Blog::menu`) at time `now`, in one round trip. The
    /// menu is read from its own small index, `pages_menu`: a page's miss never walks the posts.
    pub async fn settings_and_menu(&self, now: i64) -> Result<(Stored, Vec<PageLink>)> {
        let settings = self.statement("SELECT key, value FROM settings", &[])?;
        let menu = self.statement(
            &format!(
                "SELECT title, path FROM posts INDEXED BY pages_menu
                  WHERE kind = 'page' AND parent_id IS NULL AND in_menu = 1 AND {VISIBLE}
                  ORDER BY menu_order, title COLLATE NOCASE LIMIT 30"
            ),
            &[num(now)],
        )?;
        let results = self.db.batch(vec![settings, menu]).await?;
        let [settings, menu] = results.as_slice() else {
            return Err(short_batch());
        };
        let pairs = settings.results::<Pair>()?;
        Ok((
            Stored::new(pairs.into_iter().map(|p| (p.key, p.value)).collect()),
            menu.results()?,
        ))
    }

    /// Every row.
    pub async fn settings(&self) -> Result<Stored> {
        let rows = self
            .statement("SELECT key, value FROM settings", &[])?
            .all()
            .await?
            .results::<Pair>()?;
        Ok(Stored::new(
            rows.into_iter().map(|p| (p.key, p.value)).collect(),
        ))
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        #[derive(Deserialize)]
        struct Row {
            value: String,
        }
        let row: Option<Row> = self
            .statement("SELECT value FROM settings WHERE key = ?1", &[key.into()])?
            .first(None)
            .await?;
        Ok(row.map(|r| r.value))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.execute(UPSERT, &[key.into(), value.into()]).await
    }

    /// Stores several settings at once (one batch: all or none).
    pub async fn set_settings(&self, values: &BTreeMap<String, String>) -> Result<()> {
        let statements = values
            .iter()
            .map(|(key, value)| self.statement(UPSERT, &[key.into(), value.into()]))
            .collect::<Result<Vec<_>>>()?;
        if !statements.is_empty() {
            self.db.batch(statements).await?;
        }
        Ok(())
    }
}
