//! Keeping a post's or page's history: a change is wrapped in [`before`] and [`after`]; the
//! entry's version is read before and after, and when they differ the version replaced is kept
//! as a revision with what changed (read back and restored in [`super::revisions`]).

use blog_core::revisions::{self, Version};

use crate::edge::error::AppResult;
use crate::edge::runtime;
use crate::store::Store;

/// An entry's version before a change.
pub struct Before {
    post_id: i64,
    version: Option<(Version, String)>,
}

/// Reads an entry's version before a change to it.
pub async fn before(store: &Store, post_id: i64) -> AppResult<Before> {
    Ok(Before {
        post_id,
        version: store.version_now(post_id).await?,
    })
}

/// After the change: keeps the version it replaced, if anything changed. What changed, in words.
pub async fn after(store: &Store, before: Before) -> AppResult<Vec<&'static str>> {
    let Some((old, json)) = before.version else {
        return Ok(Vec::new());
    };
    let Some((new, _)) = store.version_now(before.post_id).await? else {
        return Ok(Vec::new());
    };
    let changed = revisions::changes(&old, &new);
    if !changed.is_empty() {
        store
            .keep_revision(before.post_id, runtime::now(), &changed, &json)
            .await?;
    }
    Ok(changed)
}
