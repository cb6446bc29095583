//! The exit codes of the contract, and the one function that decides which
//! one a command ends with.

use crate::jobs::resolve::SetupError;
use crate::jobs::summary::{NotificationStatus, RunError, RunErrorKind, Summary};

/// The process exit codes of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Every overdue task was updated and the summary posted where due.
    Done = 0,
    /// A bug or an error no other code names.
    Internal = 1,
    /// Bad flags, values or files, missing token: nothing was sent.
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
    /// internal error, usage, incomplete, setup, not notified, locked, done.
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

/// What a command came to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ending<'a> {
    /// A sweep ran, whatever became of it.
    Swept(&'a Summary),
    /// `stale` or `digest` ran, whatever became of it: why it stopped,
    /// how many tasks could not be written, how its message went.
    Ran {
        error: Option<&'a RunError>,
        failed: usize,
        notification: NotificationStatus,
    },
    /// A board could not be read (`check`, `schema`): nothing was written,
    /// whether Notion refused or could not be reached.
    NotRead(&'a SetupError),
    /// Everything asked was done and shown.
    Done,
    /// Bad flags, values or files: nothing was sent.
    Usage,
    /// A bug, or an error no other code names.
    Internal,
    /// A second signal: the process ends at once, work unfinished.
    Abandoned,
}

/// The one rule from what a command came to to its exit code.
pub(crate) fn exit_of(ending: Ending) -> Exit {
    match ending {
        Ending::Done => Exit::Done,
        Ending::Usage => Exit::Usage,
        Ending::Internal => Exit::Internal,
        Ending::Abandoned => Exit::Incomplete,
        Ending::NotRead(SetupError::Internal(_)) => Exit::Internal,
        // Whatever stopped it, a check or a schema read wrote nothing.
        Ending::NotRead(_) => Exit::Setup,
        Ending::Swept(summary) => exit_of(Ending::Ran {
            error: summary.error.as_ref(),
            failed: summary.failed,
            notification: summary.notification.status,
        }),
        Ending::Ran {
            error,
            failed,
            notification,
        } => match error {
            Some(error) => match error.kind {
                RunErrorKind::Setup => Exit::Setup,
                RunErrorKind::Locked => Exit::Locked,
                RunErrorKind::Internal => Exit::Internal,
                _ => Exit::Incomplete,
            },
            None if failed > 0 => Exit::Incomplete,
            None if notification == NotificationStatus::Failed => Exit::NotNotified,
            None => Exit::Done,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::summary::{example, Notification};

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

    #[test]
    fn a_sweep_ends_as_its_worst_part_says() {
        let mut summary = example::summary();
        assert_eq!(exit_of(Ending::Swept(&summary)), Exit::Incomplete);
        summary.failed = 0;
        assert_eq!(exit_of(Ending::Swept(&summary)), Exit::Done);
        summary.notification = Notification {
            status: NotificationStatus::Failed,
            error: Some("no".into()),
        };
        assert_eq!(exit_of(Ending::Swept(&summary)), Exit::NotNotified);
        for (kind, exit) in [
            (RunErrorKind::Setup, Exit::Setup),
            (RunErrorKind::Locked, Exit::Locked),
            (RunErrorKind::Internal, Exit::Internal),
            (RunErrorKind::Interrupted, Exit::Incomplete),
            (RunErrorKind::DeadlineReached, Exit::Incomplete),
        ] {
            summary.error = Some(RunError::new(kind, String::new(), None));
            assert_eq!(exit_of(Ending::Swept(&summary)), exit, "{kind:?}");
        }
        let ran = |error: Option<&RunError>, failed, notification| {
            exit_of(Ending::Ran {
                error,
                failed,
                notification,
            })
        };
        let locked = RunError::new(RunErrorKind::Locked, String::new(), None);
        assert_eq!(
            ran(Some(&locked), 0, NotificationStatus::Failed),
            Exit::Locked
        );
        assert_eq!(ran(None, 1, NotificationStatus::Failed), Exit::Incomplete);
        assert_eq!(ran(None, 0, NotificationStatus::Failed), Exit::NotNotified);
        assert_eq!(ran(None, 0, NotificationStatus::Skipped), Exit::Done);
        let https = SetupError::Internal("could not set up HTTPS".into());
        assert_eq!(exit_of(Ending::NotRead(&https)), Exit::Internal);
        let schema = SetupError::Schema {
            name: "Tasks".into(),
            problems: vec![],
        };
        assert_eq!(exit_of(Ending::NotRead(&schema)), Exit::Setup);
    }
}
