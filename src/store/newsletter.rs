//! The newsletter's tables: subscribers, issues (one per published post, one per weekly digest)
//! and their messages (one per issue and recipient, and the confirmation mails).
//!
//! An issue is written by the `posts` triggers in the statement that publishes (see
//! `migrations/0013_newsletter.sql`). The author Worker then fans it out in chunks
//! ([`Store::fan_out`]), claims due messages at the settings' pace ([`Store::claim_newsletter`]),
//! sends them and marks each one as it goes, so that a run that dies part-way leaves its sent
//! messages marked and its unsent ones claimed, to be claimed again after a timeout.

use blog_core::email::{KEEP_MESSAGES_SECONDS, KEEP_UNCONFIRMED_SECONDS};
use blog_core::newsletter::{
    Cadence, Source, SubscriberStatus, CONFIRMATIONS_PER_ADDRESS_PER_DAY, FAN_OUT_CHUNK,
    SUPPRESS_AFTER_FAILURES,
};
use serde::Deserialize;
use worker::D1PreparedStatement;

use super::*;

fn cadence<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Cadence, D::Error> {
    parsed(d, Cadence::parse, "cadence")
}

fn subscriber_status<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<SubscriberStatus, D::Error> {
    parsed(d, SubscriberStatus::parse, "subscriber status")
}

/// A subscriber.
#[derive(Debug, Clone, Deserialize)]
pub struct Subscriber {
    pub id: i64,
    pub email: String,
    #[serde(deserialize_with = "subscriber_status")]
    pub status: SubscriberStatus,
    #[serde(deserialize_with = "cadence")]
    pub cadence: Cadence,
    pub source: String,
    pub token: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
}

const SUBSCRIBER: &str =
    "SELECT id, email, status, cadence, source, token, created_at, confirmed_at FROM subscribers";

/// A claimed message, with its recipient.
#[derive(Debug, Clone, Deserialize)]
pub struct ClaimedMessage {
    pub id: i64,
    pub kind: String,
    pub issue_id: Option<i64>,
    pub attempts: u32,
    pub email: String,
    #[serde(deserialize_with = "subscriber_status")]
    pub status: SubscriberStatus,
    #[serde(deserialize_with = "cadence")]
    pub cadence: Cadence,
    pub token: String,
}

/// A post as a newsletter sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct IssuePost {
    pub title: String,
    pub path: String,
    /// The Markdown (the mail's text part is made from it).
    pub body: String,
    pub body_html: String,
    pub lead: String,
    pub image: Option<String>,
    pub published_at: i64,
    /// Published, public and its time come: it may be sent now.
    #[serde(deserialize_with = "blog_core::model::sql_bool")]
    pub live: bool,
}

/// What an issue sends.
#[derive(Debug, Clone)]
pub enum IssueContent {
    Post(IssuePost),
    /// The week's posts, oldest first.
    Digest(Vec<IssuePost>),
}

/// An issue as the author's summary lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct IssueSummary {
    pub id: i64,
    pub kind: String,
    pub slug: Option<String>,
    pub title: Option<String>,
    pub period_start: Option<i64>,
    pub period_end: Option<i64>,
    pub created_at: i64,
    pub fanned_at: Option<i64>,
    pub queued: u32,
    pub sent: u32,
    pub failed: u32,
    pub cancelled: u32,
}

/// What an import did with the addresses it was given.
#[derive(Debug, Clone, Default)]
pub struct Added {
    /// Addresses that were not subscribers before.
    pub added: Vec<String>,
}

#[derive(Deserialize)]
struct EmailRow {
    email: String,
}

#[derive(Deserialize)]
struct Fanning {
    id: i64,
    kind: String,
    cursor: i64,
}

#[derive(Deserialize)]
struct IssueRow {
    kind: String,
    post_id: Option<i64>,
    period_start: Option<i64>,
    period_end: Option<i64>,
}

const ISSUE_POST: &str =
    "SELECT p.title, p.path, p.body, p.body_html, p.lead, p.image, p.published_at,
        (p.status = 'published' AND p.published_at <= ?2) AS live FROM posts p";

impl Store {
    /// Sign-ups from one client in the last hour.
    pub async fn recent_subscribes(&self, client_hash: &str, now: i64) -> Result<u32> {
        let row: Option<Count> = self
            .statement(
                "SELECT COUNT(*) AS n FROM subscribers WHERE client_hash = ?1 AND changed_at > ?2",
                &[client_hash.into(), num(now - 3600)],
            )?
            .first(None)
            .await?;
        Ok(row.map_or(0, |c| c.n as u32))
    }

    /// The subscribe form, in one batch: a new address is added as pending (one that left, or
    /// whose mail failed, asks again and is pending again; a confirmed one stays as it is), and
    /// it gets a confirmation mail, at most [`CONFIRMATIONS_PER_ADDRESS_PER_DAY`] a day, unless
    /// it asked for no mail at all.
    pub async fn subscribe(
        &self,
        email: &str,
        cadence: Cadence,
        client_hash: &str,
        now: i64,
    ) -> Result<()> {
        let upsert = self.statement(
            "INSERT INTO subscribers (email, status, cadence, source, token, client_hash, created_at, changed_at)
             VALUES (?1, 'pending', ?2, 'form', lower(hex(randomblob(16))), ?3, ?4, ?4)
             ON CONFLICT (email) DO UPDATE SET
               status = CASE WHEN status = 'confirmed' THEN status ELSE 'pending' END,
               cadence = CASE WHEN status = 'confirmed' THEN cadence ELSE excluded.cadence END,
               client_hash = excluded.client_hash, changed_at = excluded.changed_at",
            &[email.into(), cadence.as_str().into(), client_hash.into(), num(now)],
        )?;
        let confirm = self.confirmations("s.email = ?1", &[email.into()], now)?;
        self.db.batch(vec![upsert, confirm]).await?;
        Ok(())
    }

    /// A confirmation message for each subscriber `condition` (over `subscribers s`, with
    /// `params` from ?1) selects, within the daily limit and not to a suppressed address.
    fn confirmations(
        &self,
        condition: &str,
        params: &[JsValue],
        now: i64,
    ) -> Result<D1PreparedStatement> {
        let at = params.len() + 1;
        self.statement(
            &format!(
                "INSERT INTO newsletter_messages (kind, subscriber_id, next_attempt_at, created_at)
                 SELECT 'confirm', s.id, ?{at}, ?{at} FROM subscribers s
                  WHERE {condition} AND s.status IN ('pending', 'confirmed')
                    AND NOT EXISTS (SELECT 1 FROM email_suppressions e WHERE e.email = s.email)
                    AND (SELECT COUNT(*) FROM newsletter_messages m
                          WHERE m.subscriber_id = s.id AND m.kind = 'confirm' AND m.created_at > ?{at} - 86400)
                        < {CONFIRMATIONS_PER_ADDRESS_PER_DAY}"
            ),
            &[params, &[num(now)]].concat(),
        )
    }

    pub async fn subscriber_by_token(&self, token: &str) -> Result<Option<Subscriber>> {
        Ok(self
            .statement(&format!("{SUBSCRIBER} WHERE token = ?1"), &[token.into()])?
            .first(None)
            .await?)
    }

    pub async fn subscriber_by_email(&self, email: &str) -> Result<Option<Subscriber>> {
        Ok(self
            .statement(&format!("{SUBSCRIBER} WHERE email = ?1"), &[email.into()])?
            .first(None)
            .await?)
    }

    /// The address is confirmed by its owner: it gets the newsletter from now on.
    pub async fn confirm_subscriber(&self, id: i64, now: i64) -> Result<()> {
        self.execute(
            "UPDATE subscribers SET status = 'confirmed', confirmed_at = ?2, changed_at = ?2, failures = 0
              WHERE id = ?1 AND status <> 'confirmed'",
            &[num(id), num(now)],
        )
        .await
    }

    pub async fn set_cadence(&self, id: i64, cadence: Cadence, now: i64) -> Result<()> {
        self.execute(
            "UPDATE subscribers SET cadence = ?2, changed_at = ?3 WHERE id = ?1",
            &[num(id), cadence.as_str().into(), num(now)],
        )
        .await
    }

    /// The subscriber leaves: nothing more is sent to them, not even what is queued now.
    pub async fn unsubscribe_subscriber(&self, id: i64, now: i64) -> Result<()> {
        let leave = self.statement(
            "UPDATE subscribers SET status = 'unsubscribed', changed_at = ?2 WHERE id = ?1",
            &[num(id), num(now)],
        )?;
        let cancel = self.statement(
            "UPDATE newsletter_messages SET status = 'cancelled', last_error = 'unsubscribed'
              WHERE subscriber_id = ?1 AND status = 'pending'",
            &[num(id)],
        )?;
        self.db.batch(vec![leave, cancel]).await?;
        Ok(())
    }

    /// Subscribers, newest first: those of one status, or all; and how many there are.
    pub async fn subscribers(
        &self,
        status: Option<SubscriberStatus>,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<Subscriber>, u32)> {
        let (page, names) = match status {
            Some(status) => (
                self.statement(
                    &format!("{SUBSCRIBER} INDEXED BY subscribers_newest WHERE status = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"),
                    &[status.as_str().into(), num(limit.into()), num(offset.into())],
                )?,
                vec![format!("subscribers:{}", status.as_str())],
            ),
            None => (
                self.statement(
                    &format!("{SUBSCRIBER} ORDER BY id DESC LIMIT ?1 OFFSET ?2"),
                    &[num(limit.into()), num(offset.into())],
                )?,
                SubscriberStatus::ALL
                    .iter()
                    .map(|s| format!("subscribers:{}", s.as_str()))
                    .collect(),
            ),
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.page_and_tally(page, &names).await
    }

    /// How many subscribers there are in each status (kept in `tallies`).
    pub async fn subscriber_counts(&self) -> Result<Vec<(SubscriberStatus, u32)>> {
        #[derive(Deserialize)]
        struct Row {
            name: String,
            n: f64,
        }
        let rows: Vec<Row> = self
            .statement(
                "SELECT name, n FROM tallies WHERE name IN ('subscribers:pending', 'subscribers:confirmed',
                                                         'subscribers:unsubscribed', 'subscribers:suppressed')",
                &[],
            )?
            .all()
            .await?
            .results()?;
        Ok(SubscriberStatus::ALL
            .into_iter()
            .map(|status| {
                let name = format!("subscribers:{}", status.as_str());
                let n = rows.iter().find(|r| r.name == name).map_or(0.0, |r| r.n);
                (status, n.max(0.0) as u32)
            })
            .collect())
    }

    /// Adds addresses the author brings (one, or an import's chunk): confirmed when the author
    /// says they are, else pending with a confirmation mail each. Addresses already there are
    /// left as they are; the answer names those that were added.
    pub async fn add_subscribers(
        &self,
        emails: &[String],
        cadence: Cadence,
        confirmed: bool,
        source: Source,
        now: i64,
    ) -> Result<Added> {
        let list = serde_json::to_string(emails).unwrap_or_else(|_| "[]".into());
        let status = if confirmed { "confirmed" } else { "pending" };
        let insert = self.statement(
            "INSERT INTO subscribers (email, status, cadence, source, token, created_at, confirmed_at, changed_at)
             SELECT value, ?2, ?3, ?4, lower(hex(randomblob(16))), ?5, CASE WHEN ?2 = 'confirmed' THEN ?5 END, ?5
               FROM json_each(?1) WHERE true
             ON CONFLICT (email) DO NOTHING
             RETURNING email",
            &[
                list.clone().into(),
                status.into(),
                cadence.as_str().into(),
                source.as_str().into(),
                num(now),
            ],
        )?;
        let mut statements = vec![insert];
        if !confirmed {
            statements.push(self.confirmations(
                "s.email IN (SELECT value FROM json_each(?1)) AND s.status = 'pending' AND s.created_at = ?2",
                &[list.into(), num(now)],
                now,
            )?);
        }
        let results = self.db.batch(statements).await?;
        let inserted = results.first().ok_or_else(short_batch)?;
        Ok(Added {
            added: inserted
                .results::<EmailRow>()?
                .into_iter()
                .map(|r| r.email)
                .collect(),
        })
    }

    /// Removes a subscriber and their queued mail; `false` when there was none.
    pub async fn remove_subscriber(&self, email: &str) -> Result<bool> {
        let gone: Option<IdRow> = self
            .statement(
                "DELETE FROM subscribers WHERE email = ?1 RETURNING id",
                &[email.into()],
            )?
            .first(None)
            .await?;
        Ok(gone.is_some())
    }

    /// Subscribers in id order after `after`, for an export.
    pub async fn subscribers_after(&self, after: i64, limit: u32) -> Result<Vec<Subscriber>> {
        Ok(self
            .statement(
                &format!("{SUBSCRIBER} WHERE id > ?1 ORDER BY id LIMIT ?2"),
                &[num(after), num(limit.into())],
            )?
            .all()
            .await?
            .results()?)
    }

    /// Gives the next chunk of recipients of an issue that is due their message rows: a post's
    /// issue once the post is live, a digest at once. `true` when an issue was worked on (there
    /// may be more to do).
    pub async fn fan_out(&self, now: i64) -> Result<bool> {
        let issue: Option<Fanning> = self
            .statement(
                "SELECT i.id, i.kind, i.cursor FROM newsletter_issues i INDEXED BY newsletter_issues_fanning
                   LEFT JOIN posts p ON p.id = i.post_id
                  WHERE i.fanned_at IS NULL
                    AND (i.kind = 'digest' OR (p.status = 'published' AND p.published_at <= ?1))
                  ORDER BY i.id LIMIT 1",
                &[num(now)],
            )?
            .first(None)
            .await?;
        let Some(issue) = issue else {
            return Ok(false);
        };
        let cadence = if issue.kind == "digest" {
            Cadence::Weekly
        } else {
            Cadence::EveryPost
        };
        // The chunk: the next confirmed subscribers of the cadence, by id. Both statements walk
        // the same rows; the update only moves a cursor that no one moved meanwhile.
        let chunk = format!(
            "SELECT id FROM subscribers INDEXED BY subscribers_by_status
              WHERE status = 'confirmed' AND cadence = ?3 AND id > ?4 ORDER BY id LIMIT {FAN_OUT_CHUNK}"
        );
        let params = [
            num(issue.id),
            num(now),
            cadence.as_str().into(),
            num(issue.cursor),
        ];
        let insert = self.statement(
            &format!(
                "INSERT OR IGNORE INTO newsletter_messages (kind, issue_id, subscriber_id, next_attempt_at, created_at)
                 SELECT 'issue', ?1, id, ?2, ?2 FROM ({chunk})"
            ),
            &params,
        )?;
        let advance = self.statement(
            &format!(
                "UPDATE newsletter_issues SET
                   cursor = COALESCE((SELECT max(id) FROM ({chunk})), cursor),
                   fanned_at = CASE WHEN (SELECT COUNT(*) FROM ({chunk})) < {FAN_OUT_CHUNK} THEN ?2 END
                 WHERE id = ?1 AND cursor = ?4"
            ),
            &params,
        )?;
        self.db.batch(vec![insert, advance]).await?;
        Ok(true)
    }

    /// Claims up to `allowance` messages (confirmations first, then issues, the longest due
    /// first; and those claimed by a run that died `claim_timeout` seconds ago), counting
    /// the attempt, with their recipients.
    pub async fn claim_newsletter(
        &self,
        now: i64,
        allowance: u32,
        claim_timeout: i64,
    ) -> Result<Vec<ClaimedMessage>> {
        if allowance == 0 {
            return Ok(Vec::new());
        }
        #[derive(Deserialize)]
        struct Claimed {
            id: i64,
        }
        let claimed: Vec<Claimed> = self
            .statement(
                "UPDATE newsletter_messages SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?1
                  WHERE id IN (SELECT id FROM newsletter_messages WHERE status = 'pending' AND kind = 'confirm' AND next_attempt_at <= ?1
                               UNION ALL
                               SELECT id FROM newsletter_messages WHERE status = 'pending' AND kind = 'issue' AND next_attempt_at <= ?1
                               UNION ALL
                               SELECT id FROM newsletter_messages
                                WHERE status = 'sending' AND kind IN ('confirm', 'issue') AND next_attempt_at <= ?1 - ?3
                               LIMIT ?2)
                 RETURNING id",
                &[num(now), num(allowance.into()), num(claim_timeout)],
            )?
            .all()
            .await?
            .results()?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let ids = json_list(&claimed.iter().map(|c| c.id).collect::<Vec<_>>());
        Ok(self
            .statement(
                "SELECT m.id, m.kind, m.issue_id, m.attempts, s.email, s.status, s.cadence, s.token
                   FROM newsletter_messages m JOIN subscribers s ON s.id = m.subscriber_id
                  WHERE m.id IN (SELECT value FROM json_each(?1))",
                &[ids.into()],
            )?
            .all()
            .await?
            .results()?)
    }

    /// Messages claimed in the minute of `now` (the pace's window).
    pub async fn newsletter_paced(&self, now: i64) -> Result<u32> {
        let row: Option<Count> = self
            .statement(
                "SELECT CASE WHEN minute = ?1 THEN sent ELSE 0 END AS n FROM newsletter_pace WHERE id = 1",
                &[num(now.div_euclid(60))],
            )?
            .first(None)
            .await?;
        Ok(row.map_or(0, |c| c.n as u32))
    }

    /// Counts `claimed` messages against the minute of `now`.
    pub async fn newsletter_pace(&self, now: i64, claimed: u32) -> Result<()> {
        self.execute(
            "INSERT INTO newsletter_pace (id, minute, sent) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET
               sent = CASE WHEN minute = excluded.minute THEN sent + excluded.sent ELSE excluded.sent END,
               minute = excluded.minute",
            &[num(now.div_euclid(60)), num(claimed.into())],
        )
        .await
    }

    /// Whether any message waits (to be sent now or later) or any issue waits for its fan-out.
    pub async fn newsletter_pending(&self, now: i64) -> Result<bool> {
        let row: Option<Count> = self
            .statement(
                "SELECT (EXISTS (SELECT 1 FROM newsletter_messages WHERE status = 'pending' AND kind IN ('confirm', 'issue') AND next_attempt_at <= ?1)
                      OR EXISTS (SELECT 1 FROM newsletter_issues INDEXED BY newsletter_issues_fanning WHERE fanned_at IS NULL)) AS n",
                &[num(now)],
            )?
            .first(None)
            .await?;
        Ok(row.is_some_and(|c| c.n > 0.0))
    }

    /// What an issue sends, as of `now`.
    pub async fn issue_content(&self, issue_id: i64, now: i64) -> Result<Option<IssueContent>> {
        let issue: Option<IssueRow> = self
            .statement(
                "SELECT kind, post_id, period_start, period_end FROM newsletter_issues WHERE id = ?1",
                &[num(issue_id)],
            )?
            .first(None)
            .await?;
        let Some(issue) = issue else {
            return Ok(None);
        };
        if issue.kind == "digest" {
            let posts: Vec<IssuePost> = self
                .statement(
                    &format!(
                        "{ISSUE_POST} INDEXED BY posts_listed
                          WHERE p.kind = 'post' AND p.status = 'published' AND p.newsletter = 1
                            AND p.published_at >= ?1 AND p.published_at < ?3 AND p.published_at <= ?2
                          ORDER BY p.published_at, p.id"
                    ),
                    &[
                        opt_num(issue.period_start),
                        num(now),
                        opt_num(issue.period_end),
                    ],
                )?
                .all()
                .await?
                .results()?;
            return Ok(Some(IssueContent::Digest(posts)));
        }
        let post: Option<IssuePost> = self
            .statement(
                &format!("{ISSUE_POST} WHERE p.id = ?1"),
                &[opt_num(issue.post_id), num(now)],
            )?
            .first(None)
            .await?;
        Ok(post.map(IssueContent::Post))
    }

    /// One post, by slug, as a newsletter would send it (the author's test mail).
    pub async fn issue_post_by_slug(&self, slug: &str, now: i64) -> Result<Option<IssuePost>> {
        Ok(self
            .statement(
                &format!("{ISSUE_POST} WHERE p.slug = ?1"),
                &[slug.into(), num(now)],
            )?
            .first(None)
            .await?)
    }

    pub async fn newsletter_sent(&self, id: i64, now: i64) -> Result<()> {
        self.execute(
            "UPDATE newsletter_messages SET status = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1",
            &[num(id), num(now)],
        )
        .await
    }

    /// A message that will not be sent: its reason is kept.
    pub async fn newsletter_cancelled(&self, id: i64, why: &str) -> Result<()> {
        self.execute(
            "UPDATE newsletter_messages SET status = 'cancelled', last_error = ?2 WHERE id = ?1",
            &[num(id), why.into()],
        )
        .await
    }

    /// Put back, not counted as an attempt: its post is not to be seen now (unpublished, or
    /// scheduled later), so it waits.
    pub async fn newsletter_later(&self, id: i64, at: i64) -> Result<()> {
        self.execute(
            "UPDATE newsletter_messages SET status = 'pending', attempts = max(attempts - 1, 0), next_attempt_at = ?2
              WHERE id = ?1",
            &[num(id), num(at)],
        )
        .await
    }

    /// A failed attempt: tried again at `retry_at`, or given up (`None`). A refusal for good
    /// counts against the address, which is suppressed after [`SUPPRESS_AFTER_FAILURES`].
    pub async fn newsletter_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let mark = self.statement(
            "UPDATE newsletter_messages SET status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'pending' END,
                    last_error = ?2, next_attempt_at = COALESCE(?3, next_attempt_at)
              WHERE id = ?1",
            &[num(id), error.into(), opt_num(retry_at)],
        )?;
        if retry_at.is_some() {
            mark.run().await?;
            return Ok(());
        }
        let count = self.statement(
            &format!(
                "UPDATE subscribers SET failures = failures + 1, changed_at = ?2,
                        status = CASE WHEN failures + 1 >= {SUPPRESS_AFTER_FAILURES} AND status = 'confirmed'
                                      THEN 'suppressed' ELSE status END
                  WHERE id = (SELECT subscriber_id FROM newsletter_messages WHERE id = ?1)"
            ),
            &[num(id), num(now)],
        )?;
        self.db.batch(vec![mark, count]).await?;
        Ok(())
    }

    /// The weekly digest due at `slot`, written once: the posts published since the last
    /// digest (at most a week back) and before `slot`, if there are any and anyone to send
    /// them to. Nothing is written in a week without posts.
    pub async fn digest_due(&self, slot: i64, now: i64) -> Result<()> {
        self.execute(
            "INSERT OR IGNORE INTO newsletter_issues (kind, period_start, period_end, created_at)
             SELECT 'digest', start, ?1, ?2
               FROM (SELECT max(COALESCE((SELECT max(period_end) FROM newsletter_issues), 0), ?1 - 604800) AS start)
              WHERE EXISTS (SELECT 1 FROM posts p INDEXED BY posts_listed
                             WHERE p.kind = 'post' AND p.status = 'published' AND p.newsletter = 1
                               AND p.published_at >= start AND p.published_at < ?1)
                AND EXISTS (SELECT 1 FROM subscribers INDEXED BY subscribers_by_status
                             WHERE status = 'confirmed' AND cadence = 'weekly')",
            &[num(slot), num(now)],
        )
        .await
    }

    /// The newsletter's issues, newest first, with their messages by state.
    pub async fn issues(&self, limit: u32, offset: u32) -> Result<Vec<IssueSummary>> {
        let by = |status: &str| {
            format!(
                "(SELECT COUNT(*) FROM newsletter_messages m INDEXED BY newsletter_by_issue
                   WHERE m.issue_id = i.id AND m.status {status})"
            )
        };
        Ok(self
            .statement(
                &format!(
                    "SELECT i.id, i.kind, p.slug, p.title, i.period_start, i.period_end, i.created_at, i.fanned_at,
                            {} AS queued, {} AS sent, {} AS failed, {} AS cancelled
                       FROM newsletter_issues i LEFT JOIN posts p ON p.id = i.post_id
                      ORDER BY i.id DESC LIMIT ?1 OFFSET ?2",
                    by("IN ('pending', 'sending')"),
                    by("= 'sent'"),
                    by("= 'failed'"),
                    by("= 'cancelled'"),
                ),
                &[num(limit.into()), num(offset.into())],
            )?
            .all()
            .await?
            .results()?)
    }

    /// Deletes what the newsletter no longer needs: messages done with after
    /// [`KEEP_MESSAGES_SECONDS`], sign-ups never confirmed after [`KEEP_UNCONFIRMED_SECONDS`].
    pub async fn trim_newsletter(&self, now: i64) -> Result<()> {
        let statements = vec![
            self.statement(
                "DELETE FROM newsletter_messages INDEXED BY newsletter_by_age
                  WHERE status IN ('sent', 'failed', 'cancelled') AND created_at < ?1",
                &[num(now - KEEP_MESSAGES_SECONDS)],
            )?,
            self.statement(
                "DELETE FROM subscribers WHERE status = 'pending' AND created_at < ?1",
                &[num(now - KEEP_UNCONFIRMED_SECONDS)],
            )?,
        ];
        self.db.batch(statements).await?;
        Ok(())
    }
}
