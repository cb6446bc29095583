//! `notion-sweep digest`: the standup summary, on one board or every
//! board of `--config`; posted to every channel each time it runs.

use std::time::Instant;

use super::boards::for_each_board;
use super::line::{command_line, format, step_summary, Given};
use crate::input::cli::DigestArgs;
use crate::input::settings;
use crate::input::{Env, UsageError};
use crate::jobs::board::Board;
use crate::jobs::digest::digest;
use crate::output::exit::Exit;
use crate::output::notify::post_digest;
use crate::output::show::{self, Shown};

/// Counts, posts, shows; the exit code says how it went.
pub(super) async fn run(
    args: &DigestArgs,
    given: &Given,
    env: Env<'_>,
) -> Result<Exit, UsageError> {
    let line = command_line(&args.board, given);
    let boards = settings::boards(&line, env)?;
    let step_summary = step_summary(env);
    let shown = Shown {
        format: format(args.report.output),
        quiet: args.board.connection.log.quiet,
        several: line.config.is_some(),
        step_summary: step_summary.as_deref(),
    };
    Ok(digest_boards(boards, shown).await)
}

/// Runs `digest` on every board at once, posts, shows; the exit code says how
/// it went.
pub(super) async fn digest_boards(boards: Vec<Board>, shown: Shown<'_>) -> Exit {
    let runs: Vec<_> = for_each_board(boards, |board, stop| async move {
        let started = Instant::now();
        let mut run = digest(&board, &stop).await;
        post_digest(&mut run, &board.notify, &stop).await;
        run.elapsed_ms = started.elapsed().as_millis() as u64;
        run
    })
    .await
    .into_iter()
    .map(|(_, run)| run)
    .collect();
    show::runs(&runs, shown)
}
