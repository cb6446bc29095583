//! The command line as typed: flags, their environment variables and defaults.
//!
//! Nothing here is validated beyond what clap does; [`crate::settings`] turns
//! these raw values into settings the rest of the program can trust.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Moves overdue Notion tasks to "Overdue" and posts one summary to Slack.
#[derive(Debug, Parser)]
#[command(name = "notion-sweep", version, about, long_about = None)]
#[command(
    after_help = "The Notion token comes from NOTION_TOKEN or --token-file, never from a flag.\n\
A .env file in the working directory is read if present; real environment variables win.\n\
Exit codes: 0 done, 1 internal error, 2 usage, 3 setup (nothing written), 4 incomplete, 5 summary not posted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find overdue tasks, move them to the late status, and post a summary.
    Sweep(SweepArgs),
    /// Preflight: check token, sharing, data source, properties and options; write nothing.
    Check(SweepArgs),
    /// Print the database's data sources, their properties and options.
    Schema(SchemaArgs),
    /// Run a real sweep over HTTP against a built-in sandbox board (no token, no network).
    Demo(DemoArgs),
    /// Serve the sandbox Notion (and a Slack webhook sink) on loopback until interrupted.
    Sandbox(SandboxArgs),
}

/// How to reach Notion.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Read the Notion token from this file (the token itself is never a flag).
    #[arg(long, env = "NOTION_TOKEN_FILE", value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// Which data source, by ID or name, when the database has several. An ID skips the database lookup.
    #[arg(long, env = "NOTION_DATA_SOURCE", value_name = "ID_OR_NAME")]
    pub data_source: Option<String>,

    /// Notion requests per second, averaged over all calls (3 for most plans, 10 for Business).
    #[arg(long, env = "NOTION_RATE", default_value = "3", value_name = "R")]
    pub rate: String,

    /// Retries of one request on 409, 429, 5xx, timeouts and connection errors.
    #[arg(
        long,
        env = "NOTION_MAX_RETRIES",
        default_value = "5",
        value_name = "N"
    )]
    pub max_retries: String,

    /// Per-request timeout in seconds.
    #[arg(
        long,
        env = "NOTION_TIMEOUT",
        default_value = "30",
        value_name = "SECS"
    )]
    pub timeout: String,

    /// Give up retrying after this many seconds in all, so a cron job cannot hang for hours.
    #[arg(
        long,
        env = "NOTION_DEADLINE",
        default_value = "900",
        value_name = "SECS"
    )]
    pub deadline: String,

    /// Notion API base URL, for proxies and tests; plain http only to loopback hosts.
    #[arg(
        long,
        env = "NOTION_API_URL",
        default_value = "https://api.notion.com",
        value_name = "URL"
    )]
    pub api_url: String,

    /// The Notion-Version header sent on every request.
    #[arg(
        long,
        env = "NOTION_VERSION",
        default_value = crate::notion::NOTION_VERSION,
        value_name = "V"
    )]
    pub notion_version: String,

    #[command(flatten)]
    pub log: LogArgs,
}

/// Log detail on standard error.
#[derive(Debug, Args, Clone, Copy)]
pub struct LogArgs {
    /// Only errors on standard error; in text output, print nothing when nothing was overdue.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More detail on standard error (-v: each request and task, -vv: debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// What a sweep looks for and what it changes.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Database ID (32 hex digits, dashes optional) or a Notion URL that contains one.
    #[arg(env = "NOTION_DATABASE_ID", value_name = "DATABASE")]
    pub database: Option<String>,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub rule: RuleArgs,

    #[command(flatten)]
    pub run: RunArgs,

    /// Slack incoming webhook for the summary; none means no notification.
    #[arg(
        long,
        env = "SLACK_WEBHOOK_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub slack_webhook: Option<String>,

    /// Never post to Slack, even with a webhook set.
    #[arg(long)]
    pub no_notify: bool,

    /// Also post when nothing was overdue.
    #[arg(long)]
    pub notify_empty: bool,
}

/// Which tasks are overdue and where they go.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// The property that holds the task state (type status or select).
    #[arg(
        long,
        env = "SWEEP_STATUS_PROPERTY",
        default_value = "Status",
        value_name = "NAME"
    )]
    pub status_property: String,

    /// The property that holds the due date (type date).
    #[arg(
        long,
        env = "SWEEP_DATE_PROPERTY",
        default_value = "Due Date",
        value_name = "NAME"
    )]
    pub date_property: String,

    /// Open states that can become overdue (repeatable; the variable is comma-separated).
    #[arg(
        long = "from",
        env = "SWEEP_FROM",
        default_value = "To Do",
        value_delimiter = ',',
        value_name = "STATUS"
    )]
    pub from: Vec<String>,

    /// The state overdue tasks are moved to.
    #[arg(
        long,
        env = "SWEEP_TO",
        default_value = "Overdue",
        value_name = "STATUS"
    )]
    pub to: String,

    /// Tasks due strictly before this date (YYYY-MM-DD) are overdue [default: today in --tz].
    #[arg(long, env = "SWEEP_AS_OF", value_name = "DATE")]
    pub as_of: Option<String>,

    /// IANA zone used to compute "today" and to read due datetimes [default: the system's zone].
    #[arg(long, env = "SWEEP_TZ", value_name = "ZONE")]
    pub tz: Option<String>,
}

/// How the run behaves and reports.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Find and report, change nothing, post nothing.
    #[arg(long, env = "SWEEP_DRY_RUN")]
    pub dry_run: bool,

    /// Update at most N tasks in this run.
    #[arg(long, env = "SWEEP_LIMIT", value_name = "N")]
    pub limit: Option<String>,

    /// Result format on standard output.
    #[arg(long, env = "SWEEP_OUTPUT", value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// Arguments of `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Database ID (32 hex digits, dashes optional) or a Notion URL that contains one.
    #[arg(env = "NOTION_DATABASE_ID", value_name = "DATABASE")]
    pub database: Option<String>,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Result format on standard output.
    #[arg(long, env = "SWEEP_OUTPUT", value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// Arguments of `demo`: only what cannot send anything outside the sandbox.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Find and report, change nothing in the sandbox.
    #[arg(long)]
    pub dry_run: bool,

    /// Update at most N tasks.
    #[arg(long, value_name = "N")]
    pub limit: Option<String>,

    /// Requests per second against the sandbox.
    #[arg(long, default_value = "50", value_name = "R")]
    pub rate: String,

    /// Result format on standard output.
    #[arg(long, env = "SWEEP_OUTPUT", value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    #[command(flatten)]
    pub log: LogArgs,
}

/// Arguments of `sandbox`: a local Notion to try automations against.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Loopback port to listen on [default: any free port, printed on start].
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// A board to serve, as JSON (see crates/notion-sandbox/docs/sandbox.md) [default: the demo board].
    #[arg(long, value_name = "FILE")]
    pub board: Option<PathBuf>,

    /// Added to every Notion request, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,

    /// Enforce Notion's rate limit: requests per second (429 with Retry-After past it).
    #[arg(long, value_name = "R")]
    pub rate_limit: Option<f64>,

    /// Fraction of Notion requests answered with a random 500/502/503/504 (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    pub fault_rate: f64,

    /// The token the sandbox accepts.
    #[arg(long, default_value = notion_sandbox::SANDBOX_TOKEN)]
    pub token: String,

    #[command(flatten)]
    pub log: LogArgs,
}

/// Result format on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// A short table and one summary line.
    Text,
    /// Exactly one JSON document.
    Json,
    /// A GitHub flavoured table, fit for $GITHUB_STEP_SUMMARY.
    Markdown,
}
