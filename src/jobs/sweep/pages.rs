//! The sweep: find overdue tasks page by page and move each to the late
//! state (listing the ones due soon); then, with `--restore`, find tasks in
//! the late state whose due date moved on, and move each back.
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

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use tokio::task::JoinHandle;

use super::rows::{property, read_row, read_task, Row};
use super::writes::{Write, Writes};
use super::{Counts, Watcher};
use crate::guards::scrub::escape_control;
use crate::guards::stop::{Stop, StopReason};
use crate::jobs::board::Board;
use crate::jobs::rule::{utc_day, Action, Calendar, Pass, Plan};
use crate::jobs::summary::{CommentCounts, Outcome, TaskResult};
use crate::notion::limiter::UNANSWERED;
use crate::notion::wire::{self, QueryBody, QueryPage, RequestStatusKind};
use crate::notion::{NotionClient, NotionError};

/// Rows per query page: Notion's maximum.
const PAGE_SIZE: u32 = 100;

/// Rows left on a page when its restart query is sent, after a query that
/// Notion answered in `answer_time`: enough writes to keep the limiter busy
/// while Notion answers the restart (twice the rows the rate allows in that
/// time, and one more), but never more than can be on their way beside it
/// ([`UNANSWERED`] requests in all). A row still unwritten when Notion reads
/// the restart query comes back in its answer, still overdue, and is passed
/// over: every row left costs a row of the next page, and a query sooner.
/// Rows beyond what can be on their way gain nothing for it when answers are
/// slow, since they wait for a place anyway: at 500/s with 30 ms answers,
/// twice the rate's worth was a third of every page and a third more queries.
fn restart_depth(rate: f64, answer_time: Duration) -> usize {
    ((rate * answer_time.as_secs_f64() * 2.0).ceil() as usize)
        .saturating_add(1)
        .min(PAGE_SIZE as usize / 2)
        .min(UNANSWERED)
}

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
    /// `--max-changes`: the run would write more tasks than it may.
    TooManyChanges { counted: usize, max: usize },
}

/// Everything a sweep did.
#[derive(Debug, Clone, Default)]
pub(crate) struct SweepOutcome {
    pub(crate) tasks: Vec<TaskResult>,
    /// The comments `--comment` added and failed.
    pub(crate) comments: CommentCounts,
    pub(crate) halt: Option<Halt>,
    pub(crate) limit_reached: bool,
}

type PendingQuery = JoinHandle<Result<(QueryPage, Duration), NotionError>>;

/// Finds and moves overdue tasks. Never fails as a whole: what went wrong is
/// in the outcome, task by task, and in `halt`.
pub(super) async fn sweep(
    client: Arc<NotionClient>,
    data_source_id: &str,
    plan: &Plan,
    board: &Board,
    stop: &Stop,
    watcher: &dyn Watcher,
) -> SweepOutcome {
    let mut run = Run {
        client: client.clone(),
        data_source_id,
        plan,
        calendar: board.rule.calendar(),
        dry_run: board.writes.dry_run,
        comment: board.writes.comment,
        counting: None,
        limit: board.writes.limit,
        stop,
        watcher,
        outcome: SweepOutcome::default(),
        writes: Writes::new(client, stop.clone()),
        dispatched: 0,
        seen: HashSet::new(),
        counts: Counts::default(),
    };
    let mut passes = vec![Pass::Overdue];
    if plan.restore_to.is_some() {
        passes.push(Pass::Restore);
    }
    let mut halt = match board.writes.max_changes {
        Some(max) => run.count(&passes, max).await.err(),
        None => None,
    };
    // A dry run goes on to show what the stopped run would have done.
    let stopped = halt.is_some() && !run.dry_run;
    for pass in passes.iter().copied().filter(|_| !stopped) {
        let halted = run.pages(pass).await.err();
        if halted.is_some() {
            halt = halted;
        }
        if halt.is_some() && !matches!(halt, Some(Halt::TooManyChanges { .. }))
            || run.outcome.limit_reached
        {
            break;
        }
    }
    run.finish_writes().await;
    run.outcome.comments = run.writes.comment_counts();
    // A stop pulled by the last writes (a 401, a 403) also ends the run early.
    run.outcome.halt = halt.or_else(|| stop.reason().map(Halt::Stopped));
    watcher.finish();
    run.outcome
}

/// One sweep under way.
struct Run<'a> {
    client: Arc<NotionClient>,
    data_source_id: &'a str,
    plan: &'a Plan,
    calendar: Calendar,
    dry_run: bool,
    /// `--comment`: a comment on each task written.
    comment: bool,
    /// Counting the writes a run would make (`--max-changes`), not making them.
    counting: Option<usize>,
    limit: Option<usize>,
    stop: &'a Stop,
    watcher: &'a dyn Watcher,
    outcome: SweepOutcome,
    writes: Writes,
    /// Tasks written or counted against `--limit`.
    dispatched: usize,
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
    /// [`Writes::succeeded`] when the chain began from the beginning.
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

impl Run<'_> {
    /// The query of `pass`, sent as a task of its own.
    fn query(&self, pass: Pass, cursor: Option<String>, floor: Option<NaiveDate>) -> PendingQuery {
        let body = QueryBody {
            filter: self.plan.filter(&self.calendar, pass, floor),
            sorts: self.plan.sorts(),
            start_cursor: cursor,
            page_size: PAGE_SIZE,
        };
        let properties = self.plan.properties();
        let (client, id) = (self.client.clone(), self.data_source_id.to_string());
        tokio::spawn(async move { client.query(&id, &body, &properties).await })
    }

    /// Counts the writes `passes` would make (within `--limit`), reading
    /// their pages without writing: one query per hundred tasks. More than
    /// `max` halts the run before its first write.
    async fn count(&mut self, passes: &[Pass], max: usize) -> Result<(), Halt> {
        self.counting = Some(0);
        for pass in passes {
            self.pages(*pass).await?;
        }
        let counted = self.counting.take().unwrap_or(0);
        let counted = self.limit.map_or(counted, |limit| counted.min(limit));
        // What counting read is read again by the run itself.
        self.seen.clear();
        self.counts = Counts::default();
        if counted > max {
            return Err(Halt::TooManyChanges { counted, max });
        }
        Ok(())
    }

    /// Reads the pages of `pass` until no task is left, the limit is
    /// reached, or the run halts.
    async fn pages(&mut self, pass: Pass) -> Result<(), Halt> {
        let mut chain = Chain::default();
        // A restart query sent while the last writes of a page still wait
        // for their turn, so that the limiter never idles while it is answered.
        let mut prefetched: Option<PendingQuery> = None;
        loop {
            if let Some(reason) = self.stop.reason() {
                return Err(Halt::Stopped(reason));
            }
            if chain.cursor.is_none() {
                chain.succeeded_at_start = self.writes.succeeded;
                chain.cursors.clear();
            }
            let pending = match prefetched.take() {
                Some(pending) if chain.cursor.is_none() => pending,
                other => {
                    if let Some(stale) = other {
                        stale.abort();
                    }
                    self.query(pass, chain.cursor.take(), chain.floor)
                }
            };
            let (page, answer_time) = self.answer(pending).await?;
            // The last page needs no restart: every row has been read.
            let depth = if page.has_more {
                restart_depth(self.client.rate(), answer_time)
            } else {
                0
            };
            let read = self
                .read_page(pass, page.results, depth, &mut chain, &mut prefetched)
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
                        .is_none_or(|s| s.kind != RequestStatusKind::Incomplete)
                    {
                        self.counts.all_found = true;
                        self.watcher.update(self.counts);
                        return Ok(());
                    }
                    self.past_row_cap(&read, &mut chain)?;
                }
            }
        }
    }

    /// The answer of a query, or why the sweep halts.
    async fn answer(&mut self, pending: PendingQuery) -> Result<(QueryPage, Duration), Halt> {
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
        pass: Pass,
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
        for (index, raw) in results.into_iter().enumerate() {
            if read.wrote
                && prefetched.is_none()
                && rows - index <= depth
                && self.writes.succeeded > chain.succeeded_at_start
            {
                *prefetched = Some(self.query(pass, None, chain.floor));
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
            let read_task = match read_task(self.plan, &self.calendar, &row) {
                Ok(read_task) => read_task,
                Err(why) => {
                    self.record_unreadable(row.id.clone(), why);
                    continue;
                }
            };
            let due = read_task.task.due.unwrap_or(self.calendar.as_of);
            let action = self.plan.action(
                &self.calendar,
                pass,
                due,
                read_task.snoozed,
                read_task.exempt,
            );
            if let Some(counted) = self.counting.as_mut() {
                *counted += usize::from(matches!(action, Action::Move | Action::Restore));
                continue;
            }
            match action {
                Action::Move => read.wrote |= self.handle(read_task.task, Write::Move).await,
                Action::Restore => read.wrote |= self.handle(read_task.task, Write::Restore).await,
                Action::DueSoon => {
                    let mut task = read_task.task;
                    task.outcome = Outcome::DueSoon;
                    self.outcome.tasks.push(task);
                }
                Action::Leave => {}
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
        if read.wrote || !self.writes.is_empty() || self.writes.succeeded > chain.succeeded_at_start
        {
            // Writes may move rows under the cursor: let them land first
            // unless one already has.
            if self.writes.succeeded == chain.succeeded_at_start {
                self.finish_writes().await;
            }
            if self.writes.succeeded > chain.succeeded_at_start {
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
            _ => Err(Halt::RowCap(read.last_day.unwrap_or(self.calendar.as_of))),
        }
    }

    /// Counts a task found (`found`) and an outcome reached, and shows it.
    fn tally(&mut self, found: bool, outcome: Outcome) {
        self.counts.found += usize::from(found);
        match outcome {
            Outcome::Updated | Outcome::WouldUpdate | Outcome::Restored | Outcome::WouldRestore => {
                self.counts.updated += 1
            }
            Outcome::Failed => self.counts.failed += 1,
            Outcome::Skipped | Outcome::Unknown | Outcome::DueSoon => {}
        }
        self.watcher.update(self.counts);
    }

    /// Decides one task to write; returns true if a write was started.
    async fn handle(&mut self, mut result: TaskResult, write: Write) -> bool {
        result.restore = write == Write::Restore;
        let index = self.outcome.tasks.len();
        let over_limit = self.limit.is_some_and(|limit| self.dispatched >= limit);
        if over_limit {
            self.outcome.limit_reached = true;
        } else if self.stop.reason().is_some() {
            // Not reached before the run stopped: stays Skipped.
        } else if self.dry_run {
            result.outcome = write.would();
            self.dispatched += 1;
        } else {
            let body = wire::status_update(
                &self.plan.status.id,
                self.plan.status_kind.key(),
                self.target(write),
            );
            let comment = self.comment.then(|| self.comment_text(&result, write));
            let started = self
                .writes
                .start(index, result.id.clone(), body, write, comment)
                .await;
            self.dispatched += usize::from(started);
            self.tally(true, result.outcome);
            self.outcome.tasks.push(result);
            self.collect_finished();
            return started;
        }
        self.tally(true, result.outcome);
        self.outcome.tasks.push(result);
        false
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

    fn record(&mut self, written: super::writes::Written) {
        let to = self.target(written.write).to_string();
        let Some(task) = self.outcome.tasks.get_mut(written.index) else {
            return;
        };
        self.writes.record(written, task, &to);
        let outcome = task.outcome;
        self.tally(false, outcome);
    }

    /// What `--comment` says on a task's page once it is written.
    fn comment_text(&self, task: &TaskResult, write: Write) -> String {
        let from = task.status.as_deref().unwrap_or("?");
        let to = self.target(write);
        let due = task.due.map_or("-".into(), |d| d.to_string());
        match write {
            Write::Move => {
                let days = task.due.map_or(0, |d| (self.calendar.as_of - d).num_days());
                format!(
                    "notion-sweep moved this task from '{from}' to '{to}': it was due {due}, \
                     {days} {} before {}.",
                    if days == 1 { "day" } else { "days" },
                    self.calendar.as_of
                )
            }
            Write::Restore => format!(
                "notion-sweep moved this task back from '{from}' to '{to}': its due date moved \
                 on to {due}."
            ),
        }
    }

    /// The status a write sets.
    fn target(&self, write: Write) -> &str {
        match write {
            Write::Move => &self.plan.to,
            Write::Restore => self.plan.restore_to.as_deref().unwrap_or(&self.plan.to),
        }
    }

    fn record_unreadable(&mut self, id: String, why: String) {
        tracing::warn!(task = %id, "could not read a task the filter returned: {}", escape_control(&why));
        self.tally(true, Outcome::Failed);
        self.outcome.tasks.push(TaskResult::unreadable(id, why));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restart_leaves_the_rate_twice_over_and_never_more_than_can_be_on_their_way() {
        let ms = Duration::from_millis;
        // Notion's 3/s with 700 ms answers: 4.2 rows, and one more.
        assert_eq!(restart_depth(3.0, ms(700)), 6);
        // 30/s with 65 ms answers.
        assert_eq!(restart_depth(30.0, ms(65)), 5);
        // 500/s with 30 ms answers: 31 rows by the rate, 8 can be on their way.
        assert_eq!(restart_depth(500.0, ms(30)), UNANSWERED);
        assert_eq!(restart_depth(3.0, Duration::ZERO), 1);
    }
}
