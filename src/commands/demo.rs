//! `notion-sweep demo`: a real sweep, over HTTP on loopback, against the
//! sandbox's demo board. Needs no token and sends nothing anywhere else:
//! every address and secret comes from the sandbox, never from the environment.

use std::time::Duration;

use notion_sandbox::{Board, Sandbox, SandboxConfig, SinkKind, DEMO_DATABASE_ID};
use secrecy::SecretString;

use crate::cli::{DemoArgs, OutputFormat};
use crate::defaults;
use crate::ids::NotionId;
use crate::notify;
use crate::notion::retry::RetryPolicy;
use crate::notion::ClientConfig;
use crate::progress::Progress;
use crate::resolve::Target;
use crate::rule::Rule;
use crate::settings::{self, Notify, SweepSettings, UsageError};
use crate::stop::Stop;
use crate::summary::Exit;

/// Runs the demo and prints what happened and the Slack message that went out.
pub(super) async fn run(args: &DemoArgs) -> Result<Exit, UsageError> {
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
            status_property: defaults::STATUS_PROPERTY.into(),
            date_property: defaults::DATE_PROPERTY.into(),
            from: vec![defaults::FROM.into()],
            to: defaults::TO.into(),
            as_of: today,
            tz,
        },
        dry_run: args.dry_run,
        limit: args.limit,
        lock_wait: None,
        output: args.output.into(),
        notify: Notify {
            // The sandbox's Slack sink only: the demo sends nothing anywhere else.
            targets: vec![notify::Target {
                kind: notify::Kind::Slack,
                url: SecretString::from(sandbox.sink_url(SinkKind::Slack)),
            }],
            disabled: false,
            when_empty: false,
        },
        client: ClientConfig {
            base_url: settings::http_url(&sandbox.url(), false).map_err(UsageError)?,
            token: SecretString::from(sandbox.token()),
            version: defaults::NOTION_VERSION.into(),
            rate: args.rate,
            // The sandbox answers at once: short waits keep the demo snappy.
            timeout: Duration::from_secs(10),
            retry: RetryPolicy {
                max_retries: 3,
                base: Duration::from_millis(100),
                cap: Duration::from_secs(2),
                deadline: Duration::from_secs(60),
            },
            limiter: None,
        },
    };
    tracing::info!(
        "sandbox Notion at {} (demo board, as of {today})",
        sandbox.url()
    );
    let stop = Stop::default();
    stop.on_signals();
    let summary = crate::run::sweep(&settings, &stop, &Progress::new(args.log.quiet)).await?;
    super::print_summary(&summary, settings.output, args.log.quiet);
    let posted = sandbox.sink_messages(SinkKind::Slack);
    let text = posted
        .last()
        .and_then(|m| m.get("text"))
        .and_then(|t| t.as_str());
    match (text, args.output) {
        (Some(text), OutputFormat::Json) => {
            tracing::info!("Slack message posted to the sandbox: {text}")
        }
        (Some(text), _) => println!("\nSlack message posted to the sandbox's webhook:\n\n{text}"),
        (None, OutputFormat::Json) => {}
        (None, _) => println!("\nNo Slack message was posted (nothing to say, or a dry run)."),
    }
    Ok(summary.exit())
}
