//! What `check` and `schema` share: read every board with their job, then
//! show what was read (or why not) of each.

use std::future::Future;

use serde::Serialize;

use super::boards::for_each_board;
use super::line::{command_line, format, Given};
use crate::guards::stop::Stop;
use crate::input::cli::{BoardArgs, OutputFormat};
use crate::input::settings;
use crate::input::{Env, UsageError};
use crate::jobs::board::Board;
use crate::jobs::resolve::SetupError;
use crate::output::exit::Exit;
use crate::output::report::Format;
use crate::output::show::{self, Shown};

/// Reads every board with `job` and shows each result with `render`.
pub(super) async fn run<T, F, Fut>(
    args: &BoardArgs,
    output: OutputFormat,
    given: &Given,
    env: Env<'_>,
    job: F,
    render: fn(&T, Format) -> String,
) -> Result<Exit, UsageError>
where
    T: Serialize + Send + 'static,
    F: Fn(Board, Stop) -> Fut,
    Fut: Future<Output = Result<T, SetupError>> + Send + 'static,
{
    let line = command_line(args, given);
    let boards = settings::boards(&line, env)?;
    let results = for_each_board(boards, job).await;
    let reads: Vec<_> = results
        .iter()
        .map(|(board, result)| (board.name.as_deref(), result))
        .collect();
    let shown = Shown {
        format: format(output),
        quiet: args.connection.log.quiet,
        several: line.config.is_some(),
        step_summary: None,
    };
    Ok(show::reads(&reads, shown, render))
}
