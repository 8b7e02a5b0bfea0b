//! Signatures that let the Worker trust what it handed out earlier, without storing anything:
//! the comment form's token, the link to a held comment, and the salted hash of a client's IP
//! (HMAC-SHA256 under the reader's `FORM_SECRET`); and the author's one-click moderation links
//! in email (under a key derived from the author Worker's `ADMIN_TOKEN`).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::email::ModerationAction;
use crate::text::{hex, unhex};

type HmacSha256 = Hmac<Sha256>;

/// A form stays valid this long after it was rendered. It must outlive every cache the page sits
/// in (KV keeps pages at most a week), so that a form from a cached page still verifies.
pub const FORM_MAX_AGE_SECONDS: i64 = 30 * 24 * 3600;

fn mac(secret: &str, message: &str) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(message.as_bytes());
    mac
}

fn form_message(post_id: i64, issued_at: i64) -> String {
    format!("comment-form|{post_id}|{issued_at}")
}

/// The token a comment form carries: `{issued_at}.{hex hmac}`, bound to the post.
pub fn issue_form_token(secret: &str, post_id: i64, issued_at: i64) -> String {
    let tag = mac(secret, &form_message(post_id, issued_at))
        .finalize()
        .into_bytes();
    format!("{issued_at}.{}", hex(&tag))
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Missing,
    Malformed,
    Forged,
    Expired,
    /// Issued in the future (clock skew beyond a minute, or a forgery).
    FromTheFuture,
}

/// Checks a form token for this post; returns when it was issued.
pub fn verify_form_token(
    secret: &str,
    post_id: i64,
    token: &str,
    now: i64,
) -> Result<i64, TokenError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(TokenError::Missing);
    }
    let (issued, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
    let issued_at: i64 = issued.parse().map_err(|_| TokenError::Malformed)?;
    let tag = unhex(tag).ok_or(TokenError::Malformed)?;
    mac(secret, &form_message(post_id, issued_at))
        .verify_slice(&tag)
        .map_err(|_| TokenError::Forged)?;
    if issued_at > now + 60 {
        return Err(TokenError::FromTheFuture);
    }
    if now - issued_at > FORM_MAX_AGE_SECONDS {
        return Err(TokenError::Expired);
    }
    Ok(issued_at)
}

/// A short signature that lets the author of a held comment see it (and nobody else).
pub fn held_comment_key(secret: &str, comment_id: i64) -> String {
    let tag = mac(secret, &format!("held-comment|{comment_id}"))
        .finalize()
        .into_bytes();
    hex(&tag[..12])
}

pub fn verify_held_comment_key(secret: &str, comment_id: i64, key: &str) -> bool {
    let Some(given) = unhex(key) else {
        return false;
    };
    given.len() == 12
        && mac(secret, &format!("held-comment|{comment_id}"))
            .verify_truncated_left(&given)
            .is_ok()
}

/// What a one-click moderation link from an email says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModerationLink {
    pub comment_id: i64,
    pub action: ModerationAction,
    /// Unix seconds after which the link no longer works.
    pub expires: i64,
    /// Names the email it came in: once one of its links is used, none of them works again.
    pub nonce: String,
}

fn moderation_message(link: &ModerationLink) -> String {
    format!(
        "moderation-link|{}|{}|{}|{}",
        link.comment_id,
        link.action.as_str(),
        link.expires,
        link.nonce
    )
}

/// The key the author Worker signs its links with: derived from its admin token, so that the
/// token itself never signs anything a reader holds.
pub fn link_key(admin_token: &str) -> String {
    hex(&Sha256::digest(
        format!("email-links|{admin_token}").as_bytes(),
    ))
}

/// `{comment}.{action}.{expires}.{nonce}.{hex hmac}`: only URL-safe characters.
pub fn moderation_link_token(key: &str, link: &ModerationLink) -> String {
    let tag = mac(key, &moderation_message(link)).finalize().into_bytes();
    format!(
        "{}.{}.{}.{}.{}",
        link.comment_id,
        link.action.as_str(),
        link.expires,
        link.nonce,
        hex(&tag)
    )
}

/// Checks a moderation link's token: signed by `key` and not expired at `now`. (That it has
/// not been used is the store's to say.)
pub fn verify_moderation_link(
    key: &str,
    token: &str,
    now: i64,
) -> Result<ModerationLink, TokenError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [comment, action, expires, nonce, tag] = parts.as_slice() else {
        return Err(TokenError::Malformed);
    };
    let link = ModerationLink {
        comment_id: comment.parse().map_err(|_| TokenError::Malformed)?,
        action: ModerationAction::parse(action).ok_or(TokenError::Malformed)?,
        expires: expires.parse().map_err(|_| TokenError::Malformed)?,
        nonce: nonce.to_string(),
    };
    let tag = unhex(tag).ok_or(TokenError::Malformed)?;
    if nonce.is_empty() || nonce.len() > 40 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(TokenError::Malformed);
    }
    mac(key, &moderation_message(&link))
        .verify_slice(&tag)
        .map_err(|_| TokenError::Forged)?;
    if now > link.expires {
        return Err(TokenError::Expired);
    }
    Ok(link)
}

/// The longest session the setting allows: a cookie claiming more was not signed by us.
pub const MAX_SESSION_SECONDS: i64 = 30 * 24 * 3600;

/// The browser admin's session cookie value: `{expires}.{hex hmac}` under a key derived from
/// the admin token (so that changing the token signs everyone out).
pub fn session_token(key: &str, expires: i64) -> String {
    let tag = mac(key, &format!("admin-session|{expires}"))
        .finalize()
        .into_bytes();
    format!("{expires}.{}", hex(&tag))
}

/// Checks a session cookie: signed by `key` and not expired at `now`.
pub fn verify_session(key: &str, cookie: &str, now: i64) -> Result<i64, TokenError> {
    let (expires, tag) = cookie.trim().split_once('.').ok_or(TokenError::Malformed)?;
    let expires: i64 = expires.parse().map_err(|_| TokenError::Malformed)?;
    let tag = unhex(tag).ok_or(TokenError::Malformed)?;
    mac(key, &format!("admin-session|{expires}"))
        .verify_slice(&tag)
        .map_err(|_| TokenError::Forged)?;
    if now > expires {
        return Err(TokenError::Expired);
    }
    if expires > now + MAX_SESSION_SECONDS + 60 {
        return Err(TokenError::FromTheFuture);
    }
    Ok(expires)
}

/// The CSRF token of the browser admin's forms: bound to the session (a form from another
/// session, or none, does not carry it).
pub fn csrf_token(key: &str, session: &str) -> String {
    let tag = mac(key, &format!("admin-csrf|{session}"))
        .finalize()
        .into_bytes();
    hex(&tag[..16])
}

/// Whether a form's CSRF token is the session's, compared in constant time.
pub fn csrf_matches(key: &str, session: &str, given: &str) -> bool {
    secrets_match(given, &csrf_token(key, session))
}

/// How long a draft's shareable preview link works.
pub const PREVIEW_SECONDS: i64 = 7 * 24 * 3600;

/// The signature of a draft's shareable preview link: `{expires}.{hex hmac}`, bound to the post.
pub fn preview_token(key: &str, post_id: i64, expires: i64) -> String {
    let tag = mac(key, &format!("draft-preview|{post_id}|{expires}"))
        .finalize()
        .into_bytes();
    format!("{expires}.{}", hex(&tag[..16]))
}

/// Checks a preview link for `post_id` at `now`; returns when it expires.
pub fn verify_preview(key: &str, post_id: i64, token: &str, now: i64) -> Result<i64, TokenError> {
    let (expires, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
    let expires: i64 = expires.parse().map_err(|_| TokenError::Malformed)?;
    let given = unhex(tag).ok_or(TokenError::Malformed)?;
    if given.len() != 16 {
        return Err(TokenError::Malformed);
    }
    mac(key, &format!("draft-preview|{post_id}|{expires}"))
        .verify_truncated_left(&given)
        .map_err(|_| TokenError::Forged)?;
    if now > expires {
        return Err(TokenError::Expired);
    }
    Ok(expires)
}

/// The key the browser admin signs sessions with, derived from the admin token.
pub fn session_key(admin_token: &str) -> String {
    hex(&Sha256::digest(
        format!("admin-session|{admin_token}").as_bytes(),
    ))
}

/// Whether a secret someone sent (the admin token) is the expected one, compared in constant
/// time over SHA-256 digests, so that not even the length leaks.
pub fn secrets_match(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.ct_eq(&b).into()
}

/// The client's IP as stored for rate limiting: a keyed hash, never the address itself.
pub fn client_hash(secret: &str, ip: &str) -> String {
    let tag = mac(secret, &format!("client|{ip}")).finalize().into_bytes();
    hex(&tag[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_links_are_bound_to_their_post_and_expire() {
        let key = session_key("admin-token");
        let link = preview_token(&key, 7, 1_000);
        assert_eq!(verify_preview(&key, 7, &link, 999), Ok(1_000));
        assert_eq!(verify_preview(&key, 8, &link, 999), Err(TokenError::Forged));
        assert_eq!(
            verify_preview(&key, 7, &link, 1_001),
            Err(TokenError::Expired)
        );
        assert_eq!(
            verify_preview(&key, 7, &link.replacen("1000", "9000", 1), 999),
            Err(TokenError::Forged)
        );
        assert_eq!(verify_preview(&key, 7, "x", 0), Err(TokenError::Malformed));
    }

    #[test]
    fn sessions_and_their_csrf_tokens() {
        let key = session_key("admin-token");
        let cookie = session_token(&key, 5_000);
        assert_eq!(verify_session(&key, &cookie, 4_000), Ok(5_000));
        assert_eq!(
            verify_session(&key, &cookie, 5_001),
            Err(TokenError::Expired)
        );
        assert_eq!(
            verify_session(&session_key("other"), &cookie, 4_000),
            Err(TokenError::Forged)
        );
        assert_eq!(
            verify_session(&key, &cookie.replacen("5000", "9000", 1), 4_000),
            Err(TokenError::Forged)
        );
        let far = session_token(&key, 4_000 + MAX_SESSION_SECONDS + 3_600);
        assert_eq!(
            verify_session(&key, &far, 4_000),
            Err(TokenError::FromTheFuture)
        );
        assert_eq!(verify_session(&key, "", 0), Err(TokenError::Malformed));
        let csrf = csrf_token(&key, &cookie);
        assert!(csrf_matches(&key, &cookie, &csrf));
        assert!(!csrf_matches(&key, &session_token(&key, 5_001), &csrf));
        assert!(!csrf_matches(&key, &cookie, ""));
    }

    #[test]
    fn moderation_links_are_signed_bound_and_expire() {
        let key = link_key("admin-token");
        let link = ModerationLink {
            comment_id: 42,
            action: ModerationAction::Approve,
            expires: 1_000,
            nonce: "17".into(),
        };
        let token = moderation_link_token(&key, &link);
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.'));
        assert_eq!(verify_moderation_link(&key, &token, 999), Ok(link.clone()));
        assert_eq!(
            verify_moderation_link(&key, &token, 1_001),
            Err(TokenError::Expired)
        );
        let other = link_key("another-token");
        assert_eq!(
            verify_moderation_link(&other, &token, 999),
            Err(TokenError::Forged)
        );
        // Another action or comment with the same signature is a forgery.
        for forged in [
            token.replacen("approve", "delete", 1),
            token.replacen("42.", "43.", 1),
            token.replacen(".1000.", ".9999.", 1),
        ] {
            assert_eq!(
                verify_moderation_link(&key, &forged, 999),
                Err(TokenError::Forged),
                "{forged}"
            );
        }
        for malformed in ["", "1.2.3", "x.approve.1000.17.00", "42.publish.1000.17.00"] {
            assert_eq!(
                verify_moderation_link(&key, malformed, 999),
                Err(TokenError::Malformed),
                "{malformed}"
            );
        }
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(secrets_match("s3cret-token", "s3cret-token"));
        assert!(!secrets_match("S3cret-token", "s3cret-token"));
        assert!(!secrets_match("s3cret-toke", "s3cret-token"));
        assert!(!secrets_match("", "s3cret-token"));
    }

    const SECRET: &str = "test-secret";

    #[test]
    fn a_token_verifies_for_its_post_only() {
        let token = issue_form_token(SECRET, 7, 1_000_000);
        assert_eq!(
            verify_form_token(SECRET, 7, &token, 1_000_100),
            Ok(1_000_000)
        );
        assert_eq!(
            verify_form_token(SECRET, 8, &token, 1_000_100),
            Err(TokenError::Forged)
        );
        assert_eq!(
            verify_form_token("other", 7, &token, 1_000_100),
            Err(TokenError::Forged)
        );
    }

    #[test]
    fn tampering_is_detected() {
        let token = issue_form_token(SECRET, 7, 1_000_000);
        let (_, tag) = token.split_once('.').unwrap();
        let moved = format!("999999.{tag}");
        assert_eq!(
            verify_form_token(SECRET, 7, &moved, 1_000_100),
            Err(TokenError::Forged)
        );
        assert_eq!(
            verify_form_token(SECRET, 7, "", 0),
            Err(TokenError::Missing)
        );
        for bad in ["abc", "1.zz", "x.00", "1.0", "1.é"] {
            assert_eq!(
                verify_form_token(SECRET, 7, bad, 0),
                Err(TokenError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn tokens_expire_and_cannot_come_from_the_future() {
        let token = issue_form_token(SECRET, 7, 1_000_000);
        assert_eq!(
            verify_form_token(SECRET, 7, &token, 1_000_000 + FORM_MAX_AGE_SECONDS + 1),
            Err(TokenError::Expired)
        );
        assert!(
            verify_form_token(SECRET, 7, &token, 1_000_000 + 8 * 24 * 3600).is_ok(),
            "outlives the page cache"
        );
        assert_eq!(
            verify_form_token(SECRET, 7, &token, 999_000),
            Err(TokenError::FromTheFuture)
        );
    }

    #[test]
    fn held_links_and_client_hashes() {
        let key = held_comment_key(SECRET, 42);
        assert!(verify_held_comment_key(SECRET, 42, &key));
        assert!(!verify_held_comment_key(SECRET, 43, &key));
        assert!(!verify_held_comment_key(SECRET, 42, "00"));
        let hash = client_hash(SECRET, "203.0.113.9");
        assert_eq!(hash.len(), 32);
        assert!(!hash.contains("203"));
        assert_ne!(hash, client_hash(SECRET, "203.0.113.10"));
    }
}
