//! The commands, thin: each reads its boards from the input, runs its job
//! on every board (`boards::for_each_board`), and hands the results to the
//! output, which also says the exit code. This module reads `./.env`,
//! parses the command line, starts logging and the runtime, and dispatches.

mod boards;
mod check;
#[cfg(feature = "sandbox")]
mod demo;
mod digest;
mod line;
mod read;
#[cfg(feature = "sandbox")]
mod sandbox;
mod schema;
mod shell;
mod stale;
mod sweep;
mod undo;

use clap::{CommandFactory, FromArgMatches};

use crate::input::cli::{Cli, Command, LogArgs};
use crate::input::{dotenv, variables, Env, UsageError};
use crate::output::exit::{exit_of, Ending, Exit};
use crate::output::log::{self, Verbosity};
use crate::output::print;
use line::Given;

/// Runs the command the process was started with; its exit code.
pub(crate) fn run() -> Exit {
    // Before parsing, so that `.env` values reach clap's `env` defaults; a
    // `.env` that does not load whole stops the run before anything is sent.
    let dotenv = match dotenv::load(std::path::Path::new(".")) {
        Ok(loaded) => loaded.applied,
        Err(error) => return usage(&UsageError::dotenv(error.to_string())),
    };
    let command = Cli::command();
    let typed: Vec<String> = std::env::args().collect();
    let matches = match command.clone().try_get_matches_from(&typed) {
        Ok(matches) => matches,
        Err(error) => match variables::value_error(&error, &command, &typed, &dotenv) {
            Some(said) => return usage(&UsageError::value(said)),
            None => error.exit(),
        },
    };
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let mut given = matches
        .subcommand()
        .and_then(|(name, m)| Some(Given::of(command.find_subcommand(name)?, m, &dotenv)))
        .unwrap_or_default();
    if matches!(cli.command, Command::Check(_) | Command::Schema(_)) {
        // What a sweep would read from the environment, checked as a sweep
        // checks it: check and schema validate the same settings.
        match line::sweep_variables(&command, &dotenv) {
            Ok(sweep) => given.add_below(sweep),
            Err(error) => match variables::value_error(&error, &command, &[], &dotenv) {
                Some(said) => return usage(&UsageError::value(said)),
                None => error.exit(),
            },
        }
    }
    let env = |name: &str| std::env::var(name).ok();
    log::init(verbosity(&cli.command), &env);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            print::error(&format!("could not start the async runtime: {e}"));
            return exit_of(Ending::Internal);
        }
    };
    let result = runtime.block_on(dispatch(cli.command, &given, &env));
    // Requests abandoned after a stop must not hold the process open.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    result.unwrap_or_else(|error| usage(&error))
}

/// Says what is wrong with the command line or the settings: exit 2.
fn usage(error: &UsageError) -> Exit {
    print::error(&error.message);
    exit_of(Ending::Usage)
}

async fn dispatch(command: Command, given: &Given, env: Env<'_>) -> Result<Exit, UsageError> {
    match command {
        Command::Sweep(args) => sweep::run(&args, given, env).await,
        Command::Check(args) => check::run(&args, given, env).await,
        Command::Schema(args) => schema::run(&args, given, env).await,
        Command::Stale(args) => stale::run(&args, given, env).await,
        Command::Digest(args) => digest::run(&args, given, env).await,
        Command::Undo(args) => undo::run(&args, given, env).await,
        #[cfg(feature = "sandbox")]
        Command::Demo(args) => demo::run(&args).await,
        #[cfg(feature = "sandbox")]
        Command::Sandbox(args) => sandbox::run(&args).await,
        Command::Completions(args) => Ok(shell::completions(args.shell)),
        Command::Man => Ok(shell::man()),
    }
}

/// How much the command logs.
fn verbosity(command: &Command) -> Verbosity {
    let log = match command {
        Command::Sweep(a) => a.board.connection.log,
        Command::Check(a) => a.board.connection.log,
        Command::Schema(a) => a.board.connection.log,
        Command::Stale(a) => a.board.connection.log,
        Command::Digest(a) => a.board.connection.log,
        Command::Undo(a) => a.connection.log,
        #[cfg(feature = "sandbox")]
        Command::Demo(a) => a.log,
        #[cfg(feature = "sandbox")]
        Command::Sandbox(a) => a.log,
        Command::Completions(_) | Command::Man => LogArgs::default(),
    };
    Verbosity {
        quiet: log.quiet,
        verbose: log.verbose,
    }
}
