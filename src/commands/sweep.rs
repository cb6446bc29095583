//! `notion-sweep sweep`: the main job, on one board or every board of
//! `--config`.

use std::path::PathBuf;
use std::time::Instant;

use super::boards::for_each_board;
use super::line::{command_line, format, Given};
use crate::input::cli::SweepArgs;
use crate::input::settings;
use crate::input::{Env, UsageError};
use crate::jobs::board::Board;
use crate::jobs::sweep;
use crate::output::exit::Exit;
use crate::output::notify::post_summary;
use crate::output::progress::Progress;
use crate::output::show::{self, Shown};

/// Sweeps, posts, shows; the exit code says how it went.
pub(super) async fn run(args: &SweepArgs, given: &Given, env: Env<'_>) -> Result<Exit, UsageError> {
    let line = command_line(&args.board, given);
    let boards = settings::boards(&line, env)?;
    let step_summary = env("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.trim().is_empty())
        .map(PathBuf::from);
    let shown = Shown {
        format: format(args.output),
        quiet: args.board.connection.log.quiet,
        several: line.config.is_some(),
        step_summary: step_summary.as_deref(),
    };
    Ok(sweep_boards(boards, shown).await)
}

/// Sweeps every board and posts each one's summary, then shows them all.
/// Progress is shown for one board only: lines of several would interleave.
pub(super) async fn sweep_boards(boards: Vec<Board>, shown: Shown<'_>) -> Exit {
    let silent = shown.quiet || shown.several;
    let summaries: Vec<_> = for_each_board(boards, move |board, stop| async move {
        let started = Instant::now();
        let watcher = Progress::new(silent);
        let mut summary = sweep::sweep(&board, &stop, &watcher).await;
        post_summary(&mut summary, &board.notify, &stop).await;
        summary.elapsed_ms = started.elapsed().as_millis() as u64;
        summary
    })
    .await
    .into_iter()
    .map(|(_, summary)| summary)
    .collect();
    show::sweeps(&summaries, shown)
}
