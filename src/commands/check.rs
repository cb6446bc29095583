//! `notion-sweep check`: what a sweep of each board would use, proven
//! against Notion; writes nothing.

use super::line::Given;
use super::read;
use crate::input::cli::CheckArgs;
use crate::input::{Env, UsageError};
use crate::jobs::check::check;
use crate::output::exit::Exit;
use crate::output::report::render_check;

/// Checks and shows what a sweep would use, for one board or every board of `--config`.
pub(super) async fn run(args: &CheckArgs, given: &Given, env: Env<'_>) -> Result<Exit, UsageError> {
    let job = |board, stop| async move { check(&board, &stop).await };
    read::run(&args.board, args.output, given, env, job, render_check).await
}
