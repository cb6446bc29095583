//! What a run did, as plain data: the tasks and their outcomes, the
//! run-level error, the notification, and the one rule that turns it all
//! into an exit code. The JSON document of the contract is this, serialized.

use chrono::NaiveDate;
use serde::Serialize;

use crate::notion::{NotionError, RequestCounts};

/// The process exit codes of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Exit {
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
    /// Another sweep of the same data source is running: nothing was done.
    Locked = 6,
}

impl Exit {
    /// The process exit code.
    pub(crate) fn code(self) -> u8 {
        self as u8
    }

    /// The exit code of several boards: the worst of theirs, in the order
    /// internal error, incomplete, setup, not notified, locked, done.
    pub(crate) fn worst(exits: impl IntoIterator<Item = Exit>) -> Exit {
        const ORDER: [Exit; 7] = [
            Exit::Internal,
            Exit::Usage,
            Exit::Incomplete,
            Exit::Setup,
            Exit::NotNotified,
            Exit::Locked,
            Exit::Done,
        ];
        exits
            .into_iter()
            .min_by_key(|e| ORDER.iter().position(|o| o == e))
            .unwrap_or(Exit::Done)
    }
}

/// What became of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    Updated,
    WouldUpdate,
    Failed,
    Skipped,
    /// Sent, but the run stopped before Notion answered: check Notion.
    Unknown,
}

impl Outcome {
    /// The word people read in tables.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Outcome::Updated => "updated",
            Outcome::WouldUpdate => "would update",
            Outcome::Failed => "FAILED",
            Outcome::Skipped => "skipped",
            Outcome::Unknown => "unknown",
        }
    }
}

/// Why one task was not updated.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct TaskError {
    pub(crate) status: Option<u16>,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) request_id: Option<String>,
}

impl From<&NotionError> for TaskError {
    fn from(error: &NotionError) -> Self {
        TaskError {
            status: error.status(),
            code: error.code(),
            message: error.to_string(),
            request_id: error.request_id().map(str::to_string),
        }
    }
}

/// One task the filter returned, and what became of it. A row that could
/// not be read has no due date or status: it failed, and says why.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TaskResult {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) url: String,
    /// The due date as a calendar date in `--tz`.
    pub(crate) due: Option<NaiveDate>,
    /// The status it had when read.
    pub(crate) status: Option<String>,
    pub(crate) outcome: Outcome,
    pub(crate) error: Option<TaskError>,
}

impl TaskResult {
    /// A row of the filter's results that could not be read.
    pub(crate) fn unreadable(id: String, why: String) -> TaskResult {
        TaskResult {
            id,
            title: String::new(),
            url: String::new(),
            due: None,
            status: None,
            outcome: Outcome::Failed,
            error: Some(TaskError {
                status: None,
                code: "unreadable_task".into(),
                message: why,
                request_id: None,
            }),
        }
    }

    /// The title shown for a task: its text, or a placeholder.
    pub(crate) fn display_title(&self) -> String {
        if !self.title.trim().is_empty() {
            self.title.clone()
        } else if self.due.is_none() {
            format!("(unreadable task {})", self.id)
        } else {
            "(untitled)".into()
        }
    }
}

/// How the notification went.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Notification {
    pub(crate) status: NotificationStatus,
    pub(crate) error: Option<String>,
}

impl Notification {
    /// A notification with this status and no error.
    pub(crate) fn of(status: NotificationStatus) -> Notification {
        Notification {
            status,
            error: None,
        }
    }
}

impl Notification {
    /// The aggregate of the targets' outcomes: sent if every one was sent,
    /// failed (with each failure's service and error) if any failed.
    pub(crate) fn of_targets(targets: &[TargetNotification]) -> Notification {
        let failures: Vec<String> = targets
            .iter()
            .filter(|t| t.status == NotificationStatus::Failed)
            .map(|t| format!("{}: {}", t.service, t.error.as_deref().unwrap_or("failed")))
            .collect();
        if !failures.is_empty() {
            return Notification {
                status: NotificationStatus::Failed,
                error: Some(failures.join("; ")),
            };
        }
        Notification::of(match targets.first() {
            None => NotificationStatus::NotConfigured,
            Some(_) if targets.iter().all(|t| t.status == NotificationStatus::Sent) => {
                NotificationStatus::Sent
            }
            Some(_) => NotificationStatus::Skipped,
        })
    }
}

/// How the summary went to one target (`notifications` of the JSON document).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct TargetNotification {
    /// `slack`, `discord`, `teams` or `json`.
    pub(crate) kind: &'static str,
    /// The service's name, for people.
    #[serde(skip)]
    pub(crate) service: &'static str,
    pub(crate) status: NotificationStatus,
    pub(crate) error: Option<String>,
}

/// `notification.status` of the JSON document.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum NotificationStatus {
    Sent,
    Failed,
    /// Nothing to say, a dry run, or `--no-notify`.
    Skipped,
    NotConfigured,
}

/// Why a run ended before it had handled every overdue task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RunErrorKind {
    /// Refused before the first write: nothing was changed (exit 3).
    Setup,
    Interrupted,
    TokenRefused,
    CapabilityMissing,
    /// Notion blocked the integration (429 `public_api_request_blocked`).
    Blocked,
    /// The run's `--deadline` passed.
    DeadlineReached,
    QueryFailed,
    RowCap,
    /// Another sweep of the data source holds its lock (exit 6).
    Locked,
    /// Something no other kind names (exit 1).
    Internal,
}

impl RunErrorKind {
    /// The run stopped before it read or wrote any task.
    pub(crate) fn before_any_task(self) -> bool {
        matches!(
            self,
            RunErrorKind::Setup | RunErrorKind::Locked | RunErrorKind::Internal
        )
    }
}

/// A run-level error in the JSON document.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RunError {
    pub(crate) kind: RunErrorKind,
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) request_id: Option<String>,
}

impl RunError {
    /// An error of `kind`, with Notion's status, code and request id when it came from Notion.
    pub(crate) fn new(
        kind: RunErrorKind,
        message: String,
        notion: Option<&NotionError>,
    ) -> RunError {
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
pub(crate) struct Summary {
    pub(crate) database_id: Option<String>,
    pub(crate) data_source_id: Option<String>,
    pub(crate) as_of: NaiveDate,
    pub(crate) dry_run: bool,
    pub(crate) from: Vec<String>,
    pub(crate) to: String,
    pub(crate) matched: usize,
    pub(crate) updated: usize,
    pub(crate) failed: usize,
    pub(crate) tasks: Vec<TaskResult>,
    pub(crate) notification: Notification,
    /// One entry per target, in the order given.
    pub(crate) notifications: Vec<TargetNotification>,
    pub(crate) requests: RequestCounts,
    pub(crate) elapsed_ms: u64,
    pub(crate) exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<RunError>,
    /// The database's name, for people.
    #[serde(skip)]
    pub(crate) name: String,
    #[serde(skip)]
    pub(crate) limit: Option<usize>,
    #[serde(skip)]
    pub(crate) limit_reached: bool,
}

impl Summary {
    /// Tasks with the given outcome.
    pub(crate) fn count(&self, outcome: Outcome) -> usize {
        self.tasks.iter().filter(|t| t.outcome == outcome).count()
    }

    /// The one rule that turns a run into an exit code.
    pub(crate) fn exit(&self) -> Exit {
        if let Some(error) = &self.error {
            return match error.kind {
                RunErrorKind::Setup => Exit::Setup,
                RunErrorKind::Locked => Exit::Locked,
                RunErrorKind::Internal => Exit::Internal,
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

    /// The run stopped before it read any task: there is no result to show,
    /// only the error.
    pub(crate) fn read_nothing(&self) -> bool {
        self.error
            .as_ref()
            .is_some_and(|e| e.kind.before_any_task() || self.matched == 0)
    }

    /// Whole days between a task's due date and `--as-of`.
    pub(crate) fn days_late(&self, task: &TaskResult) -> Option<i64> {
        task.due.map(|due| (self.as_of - due).num_days())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_exit_of_several_boards() {
        use Exit::*;
        assert_eq!(Exit::worst([Done, Locked, NotNotified]), NotNotified);
        assert_eq!(Exit::worst([Done, Setup, NotNotified]), Setup);
        assert_eq!(Exit::worst([Setup, Incomplete, Done]), Incomplete);
        assert_eq!(Exit::worst([Incomplete, Internal]), Internal);
        assert_eq!(Exit::worst([Done, Locked]), Locked);
        assert_eq!(Exit::worst([]), Done);
    }
}

/// "1 task", "2 tasks".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

#[cfg(test)]
pub(crate) mod example {
    //! One summary with every kind of row, for the snapshot tests of what people see.

    use super::*;

    fn task(n: u32, title: &str, due: &str, outcome: Outcome) -> TaskResult {
        TaskResult {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            title: title.into(),
            url: format!("https://www.notion.so/Task-{n:032}"),
            due: due.parse().ok(),
            status: Some("To Do".into()),
            outcome,
            error: None,
        }
    }

    /// An incomplete run: updated, failed, skipped and unreadable rows,
    /// titles with markdown and Slack control characters.
    pub(crate) fn summary() -> Summary {
        let mut failed = task(3, "Review PR", "2026-11-21", Outcome::Failed);
        failed.error = Some(TaskError {
            status: Some(400),
            code: "validation_error".into(),
            message: "Notion answered 400 validation_error: page is locked (request id r-1)".into(),
            request_id: Some("r-1".into()),
        });
        let tasks = vec![
            task(1, "Fix login bug", "2026-11-20", Outcome::Updated),
            task(
                2,
                "Ship <v2> & *celebrate* | party_time",
                "2026-11-01",
                Outcome::Updated,
            ),
            failed,
            task(4, "", "2026-11-18", Outcome::Skipped),
            TaskResult::unreadable(
                "00000000-0000-4000-8000-000000000005".into(),
                "its due date 'soon' is not a date".into(),
            ),
        ];
        Summary {
            database_id: Some("2f26ee68-df30-4251-aad4-8ddc420cba3d".into()),
            data_source_id: Some("248104cd-477e-80af-bc30-000bd28de8f9".into()),
            as_of: "2026-11-22".parse().unwrap(),
            dry_run: false,
            from: vec!["To Do".into()],
            to: "Overdue".into(),
            matched: 5,
            updated: 2,
            failed: 2,
            tasks,
            notification: Notification::of(NotificationStatus::Sent),
            notifications: vec![TargetNotification {
                kind: "slack",
                service: "Slack",
                status: NotificationStatus::Sent,
                error: None,
            }],
            requests: RequestCounts {
                sent: 9,
                retried: 1,
                rate_limited: 0,
            },
            elapsed_ms: 2310,
            exit_code: 4,
            error: None,
            name: "Team Tasks".into(),
            limit: None,
            limit_reached: false,
        }
    }
}
