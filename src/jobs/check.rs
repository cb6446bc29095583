//! `check`: everything a sweep would verify, plus one query to prove that
//! Notion accepts the filter. Writes nothing.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use super::board::{Board, ChannelKind};
use super::resolve::{self, SetupError};
use super::rule::{PropertyRef, StatusKind};
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

/// What a sweep of `board` would use, or why it could not run.
pub(crate) async fn check(board: &Board, stop: &Stop) -> Result<CheckReport, SetupError> {
    let client = NotionClient::new(board.client.clone(), stop.clone())
        .map_err(|e| SetupError::Internal(e.to_string()))?;
    let rule = &board.rule;
    let (resolved, plan) = resolve::prepare(&client, &board.source, rule).await?;
    let overdue = rule.overdue();
    let filter = overdue.filter(&plan, None);
    let probe = QueryBody {
        filter: filter.clone(),
        sorts: overdue.sorts(&plan),
        start_cursor: None,
        page_size: 1,
    };
    let properties = vec![plan.title.id.clone()];
    let candidates = match client
        .query(&resolved.data_source_id, &probe, &properties)
        .await
    {
        Ok((page, _)) => !page.results.is_empty(),
        Err(error) => {
            return Err(resolve::failed(
                &client,
                "Notion refused the overdue filter".into(),
            )(error));
        }
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
        notify: board.notify.channels.iter().map(|c| c.kind).collect(),
        requests: client.counts(),
    })
}
