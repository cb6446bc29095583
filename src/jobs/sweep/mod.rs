//! The sweep of one board, from its settings to its [`Summary`]: resolve
//! the data source, check the schema, take the lock, then read pages of
//! overdue tasks and move each (`pages`, `writes`, `rows`). Posting the
//! summary is the output's job, not this one's. `stale --move-to` writes
//! with the same `writes`, reads rows with `rows`, and says why a run
//! stopped as a sweep says it.

mod pages;
pub(crate) mod rows;
pub(crate) mod writes;

use std::sync::Arc;
use std::time::Instant;

use super::board::{Board, Writes};
use super::resolve::{self, notion_setup_message, SetupError};
use super::summary::{
    CommentCounts, Notification, NotificationStatus, Outcome, RunError, RunErrorKind, Summary,
};
use crate::guards::lock::{self, LockError};
use crate::guards::scrub::escape_control;
use crate::guards::stop::{Stop, StopReason};
use crate::notion::{NotionClient, NotionError};
use pages::{Halt, SweepOutcome};

/// Where a sweep stands, as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Overdue tasks found so far.
    pub(crate) found: usize,
    /// Updated, or would be in a dry run.
    pub(crate) updated: usize,
    pub(crate) failed: usize,
    /// Every page of results has been read: `found` is the total.
    pub(crate) all_found: bool,
}

/// Told where a sweep stands as it goes (the output shows it as progress).
pub(crate) trait Watcher: Send + Sync {
    /// The counts changed.
    fn update(&self, counts: Counts);
    /// The sweep is over.
    fn finish(&self);
}

/// The whole sweep of one board. Never fails as a whole: what went wrong is
/// in the summary, run-level and task by task.
pub(crate) async fn sweep(board: &Board, stop: &Stop, watcher: &dyn Watcher) -> Summary {
    let started = Instant::now();
    let mut summary = empty_summary(board);
    let client = match NotionClient::new(board.client.clone(), stop.clone()) {
        Ok(client) => Arc::new(client),
        Err(error) => {
            summary.error = Some(RunError::new(
                RunErrorKind::Internal,
                error.to_string(),
                None,
            ));
            return summary;
        }
    };
    let (resolved, plan) = match resolve::prepare(&client, &board.source, &board.rule).await {
        Ok(ready) => ready,
        Err(error) => {
            summary.error = Some(setup_failed(&error, client.token_source()));
            summary.requests = client.counts();
            summary.elapsed_ms = started.elapsed().as_millis() as u64;
            return summary;
        }
    };
    summary.database_id = resolved.database_id.clone();
    summary.data_source_id = Some(resolved.data_source_id.clone());
    summary.title = resolved.name.clone();
    // Two sweeps writing one data source never run at once; a dry run writes nothing.
    let writes = &board.writes;
    let _lock = match writes.lock_wait.filter(|_| !writes.dry_run) {
        None => None,
        Some(wait) => match lock::acquire(&resolved.data_source_id, wait, stop).await {
            Ok(lock) => Some(lock),
            Err(error) => {
                summary.error = Some(RunError::new(locked_kind(&error), error.to_string(), None));
                summary.requests = client.counts();
                summary.elapsed_ms = started.elapsed().as_millis() as u64;
                return summary;
            }
        },
    };
    summary.started = true;
    tracing::info!(
        "sweeping '{}' ({}): '{}' in {:?} due before {} becomes '{}'",
        escape_control(&resolved.name),
        resolved.data_source_id,
        escape_control(&plan.status.name),
        plan.from,
        board.rule.as_of,
        escape_control(&plan.to)
    );
    let outcome = pages::sweep(
        client.clone(),
        &resolved.data_source_id,
        &plan,
        board,
        stop,
        watcher,
    )
    .await;
    finish(&mut summary, outcome, client.token_source(), &board.writes);
    summary.requests = client.counts();
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    summary
}

/// Another run holds the lock: exit 6; a signal while waiting: exit 4; a
/// lock that cannot be used here (its directory, a link at its path):
/// nothing was written, exit 3; an id that cannot be a file name: a bug.
pub(crate) fn locked_kind(error: &LockError) -> RunErrorKind {
    match error {
        LockError::Held { .. } => RunErrorKind::Locked,
        LockError::Interrupted { .. } => RunErrorKind::Interrupted,
        LockError::Io { .. } | LockError::UnsafeDir { .. } | LockError::NotAFile { .. } => {
            RunErrorKind::Setup
        }
        LockError::BadId { .. } => RunErrorKind::Internal,
    }
}

/// The summary before anything was read.
fn empty_summary(board: &Board) -> Summary {
    let rule = &board.rule;
    Summary {
        board: board.name.clone(),
        title: board.label(),
        database_id: board.source.database.as_ref().map(|d| d.to_string()),
        data_source_id: None,
        as_of: rule.as_of,
        dry_run: board.writes.dry_run,
        started_at: chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0),
        from: rule.from.clone(),
        to: rule.to.clone(),
        status_property: rule.status_property.clone(),
        restore_to: rule.restore_to.clone(),
        matched: 0,
        updated: 0,
        restored: 0,
        due_soon: 0,
        failed: 0,
        tasks: Vec::new(),
        comments: board.writes.comment.then(CommentCounts::default),
        notification: Notification::of(NotificationStatus::Skipped),
        notifications: Vec::new(),
        requests: Default::default(),
        elapsed_ms: 0,
        error: None,
        started: false,
        limit: board.writes.limit,
        limit_reached: false,
    }
}

/// Why a run stopped in setup: refused (exit 3), or Notion out of reach (4).
pub(crate) fn setup_failed(error: &SetupError, token: &str) -> RunError {
    if let Some(reason) = error.notion().and_then(NotionError::stop_reason) {
        // Nothing was written yet: a refusal is a setup error (exit 3).
        return stopped(reason, token, |kind, refusal| {
            if refusal {
                RunErrorKind::Setup
            } else {
                kind
            }
        });
    }
    let kind = if error.is_refusal() {
        RunErrorKind::Setup
    } else {
        RunErrorKind::QueryFailed
    };
    RunError::new(kind, error.to_string(), error.notion())
}

/// Fills in the tasks, the counts and the run-level error.
fn finish(summary: &mut Summary, outcome: SweepOutcome, token: &str, writes: &Writes) {
    let (dry_run, given_by) = (writes.dry_run, &writes.max_changes_given_by);
    summary.tasks = outcome.tasks;
    if summary.comments.is_some() {
        summary.comments = Some(outcome.comments);
    }
    summary.due_soon = summary.count(Outcome::DueSoon);
    summary.matched = summary.tasks.len() - summary.due_soon;
    summary.updated = summary.count(Outcome::Updated);
    summary.restored = summary.count(Outcome::Restored);
    summary.failed = summary.count(Outcome::Failed);
    summary.limit_reached = outcome.limit_reached;
    // A refusal before the first successful write is a setup error (exit 3).
    let nothing_written = summary.updated + summary.restored == 0;
    let setup_if = |kind: RunErrorKind, refusal: bool| {
        if refusal && nothing_written {
            RunErrorKind::Setup
        } else {
            kind
        }
    };
    summary.error = outcome.halt.map(|halt| match halt {
        Halt::Stopped(reason) => stopped(reason, token, setup_if),
        Halt::QueryFailed(error) => RunError::new(
            setup_if(RunErrorKind::QueryFailed, error.is_refusal()),
            notion_setup_message("could not read the overdue tasks", &error, token),
            Some(&error),
        ),
        Halt::RowCap(day) => RunError::new(
            RunErrorKind::RowCap,
            format!(
                "more rows than Notion returns for one query share due date {day} and cannot be moved; \
                 the rest were not read"
            ),
            None,
        ),
        Halt::BadPaging(why) => RunError::new(RunErrorKind::QueryFailed, why, None::<&NotionError>),
        Halt::TooManyChanges { counted, max } => RunError::new(
            RunErrorKind::Setup,
            if dry_run {
                format!(
                    "a real run would stop: it would change {counted} tasks, more than the {max} \
                     that {given_by} allows; nothing would be written nor posted"
                )
            } else {
                format!(
                    "this run would change {counted} tasks, more than the {max} that {given_by} \
                     allows: nothing was written nor posted; check the settings (a wrong --as-of, \
                     a renamed status?), or raise {given_by}"
                )
            },
            None,
        ),
    });
}

/// Why a run stopped early, as its error says it; `setup_if` turns a
/// refusal before the first write into a setup error.
pub(crate) fn stopped(
    reason: StopReason,
    token: &str,
    setup_if: impl Fn(RunErrorKind, bool) -> RunErrorKind,
) -> RunError {
    let (kind, message) = match reason {
        StopReason::Interrupted => (
            RunErrorKind::Interrupted,
            "interrupted (SIGINT/SIGTERM) before every task was handled".to_string(),
        ),
        StopReason::TokenRefused => (
            setup_if(RunErrorKind::TokenRefused, true),
            format!("Notion refused the token (401); check that {token} holds the integration's current secret"),
        ),
        StopReason::CapabilityMissing => (
            setup_if(RunErrorKind::CapabilityMissing, true),
            "Notion refused a write for a missing capability (403 restricted_resource); \
             enable Update content in the integration's settings at notion.so/my-integrations".into(),
        ),
        StopReason::Blocked => (
            setup_if(RunErrorKind::Blocked, true),
            "Notion blocked this integration's requests (429 public_api_request_blocked) and nothing \
             more was sent; Notion advises contacting its support (notion.so/help) to lift the block".into(),
        ),
        StopReason::DeadlineReached { secs } => (
            RunErrorKind::DeadlineReached,
            format!(
                "the --deadline of {secs}s passed before every task was handled; \
                 run again to finish, or raise --deadline"
            ),
        ),
    };
    RunError::new(kind, message, None)
}
