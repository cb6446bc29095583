//! What `stale` found: the tasks, what became of each, and the counts.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::jobs::summary::TaskError;
use crate::jobs::task::Task;

/// What became of one stale task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StaleOutcome {
    /// Listed, and left where it is.
    Stale,
    /// `--move-to`: moved.
    Moved,
    WouldMove,
    Failed,
    /// Not reached before the run stopped.
    Skipped,
    /// Sent, but the run stopped before Notion answered: check Notion.
    Unknown,
}

impl StaleOutcome {
    /// The word people read in tables.
    pub(crate) fn word(self) -> &'static str {
        match self {
            StaleOutcome::Stale => "stale",
            StaleOutcome::Moved => "moved",
            StaleOutcome::WouldMove => "would move",
            StaleOutcome::Failed => "FAILED",
            StaleOutcome::Skipped => "skipped",
            StaleOutcome::Unknown => "unknown",
        }
    }
}

/// One stale task, and what became of it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StaleTask {
    #[serde(flatten)]
    pub(crate) task: Task,
    /// Whole days since its last edit.
    pub(crate) idle_days: Option<i64>,
    pub(crate) outcome: StaleOutcome,
    pub(crate) error: Option<TaskError>,
}

/// What `stale` found.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Stale {
    /// The statuses looked in (`--status`).
    pub(crate) statuses: Vec<String>,
    /// Untouched this many days is stale (`--idle`).
    pub(crate) idle_days: u32,
    /// The instant the filter asked for tasks last edited before.
    pub(crate) edited_before: DateTime<Utc>,
    /// Where stale tasks were moved (`--move-to`), if anywhere.
    pub(crate) move_to: Option<String>,
    pub(crate) matched: usize,
    pub(crate) moved: usize,
    pub(crate) failed: usize,
    pub(crate) tasks: Vec<StaleTask>,
    /// When the run looked: idle days count to this instant.
    #[serde(skip)]
    pub(crate) now: DateTime<Utc>,
}

impl Stale {
    /// Tasks with the given outcome.
    pub(crate) fn count(&self, outcome: StaleOutcome) -> usize {
        self.tasks.iter().filter(|t| t.outcome == outcome).count()
    }
}

#[cfg(test)]
pub(crate) mod example {
    //! Stale runs with every kind of row, for the snapshot tests of what people see.

    use chrono::{DateTime, Duration, Utc};

    use super::{Stale, StaleOutcome, StaleTask};
    use crate::jobs::board::ChannelKind;
    use crate::jobs::run::Run;
    use crate::jobs::summary::{
        Notification, NotificationStatus, TargetNotification, TaskError, TaskErrorCode,
    };
    use crate::jobs::task::Task;
    use crate::notion::RequestCounts;

    /// The instant the example runs looked.
    pub(crate) fn now() -> DateTime<Utc> {
        "2026-11-22T09:30:00Z".parse().unwrap()
    }

    fn task(n: u32, title: &str, status: &str, idle: i64, outcome: StaleOutcome) -> StaleTask {
        StaleTask {
            task: Task {
                id: format!("00000000-0000-4000-8000-{n:012}"),
                title: title.into(),
                url: format!("https://www.notion.so/Task-{n:032}"),
                status: Some(status.into()),
                last_edited: Some(now() - Duration::days(idle) - Duration::minutes(17)),
                assignees: Some(crate::jobs::summary::example::owners_of(n)),
            },
            idle_days: Some(idle),
            outcome,
            error: None,
        }
    }

    /// A run that moved tasks, one of them failing, with titles full of
    /// markup; posted to Slack.
    pub(crate) fn run() -> Run<Stale> {
        let mut failed = task(3, "Review PR", "Review", 9, StaleOutcome::Failed);
        failed.error = Some(TaskError {
            status: Some(400),
            code: TaskErrorCode::Notion("validation_error".into()),
            message: "Notion answered 400 validation_error: page is locked (request id r-1)".into(),
            request_id: Some("r-1".into()),
        });
        let tasks = vec![
            task(1, "Fix login bug", "In Progress", 12, StaleOutcome::Moved),
            task(
                2,
                "Ship <v2> & *celebrate* | party_time",
                "In Progress",
                30,
                StaleOutcome::Moved,
            ),
            failed,
        ];
        Run {
            board: None,
            database_id: Some("2f26ee68-df30-4251-aad4-8ddc420cba3d".into()),
            data_source_id: Some("248104cd-477e-80af-bc30-000bd28de8f9".into()),
            dry_run: false,
            found: Stale {
                statuses: vec!["In Progress".into(), "Review".into()],
                idle_days: 7,
                edited_before: now() - Duration::days(7),
                move_to: Some("Stalled".into()),
                matched: 3,
                moved: 2,
                failed: 1,
                tasks,
                now: now(),
            },
            notification: Notification::of(NotificationStatus::Sent),
            notifications: vec![TargetNotification {
                kind: ChannelKind::Slack,
                status: NotificationStatus::Sent,
                error: None,
            }],
            requests: RequestCounts {
                sent: 6,
                retried: 0,
                rate_limited: 0,
            },
            elapsed_ms: 840,
            error: None,
            title: "Team Tasks".into(),
            started: true,
        }
    }

    /// A run that only lists: twelve tasks in one status.
    pub(crate) fn listed() -> Run<Stale> {
        let mut run = run();
        run.found.statuses = vec!["In Progress".into()];
        run.found.move_to = None;
        run.found.tasks = (0..12)
            .map(|n| {
                task(
                    n + 1,
                    &format!("Task {}", n + 1),
                    "In Progress",
                    7 + i64::from(n),
                    StaleOutcome::Stale,
                )
            })
            .collect();
        run.found.matched = 12;
        run.found.moved = 0;
        run.found.failed = 0;
        run
    }
}
