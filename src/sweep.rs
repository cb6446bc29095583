//! The sweep: resolve the data source, check its schema, find overdue tasks
//! page by page and move each to the late state.
//!
//! How the pages are read is the heart of it. Moving a task out of the
//! filter changes the result set under Notion's cursor, so after any page
//! that wrote something the query starts again from the beginning; rows
//! already handled (failed, skipped, not overdue in the zone) are passed
//! over by ID. A task is therefore written at most one page of results after
//! it was read, never from a stale copy of the whole board. Past Notion's cap
//! of rows per query, the query starts again from the last due date read.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::due::{utc_day, OverdueRule};
use crate::notion::wire::{self, DataSource, Page, QueryBody};
use crate::notion::{NotionClient, NotionError, StopReason};
use crate::progress::Progress;
use crate::schema::{self, Plan};
use crate::settings::{DataSourceChoice, Rule, Target};
use crate::stop::Stop;

/// Writes in flight at once. The rate limiter sets the pace; this only
/// keeps the pipeline full when Notion answers slowly.
const IN_FLIGHT: usize = 16;

/// Rows per query page: Notion's maximum.
const PAGE_SIZE: u32 = 100;

/// The data source a run works on.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// `None` only when a data source ID was given and its parent was not named.
    pub database_id: Option<String>,
    pub data_source_id: String,
    /// The database's title, or the data source's when no database was looked up.
    pub name: String,
    pub source: DataSource,
}

/// Why nothing could be done; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{}", notion_setup_message(.during, .error))]
    Notion { during: String, error: NotionError },
    #[error("database '{database}' has {} data sources; choose one with --data-source ID_OR_NAME: {}", .sources.len(), list_sources(.sources))]
    SeveralDataSources {
        database: String,
        sources: Vec<(String, String)>,
    },
    #[error("database '{database}' has no data source named '{wanted}'{hint}; its data sources: {}", list_sources(.sources))]
    NoSuchDataSource {
        database: String,
        wanted: String,
        hint: String,
        sources: Vec<(String, String)>,
    },
    #[error("database '{0}' has no data source to sweep")]
    NoDataSource(String),
    #[error("the schema of '{name}' does not fit the sweep:\n  - {}", .problems.join("\n  - "))]
    Schema { name: String, problems: Vec<String> },
}

impl SetupError {
    /// The Notion error behind this, if any.
    pub fn notion(&self) -> Option<&NotionError> {
        match self {
            SetupError::Notion { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn list_sources(sources: &[(String, String)]) -> String {
    sources
        .iter()
        .map(|(id, name)| format!("'{name}' ({id})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A message that says what went wrong and what to do about it.
pub fn notion_setup_message(during: &str, error: &NotionError) -> String {
    let hint = match error.status() {
        Some(401) => "Notion refused the token: check that NOTION_TOKEN holds the integration's current secret (ntn_…)",
        Some(403) => "the integration lacks a capability: enable Read content and Update content in its settings at notion.so/my-integrations",
        Some(404) => "it does not exist, or it is not shared with the integration: open the database in Notion, ••• menu → Connections → add your integration",
        Some(400)
            if error.code() == "missing_version"
                || error.code() == "invalid_request"
                || error.to_string().to_lowercase().contains("version") =>
        {
            "Notion did not accept the request: check --notion-version and --api-url"
        }
        _ => "",
    };
    if hint.is_empty() {
        format!("{during}: {error}")
    } else {
        format!("{during}: {hint}. {error}")
    }
}

/// Finds the data source to sweep: `GET /v1/databases/{id}`, then `GET /v1/data_sources/{id}`.
pub async fn resolve(client: &NotionClient, target: &Target) -> Result<Resolved, SetupError> {
    let notion = |during: String| move |error| SetupError::Notion { during, error };
    let (database_id, database_name, source_id) = match (&target.data_source, &target.database) {
        (Some(DataSourceChoice::Id(id)), database) => (
            database.as_ref().map(|d| d.to_string()),
            None,
            id.to_string(),
        ),
        (choice, Some(database)) => {
            let db = client
                .database(database.as_str())
                .await
                .map_err(notion(format!("could not open database {database}")))?;
            let title = wire::plain_text(&db.title);
            let name = if title.is_empty() {
                db.id.clone()
            } else {
                title
            };
            let sources: Vec<(String, String)> = db
                .data_sources
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect();
            let id = match choice {
                Some(DataSourceChoice::Name(wanted)) => {
                    match sources.iter().find(|(_, n)| n == wanted) {
                        Some((id, _)) => id.clone(),
                        None => {
                            let names: Vec<&str> =
                                sources.iter().map(|(_, n)| n.as_str()).collect();
                            return Err(SetupError::NoSuchDataSource {
                                database: name,
                                wanted: wanted.clone(),
                                hint: schema::did_you_mean(wanted, &names),
                                sources,
                            });
                        }
                    }
                }
                _ => match sources.as_slice() {
                    [] => return Err(SetupError::NoDataSource(name)),
                    [(id, _)] => id.clone(),
                    _ => {
                        return Err(SetupError::SeveralDataSources {
                            database: name,
                            sources,
                        })
                    }
                },
            };
            (Some(db.id.clone()), Some(name), id)
        }
        (_, None) => unreachable!("settings require a database unless a data source ID is given"),
    };
    let source = client
        .data_source(&source_id)
        .await
        .map_err(notion(format!("could not open data source {source_id}")))?;
    let source_title = wire::plain_text(&source.title);
    let database_id =
        database_id.or_else(|| source.parent.as_ref().and_then(|p| p.database_id.clone()));
    let name = database_name.unwrap_or_else(|| {
        if source_title.is_empty() {
            source.id.clone()
        } else {
            source_title
        }
    });
    Ok(Resolved {
        database_id,
        data_source_id: source.id.clone(),
        name,
        source,
    })
}

/// Resolves and checks the schema: everything that must hold before a write.
pub async fn prepare(
    client: &NotionClient,
    target: &Target,
    rule: &Rule,
) -> Result<(Resolved, Plan), SetupError> {
    let resolved = resolve(client, target).await?;
    let plan = schema::check(&resolved.source, rule).map_err(|problems| SetupError::Schema {
        name: resolved.name.clone(),
        problems,
    })?;
    Ok((resolved, plan))
}

/// What became of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Updated,
    WouldUpdate,
    Failed,
    Skipped,
}

/// An overdue task as the sweep read it.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub url: String,
    /// The due date as a calendar date in `--tz`.
    pub due: NaiveDate,
    /// The status it had when read.
    pub status: String,
}

/// Why one task was not updated.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TaskError {
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

impl From<&NotionError> for TaskError {
    fn from(error: &NotionError) -> Self {
        TaskError {
            status: error.status(),
            code: error.code(),
            message: error.to_string(),
            request_id: error.request_id().map(str::to_string),
        }
    }
}

/// One task and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskResult {
    #[serde(flatten)]
    pub task: Task,
    pub outcome: Outcome,
    pub error: Option<TaskError>,
}

/// Why a sweep ended before it had seen every overdue task.
#[derive(Debug, Clone)]
pub enum Halt {
    /// SIGINT/SIGTERM, or the token was refused.
    Stopped(StopReason),
    /// A query failed (after its retries).
    QueryFailed(NotionError),
    /// Too many rows that cannot be moved share one due date to page past Notion's row cap.
    RowCap(NaiveDate),
}

/// Everything a sweep did.
#[derive(Debug, Clone, Default)]
pub struct SweepOutcome {
    pub tasks: Vec<TaskResult>,
    pub halt: Option<Halt>,
    pub limit_reached: bool,
}

impl SweepOutcome {
    /// Tasks with the given outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.tasks.iter().filter(|t| t.outcome == outcome).count()
    }
}

/// How to run a sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub rule: OverdueRule,
    pub dry_run: bool,
    pub limit: Option<usize>,
}

type WriteResult = (usize, Result<(), NotionError>);

/// Finds and moves overdue tasks. Never fails as a whole: what went wrong is
/// in the outcome, task by task, and in `halt`.
pub async fn sweep(
    client: Arc<NotionClient>,
    data_source_id: &str,
    plan: &Plan,
    options: &SweepOptions,
    stop: &Stop,
    progress: &Progress,
) -> SweepOutcome {
    let mut run = Run {
        client,
        plan,
        options,
        stop,
        progress,
        outcome: SweepOutcome::default(),
        writes: JoinSet::new(),
        in_flight: Arc::new(Semaphore::new(IN_FLIGHT)),
        dispatched: 0,
        completed: 0,
    };
    run.pages(data_source_id).await;
    run.finish_writes().await;
    progress.finish();
    run.outcome
}

struct Run<'a> {
    client: Arc<NotionClient>,
    plan: &'a Plan,
    options: &'a SweepOptions,
    stop: &'a Stop,
    progress: &'a Progress,
    outcome: SweepOutcome,
    writes: JoinSet<WriteResult>,
    in_flight: Arc<Semaphore>,
    /// Tasks written or counted against `--limit`.
    dispatched: usize,
    /// Writes that have finished, either way.
    completed: usize,
}

impl Run<'_> {
    async fn pages(&mut self, data_source_id: &str) {
        let properties = Arc::new(vec![
            self.plan.title.id.clone(),
            self.plan.status.id.clone(),
            self.plan.date.id.clone(),
        ]);
        let rule = &self.options.rule;
        let (plan, client) = (self.plan, self.client.clone());
        let query = |cursor: Option<String>, floor: Option<NaiveDate>| {
            let body = QueryBody {
                filter: rule.filter(plan, floor),
                sorts: rule.sorts(plan),
                start_cursor: cursor,
                page_size: PAGE_SIZE,
            };
            let (client, properties) = (client.clone(), properties.clone());
            let id = data_source_id.to_string();
            tokio::spawn(async move { client.query(&id, &body, &properties).await })
        };
        // A restart query sent while the last writes of a page still wait
        // for their turn, so that the limiter never idles while it is answered.
        let mut prefetched: Option<tokio::task::JoinHandle<_>> = None;
        let mut seen: HashSet<String> = HashSet::new();
        let mut cursor: Option<String> = None;
        let mut floor: Option<NaiveDate> = None;
        let mut new_since_restart = false;
        let mut completed_at_chain_start = 0;
        loop {
            if let Some(reason) = self.stop.reason() {
                self.outcome.halt = Some(Halt::Stopped(reason));
                return;
            }
            if cursor.is_none() {
                completed_at_chain_start = self.completed;
            }
            let pending = match prefetched.take() {
                Some(pending) if cursor.is_none() => pending,
                _ => query(cursor.take(), floor),
            };
            let answer = pending.await.unwrap_or_else(|e| {
                Err(NotionError::Connection(format!(
                    "the query task failed: {e}"
                )))
            });
            let (page, answer_time) = match answer {
                Ok(answered) => answered,
                Err(NotionError::Stopped(reason)) => {
                    self.outcome.halt = Some(Halt::Stopped(reason));
                    return;
                }
                Err(error) => {
                    if error.is_unauthorized() {
                        self.stop.trigger(StopReason::TokenRefused);
                    }
                    tracing::error!("query failed: {error}");
                    self.outcome.halt = Some(Halt::QueryFailed(error));
                    return;
                }
            };
            let mut wrote = false;
            let mut last_day = None;
            let rows = page.results.len();
            // Rows left on the page when the restart query is sent: enough
            // writes to keep the limiter busy while Notion answers it.
            let depth = ((self.client.rate() * answer_time.as_secs_f64() * 2.0).ceil() as usize
                + 1)
            .min(PAGE_SIZE as usize / 2);
            for (index, raw) in page.results.into_iter().enumerate() {
                if wrote && prefetched.is_none() && rows - index <= depth {
                    prefetched = Some(query(None, floor));
                }
                let row = match read_row(raw) {
                    Row::Page(page) => page,
                    Row::Ignored => continue,
                    Row::Unreadable(id, why) => {
                        if seen.insert(id.clone()) {
                            new_since_restart = true;
                            self.record_unreadable(id, why);
                        }
                        continue;
                    }
                };
                last_day = property(&row, &self.plan.date)
                    .and_then(|v| v.date)
                    .as_ref()
                    .and_then(utc_day)
                    .or(last_day);
                if !seen.insert(row.id.clone()) {
                    continue;
                }
                new_since_restart = true;
                let task = match read_task(self.plan, rule, &row) {
                    Ok(task) => task,
                    Err(why) => {
                        self.record_unreadable(row.id.clone(), why);
                        continue;
                    }
                };
                if !rule.is_overdue(task.due) {
                    continue;
                }
                wrote |= self.handle(task).await;
            }
            self.collect_finished();
            self.progress.update(&self.outcome);
            if self.outcome.limit_reached {
                if let Some(pending) = prefetched.take() {
                    pending.abort();
                }
                return;
            }
            if wrote {
                // The rows just moved left the result set under the cursor.
                continue;
            }
            if page.has_more {
                if let Some(next) = page.next_cursor {
                    // A write that lands while the chain is read shifts the
                    // rows under the cursor: let them land, then start again.
                    if !self.writes.is_empty() || self.completed != completed_at_chain_start {
                        self.finish_writes().await;
                    } else {
                        cursor = Some(next);
                    }
                    continue;
                }
            }
            let capped = page
                .request_status
                .as_ref()
                .is_some_and(|s| s.kind == "incomplete");
            if !capped {
                return;
            }
            match last_day {
                Some(day) if floor != Some(day) || new_since_restart => {
                    tracing::info!("Notion's row cap reached; going on from due date {day}");
                    floor = Some(day);
                    new_since_restart = false;
                }
                _ => {
                    self.outcome.halt = Some(Halt::RowCap(last_day.unwrap_or(rule.as_of)));
                    return;
                }
            }
        }
    }

    /// Decides one overdue task; returns true if a write was started.
    async fn handle(&mut self, task: Task) -> bool {
        let index = self.outcome.tasks.len();
        let mut result = TaskResult {
            task,
            outcome: Outcome::Skipped,
            error: None,
        };
        let over_limit = self
            .options
            .limit
            .is_some_and(|limit| self.dispatched >= limit);
        if over_limit {
            self.outcome.limit_reached = true;
        } else if self.stop.reason().is_some() {
            // Not reached before the run stopped: stays Skipped.
        } else if self.options.dry_run {
            result.outcome = Outcome::WouldUpdate;
            self.dispatched += 1;
        } else {
            let permit = tokio::select! {
                permit = self.in_flight.clone().acquire_owned() => permit.expect("never closed"),
                _ = self.stop.stopped() => {
                    self.outcome.tasks.push(result);
                    return false;
                }
            };
            let client = self.client.clone();
            let body = wire::status_update(
                &self.plan.status.id,
                self.plan.status_kind.key(),
                &self.plan.to,
            );
            let page_id = result.task.id.clone();
            self.writes.spawn(async move {
                let written = client.update_page(&page_id, &body).await;
                drop(permit);
                (index, written)
            });
            self.dispatched += 1;
            self.outcome.tasks.push(result);
            self.collect_finished();
            return true;
        }
        self.outcome.tasks.push(result);
        false
    }

    fn collect_finished(&mut self) {
        while let Some(joined) = self.writes.try_join_next() {
            self.record_write(joined);
        }
    }

    async fn finish_writes(&mut self) {
        while let Some(joined) = self.writes.join_next().await {
            self.record_write(joined);
        }
    }

    fn record_write(&mut self, joined: Result<WriteResult, tokio::task::JoinError>) {
        let Ok((index, written)) = joined else {
            // A write task only ends without a result if it panicked: a bug.
            tracing::error!("a write task ended without a result");
            return;
        };
        self.completed += 1;
        let result = &mut self.outcome.tasks[index];
        match written {
            Ok(()) => {
                result.outcome = Outcome::Updated;
                tracing::info!(task = %result.task.id, "moved '{}' to '{}'", result.task.title, self.plan.to);
            }
            Err(NotionError::Stopped(_)) => result.outcome = Outcome::Skipped,
            Err(error) => {
                // Every other write would be refused the same way: stop.
                let refusal = match error.status() {
                    Some(401) => Some(StopReason::TokenRefused),
                    Some(403) => Some(StopReason::CapabilityMissing),
                    _ => None,
                };
                if let Some(reason) = refusal {
                    if self.stop.reason().is_none() {
                        tracing::error!("Notion refused a write ({error}); stopping");
                    }
                    self.stop.trigger(reason);
                }
                tracing::warn!(task = %result.task.id, "could not update '{}': {error}", result.task.title);
                result.outcome = Outcome::Failed;
                result.error = Some(TaskError::from(&error));
            }
        }
    }

    fn record_unreadable(&mut self, id: String, why: String) {
        tracing::warn!(task = %id, "could not read a task the filter returned: {why}");
        self.outcome.tasks.push(TaskResult {
            task: Task {
                id,
                title: String::new(),
                url: String::new(),
                due: self.options.rule.as_of,
                status: String::new(),
            },
            outcome: Outcome::Failed,
            error: Some(TaskError {
                status: None,
                code: "unreadable_task".into(),
                message: why,
                request_id: None,
            }),
        });
    }
}

/// Reads one task of a page the filter returned; says why when it cannot.
fn read_task(plan: &Plan, rule: &OverdueRule, page: &Page) -> Result<Task, String> {
    let due_value = property(page, &plan.date)
        .and_then(|v| v.date)
        .ok_or_else(|| format!("its '{}' property is missing or not a date", plan.date.name))?;
    let due = rule
        .due_date(&due_value)
        .ok_or_else(|| format!("its due date '{}' is not a date", due_value.start))?;
    let status = property(page, &plan.status)
        .and_then(|v| match plan.status_kind {
            schema::StatusKind::Status => v.status,
            schema::StatusKind::Select => v.select,
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
    Ok(Task {
        id: page.id.clone(),
        title,
        url: page.url.clone().unwrap_or_default(),
        due,
        status,
    })
}

enum Row {
    Page(Page),
    /// Not a page, or in the trash: never touched.
    Ignored,
    Unreadable(String, String),
}

fn read_row(raw: serde_json::Value) -> Row {
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
            tracing::warn!("Notion returned a row without an id; passed over: {e}");
            Row::Ignored
        }
    }
}

/// A page's value of a schema property, found by ID (names may change
/// mid-run); `None` when it is absent or not of a shape Notion uses.
fn property(page: &Page, wanted: &schema::PropertyRef) -> Option<wire::PropertyValue> {
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
    use crate::schema::{PropertyRef, StatusKind};
    use serde_json::{json, Value};

    fn plan() -> Plan {
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
        }
    }

    fn rule() -> OverdueRule {
        OverdueRule {
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

    fn read(raw: Value) -> Result<Task, String> {
        match read_row(raw) {
            Row::Page(p) => read_task(&plan(), &rule(), &p),
            Row::Ignored => Err("ignored".into()),
            Row::Unreadable(_, why) => Err(why),
        }
    }

    #[test]
    fn a_good_page_is_read_by_property_id() {
        let task = read(good()).unwrap();
        assert_eq!(task.title, "Fix login");
        assert_eq!(task.status, "To Do");
        assert_eq!(task.due.to_string(), "2026-11-20");
        // Renamed since the schema was read: still found by ID.
        let mut renamed = good();
        let properties = renamed["properties"].as_object_mut().unwrap();
        let status = properties.remove("Status").unwrap();
        properties.insert("State".into(), status);
        assert_eq!(read(renamed).unwrap().status, "To Do");
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
            read(p).unwrap().due.to_string(),
            "2026-11-18",
            "a range counts by its start"
        );
        let mut p = good();
        p["properties"]["Due Date"]["date"] =
            json!({"start": "2026-11-21T23:00:00", "time_zone": "America/New_York"});
        assert_eq!(
            read(p).unwrap().due.to_string(),
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
