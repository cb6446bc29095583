//! Reading the listed tasks again and moving back those still where the
//! sweep put them. Many tasks: one query per hundred for the tasks in the
//! status the sweep set, edited since the sweep began (the filter is
//! Notion's), read to its end before the first write (a write moves a row
//! out of the results under the cursor); a task the query did not give is
//! a conflict, and is read by its page only when the query could not be
//! read to its end within its budget or found none of them (a clock far
//! off). Few tasks: each task's page (`GET /v1/pages/{id}`), and its write
//! as soon as it is read.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DurationRound, TimeDelta};
use serde_json::{json, Value};
use tokio::task::JoinSet;

use super::found::{Plan, UndoOutcome, UndoTask};
use crate::guards::scrub::escape_control;
use crate::guards::stop::{Stop, StopReason};
use crate::jobs::paging::{Order, Paging, PagingError, Stamp};
use crate::jobs::rule::Columns;
use crate::jobs::summary::TaskError;
use crate::jobs::sweep::rows::{read_row, Row};
use crate::jobs::sweep::writes::{Landed, Write, Writes, Written};
use crate::jobs::task;
use crate::notion::ids::NotionId;
use crate::notion::wire;
use crate::notion::{NotionClient, NotionError};

/// From this many listed tasks on, the query is cheaper than their pages.
const QUERY_FROM: usize = 3;

/// How far this machine's clock may be ahead of Notion's, in minutes.
const SKEW_MINUTES: i64 = 60;

/// Page reads in flight at once (the limiter sets the pace).
const READS_IN_FLIGHT: usize = 16;

/// Why the reading ended before every listed task was handled.
#[derive(Debug, Clone)]
pub(super) enum Halt {
    /// SIGINT/SIGTERM, the deadline, or a refusal every request would meet.
    Stopped(StopReason),
    /// A query failed (after its retries).
    Query(NotionError),
    /// Notion's paging went wrong, or its row cap was met.
    Paging(String),
}

/// What the reading needs.
pub(super) struct Find<'a> {
    pub(super) client: Arc<NotionClient>,
    pub(super) data_source_id: &'a str,
    pub(super) columns: &'a Columns,
    pub(super) plan: &'a Plan,
    pub(super) dry_run: bool,
    pub(super) stop: &'a Stop,
}

/// The reading under way.
struct Reading<'a> {
    find: Find<'a>,
    tasks: Vec<UndoTask>,
    /// Each listed task's index, by page ID.
    index: HashMap<String, usize>,
    writes: Writes,
}

impl Find<'_> {
    /// Handles every listed task: the tasks, and why the run stopped
    /// early, if it did.
    pub(super) async fn run(self, tasks: Vec<UndoTask>) -> (Vec<UndoTask>, Option<Halt>) {
        let index = tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let mut reading = Reading {
            writes: Writes::new(self.client.clone(), self.stop.clone()),
            find: self,
            tasks,
            index,
        };
        let mut halt = None;
        if reading.tasks.len() >= QUERY_FROM {
            halt = reading.query().await.err();
            if halt.is_none() {
                reading.write_checked().await;
            }
        }
        if halt.is_none() {
            reading.pages().await;
        }
        reading.finish_writes().await;
        let halt = halt.or_else(|| reading.find.stop.reason().map(Halt::Stopped));
        (reading.tasks, halt)
    }
}

impl Reading<'_> {
    /// Reads the tasks in a status the sweep set, edited since it began,
    /// until every listed task was seen or the budget (one query per
    /// hundred listed tasks, and one more) is spent.
    async fn query(&mut self) -> Result<(), Halt> {
        let (columns, plan) = (self.find.columns, self.find.plan);
        let key = columns.status_kind.key();
        let mut swept: Vec<&str> = self.tasks.iter().map(|t| t.swept_to.as_str()).collect();
        swept.sort_unstable();
        swept.dedup();
        let mut states: Vec<Value> = swept
            .iter()
            .map(|name| json!({ "property": columns.status.id, key: { "equals": name } }))
            .collect();
        let mut conditions = vec![if states.len() == 1 {
            states.remove(0)
        } else {
            json!({ "or": states })
        }];
        // Edited since the sweep began: Notion keeps edits to the minute,
        // and this machine's clock and Notion's may differ a little.
        let since = plan.swept_at.and_then(|at| {
            (at - TimeDelta::minutes(SKEW_MINUTES))
                .duration_trunc(TimeDelta::minutes(1))
                .ok()
        });
        if let Some(since) = since {
            let since = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            conditions.push(Stamp::Edited.condition("on_or_after", &since));
        }
        let mut paging = Paging::new(
            conditions,
            Stamp::Edited,
            Order::Oldest,
            vec![columns.title.id.clone(), columns.status.id.clone()],
        );
        let budget = self.tasks.len().div_ceil(100) + 1;
        let mut unseen = self.tasks.len();
        for _ in 0..budget {
            if let Some(reason) = self.find.stop.reason() {
                return Err(Halt::Stopped(reason));
            }
            let rows = match paging
                .next(&self.find.client, self.find.data_source_id)
                .await
            {
                Ok(Some(rows)) => rows,
                Ok(None) => break,
                Err(error) => return Err(self.failed(error)),
            };
            for raw in rows {
                let Row::Page(page) = read_row(raw) else {
                    continue;
                };
                let Some(&i) = self.index.get(&dashed(&page.id)) else {
                    continue;
                };
                if self.tasks[i].checked {
                    continue;
                }
                unseen -= 1;
                let status = task::status(&page, columns);
                self.read(i, status, page.url.unwrap_or_default());
            }
            if unseen == 0 || !paging.has_more() {
                break;
            }
        }
        // None seen with the time filter: rather than trust a clock that
        // may be far off, each task's page says.
        let clock_off = since.is_some() && unseen == self.tasks.len();
        if !paging.has_more() && !clock_off {
            // Read to its end: a task it did not give is not where the
            // sweep put it (or is in the trash).
            for task in self.tasks.iter_mut().filter(|t| !t.checked) {
                task.checked = true;
                task.outcome = UndoOutcome::Conflict;
            }
        }
        Ok(())
    }

    /// Why a query ended the reading.
    fn failed(&self, error: PagingError) -> Halt {
        match error {
            PagingError::Notion(error) => {
                if let Some(reason) = error.stop_reason() {
                    return Halt::Stopped(reason);
                }
                if error.is_unauthorized() {
                    self.find.stop.trigger(StopReason::TokenRefused);
                }
                tracing::error!("query failed: {error}");
                Halt::Query(error)
            }
            PagingError::Bad(why) => Halt::Paging(why),
            PagingError::RowCap(minute) => Halt::Paging(format!(
                "more rows than Notion returns for one query were edited in the minute of {minute}"
            )),
        }
    }

    /// Task `i` read again: its status now, and its link. Still where the
    /// sweep put it: to be moved back (or would be); else a conflict.
    fn read(&mut self, i: usize, status: Option<String>, url: String) {
        let task = &mut self.tasks[i];
        task.checked = true;
        task.url = url;
        task.outcome = if status.as_deref() != Some(task.swept_to.as_str()) {
            UndoOutcome::Conflict
        } else if self.find.dry_run {
            UndoOutcome::WouldUndo
        } else {
            UndoOutcome::Skipped
        };
        task.status = status;
    }

    /// Starts the write of every task read and found where the sweep put it.
    async fn write_checked(&mut self) {
        let ready: Vec<usize> = (0..self.tasks.len())
            .filter(|&i| self.tasks[i].checked && self.due(i))
            .collect();
        for i in ready {
            if self.find.stop.reason().is_some() {
                return;
            }
            self.write(i).await;
            self.collect_finished();
        }
    }

    /// Task `i` is to be written: read, where the sweep put it, and no dry run.
    fn due(&self, i: usize) -> bool {
        let task = &self.tasks[i];
        !self.find.dry_run
            && task.outcome == UndoOutcome::Skipped
            && task.status.as_deref() == Some(task.swept_to.as_str())
    }

    async fn write(&mut self, i: usize) {
        let columns = self.find.columns;
        let task = &self.tasks[i];
        let body =
            wire::status_update(&columns.status.id, columns.status_kind.key(), &task.back_to);
        let id = task.id.clone();
        self.writes.start(i, id, body, Write::Move, None).await;
    }

    /// Reads the page of every task not read yet, a few at once, and
    /// writes each found where the sweep put it as soon as it is read.
    async fn pages(&mut self) {
        let waiting: Vec<usize> = (0..self.tasks.len())
            .filter(|&i| !self.tasks[i].checked)
            .collect();
        let mut reads: JoinSet<(usize, Result<Value, NotionError>)> = JoinSet::new();
        for i in waiting {
            while reads.len() >= READS_IN_FLIGHT {
                self.next_read(&mut reads).await;
            }
            if self.find.stop.reason().is_some() {
                break;
            }
            let (client, id) = (self.find.client.clone(), self.tasks[i].id.clone());
            reads.spawn(async move { (i, client.page(&id).await) });
        }
        while !reads.is_empty() {
            self.next_read(&mut reads).await;
        }
    }

    /// Waits for the next page read and handles it.
    async fn next_read(&mut self, reads: &mut JoinSet<(usize, Result<Value, NotionError>)>) {
        let Some(joined) = reads.join_next().await else {
            return;
        };
        let Ok((i, answer)) = joined else {
            // A read only ends without a result if it panicked (a bug):
            // its task stays skipped.
            tracing::error!("a page read ended without a result");
            return;
        };
        match answer {
            Ok(raw) => self.page(i, raw),
            Err(error) => self.unread(i, error),
        }
        if self.due(i) && self.find.stop.reason().is_none() {
            self.write(i).await;
        }
        self.collect_finished();
    }

    /// A page as Notion gave it: in this data source and out of the trash,
    /// read as a row of a query is; anything else is a conflict.
    fn page(&mut self, i: usize, raw: Value) {
        let parent = raw
            .pointer("/parent/data_source_id")
            .and_then(Value::as_str)
            .map(dashed);
        if parent.is_some_and(|p| p != dashed(self.find.data_source_id)) {
            let task = &mut self.tasks[i];
            task.checked = true;
            task.outcome = UndoOutcome::Conflict;
            tracing::warn!(task = %task.id, "not a row of this data source: left alone");
            return;
        }
        match read_row(raw) {
            Row::Page(page) => {
                let status = task::status(&page, self.find.columns);
                self.read(i, status, page.url.unwrap_or_default());
            }
            // In the trash since: left alone.
            Row::Ignored | Row::Unreadable(..) => {
                let task = &mut self.tasks[i];
                task.checked = true;
                task.outcome = UndoOutcome::Conflict;
            }
        }
    }

    /// A page that could not be read.
    fn unread(&mut self, i: usize, error: NotionError) {
        if error.stop_reason().is_some() {
            // Not read before the run stopped: skipped.
            return;
        }
        let task = &mut self.tasks[i];
        task.checked = true;
        task.error = Some(TaskError::from(&error));
        if error.status() == Some(404) {
            // Deleted, or no longer shared: changed since, left alone.
            task.outcome = UndoOutcome::Conflict;
            return;
        }
        if error.is_unauthorized() {
            self.find.stop.trigger(StopReason::TokenRefused);
        }
        tracing::warn!(task = %task.id, "could not read '{}': {error}", escape_control(&task.title));
        task.outcome = UndoOutcome::Failed;
    }

    /// Records the writes that have ended, without waiting.
    fn collect_finished(&mut self) {
        while let Some(written) = self.writes.try_next() {
            self.record(written);
        }
    }

    /// Waits for every write on its way and records it.
    async fn finish_writes(&mut self) {
        while let Some(written) = self.writes.next().await {
            self.record(written);
        }
    }

    fn record(&mut self, written: Written) {
        let Some(task) = self.tasks.get_mut(written.index) else {
            return;
        };
        let (id, title, back) = (task.id.clone(), task.title.clone(), task.back_to.clone());
        (task.outcome, task.error) = match self.writes.landed(written, &id, &title, &back) {
            Landed::Done => (UndoOutcome::Undone, None),
            Landed::NotSent => (UndoOutcome::Skipped, None),
            Landed::Unknown(error) => (UndoOutcome::Unknown, Some(error)),
            Landed::Failed(error) => (UndoOutcome::Failed, Some(error)),
        };
    }
}

/// An ID in its dashed lower-case form (as given when it is none).
fn dashed(id: &str) -> String {
    NotionId::parse(id).map_or_else(|| id.to_string(), |id| id.to_string())
}
