//! `notion-sweep completions SHELL` and `notion-sweep man`: made from the
//! same definitions as `--help`, so they can never disagree with it.

use clap::CommandFactory;

use std::io::Write;

use crate::cli::Cli;
use crate::settings::UsageError;
use crate::summary::Exit;

/// Prints the completion script for `shell`.
pub(super) async fn completions(shell: clap_complete::Shell) -> Result<Exit, UsageError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "notion-sweep", &mut script);
    write_out(&script);
    Ok(Exit::Done)
}

/// Prints the man page, in roff.
pub(super) async fn man() -> Result<Exit, UsageError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| UsageError(format!("could not write the man page: {e}")))?;
    write_out(&page);
    Ok(Exit::Done)
}

/// Writes the script as made: it holds no secret and no server text.
fn write_out(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}
