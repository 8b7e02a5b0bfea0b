//! Dates as the blog shows them.
//!
//! Times are stored as Unix seconds (UTC). Pages show them in the blog's time zone; the offset of
//! that zone at a given instant comes from a [`Zone`], so that the formatting rules here stay pure
//! and testable natively while the Worker asks the runtime's `Intl` for real zone data (which costs
//! nothing in wasm size, unlike a bundled tz database).

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Answers "what is the UTC offset of this zone at this instant?".
pub trait Zone {
    fn offset_at(&self, unix: i64) -> UtcOffset;
}

/// A zone with one offset all year round (UTC, or tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedZone(pub UtcOffset);

impl Zone for FixedZone {
    fn offset_at(&self, _unix: i64) -> UtcOffset {
        self.0
    }
}

fn local(unix: i64, zone: &dyn Zone) -> OffsetDateTime {
    let utc = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    utc.to_offset(zone.offset_at(unix))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(dt: OffsetDateTime) -> &'static str {
    MONTHS[usize::from(u8::from(dt.month())) - 1]
}

/// "March 18, 2011": a post's date.
pub fn long_date(unix: i64, zone: &dyn Zone) -> String {
    let dt = local(unix, zone);
    format!("{} {}, {}", month_name(dt), dt.day(), dt.year())
}

/// "March 18, 2011 at 1:17 am": a comment's date and time.
pub fn comment_time(unix: i64, zone: &dyn Zone) -> String {
    let dt = local(unix, zone);
    let hour = match dt.hour() % 12 {
        0 => 12,
        h => h,
    };
    let meridiem = if dt.hour() < 12 { "am" } else { "pm" };
    format!(
        "{} {}, {} at {hour}:{:02} {meridiem}",
        month_name(dt),
        dt.day(),
        dt.year(),
        dt.minute()
    )
}

/// "14:17 18/03/2011": an addendum's timestamp.
pub fn addendum_stamp(unix: i64, zone: &dyn Zone) -> String {
    let dt = local(unix, zone);
    format!(
        "{:02}:{:02} {:02}/{:02}/{}",
        dt.hour(),
        dt.minute(),
        dt.day(),
        u8::from(dt.month()),
        dt.year()
    )
}

/// Machine-readable RFC 3339 in the blog's zone, for `<time datetime>` and feeds.
pub fn rfc3339(unix: i64, zone: &dyn Zone) -> String {
    local(unix, zone).format(&Rfc3339).unwrap_or_default()
}

/// RFC 2822 in UTC ("Fri, 18 Mar 2011 14:17:00 +0000"), as RSS wants.
pub fn rfc2822(unix: i64) -> String {
    let utc = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    utc.format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default()
}

/// Parses an RFC 3339 timestamp ("2011-03-18T14:17:00Z", "…+01:00") into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(|dt| dt.unix_timestamp())
}

/// Parses the offset part of `Intl.DateTimeFormat`'s `longOffset` time-zone name: "GMT",
/// "GMT+01:00", "GMT-05:30".
pub fn parse_gmt_offset(text: &str) -> Option<UtcOffset> {
    let rest = text.trim().strip_prefix("GMT")?;
    if rest.is_empty() {
        return Some(UtcOffset::UTC);
    }
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' | 0xE2 => (-1, rest.trim_start_matches(['-', '\u{2212}'])),
        _ => return None,
    };
    let (hours, minutes) = digits.split_once(':').unwrap_or((digits, "0"));
    let hours: i8 = hours.parse().ok()?;
    let minutes: i8 = minutes.parse().ok()?;
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::offset;

    const ADDENDUM: i64 = 1_300_457_820; // 2011-03-18T14:17:00Z

    #[test]
    fn formats_like_the_reference_page() {
        let utc = FixedZone(UtcOffset::UTC);
        assert_eq!(addendum_stamp(ADDENDUM, &utc), "14:17 18/03/2011");
        assert_eq!(long_date(ADDENDUM, &utc), "March 18, 2011");
        // 2011-03-18T01:17:00Z, the first response on the reference page.
        assert_eq!(
            comment_time(1_300_411_020, &utc),
            "March 18, 2011 at 1:17 am"
        );
        assert_eq!(comment_time(ADDENDUM, &utc), "March 18, 2011 at 2:17 pm");
    }

    #[test]
    fn midnight_and_noon_read_as_twelve() {
        let utc = FixedZone(UtcOffset::UTC);
        assert_eq!(
            comment_time(1_300_406_400, &utc),
            "March 18, 2011 at 12:00 am"
        );
        assert_eq!(
            comment_time(1_300_449_600, &utc),
            "March 18, 2011 at 12:00 pm"
        );
    }

    #[test]
    fn applies_the_zone_offset() {
        let new_york = FixedZone(offset!(-4));
        assert_eq!(addendum_stamp(ADDENDUM, &new_york), "10:17 18/03/2011");
        assert_eq!(rfc3339(ADDENDUM, &new_york), "2011-03-18T10:17:00-04:00");
        let late = FixedZone(offset!(+10));
        assert_eq!(long_date(ADDENDUM, &late), "March 19, 2011");
    }

    #[test]
    fn rss_dates() {
        assert_eq!(rfc2822(ADDENDUM), "Fri, 18 Mar 2011 14:17:00 +0000");
    }

    #[test]
    fn parses_rfc3339_with_offsets() {
        assert_eq!(parse_rfc3339("2011-03-18T14:17:00Z"), Some(ADDENDUM));
        assert_eq!(parse_rfc3339("2011-03-18T15:17:00+01:00"), Some(ADDENDUM));
        assert_eq!(parse_rfc3339("18/03/2011"), None);
        assert_eq!(parse_rfc3339(""), None);
    }

    #[test]
    fn parses_intl_offsets() {
        assert_eq!(parse_gmt_offset("GMT"), Some(UtcOffset::UTC));
        assert_eq!(parse_gmt_offset("GMT+01:00"), Some(offset!(+1)));
        assert_eq!(parse_gmt_offset("GMT-05:30"), Some(offset!(-5:30)));
        assert_eq!(parse_gmt_offset("GMT\u{2212}03:00"), Some(offset!(-3)));
        assert_eq!(parse_gmt_offset("UTC"), None);
        assert_eq!(parse_gmt_offset("GMT+99:00"), None);
    }
}
