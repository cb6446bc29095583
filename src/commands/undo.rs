//! `notion-sweep undo REPORT`: the tasks an earlier sweep moved, moved
//! back on every board of its document, each only while still where the
//! sweep put it; a message to every channel saying what was undone.

use std::sync::Arc;
use std::time::Instant;

use super::boards::for_each_board;
use super::line::{format, step_summary, undo_line, Given};
use crate::input::cli::UndoArgs;
use crate::input::undo;
use crate::input::{Env, UsageError};
use crate::jobs::undo::undo as undo_board;
use crate::output::exit::{exit_of, Ending, Exit};
use crate::output::notify::post_undo;
use crate::output::print;
use crate::output::show::{self, Shown};

/// Reads the document, undoes, posts, shows; the exit code says how it went.
pub(super) async fn run(args: &UndoArgs, given: &Given, env: Env<'_>) -> Result<Exit, UsageError> {
    let report = undo::read(&args.report)?;
    let line = undo_line(&args.connection, given);
    let boards = undo::boards(&line, env, &report)?;
    if boards.is_empty() {
        print::error(
            "nothing to undo: the document's sweep stopped before it found its data source, \
             so it moved no task",
        );
        return Ok(exit_of(Ending::Done));
    }
    // Each board's plan, found again by the board's name and data source.
    let plans: Arc<Vec<_>> = Arc::new(
        boards
            .iter()
            .map(|(board, plan)| ((board.name.clone(), board.source.clone()), plan.clone()))
            .collect(),
    );
    let boards = boards.into_iter().map(|(board, _)| board).collect();
    let runs: Vec<_> = for_each_board(boards, |board, stop| {
        let plans = plans.clone();
        async move {
            let started = Instant::now();
            let key = (board.name.clone(), board.source.clone());
            let plan = plans
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, plan)| plan.clone())
                .unwrap_or_default();
            let mut run = undo_board(&board, &plan, &stop).await;
            post_undo(&mut run, &board.notify, &stop).await;
            run.elapsed_ms = started.elapsed().as_millis() as u64;
            run
        }
    })
    .await
    .into_iter()
    .map(|(_, run)| run)
    .collect();
    let step_summary = step_summary(env);
    let shown = Shown {
        format: format(args.output),
        quiet: args.connection.log.quiet,
        several: report.several,
        step_summary: step_summary.as_deref(),
    };
    Ok(show::runs(&runs, shown))
}
