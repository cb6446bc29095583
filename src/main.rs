//! The `notion-sweep` binary: parse, run, exit.

use std::process::ExitCode;

use clap::Parser;
use notion_sweep::report::Exit;

fn main() -> ExitCode {
    // Before parsing, so that `.env` values reach clap's `env` defaults.
    let dotenv_warning = notion_sweep::app::load_dotenv();
    let cli = notion_sweep::cli::Cli::parse();
    // A panic is a bug: say so, and exit 1 rather than Rust's 101.
    let exit = std::panic::catch_unwind(|| notion_sweep::app::run(cli, dotenv_warning))
        .unwrap_or(Exit::Internal);
    ExitCode::from(exit.code())
}
