//! The blog on the fediverse (ActivityPub): one actor, `@handle@host`, that people follow; each
//! public post an `Article` delivered to them; their replies, likes and boosts coming back.
//!
//! - [`signature`]: HTTP signatures, read (draft-cavage and RFC 9421) and written (draft-cavage);
//! - [`documents`]: WebFinger, NodeInfo, the actor, articles, activities, collections;
//! - [`inbound`]: an incoming activity read into what the blog does with it;
//! - [`note_text`]: a note's HTML as comment text;
//! - here: the blog's addresses ([`Paths`]), the delivery schedule, and address checks.

pub mod documents;
pub mod inbound;
pub mod note_text;
pub mod signature;

/// The audience that makes an object public.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The media types that ask for ActivityPub JSON.
pub fn wants_activity_json(accept: &str) -> bool {
    accept.contains("application/activity+json")
        || (accept.contains("application/ld+json")
            && accept.contains("https://www.w3.org/ns/activitystreams"))
}

/// The blog's addresses on the fediverse, from its base address and handle.
#[derive(Debug, Clone, Copy)]
pub struct Paths<'a> {
    /// `https://host` (the `base_url` setting).
    pub base: &'a str,
    /// The `fediverse_handle` setting.
    pub handle: &'a str,
}

/// Where the author Worker answers the fediverse (the reader passes these paths on).
pub const ACTOR_PATH: &str = "/ap/actor";
pub const INBOX_PATH: &str = "/ap/inbox";
pub const OUTBOX_PATH: &str = "/ap/outbox";
pub const FOLLOWERS_PATH: &str = "/ap/followers";
const POSTS_PREFIX: &str = "/ap/posts/";
const COMMENTS_PREFIX: &str = "/ap/comments/";

impl Paths<'_> {
    pub fn host(&self) -> &str {
        host_of(self.base).unwrap_or_default()
    }
    pub fn acct(&self) -> String {
        format!("acct:{}@{}", self.handle, self.host())
    }
    pub fn actor(&self) -> String {
        format!("{}{ACTOR_PATH}", self.base)
    }
    pub fn key_id(&self) -> String {
        format!("{}{ACTOR_PATH}#main-key", self.base)
    }
    pub fn inbox(&self) -> String {
        format!("{}{INBOX_PATH}", self.base)
    }
    pub fn outbox(&self) -> String {
        format!("{}{OUTBOX_PATH}", self.base)
    }
    pub fn followers(&self) -> String {
        format!("{}{FOLLOWERS_PATH}", self.base)
    }
    /// A post's object id (stable: its address may change, its number does not).
    pub fn post(&self, id: i64) -> String {
        format!("{}{POSTS_PREFIX}{id}", self.base)
    }
    /// A comment's object id (the author's replies).
    pub fn comment(&self, id: i64) -> String {
        format!("{}{COMMENTS_PREFIX}{id}", self.base)
    }
    pub fn activity(&self, id: i64) -> String {
        format!("{}/ap/activities/{id}", self.base)
    }

    /// What one of the blog's object ids names.
    pub fn object_of(&self, id: &str) -> Option<LocalObject> {
        let path = id.strip_prefix(self.base)?;
        let path = path.split(['#', '?']).next().unwrap_or_default();
        if let Some(n) = path.strip_prefix(POSTS_PREFIX) {
            return n.parse().ok().map(LocalObject::Post);
        }
        if let Some(n) = path.strip_prefix(COMMENTS_PREFIX) {
            return n.parse().ok().map(LocalObject::Comment);
        }
        if path == ACTOR_PATH {
            return Some(LocalObject::Actor);
        }
        Some(LocalObject::Page(path.to_string()))
    }

    /// Whether WebFinger's `resource` names the blog: `acct:handle@host`, or the actor's id.
    pub fn is_resource(&self, resource: &str) -> bool {
        let acct = resource.strip_prefix("acct:").unwrap_or(resource);
        let acct = acct.strip_prefix('@').unwrap_or(acct);
        match acct.split_once('@') {
            Some((handle, host)) => {
                handle.eq_ignore_ascii_case(self.handle) && host.eq_ignore_ascii_case(self.host())
            }
            None => resource == self.actor() || resource == self.base,
        }
    }
}

/// One of the blog's things, by its fediverse id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalObject {
    Actor,
    Post(i64),
    Comment(i64),
    /// Any other path: perhaps a post's page address (replies to `url`s land here).
    Page(String),
}

/// The host of an `http(s)` address, lower-cased is not done: hosts compare as sent.
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains('@')).then_some(host)
}

/// Whether `host` (a URL's host, with or without a port) is on `blocked`, or under a blocked
/// domain (`example.com` blocks `social.example.com`).
pub fn is_blocked_host(host: &str, blocked: &[String]) -> bool {
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    blocked.iter().any(|domain| {
        let domain = domain.trim().trim_start_matches("*.").to_ascii_lowercase();
        !domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}")))
    })
}

/// Delivery attempts before a server is given up on (about two days: see [`retry_delay`]).
pub const MAX_ATTEMPTS: u32 = 14;

/// How long to wait after failed attempt `attempt` (1-based): one minute, doubling, at most
/// twelve hours. Fourteen attempts span about two days.
pub fn retry_delay(attempt: u32) -> i64 {
    (60_i64 << attempt.saturating_sub(1).min(16)).min(12 * 3600)
}

/// What a delivery's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Try again later.
    Retry,
    /// The server refuses this activity (a 4xx): not tried again; its followers stay.
    Refused,
    /// The inbox is gone (410): its followers are dropped and nothing more goes there.
    Gone,
}

/// The outcome of an inbox's HTTP status.
pub fn delivery_outcome(status: u16) -> DeliveryOutcome {
    match status {
        200..=299 => DeliveryOutcome::Delivered,
        410 => DeliveryOutcome::Gone,
        // A 404 may be an inbox a restored server brings back; 408 and 429 ask for later.
        404 | 408 | 429 => DeliveryOutcome::Retry,
        400..=499 => DeliveryOutcome::Refused,
        _ => DeliveryOutcome::Retry,
    }
}

/// Whether a server-side request to `url` is allowed: `https`, or any `http(s)` when the blog
/// itself runs on a loopback address (local development and tests, where the peers are local
/// too). Private and loopback hosts are refused on a public blog.
pub fn may_fetch(url: &str, blog_base: &str) -> bool {
    let local_blog = host_of(blog_base).is_some_and(is_local_host);
    let Some(host) = host_of(url) else {
        return false;
    };
    if local_blog {
        return true;
    }
    url.starts_with("https://") && !is_local_host(host)
}

/// Loopback, private, link-local and unique-local hosts, and names that mean this machine.
fn is_local_host(host: &str) -> bool {
    let host = host.trim_start_matches('[');
    let bare = match host.split_once(']') {
        Some((v6, _)) => v6,
        None => host.split(':').next().unwrap_or(host),
    }
    .to_ascii_lowercase();
    if bare == "localhost"
        || bare.ends_with(".localhost")
        || bare.ends_with(".local")
        || bare == "0.0.0.0"
    {
        return true;
    }
    if let Ok(ip) = bare.parse::<std::net::Ipv4Addr>() {
        return ip.is_loopback()
            || ip.is_private()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1]);
    }
    if let Ok(ip) = bare.parse::<std::net::Ipv6Addr>() {
        let first = ip.segments()[0];
        return ip.is_loopback()
            || ip.is_unspecified()
            || (first & 0xfe00) == 0xfc00
            || (first & 0xffc0) == 0xfe80;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Paths<'static> = Paths {
        base: "https://blog.example",
        handle: "blog",
    };

    #[test]
    fn addresses_and_what_they_name() {
        assert_eq!(P.acct(), "acct:blog@blog.example");
        assert!(P.is_resource("acct:blog@blog.example"));
        assert!(P.is_resource("acct:Blog@Blog.Example"));
        assert!(P.is_resource("https://blog.example/ap/actor"));
        assert!(!P.is_resource("acct:other@blog.example"));
        assert!(!P.is_resource("acct:blog@evil.example"));
        assert_eq!(
            P.object_of("https://blog.example/ap/posts/12"),
            Some(LocalObject::Post(12))
        );
        assert_eq!(
            P.object_of("https://blog.example/ap/comments/3#x"),
            Some(LocalObject::Comment(3))
        );
        assert_eq!(
            P.object_of("https://blog.example/posts/hi"),
            Some(LocalObject::Page("/posts/hi".into()))
        );
        assert_eq!(P.object_of("https://other.example/ap/posts/12"), None);
        assert!(wants_activity_json(
            "application/activity+json, text/html;q=0.1"
        ));
        assert!(wants_activity_json(
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
        ));
        assert!(!wants_activity_json(
            "text/html,application/xhtml+xml,*/*;q=0.8"
        ));
    }

    #[test]
    fn blocking_and_fetching_rules() {
        let blocked = vec!["spam.example".to_string()];
        assert!(is_blocked_host("spam.example", &blocked));
        assert!(is_blocked_host("a.SPAM.example:443", &blocked));
        assert!(!is_blocked_host("notspam.example", &blocked));
        let public = "https://blog.example";
        assert!(may_fetch("https://social.example/users/a", public));
        for refused in [
            "http://social.example/users/a",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://192.168.0.1/x",
            "https://localhost/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest",
            "ftp://social.example/",
        ] {
            assert!(!may_fetch(refused, public), "{refused}");
        }
        assert!(may_fetch(
            "http://127.0.0.1:9000/users/a",
            "http://127.0.0.1:8787"
        ));
    }

    #[test]
    fn delivery_schedule() {
        assert_eq!(retry_delay(1), 60);
        assert_eq!(retry_delay(2), 120);
        assert_eq!(retry_delay(30), 12 * 3600);
        let total: i64 = (1..MAX_ATTEMPTS).map(retry_delay).sum();
        assert!((36 * 3600..72 * 3600).contains(&total), "{total}");
        assert_eq!(delivery_outcome(202), DeliveryOutcome::Delivered);
        assert_eq!(delivery_outcome(410), DeliveryOutcome::Gone);
        assert_eq!(delivery_outcome(503), DeliveryOutcome::Retry);
        assert_eq!(delivery_outcome(429), DeliveryOutcome::Retry);
        assert_eq!(delivery_outcome(401), DeliveryOutcome::Refused);
    }
}
