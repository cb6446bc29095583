//! A task as `stale` and `digest` list it, read from a row of a page of
//! results: the one place its fields are read, so that a field added here
//! reaches every listing of both jobs.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::rule::{Columns, StatusKind};
use super::summary::Person;
use super::sweep::rows::{people, property};
use crate::notion::wire::{self, Page};

/// A task as listed: what it is, where it is, its status, when it was
/// last edited and who owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Task {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) url: String,
    /// Its status when read; `None` when it has none.
    pub(crate) status: Option<String>,
    /// When it was last edited, to the minute Notion gives; `None` only
    /// for a row that could not be read.
    pub(crate) last_edited: Option<DateTime<Utc>>,
    /// Its owners (`--assignee-property`), as a sweep lists them; absent
    /// when the board has no owners' property.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) assignees: Option<Vec<Person>>,
}

impl Task {
    /// A row of the results that could not be read: its id alone.
    pub(crate) fn unreadable(id: String) -> Task {
        Task {
            id,
            title: String::new(),
            url: String::new(),
            status: None,
            last_edited: None,
            assignees: None,
        }
    }

    /// The title shown for a task: its text, or a placeholder.
    pub(crate) fn display_title(&self) -> String {
        if !self.title.trim().is_empty() {
            self.title.clone()
        } else if self.last_edited.is_none() {
            format!("(unreadable task {})", self.id)
        } else {
            "(untitled)".into()
        }
    }

    /// Whole days from its last edit to `now`.
    pub(crate) fn idle_days(&self, now: DateTime<Utc>) -> Option<i64> {
        self.last_edited.map(|edited| (now - edited).num_days())
    }
}

/// Reads a page of the results into a task; says why when it cannot.
pub(crate) fn read(page: &Page, columns: &Columns) -> Result<Task, String> {
    let last_edited = page
        .last_edited_time
        .as_deref()
        .ok_or("Notion gave no last_edited_time")?;
    let last_edited = DateTime::parse_from_rfc3339(last_edited)
        .map_err(|_| format!("its last_edited_time '{last_edited}' is not a time"))?
        .with_timezone(&Utc);
    let title = property(page, &columns.title)
        .and_then(|v| v.title)
        .map(|t| wire::plain_text(&t))
        .unwrap_or_default();
    Ok(Task {
        id: page.id.clone(),
        title,
        url: page.url.clone().unwrap_or_default(),
        status: status(page, columns),
        last_edited: Some(last_edited),
        assignees: columns.assignee.as_ref().map(|a| people(page, a)),
    })
}

/// The status of a page, if it has one.
pub(crate) fn status(page: &Page, columns: &Columns) -> Option<String> {
    let value = property(page, &columns.status)?;
    match columns.status_kind {
        StatusKind::Status => value.status,
        StatusKind::Select => value.select,
    }
    .map(|option| option.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::rule::PropertyRef;
    use serde_json::json;

    fn columns(kind: StatusKind) -> Columns {
        let prop = |id: &str, name: &str| PropertyRef {
            id: id.into(),
            name: name.into(),
        };
        Columns {
            title: prop("title", "Name"),
            status: prop("st", "Stage"),
            status_kind: kind,
            options: vec!["Doing".into()],
            assignee: Some(prop("ow", "Owner")),
        }
    }

    fn page(value: serde_json::Value) -> Page {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_row_is_read_by_property_id_with_its_last_edit() {
        let task = read(
            &page(json!({
                "id": "p1",
                "url": "https://www.notion.so/p1",
                "last_edited_time": "2026-11-10T14:03:00.000Z",
                "properties": {
                    "Name": {"id": "title", "type": "title", "title": [{"plain_text": "Fix "}, {"plain_text": "it"}]},
                    "Renamed": {"id": "st", "type": "select", "select": {"name": "Doing"}},
                    "Owners": {"id": "ow", "type": "people", "people": [
                        {"object": "user", "id": "u1", "name": "Ada Lovelace", "type": "person",
                         "person": {"email": "ada@acme.com"}},
                        {"object": "user", "id": "u2"},
                    ]},
                }
            })),
            &columns(StatusKind::Select),
        )
        .unwrap();
        assert_eq!(task.title, "Fix it");
        assert_eq!(task.status.as_deref(), Some("Doing"));
        assert_eq!(
            task.assignees,
            Some(vec![
                Person {
                    id: "u1".into(),
                    name: "Ada Lovelace".into(),
                    email: Some("ada@acme.com".into()),
                },
                Person {
                    id: "u2".into(),
                    name: "u2".into(),
                    email: None,
                },
            ]),
            "by the property's id; a user Notion names not is shown by id"
        );
        let edited = task.last_edited.unwrap();
        assert_eq!(edited.to_rfc3339(), "2026-11-10T14:03:00+00:00");
        let now = DateTime::parse_from_rfc3339("2026-11-17T14:02:59Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(task.idle_days(now), Some(6), "a minute short of 7 days");
        assert_eq!(task.idle_days(now + chrono::Duration::minutes(1)), Some(7));
    }

    #[test]
    fn a_row_without_a_last_edit_is_unreadable_and_an_empty_status_is_none() {
        let no_time = page(json!({"id": "p2", "properties": {}}));
        assert!(read(&no_time, &columns(StatusKind::Status))
            .unwrap_err()
            .contains("last_edited_time"));
        let bad_time = page(json!({"id": "p3", "last_edited_time": "yesterday", "properties": {}}));
        assert!(read(&bad_time, &columns(StatusKind::Status))
            .unwrap_err()
            .contains("'yesterday' is not a time"));
        let no_status = page(json!({
            "id": "p4",
            "last_edited_time": "2026-11-10T14:03:00.000Z",
            "properties": {"Stage": {"id": "st", "type": "status", "status": null}}
        }));
        let task = read(&no_status, &columns(StatusKind::Status)).unwrap();
        assert_eq!(task.status, None);
        assert_eq!(task.assignees, Some(Vec::new()), "no owners: an empty list");
        assert_eq!(task.display_title(), "(untitled)");
        assert_eq!(
            Task::unreadable("p5".into()).display_title(),
            "(unreadable task p5)"
        );
    }
}
