//! The rules of the blog's email: what the outbox holds, when a failed message is tried again,
//! how many confirmation mails an address or a client can cause, and what may go into a header.
//!
//! The Workers write an outbox row in the same D1 batch as the change that causes a message (a
//! held comment, an approved reply, a subscription); the author Worker sends due rows from its
//! queue consumer and its cron job (see `src/author/outbox.rs`). Nothing here does I/O.

use crate::model::CommentStatus;

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    /// To the author: a comment awaits a decision (held, or marked as spam).
    Moderation,
    /// To a commenter who ticked "Email me replies": confirm the address (double opt-in).
    Confirm,
    /// To a confirmed subscriber: an approved reply to their comment.
    Reply,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    /// Claimed by a sender (see [`CLAIM_TIMEOUT_SECONDS`]).
    Sending,
    Sent,
    /// Given up after [`MAX_ATTEMPTS`], or refused for good; the reason is kept.
    Failed,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Moderation => "moderation",
            OutboxKind::Confirm => "confirm",
            OutboxKind::Reply => "reply",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Moderation, Self::Confirm, Self::Reply]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Sending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: u32 = 5;

/// A message claimed for sending longer ago than this is claimed again: the Worker that claimed
/// it died before it could say how the sending went.
pub const CLAIM_TIMEOUT_SECONDS: i64 = 600;

/// The default wait before the second attempt; each later wait is five times the one before
/// (1 min, 5 min, 25 min, about 2 h).
pub const RETRY_BASE_SECONDS: i64 = 60;

/// How long to wait before trying again after `failed_attempts` failures, or `None` when the
/// message is to be given up.
pub fn retry_delay(failed_attempts: u32, base_seconds: i64) -> Option<i64> {
    if failed_attempts == 0 || failed_attempts >= MAX_ATTEMPTS {
        return None;
    }
    Some(
        base_seconds
            .max(1)
            .saturating_mul(5_i64.pow(failed_attempts - 1)),
    )
}

/// Confirmation mails one address can be sent in a day, whoever asks: the form cannot be used
/// to mail a stranger more than this.
pub const CONFIRMATIONS_PER_ADDRESS_PER_DAY: u32 = 3;
/// Subscriptions one client (by its IP's keyed hash) can ask for in an hour.
pub const SUBSCRIPTIONS_PER_CLIENT_PER_HOUR: u32 = 5;

/// One-click moderation links stay valid this long.
pub const MODERATION_LINK_SECONDS: i64 = 7 * 24 * 3600;

/// What the author's one-click links do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationAction {
    Approve,
    Spam,
    Delete,
}

impl ModerationAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ModerationAction::Approve => "approve",
            ModerationAction::Spam => "spam",
            ModerationAction::Delete => "delete",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Approve, Self::Spam, Self::Delete]
            .into_iter()
            .find(|a| a.as_str() == text)
    }

    /// The status the comment gets (`None`: it is deleted).
    pub fn status(self) -> Option<CommentStatus> {
        match self {
            ModerationAction::Approve => Some(CommentStatus::Approved),
            ModerationAction::Spam => Some(CommentStatus::Spam),
            ModerationAction::Delete => None,
        }
    }

    /// "Approve", for the confirmation page's button.
    pub fn verb(self) -> &'static str {
        match self {
            ModerationAction::Approve => "Approve",
            ModerationAction::Spam => "Mark as spam",
            ModerationAction::Delete => "Delete",
        }
    }
}

/// Text for one header line: every run of white space and control characters (CR and LF above
/// all) becomes one space, so that nothing a person typed can start a header of its own, and it
/// is cut to `max_chars`.
pub fn header_text(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() || c.is_control() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if out.chars().count() >= max_chars {
            out.push('…');
            break;
        }
        out.push(c);
    }
    out
}

/// Whether `address` can be mailed: a plain `local@domain` (see [`crate::form::is_email`]).
pub fn is_mailbox(address: &str) -> bool {
    crate::form::is_email(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_then_give_up() {
        let waits: Vec<Option<i64>> = (0..=5).map(|n| retry_delay(n, 60)).collect();
        assert_eq!(
            waits,
            [None, Some(60), Some(300), Some(1500), Some(7500), None]
        );
        assert_eq!(retry_delay(1, 0), Some(1), "never a zero wait");
    }

    #[test]
    fn nothing_typed_becomes_a_header() {
        assert_eq!(
            header_text("Eve\r\nBcc: everyone@example.org", 100),
            "Eve Bcc: everyone@example.org"
        );
        assert_eq!(header_text("  a\u{0}\tb\n\nc ", 100), "a b c");
        assert_eq!(header_text("Zoë", 100), "Zoë");
        assert_eq!(header_text("abcdef", 3), "abc…");
        assert!(!is_mailbox("a@b.org\r\nBcc: x@y.org"));
        assert!(!is_mailbox("a@b.org>"));
        assert!(is_mailbox("zoë@example.org"));
    }

    #[test]
    fn names_round_trip() {
        for kind in [
            OutboxKind::Moderation,
            OutboxKind::Confirm,
            OutboxKind::Reply,
        ] {
            assert_eq!(OutboxKind::parse(kind.as_str()), Some(kind));
        }
        for status in [
            OutboxStatus::Pending,
            OutboxStatus::Sending,
            OutboxStatus::Sent,
            OutboxStatus::Failed,
        ] {
            assert_eq!(OutboxStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(
            ModerationAction::parse("spam").and_then(ModerationAction::status),
            Some(CommentStatus::Spam)
        );
        assert_eq!(ModerationAction::parse("publish"), None);
    }
}
