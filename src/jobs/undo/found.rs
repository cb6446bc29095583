//! What `undo` is asked (a [`Plan`]: the tasks a sweep's document lists as
//! moved) and what it found ([`Undo`]: each task, what became of it, the
//! counts).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::jobs::summary::TaskError;

/// One task a sweep moved, as its document lists it: trusted for its page
/// ID (checked), its title and the two statuses, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    /// The page ID, dashed lower case.
    pub(crate) id: String,
    pub(crate) title: String,
    /// The status the sweep set (its `to`, or its `restore_to` for a task
    /// it restored).
    pub(crate) swept_to: String,
    /// The status the task had before the sweep: where it goes back to.
    pub(crate) back_to: String,
}

/// What `undo` is asked of one board of the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The status property's name, as the sweep wrote it.
    pub(crate) status_property: String,
    /// The sweep's late state.
    pub(crate) to: String,
    /// Where the sweep's `--restore` moved tasks, if it did.
    pub(crate) restore_to: Option<String>,
    /// When the sweep began (its `started_at`), to the second.
    pub(crate) swept_at: Option<DateTime<Utc>>,
    /// Every task it moved, each once.
    pub(crate) tasks: Vec<Listed>,
}

/// What became of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum UndoOutcome {
    /// Moved back to its status before the sweep.
    Undone,
    /// `--dry-run`: would be moved back.
    WouldUndo,
    /// Its status is no longer the one the sweep set: left alone.
    Conflict,
    Failed,
    /// Not reached before the run stopped.
    Skipped,
    /// Sent, but the run stopped before Notion answered: check Notion.
    Unknown,
}

impl UndoOutcome {
    /// The word people read in tables.
    pub(crate) fn word(self) -> &'static str {
        match self {
            UndoOutcome::Undone => "undone",
            UndoOutcome::WouldUndo => "would undo",
            UndoOutcome::Conflict => "conflict",
            UndoOutcome::Failed => "FAILED",
            UndoOutcome::Skipped => "skipped",
            UndoOutcome::Unknown => "unknown",
        }
    }
}

/// One listed task, and what became of it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UndoTask {
    pub(crate) id: String,
    /// As the document names it.
    pub(crate) title: String,
    /// Its link as Notion gives it (never the document's); empty until read.
    pub(crate) url: String,
    /// The status the sweep set.
    pub(crate) swept_to: String,
    /// The status it had before the sweep.
    pub(crate) back_to: String,
    /// Its status when read again; `null` when it was not read.
    pub(crate) status: Option<String>,
    pub(crate) outcome: UndoOutcome,
    pub(crate) error: Option<TaskError>,
    /// Its status was read again (by a query or its page).
    #[serde(skip)]
    pub(crate) checked: bool,
}

impl UndoTask {
    /// A listed task, not yet read.
    pub(crate) fn of(listed: &Listed) -> UndoTask {
        UndoTask {
            id: listed.id.clone(),
            title: listed.title.clone(),
            url: String::new(),
            swept_to: listed.swept_to.clone(),
            back_to: listed.back_to.clone(),
            status: None,
            outcome: UndoOutcome::Skipped,
            error: None,
            checked: false,
        }
    }

    /// The title shown for a task: its text, or a placeholder.
    pub(crate) fn display_title(&self) -> String {
        if self.title.trim().is_empty() {
            "(untitled)".into()
        } else {
            self.title.clone()
        }
    }
}

/// What `undo` found on one board.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Undo {
    /// The status property the sweep wrote.
    pub(crate) status_property: String,
    /// The sweep's late state.
    pub(crate) to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) restore_to: Option<String>,
    /// When the sweep undone began, as its document says.
    pub(crate) swept_at: Option<DateTime<Utc>>,
    /// When this run began.
    pub(crate) started_at: DateTime<Utc>,
    /// Tasks the document lists as moved (`updated` or `restored`).
    pub(crate) listed: usize,
    pub(crate) undone: usize,
    pub(crate) conflicts: usize,
    pub(crate) failed: usize,
    pub(crate) tasks: Vec<UndoTask>,
}

impl Undo {
    /// Nothing done yet: every listed task skipped.
    pub(crate) fn new(plan: &Plan, started_at: DateTime<Utc>) -> Undo {
        Undo {
            status_property: plan.status_property.clone(),
            to: plan.to.clone(),
            restore_to: plan.restore_to.clone(),
            swept_at: plan.swept_at,
            started_at,
            listed: plan.tasks.len(),
            undone: 0,
            conflicts: 0,
            failed: 0,
            tasks: plan.tasks.iter().map(UndoTask::of).collect(),
        }
    }

    /// Tasks with the given outcome.
    pub(crate) fn count(&self, outcome: UndoOutcome) -> usize {
        self.tasks.iter().filter(|t| t.outcome == outcome).count()
    }

    /// The counts, from the tasks.
    pub(crate) fn tally(&mut self) {
        self.listed = self.tasks.len();
        self.undone = self.count(UndoOutcome::Undone);
        self.conflicts = self.count(UndoOutcome::Conflict);
        self.failed = self.count(UndoOutcome::Failed);
    }
}

#[cfg(test)]
pub(crate) mod example {
    //! Undo runs with every kind of row, for the snapshot tests of what people see.

    use super::*;
    use crate::jobs::board::ChannelKind;
    use crate::jobs::run::Run;
    use crate::jobs::summary::{
        Notification, NotificationStatus, TargetNotification, TaskErrorCode,
    };
    use crate::notion::RequestCounts;

    fn task(n: u32, title: &str, status: &str, outcome: UndoOutcome) -> UndoTask {
        UndoTask {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            title: title.into(),
            url: format!("https://www.notion.so/Task-{n:032}"),
            swept_to: "Overdue".into(),
            back_to: "To Do".into(),
            status: Some(status.into()),
            outcome,
            error: None,
            checked: true,
        }
    }

    /// A run that undid two moves and a restore, met a conflict and a
    /// failure, with titles full of markup; posted to Slack.
    pub(crate) fn run() -> Run<Undo> {
        let mut failed = task(3, "Review PR", "Overdue", UndoOutcome::Failed);
        failed.error = Some(TaskError {
            status: Some(400),
            code: TaskErrorCode::Notion("validation_error".into()),
            message: "Notion answered 400 validation_error: page is locked (request id r-1)".into(),
            request_id: Some("r-1".into()),
        });
        let mut restored = task(5, "Rescheduled demo", "To Do", UndoOutcome::Undone);
        (restored.swept_to, restored.back_to) = ("To Do".into(), "Overdue".into());
        let tasks = vec![
            task(1, "Fix login bug", "Overdue", UndoOutcome::Undone),
            task(
                2,
                "Ship <v2> & *celebrate* | party_time",
                "Overdue",
                UndoOutcome::Undone,
            ),
            failed,
            task(4, "Call the client", "Done", UndoOutcome::Conflict),
            restored,
        ];
        let mut undo = Undo {
            status_property: "Status".into(),
            to: "Overdue".into(),
            restore_to: Some("To Do".into()),
            swept_at: Some("2026-11-22T08:00:05Z".parse().unwrap()),
            started_at: "2026-11-22T09:30:00Z".parse().unwrap(),
            listed: 0,
            undone: 0,
            conflicts: 0,
            failed: 0,
            tasks,
        };
        undo.tally();
        Run {
            board: None,
            database_id: Some("2f26ee68-df30-4251-aad4-8ddc420cba3d".into()),
            data_source_id: Some("248104cd-477e-80af-bc30-000bd28de8f9".into()),
            dry_run: false,
            found: undo,
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
            elapsed_ms: 1240,
            error: None,
            title: "Team Tasks".into(),
            started: true,
        }
    }

    /// The same run as a dry run.
    pub(crate) fn dry_run() -> Run<Undo> {
        let mut run = run();
        run.dry_run = true;
        for t in &mut run.found.tasks {
            if t.outcome != UndoOutcome::Conflict {
                t.outcome = UndoOutcome::WouldUndo;
                t.error = None;
            }
        }
        run.found.tally();
        run.notification = Notification::of(NotificationStatus::Skipped);
        run.notifications[0].status = NotificationStatus::Skipped;
        run
    }
}
