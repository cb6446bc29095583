//! `notion-sweep sandbox`: the fake Notion served on loopback until
//! SIGINT/SIGTERM, a local Notion to try automations against.

use std::time::Duration;

use notion_sandbox::{serve, ServeOptions};

use crate::input::cli::SandboxArgs;
use crate::input::UsageError;
use crate::output::exit::{exit_of, Ending, Exit};

/// Serves until a signal; a bad option or a busy port is a usage error.
pub(super) async fn run(args: &SandboxArgs) -> Result<Exit, UsageError> {
    let options = ServeOptions {
        port: args.port,
        board: args.board.clone(),
        latency: Duration::from_millis(args.latency_ms),
        rate_limit: args.rate_limit,
        fault_rate: args.fault_rate,
        token: args.token.clone(),
        verbose: args.log.verbose > 0,
        today: args.today,
        seed: args.seed,
    };
    serve(options, interrupted())
        .await
        .map_err(|e| UsageError::value(e.to_string()))?;
    Ok(exit_of(Ending::Done))
}

/// Resolves on SIGINT or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
