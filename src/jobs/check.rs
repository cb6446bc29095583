//! `check`: everything a sweep would verify, plus one query to prove that
//! Notion accepts the filter. Writes nothing.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use super::board::{Board, ChannelKind, People};
use super::resolve::{self, SetupError};
use super::rule::{ExemptKind, Pass, Plan, PropertyRef, StatusKind};
use crate::guards::stop::Stop;
use crate::notion::wire::QueryBody;
use crate::notion::{NotionClient, RequestCounts};

/// What `check` found: everything a sweep would use.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CheckReport {
    pub(crate) ok: bool,
    pub(crate) database_id: Option<String>,
    pub(crate) data_source_id: String,
    pub(crate) name: String,
    pub(crate) status_property: StatusProperty,
    pub(crate) date_property: PropertyRef,
    pub(crate) from: Vec<String>,
    pub(crate) to: String,
    pub(crate) as_of: NaiveDate,
    pub(crate) tz: String,
    pub(crate) filter: serde_json::Value,
    /// Some open task matches the filter now.
    pub(crate) candidates: bool,
    /// `--restore`: where tasks due again go back to.
    pub(crate) restore_to: Option<String>,
    /// `--restore`: the filter of tasks to move back.
    pub(crate) restore_filter: Option<serde_json::Value>,
    /// `--due-soon`: the days ahead listed.
    pub(crate) due_soon: Option<u32>,
    /// `--exempt`: what leaves a task alone, in words.
    pub(crate) exempt: Vec<String>,
    /// `--snooze-property`.
    pub(crate) snooze_property: Option<String>,
    /// The people property of the tasks' owners, if any.
    pub(crate) assignee_property: Option<String>,
    /// Owners of the tasks a sweep would move (the first hundred read) whom
    /// `[people]` does not map: they are named, never mentioned.
    pub(crate) unmapped_owners: Vec<String>,
    /// Where a sweep would post its summary, by service.
    #[serde(serialize_with = "services")]
    pub(crate) notify: Vec<ChannelKind>,
    pub(crate) requests: RequestCounts,
}

/// The status property as `check` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StatusProperty {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) kind: StatusKind,
}

fn services<S: Serializer>(kinds: &[ChannelKind], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(kinds.iter().map(|k| k.service()))
}

/// Asks Notion for one row of `filter`, to prove it accepts the filter;
/// whether a row matched.
async fn probe(
    client: &NotionClient,
    data_source_id: &str,
    plan: &Plan,
    filter: &serde_json::Value,
    what: &str,
) -> Result<Vec<serde_json::Value>, SetupError> {
    // With owners to look at, a page of the tasks a sweep would move.
    let (page_size, mut properties) = match &plan.assignee {
        Some(assignee) => (100, vec![assignee.id.clone()]),
        None => (1, Vec::new()),
    };
    properties.push(plan.title.id.clone());
    let body = QueryBody {
        filter: filter.clone(),
        sorts: plan.sorts(),
        start_cursor: None,
        page_size,
    };
    match client.query(data_source_id, &body, &properties).await {
        Ok((page, _)) => Ok(page.results),
        Err(error) => Err(resolve::failed(
            client,
            format!("Notion refused the {what} filter"),
        )(error)),
    }
}

/// The owners of `rows` that `people` does not map, as "Name <email>".
fn unmapped(rows: &[serde_json::Value], assignee: &str, people: &People) -> Vec<String> {
    let mut unmapped: Vec<String> = Vec::new();
    let users = rows
        .iter()
        .filter_map(|row| row["properties"].as_object())
        .flat_map(|properties| properties.values())
        .filter(|value| value["id"] == assignee)
        .filter_map(|value| value["people"].as_array())
        .flatten();
    for user in users {
        let id = user["id"].as_str().unwrap_or_default();
        let email = user["person"]["email"].as_str();
        if people.of(id, email).is_some() {
            continue;
        }
        let name = user["name"].as_str().unwrap_or(id);
        let shown = match email {
            Some(email) => format!("{name} <{email}>"),
            None => name.to_string(),
        };
        if !unmapped.contains(&shown) {
            unmapped.push(shown);
        }
    }
    unmapped
}

/// What a sweep of `board` would use, or why it could not run.
pub(crate) async fn check(board: &Board, stop: &Stop) -> Result<CheckReport, SetupError> {
    let client = NotionClient::new(board.client.clone(), stop.clone())
        .map_err(|e| SetupError::Internal(e.to_string()))?;
    let rule = &board.rule;
    let (resolved, plan) = resolve::prepare(&client, &board.source, rule).await?;
    let calendar = rule.calendar();
    let filter = plan.filter(&calendar, Pass::Overdue, None);
    let rows = probe(&client, &resolved.data_source_id, &plan, &filter, "overdue").await?;
    let candidates = !rows.is_empty();
    let unmapped_owners = match &plan.assignee {
        Some(assignee) => unmapped(&rows, &assignee.id, &board.notify.people),
        None => Vec::new(),
    };
    let restore_filter = match plan.restore_to {
        Some(_) => {
            let filter = plan.filter(&calendar, Pass::Restore, None);
            probe(&client, &resolved.data_source_id, &plan, &filter, "restore").await?;
            Some(filter)
        }
        None => None,
    };
    Ok(CheckReport {
        ok: true,
        database_id: resolved.database_id,
        data_source_id: resolved.data_source_id,
        name: resolved.name,
        status_property: StatusProperty {
            id: plan.status.id,
            name: plan.status.name,
            kind: plan.status_kind,
        },
        date_property: plan.date,
        from: plan.from,
        to: plan.to,
        as_of: rule.as_of,
        tz: rule.tz.name().to_string(),
        filter,
        candidates,
        restore_to: plan.restore_to.clone(),
        restore_filter,
        due_soon: plan.due_soon,
        exempt: plan
            .exempt
            .iter()
            .map(|e| match e.kind {
                ExemptKind::MultiSelect => format!("'{}' contains '{}'", e.property.name, e.value),
                ExemptKind::Checkbox => format!("'{}' is checked", e.property.name),
                _ => format!("'{}' is '{}'", e.property.name, e.value),
            })
            .collect(),
        snooze_property: plan.snooze.as_ref().map(|s| s.name.clone()),
        assignee_property: plan.assignee.as_ref().map(|a| a.name.clone()),
        unmapped_owners,
        notify: board.notify.channels.iter().map(|c| c.kind).collect(),
        requests: client.counts(),
    })
}
