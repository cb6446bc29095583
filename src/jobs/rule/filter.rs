//! The filters that ask Notion for candidates: the rule goes to Notion
//! (never fetch-all-and-filter), a little wider where Notion reads dates in
//! UTC, so that exempt and snoozed tasks, and tasks that stay, cost no
//! request.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::{Calendar, ExemptKind, ExemptRef, Plan};

/// Which of a sweep's queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Open tasks due before the as-of day (or within `--due-soon` days).
    Overdue,
    /// `--restore`: tasks in the late state due on or after the as-of day.
    Restore,
}

impl Plan {
    /// The query filter of `pass`; past Notion's row cap, due on or after `floor`.
    pub(crate) fn filter(
        &self,
        calendar: &Calendar,
        pass: Pass,
        floor: Option<NaiveDate>,
    ) -> Value {
        let date = |condition: Value| json!({ "property": self.date.id, "date": condition });
        let mut all = match pass {
            Pass::Overdue => {
                // Due soon is read by the same query: up to the end of its window.
                let until = self
                    .due_soon
                    .and_then(|days| calendar.days_after(days))
                    .unwrap_or(calendar.as_of);
                vec![
                    self.status_is_one_of(&self.from),
                    date(json!({ "before": calendar.server_before(until).to_string() })),
                ]
            }
            Pass::Restore => vec![
                self.status_is_one_of(std::slice::from_ref(&self.to)),
                date(
                    json!({ "on_or_after": calendar.server_on_or_after(calendar.as_of).to_string() }),
                ),
            ],
        };
        if let Some(floor) = floor {
            all.push(date(json!({ "on_or_after": floor.to_string() })));
        }
        all.extend(self.exempt.iter().map(not_exempt));
        if let Some(snooze) = &self.snooze {
            let until = calendar.server_before(calendar.as_of).to_string();
            all.push(json!({ "or": [
                { "property": snooze.id, "date": { "is_empty": true } },
                { "property": snooze.id, "date": { "before": until } },
            ] }));
        }
        json!({ "and": all })
    }

    /// The status is one of `names`.
    fn status_is_one_of(&self, names: &[String]) -> Value {
        let key = self.status_kind.key();
        let mut states: Vec<Value> = names
            .iter()
            .map(|name| json!({ "property": self.status.id, key: { "equals": name } }))
            .collect();
        if states.len() == 1 {
            states.remove(0)
        } else {
            json!({ "or": states })
        }
    }

    /// Oldest first, so the rows that stay (not yet due in the zone, due
    /// soon, failed) gather at the end, and past the row cap the query can
    /// go on from the last date read.
    pub(crate) fn sorts(&self) -> Vec<Value> {
        vec![json!({ "property": self.date.id, "direction": "ascending" })]
    }
}

/// The condition a task meets when `exempt` does not exempt it.
fn not_exempt(exempt: &ExemptRef) -> Value {
    let id = &exempt.property.id;
    let value = &exempt.value;
    match exempt.kind {
        // An empty select is no exemption: asked for as such, whatever
        // Notion makes of an empty value under does_not_equal.
        ExemptKind::Select => json!({ "or": [
            { "property": id, "select": { "is_empty": true } },
            { "property": id, "select": { "does_not_equal": value } },
        ] }),
        ExemptKind::Status => json!({ "property": id, "status": { "does_not_equal": value } }),
        ExemptKind::MultiSelect => {
            json!({ "property": id, "multi_select": { "does_not_contain": value } })
        }
        ExemptKind::Checkbox => json!({ "property": id, "checkbox": { "equals": false } }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{example, PropertyRef};
    use super::*;

    #[test]
    fn the_overdue_filter_reaches_over_the_due_soon_window_and_leaves_out_exempt_and_snoozed() {
        let calendar = Calendar {
            as_of: "2026-11-22".parse().unwrap(),
            tz: "America/Los_Angeles".parse().unwrap(),
        };
        let mut plan = example::plan();
        assert_eq!(
            plan.filter(&calendar, Pass::Overdue, None),
            json!({ "and": [
                { "property": "fk%5EY", "status": { "equals": "To Do" } },
                { "property": "Pk%3Cr", "date": { "before": "2026-11-23" } },
            ] })
        );
        plan.due_soon = Some(3);
        plan.exempt = vec![ExemptRef {
            property: PropertyRef {
                id: "t%40g".into(),
                name: "Tags".into(),
            },
            kind: ExemptKind::MultiSelect,
            value: "pinned".into(),
        }];
        plan.snooze = Some(PropertyRef {
            id: "sn".into(),
            name: "Snoozed until".into(),
        });
        let filter = plan.filter(&calendar, Pass::Overdue, None);
        assert_eq!(filter["and"][1]["date"]["before"], "2026-11-26");
        assert_eq!(
            filter["and"][2],
            json!({ "property": "t%40g", "multi_select": { "does_not_contain": "pinned" } })
        );
        assert_eq!(filter["and"][3]["or"][1]["date"]["before"], "2026-11-23");
    }

    #[test]
    fn the_restore_filter_asks_for_the_late_state_due_again() {
        let calendar = Calendar {
            as_of: "2026-11-22".parse().unwrap(),
            tz: "Asia/Tokyo".parse().unwrap(),
        };
        let plan = example::plan();
        assert_eq!(
            plan.filter(&calendar, Pass::Restore, None),
            json!({ "and": [
                { "property": "fk%5EY", "status": { "equals": "Overdue" } },
                { "property": "Pk%3Cr", "date": { "on_or_after": "2026-11-21" } },
            ] })
        );
    }
}
