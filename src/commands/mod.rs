//! One module per command, each from parsed flags to an exit code; this
//! one dispatches, sets up logging and the runtime, and prints.

mod check;
#[cfg(feature = "sandbox")]
mod demo;
#[cfg(feature = "sandbox")]
mod sandbox;
mod schema;
mod sweep;

use std::io::{IsTerminal, Write};

use crate::cli::{Cli, Command, LogArgs};
use crate::report::{self, Format};
use crate::resolve::SetupError;
use crate::settings::{Env, UsageError};
use crate::summary::{Exit, Summary};

/// Runs one command and returns its exit code.
pub(crate) fn run(cli: Cli, dotenv_warning: Option<String>) -> Exit {
    let env = |name: &str| std::env::var(name).ok();
    let log = match &cli.command {
        Command::Sweep(a) => a.connection.log,
        Command::Check(a) => a.connection.log,
        Command::Schema(a) => a.connection.log,
        #[cfg(feature = "sandbox")]
        Command::Demo(a) => a.log,
        #[cfg(feature = "sandbox")]
        Command::Sandbox(a) => a.log,
    };
    init_logging(log, &env);
    if let Some(warning) = dotenv_warning {
        tracing::warn!("{warning}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return Exit::Internal;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Sweep(args) => sweep::run(&args, &env).await,
            Command::Check(args) => check::run(&args, &env).await,
            Command::Schema(args) => schema::run(&args, &env).await,
            #[cfg(feature = "sandbox")]
            Command::Demo(args) => demo::run(&args).await,
            #[cfg(feature = "sandbox")]
            Command::Sandbox(args) => sandbox::run(&args).await,
        }
    });
    // Requests abandoned after a stop must not hold the process open.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(exit) => exit,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            Exit::Usage
        }
    }
}

fn init_logging(log: LogArgs, env: Env) {
    let filter = tracing_subscriber::EnvFilter::try_new(log_filter(log, env))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let colour = env("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false)
        .try_init();
}

/// Log detail for `-q`/`-v`/`-vv`; `RUST_LOG` wins when set.
fn log_filter(log: LogArgs, env: Env) -> String {
    if let Some(filter) = env("RUST_LOG").filter(|f| !f.trim().is_empty()) {
        return filter;
    }
    match (log.quiet, log.verbose) {
        (true, _) => "error".into(),
        (false, 0) => "warn,notion_sweep::progress=info,notion_sweep::summary=info".into(),
        (false, 1) => "warn,notion_sweep=info".into(),
        (false, 2) => "warn,notion_sweep=debug".into(),
        (false, _) => "info,notion_sweep=trace".into(),
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error worth a panic.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Prints the result on standard output, and a summary line on standard error
/// when standard output is for machines.
fn print_summary(summary: &Summary, format: Format, quiet: bool) {
    let quiet_and_well = quiet && summary.matched == 0 && summary.exit() == Exit::Done;
    if !(format == Format::Text && quiet_and_well) {
        print(&report::render(summary, format));
    }
    if let Some(error) = &summary.error {
        // Also on stderr, where cron mail and CI logs look for errors.
        tracing::error!("{}", error.message);
    }
    if format != Format::Text {
        if summary.exit() == Exit::Done {
            tracing::info!(target: "notion_sweep::summary", "{}", report::headline(summary));
        } else {
            tracing::warn!(target: "notion_sweep::summary", "{}", report::headline(summary));
        }
    }
}

/// Says why `check` or `schema` could not go on; its exit code.
fn report_setup_error(error: &SetupError, output: Format) -> Exit {
    let exit = if error.is_refusal() {
        Exit::Setup
    } else {
        Exit::Incomplete
    };
    eprintln!("error: {error}");
    if output == Format::Json {
        let doc = serde_json::json!({ "ok": false, "error": error.to_string(), "exit_code": exit.code() });
        print(&report::json(&doc));
    }
    exit
}

/// Reads `.env` from the working directory (real variables win). Returns a
/// warning to log once logging is set up; never the content of a line,
/// which may hold a secret.
pub(crate) fn load_dotenv() -> Option<String> {
    match dotenvy::dotenv() {
        Ok(_) => None,
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(dotenvy::Error::LineParse(_, index)) => Some(format!(
            ".env: could not read it past position {index}: each line must be KEY=VALUE; the file was not fully loaded"
        )),
        Err(dotenvy::Error::Io(e)) => Some(format!(".env could not be read: {}", e.kind())),
        Err(_) => Some(".env could not be read".into()),
    }
}
