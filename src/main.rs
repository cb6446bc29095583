//! notion-sweep: finds Notion tasks whose due date has passed while they are
//! still open, moves them to a late status, and posts one summary.
//!
//! # Architecture
//!
//! Each module is a room with one job; imports only go down this list, and
//! no two modules import each other:
//!
//! ```text
//! main                    parse, run, exit: nothing else
//!  └ commands/            sweep, check, schema, demo, sandbox: flags to exit code
//!     └ run               validated settings → a Summary: resolve, sweep, notify
//!        └ settings       parsed flags (cli) turned once into trusted settings
//!        └ config         --config: each board as the command line it stands for
//!           └ cli         the flags, their variables and typed value parsers
//!        └ sweep          pages through the overdue filter and writes tasks
//!        └ resolve        database → data source, schema checked before any write
//!           └ rule        Rule, OverdueRule, Plan, the filter
//!              └ notion/  client, limiter, retry, wire, errors: one limiter,
//!                         one retry policy (also for webhooks)
//!                 └ ids, stop, defaults, limits, lock, scrub, dotenv, urls
//!  report, notify, progress    take plain data (a Summary, counts) and
//!                              know no flag and no sweep internals
//!     └ summary          what a run did, as plain data, and its exit code
//! ```
//!
//! The fake Notion is its own package (`crates/notion-sandbox`), used by
//! `demo`, `sandbox`, the tests and the benchmark; it imports nothing here.

mod cli;
mod commands;
mod config;
mod defaults;
mod dotenv;
mod ids;
mod limits;
mod lock;
mod notify;
mod notion;
mod progress;
mod report;
mod resolve;
mod rule;
mod run;
mod scrub;
mod settings;
mod stop;
mod summary;
mod sweep;
mod urls;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    // Before parsing, so that `.env` values reach clap's `env` defaults; a
    // `.env` that does not load whole stops the run before anything is sent.
    if let Err(error) = dotenv::load(std::path::Path::new(".")) {
        eprintln!("error: {error}");
        return ExitCode::from(summary::Exit::Usage.code());
    }
    let matches = cli::Cli::command().get_matches();
    let cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // A panic is a bug: say so, and exit 1 rather than Rust's 101.
    let run = std::panic::AssertUnwindSafe(|| commands::run(cli, &matches));
    let exit = std::panic::catch_unwind(run).unwrap_or(summary::Exit::Internal);
    ExitCode::from(exit.code())
}
