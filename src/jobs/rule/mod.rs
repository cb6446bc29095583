//! The rule of a sweep: which tasks move where, as the user gave it
//! ([`Rule`]), and as checked against the data source's schema ([`Plan`]);
//! how dates are read in the user's zone (`calendar`), the filters that ask
//! Notion for candidates (`filter`), and the schema check (`schema`).

mod calendar;
mod filter;
mod schema;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;

pub(crate) use calendar::{utc_day, Calendar};
pub(crate) use filter::Pass;
pub(crate) use schema::{check, columns, did_you_mean, Columns};

/// Which tasks move and where, as the user gave it.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) status_property: String,
    pub(crate) date_property: String,
    pub(crate) from: Vec<String>,
    pub(crate) to: String,
    pub(crate) as_of: NaiveDate,
    pub(crate) tz: Tz,
    /// `--restore`: tasks in `to` due on or after `as_of` move back here.
    pub(crate) restore_to: Option<String>,
    /// `--due-soon DAYS`: open tasks due within this many days are listed.
    pub(crate) due_soon: Option<u32>,
    /// `--exempt PROPERTY=VALUE`: tasks never touched nor listed.
    pub(crate) exempt: Vec<Exempt>,
    /// `--snooze-property NAME`: a date until which a task is left alone.
    pub(crate) snooze_property: Option<String>,
    /// `--assignee-property NAME`: the people property of a task's owners
    /// (`None`: a people property named `Assignee`, if there is one).
    pub(crate) assignee_property: Option<String>,
    /// Where each name came from, as messages name it.
    pub(crate) given_by: GivenBy,
}

impl Rule {
    /// How dates are read: the as-of day and the zone.
    pub(crate) fn calendar(&self) -> Calendar {
        Calendar {
            as_of: self.as_of,
            tz: self.tz,
        }
    }
}

/// One `--exempt PROPERTY=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exempt {
    pub(crate) property: String,
    pub(crate) value: String,
}

/// Where each setting of a rule came from, by key, as a message names it:
/// the flag (`--to`), the variable (`SWEEP_TO in ./.env`), or the settings
/// file's key (`'to' of board 'Eng' in boards.toml`); the flag when the
/// default was used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GivenBy(BTreeMap<String, String>);

impl GivenBy {
    /// Records where `key`'s value came from.
    pub(crate) fn set(&mut self, key: &str, origin: String) {
        self.0.insert(key.to_string(), origin);
    }

    /// Where `key`'s value came from; its flag when the default was used.
    pub(crate) fn of(&self, key: &str) -> String {
        self.0
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("--{}", key.replace('_', "-")))
    }

    /// These origins, with `lower`'s where these have none.
    pub(crate) fn or(mut self, lower: GivenBy) -> GivenBy {
        for (key, origin) in lower.0 {
            self.0.entry(key).or_insert(origin);
        }
        self
    }
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

/// The type of an exempting property: it decides the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExemptKind {
    Status,
    Select,
    MultiSelect,
    Checkbox,
}

/// One exemption, checked against the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExemptRef {
    pub(crate) property: PropertyRef,
    pub(crate) kind: ExemptKind,
    pub(crate) value: String,
}

/// What a sweep of one data source uses, after the schema was checked.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) status: PropertyRef,
    pub(crate) status_kind: StatusKind,
    pub(crate) date: PropertyRef,
    pub(crate) title: PropertyRef,
    pub(crate) from: Vec<String>,
    pub(crate) to: String,
    pub(crate) restore_to: Option<String>,
    pub(crate) due_soon: Option<u32>,
    pub(crate) exempt: Vec<ExemptRef>,
    pub(crate) snooze: Option<PropertyRef>,
    /// The people property of a task's owners, if any.
    pub(crate) assignee: Option<PropertyRef>,
}

/// What a sweep does with a task it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Overdue: moves to `to`.
    Move,
    /// In `to` but due again: moves back to `restore_to`.
    Restore,
    /// Open and due within `--due-soon` days: listed, never written.
    DueSoon,
    /// None of these (not yet due in the zone, snoozed, exempt): left alone.
    Leave,
}

impl Plan {
    /// The IDs of the properties a query asks for (`filter_properties`).
    pub(crate) fn properties(&self) -> Vec<String> {
        let mut ids = vec![
            self.title.id.clone(),
            self.status.id.clone(),
            self.date.id.clone(),
        ];
        ids.extend(self.snooze.iter().map(|s| s.id.clone()));
        ids.extend(self.assignee.iter().map(|a| a.id.clone()));
        for exempt in &self.exempt {
            if !ids.contains(&exempt.property.id) {
                ids.push(exempt.property.id.clone());
            }
        }
        ids
    }

    /// What to do with a task that `pass` returned, due on `due` and
    /// snoozed until `snoozed` (both calendar days in the zone), exempt or
    /// not: the exact rule, after Notion's wider filter.
    pub(crate) fn action(
        &self,
        calendar: &Calendar,
        pass: Pass,
        due: NaiveDate,
        snoozed: Option<NaiveDate>,
        exempt: bool,
    ) -> Action {
        let as_of = calendar.as_of;
        if exempt || snoozed.is_some_and(|until| until >= as_of) {
            return Action::Leave;
        }
        match pass {
            Pass::Overdue if due < as_of => Action::Move,
            Pass::Overdue => match self.due_soon.and_then(|days| calendar.days_after(days)) {
                Some(end) if due < end => Action::DueSoon,
                _ => Action::Leave,
            },
            Pass::Restore if due >= as_of => Action::Restore,
            Pass::Restore => Action::Leave,
        }
    }
}

#[cfg(test)]
pub(crate) mod example {
    //! A plan for tests, with the demo board's property ids.

    use super::*;

    pub(crate) fn plan() -> Plan {
        let prop = |id: &str, name: &str| PropertyRef {
            id: id.into(),
            name: name.into(),
        };
        Plan {
            status: prop("fk%5EY", "Status"),
            status_kind: StatusKind::Status,
            date: prop("Pk%3Cr", "Due Date"),
            title: prop("title", "Name"),
            from: vec!["To Do".into()],
            to: "Overdue".into(),
            restore_to: None,
            due_soon: None,
            exempt: Vec::new(),
            snooze: None,
            assignee: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exact_rule_both_ways() {
        let calendar = Calendar {
            as_of: "2026-11-22".parse().unwrap(),
            tz: Tz::UTC,
        };
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        let mut plan = example::plan();
        plan.due_soon = Some(3);
        let act = |pass, due: &str, snoozed: Option<&str>| {
            plan.action(&calendar, pass, day(due), snoozed.map(day), false)
        };
        assert_eq!(act(Pass::Overdue, "2026-11-21", None), Action::Move);
        assert_eq!(act(Pass::Overdue, "2026-11-22", None), Action::DueSoon);
        assert_eq!(act(Pass::Overdue, "2026-11-24", None), Action::DueSoon);
        assert_eq!(act(Pass::Overdue, "2026-11-25", None), Action::Leave);
        assert_eq!(act(Pass::Restore, "2026-11-22", None), Action::Restore);
        assert_eq!(act(Pass::Restore, "2026-11-21", None), Action::Leave);
        assert_eq!(
            act(Pass::Overdue, "2026-11-01", Some("2026-11-22")),
            Action::Leave,
            "snoozed until today"
        );
        assert_eq!(
            act(Pass::Overdue, "2026-11-01", Some("2026-11-21")),
            Action::Move,
            "the snooze is over"
        );
        assert_eq!(
            plan.action(&calendar, Pass::Overdue, day("2026-11-01"), None, true),
            Action::Leave,
            "exempt"
        );
    }
}
