//! `notion-sweep stale`: the tasks nobody has touched for days, on one
//! board or every board of `--config`; escalated to every channel, and
//! moved with `--move-to`.

use std::time::Instant;

use super::boards::for_each_board;
use super::line::{command_line, format, step_summary, Given};
use crate::input::cli::StaleArgs;
use crate::input::settings;
use crate::input::{Env, UsageError};
use crate::jobs::board::Board;
use crate::jobs::stale::stale;
use crate::output::exit::Exit;
use crate::output::notify::post_stale;
use crate::output::show::{self, Shown};

/// Finds, posts, shows; the exit code says how it went.
pub(super) async fn run(args: &StaleArgs, given: &Given, env: Env<'_>) -> Result<Exit, UsageError> {
    let line = command_line(&args.board, given);
    let boards = settings::boards(&line, env)?;
    let step_summary = step_summary(env);
    let shown = Shown {
        format: format(args.report.output),
        quiet: args.board.connection.log.quiet,
        several: line.config.is_some(),
        step_summary: step_summary.as_deref(),
    };
    Ok(stale_boards(boards, shown).await)
}

/// Runs `stale` on every board at once, posts, shows; the exit code says how
/// it went.
pub(super) async fn stale_boards(boards: Vec<Board>, shown: Shown<'_>) -> Exit {
    let runs: Vec<_> = for_each_board(boards, |board, stop| async move {
        let started = Instant::now();
        let mut run = stale(&board, &stop).await;
        post_stale(&mut run, &board.notify, &stop).await;
        run.elapsed_ms = started.elapsed().as_millis() as u64;
        run
    })
    .await
    .into_iter()
    .map(|(_, run)| run)
    .collect();
    show::runs(&runs, shown)
}
