//! The newsletter's rules: who gets what and how often, the weekly digest's time, how fast mail
//! goes out, the words of its messages, and reading the subscriber lists other services export.
//!
//! The Workers keep the state (`subscribers`, `newsletter_issues`, `newsletter_messages` in D1)
//! and do the sending (`src/author/newsletter/`); nothing here does I/O.

use crate::dates::Zone;
use crate::email::{header_text, Letter};

/// How often a subscriber hears from the blog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Each new post, when it is published.
    EveryPost,
    /// One digest a week with the week's posts (none in a week without posts).
    Weekly,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::EveryPost => "post",
            Cadence::Weekly => "weekly",
        }
    }

    /// `post` (also `every-post`, `each`) or `weekly` (also `digest`).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "post" | "every-post" | "each" | "every post" => Some(Cadence::EveryPost),
            "weekly" | "digest" | "week" => Some(Cadence::Weekly),
            _ => None,
        }
    }

    /// Words for a person.
    pub fn describe(self) -> &'static str {
        match self {
            Cadence::EveryPost => "every new post",
            Cadence::Weekly => "a weekly digest",
        }
    }
}

/// Where a subscriber stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriberStatus {
    /// Asked, and not yet confirmed the address.
    Pending,
    Confirmed,
    /// Left (a link in a mail, or the author removed them).
    Unsubscribed,
    /// Mail to the address failed for good [`SUPPRESS_AFTER_FAILURES`] times.
    Suppressed,
}

impl SubscriberStatus {
    pub const ALL: [SubscriberStatus; 4] = [
        SubscriberStatus::Pending,
        SubscriberStatus::Confirmed,
        SubscriberStatus::Unsubscribed,
        SubscriberStatus::Suppressed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubscriberStatus::Pending => "pending",
            SubscriberStatus::Confirmed => "confirmed",
            SubscriberStatus::Unsubscribed => "unsubscribed",
            SubscriberStatus::Suppressed => "suppressed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How a subscriber came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The subscribe form (double opt-in).
    Form,
    /// Added by the author, one address.
    Admin,
    /// A list imported from another service.
    Import,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Form => "form",
            Source::Admin => "admin",
            Source::Import => "import",
        }
    }
}

/// Sign-ups one client may make in an hour (whatever the addresses).
pub const SUBSCRIBES_PER_CLIENT_PER_HOUR: u32 = 5;
/// Confirmation mails one address gets in a day, however often it is typed into the form.
pub const CONFIRMATIONS_PER_ADDRESS_PER_DAY: u32 = 3;
/// Subscribers an issue's fan-out gives their message rows in one statement.
pub const FAN_OUT_CHUNK: u32 = 500;
/// Messages claimed at once.
pub const SEND_BATCH: u32 = 50;
/// Messages one run of the sender sends at most: each costs a send and a write, and a Worker
/// invocation has 1,000 subrequests.
pub const MAX_SENDS_PER_RUN: u32 = 300;
/// Permanent failures (the address refused) after which an address is no longer mailed.
pub const SUPPRESS_AFTER_FAILURES: u32 = 3;
/// The largest subscriber file an import reads.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// The default pace, messages a minute (the `newsletter_per_minute` setting).
pub const DEFAULT_PER_MINUTE: u32 = 60;

/// How many messages may be claimed now: the pace's allowance for a minute less what was claimed
/// in this one (fixed one-minute windows), at most a batch.
pub fn allowance(per_minute: u32, claimed_this_minute: u32) -> u32 {
    per_minute
        .saturating_sub(claimed_this_minute)
        .min(SEND_BATCH)
}

/// Days of the week as the `newsletter_digest_day` setting names them, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The weekday (0 = Monday) a setting names: `monday`, `Mon`, …
pub fn parse_weekday(text: &str) -> Option<u32> {
    let text = text.trim().to_ascii_lowercase();
    if text.len() < 3 {
        return None;
    }
    WEEKDAYS
        .iter()
        .position(|day| day.starts_with(&text))
        .map(|i| i as u32)
}

/// The latest weekly digest time at or before `now`: `weekday` (0 = Monday) at `hour`:00 on the
/// blog's wall clock in `zone`.
pub fn weekly_slot(now: i64, weekday: u32, hour: u32, zone: &dyn Zone) -> i64 {
    let offset = i64::from(zone.offset_at(now));
    let local = now + offset;
    let today = local.div_euclid(86_400);
    // 1970-01-01 was a Thursday (3, counting from Monday as 0).
    let today_weekday = (today + 3).rem_euclid(7);
    let mut day = today - (today_weekday - i64::from(weekday % 7)).rem_euclid(7);
    let mut slot_local = day * 86_400 + i64::from(hour.min(23)) * 3600;
    if slot_local > local {
        day -= 7;
        slot_local = day * 86_400 + i64::from(hour.min(23)) * 3600;
    }
    // The slot's own offset (a daylight-saving change may lie between it and now).
    slot_local - i64::from(zone.offset_at(slot_local - offset))
}

/// What a newsletter message is about, for its words.
#[derive(Debug, Clone, Copy)]
pub struct IssueFacts<'a> {
    pub blog_title: &'a str,
    /// The page with the subscriber's choices (how often, leave).
    pub manage_url: &'a str,
    /// The one-click way out.
    pub unsubscribe_url: &'a str,
}

/// One post in a message: its title, address and plain text (the whole post or its lead).
#[derive(Debug, Clone)]
pub struct PostText<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub text: &'a str,
    /// The text is only the post's beginning.
    pub is_lead: bool,
}

fn subject(blog_title: &str, what: &str) -> String {
    header_text(&format!("[{}] {what}", header_text(blog_title, 80)), 200)
}

fn footer(facts: &IssueFacts<'_>) -> String {
    format!(
        "\n--\nYou get this because you subscribed to {} by email.\nHow often, or leave: {}\nUnsubscribe now: {}\n",
        facts.blog_title, facts.manage_url, facts.unsubscribe_url
    )
}

fn post_block(post: &PostText<'_>) -> String {
    let mut out = format!("{}\n{}\n\n{}\n", post.title, post.url, post.text.trim_end());
    if post.is_lead {
        out.push_str(&format!("\nRead on: {}\n", post.url));
    }
    out.push_str(&format!("Comments: {}#comments\n", post.url));
    out
}

/// The plain text of a new post's mail.
pub fn post_letter(facts: &IssueFacts<'_>, post: &PostText<'_>) -> Letter {
    Letter {
        subject: header_text(post.title, 200),
        text: format!("{}{}", post_block(post), footer(facts)),
    }
}

/// The plain text of a weekly digest (posts oldest first, as they came).
pub fn digest_letter(facts: &IssueFacts<'_>, posts: &[PostText<'_>]) -> Letter {
    let what = match posts {
        [one] => format!("This week: {}", one.title),
        _ => format!("This week: {} new posts", posts.len()),
    };
    let mut text = String::new();
    for (i, post) in posts.iter().enumerate() {
        if i > 0 {
            text.push_str("\n* * *\n\n");
        }
        text.push_str(&post_block(post));
    }
    Letter {
        subject: subject(facts.blog_title, &what),
        text: format!("{text}{}", footer(facts)),
    }
}

/// To an address typed into the subscribe form: confirm it (or, already confirmed, where to
/// change the subscription). The form's answer is the same either way, so that it never tells
/// whether an address is subscribed.
pub fn confirm_letter(
    blog_title: &str,
    blog_url: &str,
    cadence: Cadence,
    confirmed_already: bool,
    confirm_url: &str,
    manage_url: &str,
) -> Letter {
    if confirmed_already {
        return Letter {
            subject: subject(blog_title, "You are subscribed already"),
            text: format!(
                "Someone (we hope you) asked for {blog_title}'s posts by email ({blog_url}) with this address. It is subscribed already, for {}.\n\nTo change how often, or to leave:\n{manage_url}\n\nIf it was not you, nothing changes; you can ignore this email.\n",
                cadence.describe()
            ),
        };
    }
    Letter {
        subject: subject(blog_title, "Please confirm your subscription"),
        text: format!(
            "Someone (we hope you) asked for {blog_title}'s posts by email ({blog_url}), {}, with this address.\n\nTo start getting them, confirm here:\n{confirm_url}\n\nIf it was not you, ignore this email: nothing more will be sent unless the address is confirmed.\n",
            cadence.describe()
        ),
    }
}

/// Makes every address in the blog's own HTML absolute, for mail (which has no page to be
/// relative to): `src="/…"` and `href="/…"` get `base`, `href="#…"` gets the post's own
/// address. The HTML is what the blog's renderer wrote, with attributes in double quotes.
pub fn absolute_addresses(html: &str, base: &str, page_url: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    loop {
        let next = ["src=\"", "href=\"", "poster=\"", "srcset=\""]
            .iter()
            .filter_map(|attr| rest.find(attr).map(|at| (at, attr.len())))
            .min();
        let Some((at, len)) = next else {
            out.push_str(rest);
            return out;
        };
        // Only an attribute: the character before it is white space.
        let is_attribute = at > 0 && rest.as_bytes()[at - 1].is_ascii_whitespace();
        let is_srcset = rest[at..].starts_with("srcset");
        out.push_str(&rest[..at + len]);
        rest = &rest[at + len..];
        if !is_attribute {
            continue;
        }
        if is_srcset {
            // `url 320w, url 640w`: each candidate's address.
            let end = rest.find('"').unwrap_or(rest.len());
            let candidates: Vec<String> = rest[..end]
                .split(", ")
                .map(|candidate| match candidate.strip_prefix('/') {
                    Some(path) if !path.starts_with('/') => format!("{base}/{path}"),
                    _ => candidate.to_string(),
                })
                .collect();
            out.push_str(&candidates.join(", "));
            rest = &rest[end..];
            continue;
        }
        if rest.starts_with("//") {
            out.push_str("https:");
        } else if rest.starts_with('/') {
            out.push_str(base);
        } else if rest.starts_with('#') {
            out.push_str(page_url);
        }
    }
}

/// Adds the inline style mail clients need to every `<img>` (no style sheet reaches them): at
/// most the column's width, the height kept in proportion.
pub fn mail_images(html: &str) -> String {
    html.replace(
        "<img ",
        "<img style=\"max-width:100%;height:auto;display:block\" ",
    )
}

/// A subscriber file as text: UTF-8 (with or without a byte-order mark), UTF-16 with its mark
/// (as Excel saves "Unicode text"), else Windows-1252 (as older spreadsheets save CSV).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    let utf16 = |rest: &[u8], big_endian: bool| {
        let units = rest.chunks_exact(2).map(|pair| {
            if big_endian {
                u16::from_be_bytes([pair[0], pair[1]])
            } else {
                u16::from_le_bytes([pair[0], pair[1]])
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, false);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, true);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

/// A Windows-1252 byte as a character (0x80–0x9F are its typographic characters; the rest is
/// Latin-1).
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// What became of one line of a subscriber file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    /// An address to add.
    Address(String),
    /// The same address came earlier in the file.
    Duplicate(String),
    /// Not imported, and why.
    Refused(String),
}

/// One data line of a subscriber file, with its line number (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    pub line: u64,
    pub outcome: LineOutcome,
}

/// Which service's export a header looks like (for the report; the rules read columns by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Substack,
    Ghost,
    Mailchimp,
    Buttondown,
    /// A file with an email column and nothing we know, or a bare list of addresses.
    Plain,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Substack => "substack",
            Provider::Ghost => "ghost",
            Provider::Mailchimp => "mailchimp",
            Provider::Buttondown => "buttondown",
            Provider::Plain => "plain",
        }
    }
}

/// A subscriber file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    pub provider: Provider,
    pub lines: Vec<ImportLine>,
}

/// Column names that hold the address, in any case: Substack and Ghost (`email`), Mailchimp
/// (`Email Address`), Buttondown (`email`, or `email_address` in its API's shape).
const EMAIL_COLUMNS: [&str; 6] = [
    "email",
    "email address",
    "email_address",
    "e-mail",
    "e-mail address",
    "subscriber email",
];

fn truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "y"
    )
}

/// A column's rule: why a line with this value is not imported, if it is not.
type Refusal = fn(&str) -> Option<&'static str>;

/// Reads a subscriber export: Substack's (`email`, `email_disabled`), Ghost's members file
/// (`email`, `subscribed_to_emails`, `deleted_at`), Mailchimp's audience files (`Email Address`,
/// and `UNSUB_TIME` or `CLEAN_TIME` in the unsubscribed and cleaned ones), Buttondown's
/// (`email`, `subscriber_type`), any CSV with an email column, or a bare list of addresses (one
/// a line). Every data line is accounted for. `Err` when the file has no email column.
pub fn read_import(text: &str) -> Result<ImportFile, String> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    // A tab-separated file (as spreadsheets save "Unicode text") is read as such.
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err("The file is empty.".into()),
        Some(Err(e)) => return Err(format!("Line 1 cannot be read: {e}.")),
        Some(Ok(header)) => header,
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let column = |wanted: &str| names.iter().position(|n| n == wanted);
    let bare_list = names.len() == 1 && crate::form::is_email(names[0].trim());
    let email_at = match EMAIL_COLUMNS.iter().find_map(|c| column(c)) {
        Some(at) => at,
        None if bare_list => 0,
        None => {
            return Err(format!(
                "No email column: the first line names {}. Name the column of addresses \"email\" (Substack, Ghost, Buttondown) or \"Email Address\" (Mailchimp).",
                if names.is_empty() { "nothing".to_string() } else { names.join(", ") }
            ))
        }
    };
    let provider = if bare_list {
        Provider::Plain
    } else if column("subscribed_to_emails").is_some() {
        Provider::Ghost
    } else if column("email_disabled").is_some() || column("active_subscription").is_some() {
        Provider::Substack
    } else if names[email_at] == "email address" {
        Provider::Mailchimp
    } else if column("subscriber_type").is_some() {
        Provider::Buttondown
    } else {
        Provider::Plain
    };
    // Columns that say a line's person does not want mail, with the reason given.
    let refusals: Vec<(usize, Refusal)> = [
        (
            column("subscribed_to_emails"),
            (|v: &str| {
                (!v.trim().is_empty() && !truthy(v))
                    .then_some("not subscribed to emails in the export")
            }) as Refusal,
        ),
        (column("deleted_at"), |v| {
            (!v.trim().is_empty()).then_some("deleted in the export")
        }),
        (column("email_disabled"), |v| {
            truthy(v).then_some("email disabled in the export")
        }),
        (column("unsub_time"), |v| {
            (!v.trim().is_empty()).then_some("unsubscribed in the export")
        }),
        (column("clean_time"), |v| {
            (!v.trim().is_empty()).then_some("cleaned (mail to it bounced) in the export")
        }),
        (column("subscriber_type").or(column("type")), |v| {
            match v.trim().to_ascii_lowercase().as_str() {
                "unsubscribed" | "removed" => Some("unsubscribed in the export"),
                "unactivated" => Some("never confirmed the address in the export"),
                "undeliverable" | "spammy" | "blocked" => {
                    Some("marked undeliverable in the export")
                }
                _ => None,
            }
        }),
    ]
    .into_iter()
    .filter_map(|(at, rule)| at.map(|at| (at, rule)))
    .collect();

    // A record's line, from its byte offset (blank lines and quoted line breaks count too).
    let newlines: Vec<usize> = memchr_newlines(text);
    // (A record's offset can fall before the previous line's end: line ends are skipped.)
    let line_at = |byte: u64| -> u64 {
        let bytes = text.as_bytes();
        let mut at = usize::try_from(byte).unwrap_or(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        newlines.partition_point(|&nl| nl < at) as u64 + 1
    };
    let mut seen = std::collections::HashSet::new();
    let mut lines = Vec::new();
    if bare_list {
        let address = names[0].trim().to_string();
        seen.insert(address.to_ascii_lowercase());
        lines.push(ImportLine {
            line: 1,
            outcome: LineOutcome::Address(header[0].trim().to_string()),
        });
    }
    for record in records {
        let (line, outcome) = match record {
            Err(e) => (
                e.position().map_or(0, |p| line_at(p.byte())),
                LineOutcome::Refused(format!("cannot be read: {e}")),
            ),
            Ok(record) => {
                let line = record.position().map_or(0, |p| line_at(p.byte()));
                if record.iter().all(|cell| cell.trim().is_empty()) {
                    continue; // a blank line is not a subscriber
                }
                let address = record.get(email_at).unwrap_or_default().trim();
                let refused = refusals
                    .iter()
                    .find_map(|(at, rule)| rule(record.get(*at).unwrap_or_default()));
                let outcome = if address.is_empty() {
                    LineOutcome::Refused("no address".into())
                } else if !crate::form::is_email(address) {
                    LineOutcome::Refused(format!(
                        "{:?} is not an email address",
                        header_text(address, 80)
                    ))
                } else if let Some(why) = refused {
                    LineOutcome::Refused(format!("{address}: {why}"))
                } else if !seen.insert(address.to_ascii_lowercase()) {
                    LineOutcome::Duplicate(address.to_string())
                } else {
                    LineOutcome::Address(address.to_string())
                };
                (line, outcome)
            }
        };
        lines.push(ImportLine { line, outcome });
    }
    Ok(ImportFile { provider, lines })
}

/// The byte offsets of the line feeds in `text`.
fn memchr_newlines(text: &str) -> Vec<usize> {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(at, _)| at)
        .collect()
}

/// One subscriber as an export writes it.
#[derive(Debug, Clone)]
pub struct ExportRow<'a> {
    pub email: &'a str,
    pub status: SubscriberStatus,
    pub cadence: Cadence,
    pub created_at: &'a str,
    pub confirmed_at: Option<&'a str>,
}

/// The header of [`export_line`]'s lines (`email` first, so that every importer reads it).
pub const EXPORT_HEADER: &str = "email,status,cadence,created_at,confirmed_at\r\n";

/// One CSV line of the subscriber export. Addresses cannot hold quotes or commas (see
/// [`crate::form::is_email`]); a cell starting with a formula character is still quoted with a
/// leading apostrophe, so that a spreadsheet never runs it.
pub fn export_line(row: &ExportRow<'_>) -> String {
    let cell = |text: &str| {
        let text = if text.starts_with(['=', '+', '-', '@']) {
            format!("'{text}")
        } else {
            text.to_string()
        };
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    };
    format!(
        "{},{},{},{},{}\r\n",
        cell(row.email),
        row.status.as_str(),
        row.cadence.as_str(),
        row.created_at,
        row.confirmed_at.unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::FixedZone;

    fn addresses(file: &ImportFile) -> Vec<&str> {
        file.lines
            .iter()
            .filter_map(|l| match &l.outcome {
                LineOutcome::Address(a) => Some(a.as_str()),
                _ => None,
            })
            .collect()
    }

    fn refused(file: &ImportFile) -> Vec<(u64, &str)> {
        file.lines
            .iter()
            .filter_map(|l| match &l.outcome {
                LineOutcome::Refused(why) => Some((l.line, why.as_str())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn cadences_and_statuses_read_back() {
        for c in [Cadence::EveryPost, Cadence::Weekly] {
            assert_eq!(Cadence::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cadence::parse(" Weekly "), Some(Cadence::Weekly));
        assert_eq!(Cadence::parse("daily"), None);
        for s in SubscriberStatus::ALL {
            assert_eq!(SubscriberStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn the_pace_allows_what_is_left_of_the_minute() {
        assert_eq!(allowance(60, 0), 50);
        assert_eq!(allowance(60, 55), 5);
        assert_eq!(allowance(60, 70), 0);
        assert_eq!(allowance(10, 3), 7);
    }

    #[test]
    fn the_weekly_slot_is_the_latest_at_or_before_now() {
        // 2026-12-03 was a Thursday; 12:00 UTC.
        let thursday_noon = 1_796_299_200;
        let monday_8 = weekly_slot(thursday_noon, 0, 8, &FixedZone::UTC);
        assert_eq!(monday_8, thursday_noon - 3 * 86_400 - 4 * 3600);
        // Thursday 8:00 has passed today; Thursday 13:00 is a week back.
        assert_eq!(
            weekly_slot(thursday_noon, 3, 8, &FixedZone::UTC),
            thursday_noon - 4 * 3600
        );
        assert_eq!(
            weekly_slot(thursday_noon, 3, 13, &FixedZone::UTC),
            thursday_noon + 3600 - 7 * 86_400
        );
        // At the slot itself, the slot.
        assert_eq!(
            weekly_slot(thursday_noon, 3, 12, &FixedZone::UTC),
            thursday_noon
        );
        // In a zone two hours ahead, Thursday 13:00 local is 11:00 UTC: passed.
        assert_eq!(
            weekly_slot(thursday_noon, 3, 13, &FixedZone(7200)),
            thursday_noon - 3600
        );
        assert_eq!(parse_weekday("Mon"), Some(0));
        assert_eq!(parse_weekday("sunday"), Some(6));
        assert_eq!(parse_weekday("x"), None);
    }

    #[test]
    fn addresses_in_mail_are_absolute() {
        let html = r##"<p><a href="/posts/b">b</a> <img src="/media/ab/c.png" alt="c"> <a href="#fn1">1</a> <a href="https://x.org/">x</a> <a href="//cdn.example/y">y</a> data-src="/no"</p>"##;
        let out = absolute_addresses(html, "https://blog.example", "https://blog.example/posts/a");
        assert!(
            out.contains(r#"href="https://blog.example/posts/b""#),
            "{out}"
        );
        assert!(
            out.contains(r#"src="https://blog.example/media/ab/c.png""#),
            "{out}"
        );
        assert!(
            out.contains(r#"href="https://blog.example/posts/a#fn1""#),
            "{out}"
        );
        assert!(out.contains(r#"href="https://x.org/""#), "{out}");
        assert!(out.contains(r#"href="https://cdn.example/y""#), "{out}");
        assert!(
            out.contains(r#"data-src="/no""#),
            "not an attribute of its own: {out}"
        );
        assert!(mail_images(&out).contains("<img style=\"max-width:100%"));
        let set = absolute_addresses(
            r#"<img src="/m/c.png" srcset="/m/w320/c.png 320w, /m/c.png 640w" sizes="9px">"#,
            "https://blog.example",
            "https://blog.example/posts/a",
        );
        assert!(
            set.contains(r#"srcset="https://blog.example/m/w320/c.png 320w, https://blog.example/m/c.png 640w" sizes="9px""#),
            "{set}"
        );
    }

    #[test]
    fn files_in_odd_encodings_decode() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFemail\na@b.org"), "email\na@b.org");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "email\nzoë@b.org"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes()),
            )
            .collect();
        assert_eq!(decode_text(&utf16), "email\nzoë@b.org");
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("email".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(decode_text(&utf16be), "email");
        // Windows-1252: é is 0xE9, ’ is 0x92.
        assert_eq!(decode_text(b"Ren\xE9e\x92s"), "Renée’s");
    }

    #[test]
    fn substack_export() {
        let file = read_import("email,active_subscription,expiry,plan,email_disabled,created_at\r\nann@example.org,false,,free,false,2024-01-02T00:00:00Z\r\nbob@example.org,true,2027-01-01,paid,true,2024-01-02T00:00:00Z\r\n").unwrap();
        assert_eq!(file.provider, Provider::Substack);
        assert_eq!(addresses(&file), ["ann@example.org"]);
        assert_eq!(
            refused(&file),
            [(3, "bob@example.org: email disabled in the export")]
        );
    }

    #[test]
    fn ghost_export() {
        let file = read_import("id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers\n1,cy@example.org,\"Cy, Jr.\",\"said \"\"hi\"\"\",true,false,,2024-01-01,,\"a,b\",\n2,di@example.org,Di,,false,false,,2024-01-01,,,\n").unwrap();
        assert_eq!(file.provider, Provider::Ghost);
        assert_eq!(addresses(&file), ["cy@example.org"]);
        assert_eq!(refused(&file)[0].0, 3);
    }

    #[test]
    fn mailchimp_exports() {
        let subscribed = read_import("Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS\nEd@Example.org,Ed,Ng,2,,,,,,,,,,,,,1,x,,\n").unwrap();
        assert_eq!(subscribed.provider, Provider::Mailchimp);
        assert_eq!(addresses(&subscribed), ["Ed@Example.org"]);
        let gone = read_import("Email Address,First Name,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE\nfay@example.org,Fay,2024-03-01 10:00:00,Spring\n").unwrap();
        assert!(addresses(&gone).is_empty());
        assert_eq!(
            refused(&gone),
            [(2, "fay@example.org: unsubscribed in the export")]
        );
    }

    #[test]
    fn buttondown_export() {
        let file = read_import("email,creation_date,notes,metadata,tags,subscriber_type\ngus@example.org,2024-01-01,,{},[],regular\nhal@example.org,2024-01-01,,{},[],unsubscribed\nivy@example.org,2024-01-01,,{},[],unactivated\n").unwrap();
        assert_eq!(file.provider, Provider::Buttondown);
        assert_eq!(addresses(&file), ["gus@example.org"]);
        assert_eq!(refused(&file).len(), 2);
    }

    #[test]
    fn every_line_is_accounted_for() {
        let file = read_import("\u{FEFF}Email\njo@example.org\n\nnot-an-address\nJO@example.org\n,\n\"unterminated@example.org\n").unwrap();
        let outcomes: Vec<_> = file.lines.iter().map(|l| (l.line, &l.outcome)).collect();
        assert_eq!(
            outcomes[0],
            (2, &LineOutcome::Address("jo@example.org".into()))
        );
        assert!(matches!(outcomes[1], (4, LineOutcome::Refused(_))));
        assert_eq!(
            outcomes[2],
            (5, &LineOutcome::Duplicate("JO@example.org".into()))
        );
        // A line of empty cells is no one; a quote left open ends at the end of the file.
        assert_eq!(
            outcomes[3],
            (7, &LineOutcome::Address("unterminated@example.org".into()))
        );
        assert_eq!(outcomes.len(), 4, "{outcomes:?}");
        // A bare list, and one with no email column.
        let bare = read_import("a@example.org\nb@example.org\n").unwrap();
        assert_eq!(addresses(&bare), ["a@example.org", "b@example.org"]);
        assert!(read_import("name,phone\nx,1\n")
            .unwrap_err()
            .contains("No email column"));
        assert!(read_import("").is_err());
        let tabs = read_import("email\tname\nk@example.org\tK\n").unwrap();
        assert_eq!(addresses(&tabs), ["k@example.org"]);
    }

    #[test]
    fn letters_name_the_way_out() {
        let facts = IssueFacts {
            blog_title: "Health\r\nBcc: x@y.z",
            manage_url: "https://b.example/newsletter/manage/t",
            unsubscribe_url: "https://b.example/newsletter/unsubscribe/t",
        };
        let post = PostText {
            title: "A post",
            url: "https://b.example/posts/a",
            text: "Hello.",
            is_lead: true,
        };
        let one = post_letter(&facts, &post);
        assert_eq!(one.subject, "A post");
        assert!(one.text.contains("Read on: https://b.example/posts/a"));
        assert!(one
            .text
            .contains("Unsubscribe now: https://b.example/newsletter/unsubscribe/t"));
        let digest = digest_letter(&facts, &[post.clone(), post]);
        assert_eq!(digest.subject, "[Health Bcc: x@y.z] This week: 2 new posts");
        let confirm = confirm_letter(
            "B",
            "https://b.example",
            Cadence::Weekly,
            false,
            "https://c",
            "https://m",
        );
        assert!(confirm.text.contains("a weekly digest") && confirm.text.contains("https://c"));
        let again = confirm_letter(
            "B",
            "https://b.example",
            Cadence::Weekly,
            true,
            "https://c",
            "https://m",
        );
        assert!(!again.text.contains("https://c\n") && again.text.contains("https://m"));
    }

    #[test]
    fn export_lines_are_safe_csv() {
        let row = ExportRow {
            email: "=cmd@example.org",
            status: SubscriberStatus::Confirmed,
            cadence: Cadence::Weekly,
            created_at: "2026-01-01T00:00:00Z",
            confirmed_at: None,
        };
        assert_eq!(
            export_line(&row),
            "'=cmd@example.org,confirmed,weekly,2026-01-01T00:00:00Z,\r\n"
        );
    }
}
