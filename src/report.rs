//! The result of a run, for people (text, markdown) and for machines (JSON),
//! and the one function that turns it into an exit code.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::notion::{NotionError, RequestCounts, StopReason};
use crate::sweep::{Halt, Outcome, SetupError, SweepOutcome, TaskResult};

/// The process exit codes of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Exit {
    /// Every overdue task was updated and the summary posted where due.
    Done = 0,
    /// A bug or an error no other code names.
    Internal = 1,
    /// Bad flags or values, missing token.
    Usage = 2,
    /// Nothing was written: token, sharing, capability, schema, data source choice.
    Setup = 3,
    /// Some tasks were not updated; running again finishes the rest.
    Incomplete = 4,
    /// Every update was done but the summary could not be posted.
    NotNotified = 5,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// How the Slack summary went.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Notification {
    pub status: NotificationStatus,
    pub error: Option<String>,
}

/// `notification.status` of the JSON document.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NotificationStatus {
    Sent,
    Failed,
    /// Nothing to say, a dry run, or `--no-notify`.
    Skipped,
    NotConfigured,
}

/// A run-level error in the JSON document.
#[derive(Debug, Clone, Serialize)]
pub struct RunError {
    /// `setup`, `interrupted`, `token_refused`, `query_failed`, `row_cap`.
    pub kind: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl RunError {
    fn new(kind: &'static str, message: String, notion: Option<&NotionError>) -> RunError {
        RunError {
            kind,
            message,
            status: notion.and_then(NotionError::status),
            code: notion.map(NotionError::code),
            request_id: notion.and_then(|e| e.request_id().map(str::to_string)),
        }
    }
}

/// Everything a sweep reports: the JSON document of the contract.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub database_id: Option<String>,
    pub data_source_id: Option<String>,
    pub as_of: chrono::NaiveDate,
    pub dry_run: bool,
    pub from: Vec<String>,
    pub to: String,
    pub matched: usize,
    pub updated: usize,
    pub failed: usize,
    pub tasks: Vec<TaskResult>,
    pub notification: Notification,
    pub requests: RequestCounts,
    pub elapsed_ms: u64,
    pub exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
    /// The database's name, for people.
    #[serde(skip)]
    pub name: String,
    #[serde(skip)]
    pub limit: Option<usize>,
    #[serde(skip)]
    pub limit_reached: bool,
}

impl Summary {
    /// Fills in the tasks, the counts and the run-level error. The exit code
    /// is set once the notification is known.
    pub fn finish(&mut self, outcome: SweepOutcome) {
        self.matched = outcome.tasks.len();
        self.updated = outcome.count(Outcome::Updated);
        self.failed = outcome.count(Outcome::Failed);
        self.limit_reached = outcome.limit_reached;
        self.error = outcome.halt.as_ref().map(|halt| match halt {
            Halt::Stopped(StopReason::Interrupted) => RunError::new(
                "interrupted",
                "interrupted (SIGINT/SIGTERM) before every task was handled".into(),
                None,
            ),
            Halt::Stopped(StopReason::TokenRefused) => RunError::new(
                self.setup_if_nothing_written("token_refused"),
                "Notion refused the token (401); check that NOTION_TOKEN holds the integration's current secret".into(),
                None,
            ),
            Halt::Stopped(StopReason::CapabilityMissing) => RunError::new(
                self.setup_if_nothing_written("capability_missing"),
                "Notion refused a write for a missing capability (403 restricted_resource); \
                 enable Update content in the integration's settings at notion.so/my-integrations"
                    .into(),
                None,
            ),
            Halt::QueryFailed(error) => {
                let kind = if is_setup_error(error) {
                    self.setup_if_nothing_written("query_failed")
                } else {
                    "query_failed"
                };
                RunError::new(
                    kind,
                    crate::sweep::notion_setup_message("could not read the overdue tasks", error),
                    Some(error),
                )
            }
            Halt::RowCap(day) => RunError::new(
                "row_cap",
                format!(
                    "more rows than Notion returns for one query share due date {day} and cannot be moved; \
                     the rest were not read"
                ),
                None,
            ),
        });
        self.tasks = outcome.tasks;
    }

    /// A refusal before the first successful write is a setup error (exit 3).
    fn setup_if_nothing_written(&self, kind: &'static str) -> &'static str {
        if self.updated == 0 {
            "setup"
        } else {
            kind
        }
    }

    /// The one rule that turns a run into an exit code.
    pub fn exit(&self) -> Exit {
        if let Some(error) = &self.error {
            return match error.kind {
                "setup" => Exit::Setup,
                _ => Exit::Incomplete,
            };
        }
        if self.failed > 0 {
            return Exit::Incomplete;
        }
        if self.notification.status == NotificationStatus::Failed {
            return Exit::NotNotified;
        }
        Exit::Done
    }

    /// A summary for a run that stopped in setup.
    pub fn setup_failed(mut self, error: &SetupError) -> Summary {
        let exit = setup_exit(error);
        self.error = Some(RunError::new(
            if exit == Exit::Setup {
                "setup"
            } else {
                "query_failed"
            },
            error.to_string(),
            error.notion(),
        ));
        self.exit_code = exit.code();
        self
    }

    /// The one line that says how the run went.
    pub fn headline(&self) -> String {
        let late = self.matched;
        let to = &self.to;
        let name = &self.name;
        let as_of = self.as_of;
        if let Some(error) = self.error.as_ref().filter(|e| e.kind == "setup") {
            return format!("Nothing was changed in {name}: {}", error.message);
        }
        let mut line = if late == 0 {
            format!("No overdue tasks in {name} as of {as_of}.")
        } else if self.dry_run {
            let would = self
                .tasks
                .iter()
                .filter(|t| t.outcome == Outcome::WouldUpdate)
                .count();
            format!("Dry run: {would} of {late} overdue {} in {name} would move to '{to}' (as of {as_of}); nothing was changed.", plural(late, "task"))
        } else if self.updated == late {
            format!(
                "Moved {late} overdue {} in {name} to '{to}' (as of {as_of}).",
                plural(late, "task")
            )
        } else {
            format!(
                "Moved {} of {late} overdue {} in {name} to '{to}' (as of {as_of}).",
                self.updated,
                plural(late, "task")
            )
        };
        if self.failed > 0 {
            line.push_str(&format!(
                " {} could not be updated; run again to retry.",
                self.failed
            ));
        }
        if self.limit_reached {
            line.push_str(&format!(
                " Stopped at --limit {}; run again for the rest.",
                self.limit.unwrap_or(0)
            ));
        }
        if let Some(error) = &self.error {
            line.push_str(&format!(
                " Stopped early: {}. Run again to finish.",
                error.message
            ));
        }
        match (&self.notification.status, &self.notification.error) {
            (NotificationStatus::Failed, Some(error)) => {
                line.push_str(&format!(" The Slack summary could not be posted: {error}."))
            }
            (NotificationStatus::Sent, _) => line.push_str(" Summary posted to Slack."),
            _ => {}
        }
        line
    }

    /// Renders the summary for standard output.
    pub fn render(&self, format: OutputFormat) -> String {
        match format {
            OutputFormat::Json => {
                let mut json = serde_json::to_string_pretty(self).expect("a summary serializes");
                json.push('\n');
                json
            }
            OutputFormat::Text => self.text(),
            OutputFormat::Markdown => self.markdown(),
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if !self.tasks.is_empty() {
            let width = self
                .tasks
                .iter()
                .map(|t| display_title(t).chars().count())
                .max()
                .unwrap_or(0)
                .clamp(5, 50);
            out.push_str(&format!(
                "{:<width$}  {:<10}  {:>4}  OUTCOME\n",
                "TASK", "DUE", "LATE"
            ));
            for t in &self.tasks {
                let title: String = truncate(&display_title(t), width);
                out.push_str(&format!(
                    "{title:<width$}  {}  {:>3}d  {}\n",
                    t.task.due,
                    self.days_late(t),
                    outcome_word(t.outcome)
                ));
                if let Some(error) = &t.error {
                    out.push_str(&format!("{:width$}  ↳ {}\n", "", error.message));
                }
            }
            out.push('\n');
        }
        out.push_str(&self.headline());
        out.push('\n');
        out
    }

    fn markdown(&self) -> String {
        let mut out = format!("### notion-sweep: {}\n\n", escape_markdown(&self.name));
        if !self.tasks.is_empty() {
            out.push_str("| Task | Due | Days overdue | Outcome |\n|---|---|--:|---|\n");
            for t in &self.tasks {
                let title = escape_markdown(&display_title(t));
                let task = if t.task.url.is_empty() {
                    title
                } else {
                    format!("[{title}]({})", t.task.url)
                };
                let mut outcome = outcome_word(t.outcome).to_string();
                if let Some(error) = &t.error {
                    outcome.push_str(&format!(": {}", escape_markdown(&error.message)));
                }
                out.push_str(&format!(
                    "| {task} | {} | {} | {outcome} |\n",
                    t.task.due,
                    self.days_late(t)
                ));
            }
            out.push('\n');
        }
        out.push_str(&format!("**{}**\n", escape_markdown(&self.headline())));
        out
    }

    /// Whole days between the due date and `--as-of`.
    pub fn days_late(&self, task: &TaskResult) -> i64 {
        (self.as_of - task.task.due).num_days()
    }
}

/// 3 for a setup error, 4 when Notion could not be reached after retries.
pub fn setup_exit(error: &SetupError) -> Exit {
    match error.notion() {
        Some(notion) if !is_setup_error(notion) => Exit::Incomplete,
        _ => Exit::Setup,
    }
}

/// A refusal that running again will not fix (401, 403, 404, 400).
fn is_setup_error(error: &NotionError) -> bool {
    matches!(error, NotionError::Api(api) if matches!(api.status, 400 | 401 | 403 | 404))
}

/// The title shown for a task: its text, or a placeholder.
pub fn display_title(task: &TaskResult) -> String {
    if task.task.title.trim().is_empty() {
        if task.task.url.is_empty() && task.task.status.is_empty() {
            format!("(unreadable task {})", task.task.id)
        } else {
            "(untitled)".into()
        }
    } else {
        task.task.title.clone()
    }
}

fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Updated => "updated",
        Outcome::WouldUpdate => "would update",
        Outcome::Failed => "FAILED",
        Outcome::Skipped => "skipped",
    }
}

/// "1 task", "2 tasks".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '[' | ']' | '*' | '_' | '`' | '\\' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
