//! How close does a sweep get to Notion's rate limit? Runs the real release
//! binary against the sandbox and, side by side on an identical board, the
//! usual sequential script. What it measures, each preset and each flag:
//! bench/README.md.
//!
//! Modules, each using only those listed after it:
//! [`cli`] (flags) → [`presets`] (one entry each) → the jobs [`sweeps`], [`rescheduled`],
//! [`startup`], [`boards`] → [`script`] (the sequential script), [`run`]
//! (running the binary), [`report`] (printing), [`measure`] (the request log
//! read back), [`board`] (the board and its sandbox) → [`setup`].

mod board;
mod boards;
mod cli;
mod digest;
mod measure;
mod presets;
mod report;
mod rescheduled;
mod run;
mod script;
mod setup;
mod startup;
mod sweeps;
mod undo;

use clap::Parser;

fn main() {
    let args = cli::Args::parse();
    let ready = cli::resolve(&args).and_then(|setup| Ok((setup, cli::builds(&args)?)));
    let (setup, builds) = ready.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2);
    });
    if let Err(e) = (args.preset().job)(&setup, &builds) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
