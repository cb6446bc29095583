//! The sweep: find overdue tasks page by page and move each to the late state.
//!
//! How the pages are read is the heart of it. Moving a task out of the
//! filter changes the result set under Notion's cursor, so after a page
//! whose writes succeeded the query starts again from the beginning; rows
//! already handled (failed, skipped, not overdue in the zone) are passed
//! over by ID. A task is therefore written at most one page of results after
//! it was read, never from a stale copy of the whole board. When no write
//! succeeded the rows did not move, and the cursor is followed: rows that
//! stay (failing writes) cost one read each, not one per restart. Past
//! Notion's cap of rows per query, the query starts again from the last due
//! date read.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Deserialize;
use tokio::sync::Semaphore;
use tokio::task::{JoinHandle, JoinSet};

use crate::notion::wire::{self, Page, QueryBody, QueryPage};
use crate::notion::{NotionClient, NotionError};
use crate::progress::{Counts, Progress};
use crate::rule::{utc_day, OverdueRule, Plan, PropertyRef, StatusKind};
use crate::stop::{Stop, StopReason};
use crate::summary::{Outcome, TaskError, TaskResult};

/// Writes in flight at once. The rate limiter sets the pace; this only
/// keeps the pipeline full when Notion answers slowly.
const IN_FLIGHT: usize = 16;

/// Rows per query page: Notion's maximum.
const PAGE_SIZE: u32 = 100;

/// Why a sweep ended before it had seen every overdue task.
#[derive(Debug, Clone)]
pub(crate) enum Halt {
    /// SIGINT/SIGTERM, the deadline, or a refusal that every write would meet.
    Stopped(StopReason),
    /// A query failed (after its retries).
    QueryFailed(NotionError),
    /// Too many rows that cannot be moved share one due date to page past Notion's row cap.
    RowCap(NaiveDate),
    /// Notion's paging went wrong: a cursor came back a second time, or
    /// `has_more` came without a cursor.
    BadPaging(String),
}

/// Everything a sweep did.
#[derive(Debug, Clone, Default)]
pub(crate) struct SweepOutcome {
    pub(crate) tasks: Vec<TaskResult>,
    pub(crate) halt: Option<Halt>,
    pub(crate) limit_reached: bool,
}

/// How to run a sweep.
#[derive(Debug, Clone)]
pub(crate) struct SweepOptions {
    pub(crate) rule: OverdueRule,
    pub(crate) dry_run: bool,
    pub(crate) limit: Option<usize>,
}

type WriteResult = (usize, Result<(), NotionError>);
type PendingQuery = JoinHandle<Result<(QueryPage, std::time::Duration), NotionError>>;

/// Finds and moves overdue tasks. Never fails as a whole: what went wrong is
/// in the outcome, task by task, and in `halt`.
pub(crate) async fn sweep(
    client: Arc<NotionClient>,
    data_source_id: &str,
    plan: &Plan,
    options: &SweepOptions,
    stop: &Stop,
    progress: &Progress,
) -> SweepOutcome {
    let mut run = Run::new(client, data_source_id, plan, options, stop, progress);
    let halt = run.pages().await.err();
    run.finish_writes().await;
    // A stop pulled by the last writes (a 401, a 403) also ends the run early.
    run.outcome.halt = halt.or_else(|| stop.reason().map(Halt::Stopped));
    progress.finish();
    run.outcome
}

struct Run<'a> {
    client: Arc<NotionClient>,
    data_source_id: &'a str,
    plan: &'a Plan,
    options: &'a SweepOptions,
    stop: &'a Stop,
    progress: &'a Progress,
    outcome: SweepOutcome,
    writes: JoinSet<WriteResult>,
    /// The task of each write in `writes`, to name it should it panic.
    write_tasks: HashMap<tokio::task::Id, usize>,
    in_flight: Arc<Semaphore>,
    /// Tasks written or counted against `--limit`.
    dispatched: usize,
    /// Writes that Notion applied.
    succeeded: usize,
    /// Rows already handled, by page id.
    seen: HashSet<String>,
    /// Where the sweep stands, kept as it goes for the progress line.
    counts: Counts,
}

/// Where the reading of one query chain stands.
#[derive(Default)]
struct Chain {
    /// The cursor to follow next; `None` to start from the beginning.
    cursor: Option<String>,
    /// Past the row cap: the earliest due date the query asks for.
    floor: Option<NaiveDate>,
    /// Rows never seen before were read since the last restart.
    new_since_restart: bool,
    /// [`Run::succeeded`] when the chain began from the beginning.
    succeeded_at_start: usize,
    /// Every cursor of this chain, to catch one that comes back.
    cursors: HashSet<String>,
}

/// What one page of results gave.
struct PageRead {
    /// A write was started for a row of this page.
    wrote: bool,
    /// The UTC day of the last due date read.
    last_day: Option<NaiveDate>,
}

/// What to ask next.
enum Next {
    FromStart,
    Cursor(String),
    Done,
}

impl<'a> Run<'a> {
    fn new(
        client: Arc<NotionClient>,
        data_source_id: &'a str,
        plan: &'a Plan,
        options: &'a SweepOptions,
        stop: &'a Stop,
        progress: &'a Progress,
    ) -> Run<'a> {
        Run {
            client,
            data_source_id,
            plan,
            options,
            stop,
            progress,
            outcome: SweepOutcome::default(),
            writes: JoinSet::new(),
            write_tasks: HashMap::new(),
            in_flight: Arc::new(Semaphore::new(IN_FLIGHT)),
            dispatched: 0,
            succeeded: 0,
            seen: HashSet::new(),
            counts: Counts::default(),
        }
    }

    /// The query of overdue candidates, sent as a task of its own.
    fn query(&self, cursor: Option<String>, floor: Option<NaiveDate>) -> PendingQuery {
        let rule = &self.options.rule;
        let body = QueryBody {
            filter: rule.filter(self.plan, floor),
            sorts: rule.sorts(self.plan),
            start_cursor: cursor,
            page_size: PAGE_SIZE,
        };
        let properties = [&self.plan.title, &self.plan.status, &self.plan.date]
            .map(|p| p.id.clone())
            .to_vec();
        let (client, id) = (self.client.clone(), self.data_source_id.to_string());
        tokio::spawn(async move { client.query(&id, &body, &properties).await })
    }

    /// Reads pages until no overdue task is left, the limit is reached, or the run halts.
    async fn pages(&mut self) -> Result<(), Halt> {
        let mut chain = Chain::default();
        // A restart query sent while the last writes of a page still wait
        // for their turn, so that the limiter never idles while it is answered.
        let mut prefetched: Option<PendingQuery> = None;
        loop {
            if let Some(reason) = self.stop.reason() {
                return Err(Halt::Stopped(reason));
            }
            if chain.cursor.is_none() {
                chain.succeeded_at_start = self.succeeded;
                chain.cursors.clear();
            }
            let pending = match prefetched.take() {
                Some(pending) if chain.cursor.is_none() => pending,
                other => {
                    if let Some(stale) = other {
                        stale.abort();
                    }
                    self.query(chain.cursor.take(), chain.floor)
                }
            };
            let (page, answer_time) = self.answer(pending).await?;
            // Rows left on the page when the restart query is sent: enough
            // writes to keep the limiter busy while Notion answers it. The
            // last page needs no restart: every row has been read.
            let depth = if page.has_more {
                ((self.client.rate() * answer_time.as_secs_f64() * 2.0).ceil() as usize)
                    .saturating_add(1)
                    .min(PAGE_SIZE as usize / 2)
            } else {
                0
            };
            let read = self
                .read_page(page.results, depth, &mut chain, &mut prefetched)
                .await;
            self.collect_finished();
            if self.outcome.limit_reached {
                if let Some(pending) = prefetched.take() {
                    pending.abort();
                }
                return Ok(());
            }
            match self
                .next(page.has_more, page.next_cursor, &read, &mut chain)
                .await?
            {
                Next::FromStart => chain.cursor = None,
                Next::Cursor(next) => chain.cursor = Some(next),
                Next::Done => {
                    if page
                        .request_status
                        .as_ref()
                        .is_none_or(|s| s.kind != "incomplete")
                    {
                        return Ok(());
                    }
                    self.past_row_cap(&read, &mut chain)?;
                }
            }
        }
    }

    /// The answer of a query, or why the sweep halts.
    async fn answer(
        &mut self,
        pending: PendingQuery,
    ) -> Result<(QueryPage, std::time::Duration), Halt> {
        let answer = pending.await.unwrap_or_else(|e| {
            Err(NotionError::Connection(format!(
                "the query task failed: {e}"
            )))
        });
        match answer {
            Ok(answered) => Ok(answered),
            Err(error) if error.stop_reason().is_some() => Err(Halt::Stopped(
                error.stop_reason().unwrap_or(StopReason::Interrupted),
            )),
            Err(error) => {
                if error.is_unauthorized() {
                    self.stop.trigger(StopReason::TokenRefused);
                }
                tracing::error!("query failed: {error}");
                Err(Halt::QueryFailed(error))
            }
        }
    }

    /// Handles the rows of one page; sends the restart query early when
    /// writes of this chain have already moved rows.
    async fn read_page(
        &mut self,
        results: Vec<serde_json::Value>,
        depth: usize,
        chain: &mut Chain,
        prefetched: &mut Option<PendingQuery>,
    ) -> PageRead {
        let mut read = PageRead {
            wrote: false,
            last_day: None,
        };
        let rows = results.len();
        let rule = self.options.rule;
        for (index, raw) in results.into_iter().enumerate() {
            if read.wrote
                && prefetched.is_none()
                && rows - index <= depth
                && self.succeeded > chain.succeeded_at_start
            {
                *prefetched = Some(self.query(None, chain.floor));
            }
            let row = match read_row(raw) {
                Row::Page(page) => page,
                Row::Ignored => continue,
                Row::Unreadable(id, why) => {
                    if self.seen.insert(id.clone()) {
                        chain.new_since_restart = true;
                        self.record_unreadable(id, why);
                    }
                    continue;
                }
            };
            read.last_day = property(&row, &self.plan.date)
                .and_then(|v| v.date)
                .as_ref()
                .and_then(utc_day)
                .or(read.last_day);
            if !self.seen.insert(row.id.clone()) {
                continue;
            }
            chain.new_since_restart = true;
            match read_task(self.plan, &rule, &row) {
                Ok(task) if task.due.is_some_and(|due| rule.is_overdue(due)) => {
                    read.wrote |= self.handle(task).await;
                }
                Ok(_) => {}
                Err(why) => self.record_unreadable(row.id.clone(), why),
            }
        }
        read
    }

    /// After a page: start again, follow the cursor, or stop reading.
    async fn next(
        &mut self,
        has_more: bool,
        next_cursor: Option<String>,
        read: &PageRead,
        chain: &mut Chain,
    ) -> Result<Next, Halt> {
        if !has_more {
            // Every row of the results has been read: writes still landing
            // cannot hide one from this chain any more.
            return Ok(Next::Done);
        }
        if read.wrote || !self.writes.is_empty() || self.succeeded > chain.succeeded_at_start {
            // Writes may move rows under the cursor: let them land first
            // unless one already has.
            if self.succeeded == chain.succeeded_at_start {
                self.finish_writes().await;
            }
            if self.succeeded > chain.succeeded_at_start {
                return Ok(Next::FromStart);
            }
        }
        match next_cursor {
            Some(next) if chain.cursors.insert(next.clone()) => Ok(Next::Cursor(next)),
            Some(_) => Err(Halt::BadPaging(
                "Notion sent the same cursor twice; the rest of the results could not be read"
                    .into(),
            )),
            None => Err(Halt::BadPaging(
                "Notion said more results follow but sent no cursor; the rest could not be read"
                    .into(),
            )),
        }
    }

    /// Past Notion's row cap: go on from the last due date read, unless nothing new came.
    fn past_row_cap(&mut self, read: &PageRead, chain: &mut Chain) -> Result<(), Halt> {
        match read.last_day {
            Some(day) if chain.floor != Some(day) || chain.new_since_restart => {
                tracing::info!("Notion's row cap reached; going on from due date {day}");
                chain.floor = Some(day);
                chain.new_since_restart = false;
                chain.cursor = None;
                Ok(())
            }
            _ => Err(Halt::RowCap(
                read.last_day.unwrap_or(self.options.rule.as_of),
            )),
        }
    }

    /// Counts a task found (`found`) and an outcome reached, and shows it.
    fn tally(&mut self, found: bool, outcome: Outcome) {
        self.counts.found += usize::from(found);
        match outcome {
            Outcome::Updated | Outcome::WouldUpdate => self.counts.updated += 1,
            Outcome::Failed => self.counts.failed += 1,
            Outcome::Skipped | Outcome::Unknown => {}
        }
        self.progress.update(self.counts);
    }

    /// Decides one overdue task; returns true if a write was started.
    async fn handle(&mut self, mut result: TaskResult) -> bool {
        let index = self.outcome.tasks.len();
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
                permit = self.in_flight.clone().acquire_owned() => permit.ok(),
                _ = self.stop.stopped() => None,
            };
            let Some(permit) = permit else {
                self.tally(true, result.outcome);
                self.outcome.tasks.push(result);
                return false;
            };
            let client = self.client.clone();
            let body = wire::status_update(
                &self.plan.status.id,
                self.plan.status_kind.key(),
                &self.plan.to,
            );
            let page_id = result.id.clone();
            let task = self.writes.spawn(async move {
                let written = client.update_page(&page_id, &body).await;
                drop(permit);
                (index, written)
            });
            self.write_tasks.insert(task.id(), index);
            self.dispatched += 1;
            self.tally(true, result.outcome);
            self.outcome.tasks.push(result);
            self.collect_finished();
            return true;
        }
        self.tally(true, result.outcome);
        self.outcome.tasks.push(result);
        false
    }

    fn collect_finished(&mut self) {
        while let Some(joined) = self.writes.try_join_next_with_id() {
            self.record_write(joined);
        }
    }

    async fn finish_writes(&mut self) {
        while let Some(joined) = self.writes.join_next_with_id().await {
            self.record_write(joined);
        }
    }

    fn record_write(
        &mut self,
        joined: Result<(tokio::task::Id, WriteResult), tokio::task::JoinError>,
    ) {
        let (index, written) = match joined {
            Ok((id, done)) => {
                self.write_tasks.remove(&id);
                done
            }
            Err(error) => {
                // A write task only ends without a result if it panicked (a
                // bug): that task failed, and it says so.
                tracing::error!("a write task ended without a result: {error}");
                if let Some(result) = self
                    .write_tasks
                    .remove(&error.id())
                    .and_then(|index| self.outcome.tasks.get_mut(index))
                {
                    result.outcome = Outcome::Failed;
                    result.error = Some(TaskError {
                        status: None,
                        code: "internal_error".into(),
                        message: format!("the write ended without a result ({error}); this is a bug in notion-sweep"),
                        request_id: None,
                    });
                    self.tally(false, Outcome::Failed);
                }
                return;
            }
        };
        let Some(result) = self.outcome.tasks.get_mut(index) else {
            return;
        };
        match written {
            Ok(()) => {
                self.succeeded += 1;
                result.outcome = Outcome::Updated;
                tracing::info!(task = %result.id, "moved '{}' to '{}'", result.title, self.plan.to);
            }
            Err(NotionError::Stopped(_)) => result.outcome = Outcome::Skipped,
            Err(error @ NotionError::Abandoned(_)) => {
                tracing::warn!(task = %result.id, "'{}' may or may not have moved: {error}", result.title);
                result.outcome = Outcome::Unknown;
                result.error = Some(TaskError::from(&error));
            }
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
                tracing::warn!(task = %result.id, "could not update '{}': {error}", result.title);
                result.outcome = Outcome::Failed;
                result.error = Some(TaskError::from(&error));
            }
        }
        let outcome = result.outcome;
        self.tally(false, outcome);
    }

    fn record_unreadable(&mut self, id: String, why: String) {
        tracing::warn!(task = %id, "could not read a task the filter returned: {why}");
        self.tally(true, Outcome::Failed);
        self.outcome.tasks.push(TaskResult::unreadable(id, why));
    }
}

/// Reads one task of a page the filter returned; says why when it cannot.
fn read_task(plan: &Plan, rule: &OverdueRule, page: &Page) -> Result<TaskResult, String> {
    let due_value = property(page, &plan.date)
        .and_then(|v| v.date)
        .ok_or_else(|| format!("its '{}' property is missing or not a date", plan.date.name))?;
    let due = rule
        .due_date(&due_value)
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
    Ok(TaskResult {
        id: page.id.clone(),
        title,
        url: page.url.clone().unwrap_or_default(),
        due: Some(due),
        status: Some(status),
        outcome: Outcome::Skipped,
        error: None,
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
fn property(page: &Page, wanted: &PropertyRef) -> Option<wire::PropertyValue> {
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
    use crate::rule::{PropertyRef, StatusKind};
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

    fn read(raw: Value) -> Result<TaskResult, String> {
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

    #[tokio::test]
    async fn a_write_that_panics_is_that_tasks_failure_not_a_skip() {
        use crate::notion::retry::RetryPolicy;
        use crate::notion::ClientConfig;
        use std::time::Duration;
        let config = ClientConfig {
            base_url: "http://127.0.0.1:9".parse().unwrap(),
            token: "t".to_string().into(),
            version: "2025-09-03".into(),
            rate: 10.0,
            timeout: Duration::from_secs(1),
            retry: RetryPolicy {
                max_retries: 0,
                base: Duration::from_millis(10),
                cap: Duration::from_millis(10),
                deadline: Duration::from_secs(1),
            },
            limiter: None,
        };
        let stop = Stop::default();
        let client = Arc::new(NotionClient::new(config, stop.clone()).unwrap());
        let (plan, progress) = (plan(), Progress::new(true));
        let options = SweepOptions {
            rule: rule(),
            dry_run: false,
            limit: None,
        };
        let mut run = Run::new(client, "source", &plan, &options, &stop, &progress);
        run.outcome.tasks.push(read(good()).unwrap());
        let task = run
            .writes
            .spawn(async { std::panic::panic_any("a bug in a write") });
        run.write_tasks.insert(task.id(), 0);
        run.finish_writes().await;
        let task = &run.outcome.tasks[0];
        assert_eq!(task.outcome, Outcome::Failed);
        assert_eq!(task.error.as_ref().unwrap().code, "internal_error");
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
