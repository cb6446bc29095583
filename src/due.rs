//! When a task is overdue, and the filter that asks Notion for candidates.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::notion::wire::DateValue;
use crate::schema::Plan;

/// A task is overdue when its due date, read as a calendar date in `tz`, is before `as_of`.
#[derive(Debug, Clone, Copy)]
pub struct OverdueRule {
    pub as_of: NaiveDate,
    pub tz: Tz,
}

impl OverdueRule {
    /// The due date of a Notion date value as a calendar date in the rule's zone.
    ///
    /// A date-only value is that date. A datetime is converted to the zone:
    /// with an offset it is an instant; without one, it is local time in the
    /// value's `time_zone`, or UTC. A range counts by its start, as Notion's
    /// own filter does. `None` when the value cannot be read.
    pub fn due_date(&self, value: &DateValue) -> Option<NaiveDate> {
        let start = value.start.trim();
        if start.len() == 10 {
            return NaiveDate::parse_from_str(start, "%Y-%m-%d").ok();
        }
        if let Ok(instant) = DateTime::parse_from_rfc3339(start) {
            return Some(instant.with_timezone(&self.tz).date_naive());
        }
        let naive = NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M"))
            .ok()?;
        let zone: Tz = value
            .time_zone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(Tz::UTC);
        let instant = zone.from_local_datetime(&naive).earliest()?;
        Some(instant.with_timezone(&self.tz).date_naive())
    }

    /// True when `due` is strictly before `as_of`.
    pub fn is_overdue(&self, due: NaiveDate) -> bool {
        due < self.as_of
    }

    /// The date sent in Notion's `before` filter.
    ///
    /// Notion compares a date-only filter value against UTC midnight. A task
    /// due late in the evening west of UTC is already the next day in UTC, so
    /// the server filter must reach up to the UTC day in which `as_of` starts
    /// locally; the exact rule is then applied to each returned task.
    pub fn server_cutoff(&self) -> NaiveDate {
        let local_midnight = (0..24)
            .filter_map(|h| {
                self.tz
                    .from_local_datetime(&self.as_of.and_time(NaiveTime::from_hms_opt(h, 0, 0)?))
                    .earliest()
            })
            .next()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&self.as_of.and_time(NaiveTime::MIN)));
        let utc_day = local_midnight.date_naive();
        let ceiling = if local_midnight.time() == NaiveTime::MIN {
            utc_day
        } else {
            utc_day + Days::new(1)
        };
        ceiling.max(self.as_of)
    }

    /// The query filter: status is one of `from`, the due date is before the
    /// cutoff, and (past Notion's row cap) on or after `floor`.
    pub fn filter(&self, plan: &Plan, floor: Option<NaiveDate>) -> Value {
        let key = plan.status_kind.key();
        let mut states: Vec<Value> = plan
            .from
            .iter()
            .map(|name| json!({ "property": plan.status.id, key: { "equals": name } }))
            .collect();
        let status = if states.len() == 1 {
            states.remove(0)
        } else {
            json!({ "or": states })
        };
        let mut all = vec![
            status,
            json!({ "property": plan.date.id, "date": { "before": self.server_cutoff().to_string() } }),
        ];
        if let Some(floor) = floor {
            all.push(
                json!({ "property": plan.date.id, "date": { "on_or_after": floor.to_string() } }),
            );
        }
        json!({ "and": all })
    }

    /// Oldest first, so the rows that stay (not yet overdue in the zone,
    /// failed) gather at the end, and past the row cap the query can go on
    /// from the last date read.
    pub fn sorts(&self, plan: &Plan) -> Vec<Value> {
        vec![json!({ "property": plan.date.id, "direction": "ascending" })]
    }
}

/// The UTC day of a due value: where a query restarted past the row cap may begin.
pub fn utc_day(value: &DateValue) -> Option<NaiveDate> {
    OverdueRule {
        as_of: NaiveDate::MIN,
        tz: Tz::UTC,
    }
    .due_date(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(as_of: &str, tz: &str) -> OverdueRule {
        OverdueRule {
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
    fn date_only_values_are_their_date() {
        let r = rule("2026-11-22", "America/Los_Angeles");
        assert!(r.is_overdue(r.due_date(&due("2026-11-21")).unwrap()));
        assert!(!r.is_overdue(r.due_date(&due("2026-11-22")).unwrap()));
    }

    #[test]
    fn datetimes_are_read_in_the_zone() {
        // 23:00 in Los Angeles on the 21st is the 22nd in UTC, but overdue there.
        let la = rule("2026-11-22", "America/Los_Angeles");
        let late_evening = due("2026-11-21T23:00:00.000-08:00");
        assert_eq!(la.due_date(&late_evening), "2026-11-21".parse().ok());
        // The same instant is the 22nd in Tokyo: not overdue there.
        let tokyo = rule("2026-11-22", "Asia/Tokyo");
        assert_eq!(tokyo.due_date(&late_evening), "2026-11-22".parse().ok());
        let named = DateValue {
            start: "2026-11-21T23:00:00".into(),
            time_zone: Some("America/Los_Angeles".into()),
        };
        assert_eq!(la.due_date(&named), "2026-11-21".parse().ok());
        assert_eq!(la.due_date(&due("yesterday")), None);
    }

    #[test]
    fn the_server_cutoff_reaches_far_enough_west_and_no_further_east() {
        assert_eq!(
            rule("2026-11-22", "UTC").server_cutoff().to_string(),
            "2026-11-22"
        );
        assert_eq!(
            rule("2026-11-22", "Asia/Tokyo").server_cutoff().to_string(),
            "2026-11-22"
        );
        assert_eq!(
            rule("2026-11-22", "America/Los_Angeles")
                .server_cutoff()
                .to_string(),
            "2026-11-23"
        );
    }
}
