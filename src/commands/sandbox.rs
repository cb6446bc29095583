//! `notion-sweep sandbox`: the fake Notion served on loopback until
//! SIGINT/SIGTERM, a local Notion to try automations against.

use std::time::Duration;

use notion_sandbox::{
    Board, FaultConfig, FaultKind, RateLimit, Sandbox, SandboxConfig, DEMO_DATABASE_ID,
};

use crate::cli::SandboxArgs;
use crate::defaults;
use crate::settings::UsageError;
use crate::stop::Stop;
use crate::summary::Exit;

/// `notion-sweep sandbox`: serves a board on loopback until SIGINT/SIGTERM.
pub(super) async fn run(args: &SandboxArgs) -> Result<Exit, UsageError> {
    let today = chrono::Utc::now().date_naive();
    let board = match &args.board {
        None => Board::demo(today),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                UsageError(format!(
                    "could not read the board file {}: {}",
                    path.display(),
                    e.kind()
                ))
            })?;
            Board::from_json(&text).map_err(|e| {
                UsageError(format!(
                    "the board file {} is not a valid board: {e} (see crates/notion-sandbox/docs/sandbox.md for the format)",
                    path.display()
                ))
            })?
        }
    };
    let rate_limit = args.rate_limit.map(|r| RateLimit {
        per_second: r,
        burst: (r.ceil() as u32).max(1),
    });
    let each = args.fault_rate / 4.0;
    let faults = [
        FaultKind::InternalServerError,
        FaultKind::BadGateway,
        FaultKind::ServiceUnavailable,
        FaultKind::GatewayTimeout,
    ]
    .into_iter()
    .filter(|_| each > 0.0)
    .fold(FaultConfig::default(), |f, kind| f.with_random(kind, each));
    let databases: Vec<String> = board
        .databases
        .iter()
        .map(|d| format!("  {} ({})", d.title, d.id))
        .collect();
    let config = SandboxConfig {
        token: args.token.clone(),
        latency: Duration::from_millis(args.latency_ms),
        rate_limit,
        faults,
        port: args.port,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(board, config)
        .await
        .map_err(|e| UsageError(format!("could not listen on 127.0.0.1:{}: {e}", args.port)))?;
    println!(
        "Sandbox Notion (API {}) listening on {}",
        defaults::NOTION_VERSION,
        sandbox.url()
    );
    println!("Token:          {}", sandbox.token());
    println!("Slack webhook:  {}", sandbox.slack_url());
    println!("Databases:\n{}", databases.join("\n"));
    println!(
        "\nTry: NOTION_TOKEN={} notion-sweep sweep --api-url {} {} --dry-run",
        sandbox.token(),
        sandbox.url(),
        DEMO_DATABASE_ID
    );
    println!("Stop with Ctrl-C.");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let stop = Stop::default();
    stop.on_signals();
    stop.stopped().await;
    println!("{} Notion requests served.", sandbox.requests().len());
    Ok(Exit::Done)
}
