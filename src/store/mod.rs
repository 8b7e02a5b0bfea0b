//! Every SQL statement the blog runs, against D1: the only module that knows SQL. Parameters are
//! always bound, never spliced; rows come back as `blog_core::model` types.
//!
//! Times are Unix seconds. A post is visible to readers when its status is `published` and its
//! `published_at` is not in the future (a future one is scheduled).
//!
//! - [`pages`]: what readers' pages read (listings, a post with its thread, feeds, search);
//! - [`posts`]: the author's posts, addenda and tags, and where a post stands on the listing;
//! - [`comments`]: storing, checking and moderating comments;
//! - [`media`]: the media library's rows (the bytes are in R2);
//! - [`renders`]: rows whose stored HTML is stale, and their fresh renders;
//! - [`redirects`]: old addresses, and the paths readers ask for in vain;
//! - [`settings`]: the key → value table of the blog's settings (and the scheduler's mark);
//! - [`outbox`]: email's outbox, subscriptions, suppressed addresses and used links;
//! - [`newsletter`]: subscribers, issues and their messages;
//! - [`federation`]: remote actors, followers, activities and deliveries, likes and boosts;
//! - [`sessions`]: the browser admin's failed sign-ins;
//! - [`revisions`]: the versions a post or page had;
//! - [`trash`]: deleted entries, restorable for 30 days.

mod comments;
mod federation;
mod media;
mod newsletter;
mod outbox;
mod pages;
mod posts;
mod redirects;
mod renders;
mod revisions;
mod sessions;
mod settings;
mod trash;

pub use federation::{
    ClaimedDelivery, DeliveryRow, FederatedPost, FediverseComment, Follower, MentionSend,
    RemoteActor, ReplyContent, RestoredFollower, Webmention,
};
pub use newsletter::{Added, ClaimedMessage, IssueContent, IssuePost, IssueSummary, Subscriber};
pub use outbox::{Forgotten, MailContext, OutboxEntry, OutboxRow, Subscription};
pub use posts::NewlyVisible;
pub use redirects::{NotFoundRow, RedirectRow};
pub use renders::PostRender;
pub use trash::TrashedEntry;

use std::fmt;

use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Why a statement failed.
#[derive(Debug)]
pub enum StoreError {
    /// D1 did not answer, or refused the statement: trying again later may help.
    Unavailable(String),
    /// A row did not fit its type: a bug (or a schema the code does not know), never a "try again".
    Decode(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(cause) => write!(f, "D1 unavailable: {cause}"),
            StoreError::Decode(cause) => write!(f, "a row did not decode: {cause}"),
        }
    }
}

impl From<worker::Error> for StoreError {
    fn from(e: worker::Error) -> Self {
        match e {
            worker::Error::SerdeWasmBindgenError(_) | worker::Error::SerdeJsonError(_) => {
                StoreError::Decode(e.to_string())
            }
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The blog's D1 database.
pub struct Store {
    db: D1Database,
}

const VISIBLE: &str = "status = 'published' AND published_at <= ?1";
const VISIBLE_P: &str = "p.status = 'published' AND p.published_at <= ?1";
/// Visible posts, which the listings, tag pages and feeds show (pages are not listed).
const LISTED: &str = "kind = 'post' AND status = 'published' AND published_at <= ?1";
const LISTED_P: &str = "p.kind = 'post' AND p.status = 'published' AND p.published_at <= ?1";

#[derive(Deserialize)]
struct Count {
    n: f64,
}

#[derive(Deserialize)]
struct IdRow {
    id: i64,
}

fn num(n: i64) -> JsValue {
    // D1 takes JS numbers; an i64 would cross as a BigInt, which it rejects.
    JsValue::from_f64(n as f64)
}

/// Values as a JSON array, for `json_each` (the rows a claim took, read back in one
/// statement; a post's links).
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn short_batch() -> StoreError {
    StoreError::Unavailable("D1 returned fewer results than statements".into())
}

fn opt_num(n: Option<i64>) -> JsValue {
    n.map_or(JsValue::NULL, num)
}

fn opt_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

/// A text column read as a domain enum through its `parse` (`what` names it in the error).
fn parsed<'de, D: serde::Deserializer<'de>, T>(
    d: D,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> std::result::Result<T, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown {what}: {text:?}")))
}

fn first<T: for<'de> Deserialize<'de>>(result: &D1Result) -> Result<Option<T>> {
    Ok(result.results::<T>()?.into_iter().next())
}

/// The `stale_markdown` column of a post or addendum aliased `alias`: its Markdown when the stored
/// HTML is not from the current renderer, else NULL (so that a reader's query does not fetch it).
fn stale_markdown(alias: &str) -> String {
    stale_source(
        alias,
        blog_core::model::renderer::MARKDOWN,
        "stale_markdown",
    )
}

/// The `stale_text` column of a comment aliased `alias`, like [`stale_markdown`].
fn stale_text(alias: &str) -> String {
    stale_source(
        alias,
        blog_core::model::renderer::COMMENT_TEXT,
        "stale_text",
    )
}

fn stale_source(alias: &str, version: i64, name: &str) -> String {
    format!("CASE WHEN {alias}.rendered_by = {version} THEN NULL ELSE {alias}.body END AS {name}")
}

impl Store {
    pub fn new(db: D1Database) -> Self {
        Store { db }
    }

    fn statement(&self, sql: &str, params: &[JsValue]) -> Result<D1PreparedStatement> {
        Ok(self.db.prepare(sql).bind(params)?)
    }

    /// A page of rows (`page`) and the total kept in the `tallies` rows `names`, in one batch.
    async fn page_and_tally<T: for<'de> Deserialize<'de>>(
        &self,
        page: D1PreparedStatement,
        names: &[&str],
    ) -> Result<(Vec<T>, u32)> {
        let names = serde_json::to_string(names).unwrap_or_else(|_| "[]".into());
        let total = self.statement(
            "SELECT COALESCE(SUM(n), 0) AS n FROM tallies WHERE name IN (SELECT value FROM json_each(?1))",
            &[names.into()],
        )?;
        let results = self.db.batch(vec![page, total]).await?;
        let [page, total] = results.as_slice() else {
            return Err(short_batch());
        };
        Ok((
            page.results()?,
            first::<Count>(total)?.map_or(0, |c| c.n as u32),
        ))
    }

    /// Runs a statement whose rows, if any, do not matter.
    async fn execute(&self, sql: &str, params: &[JsValue]) -> Result<()> {
        self.statement(sql, params)?.run().await?;
        Ok(())
    }
}
