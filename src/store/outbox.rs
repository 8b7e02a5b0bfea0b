//! Email's tables: the outbox, subscriptions to replies, suppressed addresses and used links.
//!
//! A message is written as an outbox row in the same batch as the change that causes it, by the
//! statements here that the comment writes add to their batches ([`Store::mail_on_new_comment`],
//! [`Store::mail_on_approval`]): so a comment is never stored without its notification, nor a
//! notification without its comment. Every condition (mail configured, the address confirmed and
//! not suppressed, the rate limits) is in the SQL, so that the reader Worker adds these
//! statements without reading anything first. The author Worker claims due rows, sends them and
//! marks them ([`Store::claim_due`], [`Store::mark_sent`], [`Store::mark_retry`]).

use blog_core::email::{
    OutboxKind, OutboxStatus, CLAIM_TIMEOUT_SECONDS, CONFIRMATIONS_PER_ADDRESS_PER_DAY,
    KEEP_MESSAGES_SECONDS, KEEP_UNCONFIRMED_SECONDS, MODERATION_LINK_SECONDS,
    SUBSCRIPTIONS_PER_CLIENT_PER_HOUR,
};
use blog_core::model::CommentStatus;
use serde::Deserialize;
use worker::D1PreparedStatement;

use super::*;

/// Mail is configured: there is a sender.
const MAIL_ON: &str = "EXISTS (SELECT 1 FROM settings WHERE key = 'email_from' AND value <> '')";

/// The comment a new-comment batch just inserted (D1 runs a batch as one transaction, so the
/// newest comment is this one).
const NEW_COMMENT: &str = "(SELECT max(id) FROM comments)";

/// An outbox row as the sender needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct OutboxRow {
    pub id: i64,
    #[serde(deserialize_with = "kind")]
    pub kind: OutboxKind,
    pub comment_id: i64,
    pub subscription_id: Option<i64>,
    pub recipient: String,
    /// Including the one now being made.
    pub attempts: u32,
}

/// An outbox row as the admin API lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    #[serde(deserialize_with = "kind")]
    pub kind: OutboxKind,
    pub comment_id: i64,
    pub recipient: String,
    #[serde(deserialize_with = "status")]
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

fn kind<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<OutboxKind, D::Error> {
    parsed(d, OutboxKind::parse, "outbox kind")
}

fn status<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<OutboxStatus, D::Error> {
    parsed(d, OutboxStatus::parse, "outbox status")
}

/// What a message says: the comment it is about, its post, and for a reply the comment replied to.
#[derive(Debug, Clone, Deserialize)]
pub struct MailContext {
    pub comment_id: i64,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    #[serde(deserialize_with = "blog_core::model::sql_list")]
    pub spam_reasons: Vec<String>,
    pub created_at: i64,
    pub post_title: String,
    pub post_path: String,
    pub parent_author: Option<String>,
    pub parent_body: Option<String>,
    /// The subscription's secret (confirm and reply mails).
    pub token: Option<String>,
}

/// A subscription, found by its token.
#[derive(Debug, Clone, Deserialize)]
pub struct Subscription {
    pub id: i64,
    pub email: String,
    pub comment_id: i64,
    #[serde(deserialize_with = "blog_core::model::sql_bool")]
    pub confirmed: bool,
    pub post_title: String,
    pub post_path: String,
}

/// What `forget` removed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Forgotten {
    pub comments: u32,
    pub subscriptions: u32,
    pub messages: u32,
    /// The newsletter's subscriber (0 or 1), with their messages.
    pub subscribers: u32,
}

impl Store {
    /// The mail a comment stored in the same batch causes: a subscription when "Email me
    /// replies" was ticked (confirmed at once if its address confirmed before, and at most
    /// [`SUBSCRIPTIONS_PER_CLIENT_PER_HOUR`] from one client); the author's notice when it waits
    /// for a decision; and what its approval causes (see [`Store::mail_on_approval`]).
    pub fn mail_on_new_comment(
        &self,
        email: &str,
        client_hash: &str,
        subscribe: bool,
        now: i64,
    ) -> Result<Vec<D1PreparedStatement>> {
        let mut statements = Vec::new();
        if subscribe {
            statements.push(self.statement(
                &format!(
                    "INSERT INTO subscriptions (comment_id, email, token, client_hash, confirmed_at, created_at)
                     SELECT c.id, ?1, lower(hex(randomblob(16))), ?2,
                            (SELECT max(confirmed_at) FROM subscriptions WHERE email = ?1), ?3
                       FROM comments c
                      WHERE c.id = {NEW_COMMENT} AND c.status <> 'spam' AND {MAIL_ON}
                        AND NOT EXISTS (SELECT 1 FROM email_suppressions WHERE email = ?1)
                        AND (SELECT COUNT(*) FROM subscriptions WHERE client_hash = ?2 AND created_at > ?3 - 3600)
                            < {SUBSCRIPTIONS_PER_CLIENT_PER_HOUR}"
                ),
                &[email.into(), client_hash.into(), num(now)],
            )?);
        }
        statements.push(self.statement(
            &format!(
                "INSERT OR IGNORE INTO outbox (kind, comment_id, recipient, next_attempt_at, created_at)
                 SELECT 'moderation', c.id, s.value, ?1, ?1 FROM comments c, settings s
                  WHERE c.id = {NEW_COMMENT} AND c.status IN ('pending', 'spam')
                    AND s.key = 'author_email' AND s.value <> '' AND {MAIL_ON}"
            ),
            &[num(now)],
        )?);
        statements.extend(self.mail_on_approval(NEW_COMMENT, now)?);
        Ok(statements)
    }

    /// The mail an approved comment stored in the same batch causes (the author's own).
    pub fn mail_on_new_approved_comment(&self, now: i64) -> Result<Vec<D1PreparedStatement>> {
        self.mail_on_approval(NEW_COMMENT, now)
    }

    /// The mail a comment's approval causes, for the comment `comment` (an SQL expression: an
    /// id, or [`NEW_COMMENT`]), written only if it is approved when the batch runs: a notice to
    /// each confirmed subscriber of the comment it replies to (not to the replier's own
    /// address, nor to a suppressed one), and the confirmation mail of its own unconfirmed
    /// subscription (at most [`CONFIRMATIONS_PER_ADDRESS_PER_DAY`] to one address).
    pub fn mail_on_approval(&self, comment: &str, now: i64) -> Result<Vec<D1PreparedStatement>> {
        let replies = self.statement(
            &format!(
                "INSERT OR IGNORE INTO outbox (kind, comment_id, subscription_id, recipient, next_attempt_at, created_at)
                 SELECT 'reply', r.id, s.id, s.email, ?1, ?1
                   FROM comments r JOIN subscriptions s ON s.comment_id = r.parent_id
                  WHERE r.id = {comment} AND r.status = 'approved' AND s.confirmed_at IS NOT NULL
                    AND s.email <> r.author_email AND {MAIL_ON}
                    AND NOT EXISTS (SELECT 1 FROM email_suppressions e WHERE e.email = s.email)"
            ),
            &[num(now)],
        )?;
        let confirmations = self.statement(
            &format!(
                "INSERT OR IGNORE INTO outbox (kind, comment_id, subscription_id, recipient, next_attempt_at, created_at)
                 SELECT 'confirm', c.id, s.id, s.email, ?1, ?1
                   FROM subscriptions s JOIN comments c ON c.id = s.comment_id
                  WHERE c.id = {comment} AND c.status = 'approved' AND s.confirmed_at IS NULL AND {MAIL_ON}
                    AND NOT EXISTS (SELECT 1 FROM email_suppressions e WHERE e.email = s.email)
                    AND (SELECT COUNT(*) FROM outbox o WHERE o.kind = 'confirm' AND o.recipient = s.email
                          AND o.created_at > ?1 - 86400) < {CONFIRMATIONS_PER_ADDRESS_PER_DAY}"
            ),
            &[num(now)],
        )?;
        Ok(vec![replies, confirmations])
    }

    /// Sets a comment's status, with the mail its approval causes, in one batch.
    pub async fn set_comment_status_with_mail(
        &self,
        id: i64,
        status: CommentStatus,
        now: i64,
    ) -> Result<()> {
        let mut statements = vec![self.statement(
            "UPDATE comments SET status = ?2 WHERE id = ?1",
            &[num(id), status.as_str().into()],
        )?];
        if status == CommentStatus::Approved {
            statements.extend(self.mail_on_approval(&id.to_string(), now)?);
        }
        self.db.batch(statements).await?;
        Ok(())
    }

    /// Claims up to `limit` messages that are due (pending, and their time has come, the longest
    /// due first; or claimed by a sender that has not reported for [`CLAIM_TIMEOUT_SECONDS`]),
    /// counting the attempt. Two walks of `outbox_due`, nothing sorted.
    pub async fn claim_due(&self, now: i64, limit: u32) -> Result<Vec<OutboxRow>> {
        Ok(self
            .statement(
                &format!(
                    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?1
                      WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?1
                                   UNION ALL
                                   SELECT id FROM outbox
                                    WHERE status = 'sending' AND next_attempt_at <= ?1 - {CLAIM_TIMEOUT_SECONDS}
                                   LIMIT ?2)
                  RETURNING id, kind, comment_id, subscription_id, recipient, attempts"
                ),
                &[num(now), num(limit.into())],
            )?
            .all()
            .await?
            .results()?)
    }

    pub async fn mark_sent(&self, id: i64, now: i64) -> Result<()> {
        self.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1",
            &[num(id), num(now)],
        )
        .await
    }

    /// A failed attempt: tried again at `retry_at`, or (`None`) given up, keeping the reason.
    pub async fn mark_retry(&self, id: i64, error: &str, retry_at: Option<i64>) -> Result<()> {
        let (status, at) = match retry_at {
            Some(at) => (OutboxStatus::Pending, num(at)),
            None => (OutboxStatus::Failed, JsValue::NULL),
        };
        self.execute(
            "UPDATE outbox SET status = ?2, last_error = ?3, next_attempt_at = COALESCE(?4, next_attempt_at)
              WHERE id = ?1",
            &[num(id), status.as_str().into(), error.into(), at],
        )
        .await
    }

    /// What a message is about.
    pub async fn mail_context(&self, row: &OutboxRow) -> Result<Option<MailContext>> {
        Ok(self
            .statement(
                "SELECT c.id AS comment_id, c.author_name, c.author_email, c.author_url, c.body, c.status,
                        (SELECT group_concat(value, char(31)) FROM json_each(c.spam_reasons)) AS spam_reasons,
                        c.created_at, p.title AS post_title, p.path AS post_path,
                        parent.author_name AS parent_author, parent.body AS parent_body,
                        (SELECT token FROM subscriptions WHERE id = ?2) AS token
                   FROM comments c JOIN posts p ON p.id = c.post_id
                   LEFT JOIN comments parent ON parent.id = c.parent_id
                  WHERE c.id = ?1",
                &[num(row.comment_id), opt_num(row.subscription_id)],
            )?
            .first(None)
            .await?)
    }

    /// The outbox, newest first.
    pub async fn outbox(
        &self,
        status: OutboxStatus,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<OutboxEntry>> {
        Ok(self
            .statement(
                "SELECT id, kind, comment_id, recipient, status, attempts, next_attempt_at, last_error,
                        created_at, sent_at
                   FROM outbox WHERE status = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
                &[
                    status.as_str().into(),
                    num(limit.into()),
                    num(offset.into()),
                ],
            )?
            .all()
            .await?
            .results()?)
    }

    pub async fn subscription(&self, token: &str) -> Result<Option<Subscription>> {
        Ok(self
            .statement(
                "SELECT s.id, s.email, s.comment_id, s.confirmed_at IS NOT NULL AS confirmed,
                        p.title AS post_title, p.path AS post_path
                   FROM subscriptions s JOIN comments c ON c.id = s.comment_id
                   JOIN posts p ON p.id = c.post_id
                  WHERE s.token = ?1",
                &[token.into()],
            )?
            .first(None)
            .await?)
    }

    /// Confirms every unconfirmed subscription of the address (it has shown it reads its mail).
    pub async fn confirm_subscription(&self, id: i64, now: i64) -> Result<()> {
        self.execute(
            "UPDATE subscriptions SET confirmed_at = ?2
              WHERE confirmed_at IS NULL AND email = (SELECT email FROM subscriptions WHERE id = ?1)",
            &[num(id), num(now)],
        )
        .await
    }

    /// Ends one subscription, or (`everything`) every one of its address, and keeps the address
    /// from being mailed again; pending mail to it goes too.
    pub async fn unsubscribe(&self, id: i64, everything: bool, now: i64) -> Result<()> {
        let mut statements = Vec::new();
        if everything {
            statements.push(self.statement(
                "INSERT OR IGNORE INTO email_suppressions (email, created_at)
                 SELECT email, ?2 FROM subscriptions WHERE id = ?1",
                &[num(id), num(now)],
            )?);
            statements.push(self.statement(
                "DELETE FROM outbox WHERE status IN ('pending', 'sending')
                    AND recipient = (SELECT email FROM subscriptions WHERE id = ?1)",
                &[num(id)],
            )?);
            statements.push(self.statement(
                "DELETE FROM subscriptions WHERE email = (SELECT email FROM subscriptions WHERE id = ?1)",
                &[num(id)],
            )?);
        } else {
            statements.push(self.statement(
                "DELETE FROM outbox INDEXED BY outbox_by_subscription WHERE status IN ('pending', 'sending') AND subscription_id = ?1",
                &[num(id)],
            )?);
            statements.push(self.statement("DELETE FROM subscriptions WHERE id = ?1", &[num(id)])?);
        }
        self.db.batch(statements).await?;
        Ok(())
    }

    /// Marks a one-click link's nonce as used; `false` when it was used already.
    pub async fn use_link(&self, nonce: &str, now: i64) -> Result<bool> {
        #[derive(Deserialize)]
        struct Row {
            #[allow(dead_code)]
            nonce: String,
        }
        let row: Option<Row> = self
            .statement(
                "INSERT INTO used_links (nonce, used_at) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING RETURNING nonce",
                &[nonce.into(), num(now)],
            )?
            .first(None)
            .await?;
        Ok(row.is_some())
    }

    pub async fn link_used(&self, nonce: &str) -> Result<bool> {
        let row: Option<Count> = self
            .statement(
                "SELECT COUNT(*) AS n FROM used_links WHERE nonce = ?1",
                &[nonce.into()],
            )?
            .first(None)
            .await?;
        Ok(row.is_some_and(|c| c.n > 0.0))
    }

    /// Deletes what email no longer needs: sent and failed messages after
    /// [`KEEP_MESSAGES_SECONDS`], subscriptions never confirmed after
    /// [`KEEP_UNCONFIRMED_SECONDS`], and used links once they would have expired anyway.
    pub async fn trim_email(&self, now: i64) -> Result<()> {
        let statements = vec![
            self.statement(
                "DELETE FROM outbox INDEXED BY outbox_by_age WHERE status IN ('sent', 'failed') AND created_at < ?1",
                &[num(now - KEEP_MESSAGES_SECONDS)],
            )?,
            self.statement(
                "DELETE FROM subscriptions INDEXED BY subscriptions_unconfirmed WHERE confirmed_at IS NULL AND created_at < ?1",
                &[num(now - KEEP_UNCONFIRMED_SECONDS)],
            )?,
            self.statement(
                "DELETE FROM used_links WHERE used_at < ?1",
                &[num(now - MODERATION_LINK_SECONDS - 86_400)],
            )?,
        ];
        self.db.batch(statements).await?;
        Ok(())
    }

    /// Removes what the blog holds about an address: its comments keep their text but lose the
    /// name, address, website and client hash; its subscriptions, suppression and mail go.
    pub async fn forget(&self, email: &str) -> Result<Forgotten> {
        let statements = vec![
            self.statement(
                "UPDATE comments SET author_name = 'Anonymous', author_email = '', author_url = NULL,
                        client_hash = NULL
                  WHERE author_email = ?1 COLLATE NOCASE",
                &[email.into()],
            )?,
            self.statement(
                "DELETE FROM outbox WHERE recipient = ?1 RETURNING id",
                &[email.into()],
            )?,
            self.statement(
                "DELETE FROM subscriptions WHERE email = ?1 RETURNING id",
                &[email.into()],
            )?,
            self.statement(
                "DELETE FROM email_suppressions WHERE email = ?1",
                &[email.into()],
            )?,
            self.statement(
                "DELETE FROM subscribers WHERE email = ?1 RETURNING id",
                &[email.into()],
            )?,
        ];
        let results = self.db.batch(statements).await?;
        // The rows each statement changed: `changes` for the update (no trigger fires on those
        // columns), the returned rows for the deletes (D1's `changes` counts what their triggers
        // and cascades change too).
        let changes = results
            .first()
            .and_then(|r| r.meta().ok().flatten())
            .and_then(|m| m.changes)
            .unwrap_or(0) as u32;
        let returned = |i: usize| -> Result<u32> {
            let rows = results.get(i).ok_or_else(short_batch)?;
            Ok(rows.results::<IdRow>()?.len() as u32)
        };
        Ok(Forgotten {
            comments: changes,
            messages: returned(1)?,
            subscriptions: returned(2)?,
            subscribers: returned(4)?,
        })
    }
}
