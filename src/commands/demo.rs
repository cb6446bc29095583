//! `notion-sweep demo`: a real sweep, over HTTP on loopback, against the
//! sandbox's demo board. Needs no token and sends nothing anywhere else:
//! every address and secret comes from the sandbox, never from the environment.

use std::time::Duration;

use notion_sandbox::{Board as DemoBoard, Sandbox, SandboxConfig, SinkKind, DEMO_DATABASE_ID};
use secrecy::SecretString;

use super::digest::digest_boards;
use super::line::format;
use super::stale::stale_boards;
use super::sweep::sweep_boards;
use crate::guards::scrub::escape_control;
use crate::guards::urls::http_url;
use crate::input::cli::{BothWaysArgs, DemoArgs, DemoJob, OutputFormat};
use crate::input::{defaults, UsageError};
use crate::jobs::board::{
    Board, Channel, ChannelKind, ChatIds, DigestRule, Notify, People, PersonKey, Source, StaleRule,
    Writes,
};
use crate::jobs::rule::{Exempt, GivenBy, Rule};
use crate::notion::ids::NotionId;
use crate::notion::retry::RetryPolicy;
use crate::notion::ClientConfig;
use crate::output::exit::Exit;
use crate::output::print::print;
use crate::output::show::Shown;

/// Runs the demo and prints what happened and the Slack message that went out.
pub(super) async fn run(args: &DemoArgs) -> Result<Exit, UsageError> {
    let today = chrono::Utc::now().date_naive();
    let sandbox = Sandbox::start(DemoBoard::demo(today), SandboxConfig::default())
        .await
        .map_err(|e| UsageError::value(format!("could not start the sandbox on loopback: {e}")))?;
    let board = demo_board(&sandbox, args, today)?;
    tracing::info!(
        "sandbox Notion at {} (demo board, as of {today})",
        sandbox.url()
    );
    let shown = Shown {
        format: format(args.output),
        quiet: args.log.quiet,
        several: false,
        step_summary: None,
    };
    let exit = match args.job {
        DemoJob::Sweep => sweep_boards(vec![board], shown).await,
        DemoJob::Stale => stale_boards(vec![board], shown).await,
        DemoJob::Digest => digest_boards(vec![board], shown).await,
    };
    let posted = sandbox.sink_messages(SinkKind::Slack);
    let text = posted
        .last()
        .and_then(|m| m.get("text"))
        .and_then(|t| t.as_str());
    match (text, args.output) {
        (Some(text), OutputFormat::Json) => {
            tracing::info!(
                "Slack message posted to the sandbox: {}",
                escape_control(text)
            )
        }
        (Some(text), _) => print(&format!(
            "\nSlack message posted to the sandbox's webhook (each task's owner mentioned \
             as <@member>: the demo maps its three people to Slack members, as a [people] \
             table in --config does):\n\n{text}\n"
        )),
        (None, OutputFormat::Json) => {}
        (None, _) => print("\nNo Slack message was posted (nothing to say, or a dry run).\n"),
    }
    Ok(exit)
}

/// The demo board's people property of each task's owners.
const DEMO_ASSIGNEE: &str = "Assignee";

/// The demo workspace's people (by email) and made-up Slack member IDs,
/// as a `[people]` table would map them: the demo's message mentions them.
const DEMO_PEOPLE: [(&str, &str); 3] = [
    ("ada@acme.com", "U0ADA00001"),
    ("grace@acme.com", "U0GRACE001"),
    ("linus@acme.com", "U0LINUS001"),
];

fn demo_people() -> People {
    People(
        DEMO_PEOPLE
            .iter()
            .map(|(email, member)| {
                let ids = ChatIds {
                    slack: Some((*member).into()),
                    ..ChatIds::default()
                };
                (PersonKey::Email((*email).into()), ids)
            })
            .collect(),
    )
}

/// The demo board, every setting a default or the demo's own.
fn demo_board(
    sandbox: &Sandbox,
    args: &DemoArgs,
    today: chrono::NaiveDate,
) -> Result<Board, UsageError> {
    let both_ways = both_ways(&args.both_ways)?;
    Ok(Board {
        name: None,
        source: Source {
            database: NotionId::parse(DEMO_DATABASE_ID),
            data_source: None,
        },
        rule: Rule {
            status_property: defaults::STATUS_PROPERTY.into(),
            date_property: defaults::DATE_PROPERTY.into(),
            from: vec![defaults::FROM.into()],
            to: defaults::TO.into(),
            as_of: today,
            tz: chrono_tz::Tz::UTC,
            restore_to: both_ways.restore.then(|| {
                (both_ways.restore_to.as_deref().map(str::trim))
                    .unwrap_or(defaults::FROM)
                    .to_string()
            }),
            due_soon: both_ways.due_soon,
            exempt: both_ways.exempt,
            snooze_property: both_ways.snooze_property,
            assignee_property: Some(DEMO_ASSIGNEE.into()),
            given_by: GivenBy::default(),
        },
        stale: StaleRule {
            statuses: vec![defaults::STALE_STATUS.into()],
            idle_days: defaults::STALE_IDLE,
            move_to: None,
        },
        digest: DigestRule {
            since_hours: defaults::DIGEST_SINCE,
        },
        writes: Writes {
            dry_run: args.dry_run,
            limit: args.limit,
            // The sandbox is the demo's own: no other sweep can share it.
            lock_wait: None,
            comment: false,
            max_changes: None,
            max_changes_given_by: "--max-changes".into(),
        },
        notify: Notify {
            // The sandbox's Slack sink only: the demo sends nothing anywhere else.
            channels: vec![Channel {
                kind: ChannelKind::Slack,
                url: SecretString::from(sandbox.sink_url(SinkKind::Slack)),
            }],
            disabled: false,
            when_empty: false,
            people: demo_people(),
        },
        client: ClientConfig {
            base_url: http_url(&sandbox.url(), false).map_err(UsageError::value)?,
            token: SecretString::from(sandbox.token()),
            token_source: "the sandbox's token".into(),
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
    })
}

/// The rule both ways on the demo board: the flags given, or, when none
/// is, every case the board has (restores, tasks due within three days,
/// pinned and on-hold tasks exempt, a snooze date).
fn both_ways(given: &BothWaysArgs) -> Result<BothWaysArgs, UsageError> {
    let any = given.restore
        || given.restore_to.is_some()
        || given.due_soon.is_some()
        || !given.exempt.is_empty()
        || given.snooze_property.is_some();
    if any {
        if given.restore_to.as_deref().map(str::trim) == Some(defaults::TO) {
            return Err(UsageError::value(format!(
                "--restore-to '{}' is the late state itself: restored tasks would stay where \
                 they are; choose an open state such as --restore-to '{}'",
                defaults::TO,
                defaults::FROM
            )));
        }
        // As for a sweep: --restore-to alone restores nothing.
        return Ok(given.clone());
    }
    let exempt = |property: &str, value: &str| Exempt {
        property: property.into(),
        value: value.into(),
    };
    Ok(BothWaysArgs {
        restore: true,
        restore_to: None,
        due_soon: Some(DEMO_DUE_SOON),
        exempt: vec![exempt("Tags", "pinned"), exempt("On hold", "true")],
        snooze_property: Some("Snoozed until".into()),
    })
}

/// The days ahead the demo lists tasks due soon.
const DEMO_DUE_SOON: u32 = 3;
