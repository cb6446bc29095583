//! `notion-sweep schema`: each board's data sources, their properties and
//! options.

use super::line::Given;
use super::read;
use crate::input::cli::SchemaArgs;
use crate::input::{Env, UsageError};
use crate::jobs::schema::schema;
use crate::output::exit::Exit;
use crate::output::report::render_schema;

/// Reads and shows the schema, of one board or every board of `--config`.
pub(super) async fn run(
    args: &SchemaArgs,
    given: &Given,
    env: Env<'_>,
) -> Result<Exit, UsageError> {
    let job = |board, stop| async move { schema(&board, &stop).await };
    read::run(&args.board, args.output, given, env, job, render_schema).await
}
