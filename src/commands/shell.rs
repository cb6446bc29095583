//! `notion-sweep completions SHELL` and `notion-sweep man`: made from the
//! same definitions as `--help`, so they can never disagree with it.

use std::io::Write;

use clap::CommandFactory;

use crate::input::cli::Cli;
use crate::output::exit::{exit_of, Ending, Exit};
use crate::output::print;

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell) -> Exit {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "notion-sweep", &mut script);
    write_out(&script);
    exit_of(Ending::Done)
}

/// Prints the man page, in roff.
pub(super) fn man() -> Exit {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
        print::error(&format!("could not write the man page: {e}"));
        return exit_of(Ending::Internal);
    }
    write_out(&page);
    exit_of(Ending::Done)
}

/// Writes the script as made: it holds no secret and no server text.
fn write_out(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}
