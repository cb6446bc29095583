//! The rule of the sweep: which tasks are overdue, how the schema must look
//! for it, and the filter that asks Notion for candidates.

use chrono::{
    DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::notion::wire::{DataSource, DateValue, PropertyConfig};

/// Which tasks are overdue and where they go, as the user gave it.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) status_property: String,
    pub(crate) date_property: String,
    pub(crate) from: Vec<String>,
    pub(crate) to: String,
    pub(crate) as_of: NaiveDate,
    pub(crate) tz: Tz,
    /// Where each name came from, as messages name it.
    pub(crate) given_by: GivenBy,
}

/// Where the names of a rule came from, as a message names them: the flag
/// (`--to`), the variable (`SWEEP_TO in ./.env`), or the settings file's
/// key (`'to' of board 'Eng' in boards.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GivenBy {
    pub(crate) status_property: String,
    pub(crate) date_property: String,
    pub(crate) from: String,
    pub(crate) to: String,
}

impl Default for GivenBy {
    fn default() -> Self {
        GivenBy {
            status_property: "--status-property".into(),
            date_property: "--date-property".into(),
            from: "--from".into(),
            to: "--to".into(),
        }
    }
}

impl Rule {
    /// The overdue rule: as-of date and zone.
    pub(crate) fn overdue(&self) -> OverdueRule {
        OverdueRule {
            as_of: self.as_of,
            tz: self.tz,
        }
    }
}

/// A task is overdue when its due date, read as a calendar date in `tz`, is before `as_of`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OverdueRule {
    pub(crate) as_of: NaiveDate,
    pub(crate) tz: Tz,
}

impl OverdueRule {
    /// The due date of a Notion date value as a calendar date in the rule's zone.
    ///
    /// A date-only value is that date. A datetime is converted to the zone:
    /// with an offset it is an instant; without one, it is local time in the
    /// value's `time_zone`, or UTC. A range counts by its start, as Notion's
    /// own filter does. `None` when the value cannot be read.
    pub(crate) fn due_date(&self, value: &DateValue) -> Option<NaiveDate> {
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

    /// The calendar day in the rule's zone of an instant in UTC, if it can be represented.
    fn local_day(&self, utc: NaiveDateTime) -> Option<NaiveDate> {
        let offset = self.tz.offset_from_utc_datetime(&utc).fix();
        utc.checked_add_signed(TimeDelta::seconds(offset.local_minus_utc().into()))
            .map(|local| local.date())
    }

    /// True when `due` is strictly before `as_of`.
    pub(crate) fn is_overdue(&self, due: NaiveDate) -> bool {
        due < self.as_of
    }

    /// The date sent in Notion's `before` filter.
    ///
    /// Notion compares a date-only filter value against UTC midnight. A task
    /// due late in the evening west of UTC is already the next day in UTC, so
    /// the server filter must reach up to the UTC day in which `as_of` starts
    /// locally; the exact rule is then applied to each returned task.
    pub(crate) fn server_cutoff(&self) -> NaiveDate {
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
            utc_day.checked_add_days(Days::new(1)).unwrap_or(utc_day)
        };
        ceiling.max(self.as_of)
    }

    /// The query filter: status is one of `from`, the due date is before the
    /// cutoff, and (past Notion's row cap) on or after `floor`.
    pub(crate) fn filter(&self, plan: &Plan, floor: Option<NaiveDate>) -> Value {
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
    pub(crate) fn sorts(&self, plan: &Plan) -> Vec<Value> {
        vec![json!({ "property": plan.date.id, "direction": "ascending" })]
    }
}

/// The UTC day of a due value: where a query restarted past the row cap may begin.
pub(crate) fn utc_day(value: &DateValue) -> Option<NaiveDate> {
    OverdueRule {
        as_of: NaiveDate::MIN,
        tz: Tz::UTC,
    }
    .due_date(value)
}

/// How the status property is typed: it decides the filter and write keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StatusKind {
    Status,
    Select,
}

impl StatusKind {
    /// The key Notion expects in filters and values for this type.
    pub(crate) fn key(self) -> &'static str {
        match self {
            StatusKind::Status => "status",
            StatusKind::Select => "select",
        }
    }
}

/// A property the sweep reads or writes, by the ID Notion gave it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct PropertyRef {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// What a sweep of one data source uses, after the schema was checked.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Plan {
    pub(crate) status: PropertyRef,
    pub(crate) status_kind: StatusKind,
    pub(crate) date: PropertyRef,
    pub(crate) title: PropertyRef,
    pub(crate) from: Vec<String>,
    pub(crate) to: String,
}

/// Checks every rule at once so one run names every problem.
pub(crate) fn check(source: &DataSource, rule: &Rule) -> Result<Plan, Vec<String>> {
    let mut problems = Vec::new();
    let props: Vec<&PropertyConfig> = source.properties.values().collect();
    let find = |name: &str| props.iter().copied().find(|p| p.name == name);
    let prop_names: Vec<&str> = props.iter().map(|p| p.name.as_str()).collect();
    let missing_property = |name: &str, wanted: &str, given_by: &str| {
        format!(
            "the data source has no property '{name}' (given by {given_by}){}; give the name of its {wanted} property instead (properties: {})",
            did_you_mean(name, &prop_names),
            quoted_list(&prop_names)
        )
    };
    let status = match find(&rule.status_property) {
        None => {
            problems.push(missing_property(
                &rule.status_property,
                "status or select",
                &rule.given_by.status_property,
            ));
            None
        }
        Some(p) => check_status(p, rule, &mut problems),
    };
    let date = match find(&rule.date_property) {
        None => {
            problems.push(missing_property(
                &rule.date_property,
                "date",
                &rule.given_by.date_property,
            ));
            None
        }
        Some(p) if p.kind != "date" => {
            problems.push(format!(
                "property '{}' is of type {}; the due date property must be of type date",
                p.name, p.kind
            ));
            None
        }
        Some(p) => Some(reference(p)),
    };
    let title = props
        .iter()
        .find(|p| p.kind == "title")
        .map(|p| reference(p));
    if title.is_none() {
        problems.push("the data source has no title property".to_string());
    }
    match (status, date, title) {
        (Some((status, status_kind)), Some(date), Some(title)) if problems.is_empty() => Ok(Plan {
            status,
            status_kind,
            date,
            title,
            from: rule.from.clone(),
            to: rule.to.clone(),
        }),
        _ => Err(problems),
    }
}

fn reference(p: &PropertyConfig) -> PropertyRef {
    PropertyRef {
        id: p.id.clone(),
        name: p.name.clone(),
    }
}

/// The status property's type, and every `--from` and `--to` among its options.
fn check_status(
    p: &PropertyConfig,
    rule: &Rule,
    problems: &mut Vec<String>,
) -> Option<(PropertyRef, StatusKind)> {
    let (kind, options) = match p.kind.as_str() {
        "status" => (StatusKind::Status, p.status.clone().unwrap_or_default()),
        "select" => (StatusKind::Select, p.select.clone().unwrap_or_default()),
        other => {
            problems.push(format!(
                "property '{}' is of type {other}; the status property must be of type status or select",
                p.name
            ));
            return None;
        }
    };
    let names: Vec<&str> = options.options.iter().map(|o| o.name.as_str()).collect();
    for wanted in rule.from.iter().chain(std::iter::once(&rule.to)) {
        if !names.contains(&wanted.as_str()) {
            let flag = if *wanted == rule.to {
                &rule.given_by.to
            } else {
                &rule.given_by.from
            };
            problems.push(format!(
                "property '{}' has no option '{wanted}' (given by {flag}){}; its options are {}",
                p.name,
                did_you_mean(wanted, &names),
                quoted_list(&names)
            ));
        }
    }
    Some((reference(p), kind))
}

/// `, did you mean 'x'?` for a near miss: the same but for case, or one or two edits away.
pub(crate) fn did_you_mean(wanted: &str, candidates: &[&str]) -> String {
    let wanted_lower = wanted.to_lowercase();
    let best = candidates
        .iter()
        .map(|c| {
            let distance = if c.to_lowercase() == wanted_lower {
                0
            } else {
                edit_distance(&wanted_lower, &c.to_lowercase())
            };
            (distance, *c)
        })
        .filter(|(d, c)| *d <= 2 && *d < c.chars().count().max(1))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((_, c)) => format!(" (did you mean '{c}'?)"),
        None => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(here)
            };
            previous = here;
        }
    }
    row[b.len()]
}

fn quoted_list(names: &[&str]) -> String {
    if names.is_empty() {
        return "(none)".into();
    }
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
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
    fn dates_at_chronos_limits_are_unreadable_not_a_panic() {
        let kiritimati = rule("2026-11-22", "Pacific/Kiritimati");
        for start in [
            "+262142-12-31T23:59:00",
            "+262142-12-31T23:59:00.000+00:00",
            "-262143-01-01T00:00:00",
            "+262142-12-31",
        ] {
            let mut value = due(start);
            let _ = kiritimati.due_date(&value);
            value.time_zone = Some("Pacific/Pago_Pago".into());
            let _ = kiritimati.due_date(&value);
            let _ = rule("2026-11-22", "Pacific/Pago_Pago").due_date(&value);
        }
        assert_eq!(kiritimati.due_date(&due("+262142-12-31T23:59:00")), None);
        let end = rule("+262142-12-31", "America/Los_Angeles");
        assert_eq!(end.server_cutoff(), end.as_of);
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

    #[test]
    fn near_misses_are_named() {
        assert_eq!(
            did_you_mean("overdue", &["To Do", "Overdue"]),
            " (did you mean 'Overdue'?)"
        );
        assert_eq!(
            did_you_mean("To-Do", &["To Do", "Done"]),
            " (did you mean 'To Do'?)"
        );
        assert_eq!(did_you_mean("Due", &["Due Date", "Name"]), "");
        assert_eq!(did_you_mean("Late", &["To Do", "Done"]), "");
    }
}
