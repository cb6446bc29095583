//! The writes of a sweep (and of `stale --move-to`): up to [`STARTED`]
//! status updates started at once, each on its way or queued for the
//! limiter (which sets the pace and keeps at most [`UNANSWERED`] requests on
//! their way: the rest wait in line, so that the limiter never waits for the
//! sweep to read the next row), and what each answer means for its task.
//!
//! [`UNANSWERED`]: crate::notion::limiter::UNANSWERED

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::{Id, JoinError, JoinSet};

use crate::guards::scrub::escape_control;
use crate::guards::stop::{Stop, StopReason};
use crate::jobs::summary::{CommentCounts, OurCode, Outcome, TaskError, TaskErrorCode, TaskResult};
use crate::notion::{NotionClient, NotionError};

/// Writes started at once: on their way or queued for the limiter.
const STARTED: usize = 16;

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// An overdue task to the late state.
    Move,
    /// A task due again back out of it (`--restore`).
    Restore,
}

impl Write {
    /// The outcome once Notion applied it.
    fn done(self) -> Outcome {
        match self {
            Write::Move => Outcome::Updated,
            Write::Restore => Outcome::Restored,
        }
    }

    /// The outcome of a dry run.
    pub(crate) fn would(self) -> Outcome {
        match self {
            Write::Move => Outcome::WouldUpdate,
            Write::Restore => Outcome::WouldRestore,
        }
    }
}

/// What a write task gives back: the index of its task, what it did,
/// Notion's answer, and the comment's, if one was asked.
type WriteResult = (
    usize,
    Write,
    Result<(), NotionError>,
    Option<Result<(), NotionError>>,
);

/// A write that ended: the index of its task, what it did, and how it went.
pub(crate) struct Written {
    pub(crate) index: usize,
    pub(crate) write: Write,
    result: Result<Result<(), NotionError>, String>,
}

/// Comments are no longer tried once Notion refused one for a missing
/// capability (403): every other would be refused the same way. Until
/// Notion has taken one, they go one at a time, so that a missing
/// capability costs one request, not one per write in flight.
#[derive(Debug, Default)]
struct Comments {
    refused: AtomicBool,
    /// Notion took a comment: the capability is there.
    taken: AtomicBool,
    /// Held by the comment on its way while none was taken yet.
    first: tokio::sync::Mutex<()>,
    counts: std::sync::Mutex<CommentCounts>,
}

/// The writes on their way.
pub(crate) struct Writes {
    client: Arc<NotionClient>,
    stop: Stop,
    running: JoinSet<WriteResult>,
    /// The task of each running write, to name it should it panic.
    tasks: HashMap<Id, (usize, Write)>,
    started: Arc<Semaphore>,
    /// Writes that Notion applied.
    pub(crate) succeeded: usize,
    comments: Arc<Comments>,
}

impl Comments {
    /// Adds a comment unless comments were refused; `None` when not tried.
    async fn add(
        &self,
        client: &NotionClient,
        page_id: &str,
        text: &str,
    ) -> Option<Result<(), NotionError>> {
        // Held until Notion answered, while no comment was taken yet.
        let _one_at_a_time = if self.taken.load(Ordering::Acquire) {
            None
        } else {
            let guard = self.first.lock().await;
            (!self.taken.load(Ordering::Acquire)).then_some(guard)
        };
        if self.refused.load(Ordering::Acquire) {
            return None;
        }
        let added = client.create_comment(page_id, text).await;
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        match &added {
            Ok(()) => {
                self.taken.store(true, Ordering::Release);
                counts.added += 1;
            }
            Err(error) if error.status() == Some(403) => {
                if !self.refused.swap(true, Ordering::AcqRel) {
                    tracing::warn!(
                        "Notion refused a comment ({error}); no more comments are tried: \
                         enable Insert comments in the integration's capabilities at \
                         notion.so/my-integrations"
                    );
                }
                counts.failed += 1;
            }
            Err(error) => {
                tracing::warn!(page = %page_id, "could not add a comment: {error}");
                counts.failed += 1;
            }
        }
        Some(added)
    }
}

impl Writes {
    pub(crate) fn new(client: Arc<NotionClient>, stop: Stop) -> Writes {
        Writes {
            client,
            stop,
            running: JoinSet::new(),
            tasks: HashMap::new(),
            started: Arc::new(Semaphore::new(STARTED)),
            succeeded: 0,
            comments: Arc::default(),
        }
    }

    /// The comments added and failed so far.
    pub(super) fn comment_counts(&self) -> CommentCounts {
        *self
            .comments
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// No write is on its way.
    pub(crate) fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// Sends `body` to the page of task `index` once a slot is free, then,
    /// when it was applied, `comment` on the page; false when the run
    /// stopped before a slot was free.
    pub(crate) async fn start(
        &mut self,
        index: usize,
        page_id: String,
        body: Value,
        write: Write,
        comment: Option<String>,
    ) -> bool {
        let permit = tokio::select! {
            permit = self.started.clone().acquire_owned() => permit.ok(),
            _ = self.stop.stopped() => None,
        };
        let Some(permit) = permit else {
            return false;
        };
        let (client, comments) = (self.client.clone(), self.comments.clone());
        let task = self.running.spawn(async move {
            let written = client.update_page(&page_id, &body).await;
            drop(permit);
            let commented = match (&written, comment) {
                (Ok(()), Some(text)) => comments.add(&client, &page_id, &text).await,
                _ => None,
            };
            (index, write, written, commented)
        });
        self.tasks.insert(task.id(), (index, write));
        true
    }

    /// A write that has ended, if one has, without waiting.
    pub(crate) fn try_next(&mut self) -> Option<Written> {
        let joined = self.running.try_join_next_with_id()?;
        self.written(joined)
    }

    /// The next write to end; `None` when none is on its way.
    pub(crate) async fn next(&mut self) -> Option<Written> {
        loop {
            let joined = self.running.join_next_with_id().await?;
            if let Some(written) = self.written(joined) {
                return Some(written);
            }
        }
    }

    fn written(&mut self, joined: Result<(Id, WriteResult), JoinError>) -> Option<Written> {
        match joined {
            Ok((id, (index, write, result, _))) => {
                self.tasks.remove(&id);
                self.succeeded += usize::from(result.is_ok());
                Some(Written {
                    index,
                    write,
                    result: Ok(result),
                })
            }
            // A write only ends without a result if it panicked (a bug).
            Err(error) => {
                tracing::error!("a write task ended without a result: {error}");
                let (index, write) = self.tasks.remove(&error.id())?;
                Some(Written {
                    index,
                    write,
                    result: Err(error.to_string()),
                })
            }
        }
    }

    /// Records in `task` what its write came to, and stops the run when
    /// every other write would be refused the same way.
    pub(crate) fn record(&self, written: Written, task: &mut TaskResult, to: &str) {
        let write = written.write;
        match self.landed(written, &task.id, &task.title, to) {
            Landed::Done => task.outcome = write.done(),
            Landed::NotSent => task.outcome = Outcome::Skipped,
            Landed::Unknown(error) => {
                task.outcome = Outcome::Unknown;
                task.error = Some(error);
            }
            Landed::Failed(error) => {
                task.outcome = Outcome::Failed;
                task.error = Some(error);
            }
        }
    }

    /// What a write to the task `id` titled `title` came to (logged by
    /// that title, `to` the status it set), for any job's tasks; stops
    /// the run when every other write would be refused the same way.
    pub(crate) fn landed(&self, written: Written, id: &str, title: &str, to: &str) -> Landed {
        let error = match written.result {
            Ok(Ok(())) => {
                tracing::info!(task = %id, "moved '{}' to '{}'", escape_control(title), escape_control(to));
                return Landed::Done;
            }
            Ok(Err(error)) => error,
            Err(panic) => {
                return Landed::Failed(TaskError {
                    status: None,
                    code: TaskErrorCode::Ours(OurCode::InternalError),
                    message: format!(
                        "the write ended without a result ({panic}); this is a bug in notion-sweep"
                    ),
                    request_id: None,
                })
            }
        };
        match error {
            NotionError::Stopped(_) => Landed::NotSent,
            NotionError::Abandoned(_) => {
                tracing::warn!(task = %id, "'{}' may or may not have moved: {error}", escape_control(title));
                Landed::Unknown(TaskError::from(&error))
            }
            error => {
                let refusal = match error.status() {
                    Some(401) => Some(StopReason::TokenRefused),
                    Some(403) => Some(StopReason::CapabilityMissing),
                    _ => None,
                };
                if let Some(reason) = refusal {
                    if self.stop.reason().is_none() {
                        tracing::error!("Notion refused a write ({error}); stopping");
                    }
                    self.stop.trigger(reason);
                }
                tracing::warn!(task = %id, "could not update '{}': {error}", escape_control(title));
                Landed::Failed(TaskError::from(&error))
            }
        }
    }
}

/// What a write came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Landed {
    /// Notion applied it.
    Done,
    /// The run stopped before it was sent.
    NotSent,
    /// Sent, but the run stopped before Notion answered: check Notion.
    Unknown(TaskError),
    /// Notion refused it, or it could not be sent.
    Failed(TaskError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notion::retry::RetryPolicy;
    use crate::notion::ClientConfig;
    use std::time::Duration;

    #[tokio::test]
    async fn a_write_that_panics_is_that_tasks_failure_not_a_skip() {
        let config = ClientConfig {
            base_url: "http://127.0.0.1:9".parse().unwrap(),
            token: "t".to_string().into(),
            token_source: "NOTION_TOKEN".into(),
            version: "2025-09-03".into(),
            rate: 10.0,
            timeout: Duration::from_secs(1),
            retry: RetryPolicy {
                max_retries: 0,
                base: Duration::from_millis(10),
                cap: Duration::from_millis(10),
                deadline: Duration::from_secs(1),
            },
            limiter: None,
        };
        let stop = Stop::default();
        let client = Arc::new(NotionClient::new(config, stop.clone()).unwrap());
        let mut writes = Writes::new(client, stop);
        let write = writes
            .running
            .spawn(async { std::panic::panic_any("a bug in a write") });
        writes.tasks.insert(write.id(), (0, Write::Move));
        let written = writes.next().await.expect("the write ended");
        assert_eq!(written.index, 0);
        let mut task = TaskResult::unreadable("id".into(), String::new());
        task.outcome = Outcome::Skipped;
        task.error = None;
        writes.record(written, &mut task, "Overdue");
        assert_eq!(task.outcome, Outcome::Failed);
        assert_eq!(
            task.error.unwrap().code,
            TaskErrorCode::Ours(OurCode::InternalError)
        );
        assert_eq!(writes.succeeded, 0);
    }
}
