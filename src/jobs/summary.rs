//! What a sweep did, as plain data: the tasks and their outcomes, the
//! run-level error and the notifications. The JSON document of the contract
//! is this, serialized, with the exit code the output derives from it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::board::ChannelKind;
use crate::notion::{NotionError, RequestCounts};

/// What became of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    Updated,
    WouldUpdate,
    /// `--restore`: moved back out of the late state.
    Restored,
    WouldRestore,
    /// `--due-soon`: listed, never written.
    DueSoon,
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
            Outcome::Restored => "restored",
            Outcome::WouldRestore => "would restore",
            Outcome::DueSoon => "due soon",
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
    pub(crate) code: TaskErrorCode,
    pub(crate) message: String,
    pub(crate) request_id: Option<String>,
}

/// The `code` of a task's error: Notion's own, or one of ours.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub(crate) enum TaskErrorCode {
    /// What Notion (or the client talking to it) said: `validation_error`, `timeout`…
    Notion(String),
    /// Ours: the row could not be read, or a write ended without a result.
    Ours(OurCode),
}

/// The error codes notion-sweep gives itself.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OurCode {
    /// A row of the results could not be read.
    UnreadableTask,
    /// A write ended without a result: a bug.
    InternalError,
}

impl From<&NotionError> for TaskError {
    fn from(error: &NotionError) -> Self {
        TaskError {
            status: error.status(),
            code: TaskErrorCode::Notion(error.code()),
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
    /// Its owners (`--assignee-property`); absent when the board has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) assignees: Option<Vec<Person>>,
    /// Found by `--restore` (in the late state, due again), not as overdue.
    #[serde(skip)]
    pub(crate) restore: bool,
}

/// A Notion user, as a task's owner.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Person {
    pub(crate) id: String,
    /// Their name; their ID when Notion gave none.
    pub(crate) name: String,
    /// `null` when Notion does not give it (the integration may not read emails).
    pub(crate) email: Option<String>,
}

/// The comments `--comment` left on the tasks written.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub(crate) struct CommentCounts {
    pub(crate) added: usize,
    pub(crate) failed: usize,
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
            assignees: None,
            restore: false,
            error: Some(TaskError {
                status: None,
                code: TaskErrorCode::Ours(OurCode::UnreadableTask),
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
            .map(|t| {
                format!(
                    "{}: {}",
                    t.kind.service(),
                    t.error.as_deref().unwrap_or("failed")
                )
            })
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
    pub(crate) kind: ChannelKind,
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

/// Everything a sweep reports: the JSON document of the contract, but for
/// the exit code (the output derives it) and the run's error (which the
/// document puts after it).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    /// The board's name in the settings file (several boards only).
    #[serde(rename = "name", skip_serializing_if = "Option::is_none")]
    pub(crate) board: Option<String>,
    pub(crate) database_id: Option<String>,
    pub(crate) data_source_id: Option<String>,
    pub(crate) as_of: NaiveDate,
    pub(crate) dry_run: bool,
    /// When the run began, to the second: what changed since is what
    /// `undo` looks at.
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) from: Vec<String>,
    pub(crate) to: String,
    /// The status property's name (what `undo` writes back).
    pub(crate) status_property: String,
    /// `--restore`: where restored tasks were moved to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) restore_to: Option<String>,
    pub(crate) matched: usize,
    pub(crate) updated: usize,
    /// Moved back out of the late state (`--restore`).
    pub(crate) restored: usize,
    /// Listed as due soon (`--due-soon`).
    pub(crate) due_soon: usize,
    pub(crate) failed: usize,
    pub(crate) tasks: Vec<TaskResult>,
    /// `--comment`: the comments added on the tasks written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) comments: Option<CommentCounts>,
    pub(crate) notification: Notification,
    /// One entry per target, in the order given.
    pub(crate) notifications: Vec<TargetNotification>,
    pub(crate) requests: RequestCounts,
    pub(crate) elapsed_ms: u64,
    #[serde(skip)]
    pub(crate) error: Option<RunError>,
    /// The database's title (the data source's when no database was looked
    /// up, its ID before either was read), for people.
    #[serde(skip)]
    pub(crate) title: String,
    /// The sweep got past its setup and its lock, and began reading tasks.
    #[serde(skip)]
    pub(crate) started: bool,
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

    /// Overdue tasks found (the tasks to move, whatever became of them).
    pub(crate) fn overdue(&self) -> usize {
        self.matched - self.tasks.iter().filter(|t| t.restore).count()
    }

    /// The name people know the board by: its name in the settings file,
    /// else its database's title.
    pub(crate) fn name(&self) -> &str {
        self.board.as_deref().unwrap_or(&self.title)
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
            assignees: None,
            restore: false,
        }
    }

    /// An incomplete run: updated, failed, skipped and unreadable rows,
    /// titles with markdown and Slack control characters.
    pub(crate) fn summary() -> Summary {
        let mut failed = task(3, "Review PR", "2026-11-21", Outcome::Failed);
        failed.error = Some(TaskError {
            status: Some(400),
            code: TaskErrorCode::Notion("validation_error".into()),
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
            board: None,
            database_id: Some("2f26ee68-df30-4251-aad4-8ddc420cba3d".into()),
            data_source_id: Some("248104cd-477e-80af-bc30-000bd28de8f9".into()),
            as_of: "2026-11-22".parse().unwrap(),
            dry_run: false,
            started_at: "2026-11-22T08:00:05Z".parse().unwrap(),
            from: vec!["To Do".into()],
            to: "Overdue".into(),
            status_property: "Status".into(),
            restore_to: None,
            matched: 5,
            updated: 2,
            restored: 0,
            due_soon: 0,
            failed: 2,
            tasks,
            comments: None,
            notification: Notification::of(NotificationStatus::Sent),
            notifications: vec![TargetNotification {
                kind: ChannelKind::Slack,
                status: NotificationStatus::Sent,
                error: None,
            }],
            requests: RequestCounts {
                sent: 9,
                retried: 1,
                rate_limited: 0,
            },
            elapsed_ms: 2310,
            error: None,
            title: "Team Tasks".into(),
            started: true,
            limit: None,
            limit_reached: false,
        }
    }

    /// A run both ways: moved, restored and due-soon tasks.
    pub(crate) fn both_ways() -> Summary {
        let mut restored = task(6, "Rescheduled demo", "2026-11-29", Outcome::Restored);
        restored.status = Some("Overdue".into());
        restored.restore = true;
        let tasks = vec![
            task(1, "Fix login bug", "2026-11-20", Outcome::Updated),
            restored,
            task(7, "Prepare the <Q4> review", "2026-11-24", Outcome::DueSoon),
            task(8, "Renew the certificate", "2026-11-22", Outcome::DueSoon),
        ];
        Summary {
            restore_to: Some("To Do".into()),
            matched: 2,
            updated: 1,
            restored: 1,
            due_soon: 2,
            failed: 0,
            tasks,
            ..summary()
        }
    }

    /// A person of the examples: Ada is mapped in [`people`], Grace is not.
    pub(crate) fn person(name: &str) -> Person {
        let first = name.split(' ').next().unwrap_or(name).to_lowercase();
        Person {
            id: format!("{:0>32}", first.len()),
            name: name.into(),
            email: Some(format!("{first}@acme.com")),
        }
    }

    /// The owners of the `n`th task of an example listing: Ada (mapped),
    /// Grace (not mapped) or nobody, in turn.
    pub(crate) fn owners_of(n: u32) -> Vec<Person> {
        match n % 3 {
            0 => vec![person("Ada Lovelace")],
            1 => vec![person("Grace Hopper")],
            _ => Vec::new(),
        }
    }

    /// The people map of the examples: Ada in every channel.
    pub(crate) fn people() -> crate::jobs::board::People {
        use crate::jobs::board::{ChatIds, People, PersonKey};
        People(vec![(
            PersonKey::Email("ada@acme.com".into()),
            ChatIds {
                slack: Some("U012AB3CD".into()),
                discord: Some("80351110224678912".into()),
                teams: Some("ada@acme.com".into()),
            },
        )])
    }

    /// A run both ways whose tasks have owners, mapped and not.
    pub(crate) fn with_owners() -> Summary {
        let mut summary = both_ways();
        let owners = [
            vec![person("Ada Lovelace")],
            vec![person("Grace Hopper")],
            vec![person("Ada Lovelace"), person("Grace Hopper")],
            vec![],
        ];
        for (task, owners) in summary.tasks.iter_mut().zip(owners) {
            task.assignees = Some(owners);
        }
        summary
    }
}
