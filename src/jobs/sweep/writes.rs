//! The writes of a sweep: up to [`STARTED`] status updates started at once,
//! each on its way or queued for the limiter (which sets the pace and keeps
//! at most [`UNANSWERED`] requests on their way: the rest wait in line, so
//! that the limiter never waits for the sweep to read the next row), and
//! what each answer means for its task.
//!
//! [`UNANSWERED`]: crate::notion::limiter::UNANSWERED

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::{Id, JoinError, JoinSet};

use crate::guards::scrub::escape_control;
use crate::guards::stop::{Stop, StopReason};
use crate::jobs::summary::{OurCode, Outcome, TaskError, TaskErrorCode, TaskResult};
use crate::notion::{NotionClient, NotionError};

/// Writes started at once: on their way or queued for the limiter.
const STARTED: usize = 16;

/// What a write task gives back: the index of its task and Notion's answer.
type WriteResult = (usize, Result<(), NotionError>);

/// A write that ended: the index of its task, and how it went.
pub(super) struct Written {
    pub(super) index: usize,
    result: Result<Result<(), NotionError>, String>,
}

/// The writes on their way.
pub(super) struct Writes {
    client: Arc<NotionClient>,
    stop: Stop,
    running: JoinSet<WriteResult>,
    /// The task of each running write, to name it should it panic.
    tasks: HashMap<Id, usize>,
    started: Arc<Semaphore>,
    /// Writes that Notion applied.
    pub(super) succeeded: usize,
}

impl Writes {
    pub(super) fn new(client: Arc<NotionClient>, stop: Stop) -> Writes {
        Writes {
            client,
            stop,
            running: JoinSet::new(),
            tasks: HashMap::new(),
            started: Arc::new(Semaphore::new(STARTED)),
            succeeded: 0,
        }
    }

    /// No write is on its way.
    pub(super) fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// Sends `body` to the page of task `index` once a slot is free; false
    /// when the run stopped before one was.
    pub(super) async fn start(&mut self, index: usize, page_id: String, body: Value) -> bool {
        let permit = tokio::select! {
            permit = self.started.clone().acquire_owned() => permit.ok(),
            _ = self.stop.stopped() => None,
        };
        let Some(permit) = permit else {
            return false;
        };
        let client = self.client.clone();
        let write = self.running.spawn(async move {
            let written = client.update_page(&page_id, &body).await;
            drop(permit);
            (index, written)
        });
        self.tasks.insert(write.id(), index);
        true
    }

    /// A write that has ended, if one has, without waiting.
    pub(super) fn try_next(&mut self) -> Option<Written> {
        let joined = self.running.try_join_next_with_id()?;
        self.written(joined)
    }

    /// The next write to end; `None` when none is on its way.
    pub(super) async fn next(&mut self) -> Option<Written> {
        loop {
            let joined = self.running.join_next_with_id().await?;
            if let Some(written) = self.written(joined) {
                return Some(written);
            }
        }
    }

    fn written(&mut self, joined: Result<(Id, WriteResult), JoinError>) -> Option<Written> {
        match joined {
            Ok((id, (index, result))) => {
                self.tasks.remove(&id);
                self.succeeded += usize::from(result.is_ok());
                Some(Written {
                    index,
                    result: Ok(result),
                })
            }
            // A write only ends without a result if it panicked (a bug).
            Err(error) => {
                tracing::error!("a write task ended without a result: {error}");
                let index = self.tasks.remove(&error.id())?;
                Some(Written {
                    index,
                    result: Err(error.to_string()),
                })
            }
        }
    }

    /// Records in `task` what its write came to, and stops the run when
    /// every other write would be refused the same way.
    pub(super) fn record(&self, written: Written, task: &mut TaskResult, to: &str) {
        let error = match written.result {
            Ok(Ok(())) => {
                task.outcome = Outcome::Updated;
                tracing::info!(task = %task.id, "moved '{}' to '{}'", escape_control(&task.title), escape_control(to));
                return;
            }
            Ok(Err(error)) => error,
            Err(panic) => {
                task.outcome = Outcome::Failed;
                task.error = Some(TaskError {
                    status: None,
                    code: TaskErrorCode::Ours(OurCode::InternalError),
                    message: format!(
                        "the write ended without a result ({panic}); this is a bug in notion-sweep"
                    ),
                    request_id: None,
                });
                return;
            }
        };
        match error {
            NotionError::Stopped(_) => task.outcome = Outcome::Skipped,
            NotionError::Abandoned(_) => {
                tracing::warn!(task = %task.id, "'{}' may or may not have moved: {error}", escape_control(&task.title));
                task.outcome = Outcome::Unknown;
                task.error = Some(TaskError::from(&error));
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
                tracing::warn!(task = %task.id, "could not update '{}': {error}", escape_control(&task.title));
                task.outcome = Outcome::Failed;
                task.error = Some(TaskError::from(&error));
            }
        }
    }
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
        writes.tasks.insert(write.id(), 0);
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
