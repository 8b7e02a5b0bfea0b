//! The newsletter's sender. Each run (the `OUTBOX` queue's consumer, and the cron job every
//! minute) writes the weekly digest when its time has come, fans due issues out to their
//! recipients a chunk at a time, then claims and sends messages at the pace the settings allow
//! (`newsletter_per_minute`), marking each one as soon as it is sent. A run is bounded
//! ([`MAX_SENDS_PER_RUN`]); when work remains it asks the queue to come back.
//!
//! Whatever dies part-way, nothing is sent twice by design and nothing is skipped: a message is
//! claimed before it is sent and marked right after, a claim left by a run that died is taken
//! again after a timeout, and a message keeps its Message-ID across attempts. (The one window
//! left, a run dying between the provider taking a message and its mark, resends that message
//! with the same Message-ID.)

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use blog_core::email::CLAIM_TIMEOUT_SECONDS;
use blog_core::newsletter::{self, SubscriberStatus, MAX_SENDS_PER_RUN};
use blog_core::settings::Settings;

use super::mail::{self, Prepared, Recipient};
use crate::author::outbox::{hand_over, Failure};
use crate::edge::error::AppResult;
use crate::edge::runtime::{self, IntlZone};
use crate::edge::App;
use crate::store::{ClaimedMessage, Store};

/// Issues fanned out at most per run (each a chunk of recipients).
const FAN_OUTS_PER_RUN: u32 = 8;

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub sent: usize,
    pub failed: usize,
    /// Work is left: come back after this many seconds.
    pub again_in: Option<u32>,
}

/// One run of the sender.
pub async fn run(app: &App) -> AppResult<Report> {
    let settings = app.settings().await?;
    let mut report = Report::default();
    let Some(from) = settings.newsletter.from.clone() else {
        return Ok(report); // no sender: everything waits until one is set
    };
    let store = app.store()?;
    let now = runtime::now();
    let zone = IntlZone::new(&settings.blog.time_zone);
    let nl = &settings.newsletter;
    store
        .digest_due(
            newsletter::weekly_slot(now, nl.digest_weekday, nl.digest_hour, &zone),
            now,
        )
        .await?;
    for _ in 0..FAN_OUTS_PER_RUN {
        if !store.fan_out(now).await? {
            break;
        }
    }
    let mut prepared: HashMap<i64, Option<Prepared>> = HashMap::new();
    let mut handled = 0;
    while handled < MAX_SENDS_PER_RUN {
        let recent = store.newsletter_paced(runtime::now()).await?;
        let allowance =
            newsletter::allowance(nl.per_minute, recent).min(MAX_SENDS_PER_RUN - handled);
        if allowance == 0 {
            // The pace is reached: come back when the next minute opens.
            report.again_in = Some((61 - runtime::now().rem_euclid(60)) as u32);
            break;
        }
        let claimed = store
            .claim_newsletter(runtime::now(), allowance, CLAIM_TIMEOUT_SECONDS)
            .await?;
        if claimed.is_empty() {
            break;
        }
        store
            .newsletter_pace(runtime::now(), claimed.len() as u32)
            .await?;
        handled += claimed.len() as u32;
        for message in &claimed {
            let outcome =
                send_one(app, &store, settings, &zone, &from, message, &mut prepared).await;
            match outcome {
                Ok(true) => report.sent += 1,
                Ok(false) => {}
                Err(failure) => {
                    report.failed += 1;
                    let (why, retry_at) = failure.outcome(app, message.attempts, runtime::now());
                    worker::console_error!("newsletter message {}: {why}", message.id);
                    store
                        .newsletter_failed(message.id, &why, retry_at, runtime::now())
                        .await?;
                }
            }
        }
    }
    if report.again_in.is_none() && store.newsletter_pending(runtime::now()).await? {
        report.again_in = Some(1);
    }
    Ok(report)
}

/// Sends one claimed message: `Ok(true)` sent, `Ok(false)` not to be sent (now or at all).
async fn send_one(
    app: &App,
    store: &Store,
    settings: &Settings,
    zone: &IntlZone,
    from: &str,
    message: &ClaimedMessage,
    prepared: &mut HashMap<i64, Option<Prepared>>,
) -> Result<bool, Failure> {
    let store_failed = |e: crate::store::StoreError| Failure::Transient(e.to_string());
    let wanted = match message.kind.as_str() {
        "confirm" => matches!(
            message.status,
            SubscriberStatus::Pending | SubscriberStatus::Confirmed
        ),
        _ => message.status == SubscriberStatus::Confirmed,
    };
    if !wanted {
        // Left (or suppressed) after the message was written: no mail after the click.
        store
            .newsletter_cancelled(message.id, "the subscriber left")
            .await
            .map_err(store_failed)?;
        return Ok(false);
    }
    let now = runtime::now();
    let to = Recipient {
        email: &message.email,
        token: &message.token,
        message_id: message.id,
    };
    let raw = match (message.kind.as_str(), message.issue_id) {
        ("issue", Some(issue)) => {
            if let Entry::Vacant(slot) = prepared.entry(issue) {
                let content = store
                    .issue_content(issue, now)
                    .await
                    .map_err(store_failed)?;
                let live = match &content {
                    Some(crate::store::IssueContent::Post(post)) => post.live,
                    _ => true,
                };
                if !live {
                    // Unpublished or moved later since: the message waits for it.
                    store
                        .newsletter_later(message.id, now + 3600)
                        .await
                        .map_err(store_failed)?;
                    return Ok(false);
                }
                slot.insert(content.and_then(|c| mail::prepare(settings, zone, &c)));
            }
            let Some(Some(issue)) = prepared.get(&issue) else {
                store
                    .newsletter_cancelled(message.id, "nothing left to send")
                    .await
                    .map_err(store_failed)?;
                return Ok(false);
            };
            mail::issue_message(settings, from, issue, &to, now)
        }
        _ => mail::confirm_message(
            settings,
            from,
            &to,
            message.cadence,
            message.status == SubscriberStatus::Confirmed,
            now,
        ),
    }
    .map_err(|e| Failure::Permanent(format!("the message could not be written: {e}")))?;
    hand_over(app, from, &message.email, &raw).await?;
    store
        .newsletter_sent(message.id, runtime::now())
        .await
        .map_err(store_failed)?;
    Ok(true)
}
