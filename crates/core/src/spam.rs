//! The spam checks a comment goes through, each a separate rule with its own reason. A verdict
//! never loses a comment: spam and held comments are stored with their reasons for the author.

use crate::model::CommentStatus;

/// What happens to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Approve,
    /// Held for moderation.
    Hold,
    Spam,
}

impl Outcome {
    /// The moderation status a comment with this outcome is stored with.
    pub fn status(self) -> CommentStatus {
        match self {
            Outcome::Approve => CommentStatus::Approved,
            Outcome::Hold => CommentStatus::Pending,
            Outcome::Spam => CommentStatus::Spam,
        }
    }
}

/// Which comments wait for the author.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Hold a commenter's first comment; approve once they have an approved one (WordPress's default).
    FirstTime,
    /// Hold every comment.
    All,
    /// Approve whatever passes the other checks.
    None,
}

/// The checks' settings (read from the settings table: `crate::settings`).
#[derive(Debug, Clone)]
pub struct SpamConfig {
    pub min_seconds: i64,
    pub max_links: usize,
    pub blocklist: Vec<String>,
    /// Clients (keyed hashes of their IPs) the author blocked: their comments are spam.
    pub blocked_clients: Vec<String>,
    pub moderation: Moderation,
    pub rate_limit: u32,
    pub rate_window_seconds: i64,
}

impl Default for SpamConfig {
    fn default() -> Self {
        SpamConfig {
            min_seconds: 3,
            max_links: 2,
            blocklist: Vec::new(),
            blocked_clients: Vec::new(),
            moderation: Moderation::FirstTime,
            rate_limit: 5,
            rate_window_seconds: 600,
        }
    }
}

/// The worst outcome any rule reached, and every rule's reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub outcome: Outcome,
    pub reasons: Vec<String>,
}

impl Default for Verdict {
    fn default() -> Self {
        Verdict {
            outcome: Outcome::Approve,
            reasons: Vec::new(),
        }
    }
}

impl Verdict {
    pub fn add(&mut self, finding: Option<(Outcome, String)>) {
        if let Some((outcome, reason)) = finding {
            self.outcome = self.outcome.max(outcome);
            self.reasons.push(reason);
        }
    }
}

/// What the rules look at.
pub struct Facts<'a> {
    pub honeypot: &'a str,
    pub seconds_since_form: i64,
    pub author: &'a str,
    pub email: &'a str,
    pub url: Option<&'a str>,
    pub body: &'a str,
    /// Whether this email address has an approved comment already.
    pub known_commenter: bool,
    /// The client's keyed hash (see `token::client_hash`).
    pub client: &'a str,
}

/// Runs rules 1, 3, 4, 5 and 8 (the token, duplicates, the rate limit and Akismet are checked
/// where their data is).
pub fn judge(config: &SpamConfig, facts: &Facts<'_>) -> Verdict {
    let mut verdict = Verdict::default();
    verdict.add(honeypot(facts.honeypot));
    verdict.add(too_fast(facts.seconds_since_form, config.min_seconds));
    verdict.add(too_many_links(facts.body, config.max_links));
    verdict.add(blocklisted(facts, &config.blocklist));
    verdict.add(blocked_client(facts.client, &config.blocked_clients));
    verdict.add(first_time(facts.known_commenter, config.moderation));
    verdict
}

/// Rule 1: the hidden field was filled in.
pub fn honeypot(value: &str) -> Option<(Outcome, String)> {
    (!value.is_empty()).then(|| {
        (
            Outcome::Spam,
            "the hidden honeypot field was filled in".to_string(),
        )
    })
}

/// Rule 3: sent sooner after the form was issued than a person could type.
pub fn too_fast(seconds: i64, min_seconds: i64) -> Option<(Outcome, String)> {
    (seconds < min_seconds).then(|| {
        (
            Outcome::Spam,
            format!("sent {seconds} s after the form was issued (minimum {min_seconds} s)"),
        )
    })
}

/// How many `http(s)://` links a text has.
pub fn count_links(text: &str) -> usize {
    let lower = text.to_ascii_lowercase();
    lower.matches("http://").count() + lower.matches("https://").count()
}

/// Rule 4: more links than a conversation needs.
pub fn too_many_links(body: &str, max: usize) -> Option<(Outcome, String)> {
    let links = count_links(body);
    (links > max).then(|| (Outcome::Hold, format!("{links} links (more than {max})")))
}

/// Rule 5: a blocklisted word or phrase, as whole words, in any field.
/// Rule 5b: a client the author blocked from the moderation screen.
pub fn blocked_client(client: &str, blocked: &[String]) -> Option<(Outcome, String)> {
    (!client.is_empty() && blocked.iter().any(|b| b == client))
        .then(|| (Outcome::Spam, "its sender is blocked".to_string()))
}

pub fn blocklisted(facts: &Facts<'_>, blocklist: &[String]) -> Option<(Outcome, String)> {
    let text = [
        facts.author,
        facts.email,
        facts.url.unwrap_or(""),
        facts.body,
    ]
    .join("\n");
    let text = crate::text::fold_case(&text);
    blocklist
        .iter()
        .find(|phrase| contains_words(&text, phrase))
        .map(|phrase| {
            (
                Outcome::Spam,
                format!("contains the blocklisted phrase \"{phrase}\""),
            )
        })
}

/// Whether `phrase` occurs in `text` with no letter or digit right before or after it.
fn contains_words(text: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(at) = text[from..].find(phrase) {
        let start = from + at;
        let end = start + phrase.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Rule 8: first-time commenters wait for the author.
pub fn first_time(known_commenter: bool, moderation: Moderation) -> Option<(Outcome, String)> {
    match moderation {
        Moderation::All => Some((Outcome::Hold, "every comment is moderated".into())),
        Moderation::FirstTime if !known_commenter => Some((
            Outcome::Hold,
            "first comment from this email address".into(),
        )),
        _ => None,
    }
}

/// Rule 6: the same text again on the same post (ignoring case and spacing).
pub fn is_duplicate(body: &str, existing: &[String]) -> bool {
    let normal =
        |t: &str| crate::text::fold_case(&t.split_whitespace().collect::<Vec<_>>().join(" "));
    let body = normal(body);
    existing.iter().any(|e| normal(e) == body)
}

/// Rule 7: with `recent` comments from this client in the window (the oldest at
/// `oldest_at`), how long to wait before the next, if it is over the limit.
pub fn retry_after(config: &SpamConfig, recent: u32, oldest_at: i64, now: i64) -> Option<i64> {
    (recent >= config.rate_limit).then(|| (oldest_at + config.rate_window_seconds - now).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(body: &str) -> Facts<'_> {
        Facts {
            honeypot: "",
            seconds_since_form: 30,
            author: "Phil",
            email: "phil@example.com",
            url: None,
            body,
            known_commenter: true,
            client: "c1",
        }
    }

    #[test]
    fn rule_5b_a_blocked_client() {
        let config = SpamConfig {
            blocked_clients: vec!["c1".into()],
            ..SpamConfig::default()
        };
        let verdict = judge(&config, &facts("Thoughtful words."));
        assert_eq!(verdict.outcome, Outcome::Spam);
        assert_eq!(verdict.reasons, ["its sender is blocked"]);
        assert_eq!(blocked_client("", &["".into()]), None);
        assert_eq!(blocked_client("c2", &config.blocked_clients), None);
    }

    #[test]
    fn a_known_commenter_with_a_plain_comment_is_approved() {
        let verdict = judge(&SpamConfig::default(), &facts("Thoughtful words."));
        assert_eq!(verdict, Verdict::default());
    }

    #[test]
    fn rule_1_honeypot() {
        assert_eq!(honeypot("").map(|f| f.0), None);
        assert_eq!(honeypot("x").map(|f| f.0), Some(Outcome::Spam));
    }

    #[test]
    fn rule_3_timing() {
        assert_eq!(too_fast(2, 3).map(|f| f.0), Some(Outcome::Spam));
        assert!(too_fast(2, 3).unwrap().1.contains("2 s"));
        assert_eq!(too_fast(3, 3), None);
    }

    #[test]
    fn rule_4_links() {
        assert_eq!(count_links("see http://a.org and HTTPS://b.org"), 2);
        assert_eq!(too_many_links("http://a http://b", 2), None);
        assert_eq!(
            too_many_links("http://a http://b https://c", 2).map(|f| f.0),
            Some(Outcome::Hold)
        );
    }

    #[test]
    fn rule_5_blocklist_matches_whole_words_anywhere() {
        let list = vec!["viagra".to_string(), "cheap pills".to_string()];
        let mut f = facts("Buy VIAGRA now");
        assert_eq!(blocklisted(&f, &list).map(|x| x.0), Some(Outcome::Spam));
        f.body = "Scunthorpe-style: viagrafalls is a place";
        assert_eq!(blocklisted(&f, &list), None);
        f.body = "hello";
        f.author = "Cheap pills";
        assert!(blocklisted(&f, &list).unwrap().1.contains("cheap pills"));
    }

    #[test]
    fn rule_6_duplicates_ignore_case_and_spacing() {
        let existing = vec!["Great  post!".to_string()];
        assert!(is_duplicate("great post!", &existing));
        assert!(!is_duplicate("great post!!", &existing));
    }

    #[test]
    fn rule_7_rate_limit() {
        let config = SpamConfig::default();
        assert_eq!(retry_after(&config, 4, 1000, 1100), None);
        assert_eq!(retry_after(&config, 5, 1000, 1100), Some(500));
        assert_eq!(retry_after(&config, 9, 0, 5000), Some(1));
    }

    #[test]
    fn rule_8_first_time_commenters_wait() {
        assert_eq!(
            first_time(false, Moderation::FirstTime).map(|f| f.0),
            Some(Outcome::Hold)
        );
        assert_eq!(first_time(true, Moderation::FirstTime), None);
        assert_eq!(
            first_time(true, Moderation::All).map(|f| f.0),
            Some(Outcome::Hold)
        );
        assert_eq!(first_time(false, Moderation::None), None);
    }

    #[test]
    fn the_worst_finding_wins_and_every_reason_is_kept() {
        let mut f = facts("http://a http://b http://c");
        f.honeypot = "filled";
        f.known_commenter = false;
        let verdict = judge(&SpamConfig::default(), &f);
        assert_eq!(verdict.outcome, Outcome::Spam);
        assert_eq!(verdict.reasons.len(), 3);
        assert!(verdict.reasons[0].starts_with("the hidden honeypot"));
    }
}
