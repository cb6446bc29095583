//! Reading the stale tasks page by page, oldest edit first, and with
//! `--move-to` moving each as it is read: a task is written at most one
//! page of results after it was read. A moved task leaves the results (its
//! status changed, and its edit is now fresh), so after a page whose writes
//! succeeded the query starts again from the beginning; rows already
//! handled (failed, listed) are passed over by id.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{json, Value};

use super::found::{Stale, StaleOutcome, StaleTask};
use crate::guards::scrub::escape_control;
use crate::guards::stop::{Stop, StopReason};
use crate::jobs::board::StaleRule;
use crate::jobs::paging::{Order, Paging, PagingError, Stamp};
use crate::jobs::rule::Columns;
use crate::jobs::summary::{OurCode, TaskError, TaskErrorCode};
use crate::jobs::sweep::rows::{read_row, Row};
use crate::jobs::sweep::writes::{Landed, Write, Writes, Written};
use crate::jobs::task::{self, Task};
use crate::notion::wire;
use crate::notion::{NotionClient, NotionError};

/// Why the reading ended before every stale task was seen.
#[derive(Debug, Clone)]
pub(super) enum Halt {
    /// SIGINT/SIGTERM, the deadline, or a refusal every write would meet.
    Stopped(StopReason),
    /// A query failed (after its retries).
    Query(NotionError),
    /// Notion's paging went wrong.
    Paging(String),
    /// Too many rows share one minute of last edit to page past Notion's row cap.
    RowCap(String),
}

/// What the reading needs.
pub(super) struct Find<'a> {
    pub(super) client: Arc<NotionClient>,
    pub(super) data_source_id: &'a str,
    pub(super) columns: &'a Columns,
    pub(super) rule: &'a StaleRule,
    /// What is known before reading: when, and the instant edits must be before.
    pub(super) found: &'a Stale,
    pub(super) dry_run: bool,
    pub(super) stop: &'a Stop,
}

/// The reading under way.
struct Reading<'a> {
    find: Find<'a>,
    paging: Paging,
    writes: Writes,
    /// The write that moves a task, with `--move-to`.
    update: Option<Value>,
    tasks: Vec<StaleTask>,
    /// Rows already handled, by page id.
    seen: HashSet<String>,
}

impl<'a> Find<'a> {
    /// Reads every stale task (moving each with `--move-to`): the tasks,
    /// and why the reading stopped early, if it did.
    pub(super) async fn run(self) -> (Vec<StaleTask>, Option<Halt>) {
        let columns = self.columns;
        let mut conditions = vec![status_is_one_of(columns, &self.rule.statuses)];
        let before = self
            .found
            .edited_before
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        conditions.push(Stamp::Edited.condition("before", &before));
        let update = self
            .rule
            .move_to
            .as_ref()
            .map(|to| wire::status_update(&columns.status.id, columns.status_kind.key(), to));
        let mut reading = Reading {
            paging: Paging::new(conditions, Stamp::Edited, Order::Oldest, columns.listed()),
            writes: Writes::new(self.client.clone(), self.stop.clone()),
            update,
            tasks: Vec::new(),
            seen: HashSet::new(),
            find: self,
        };
        let halt = reading.pages().await.err();
        reading.finish_writes().await;
        // A stop pulled by the last writes (a 401, a 403) also ends the run early.
        let halt = halt.or_else(|| reading.find.stop.reason().map(Halt::Stopped));
        (reading.tasks, halt)
    }
}

/// The status is one of `names`.
fn status_is_one_of(columns: &Columns, names: &[String]) -> Value {
    let key = columns.status_kind.key();
    let mut states: Vec<Value> = names
        .iter()
        .map(|name| json!({ "property": columns.status.id, key: { "equals": name } }))
        .collect();
    if states.len() == 1 {
        states.remove(0)
    } else {
        json!({ "or": states })
    }
}

impl Reading<'_> {
    /// Reads every page; after a page whose writes moved tasks, starts again.
    async fn pages(&mut self) -> Result<(), Halt> {
        loop {
            if let Some(reason) = self.find.stop.reason() {
                return Err(Halt::Stopped(reason));
            }
            let succeeded = self.writes.succeeded;
            let rows = match self
                .paging
                .next(&self.find.client, self.find.data_source_id)
                .await
            {
                Ok(Some(rows)) => rows,
                Ok(None) => return Ok(()),
                Err(error) => return Err(self.failed(error)),
            };
            for raw in rows {
                self.handle(raw).await;
            }
            self.collect_finished();
            if self.paging.has_more() && !self.writes.is_empty() {
                // Writes move rows out of the results under the cursor: let
                // them land, and start again if one did.
                self.finish_writes().await;
            }
            if self.paging.has_more() && self.writes.succeeded > succeeded {
                self.paging.restart();
            }
        }
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
            PagingError::RowCap(minute) => Halt::RowCap(minute),
        }
    }

    /// One row: listed when stale, and moved with `--move-to`.
    async fn handle(&mut self, raw: Value) {
        let page = match read_row(raw) {
            Row::Page(page) => page,
            Row::Ignored => return,
            Row::Unreadable(id, why) => return self.unreadable(id, why),
        };
        if !self.seen.insert(page.id.clone()) {
            return;
        }
        let task = match task::read(&page, self.find.columns) {
            Ok(task) => task,
            Err(why) => return self.unreadable(page.id.clone(), why),
        };
        let idle = task.idle_days(self.find.found.now);
        // The exact rule, whatever Notion's filter let through.
        if idle.is_none_or(|days| days < i64::from(self.find.rule.idle_days)) {
            return;
        }
        let mut stale = StaleTask {
            task,
            idle_days: idle,
            outcome: StaleOutcome::Stale,
            error: None,
        };
        let Some(update) = self.update.clone() else {
            self.tasks.push(stale);
            return;
        };
        if self.find.dry_run {
            stale.outcome = StaleOutcome::WouldMove;
            self.tasks.push(stale);
            return;
        }
        // Skipped until its write lands (or if the run stops before it is sent).
        stale.outcome = StaleOutcome::Skipped;
        let index = self.tasks.len();
        let id = stale.task.id.clone();
        self.tasks.push(stale);
        if self.find.stop.reason().is_none() {
            self.writes
                .start(index, id, update, Write::Move, None)
                .await;
        }
        self.collect_finished();
    }

    /// A row of the results that could not be read: that task failed.
    fn unreadable(&mut self, id: String, why: String) {
        if !self.seen.insert(id.clone()) {
            return;
        }
        tracing::warn!(task = %id, "could not read a task the filter returned: {}", escape_control(&why));
        self.tasks.push(StaleTask {
            task: Task::unreadable(id),
            idle_days: None,
            outcome: StaleOutcome::Failed,
            error: Some(TaskError {
                status: None,
                code: TaskErrorCode::Ours(OurCode::UnreadableTask),
                message: why,
                request_id: None,
            }),
        });
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
        let to = self.find.rule.move_to.as_deref().unwrap_or_default();
        let Some(stale) = self.tasks.get_mut(written.index) else {
            return;
        };
        let task = &stale.task;
        (stale.outcome, stale.error) = match self.writes.landed(written, &task.id, &task.title, to)
        {
            Landed::Done => (StaleOutcome::Moved, None),
            Landed::NotSent => (StaleOutcome::Skipped, None),
            Landed::Unknown(error) => (StaleOutcome::Unknown, Some(error)),
            Landed::Failed(error) => (StaleOutcome::Failed, Some(error)),
        };
    }
}
