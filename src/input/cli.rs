//! The command line as typed: commands, flags, their environment variables
//! and defaults, each value turned into its type by its parser (`values`),
//! so that nothing after clap re-parses a string.

use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};

use super::defaults::{self, Seconds};
#[cfg(feature = "sandbox")]
use super::values::fraction;
use super::values::{
    date, due_soon, exempt, idle, limit, max_changes, rate, retries, seconds, since, wait, zone,
};
use crate::jobs::rule::Exempt;

/// Moves overdue Notion tasks to "Overdue" and posts one summary to Slack, Discord, Teams or any webhook.
#[derive(Debug, Parser)]
#[command(name = "notion-sweep", version, about, long_about = None)]
#[command(
    after_help = "The Notion token comes from NOTION_TOKEN or --token-file, never from a flag.\n\
A .env file in the working directory is read if present; real environment variables win.\n\
Exit codes: 0 done, 1 internal error, 2 usage, 3 setup (nothing written), 4 incomplete, 5 summary not posted,\n\
6 another sweep of the same data source is running.\n\
Shell completions: notion-sweep completions SHELL; the man page: notion-sweep man."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Find overdue tasks, move them to the late status, and post a summary.
    #[command(after_help = SWEEP_EXAMPLES)]
    Sweep(SweepArgs),
    /// Preflight: check token, sharing, data source, properties and options; write nothing.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Print the database's data sources, their properties and options.
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema(SchemaArgs),
    /// List tasks untouched for days, post an escalation, optionally move them.
    #[command(after_help = STALE_EXAMPLES)]
    Stale(StaleArgs),
    /// The standup summary: tasks per status, and the tasks edited lately; posted every run.
    #[command(after_help = DIGEST_EXAMPLES)]
    Digest(DigestArgs),
    /// Move back what a sweep moved, from its JSON document; tasks changed since stay.
    #[command(after_help = UNDO_EXAMPLES)]
    #[command(mut_arg("data_source", |a| a.hide(true)))]
    Undo(UndoArgs),
    /// Run a real sweep, stale check or digest over HTTP against a built-in sandbox board (no token, no network).
    #[cfg(feature = "sandbox")]
    Demo(DemoArgs),
    /// Serve the sandbox Notion (and Slack, Discord, Teams and JSON webhook sinks) on loopback until interrupted.
    #[cfg(feature = "sandbox")]
    Sandbox(SandboxArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the man page (roff), made from the same definitions as --help.
    #[command(
        after_help = "Example:\n  notion-sweep man > ~/.local/share/man/man1/notion-sweep.1"
    )]
    Man,
}

const COMPLETIONS_EXAMPLES: &str = "Examples:
  notion-sweep completions bash > ~/.local/share/bash-completion/completions/notion-sweep
  notion-sweep completions zsh > ~/.zfunc/_notion-sweep
  notion-sweep completions fish > ~/.config/fish/completions/notion-sweep.fish";

const SWEEP_EXAMPLES: &str = "Examples:
  notion-sweep sweep 2f26ee68df304251aad48ddc420cba3d --dry-run       the exact tasks it would move
  notion-sweep sweep https://www.notion.so/acme/Tasks-2f26ee68df304251aad48ddc420cba3d
  notion-sweep sweep -q --output markdown                              database from NOTION_DATABASE_ID
  notion-sweep sweep --from 'To Do' --from Blocked --to Late --tz Europe/Berlin

Exit codes: 0 done, 1 internal error, 2 usage, 3 setup (nothing written), 4 incomplete,
5 summary not posted, 6 another sweep of the same data source is running.";

const CHECK_EXAMPLES: &str = "Examples:
  notion-sweep check 2f26ee68df304251aad48ddc420cba3d
  notion-sweep check --status-property State --to Late --output json";

const SCHEMA_EXAMPLES: &str = "Examples:
  notion-sweep schema https://www.notion.so/acme/Tasks-2f26ee68df304251aad48ddc420cba3d
  notion-sweep schema --output markdown >> \"$GITHUB_STEP_SUMMARY\"";

const STALE_EXAMPLES: &str = "Examples:
  notion-sweep stale 2f26ee68df304251aad48ddc420cba3d --dry-run        the tasks it would escalate
  notion-sweep stale --status 'In Progress' --status Review --idle 14
  notion-sweep stale --idle 30 --move-to Stalled --notify https://discord.com/api/webhooks/ID/TOKEN

Exit codes as for sweep; a stale task alone is exit 0.";

const DIGEST_EXAMPLES: &str = "Examples:
  notion-sweep digest 2f26ee68df304251aad48ddc420cba3d --dry-run       print it, post nothing
  notion-sweep digest --since 72 --output markdown >> \"$GITHUB_STEP_SUMMARY\"
  notion-sweep digest --config boards.toml --board Eng";

const UNDO_EXAMPLES: &str = "Examples:
  notion-sweep sweep --output json > sweep.json && notion-sweep undo sweep.json
  notion-sweep undo sweep.json --dry-run                         the tasks it would move back
  notion-sweep undo - < boards.json                              from standard input

REPORT is data: only its IDs, names and statuses are used; Notion is reached at --api-url.
Exit codes as for sweep; a task changed since the sweep (a conflict) alone is exit 0.";

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// How to reach Notion.
#[derive(Debug, Args)]
pub(crate) struct ConnectionArgs {
    /// Read the Notion token from this file (the token itself is never a flag).
    #[arg(long, env = "NOTION_TOKEN_FILE", value_name = "PATH")]
    pub(crate) token_file: Option<PathBuf>,

    /// Which data source, by ID or name, when the database has several. An ID skips the database lookup. NOTION_DATA_SOURCE_ID is read too.
    #[arg(long, env = "NOTION_DATA_SOURCE", value_name = "ID_OR_NAME")]
    pub(crate) data_source: Option<String>,

    /// Notion requests per second, averaged over all calls (3 for most plans, 10 for Business).
    #[arg(long, env = "NOTION_RATE", default_value_t = defaults::RATE, value_name = "R", value_parser = rate)]
    pub(crate) rate: f64,

    /// Retries of one request on 409, 429, 5xx, timeouts and connection errors.
    #[arg(long, env = "NOTION_MAX_RETRIES", default_value_t = defaults::MAX_RETRIES, value_name = "N", value_parser = retries)]
    pub(crate) max_retries: u32,

    /// Per-request timeout in seconds.
    #[arg(long, env = "NOTION_TIMEOUT", default_value_t = defaults::TIMEOUT, value_name = "SECS", value_parser = seconds)]
    pub(crate) timeout: Seconds,

    /// The whole run's time limit in seconds, so a cron job cannot hang for hours.
    #[arg(long, env = "NOTION_DEADLINE", default_value_t = defaults::DEADLINE, value_name = "SECS", value_parser = seconds)]
    pub(crate) deadline: Seconds,

    /// Notion API base URL, for proxies and tests; plain http only to loopback hosts.
    #[arg(long, env = "NOTION_API_URL", default_value = defaults::API_URL, value_name = "URL")]
    pub(crate) api_url: String,

    /// The Notion-Version header sent on every request.
    #[arg(long, env = "NOTION_VERSION", default_value = defaults::NOTION_VERSION, value_name = "V")]
    pub(crate) notion_version: String,

    #[command(flatten)]
    pub(crate) log: LogArgs,
}

/// Log detail on standard error.
#[derive(Debug, Args, Clone, Copy, Default)]
pub(crate) struct LogArgs {
    /// Only errors on standard error; in text output, print nothing when nothing was overdue.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// More detail on standard error (-v: each task and retry, -vv: each request).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// Which tasks are overdue and where they go.
#[derive(Debug, Args)]
pub(crate) struct RuleArgs {
    /// The property that holds the task state (type status or select).
    #[arg(long, env = "SWEEP_STATUS_PROPERTY", default_value = defaults::STATUS_PROPERTY, value_name = "NAME")]
    pub(crate) status_property: String,

    /// The property that holds the due date (type date).
    #[arg(long, env = "SWEEP_DATE_PROPERTY", default_value = defaults::DATE_PROPERTY, value_name = "NAME")]
    pub(crate) date_property: String,

    /// Open states that can become overdue (repeatable; the variable is comma-separated).
    #[arg(long = "from", env = "SWEEP_FROM", default_value = defaults::FROM, value_delimiter = ',', value_name = "STATUS")]
    pub(crate) from: Vec<String>,

    /// The state overdue tasks are moved to.
    #[arg(long, env = "SWEEP_TO", default_value = defaults::TO, value_name = "STATUS")]
    pub(crate) to: String,

    /// Tasks due strictly before this date (YYYY-MM-DD) are overdue [default: today in --tz].
    #[arg(long, env = "SWEEP_AS_OF", value_name = "DATE", value_parser = date)]
    pub(crate) as_of: Option<NaiveDate>,

    /// IANA zone used to compute "today" and to read due datetimes [default: the system's zone].
    #[arg(long, env = "SWEEP_TZ", value_name = "ZONE", value_parser = zone)]
    pub(crate) tz: Option<Tz>,

    /// The people property of a task's owners [default: a people property named Assignee, if any].
    #[arg(long, env = "SWEEP_ASSIGNEE_PROPERTY", value_name = "NAME")]
    pub(crate) assignee_property: Option<String>,

    #[command(flatten)]
    pub(crate) both_ways: BothWaysArgs,
}

/// The rule both ways: tasks moved back, tasks due soon, tasks left alone.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct BothWaysArgs {
    /// Also move tasks back out of --to whose due date was moved on (to --restore-to).
    #[arg(long, env = "SWEEP_RESTORE")]
    pub(crate) restore: bool,

    /// Where --restore moves tasks back to [default: the first --from].
    #[arg(long, env = "SWEEP_RESTORE_TO", value_name = "STATUS")]
    pub(crate) restore_to: Option<String>,

    /// Also list open tasks due within DAYS (1 to 365); they are never written.
    #[arg(long, env = "SWEEP_DUE_SOON", value_name = "DAYS", value_parser = due_soon)]
    pub(crate) due_soon: Option<u32>,

    /// Never touch nor list a task whose PROPERTY is VALUE (select, status), contains VALUE (multi-select) or is checked (checkbox, VALUE true); repeatable, the variable comma-separated.
    #[arg(long, env = "SWEEP_EXEMPT", value_name = "PROPERTY=VALUE", value_delimiter = ',', value_parser = exempt)]
    pub(crate) exempt: Vec<Exempt>,

    /// A date property: a task snoozed until today or later is left alone.
    #[arg(long, env = "SWEEP_SNOOZE_PROPERTY", value_name = "NAME")]
    pub(crate) snooze_property: Option<String>,
}

/// Where the summary goes.
#[derive(Debug, Args)]
pub(crate) struct ChannelArgs {
    /// Slack incoming webhook for the summary; none means no notification.
    #[arg(
        long,
        env = "SLACK_WEBHOOK_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub(crate) slack_webhook: Option<String>,

    /// Also post the summary here (repeatable): a Slack, Discord or Teams Workflows webhook URL, or KIND+URL (slack+, discord+, teams+, json+) for any other; the variable takes several, separated by spaces.
    #[arg(
        long = "notify",
        env = "SWEEP_NOTIFY",
        value_name = "URL",
        hide_env_values = true
    )]
    pub(crate) notify: Vec<String>,
}

/// Where and when the summary goes.
#[derive(Debug, Args)]
pub(crate) struct NotifyArgs {
    #[command(flatten)]
    pub(crate) channels: ChannelArgs,

    /// Never post the summary, even with webhooks set.
    #[arg(long)]
    pub(crate) no_notify: bool,

    /// Also post when nothing was overdue.
    #[arg(long)]
    pub(crate) notify_empty: bool,
}

/// Several boards from one settings file.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct ConfigArgs {
    /// A TOML file of several boards: defaults at the top, one [[board]] each (see README "Several boards").
    #[arg(long, env = "SWEEP_CONFIG", value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,

    /// Only this board of --config (repeatable) [default: every board].
    #[arg(long = "board", value_name = "NAME", requires = "config")]
    pub(crate) boards: Vec<String>,
}

/// Which board (or boards) and how to reach Notion: shared by `sweep`,
/// `check` and `schema`.
#[derive(Debug, Args)]
pub(crate) struct BoardArgs {
    /// Database ID (32 hex digits, dashes optional) or a Notion URL that contains one.
    #[arg(env = "NOTION_DATABASE_ID", value_name = "DATABASE")]
    pub(crate) database: Option<String>,

    #[command(flatten)]
    pub(crate) config: ConfigArgs,

    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
}

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    #[command(flatten)]
    pub(crate) board: BoardArgs,

    #[command(flatten)]
    pub(crate) rule: RuleArgs,

    /// Find and report, change nothing, post nothing.
    #[arg(long, env = "SWEEP_DRY_RUN")]
    pub(crate) dry_run: bool,

    /// After each task written, add a comment on its page saying what changed.
    #[arg(long, env = "SWEEP_COMMENT")]
    pub(crate) comment: bool,

    /// Before the first write, count the writes this run would make; more than N: write and post nothing, exit 3.
    #[arg(long, env = "SWEEP_MAX_CHANGES", value_name = "N", value_parser = max_changes)]
    pub(crate) max_changes: Option<usize>,

    /// Update at most N tasks in this run.
    #[arg(long, env = "SWEEP_LIMIT", value_name = "N", value_parser = limit)]
    pub(crate) limit: Option<usize>,

    /// When another sweep of the same data source is running, wait this many seconds for it, then exit 6.
    #[arg(long, env = "SWEEP_LOCK_WAIT", default_value_t = defaults::LOCK_WAIT, value_name = "SECS", value_parser = wait)]
    pub(crate) lock_wait: Seconds,

    /// Result format on standard output.
    #[arg(long, env = "SWEEP_OUTPUT", value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,

    #[command(flatten)]
    pub(crate) notify: NotifyArgs,
}

/// Arguments of `check`: what a sweep reads, nothing of what it writes.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) board: BoardArgs,

    #[command(flatten)]
    pub(crate) rule: RuleArgs,

    #[command(flatten)]
    pub(crate) channels: ChannelArgs,

    /// Result format on standard output.
    #[arg(long, env = "SWEEP_OUTPUT", value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,
}

/// Arguments of `schema`.
#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    #[command(flatten)]
    pub(crate) board: BoardArgs,

    /// Result format on standard output.
    #[arg(long, env = "SWEEP_OUTPUT", value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,
}

/// What `stale` and `digest` share besides the board: the status and
/// owners' properties, a dry run, the output and where the message goes.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The property that holds the task state (type status or select).
    #[arg(long, env = "SWEEP_STATUS_PROPERTY", default_value = defaults::STATUS_PROPERTY, value_name = "NAME")]
    pub(crate) status_property: String,

    /// The people property of a task's owners [default: a people property named Assignee, if any].
    #[arg(long, env = "SWEEP_ASSIGNEE_PROPERTY", value_name = "NAME")]
    pub(crate) assignee_property: Option<String>,

    /// Print the result, change nothing, post nothing.
    #[arg(long, env = "SWEEP_DRY_RUN")]
    pub(crate) dry_run: bool,

    /// Result format on standard output.
    #[arg(long, env = "SWEEP_OUTPUT", value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,

    #[command(flatten)]
    pub(crate) channels: ChannelArgs,
}

/// Arguments of `stale`.
#[derive(Debug, Args)]
pub(crate) struct StaleArgs {
    #[command(flatten)]
    pub(crate) board: BoardArgs,

    /// A status tasks may sit in too long (repeatable; the variable is comma-separated).
    #[arg(long, env = "STALE_STATUS", default_value = defaults::STALE_STATUS, value_delimiter = ',', value_name = "STATUS")]
    pub(crate) status: Vec<String>,

    /// Untouched for this many days (1 to 3650) is stale.
    #[arg(long, env = "STALE_IDLE", default_value_t = defaults::STALE_IDLE, value_name = "DAYS", value_parser = idle)]
    pub(crate) idle: u32,

    /// Also move stale tasks to this status (not one of --status).
    #[arg(long, env = "STALE_MOVE_TO", value_name = "STATUS")]
    pub(crate) move_to: Option<String>,

    /// With --move-to, when another run writes the same data source, wait this many seconds for it, then exit 6.
    #[arg(long, env = "SWEEP_LOCK_WAIT", default_value_t = defaults::LOCK_WAIT, value_name = "SECS", value_parser = wait)]
    pub(crate) lock_wait: Seconds,

    #[command(flatten)]
    pub(crate) report: ReportArgs,
}

/// Arguments of `digest`.
#[derive(Debug, Args)]
pub(crate) struct DigestArgs {
    #[command(flatten)]
    pub(crate) board: BoardArgs,

    /// List the tasks edited in the last HOURS (1 to 8784).
    #[arg(long, env = "DIGEST_SINCE", default_value_t = defaults::DIGEST_SINCE, value_name = "HOURS", value_parser = since)]
    pub(crate) since: u32,

    #[command(flatten)]
    pub(crate) report: ReportArgs,
}

/// Arguments of `undo`: the sweep's document, how to reach Notion, where
/// the message goes; the data sources and the status property come from
/// the document.
#[derive(Debug, Args)]
pub(crate) struct UndoArgs {
    /// The JSON document of an earlier sweep (--output json; one board or several), or - for standard input.
    #[arg(value_name = "REPORT")]
    pub(crate) report: String,

    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,

    /// Print what would be moved back, change nothing, post nothing.
    #[arg(long, env = "SWEEP_DRY_RUN")]
    pub(crate) dry_run: bool,

    /// When another run writes the same data source, wait this many seconds for it, then exit 6.
    #[arg(long, env = "SWEEP_LOCK_WAIT", default_value_t = defaults::LOCK_WAIT, value_name = "SECS", value_parser = wait)]
    pub(crate) lock_wait: Seconds,

    /// Result format on standard output.
    #[arg(long, env = "SWEEP_OUTPUT", value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,

    #[command(flatten)]
    pub(crate) channels: ChannelArgs,

    /// Never post the message, even with webhooks set.
    #[arg(long)]
    pub(crate) no_notify: bool,
}

/// Arguments of `demo`: only what cannot send anything outside the sandbox.
#[cfg(feature = "sandbox")]
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// What to run on the demo board: a sweep, the stale check or the digest.
    #[arg(value_enum, default_value_t = DemoJob::Sweep)]
    pub(crate) job: DemoJob,

    /// Find and report, change nothing in the sandbox.
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// Update at most N tasks.
    #[arg(long, value_name = "N", value_parser = limit)]
    pub(crate) limit: Option<usize>,

    /// Requests per second against the sandbox.
    #[arg(long, default_value_t = defaults::DEMO_RATE, value_name = "R", value_parser = rate)]
    pub(crate) rate: f64,

    #[command(flatten)]
    pub(crate) both_ways: BothWaysArgs,

    /// Result format on standard output.
    #[arg(long, env = "SWEEP_OUTPUT", value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,

    #[command(flatten)]
    pub(crate) log: LogArgs,
}

/// The jobs `demo` runs.
#[cfg(feature = "sandbox")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DemoJob {
    /// Move overdue tasks (the default).
    Sweep,
    /// List the tasks untouched for 7+ days in 'In Progress'.
    Stale,
    /// Count the tasks per status and list those edited in the last 24 hours.
    Digest,
}

/// Arguments of `sandbox`: a local Notion to try automations against.
#[cfg(feature = "sandbox")]
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Loopback port to listen on; 0 for any free port, printed on start.
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,

    /// A board to serve, as JSON (see crates/notion-sandbox/docs/sandbox.md) [default: the demo board].
    #[arg(long, value_name = "FILE")]
    pub(crate) board: Option<PathBuf>,

    /// Added to every Notion request, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub(crate) latency_ms: u64,

    /// Enforce Notion's rate limit: requests per second (429 with Retry-After past it).
    #[arg(long, value_name = "R", value_parser = rate)]
    pub(crate) rate_limit: Option<f64>,

    /// Fraction of Notion requests answered with a random 500/502/503/504 (0 to 1).
    #[arg(long, default_value = "0", value_name = "P", value_parser = fraction)]
    pub(crate) fault_rate: f64,

    /// The token the sandbox accepts.
    #[arg(long, default_value = notion_sandbox::SANDBOX_TOKEN)]
    pub(crate) token: String,

    /// Pin the sandbox's day (relative date filters, the demo board) [default: the board's, else today].
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub(crate) today: Option<NaiveDate>,

    /// Seed ids, faults and orders, to replay a session [default: fresh random ids].
    #[arg(long, value_name = "N")]
    pub(crate) seed: Option<u64>,

    #[command(flatten)]
    pub(crate) log: LogArgs,
}

/// Result format on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// A short table and one summary line.
    Text,
    /// Exactly one JSON document.
    Json,
    /// A GitHub flavoured table, fit for $GITHUB_STEP_SUMMARY.
    Markdown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
