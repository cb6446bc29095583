//! notion-sweep: finds Notion tasks whose due date has passed while they are
//! still open, moves them to a late status, and posts one summary.
//!
//! The data flows one way, and imports follow it, wing by wing (see
//! docs/architecture.md):
//!
//! ```text
//! main        runs the command, exits with its code: nothing else
//!  commands/  one file per command, thin: boards in, job on each, results out
//!   output/   exit codes, reports, printing, progress, logs, notifications
//!   input/    flags, .env, the settings file: typed layers merged into boards
//!    jobs/    sweep, check, schema: a board in, plain data out
//!     notion/ the client: one limiter, one retry policy (webhooks use it too)
//!      guards/ scrubbing, bounded reads, the lock, the stop switch, URLs
//! ```
//!
//! The fake Notion is its own package (`crates/notion-sandbox`), used by
//! `demo`, `sandbox`, the tests and the benchmark; it imports nothing here.

mod commands;
mod guards;
mod input;
mod jobs;
mod notion;
mod output;

use std::process::ExitCode;

fn main() -> ExitCode {
    // A panic is a bug: say so (the hook already did), and exit 1 rather than Rust's 101.
    let exit = std::panic::catch_unwind(commands::run)
        .unwrap_or(output::exit::exit_of(output::exit::Ending::Internal));
    ExitCode::from(exit.code())
}
