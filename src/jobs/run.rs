//! One run of `stale` or `digest` over a board, as plain data: which
//! board, what the job found (`T`), how its message went, the requests it
//! took and why it stopped; and how such a run opens its board (the
//! client, the data source, the columns it reads).

use std::sync::Arc;

use serde::Serialize;

use super::board::Board;
use super::resolve::{self, SetupError};
use super::rule::{self, Columns};
use super::summary::{
    Notification, NotificationStatus, RunError, RunErrorKind, TargetNotification,
};
use super::sweep::setup_failed;
use crate::guards::stop::Stop;
use crate::notion::{NotionClient, RequestCounts};

/// What a run reports: the JSON document of its job, but for the exit
/// code (the output derives it) and the run's error (which the document
/// puts after it).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Run<T> {
    /// The board's name in the settings file (several boards only).
    #[serde(rename = "name", skip_serializing_if = "Option::is_none")]
    pub(crate) board: Option<String>,
    pub(crate) database_id: Option<String>,
    pub(crate) data_source_id: Option<String>,
    pub(crate) dry_run: bool,
    /// What the job found.
    #[serde(flatten)]
    pub(crate) found: T,
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
    /// The run got past its setup (and its lock), and began reading tasks.
    #[serde(skip)]
    pub(crate) started: bool,
}

impl<T> Run<T> {
    /// A run of `board` that has found nothing yet.
    pub(crate) fn new(board: &Board, found: T) -> Run<T> {
        Run {
            board: board.name.clone(),
            database_id: board.source.database.as_ref().map(|d| d.to_string()),
            data_source_id: None,
            dry_run: board.writes.dry_run,
            found,
            notification: Notification::of(NotificationStatus::Skipped),
            notifications: Vec::new(),
            requests: RequestCounts::default(),
            elapsed_ms: 0,
            error: None,
            title: board.label(),
            started: false,
        }
    }

    /// The name people know the board by: its name in the settings file,
    /// else its database's title.
    pub(crate) fn name(&self) -> &str {
        self.board.as_deref().unwrap_or(&self.title)
    }

    /// The run stopped before it read any task.
    pub(crate) fn stopped_before_reading(&self) -> bool {
        self.error
            .as_ref()
            .is_some_and(|e| e.kind.before_any_task())
    }

    /// Notion refused the run before anything was written (exit 3).
    pub(crate) fn refused(&self) -> bool {
        self.error
            .as_ref()
            .is_some_and(|e| e.kind == RunErrorKind::Setup)
    }
}

/// A board opened for a job: its client, its data source, the columns read.
pub(crate) struct Opened {
    pub(crate) client: Arc<NotionClient>,
    pub(crate) data_source_id: String,
    pub(crate) columns: Columns,
}

/// Opens `board` for `job` (`the stale check`, `the digest`, as messages
/// name it): the client, the data source, and its title and status
/// property with each of `wanted` (an option's name and the key that gave
/// it) among the options. `None` when it cannot be opened: the run's error
/// says why, and nothing was written.
pub(crate) async fn open<T>(
    run: &mut Run<T>,
    board: &Board,
    stop: &Stop,
    job: &'static str,
    wanted: &[(&str, &str)],
) -> Option<Opened> {
    let client = match NotionClient::new(board.client.clone(), stop.clone()) {
        Ok(client) => Arc::new(client),
        Err(error) => {
            run.error = Some(RunError::new(
                RunErrorKind::Internal,
                error.to_string(),
                None,
            ));
            return None;
        }
    };
    let token = client.token_source().to_string();
    let opened = match resolve::resolve(&client, &board.source).await {
        Ok(resolved) => {
            run.database_id = resolved.database_id.clone();
            run.data_source_id = Some(resolved.data_source_id.clone());
            run.title = resolved.name.clone();
            let rule = &board.rule;
            rule::columns(
                &resolved.source,
                &rule.status_property,
                rule.assignee_property.as_deref(),
                wanted,
                &rule.given_by,
            )
            .map(|columns| Opened {
                client: client.clone(),
                data_source_id: resolved.data_source_id,
                columns,
            })
            .map_err(|problems| SetupError::Unfit {
                name: resolved.name,
                job,
                problems,
            })
        }
        Err(error) => Err(error),
    };
    run.requests = client.counts();
    match opened {
        Ok(opened) => Some(opened),
        Err(error) => {
            run.error = Some(setup_failed(&error, &token));
            None
        }
    }
}
