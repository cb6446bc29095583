//! How values are written on the wire: Notion's dates and timestamps,
//! percent-encoded property ids and query values, and the sandbox's cursors.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::ids::fnv;

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

/// Cursors are opaque to clients but are just an offset into the current
/// results (re-filtered and re-sorted on every call), with a check value
/// so that a made-up cursor is refused.
///
/// Recorded truth (docs/sandbox.md, "Cursors under changes"): Notion does
/// not say what a cursor means once the rows it pages through change. The
/// sandbox takes the harder reading for a client: the cursor stays valid
/// but counts positions in the result set *as it is now*, so rows a client
/// patched out of its filter shift the rest forward and the next page skips
/// as many unseen rows. A client that writes while it pages must start the
/// query again rather than follow `next_cursor`.
pub(crate) fn encode_cursor(seed: u64, offset: usize) -> String {
    let check = fnv(seed, &[b"cursor", &offset.to_le_bytes()]) & 0xffff_ffff;
    URL_SAFE_NO_PAD.encode(format!("sbx1:{offset}:{check:08x}"))
}

/// The offset of a cursor made by [`encode_cursor`] with this seed.
pub(crate) fn decode_cursor(seed: u64, s: &str) -> Option<usize> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(s).ok()?).ok()?;
    let mut it = raw.split(':');
    if it.next()? != "sbx1" {
        return None;
    }
    let offset: usize = it.next()?.parse().ok()?;
    let check = it.next()?;
    (it.next().is_none() && encode_cursor(seed, offset) == s && check.len() == 8).then_some(offset)
}
