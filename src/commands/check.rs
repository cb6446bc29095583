//! `notion-sweep check`: what a sweep of each board would use, proven
//! against Notion; writes nothing.

use super::boards::for_each_board;
use super::line::{command_line, format, Given};
use crate::input::cli::CheckArgs;
use crate::input::settings;
use crate::input::{Env, UsageError};
use crate::jobs::check::check;
use crate::output::exit::Exit;
use crate::output::report::render_check;
use crate::output::show::{self, Shown};

/// Checks and shows what a sweep would use, for one board or every board of `--config`.
pub(super) async fn run(args: &CheckArgs, given: &Given, env: Env<'_>) -> Result<Exit, UsageError> {
    let line = command_line(&args.board, given);
    let boards = settings::boards(&line, env)?;
    let results = for_each_board(
        boards,
        |board, stop| async move { check(&board, &stop).await },
    )
    .await;
    let reads: Vec<_> = results
        .iter()
        .map(|(board, result)| (board.name.as_deref(), result))
        .collect();
    let shown = Shown {
        format: format(args.output),
        quiet: args.board.connection.log.quiet,
        several: line.config.is_some(),
        step_summary: None,
    };
    Ok(show::reads(&reads, shown, render_check))
}
