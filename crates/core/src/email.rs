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

/// Sent and failed messages are kept this long (for `GET /admin/outbox`), then deleted.
pub const KEEP_MESSAGES_SECONDS: i64 = 30 * 24 * 3600;
/// A subscription whose address never confirmed is deleted after this long.
pub const KEEP_UNCONFIRMED_SECONDS: i64 = 30 * 24 * 3600;

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

/// A message's words: its subject and plain text.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter {
    pub subject: String,
    pub text: String,
}

/// What a message about a comment says of it, as stored.
#[derive(Debug, Clone, Copy)]
pub struct CommentFacts<'a> {
    pub blog_title: &'a str,
    /// The comment's absolute address (`…/posts/a#comment-12`).
    pub comment_url: &'a str,
    pub post_title: &'a str,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub author_url: Option<&'a str>,
    pub body: &'a str,
    pub status: CommentStatus,
    pub spam_reasons: &'a [String],
    /// For a reply: who wrote the comment it replies to, and what.
    pub parent_author: Option<&'a str>,
    pub parent_body: Option<&'a str>,
}

/// A subject line: `[Blog] what`, safe for a header.
fn subject(blog_title: &str, what: &str) -> String {
    header_text(&format!("[{}] {what}", header_text(blog_title, 80)), 200)
}

/// Text quoted with `> ` on every line.
fn quoted(text: &str) -> String {
    text.lines()
        .map(|line| format!("> {line}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// To the author: a comment waits for a decision. `links` are the one-click pages, each with
/// what it does.
pub fn moderation_letter(c: &CommentFacts<'_>, links: &[(ModerationAction, String)]) -> Letter {
    let verdict = match c.status {
        CommentStatus::Spam => "was marked as spam",
        _ => "is waiting for your approval",
    };
    let mut text = format!(
        "A comment on “{}” {verdict}.\n\nFrom: {} <{}>\n",
        c.post_title, c.author_name, c.author_email
    );
    if let Some(url) = c.author_url {
        text.push_str(&format!("Website: {url}\n"));
    }
    text.push_str(&format!("\n{}\n", quoted(c.body)));
    if !c.spam_reasons.is_empty() {
        text.push_str("\nWhy it was held:\n");
        for reason in c.spam_reasons {
            text.push_str(&format!("- {reason}\n"));
        }
    }
    text.push_str(&format!("\nIt will be at {}\n\n", c.comment_url));
    for (action, url) in links {
        text.push_str(&format!("{}: {url}\n", action.verb()));
    }
    text.push_str(&format!(
        "\nEach link opens a page whose button does it; the links work once, for {} days.\n",
        MODERATION_LINK_SECONDS / 86_400
    ));
    Letter {
        subject: subject(
            c.blog_title,
            &format!("Comment by {} on “{}”", c.author_name, c.post_title),
        ),
        text,
    }
}

/// To a commenter who ticked "Email me replies": confirm the address.
pub fn confirm_letter(c: &CommentFacts<'_>, confirm_url: &str, stop_all_url: &str) -> Letter {
    let text = format!(
        "Someone (we hope you) left a comment on “{post}” with this address and asked to be told of replies to it:\n\n{comment}\n\nTo get those emails, confirm here:\n{confirm_url}\n\nIf it was not you, ignore this email: nothing more will be sent unless the address is confirmed. To never get email from {blog}:\n{stop_all_url}\n",
        post = c.post_title,
        comment = quoted(c.body),
        blog = c.blog_title,
    );
    Letter {
        subject: subject(c.blog_title, "Please confirm: email me replies"),
        text,
    }
}

/// To a confirmed subscriber: an approved reply to their comment.
pub fn reply_letter(c: &CommentFacts<'_>, stop_url: &str, stop_all_url: &str) -> Letter {
    let mut text = format!(
        "{} replied to your comment on “{}”:\n\n{}\n",
        c.author_name,
        c.post_title,
        quoted(c.body)
    );
    if let (Some(parent), Some(body)) = (c.parent_author, c.parent_body) {
        text.push_str(&format!("\nIn reply to {parent}:\n{}\n", quoted(body)));
    }
    text.push_str(&format!(
        "\nRead it and reply: {}\n\n--\nStop emails about this comment: {stop_url}\nStop all email from {}: {stop_all_url}\n",
        c.comment_url, c.blog_title
    ));
    Letter {
        subject: subject(
            c.blog_title,
            &format!("{} replied to you on “{}”", c.author_name, c.post_title),
        ),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: CommentStatus) -> CommentFacts<'static> {
        CommentFacts {
            blog_title: "Health Techie",
            comment_url: "https://blog.example/posts/a#comment-7",
            post_title: "Health is Social",
            author_name: "Eve\r\nBcc: all@example.org",
            author_email: "eve@example.org",
            author_url: Some("https://eve.example/"),
            body: "Line one\n\nLine two",
            status,
            spam_reasons: &[],
            parent_author: Some("Phil"),
            parent_body: Some("First!"),
        }
    }

    #[test]
    fn letters_say_what_and_link_where() {
        let reasons = ["first comment from this address".to_string()];
        let mut held = facts(CommentStatus::Pending);
        held.spam_reasons = &reasons;
        let links = [
            (
                ModerationAction::Approve,
                "https://b/email/moderate/a".to_string(),
            ),
            (
                ModerationAction::Spam,
                "https://b/email/moderate/s".to_string(),
            ),
        ];
        let letter = moderation_letter(&held, &links);
        assert_eq!(
            letter.subject,
            "[Health Techie] Comment by Eve Bcc: all@example.org on “Health is Social”",
            "one header line, whatever the name holds"
        );
        assert!(!letter.subject.contains(['\r', '\n']));
        for needle in [
            "is waiting for your approval",
            "> Line one\n>\n> Line two",
            "- first comment from this address",
            "Approve: https://b/email/moderate/a",
            "Mark as spam: https://b/email/moderate/s",
            "work once, for 7 days",
        ] {
            assert!(letter.text.contains(needle), "{needle}: {}", letter.text);
        }
        assert!(moderation_letter(&facts(CommentStatus::Spam), &[])
            .text
            .contains("was marked as spam"));

        let confirm = confirm_letter(
            &facts(CommentStatus::Approved),
            "https://b/c",
            "https://b/all",
        );
        assert!(confirm.text.contains("confirm here:\nhttps://b/c"));
        assert!(confirm.text.contains("https://b/all"));
        let reply = reply_letter(
            &facts(CommentStatus::Approved),
            "https://b/u",
            "https://b/all",
        );
        assert!(reply.text.contains("In reply to Phil:\n> First!"));
        assert!(reply
            .text
            .contains("Stop emails about this comment: https://b/u"));
        assert!(reply
            .text
            .contains("Read it and reply: https://blog.example/posts/a#comment-7"));
    }

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
