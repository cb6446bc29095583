//! What a sweep must have done, computed from the contract and the
//! sandbox's record, independently of the sweep's own code.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use chrono_tz::Tz;
use notion_sandbox::{GeneratedBoard, PageState, PropertyValue, RecordedRequest, Sandbox};
use serde_json::Value;

use super::binary::as_of;

/// Requests with this method.
pub fn requests(sandbox: &Sandbox, method: &str) -> Vec<RecordedRequest> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == method)
        .collect()
}

/// The page id a PATCH went to, dashed.
pub fn patched_id(request: &RecordedRequest) -> String {
    let raw = request.path.trim_start_matches("/v1/pages/");
    notion_sandbox::normalize_id(raw)
        .expect("a page id")
        .to_string()
}

/// A text-ish value (title, status, select) of a page.
pub fn text<'a>(page: &'a PageState, property: &str) -> Option<&'a str> {
    match page.properties.get(property) {
        Some(PropertyValue::Text(t)) => Some(t.as_str()),
        _ => None,
    }
}

/// The pages that must be moved: open status, due (as a calendar date in
/// `tz`) before `as_of`, not trashed. Written from the contract, independently
/// of the sweep's own code.
pub fn expected_overdue(
    pages: &[PageState],
    status: &str,
    date: &str,
    from: &[&str],
    as_of: NaiveDate,
    tz: Tz,
) -> BTreeSet<String> {
    pages
        .iter()
        .filter(|p| !p.in_trash)
        .filter(|p| text(p, status).is_some_and(|s| from.contains(&s)))
        .filter(|p| {
            let Some(PropertyValue::Date(d)) = p.properties.get(date) else {
                return false;
            };
            let due = if d.start.len() == 10 {
                d.start.parse::<NaiveDate>().unwrap()
            } else {
                chrono::DateTime::parse_from_rfc3339(&d.start)
                    .map(|t| t.with_timezone(&tz).date_naive())
                    .unwrap_or_else(|_| {
                        // A datetime without offset is UTC.
                        chrono::NaiveDateTime::parse_from_str(&d.start, "%Y-%m-%dT%H:%M:%S%.f")
                            .unwrap()
                            .and_utc()
                            .with_timezone(&tz)
                            .date_naive()
                    })
            };
            due < as_of
        })
        .map(|p| p.id.clone())
        .collect()
}

/// Ids of the tasks in the JSON document with the given outcome.
pub fn ids_with(doc: &Value, outcome: &str) -> BTreeSet<String> {
    doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["outcome"] == outcome)
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// Titles of the tasks in the JSON document with the given outcome, sorted.
pub fn titled(doc: &Value, outcome: &str) -> Vec<String> {
    let mut titles: Vec<String> = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["outcome"] == outcome)
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

/// The overdue tasks of a generated board with the default names, in UTC.
pub fn overdue(sandbox: &Sandbox, spec: &GeneratedBoard) -> BTreeSet<String> {
    let pages = sandbox.pages(&spec.data_source_id());
    expected_overdue(&pages, "Status", "Due Date", &["To Do"], as_of(), Tz::UTC)
}
