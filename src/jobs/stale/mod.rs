//! `stale`: the tasks that sit in one of `--status` and that nobody has
//! edited for `--idle` days, asked of Notion with its `last_edited_time`
//! filter; with `--move-to`, moved there under the same rules, limiter and
//! lock as a sweep (`pages`). What it found is a [`Run`] of [`Stale`]
//! (`found`).

mod found;
mod pages;

use chrono::{Duration, SubsecRound, Utc};

use super::board::Board;
use super::resolve::notion_setup_message;
use super::run::{self, Run};
use super::summary::{RunError, RunErrorKind};
use super::sweep::{locked_kind, stopped};
use crate::guards::lock;
use crate::guards::stop::Stop;
use crate::notion::NotionError;
#[cfg(test)]
pub(crate) use found::example;
pub(crate) use found::{Stale, StaleOutcome, StaleTask};
use pages::{Find, Halt};

/// The stale check of one board. Never fails as a whole: what went wrong
/// is in the run, run-level and task by task.
pub(crate) async fn stale(board: &Board, stop: &Stop) -> Run<Stale> {
    let rule = &board.stale;
    // To the second, as the filter sends it.
    let now = Utc::now().trunc_subsecs(0);
    let mut run = Run::new(
        board,
        Stale {
            statuses: rule.statuses.clone(),
            idle_days: rule.idle_days,
            edited_before: now - Duration::days(rule.idle_days.into()),
            move_to: rule.move_to.clone(),
            matched: 0,
            moved: 0,
            failed: 0,
            tasks: Vec::new(),
            now,
        },
    );
    let wanted: Vec<(&str, &str)> = rule
        .statuses
        .iter()
        .map(|s| (s.as_str(), "status"))
        .chain(rule.move_to.iter().map(|s| (s.as_str(), "move_to")))
        .collect();
    let Some(opened) = run::open(&mut run, board, stop, "the stale check", &wanted).await else {
        return run;
    };
    let client = opened.client.clone();
    // Only a run that moves tasks writes, and takes the lock a sweep takes.
    let writes = &board.writes;
    let moves = rule.move_to.is_some() && !writes.dry_run;
    let _lock = match writes.lock_wait.filter(|_| moves) {
        None => None,
        Some(wait) => match lock::acquire(&opened.data_source_id, wait, stop).await {
            Ok(lock) => Some(lock),
            Err(error) => {
                run.error = Some(RunError::new(locked_kind(&error), error.to_string(), None));
                run.requests = client.counts();
                return run;
            }
        },
    };
    run.started = true;
    let find = Find {
        client: client.clone(),
        data_source_id: &opened.data_source_id,
        columns: &opened.columns,
        rule,
        found: &run.found,
        dry_run: writes.dry_run,
        stop,
    };
    let (tasks, halt) = find.run().await;
    finish(&mut run.found, tasks);
    let moved = run.found.moved;
    run.error = halt.map(|halt| halted(halt, moved, client.token_source()));
    run.requests = client.counts();
    run
}

/// Fills in the tasks and the counts.
fn finish(found: &mut Stale, tasks: Vec<StaleTask>) {
    found.tasks = tasks;
    found.matched = found.tasks.len();
    found.moved = found.count(StaleOutcome::Moved);
    found.failed = found.count(StaleOutcome::Failed);
}

/// The run's error: a refusal before any task moved is a setup error
/// (nothing was written, exit 3).
fn halted(halt: Halt, moved: usize, token: &str) -> RunError {
    let setup_if = |kind: RunErrorKind, refusal: bool| {
        if refusal && moved == 0 {
            RunErrorKind::Setup
        } else {
            kind
        }
    };
    match halt {
        Halt::Stopped(reason) => stopped(reason, token, setup_if),
        Halt::Query(error) => RunError::new(
            setup_if(RunErrorKind::QueryFailed, error.is_refusal()),
            notion_setup_message("could not read the stale tasks", &error, token),
            Some(&error),
        ),
        Halt::Paging(why) => RunError::new(RunErrorKind::QueryFailed, why, None::<&NotionError>),
        Halt::RowCap(minute) => RunError::new(
            RunErrorKind::RowCap,
            format!(
                "more rows than Notion returns for one query were last edited in the minute of \
                 {minute}; the rest were not read"
            ),
            None,
        ),
    }
}
