//! `notion-sweep demo`: a real sweep, over HTTP on loopback, against the
//! sandbox's demo board. Needs no token and sends nothing anywhere else:
//! every address and secret comes from the sandbox, never from the environment.

use std::time::Duration;

use secrecy::SecretString;

use crate::cli::DemoArgs;
use crate::ids::NotionId;
use crate::notion::retry::RetryPolicy;
use crate::notion::{ClientConfig, NOTION_VERSION};
use crate::progress::Progress;
use crate::report::Exit;
use crate::sandbox::{Board, Sandbox, SandboxConfig, DEMO_DATABASE_ID};
use crate::settings::{self, Notify, Rule, SweepSettings, Target, UsageError};
use crate::stop::Stop;

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
