//! Logs on standard error: the detail `-q`/`-v`/`-vv` (or `RUST_LOG`) asks
//! for, every line scrubbed of the run's secrets, colour only on a terminal
//! and never with `NO_COLOR`.

use std::io::IsTerminal;

use crate::guards::scrub;

/// The log target of progress lines (shown without `-v`).
pub(crate) const PROGRESS: &str = "notion_sweep::progress";
/// The log target of the summary line for machine output (shown without `-v`).
pub(crate) const SUMMARY: &str = "notion_sweep::summary";

/// How much to log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Verbosity {
    pub(crate) quiet: bool,
    pub(crate) verbose: u8,
}

/// Starts logging; `env` reads `RUST_LOG` and `NO_COLOR`.
pub(crate) fn init(verbosity: Verbosity, env: &dyn Fn(&str) -> Option<String>) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter(verbosity, env))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let colour = env("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Every log line is scrubbed of the run's secrets, at any verbosity.
        .with_writer(scrub::ScrubbedStderr)
        .with_ansi(colour)
        .with_target(false)
        .try_init();
}

/// Log detail for `-q`/`-v`/`-vv`; `RUST_LOG` wins when set.
fn filter(verbosity: Verbosity, env: &dyn Fn(&str) -> Option<String>) -> String {
    if let Some(filter) = env("RUST_LOG").filter(|f| !f.trim().is_empty()) {
        return filter;
    }
    match (verbosity.quiet, verbosity.verbose) {
        (true, _) => "error".into(),
        (false, 0) => format!("warn,{PROGRESS}=info,{SUMMARY}=info"),
        (false, 1) => "warn,notion_sweep=info".into(),
        (false, 2) => "warn,notion_sweep=debug".into(),
        (false, _) => "info,notion_sweep=trace".into(),
    }
}
