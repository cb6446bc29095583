//! The parsers that turn each value a user gives (a flag, a variable, a
//! key of the settings file) into its type, each with a message that shows
//! a valid value: clap calls them for flags and variables, the settings
//! file for its keys.

use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::defaults::Seconds;
use crate::jobs::rule::Exempt;

/// `--rate R`: requests per second, from 0.01 (one every 100 s) to 100,000.
pub(crate) fn rate(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && (0.01..=100_000.0).contains(&r) => Ok(r),
        _ => Err(
            "expected requests per second greater than 0 (from 0.01 to 100000), \
             e.g. 3 (most Notion plans) or 10 (Business and Enterprise)"
                .into(),
        ),
    }
}

/// A number of seconds greater than 0, at most a day.
pub(crate) fn seconds(raw: &str) -> Result<Seconds, String> {
    match raw.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => {
            Ok(Seconds(Duration::from_secs_f64(s)))
        }
        _ => Err("expected a number of seconds greater than 0 (at most 86400), e.g. 30".into()),
    }
}

/// A wait in seconds, 0 included, at most a day.
pub(crate) fn wait(raw: &str) -> Result<Seconds, String> {
    match raw.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => {
            Ok(Seconds(Duration::from_secs_f64(s)))
        }
        _ => Err("expected a number of seconds from 0 to 86400, e.g. 60".into()),
    }
}

/// `--max-retries N`: 0 to 100.
pub(crate) fn retries(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if n <= 100 => Ok(n),
        _ => Err("expected a whole number from 0 to 100, e.g. 5".into()),
    }
}

/// `--limit N`: a whole number of at least 1.
pub(crate) fn limit(raw: &str) -> Result<usize, String> {
    match raw.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of at least 1, e.g. --limit 50 (use --dry-run to change nothing)".into()),
    }
}

/// A fraction from 0 to 1.
#[cfg(feature = "sandbox")]
pub(crate) fn fraction(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err("expected a fraction from 0 to 1, e.g. 0.1".into()),
    }
}

/// `--max-changes N`: a whole number, 0 included (no change at all).
pub(crate) fn max_changes(raw: &str) -> Result<usize, String> {
    raw.trim()
        .parse::<usize>()
        .map_err(|_| "expected a whole number of changes, e.g. --max-changes 200".into())
}

/// `--due-soon DAYS`: 1 to 365.
pub(crate) fn due_soon(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=365).contains(&n) => Ok(n),
        _ => Err("expected a number of days from 1 to 365, e.g. 3".into()),
    }
}

/// `--idle DAYS`: 1 to 3650 (ten years).
pub(crate) fn idle(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=3650).contains(&n) => Ok(n),
        _ => Err("expected a number of days from 1 to 3650, e.g. --idle 7".into()),
    }
}

/// `--since HOURS`: 1 to 8784 (a leap year).
pub(crate) fn since(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=8784).contains(&n) => Ok(n),
        _ => Err("expected a number of hours from 1 to 8784, e.g. --since 24 (a day) or --since 168 (a week)".into()),
    }
}

/// `--exempt PROPERTY=VALUE`.
pub(crate) fn exempt(raw: &str) -> Result<Exempt, String> {
    match raw.split_once('=') {
        Some((property, value)) if !property.trim().is_empty() && !value.trim().is_empty() => {
            Ok(Exempt {
                property: property.trim().to_string(),
                value: value.trim().to_string(),
            })
        }
        _ => Err(
            "expected PROPERTY=VALUE, e.g. --exempt Tags=pinned or --exempt 'On hold=true'".into(),
        ),
    }
}

/// An IANA zone name.
pub(crate) fn zone(raw: &str) -> Result<Tz, String> {
    Tz::from_str(raw.trim()).map_err(|_| {
        "unknown time zone: expected an IANA zone name such as Europe/Berlin, America/New_York or UTC".into()
    })
}

/// A strict `YYYY-MM-DD`.
pub(crate) fn date(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    let shape_ok = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shape_ok
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| "expected a date as YYYY-MM-DD, e.g. 2026-11-22".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            date("2026-11-22").ok(),
            NaiveDate::from_ymd_opt(2026, 11, 22)
        );
        for bad in [
            "2026-11-31",
            "2026-1-22",
            "22-11-2026",
            "2026/11/22",
            "20261122",
            "tomorrow",
            "2026-11-22T00:00",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn idle_days_and_since_hours_are_at_least_one() {
        assert_eq!(idle("7"), Ok(7));
        assert_eq!(since(" 24 "), Ok(24));
        for bad in ["0", "-1", "7.5", "a week", "", "3651"] {
            assert!(idle(bad).is_err(), "{bad}");
        }
        for bad in ["0", "-24", "1.5", "8785"] {
            assert!(since(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates_must_be_positive_and_sane() {
        assert_eq!(rate("3").unwrap(), 3.0);
        assert_eq!(rate("2.5").unwrap(), 2.5);
        for bad in ["0", "-1", "nan", "inf", "fast", "", "1e-30", "1e9"] {
            assert!(rate(bad).is_err(), "{bad}");
        }
    }
}
