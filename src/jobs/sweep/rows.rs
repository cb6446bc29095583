//! One row of a page of results, read into a task: its title, link, due
//! date (a calendar date in `--tz`) and status, each found by the
//! property's ID. A row that cannot be read is that row's problem, said in
//! words, never the page's.

use serde::Deserialize;

use crate::guards::scrub::escape_control;
use chrono::NaiveDate;

use crate::jobs::rule::{Calendar, ExemptKind, ExemptRef, Plan, PropertyRef, StatusKind};
use crate::jobs::summary::{Outcome, Person, TaskResult};
use crate::notion::wire::{self, Page};

/// A task as read, with what decides whether it is left alone.
pub(super) struct ReadTask {
    pub(super) task: TaskResult,
    /// The day it is snoozed until, in the zone.
    pub(super) snoozed: Option<NaiveDate>,
    /// One of `--exempt` leaves it alone.
    pub(super) exempt: bool,
}

/// Reads one task of a page the filter returned; says why when it cannot.
pub(super) fn read_task(plan: &Plan, calendar: &Calendar, page: &Page) -> Result<ReadTask, String> {
    let due_value = property(page, &plan.date)
        .and_then(|v| v.date)
        .ok_or_else(|| format!("its '{}' property is missing or not a date", plan.date.name))?;
    let due = calendar
        .day_of(&due_value)
        .ok_or_else(|| format!("its due date '{}' is not a date", due_value.start))?;
    let status = property(page, &plan.status)
        .and_then(|v| match plan.status_kind {
            StatusKind::Status => v.status,
            StatusKind::Select => v.select,
        })
        .map(|o| o.name)
        .ok_or_else(|| {
            format!(
                "its '{}' property is missing or not a {}",
                plan.status.name,
                plan.status_kind.key()
            )
        })?;
    let title = property(page, &plan.title)
        .and_then(|v| v.title)
        .map(|t| wire::plain_text(&t))
        .unwrap_or_default();
    let snoozed = plan
        .snooze
        .as_ref()
        .and_then(|snooze| property(page, snooze))
        .and_then(|v| v.date)
        .and_then(|value| calendar.day_of(&value));
    let exempt = plan.exempt.iter().any(|e| is_exempt(page, e));
    Ok(ReadTask {
        task: TaskResult {
            id: page.id.clone(),
            title,
            url: page.url.clone().unwrap_or_default(),
            due: Some(due),
            status: Some(status),
            outcome: Outcome::Skipped,
            error: None,
            assignees: plan
                .assignee
                .as_ref()
                .map(|assignee| people(page, assignee)),
            restore: false,
        },
        snoozed,
        exempt,
    })
}

/// The owners a task's people property names.
pub(crate) fn people(page: &Page, assignee: &PropertyRef) -> Vec<Person> {
    property(page, assignee)
        .and_then(|v| v.people)
        .unwrap_or_default()
        .into_iter()
        .map(|user| Person {
            name: user
                .name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| user.id.clone()),
            email: user.person.and_then(|p| p.email),
            id: user.id,
        })
        .collect()
}

/// The page meets the exemption (read again here, whatever Notion's filter
/// let through).
fn is_exempt(page: &Page, exempt: &ExemptRef) -> bool {
    let Some(value) = property(page, &exempt.property) else {
        return false;
    };
    match exempt.kind {
        ExemptKind::Status => value.status.is_some_and(|o| o.name == exempt.value),
        ExemptKind::Select => value.select.is_some_and(|o| o.name == exempt.value),
        ExemptKind::MultiSelect => value
            .multi_select
            .is_some_and(|all| all.iter().any(|o| o.name == exempt.value)),
        ExemptKind::Checkbox => value.checkbox == Some(true),
    }
}

/// A row of a page of results, as read.
pub(crate) enum Row {
    Page(Page),
    /// Not a page, or in the trash: never touched.
    Ignored,
    Unreadable(String, String),
}

/// Reads one row: a page, a row passed over, or one that cannot be read (its id and why).
pub(crate) fn read_row(raw: serde_json::Value) -> Row {
    if raw.get("object").and_then(|o| o.as_str()) != Some("page")
        || raw.get("in_trash").and_then(|t| t.as_bool()) == Some(true)
    {
        return Row::Ignored;
    }
    let id = raw.get("id").and_then(|i| i.as_str()).map(str::to_string);
    match (serde_json::from_value::<Page>(raw), id) {
        (Ok(page), _) => Row::Page(page),
        (Err(e), Some(id)) => Row::Unreadable(id, format!("the page could not be read: {e}")),
        (Err(e), None) => {
            tracing::warn!(
                "Notion returned a row without an id; passed over: {}",
                escape_control(&e.to_string())
            );
            Row::Ignored
        }
    }
}

/// A page's value of a schema property, found by ID (names may change
/// mid-run); `None` when it is absent or not of a shape Notion uses.
pub(crate) fn property(page: &Page, wanted: &PropertyRef) -> Option<wire::PropertyValue> {
    let raw = page
        .properties
        .values()
        .find(|v| v.get("id").and_then(|id| id.as_str()) == Some(wanted.id.as_str()))
        .or_else(|| page.properties.get(&wanted.name))?;
    wire::PropertyValue::deserialize(raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn plan() -> Plan {
        crate::jobs::rule::example::plan()
    }

    fn calendar() -> Calendar {
        Calendar {
            as_of: "2026-11-22".parse().unwrap(),
            tz: chrono_tz::Tz::UTC,
        }
    }

    fn page(properties: Value) -> Value {
        json!({
            "object": "page",
            "id": "59833787-2cf9-4fdf-8782-e53db20768a5",
            "url": "https://www.notion.so/Fix-59833787",
            "in_trash": false,
            "properties": properties,
        })
    }

    fn good() -> Value {
        page(json!({
            "Name": {"id": "title", "type": "title", "title": [{"plain_text": "Fix "}, {"plain_text": "login"}]},
            "Status": {"id": "fk%5EY", "type": "status", "status": {"id": "1", "name": "To Do", "color": "red"}},
            "Due Date": {"id": "Pk%3Cr", "type": "date", "date": {"start": "2026-11-20", "end": null, "time_zone": null}},
        }))
    }

    fn read(raw: Value) -> Result<TaskResult, String> {
        match read_row(raw) {
            Row::Page(p) => read_task(&plan(), &calendar(), &p).map(|read| read.task),
            Row::Ignored => Err("ignored".into()),
            Row::Unreadable(_, why) => Err(why),
        }
    }

    #[test]
    fn a_good_page_is_read_by_property_id() {
        let task = read(good()).unwrap();
        assert_eq!(task.title, "Fix login");
        assert_eq!(task.status.as_deref(), Some("To Do"));
        assert_eq!(task.due.unwrap().to_string(), "2026-11-20");
        // Renamed since the schema was read: still found by ID.
        let mut renamed = good();
        let properties = renamed["properties"].as_object_mut().unwrap();
        let status = properties.remove("Status").unwrap();
        properties.insert("State".into(), status);
        assert_eq!(read(renamed).unwrap().status.as_deref(), Some("To Do"));
    }

    #[test]
    fn exemptions_and_snoozes_are_read_again() {
        let mut plan = plan();
        plan.exempt = vec![
            ExemptRef {
                property: PropertyRef {
                    id: "tg".into(),
                    name: "Tags".into(),
                },
                kind: ExemptKind::MultiSelect,
                value: "pinned".into(),
            },
            ExemptRef {
                property: PropertyRef {
                    id: "oh".into(),
                    name: "On hold".into(),
                },
                kind: ExemptKind::Checkbox,
                value: "true".into(),
            },
        ];
        plan.snooze = Some(PropertyRef {
            id: "sn".into(),
            name: "Snoozed until".into(),
        });
        let read = |tags: Value, on_hold: Value, snooze: Value| {
            let mut raw = good();
            raw["properties"]["Tags"] =
                json!({"id": "tg", "type": "multi_select", "multi_select": tags});
            raw["properties"]["On hold"] =
                json!({"id": "oh", "type": "checkbox", "checkbox": on_hold});
            raw["properties"]["Snoozed until"] =
                json!({"id": "sn", "type": "date", "date": snooze});
            let Row::Page(page) = read_row(raw) else {
                panic!("a page")
            };
            read_task(&plan, &calendar(), &page).unwrap()
        };
        let plain = read(json!([{"name": "urgent"}]), json!(false), json!(null));
        assert!(!plain.exempt && plain.snoozed.is_none());
        assert!(read(json!([{"name": "pinned"}]), json!(false), json!(null)).exempt);
        assert!(read(json!([]), json!(true), json!(null)).exempt);
        let snoozed = read(json!([]), json!(false), json!({"start": "2026-11-30"}));
        assert_eq!(snoozed.snoozed, "2026-11-30".parse().ok());
    }

    #[test]
    fn odd_pages_are_explained_not_panicked_on() {
        let with = |name: &str, value: Value| {
            let mut p = good();
            p["properties"][name] = value;
            p
        };
        let cases = [
            (
                with(
                    "Status",
                    json!({"id": "fk%5EY", "type": "formula", "formula": {"type": "string", "string": "To Do"}}),
                ),
                "missing or not a status",
            ),
            (
                with(
                    "Status",
                    json!({"id": "fk%5EY", "type": "status", "status": null}),
                ),
                "missing or not a status",
            ),
            (
                with(
                    "Due Date",
                    json!({"id": "Pk%3Cr", "type": "rollup", "rollup": {"type": "number", "number": 3}}),
                ),
                "missing or not a date",
            ),
            (
                with(
                    "Due Date",
                    json!({"id": "Pk%3Cr", "type": "date", "date": {"start": "soon"}}),
                ),
                "is not a date",
            ),
            (
                with(
                    "Due Date",
                    json!({"id": "Pk%3Cr", "type": "date", "date": {"start": 20261120}}),
                ),
                "missing or not a date",
            ),
        ];
        for (raw, says) in cases {
            let why = read(raw.clone()).unwrap_err();
            assert!(why.contains(says), "{raw}: {why}");
        }
        // An odd title does not hide an otherwise readable task.
        assert_eq!(read(with("Name", json!(null))).unwrap().title, "");
        let mut no_status = good();
        no_status["properties"]
            .as_object_mut()
            .unwrap()
            .remove("Status");
        assert!(read(no_status).unwrap_err().contains("missing"));
    }

    #[test]
    fn ranges_zones_and_empty_titles_are_read_sensibly() {
        let mut p = good();
        p["properties"]["Due Date"]["date"] =
            json!({"start": "2026-11-18", "end": "2026-11-25", "time_zone": null});
        assert_eq!(
            read(p).unwrap().due.unwrap().to_string(),
            "2026-11-18",
            "a range counts by its start"
        );
        let mut p = good();
        p["properties"]["Due Date"]["date"] =
            json!({"start": "2026-11-21T23:00:00", "time_zone": "America/New_York"});
        assert_eq!(
            read(p).unwrap().due.unwrap().to_string(),
            "2026-11-22",
            "04:00 UTC on the 22nd"
        );
        let mut p = good();
        p["properties"]["Name"]["title"] = json!([]);
        assert_eq!(read(p).unwrap().title, "");
    }

    #[test]
    fn rows_that_are_not_live_pages_are_passed_over() {
        let mut trashed = good();
        trashed["in_trash"] = json!(true);
        assert!(matches!(read_row(trashed), Row::Ignored));
        let mut source = good();
        source["object"] = json!("data_source");
        assert!(matches!(read_row(source), Row::Ignored));
        let mut no_id = good();
        no_id.as_object_mut().unwrap().remove("id");
        assert!(matches!(read_row(no_id), Row::Ignored));
    }

    /// Replaces one random node of `value` with a random JSON value.
    fn mutate(value: &mut Value, rng: &mut fastrand::Rng) {
        let children: usize = match value {
            Value::Object(m) => m.len(),
            Value::Array(a) => a.len(),
            _ => 0,
        };
        if children == 0 || rng.u8(..4) == 0 {
            *value = match rng.u8(..7) {
                0 => Value::Null,
                1 => json!(rng.bool()),
                2 => json!(rng.i64(..)),
                3 => json!(rng.f64()),
                4 => json!("2026-11-20T25:99"),
                5 => json!([]),
                _ => json!({}),
            };
            return;
        }
        let i = rng.usize(..children);
        match value {
            Value::Object(m) => {
                let key = m.keys().nth(i).unwrap().clone();
                if rng.u8(..5) == 0 {
                    m.remove(&key);
                } else {
                    mutate(m.get_mut(&key).unwrap(), rng);
                }
            }
            Value::Array(a) => mutate(&mut a[i], rng),
            _ => unreachable!(),
        }
    }

    #[test]
    fn fuzzed_pages_never_panic() {
        let mut rng = fastrand::Rng::with_seed(0x5eed);
        let mut read_ok = 0;
        for _ in 0..20_000 {
            let mut raw = good();
            for _ in 0..rng.usize(1..4) {
                mutate(&mut raw, &mut rng);
            }
            if read(raw).is_ok() {
                read_ok += 1;
            }
        }
        assert!(
            read_ok > 100,
            "some mutations leave a readable page: {read_ok}"
        );
    }
}
