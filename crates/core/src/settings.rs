//! The blog's settings, kept in one place: the D1 `settings` table (key → text), which both
//! Workers read and the admin API (`PATCH /admin/settings`, `blogctl settings set`) writes.
//!
//! Every key, its default and its rule are listed once, in [`SETTINGS`]; [`check`] is the rule
//! a new value must pass, and [`Settings::from_stored`] reads what the table holds (anything
//! missing or unreadable is the default, so a blog works before anything is set).

use crate::model::PageLink;
use crate::spam::{Moderation, SpamConfig};

/// Settings that shape every page.
#[derive(Debug, Clone, PartialEq)]
pub struct Blog {
    pub title: String,
    pub tagline: String,
    pub author: String,
    /// Absolute base URL without a trailing slash, e.g. `https://blog.example.com`.
    pub base_url: String,
    /// IANA time-zone name, e.g. `Europe/London`.
    pub time_zone: String,
    /// The pages' language (BCP 47), e.g. `en` or `en-GB`: `<html lang>`.
    pub language: String,
    /// The site menu: the visible top-level pages the author put in it, in the author's order.
    /// Not a setting, but read with them, once per rendered page.
    pub menu: Vec<PageLink>,
}

impl Blog {
    /// The absolute URL of a path on this blog.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

/// Everything the settings table decides.
#[derive(Debug, Clone)]
pub struct Settings {
    pub blog: Blog,
    /// The comment form's checks.
    pub spam: SpamConfig,
    /// Comments close this long after a post is published (`None`: never).
    pub comments_close_after_days: Option<i64>,
    /// Who mail comes from and who hears of comments (see [`Mail`]).
    pub mail: Mail,
    /// The newsletter (see [`Newsletter`]).
    pub newsletter: Newsletter,
    /// The blog on the fediverse (see [`Fediverse`]).
    pub fediverse: Fediverse,
    /// How long a browser admin session lasts, in seconds (`admin_session_hours`).
    pub admin_session_seconds: i64,
    /// How many daily backups are kept (`backups_keep`; 0: none are made).
    pub backups_keep: u32,
}

/// The blog's fediverse account.
#[derive(Debug, Clone, PartialEq)]
pub struct Fediverse {
    /// The account's name: people follow `@handle@host`.
    pub handle: String,
    /// Servers (and their subdomains) whose activities are refused.
    pub blocked_domains: Vec<String>,
}

/// The newsletter: the subscribe form and what goes out to subscribers.
#[derive(Debug, Clone, PartialEq)]
pub struct Newsletter {
    /// The subscribe form is offered and posts go out: the `newsletter` setting is on and there
    /// is a sender.
    pub enabled: bool,
    /// Its sender: `newsletter_from`, else `email_from`.
    pub from: Option<String>,
    /// Messages a minute at most (`newsletter_per_minute`).
    pub per_minute: u32,
    /// The whole post in the mail, or (`false`) its beginning and a link.
    pub full_text: bool,
    /// The weekly digest's day (0 = Monday) and hour, on the blog's clock.
    pub digest_weekday: u32,
    pub digest_hour: u32,
}

/// The blog's mail: nothing is sent without a sender address.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mail {
    /// The sender (`email_from`); `None`: no mail at all, and no "Email me replies" box.
    pub from: Option<String>,
    /// The author's inbox (`author_email`), told of comments that wait for a decision.
    pub author: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_stored(|_| None)
    }
}

/// The defaults, named once: the table below and [`Settings::from_stored`] both use them.
mod defaults {
    pub const TITLE: &str = "My Blog";
    pub const AUTHOR: &str = "The Author";
    pub const BASE_URL: &str = "http://127.0.0.1:8787";
    pub const TIME_ZONE: &str = "UTC";
    pub const LANGUAGE: &str = "en";
    pub const HANDLE: &str = "blog";
}

/// What a setting's value must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// One line of text, at most `max` characters; `required`: not empty.
    Line { max: usize, required: bool },
    /// Text over several lines (the blocklist), at most `max` characters.
    Lines { max: usize },
    /// `http(s)://host[:port]`, nothing after.
    Address,
    /// An IANA time-zone name (the Worker also asks the runtime whether it knows it).
    TimeZone,
    /// A BCP 47 language tag.
    Language,
    /// A whole number in `min..=max`; `optional`: may be empty (off).
    Number { min: i64, max: i64, optional: bool },
    /// `first-time`, `all` or `none`.
    Moderation,
    /// A file of the media library (`/media/{sha256}/{name}`), or empty.
    MediaPath,
    /// An email address, or empty (off).
    Email,
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// A fediverse account name: 1–30 ASCII letters, digits and underscores.
    Handle,
}

/// One setting: its key in the table and the API, its default, what it does, its rule.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub key: &'static str,
    pub default: &'static str,
    pub about: &'static str,
    pub rule: Rule,
}

/// Every setting, in the order `blogctl settings` lists them.
pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "title",
        default: defaults::TITLE,
        about: "The blog's name, on every page and in the feeds",
        rule: Rule::Line {
            max: 200,
            required: true,
        },
    },
    Setting {
        key: "tagline",
        default: "",
        about: "A line under the title; the pages' description",
        rule: Rule::Line {
            max: 300,
            required: false,
        },
    },
    Setting {
        key: "author",
        default: defaults::AUTHOR,
        about: "The author's name: feeds, JSON-LD, the author's replies",
        rule: Rule::Line {
            max: 100,
            required: true,
        },
    },
    Setting {
        key: "base_url",
        default: defaults::BASE_URL,
        about:
            "The canonical address, e.g. https://blog.example.com (links in feeds, sitemap, mail)",
        rule: Rule::Address,
    },
    Setting {
        key: "time_zone",
        default: defaults::TIME_ZONE,
        about: "IANA time zone the dates are shown in, e.g. Europe/London",
        rule: Rule::TimeZone,
    },
    Setting {
        key: "language",
        default: defaults::LANGUAGE,
        about: "The pages' language (BCP 47), e.g. en-GB",
        rule: Rule::Language,
    },
    Setting {
        key: "icon",
        default: "",
        about: "The site icon: an image of the media library (/media/…), square, 180×180 or more; empty: the default icon",
        rule: Rule::MediaPath,
    },
    Setting {
        key: "email_from",
        default: "",
        about: "The address mail is sent from (a sender your Cloudflare account may use); empty: no mail at all",
        rule: Rule::Email,
    },
    Setting {
        key: "author_email",
        default: "",
        about: "Where you are told of comments that wait for your decision; empty: not told",
        rule: Rule::Email,
    },
    Setting {
        key: "newsletter",
        default: "on",
        about: "The newsletter: a subscribe form under every post and at /subscribe, and each new post by email (on, off; needs email_from)",
        rule: Rule::OneOf(&["on", "off"]),
    },
    Setting {
        key: "newsletter_from",
        default: "",
        about: "The newsletter's sender address; empty: email_from",
        rule: Rule::Email,
    },
    Setting {
        key: "newsletter_content",
        default: "full",
        about: "What a post's mail holds: full (the whole post) or lead (its beginning and a link)",
        rule: Rule::OneOf(&["full", "lead"]),
    },
    Setting {
        key: "newsletter_per_minute",
        default: "60",
        about: "Newsletter mails sent a minute at most (keep under your sending provider's limit)",
        rule: Rule::Number {
            min: 1,
            max: 100_000,
            optional: false,
        },
    },
    Setting {
        key: "newsletter_digest_day",
        default: "monday",
        about: "The weekly digest's day, on the blog's clock (monday … sunday)",
        rule: Rule::OneOf(&crate::newsletter::WEEKDAYS),
    },
    Setting {
        key: "newsletter_digest_hour",
        default: "8",
        about: "The weekly digest's hour, 0–23, on the blog's clock",
        rule: Rule::Number {
            min: 0,
            max: 23,
            optional: false,
        },
    },
    Setting {
        key: "fediverse_handle",
        default: defaults::HANDLE,
        about: "The blog's fediverse account: people follow @handle@your.host (letters, digits, _)",
        rule: Rule::Handle,
    },
    Setting {
        key: "fediverse_blocked_domains",
        default: "",
        about: "Fediverse servers whose follows, replies and likes are refused (one domain a line; subdomains too)",
        rule: Rule::Lines { max: 20_000 },
    },
    Setting {
        key: "admin_session_hours",
        default: "24",
        about: "How long a browser admin session lasts before it asks for the token again (1–720 hours)",
        rule: Rule::Number {
            min: 1,
            max: 720,
            optional: false,
        },
    },
    Setting {
        key: "backups_keep",
        default: "7",
        about: "How many daily backups of the database the blog keeps in R2 (the media are there already); 0: none",
        rule: Rule::Number {
            min: 0,
            max: 365,
            optional: false,
        },
    },
    Setting {
        key: "comment_moderation",
        default: "first-time",
        about: "Which comments wait for you: first-time (a commenter's first), all, none",
        rule: Rule::Moderation,
    },
    Setting {
        key: "comment_min_seconds",
        default: "3",
        about: "A comment sent sooner than this after the page was served is held",
        rule: Rule::Number {
            min: 0,
            max: 3600,
            optional: false,
        },
    },
    Setting {
        key: "comment_max_links",
        default: "2",
        about: "A comment with more links than this is held",
        rule: Rule::Number {
            min: 0,
            max: 100,
            optional: false,
        },
    },
    Setting {
        key: "comment_blocklist",
        default: "",
        about: "Phrases (separated by commas or new lines) that mark a comment as spam",
        rule: Rule::Lines { max: 10_000 },
    },
    Setting {
        key: "comment_blocked_clients",
        default: "",
        about: "Senders blocked from the moderation screen (keyed hashes of their IPs, one a line): their comments are spam",
        rule: Rule::Lines { max: 20_000 },
    },
    Setting {
        key: "comment_rate_limit",
        default: "5",
        about: "Comments one client may send per window",
        rule: Rule::Number {
            min: 1,
            max: 10_000,
            optional: false,
        },
    },
    Setting {
        key: "comment_rate_window_seconds",
        default: "600",
        about: "The rate limit's window",
        rule: Rule::Number {
            min: 1,
            max: 604_800,
            optional: false,
        },
    },
    Setting {
        key: "comments_close_after_days",
        default: "",
        about: "Comments close this many days after a post is published (empty: never)",
        rule: Rule::Number {
            min: 1,
            max: 36_500,
            optional: true,
        },
    },
];

/// The settings table's rows as stored: key → text.
#[derive(Debug, Clone, Default)]
pub struct Stored(Vec<(String, String)>);

impl Stored {
    pub fn new(rows: Vec<(String, String)>) -> Self {
        Stored(rows)
    }

    /// The stored text of `key`, if it has a row.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value in force for a setting: the stored one, else its default.
    pub fn value(&self, setting: &Setting) -> &str {
        self.get(setting.key).unwrap_or(setting.default)
    }

    /// Replaces (or adds) the row of `key`, as a stored change does.
    pub fn set(&mut self, key: &str, value: &str) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value.to_string(),
            None => self.0.push((key.to_string(), value.to_string())),
        }
    }

    /// What the rows decide (see [`Settings::from_stored`]).
    pub fn settings(&self) -> Settings {
        Settings::from_stored(|key| self.get(key))
    }
}

/// The setting named `key`.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// Checks a new value for `key`: the value as it will be stored (trimmed, an address without its
/// trailing slash, a host in lower case), or a message saying what is wrong.
pub fn check(key: &str, value: &str) -> Result<String, String> {
    let Some(setting) = setting(key) else {
        let keys: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
        return Err(format!(
            "Unknown setting; the settings are: {}.",
            keys.join(", ")
        ));
    };
    let value = value.trim();
    let one_line = |value: &str| {
        if value.chars().any(char::is_control) {
            Err("Must be one line, without control characters.".to_string())
        } else {
            Ok(())
        }
    };
    match setting.rule {
        Rule::Line { max, required } => {
            one_line(value)?;
            if required && value.is_empty() {
                return Err("Must not be empty.".into());
            }
            if value.chars().count() > max {
                return Err(format!("At most {max} characters."));
            }
            Ok(value.to_string())
        }
        Rule::Lines { max } => {
            if value.chars().count() > max {
                return Err(format!("At most {max} characters."));
            }
            Ok(value.replace("\r\n", "\n"))
        }
        Rule::Address => address(value),
        Rule::TimeZone => {
            let shaped = !value.is_empty()
                && value.len() <= 64
                && value.starts_with(|c: char| c.is_ascii_alphabetic())
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
            if shaped {
                Ok(value.to_string())
            } else {
                Err(
                    "Must be an IANA time zone name, like Europe/London or America/New_York."
                        .into(),
                )
            }
        }
        Rule::Language => {
            let mut parts = value.split('-');
            let primary = parts.next().unwrap_or_default();
            let primary_ok = (2..=3).contains(&primary.len())
                && primary.chars().all(|c| c.is_ascii_alphabetic());
            let rest_ok = parts.all(|p| {
                (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric())
            });
            if primary_ok && rest_ok {
                Ok(value.to_string())
            } else {
                Err("Must be a language tag, like en, en-GB or pt-BR.".into())
            }
        }
        Rule::Number { min, max, optional } => {
            if optional && value.is_empty() {
                return Ok(String::new());
            }
            match value.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
                _ if optional => Err(format!(
                    "Must be a whole number from {min} to {max}, or empty for never."
                )),
                _ => Err(format!("Must be a whole number from {min} to {max}.")),
            }
        }
        Rule::MediaPath => match media_file(value) {
            _ if value.is_empty() => Ok(String::new()),
            Some(_) => Ok(value.to_string()),
            None => Err(
                "Must be the address of a file in the media library, like /media/3f…9a/icon.png \
                 (blogctl media upload prints it)."
                    .into(),
            ),
        },
        Rule::Email => {
            if value.is_empty() || crate::form::is_email(value) {
                Ok(value.to_string())
            } else {
                Err("Must be an email address, like blog@example.com, or empty.".into())
            }
        }
        Rule::OneOf(words) => {
            let lower = value.to_ascii_lowercase();
            if words.contains(&lower.as_str()) {
                Ok(lower)
            } else {
                Err(format!("Must be one of: {}.", words.join(", ")))
            }
        }
        Rule::Handle => {
            if is_handle(value) {
                Ok(value.to_ascii_lowercase())
            } else {
                Err(
                    "Must be 1 to 30 letters, digits or underscores, like blog or health_techie."
                        .into(),
                )
            }
        }
        Rule::Moderation => match value {
            "first-time" | "all" | "none" => Ok(value.to_string()),
            _ => Err("Must be first-time, all or none.".into()),
        },
    }
}

/// A fediverse account name: 1–30 ASCII letters, digits and underscores.
fn is_handle(value: &str) -> bool {
    (1..=30).contains(&value.len()) && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `http(s)://host[:port]`: the scheme and host in lower case, no trailing slash.
fn address(value: &str) -> Result<String, String> {
    let wrong = || {
        Err(
            "Must be the blog's address with http:// or https:// and nothing after the host, \
             like https://blog.example.com."
                .to_string(),
        )
    };
    let lower = value.to_ascii_lowercase();
    let Some((scheme, rest)) = lower.split_once("://") else {
        return wrong();
    };
    if scheme != "https" && scheme != "http" {
        return wrong();
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-'])
        && !host.contains("..")
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if host_ok && port_ok {
        Ok(format!("{scheme}://{authority}"))
    } else {
        wrong()
    }
}

/// The hash of a media library address (`/media/{sha256}/{name}`; a full URL on the blog works).
pub fn media_file(value: &str) -> Option<String> {
    let path = value.find("/media/").map(|i| &value[i..])?;
    match crate::routes::route_for(path)? {
        crate::routes::Route::Media { hash, .. } => Some(hash),
        _ => None,
    }
}

/// Whether a change of `key` shows on cached pages (the comment form's checks do not: they are
/// read when a comment arrives).
pub fn shows_on_pages(key: &str) -> bool {
    !key.starts_with("comment_")
        && !key.starts_with("newsletter_")
        && key != "fediverse_blocked_domains"
        && key != "icon"
        && key != "author_email"
        && !key.starts_with("admin_")
}

impl Settings {
    /// The settings from the table, through `stored` (`None` for a key without a row). A value
    /// that does not read (the table is only written through [`check`], but rows can be edited by
    /// hand) is the default.
    pub fn from_stored<'a>(stored: impl Fn(&str) -> Option<&'a str>) -> Self {
        let text = |key: &str, default: &str| {
            stored(key)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .unwrap_or(default)
                .to_string()
        };
        let number = |key: &str| stored(key).and_then(|v| v.trim().parse::<i64>().ok());
        let address = |key: &str| {
            stored(key)
                .map(str::trim)
                .filter(|v| crate::form::is_email(v))
                .map(str::to_string)
        };
        // A list setting (commas or new lines), each item trimmed and in lower case.
        let lower_list = |key: &str| -> Vec<String> {
            stored(key)
                .map(|list| {
                    list.split([',', '\n'])
                        .map(|p| crate::text::fold_case(p.trim()))
                        .filter(|p| !p.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let spam = SpamConfig::default();
        let base_url = text("base_url", defaults::BASE_URL)
            .trim_end_matches('/')
            .to_string();
        Settings {
            blog: Blog {
                title: text("title", defaults::TITLE),
                tagline: text("tagline", ""),
                author: text("author", defaults::AUTHOR),
                base_url,
                time_zone: text("time_zone", defaults::TIME_ZONE),
                language: text("language", defaults::LANGUAGE),
                menu: Vec::new(),
            },
            spam: SpamConfig {
                min_seconds: number("comment_min_seconds")
                    .filter(|n| *n >= 0)
                    .unwrap_or(spam.min_seconds),
                max_links: number("comment_max_links")
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or(spam.max_links),
                blocklist: lower_list("comment_blocklist"),
                blocked_clients: stored("comment_blocked_clients")
                    .map(|list| list.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                moderation: match stored("comment_moderation").map(str::trim) {
                    Some("all") => Moderation::All,
                    Some("none") => Moderation::None,
                    _ => Moderation::FirstTime,
                },
                rate_limit: number("comment_rate_limit")
                    .and_then(|n| u32::try_from(n.clamp(1, 10_000)).ok())
                    .unwrap_or(spam.rate_limit),
                rate_window_seconds: number("comment_rate_window_seconds")
                    .filter(|n| *n >= 1)
                    .unwrap_or(spam.rate_window_seconds),
            },
            comments_close_after_days: number("comments_close_after_days").filter(|d| *d > 0),
            admin_session_seconds: number("admin_session_hours")
                .filter(|h| (1..=720).contains(h))
                .unwrap_or(24)
                * 3600,
            backups_keep: number("backups_keep")
                .filter(|n| (0..=365).contains(n))
                .map_or(7, |n| n as u32),
            mail: Mail {
                from: address("email_from"),
                author: address("author_email"),
            },
            fediverse: Fediverse {
                handle: stored("fediverse_handle")
                    .map(str::trim)
                    .filter(|h| is_handle(h))
                    .unwrap_or(defaults::HANDLE)
                    .to_ascii_lowercase(),
                blocked_domains: lower_list("fediverse_blocked_domains"),
            },
            newsletter: {
                let from = address("newsletter_from").or_else(|| address("email_from"));
                let on = !matches!(stored("newsletter").map(str::trim), Some("off"));
                Newsletter {
                    enabled: on && address("email_from").is_some(),
                    from,
                    per_minute: number("newsletter_per_minute")
                        .and_then(|n| u32::try_from(n.clamp(1, 100_000)).ok())
                        .unwrap_or(crate::newsletter::DEFAULT_PER_MINUTE),
                    full_text: !matches!(stored("newsletter_content").map(str::trim), Some("lead")),
                    digest_weekday: stored("newsletter_digest_day")
                        .and_then(crate::newsletter::parse_weekday)
                        .unwrap_or(0),
                    digest_hour: number("newsletter_digest_hour")
                        .and_then(|n| u32::try_from(n.clamp(0, 23)).ok())
                        .unwrap_or(8),
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    #[test]
    fn defaults_and_stored_values() {
        let d = Settings::default();
        assert_eq!(d.blog.title, "My Blog");
        assert_eq!(d.blog.time_zone, "UTC");
        assert_eq!(d.blog.language, "en");
        assert_eq!(d.spam.moderation, Moderation::FirstTime);
        assert_eq!(d.comments_close_after_days, None);
        for s in SETTINGS {
            assert_eq!(
                check(s.key, s.default).as_deref(),
                Ok(s.default),
                "{}",
                s.key
            );
        }
        let s = Settings::from_stored(stored(&[
            ("title", "Health Techie"),
            ("base_url", "https://example.com/"),
            ("tagline", "   "),
            ("comment_blocklist", "Casino, cheap pills\n\n"),
            ("comment_moderation", "none"),
            ("comment_max_links", "-4"),
            ("comments_close_after_days", "30"),
        ]));
        assert_eq!(s.blog.title, "Health Techie");
        assert_eq!(s.blog.tagline, "");
        assert_eq!(s.blog.url("/posts/x"), "https://example.com/posts/x");
        assert_eq!(s.spam.blocklist, vec!["casino", "cheap pills"]);
        assert_eq!(s.spam.moderation, Moderation::None);
        assert_eq!(s.spam.max_links, 2, "nonsense falls back to the default");
        assert_eq!(s.comments_close_after_days, Some(30));
    }

    #[test]
    fn values_are_checked() {
        assert_eq!(
            check("fediverse_handle", " Health_Techie "),
            Ok("health_techie".into())
        );
        assert!(check("fediverse_handle", "blog@host").is_err());
        assert!(check("fediverse_handle", "").is_err());
        let fedi = Settings::from_stored(|k| match k {
            "fediverse_handle" => Some("not valid!"),
            "fediverse_blocked_domains" => Some("Spam.example\n\n bad.example "),
            _ => None,
        })
        .fediverse;
        assert_eq!(fedi.handle, "blog", "an unreadable handle is the default");
        assert_eq!(fedi.blocked_domains, vec!["spam.example", "bad.example"]);
        assert_eq!(check("title", "  Hello "), Ok("Hello".into()));
        assert_eq!(
            check("email_from", " blog@example.org "),
            Ok("blog@example.org".into())
        );
        assert_eq!(check("author_email", ""), Ok(String::new()));
        assert!(check("author_email", "me@example.org\r\nBcc: x@y.org").is_err());
        assert!(check("email_from", "not an address").is_err());
        let mail = Settings::from_stored(|k| match k {
            "email_from" => Some("blog@example.org"),
            "author_email" => Some("broken"),
            _ => None,
        })
        .mail;
        assert_eq!(mail.from.as_deref(), Some("blog@example.org"));
        assert_eq!(mail.author, None, "an address that does not read is off");
        assert!(shows_on_pages("email_from") && !shows_on_pages("author_email"));
        assert!(check("title", "").is_err());
        assert!(check("title", "a\nb").is_err());
        assert!(check("title", &"x".repeat(201)).is_err());
        assert!(check("colour", "red").unwrap_err().contains("time_zone"));
        assert_eq!(
            check("base_url", "HTTPS://Blog.Example.com/"),
            Ok("https://blog.example.com".into())
        );
        assert_eq!(
            check("base_url", "http://127.0.0.1:8787"),
            Ok("http://127.0.0.1:8787".into())
        );
        for bad in [
            "blog.example.com",
            "ftp://x.org",
            "https://x.org/blog",
            "https://x.org?a=1",
            "https://",
            "https://x.org:0",
            "https://x.org:99999",
            "https://user@x.org",
            "https://x..org",
        ] {
            assert!(check("base_url", bad).is_err(), "{bad}");
        }
        assert_eq!(
            check("time_zone", "America/New_York"),
            Ok("America/New_York".into())
        );
        assert_eq!(check("time_zone", "Etc/GMT+5"), Ok("Etc/GMT+5".into()));
        assert!(check("time_zone", "Mars/Olympus Mons").is_err());
        assert!(check("time_zone", "../etc").is_err());
        assert_eq!(check("language", "en-GB"), Ok("en-GB".into()));
        assert!(check("language", "english").is_err());
        assert!(check("language", "en_GB").is_err());
        assert_eq!(check("comment_max_links", " 007 "), Ok("7".into()));
        assert!(check("comment_max_links", "-1").is_err());
        assert!(check("comment_rate_limit", "0").is_err());
        assert_eq!(check("comments_close_after_days", ""), Ok("".into()));
        assert!(check("comments_close_after_days", "0").is_err());
        assert!(check("comment_moderation", "some").is_err());
        assert!(shows_on_pages("title") && shows_on_pages("comments_close_after_days"));
        assert!(!shows_on_pages("comment_blocklist") && !shows_on_pages("icon"));
        let mut rows = Stored::new(vec![("title".into(), "A".into())]);
        rows.set("title", "B");
        rows.set("tagline", "C");
        assert_eq!(rows.settings().blog.title, "B");
        assert_eq!(rows.value(setting("tagline").unwrap()), "C");
        assert_eq!(rows.value(setting("author").unwrap()), "The Author");
        let hash = "e5a193949016063b69675ce18341e81f4a098dd8d564a2caac8e84dbba3f4dd6";
        let path = format!("/media/{hash}/icon.png");
        assert_eq!(check("icon", &path), Ok(path.clone()));
        assert_eq!(
            media_file(&format!("https://x.org{path}")),
            Some(hash.into())
        );
        assert_eq!(check("icon", ""), Ok("".into()));
        assert!(check("icon", "/favicon.ico").is_err());
        assert!(check("icon", "/media/abc/icon.png").is_err());
    }
}
