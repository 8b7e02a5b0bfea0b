//! Deliveries: the activities the triggers and the inbox wrote (`Create`, `Update`, `Delete` of
//! posts, `Accept` of follows, the author's replies) sent to each inbox, signed, from the
//! `OUTBOX` queue's consumer and the cron job. A run claims a batch (a run that dies leaves its
//! claims to be taken again after [`CLAIM_TIMEOUT`]), builds each activity once from what is
//! stored now, and sends to every inbox at once, so that one slow server does not hold up the
//! others. A failure is tried again with back-off for about two days; an inbox that answers 410
//! Gone loses its followers and is not delivered to again.

use std::collections::HashMap;

use blog_core::federation::documents::{self, tombstone};
use blog_core::federation::{
    delivery_outcome, retry_delay, DeliveryOutcome, Paths, MAX_ATTEMPTS, PUBLIC,
};
use futures_util::future::join_all;
use serde_json::Value;

use super::discovery::{article, reply_note};
use super::remote::{self, Signer};
use super::Identity;
use crate::edge::error::AppResult;
use crate::edge::{runtime, App};
use crate::store::{ClaimedDelivery, Store};

/// Deliveries one run claims: each is a subrequest, and an invocation may make only so many.
const BATCH: u32 = 40;
/// A claim older than this belongs to a run that died.
const CLAIM_TIMEOUT: i64 = 300;

#[derive(Debug, Default)]
pub struct Report {
    pub delivered: u32,
    pub failed: u32,
    /// When to come back: at once (`Some(0)`) when more were due than one run takes.
    pub again_in: Option<u32>,
}

/// One run: claims due deliveries and sends them.
pub async fn run(app: &App) -> AppResult<Report> {
    let Some(private_key) = app.fediverse_key() else {
        return Ok(Report::default());
    };
    let store = app.store()?;
    let now = runtime::now();
    let claimed = store.claim_deliveries(now, BATCH, CLAIM_TIMEOUT).await?;
    let mut report = Report::default();
    if !claimed.is_empty() {
        let identity = Identity::of(app).await?;
        let paths = identity.paths();
        let language = app.blog().await?.language.clone();
        let signer = Signer::new(&paths, &private_key);
        // Each activity's JSON, made once for all its inboxes (None: nothing to send).
        let mut bodies: HashMap<i64, Result<String, Skip>> = HashMap::new();
        for delivery in &claimed {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                bodies.entry(delivery.activity_id)
            {
                slot.insert(body(&store, &paths, &language, delivery, now).await?);
            }
        }
        let sends = claimed.iter().map(|delivery| {
            let body = &bodies[&delivery.activity_id];
            let signer = &signer;
            let base = &identity.base;
            async move {
                match body {
                    Ok(body) => Sent::Answer(
                        remote::post_activity(&delivery.inbox, body, base, signer).await,
                    ),
                    Err(skip) => Sent::Skipped(skip.clone()),
                }
            }
        });
        let results = join_all(sends).await;
        for (delivery, sent) in claimed.iter().zip(results) {
            record(&store, delivery, sent, now, &mut report).await?;
        }
    }
    report.again_in = if claimed.len() == BATCH as usize {
        Some(0)
    } else {
        store
            .next_delivery_at()
            .await?
            .map(|at| (at - now).clamp(1, 43_200) as u32)
    };
    Ok(report)
}

/// Why a delivery is not sent.
#[derive(Debug, Clone)]
enum Skip {
    /// Not public any more (or never will be): cancelled.
    Cancelled(&'static str),
    /// A scheduled post whose time moved later.
    Later(i64),
}

enum Sent {
    Answer(Result<u16, remote::RemoteError>),
    Skipped(Skip),
}

async fn record(
    store: &Store,
    delivery: &ClaimedDelivery,
    sent: Sent,
    now: i64,
    report: &mut Report,
) -> AppResult<()> {
    let failure = match sent {
        Sent::Skipped(Skip::Cancelled(why)) => {
            store.delivery_cancelled(delivery.id, why, None).await?;
            return Ok(());
        }
        Sent::Skipped(Skip::Later(at)) => {
            store
                .delivery_cancelled(delivery.id, "waits for its post's time", Some(at))
                .await?;
            return Ok(());
        }
        Sent::Answer(Ok(status)) => match delivery_outcome(status) {
            DeliveryOutcome::Delivered => {
                store.delivery_done(delivery.id, now).await?;
                report.delivered += 1;
                return Ok(());
            }
            DeliveryOutcome::Refused => {
                let why = format!("HTTP {status}: the server refused it");
                store.delivery_failed(delivery.id, &why, None).await?;
                report.failed += 1;
                return Ok(());
            }
            DeliveryOutcome::Gone => {
                let why = format!("HTTP {status}: the inbox is gone");
                store.inbox_gone(&delivery.inbox, &why).await?;
                report.failed += 1;
                return Ok(());
            }
            DeliveryOutcome::Retry => format!("HTTP {status}"),
        },
        Sent::Answer(Err(e)) => e.to_string(),
    };
    report.failed += 1;
    let retry_at = (delivery.attempts < MAX_ATTEMPTS).then(|| now + retry_delay(delivery.attempts));
    store
        .delivery_failed(delivery.id, &failure, retry_at)
        .await?;
    Ok(())
}

/// The JSON of a delivery's activity, from what is stored now.
async fn body(
    store: &Store,
    paths: &Paths<'_>,
    language: &str,
    delivery: &ClaimedDelivery,
    now: i64,
) -> AppResult<Result<String, Skip>> {
    let public = [PUBLIC.to_string()];
    let doc = match (
        delivery.kind.as_str(),
        delivery.post_id,
        delivery.comment_id,
    ) {
        (kind @ ("create" | "update"), Some(post_id), _) => {
            let Some(post) = store.federated_post(post_id).await? else {
                return Ok(Err(Skip::Cancelled("the post is gone")));
            };
            if !post.is_public(now) {
                return Ok(Err(match post.published_at {
                    Some(at) if post.status == "published" && at > now => Skip::Later(at),
                    _ => Skip::Cancelled("the post is not public"),
                }));
            }
            let verb = if kind == "create" { "Create" } else { "Update" };
            let object = article(paths, &post, language);
            documents::activity(paths, verb, delivery.activity_id, object, &public, now)
        }
        ("delete", Some(post_id), _) => documents::activity(
            paths,
            "Delete",
            delivery.activity_id,
            tombstone(&paths.post(post_id)),
            &public,
            now,
        ),
        ("accept", _, _) => {
            let follow: Value = delivery
                .object
                .as_deref()
                .and_then(|o| serde_json::from_str(o).ok())
                .unwrap_or(Value::Null);
            let follower =
                blog_core::federation::inbound::id_of(follow.get("actor")).unwrap_or_default();
            documents::activity(
                paths,
                "Accept",
                delivery.activity_id,
                follow,
                &[follower],
                now,
            )
        }
        ("reply", _, Some(comment_id)) => {
            let Some(reply) = store.reply_content(comment_id).await? else {
                return Ok(Err(Skip::Cancelled("the reply is gone")));
            };
            if reply.status != "approved" {
                return Ok(Err(Skip::Cancelled("the reply is not approved")));
            }
            let audience = [reply.parent_actor.clone(), PUBLIC.to_string()];
            let note = reply_note(paths, &reply);
            documents::activity(
                paths,
                "Create",
                delivery.activity_id,
                note,
                &audience,
                reply.created_at,
            )
        }
        _ => return Ok(Err(Skip::Cancelled("an activity of an unknown kind"))),
    };
    Ok(Ok(doc.to_string()))
}
