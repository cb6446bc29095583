//! `undo`: moves back the tasks an earlier sweep moved, as its JSON
//! document lists them ([`Plan`]), each only while its status is still the
//! one the sweep set; anything else is a conflict, left alone. Under the
//! same limiter, retries and lock as a sweep. What it found is a [`Run`]
//! of [`Undo`] (`found`); how it reads and writes, `pages`.

mod found;
mod pages;

use chrono::{SubsecRound, Utc};

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
pub(crate) use found::{Listed, Plan, Undo, UndoOutcome, UndoTask};
use pages::{Find, Halt};

/// The undo of one board of a sweep's document. Never fails as a whole:
/// what went wrong is in the run, run-level and task by task.
pub(crate) async fn undo(board: &Board, plan: &Plan, stop: &Stop) -> Run<Undo> {
    let mut run = Run::new(board, Undo::new(plan, Utc::now().trunc_subsecs(0)));
    if plan.tasks.is_empty() {
        // Nothing moved, nothing to read.
        return run;
    }
    let mut wanted: Vec<(&str, &str)> = vec![(plan.to.as_str(), "to")];
    wanted.extend(plan.restore_to.iter().map(|r| (r.as_str(), "restore_to")));
    for listed in &plan.tasks {
        if !wanted.iter().any(|(name, _)| *name == listed.back_to) {
            wanted.push((listed.back_to.as_str(), "status"));
        }
    }
    let Some(opened) = run::open(&mut run, board, stop, "the undo", &wanted).await else {
        return run;
    };
    let client = opened.client.clone();
    let writes = &board.writes;
    let _lock = match writes.lock_wait.filter(|_| !writes.dry_run) {
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
        plan,
        dry_run: writes.dry_run,
        stop,
    };
    let tasks = std::mem::take(&mut run.found.tasks);
    let (tasks, halt) = find.run(tasks).await;
    run.found.tasks = tasks;
    run.found.tally();
    let undone = run.found.undone;
    run.error = halt.map(|halt| halted(halt, undone, client.token_source()));
    run.requests = client.counts();
    run
}

/// The run's error: a refusal before any task moved back is a setup error
/// (nothing was written, exit 3).
fn halted(halt: Halt, undone: usize, token: &str) -> RunError {
    let setup_if = |kind: RunErrorKind, refusal: bool| {
        if refusal && undone == 0 {
            RunErrorKind::Setup
        } else {
            kind
        }
    };
    match halt {
        Halt::Stopped(reason) => stopped(reason, token, setup_if),
        Halt::Query(error) => RunError::new(
            setup_if(RunErrorKind::QueryFailed, error.is_refusal()),
            notion_setup_message("could not read the tasks to undo", &error, token),
            Some(&error),
        ),
        Halt::Paging(why) => RunError::new(RunErrorKind::QueryFailed, why, None::<&NotionError>),
    }
}
