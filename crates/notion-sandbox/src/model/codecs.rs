//! How values are written on the wire: Notion's dates and timestamps,
//! percent-encoded property ids and query values, and the sandbox's cursors.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Parses the start of a Notion date into an instant: a date-only value is
/// UTC midnight of that day; a datetime with an offset is that instant; a
/// datetime without offset is read as UTC.
pub(crate) fn parse_date_start(s: &str) -> Option<DateTime<Utc>> {
    if let Some(d) = parse_day(s) {
        return Some(d.and_time(NaiveTime::MIN).and_utc());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    None
}

/// Parses a strict `YYYY-MM-DD` by hand: queries over 100,000 rows parse
/// every due date, and chrono's format parser is the hot spot there.
pub(crate) fn parse_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)
}

/// A timestamp as Notion writes it (`2026-11-20T10:00:00.000Z`).
pub(crate) fn format_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Rounds down to the minute, as Notion does for `last_edited_time`.
pub(crate) fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    let secs = t.timestamp();
    DateTime::from_timestamp(secs - secs.rem_euclid(60), 0).unwrap_or(t)
}

/// Percent-encodes everything but ASCII letters, digits and `-._~`.
pub(crate) fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// What stays as it is in a percent-encoded id: RFC 3986's unreserved set.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Decodes `%XX` escapes (and `+` as a space, as in query strings when `plus`).
pub(crate) fn percent_decode_with(s: &str, plus: bool) -> String {
    let s = if plus {
        s.replace('+', " ")
    } else {
        s.to_string()
    };
    percent_decode_str(&s).decode_utf8_lossy().into_owned()
}

/// Decodes `%XX` escapes.
pub(crate) fn percent_decode(s: &str) -> String {
    percent_decode_with(s, false)
}

/// `hour` o'clock UTC, `days` after `today`.
pub(crate) fn day_at(today: NaiveDate, days: i64, hour: u32) -> DateTime<Utc> {
    (today + Duration::days(days))
        .and_hms_opt(hour, 0, 0)
        .unwrap_or_default()
        .and_utc()
}
