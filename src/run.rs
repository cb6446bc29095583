//! One sweep from validated settings to its [`Summary`]: resolve, check the
//! schema, sweep, notify. What `sweep` and `demo` both run.

use std::sync::Arc;
use std::time::Instant;

use crate::lock::{self, LockError};
use crate::notify;
use crate::notion::{NotionClient, NotionError};
use crate::progress::Progress;
use crate::resolve::{self, notion_setup_message, SetupError};
use crate::settings::{SweepSettings, UsageError};
use crate::stop::{Stop, StopReason};
use crate::summary::{
    Exit, Notification, NotificationStatus, Outcome, RunError, RunErrorKind, Summary,
};
use crate::sweep::{self, Halt, SweepOptions, SweepOutcome};

/// The whole sweep for validated settings.
pub(crate) async fn sweep(
    settings: &SweepSettings,
    stop: &Stop,
    progress: &Progress,
) -> Result<Summary, UsageError> {
    let started = Instant::now();
    // Bounds the whole run, not only the retry waits: past it no request starts.
    let _deadline = DeadlineTimer(stop.after(settings.client.retry.deadline));
    let client = Arc::new(
        NotionClient::new(settings.client.clone(), stop.clone())
            .map_err(|e| UsageError(e.to_string()))?,
    );
    let mut summary = empty_summary(settings);
    let (resolved, plan) = match resolve::prepare(&client, &settings.target, &settings.rule).await {
        Ok(ready) => ready,
        Err(error) => {
            summary.notifications =
                notify::unsent(&settings.notify.targets, NotificationStatus::Skipped);
            summary.notification = Notification::of_targets(&summary.notifications);
            setup_failed(&mut summary, &error);
            summary.requests = client.counts();
            summary.elapsed_ms = started.elapsed().as_millis() as u64;
            return Ok(summary);
        }
    };
    summary.database_id = resolved.database_id.clone();
    summary.data_source_id = Some(resolved.data_source_id.clone());
    summary.name = resolved.name.clone();
    // Two sweeps writing one data source never run at once; a dry run writes nothing.
    let _lock = match settings.lock_wait.filter(|_| !settings.dry_run) {
        None => None,
        Some(wait) => match lock::acquire(&resolved.data_source_id, wait).await {
            Ok(lock) => Some(lock),
            Err(error) => {
                summary.error = Some(RunError::new(locked_kind(&error), error.to_string(), None));
                summary.exit_code = summary.exit().code();
                summary.requests = client.counts();
                summary.elapsed_ms = started.elapsed().as_millis() as u64;
                return Ok(summary);
            }
        },
    };
    tracing::info!(
        "sweeping '{}' ({}): '{}' in {:?} due before {} becomes '{}'",
        resolved.name,
        resolved.data_source_id,
        plan.status.name,
        plan.from,
        settings.rule.as_of,
        plan.to
    );
    let options = SweepOptions {
        rule: settings.rule.overdue(),
        dry_run: settings.dry_run,
        limit: settings.limit,
    };
    let outcome = sweep::sweep(
        client.clone(),
        &resolved.data_source_id,
        &plan,
        &options,
        stop,
        progress,
    )
    .await;
    finish(&mut summary, outcome);
    // The JSON endpoint gets the document as it stands before any post.
    summary.requests = client.counts();
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    summary.exit_code = summary.exit().code();
    post_summary(settings, &mut summary, stop).await;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    summary.exit_code = summary.exit().code();
    Ok(summary)
}

/// Another run holds the lock: exit 6; the lock could not be taken at all: exit 1.
fn locked_kind(error: &LockError) -> RunErrorKind {
    match error {
        LockError::Held { .. } => RunErrorKind::Locked,
        _ => RunErrorKind::Internal,
    }
}

/// The run's `--deadline` timer, stopped with the run.
struct DeadlineTimer(tokio::task::JoinHandle<()>);

impl Drop for DeadlineTimer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The summary before anything was read.
fn empty_summary(settings: &SweepSettings) -> Summary {
    let rule = &settings.rule;
    let database = settings.target.database.as_ref().map(|d| d.to_string());
    Summary {
        name: database.clone().unwrap_or_default(),
        database_id: database,
        data_source_id: None,
        as_of: rule.as_of,
        dry_run: settings.dry_run,
        from: rule.from.clone(),
        to: rule.to.clone(),
        matched: 0,
        updated: 0,
        failed: 0,
        tasks: Vec::new(),
        notification: Notification::of(NotificationStatus::Skipped),
        notifications: Vec::new(),
        requests: Default::default(),
        elapsed_ms: 0,
        exit_code: 0,
        error: None,
        limit: settings.limit,
        limit_reached: false,
    }
}

/// A run that stopped in setup: 3, or 4 when Notion could not be reached.
fn setup_failed(summary: &mut Summary, error: &SetupError) {
    if let Some(reason) = error.notion().and_then(NotionError::stop_reason) {
        // Nothing was written yet: a refusal is a setup error (exit 3).
        summary.error = Some(stopped(reason, |kind, refusal| {
            if refusal {
                RunErrorKind::Setup
            } else {
                kind
            }
        }));
        summary.exit_code = summary.exit().code();
        return;
    }
    let kind = if error.is_refusal() {
        RunErrorKind::Setup
    } else {
        RunErrorKind::QueryFailed
    };
    summary.error = Some(RunError::new(kind, error.to_string(), error.notion()));
    summary.exit_code = summary.exit().code();
}

/// Fills in the tasks, the counts and the run-level error. The exit code is
/// set once the notification is known.
fn finish(summary: &mut Summary, outcome: SweepOutcome) {
    summary.tasks = outcome.tasks;
    summary.matched = summary.tasks.len();
    summary.updated = summary.count(Outcome::Updated);
    summary.failed = summary.count(Outcome::Failed);
    summary.limit_reached = outcome.limit_reached;
    // A refusal before the first successful write is a setup error (exit 3).
    let nothing_written = summary.updated == 0;
    let setup_if = |kind: RunErrorKind, refusal: bool| {
        if refusal && nothing_written {
            RunErrorKind::Setup
        } else {
            kind
        }
    };
    summary.error = outcome.halt.map(|halt| match halt {
        Halt::Stopped(reason) => stopped(reason, setup_if),
        Halt::QueryFailed(error) => RunError::new(
            setup_if(RunErrorKind::QueryFailed, error.is_refusal()),
            notion_setup_message("could not read the overdue tasks", &error),
            Some(&error),
        ),
        Halt::RowCap(day) => RunError::new(
            RunErrorKind::RowCap,
            format!(
                "more rows than Notion returns for one query share due date {day} and cannot be moved; \
                 the rest were not read"
            ),
            None,
        ),
        Halt::BadPaging(why) => RunError::new(RunErrorKind::QueryFailed, why, None::<&NotionError>),
    });
}

fn stopped(reason: StopReason, setup_if: impl Fn(RunErrorKind, bool) -> RunErrorKind) -> RunError {
    let (kind, message) = match reason {
        StopReason::Interrupted => (
            RunErrorKind::Interrupted,
            "interrupted (SIGINT/SIGTERM) before every task was handled".to_string(),
        ),
        StopReason::TokenRefused => (
            setup_if(RunErrorKind::TokenRefused, true),
            "Notion refused the token (401); check that NOTION_TOKEN holds the integration's current secret".into(),
        ),
        StopReason::CapabilityMissing => (
            setup_if(RunErrorKind::CapabilityMissing, true),
            "Notion refused a write for a missing capability (403 restricted_resource); \
             enable Update content in the integration's settings at notion.so/my-integrations".into(),
        ),
        StopReason::Blocked => (
            setup_if(RunErrorKind::Blocked, true),
            "Notion blocked this integration's requests (429 public_api_request_blocked) and nothing \
             more was sent; Notion advises contacting its support (notion.so/help) to lift the block".into(),
        ),
        StopReason::DeadlineReached { secs } => (
            RunErrorKind::DeadlineReached,
            format!(
                "the --deadline of {secs}s passed before every task was handled; \
                 run again to finish, or raise --deadline"
            ),
        ),
    };
    RunError::new(kind, message, None)
}

/// Posts the summary to every target when one is due, and records how
/// each went and the aggregate.
async fn post_summary(settings: &SweepSettings, summary: &mut Summary, stop: &Stop) {
    let targets = &settings.notify.targets;
    let nothing_to_say = summary.matched == 0 && summary.error.is_none();
    // A run refused before its first write changed nothing: no news for the channel.
    let skip = summary.exit() == Exit::Setup
        || settings.notify.disabled
        || settings.dry_run
        || (nothing_to_say && !settings.notify.when_empty);
    summary.notifications = if skip {
        notify::unsent(targets, NotificationStatus::Skipped)
    } else {
        notify::deliver(targets, summary, stop).await
    };
    summary.notification = Notification::of_targets(&summary.notifications);
}
