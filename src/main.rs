//! The `notion-sweep` binary: parse, run, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Before parsing, so that `.env` values reach clap's `env` defaults.
    let dotenv_warning = notion_sweep::app::load_dotenv();
    let cli = notion_sweep::cli::Cli::parse();
    ExitCode::from(notion_sweep::app::run(cli, dotenv_warning).code())
}
