//! Dates as the user means them: a due date is a calendar day in `--tz`,
//! while Notion compares a date-only filter value against UTC days. The
//! server filters are widened accordingly, and the exact rule is applied to
//! each task returned.

use chrono::{
    DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::notion::wire::DateValue;

/// The as-of day, and the zone dates are read in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Calendar {
    pub(crate) as_of: NaiveDate,
    pub(crate) tz: Tz,
}

impl Calendar {
    /// A Notion date value as a calendar day in the zone.
    ///
    /// A date-only value is that date. A datetime is converted to the zone:
    /// with an offset it is an instant; without one, it is local time in the
    /// value's `time_zone`, or UTC. A range counts by its start, as Notion's
    /// own filter does. `None` when the value cannot be read.
    pub(crate) fn day_of(&self, value: &DateValue) -> Option<NaiveDate> {
        let start = value.start.trim();
        if start.len() == 10 {
            return NaiveDate::parse_from_str(start, "%Y-%m-%d").ok();
        }
        if let Ok(instant) = DateTime::parse_from_rfc3339(start) {
            return self.local_day(instant.naive_utc());
        }
        let naive = NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M"))
            .ok()?;
        let zone: Tz = value
            .time_zone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(Tz::UTC);
        // Checked arithmetic throughout: a date near chrono's limits is
        // unreadable, never a panic.
        let offset = zone.offset_from_local_datetime(&naive).earliest()?.fix();
        let utc = naive.checked_sub_signed(TimeDelta::seconds(offset.local_minus_utc().into()))?;
        self.local_day(utc)
    }

    /// The calendar day in the zone of an instant in UTC, if it can be represented.
    fn local_day(&self, utc: NaiveDateTime) -> Option<NaiveDate> {
        let offset = self.tz.offset_from_utc_datetime(&utc).fix();
        utc.checked_add_signed(TimeDelta::seconds(offset.local_minus_utc().into()))
            .map(|local| local.date())
    }

    /// The as-of day plus `days`, if the calendar goes that far.
    pub(crate) fn days_after(&self, days: u32) -> Option<NaiveDate> {
        self.as_of.checked_add_days(Days::new(days.into()))
    }

    /// When the local day `day` starts, in UTC.
    fn local_midnight(&self, day: NaiveDate) -> DateTime<Utc> {
        (0..24)
            .filter_map(|h| {
                self.tz
                    .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, 0, 0)?))
                    .earliest()
            })
            .next()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)))
    }

    /// The date sent in Notion's `before` filter for "local day before `day`".
    ///
    /// A task due late in the evening west of UTC is already the next day in
    /// UTC, so the server filter must reach up to the UTC day in which `day`
    /// starts locally; the exact rule is then applied to each returned task.
    pub(crate) fn server_before(&self, day: NaiveDate) -> NaiveDate {
        let midnight = self.local_midnight(day);
        let utc_day = midnight.date_naive();
        let ceiling = if midnight.time() == NaiveTime::MIN {
            utc_day
        } else {
            utc_day.checked_add_days(Days::new(1)).unwrap_or(utc_day)
        };
        ceiling.max(day)
    }

    /// The date sent in Notion's `on_or_after` filter for "local day on or
    /// after `day`": east of UTC a local day starts on the UTC day before.
    pub(crate) fn server_on_or_after(&self, day: NaiveDate) -> NaiveDate {
        self.local_midnight(day).date_naive().min(day)
    }
}

/// The UTC day of a date value: where a query restarted past the row cap may begin.
pub(crate) fn utc_day(value: &DateValue) -> Option<NaiveDate> {
    Calendar {
        as_of: NaiveDate::MIN,
        tz: Tz::UTC,
    }
    .day_of(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(as_of: &str, tz: &str) -> Calendar {
        Calendar {
            as_of: as_of.parse().unwrap(),
            tz: tz.parse().unwrap(),
        }
    }

    fn due(start: &str) -> DateValue {
        DateValue {
            start: start.into(),
            time_zone: None,
        }
    }

    #[test]
    fn dates_at_chronos_limits_are_unreadable_not_a_panic() {
        let kiritimati = calendar("2026-11-22", "Pacific/Kiritimati");
        for start in [
            "+262142-12-31T23:59:00",
            "+262142-12-31T23:59:00.000+00:00",
            "-262143-01-01T00:00:00",
            "+262142-12-31",
        ] {
            let mut value = due(start);
            let _ = kiritimati.day_of(&value);
            value.time_zone = Some("Pacific/Pago_Pago".into());
            let _ = kiritimati.day_of(&value);
            let _ = calendar("2026-11-22", "Pacific/Pago_Pago").day_of(&value);
        }
        assert_eq!(kiritimati.day_of(&due("+262142-12-31T23:59:00")), None);
        let end = calendar("+262142-12-31", "America/Los_Angeles");
        assert_eq!(end.server_before(end.as_of), end.as_of);
        assert_eq!(end.days_after(1), None);
    }

    #[test]
    fn date_only_values_are_their_date() {
        let c = calendar("2026-11-22", "America/Los_Angeles");
        assert_eq!(c.day_of(&due("2026-11-21")), "2026-11-21".parse().ok());
        assert_eq!(c.day_of(&due("2026-11-22")), Some(c.as_of));
    }

    #[test]
    fn datetimes_are_read_in_the_zone() {
        // 23:00 in Los Angeles on the 21st is the 22nd in UTC, but overdue there.
        let la = calendar("2026-11-22", "America/Los_Angeles");
        let late_evening = due("2026-11-21T23:00:00.000-08:00");
        assert_eq!(la.day_of(&late_evening), "2026-11-21".parse().ok());
        // The same instant is the 22nd in Tokyo: not overdue there.
        let tokyo = calendar("2026-11-22", "Asia/Tokyo");
        assert_eq!(tokyo.day_of(&late_evening), "2026-11-22".parse().ok());
        let named = DateValue {
            start: "2026-11-21T23:00:00".into(),
            time_zone: Some("America/Los_Angeles".into()),
        };
        assert_eq!(la.day_of(&named), "2026-11-21".parse().ok());
        assert_eq!(la.day_of(&due("yesterday")), None);
    }

    #[test]
    fn server_bounds_reach_far_enough_west_and_east() {
        let day: NaiveDate = "2026-11-22".parse().unwrap();
        let before = |tz| calendar("2026-11-22", tz).server_before(day).to_string();
        assert_eq!(before("UTC"), "2026-11-22");
        assert_eq!(before("Asia/Tokyo"), "2026-11-22");
        assert_eq!(before("America/Los_Angeles"), "2026-11-23");
        let after = |tz| {
            calendar("2026-11-22", tz)
                .server_on_or_after(day)
                .to_string()
        };
        assert_eq!(after("UTC"), "2026-11-22");
        assert_eq!(after("America/Los_Angeles"), "2026-11-22");
        // 00:30 on the 22nd in Tokyo is the 21st in UTC.
        assert_eq!(after("Asia/Tokyo"), "2026-11-21");
    }
}
