//! `notion-sweep demo`: a real sweep, over HTTP on loopback, against the
//! sandbox's demo board. Needs no token and sends nothing anywhere else:
//! every address and secret comes from the sandbox, never from the environment.

use std::time::Duration;

use secrecy::SecretString;

use crate::cli::{DemoArgs, SandboxArgs};
use crate::ids::NotionId;
use crate::notion::retry::RetryPolicy;
use crate::notion::{ClientConfig, NOTION_VERSION};
use crate::progress::Progress;
use crate::report::Exit;
use crate::settings::{self, Notify, Rule, SweepSettings, Target, UsageError};
use crate::stop::Stop;
use notion_sandbox::{
    Board, FaultConfig, FaultKind, RateLimit, Sandbox, SandboxConfig, DEMO_DATABASE_ID,
};

/// `notion-sweep sandbox`: serves a board on loopback until SIGINT/SIGTERM.
pub async fn serve(args: &SandboxArgs) -> Result<Exit, UsageError> {
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
    if !(0.0..=1.0).contains(&args.fault_rate) {
        return Err(UsageError(format!(
            "invalid --fault-rate {}: expected a fraction from 0 to 1, e.g. 0.1",
            args.fault_rate
        )));
    }
    let rate_limit = match args.rate_limit {
        None => None,
        Some(r) if r.is_finite() && r > 0.0 => Some(RateLimit {
            per_second: r,
            burst: (r.ceil() as u32).max(1),
        }),
        Some(r) => {
            return Err(UsageError(format!(
                "invalid --rate-limit {r}: expected requests per second greater than 0, e.g. 3"
            )))
        }
    };
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
        "Sandbox Notion (API {NOTION_VERSION}) listening on {}",
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

/// Runs the demo and prints what happened and the Slack message that went out.
pub async fn run(args: &DemoArgs) -> Result<Exit, UsageError> {
    let rate = settings::rate(&args.rate)?;
    let limit = settings::limit(args.limit.as_deref())?;
    let tz = chrono_tz::Tz::UTC;
    let today = chrono::Utc::now().date_naive();
    let sandbox = Sandbox::start(Board::demo(today), SandboxConfig::default())
        .await
        .map_err(|e| UsageError(format!("could not start the sandbox on loopback: {e}")))?;
    let settings = SweepSettings {
        target: Target {
            database: NotionId::parse(DEMO_DATABASE_ID),
            data_source: None,
        },
        rule: Rule {
            status_property: "Status".into(),
            date_property: "Due Date".into(),
            from: vec!["To Do".into()],
            to: "Overdue".into(),
            as_of: today,
            tz,
        },
        dry_run: args.dry_run,
        limit,
        output: args.output,
        notify: Notify {
            webhook: Some(SecretString::from(sandbox.slack_url())),
            disabled: false,
            when_empty: false,
        },
        client: ClientConfig {
            base_url: settings::http_url(&sandbox.url(), false).map_err(UsageError)?,
            token: SecretString::from(sandbox.token()),
            version: NOTION_VERSION.into(),
            rate,
            timeout: Duration::from_secs(10),
            retry: RetryPolicy {
                max_retries: 3,
                base: Duration::from_millis(100),
                cap: Duration::from_secs(2),
                deadline: Duration::from_secs(60),
            },
        },
    };
    tracing::info!(
        "sandbox Notion at {} (demo board, as of {today})",
        sandbox.url()
    );
    let stop = Stop::default();
    stop.on_signals();
    let summary = crate::app::run_sweep(&settings, &stop, &Progress::new(args.log.quiet)).await?;
    crate::app::print_summary(&summary, args.output, args.log.quiet);
    let posted = sandbox.slack_messages();
    let text = posted
        .last()
        .and_then(|m| m.get("text"))
        .and_then(|t| t.as_str());
    match (text, args.output) {
        (Some(text), crate::cli::OutputFormat::Json) => {
            tracing::info!("Slack message posted to the sandbox: {text}")
        }
        (Some(text), _) => println!("\nSlack message posted to the sandbox's webhook:\n\n{text}"),
        (None, crate::cli::OutputFormat::Json) => {}
        (None, _) => println!(
            "\nNo Slack message was posted ({:?}).",
            summary.notification.status
        ),
    }
    Ok(summary.exit())
}
