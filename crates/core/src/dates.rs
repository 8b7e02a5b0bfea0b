//! Dates as the blog shows them.
//!
//! Times are stored as Unix seconds (UTC). Pages show them in the blog's time zone; the offset of
//! that zone at a given instant comes from a [`Zone`], so that the formatting rules here stay pure
//! and testable natively while the Worker asks the runtime's `Intl` for real zone data (which costs
//! nothing in wasm size, unlike a bundled tz database).
//!
//! The calendar arithmetic is the proleptic Gregorian one of Howard Hinnant's `days_from_civil`
//! and `civil_from_days`: a few lines that a date crate would bring in with formatting and parsing
//! machinery costing tens of kilobytes of wasm, for the four formats the blog uses.

/// Answers "what is the UTC offset of this zone at this instant?", in seconds east of UTC.
pub trait Zone {
    fn offset_at(&self, unix: i64) -> i32;
}

/// A zone with one offset (seconds east of UTC) all year round: UTC, or tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedZone(pub i32);

impl FixedZone {
    pub const UTC: FixedZone = FixedZone(0);
}

impl Zone for FixedZone {
    fn offset_at(&self, _unix: i64) -> i32 {
        self.0
    }
}

/// A moment as a wall clock in some zone shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// Days since 1970-01-01 of the date shown (for the weekday).
    days: i64,
    offset: i32,
}

impl Civil {
    fn at(unix: i64, offset: i32) -> Civil {
        let local = unix.saturating_add(i64::from(offset));
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            days,
            offset,
        }
    }

    fn in_zone(unix: i64, zone: &dyn Zone) -> Civil {
        Civil::at(unix, zone.offset_at(unix))
    }

    fn month_name(&self) -> &'static str {
        MONTHS[(self.month as usize).clamp(1, 12) - 1]
    }
}

/// (year, month 1–12, day 1–31) of a day counted from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], from March
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days from 1970-01-01 to a (year, month 1–12, day) date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
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

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // from 1970-01-01

/// `n` in decimal, zero-padded to at least `width` digits (a year: "2011", "0099", "-0044").
fn push_number(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for _ in digits.len() - at..width {
        out.push('0');
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

fn push_two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// "14:17:00".
fn push_clock(out: &mut String, t: &Civil) {
    push_two_digits(out, t.hour);
    out.push(':');
    push_two_digits(out, t.minute);
    out.push(':');
    push_two_digits(out, t.second);
}

/// "+01:00", "-05:30" (with `colon`) or "+0000" (RFC 2822 style, without).
fn push_offset(out: &mut String, offset: i32, colon: bool) {
    out.push(if offset < 0 { '-' } else { '+' });
    let minutes = offset.unsigned_abs() / 60;
    push_two_digits(out, minutes / 60);
    if colon {
        out.push(':');
    }
    push_two_digits(out, minutes % 60);
}

/// "March 18, 2011": a post's date.
pub fn long_date(unix: i64, zone: &dyn Zone) -> String {
    let t = Civil::in_zone(unix, zone);
    format!("{} {}, {}", t.month_name(), t.day, t.year)
}

/// "March 18, 2011 at 1:17 am": a comment's date and time.
pub fn comment_time(unix: i64, zone: &dyn Zone) -> String {
    comment_time_of(&Civil::in_zone(unix, zone))
}

/// A comment's date and time and its RFC 3339 form, with one look at the zone.
pub fn comment_stamps(unix: i64, zone: &dyn Zone) -> (String, String) {
    let t = Civil::in_zone(unix, zone);
    (comment_time_of(&t), rfc3339_of(&t))
}

fn comment_time_of(t: &Civil) -> String {
    let hour = match t.hour % 12 {
        0 => 12,
        h => h,
    };
    let meridiem = if t.hour < 12 { "am" } else { "pm" };
    let mut out = String::with_capacity(32);
    out.push_str(t.month_name());
    out.push(' ');
    push_number(&mut out, i64::from(t.day), 1);
    out.push_str(", ");
    push_number(&mut out, t.year, 1);
    out.push_str(" at ");
    push_number(&mut out, i64::from(hour), 1);
    out.push(':');
    push_two_digits(&mut out, t.minute);
    out.push(' ');
    out.push_str(meridiem);
    out
}

/// "14:17 18/03/2011": an addendum's timestamp.
pub fn addendum_stamp(unix: i64, zone: &dyn Zone) -> String {
    let t = Civil::in_zone(unix, zone);
    let mut out = String::with_capacity(16);
    push_two_digits(&mut out, t.hour);
    out.push(':');
    push_two_digits(&mut out, t.minute);
    out.push(' ');
    push_two_digits(&mut out, t.day);
    out.push('/');
    push_two_digits(&mut out, t.month);
    out.push('/');
    push_number(&mut out, t.year, 1);
    out
}

/// Machine-readable RFC 3339 in the blog's zone ("2011-03-18T10:17:00-04:00", "…Z" in UTC), for
/// `<time datetime>` and feeds.
pub fn rfc3339(unix: i64, zone: &dyn Zone) -> String {
    rfc3339_of(&Civil::in_zone(unix, zone))
}

/// RFC 3339 in UTC (`2011-03-18T14:17:00Z`), as the admin API and the feeds write times.
pub fn rfc3339_utc(unix: i64) -> String {
    rfc3339(unix, &FixedZone::UTC)
}

fn rfc3339_of(t: &Civil) -> String {
    let mut out = String::with_capacity(25);
    push_number(&mut out, t.year, 4);
    out.push('-');
    push_two_digits(&mut out, t.month);
    out.push('-');
    push_two_digits(&mut out, t.day);
    out.push('T');
    push_clock(&mut out, t);
    if t.offset == 0 {
        out.push('Z');
    } else {
        push_offset(&mut out, t.offset, true);
    }
    out
}

/// RFC 2822 in UTC ("Fri, 18 Mar 2011 14:17:00 +0000"), as RSS wants.
pub fn rfc2822(unix: i64) -> String {
    let t = Civil::at(unix, 0);
    let mut out = String::with_capacity(31);
    out.push_str(WEEKDAYS[t.days.rem_euclid(7) as usize]);
    out.push_str(", ");
    push_two_digits(&mut out, t.day);
    out.push(' ');
    out.push_str(&t.month_name()[..3]);
    out.push(' ');
    push_number(&mut out, t.year, 4);
    out.push(' ');
    push_clock(&mut out, &t);
    out.push(' ');
    push_offset(&mut out, 0, false);
    out
}

/// An HTTP date (IMF-fixdate, RFC 9110: "Thu, 03 Dec 2026 17:37:16 GMT"), as the `Date` header
/// of a signed request carries it.
pub fn http_date(unix: i64) -> String {
    let mut out = rfc2822(unix);
    out.truncate(out.len() - "+0000".len());
    out.push_str("GMT");
    out
}

/// Parses an HTTP date in IMF-fixdate form ("Thu, 03 Dec 2026 17:37:16 GMT"; the weekday is not
/// checked) into Unix seconds.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().split_ascii_whitespace();
    let _weekday = parts.next()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month_name = parts.next()?;
    let month = MONTHS
        .iter()
        .position(|m| m[..3].eq_ignore_ascii_case(month_name))? as u32
        + 1;
    let year: i64 = parts.next()?.parse().ok()?;
    let clock: Vec<u32> = parts
        .next()?
        .split(':')
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    let [hour, minute, second] = clock[..] else {
        return None;
    };
    let valid =
        (1..=days_in_month(year, month)).contains(&day) && hour < 24 && minute < 60 && second < 61;
    valid.then(|| {
        days_from_civil(year, month, day) * 86_400
            + i64::from(hour * 3600 + minute * 60 + second.min(59))
    })
}

/// Parses an RFC 3339 timestamp ("2011-03-18T14:17:00Z", "…+01:00", fractions of a second
/// ignored) into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter().try_fold(0u32, |n, d| {
            n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        })
    };
    let year = i64::from(digits(0..4)?);
    let (month, day) = (digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let separators_ok = b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
        && b[16] == b':';
    let valid = separators_ok
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        && second <= 60; // a leap second reads as the last second of its minute
    if !valid {
        return None;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|d| d.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &fraction[n..];
    }
    let offset = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: &u8, b: &u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from((a - b'0') * 10 + (b - b'0')))
            };
            let (hours, minutes) = (two(h1, h2)?, two(m1, m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let local = days_from_civil(year, month, day) * 86_400
        + i64::from(hour * 3600 + minute * 60 + second.min(59));
    Some(local - offset)
}

/// "2011-03-18T10:17": a moment as a `datetime-local` field shows it, on the zone's clock.
pub fn local_input(unix: i64, zone: &dyn Zone) -> String {
    // RFC 3339 on the zone's clock, to the minute and without its offset.
    let mut out = rfc3339(unix, zone);
    out.truncate(out.find('T').map_or(out.len(), |t| t + 6));
    out
}

/// Reads a `datetime-local` field ("2011-03-18T10:17", seconds optional) as a time on the
/// zone's clock. A wall time skipped when the clocks go forward reads as the moment after the
/// gap (as JavaScript's `Date` reads it); one that happens twice, as its first.
pub fn parse_local_input(text: &str, zone: &dyn Zone) -> Option<i64> {
    let text = text.trim();
    let naive = match text.len() {
        16 => parse_rfc3339(&format!("{text}:00Z"))?,
        19 => parse_rfc3339(&format!("{text}Z"))?,
        _ => return None,
    };
    // The offsets half a day either side of the naive time settle it (zones change at most
    // once a day).
    let early = naive - i64::from(zone.offset_at(naive - 86_400 / 2));
    let late = naive - i64::from(zone.offset_at(naive + 86_400 / 2));
    [early, late]
        .into_iter()
        .find(|&t| t + i64::from(zone.offset_at(t)) == naive)
        .or(Some(early))
}

/// Parses the offset part of `Intl.DateTimeFormat`'s `longOffset` time-zone name ("GMT",
/// "GMT+01:00", "GMT-05:30") into seconds east of UTC.
pub fn parse_gmt_offset(text: &str) -> Option<i32> {
    let rest = text.trim().strip_prefix("GMT")?;
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' | 0xE2 => (-1, rest.trim_start_matches(['-', '\u{2212}'])),
        _ => return None,
    };
    let (hours, minutes) = digits.split_once(':').unwrap_or((digits, "0"));
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if !(0..=25).contains(&hours) || !(0..60).contains(&minutes) {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    #[test]
    fn http_dates_round_trip() {
        let at = 1_796_319_436; // 2026-12-03T17:37:16Z
        assert_eq!(http_date(at), "Thu, 03 Dec 2026 17:37:16 GMT");
        assert_eq!(parse_http_date("Thu, 03 Dec 2026 17:37:16 GMT"), Some(at));
        for bad in [
            "",
            "Thu, 31 Feb 2026 10:00:00 GMT",
            "Thu, 03 Dec 2026 17:37:16 +0000",
            "yesterday",
            "Thu, 03 Dec 2026 25:00:00 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    use super::*;

    const ADDENDUM: i64 = 1_300_457_820; // 2011-03-18T14:17:00Z
    const HOUR: i32 = 3600;

    #[test]
    fn formats_like_the_reference_page() {
        let utc = FixedZone::UTC;
        assert_eq!(addendum_stamp(ADDENDUM, &utc), "14:17 18/03/2011");
        assert_eq!(long_date(ADDENDUM, &utc), "March 18, 2011");
        // 2011-03-18T01:17:00Z, the first response on the reference page.
        assert_eq!(
            comment_time(1_300_411_020, &utc),
            "March 18, 2011 at 1:17 am"
        );
        assert_eq!(comment_time(ADDENDUM, &utc), "March 18, 2011 at 2:17 pm");
        assert_eq!(rfc3339(ADDENDUM, &utc), "2011-03-18T14:17:00Z");
    }

    #[test]
    fn midnight_and_noon_read_as_twelve() {
        let utc = FixedZone::UTC;
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
        let new_york = FixedZone(-4 * HOUR);
        assert_eq!(addendum_stamp(ADDENDUM, &new_york), "10:17 18/03/2011");
        assert_eq!(rfc3339(ADDENDUM, &new_york), "2011-03-18T10:17:00-04:00");
        let late = FixedZone(10 * HOUR);
        assert_eq!(long_date(ADDENDUM, &late), "March 19, 2011");
        assert_eq!(
            rfc3339(0, &FixedZone(5 * HOUR + 1800)),
            "1970-01-01T05:30:00+05:30"
        );
    }

    #[test]
    fn numbers_are_padded_like_format() {
        for (n, width) in [
            (0, 1),
            (7, 4),
            (2011, 4),
            (99, 4),
            (-44, 4),
            (123_456, 4),
            (i64::MIN, 1),
        ] {
            let mut out = String::new();
            push_number(&mut out, n, width);
            let expected = if n < 0 {
                format!("-{:0width$}", n.unsigned_abs())
            } else {
                format!("{n:0width$}")
            };
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn rss_dates() {
        assert_eq!(rfc2822(ADDENDUM), "Fri, 18 Mar 2011 14:17:00 +0000");
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc2822(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }

    #[test]
    fn the_calendar_round_trips_over_centuries() {
        // Every day from 1600 to 2400, through leap days and century rules.
        let (first, last) = (days_from_civil(1600, 1, 1), days_from_civil(2400, 12, 31));
        let mut expected = (1600, 1, 1);
        for days in first..=last {
            let (y, m, d) = civil_from_days(days);
            assert_eq!((y, m, d), expected, "day {days}");
            assert_eq!(days_from_civil(y, m, d), days);
            expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
    }

    #[test]
    fn parses_rfc3339_with_offsets() {
        assert_eq!(parse_rfc3339("2011-03-18T14:17:00Z"), Some(ADDENDUM));
        assert_eq!(parse_rfc3339("2011-03-18T15:17:00+01:00"), Some(ADDENDUM));
        assert_eq!(
            parse_rfc3339("2011-03-18t09:47:00.123-04:30"),
            Some(ADDENDUM)
        );
        assert_eq!(parse_rfc3339(" 2011-03-18T14:17:00z "), Some(ADDENDUM));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some(-1));
        for bad in [
            "18/03/2011",
            "",
            "2011-03-18",
            "2011-03-18T14:17:00",
            "2011-02-29T00:00:00Z",
            "2011-13-01T00:00:00Z",
            "2011-03-18T24:00:00Z",
            "2011-03-18T14:17:00+1:00",
            "2011-03-18T14:17:00.Z",
            "2011-03-18T14:17:00Z trailing",
            "２011-03-18T14:17:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn parses_intl_offsets() {
        assert_eq!(parse_gmt_offset("GMT"), Some(0));
        assert_eq!(parse_gmt_offset("GMT+01:00"), Some(HOUR));
        assert_eq!(parse_gmt_offset("GMT-05:30"), Some(-5 * HOUR - 1800));
        assert_eq!(parse_gmt_offset("GMT\u{2212}03:00"), Some(-3 * HOUR));
        assert_eq!(parse_gmt_offset("UTC"), None);
        assert_eq!(parse_gmt_offset("GMT+99:00"), None);
    }

    /// Europe/London in 2011: GMT, then BST from 27 March 01:00 UTC to 30 October 01:00 UTC.
    struct London;
    impl Zone for London {
        fn offset_at(&self, unix: i64) -> i32 {
            if (1_301_187_600..1_319_936_400).contains(&unix) {
                3600
            } else {
                0
            }
        }
    }

    #[test]
    fn datetime_local_fields_on_the_blogs_clock() {
        let at = 1_300_457_820; // 2011-03-18T14:17:00Z, GMT
        assert_eq!(local_input(at, &London), "2011-03-18T14:17");
        assert_eq!(parse_local_input("2011-03-18T14:17", &London), Some(at));
        let summer = 1_310_998_620; // 2011-07-18T14:17:00Z = 15:17 BST
        assert_eq!(local_input(summer, &London), "2011-07-18T15:17");
        assert_eq!(parse_local_input("2011-07-18T15:17", &London), Some(summer));
        assert_eq!(
            parse_local_input("2011-07-18T15:17:00", &London),
            Some(summer)
        );
        assert_eq!(local_input(at, &FixedZone(-4 * 3600)), "2011-03-18T10:17");
        assert_eq!(
            parse_local_input("2011-03-18T10:17", &FixedZone(-4 * 3600)),
            Some(at)
        );
        // 01:30 on 27 March 2011 never happened in London: it reads as 02:30 BST (01:30 UTC).
        assert_eq!(
            parse_local_input("2011-03-27T01:30", &London),
            Some(1_301_189_400)
        );
        for bad in ["", "yesterday", "2011-02-30T10:00", "2011-03-18 10:17x"] {
            assert_eq!(parse_local_input(bad, &London), None, "{bad}");
        }
    }
}
