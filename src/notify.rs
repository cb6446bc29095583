//! The summary a channel gets: one message per run and target, built from
//! a [`Summary`], posted at most once to each webhook. Slack's message is
//! here; Discord's and Teams' in their own files; the JSON endpoint gets the
//! report document.

mod discord;
mod target;
mod teams;

pub(crate) use target::{parse_target, Kind, Target};

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

use crate::notion::client::describe;
use crate::notion::retry::{self, RetryPolicy};
use crate::stop::Stop;
use crate::summary::{
    plural, NotificationStatus, Outcome, RunErrorKind, Summary, TargetNotification, TaskResult,
};

/// Tasks listed by name; the rest are counted.
const LISTED: usize = 10;
/// Tries again of a 429 (after Retry-After), a 5xx or a refused connection.
const RETRIES: u32 = 3;
/// Longest Retry-After honoured before giving up.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// Time one post may take.
const TIMEOUT: Duration = Duration::from_secs(15);
/// The most of a webhook's answer that is read (its error text is all that is used).
const MAX_ANSWER: usize = 64 * 1024;

/// Escapes Slack's mrkdwn control characters in text that comes from a task.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The message a target of `kind` gets for this run.
pub(crate) fn message(kind: Kind, summary: &Summary) -> Value {
    match kind {
        Kind::Slack => slack_message(summary),
        Kind::Discord => discord::message(summary),
        Kind::Teams => teams::message(summary),
        Kind::Json => report_document(summary),
    }
}

/// The report document (`--output json`) as it stands before any
/// notification is sent: without `notification` and `notifications`.
fn report_document(summary: &Summary) -> Value {
    let mut document = serde_json::to_value(summary).unwrap_or_else(|_| json!({}));
    if let Some(fields) = document.as_object_mut() {
        fields.remove("notification");
        fields.remove("notifications");
    }
    document
}

/// The tasks a run moved, in the order they were found.
fn moved(summary: &Summary) -> Vec<&TaskResult> {
    summary
        .tasks
        .iter()
        .filter(|t| t.outcome == Outcome::Updated)
        .collect()
}

/// The first line: `bold` wraps the (already escaped) names.
fn header(summary: &Summary, name: &str, to: &str, bold: &str) -> String {
    let moved = moved(summary).len();
    if moved == 0 && summary.matched == 0 {
        format!(
            "No overdue tasks in {bold}{name}{bold} as of {}.",
            summary.as_of
        )
    } else {
        format!(
            "Moved {moved} overdue {} in {bold}{name}{bold} to {bold}{to}{bold}:",
            plural(moved, "task")
        )
    }
}

/// A moved task as listed: its title (at most 100 characters, not yet
/// escaped), its link, and when it was due.
struct Listed<'a> {
    title: String,
    url: &'a str,
    /// "due 2026-11-20 (2 days overdue)"
    due: String,
}

fn listed<'a>(summary: &Summary, task: &'a TaskResult) -> Listed<'a> {
    let due = task.due.map_or("-".into(), |d| d.to_string());
    let days = summary.days_late(task).unwrap_or(0);
    Listed {
        title: task.display_title().chars().take(100).collect(),
        url: &task.url,
        due: format!(
            "due {due} ({days} {} overdue)",
            plural(days.max(0) as usize, "day")
        ),
    }
}

/// A line under the list; `warning` ones get the service's warning sign.
struct Note {
    warning: bool,
    text: String,
}

/// What a channel must know besides the list: tasks in doubt, an
/// incomplete run, a limit reached. Counts only, nothing to escape.
fn notes(summary: &Summary) -> Vec<Note> {
    let warn = |text: String| Note {
        warning: true,
        text,
    };
    let mut notes = Vec::new();
    let not_done = summary.matched - moved(summary).len();
    let unknown = summary.count(Outcome::Unknown);
    if unknown > 0 {
        notes.push(warn(format!(
            "{unknown} unknown: the run stopped before Notion answered, so they may or may not have moved; check Notion."
        )));
    }
    if let Some(error) = &summary.error {
        notes.push(warn(format!(
            "Incomplete run ({}): {not_done} overdue {} not updated; the next run will finish the job.",
            match error.kind {
                RunErrorKind::Interrupted => "interrupted",
                RunErrorKind::TokenRefused => "Notion refused the token",
                RunErrorKind::CapabilityMissing => "Notion refused the writes for a missing capability",
                RunErrorKind::Blocked => "Notion blocked the integration",
                RunErrorKind::DeadlineReached => "the --deadline passed",
                _ => "stopped early",
            },
            plural(not_done, "task")
        )));
    } else if summary.failed > 0 {
        notes.push(warn(format!(
            "Incomplete run: {} {} could not be updated; the next run will retry.",
            summary.failed,
            plural(summary.failed, "task")
        )));
    } else if summary.limit_reached {
        notes.push(Note {
            warning: false,
            text: format!(
                "Stopped at the limit of {} per run; the rest follow next run.",
                summary.limit.unwrap_or(0)
            ),
        });
    }
    notes
}

/// Slack's message for a run: what was moved, and whether the run was complete.
pub(crate) fn slack_message(summary: &Summary) -> Value {
    let mut text = header(summary, &escape(&summary.name), &escape(&summary.to), "*");
    let moved = moved(summary);
    for task in moved.iter().take(LISTED) {
        let task = listed(summary, task);
        let label = escape(&task.title);
        let link = if task.url.is_empty() {
            label
        } else {
            format!("<{}|{label}>", escape(task.url))
        };
        text.push_str(&format!("\n• {link}, {}", task.due));
    }
    if moved.len() > LISTED {
        text.push_str(&format!("\n…and {} more", moved.len() - LISTED));
    }
    for note in notes(summary) {
        let sign = if note.warning { ":warning: " } else { "" };
        text.push_str(&format!("\n{sign}{}", note.text));
    }
    json!({
        "text": text,
        "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": text } }],
    })
}

/// Why the summary was not posted, in the service's own words.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PostError {
    #[error("the webhook answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("could not reach the webhook: {0}")]
    Connection(String),
    #[error("no answer from the webhook within {}s; not sent again, since it may have been delivered", .0.as_secs())]
    Unanswered(Duration),
    #[error("the run was stopped while posting; not sent again, since it may have been delivered")]
    Stopped,
}

/// Posts this run's message to every target at once, each at most once;
/// one failing does not stop the others. The outcomes are in target order.
pub(crate) async fn deliver(
    targets: &[Target],
    summary: &Summary,
    stop: &Stop,
) -> Vec<TargetNotification> {
    let posts: Vec<_> = targets
        .iter()
        .map(|target| {
            let (target, stop) = (target.clone(), stop.clone());
            let payload = message(target.kind, summary);
            tokio::spawn(async move { post(&target, &payload, &stop).await })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(targets.len());
    for (target, posted) in targets.iter().zip(posts) {
        let posted = posted.await.unwrap_or_else(|_| {
            Err(PostError::Connection(
                "the post ended in an internal error".into(),
            ))
        });
        let kind = target.kind;
        outcomes.push(match posted {
            Ok(()) => outcome(kind, NotificationStatus::Sent, None),
            Err(error) => {
                tracing::error!(
                    "the summary could not be posted to {}: {error}",
                    kind.service()
                );
                outcome(kind, NotificationStatus::Failed, Some(error.to_string()))
            }
        });
    }
    outcomes
}

/// Every target with the same status, nothing posted (a dry run, `--no-notify`…).
pub(crate) fn unsent(targets: &[Target], status: NotificationStatus) -> Vec<TargetNotification> {
    targets
        .iter()
        .map(|t| outcome(t.kind, status, None))
        .collect()
}

fn outcome(kind: Kind, status: NotificationStatus, error: Option<String>) -> TargetNotification {
    TargetNotification {
        kind: kind.as_str(),
        service: kind.service(),
        status,
        error,
    }
}

/// Posts `payload` once, as [`post_once`] does, unless the run is stopped
/// (a signal, the deadline) while it posts: then it gives up at once.
pub(crate) async fn post(target: &Target, payload: &Value, stop: &Stop) -> Result<(), PostError> {
    tokio::select! {
        posted = post_once(target, payload) => posted,
        _ = stop.stopped_from_now() => Err(PostError::Stopped),
    }
}

/// At most [`MAX_ANSWER`] bytes of a webhook's answer, as text.
async fn answer_text(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while body.len() < MAX_ANSWER {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ANSWER - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// The service's own words for a refusal: Discord's `message (code)`,
/// Teams' `code: message`, else the body as sent.
fn refusal(kind: Kind, status: StatusCode, body: &str) -> PostError {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let said = match (kind, &parsed) {
        (Kind::Discord, Some(v)) if v["message"].is_string() => {
            let mut said = format!(
                "{} ({})",
                v["message"].as_str().unwrap_or_default(),
                v["code"]
            );
            if !v["errors"].is_null() {
                said.push_str(&format!(": {}", v["errors"]));
            }
            said
        }
        (Kind::Teams, Some(v)) if v["error"]["message"].is_string() => format!(
            "{}: {}",
            v["error"]["code"].as_str().unwrap_or("error"),
            v["error"]["message"].as_str().unwrap_or_default()
        ),
        _ if body.trim().is_empty() => "(no body)".into(),
        _ => body.trim().to_string(),
    };
    // A service's words are shown, never obeyed: no terminal control.
    let said: String = said.chars().take(300).collect();
    PostError::Refused {
        status: status.as_u16(),
        body: crate::scrub::escape_control(&said),
    }
}

/// How long a 429 asks to wait: `Retry-After`, and for Discord the longer
/// of it and the body's `retry_after` (seconds, a float).
fn rate_limit_wait(kind: Kind, header: Option<Duration>, body: &str) -> Duration {
    let in_body = match kind {
        Kind::Discord => serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v["retry_after"].as_f64())
            .and_then(retry::wait_of),
        _ => None,
    };
    match (header, in_body) {
        (Some(a), Some(b)) => a.max(b),
        (a, b) => a.or(b).unwrap_or(Duration::from_secs(1)),
    }
}

/// Posts `payload` once. A 429 waits for its Retry-After, a 5xx or a refused
/// connection backs off, a few times; a post that may have been delivered
/// (a timeout, a connection lost after sending) is never sent again.
async fn post_once(target: &Target, payload: &Value) -> Result<(), PostError> {
    let http = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| PostError::Connection(e.without_url().to_string()))?;
    let backoff = RetryPolicy {
        max_retries: RETRIES,
        base: Duration::from_secs(1),
        cap: Duration::from_secs(8),
        deadline: LONGEST_WAIT,
    };
    let mut attempt = 0;
    loop {
        let sent = http
            .post(target.url.expose_secret())
            .json(payload)
            .send()
            .await;
        let (error, wait) = match sent {
            Ok(response) => {
                let status = response.status();
                let after = retry::retry_after(response.headers());
                let body = answer_text(response).await;
                if status.is_success() {
                    return Ok(());
                }
                let error = refusal(target.kind, status, &body);
                match status {
                    StatusCode::TOO_MANY_REQUESTS => {
                        (error, rate_limit_wait(target.kind, after, &body))
                    }
                    s if s.is_server_error() => (error, backoff.backoff(attempt)),
                    _ => return Err(error),
                }
            }
            // The URL is the secret: never let it into a message.
            Err(e) if e.is_connect() => (
                PostError::Connection(describe(&e.without_url())),
                backoff.backoff(attempt),
            ),
            Err(e) if e.is_timeout() => return Err(PostError::Unanswered(TIMEOUT)),
            Err(e) => return Err(PostError::Connection(describe(&e.without_url()))),
        };
        if attempt >= RETRIES || wait > LONGEST_WAIT {
            return Err(error);
        }
        tracing::info!(
            "{}: {error}; posting again in {}s",
            target.kind.service(),
            wait.as_secs_f64()
        );
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::example;

    #[test]
    fn the_slack_message() {
        let message = slack_message(&example::summary());
        insta::assert_snapshot!(message["text"].as_str().unwrap());
        assert_eq!(message["blocks"][0]["text"]["text"], message["text"]);
    }

    #[test]
    fn ten_tasks_then_a_count() {
        let mut summary = example::summary();
        let first = summary.tasks[0].clone();
        summary.tasks = (0..13).map(|_| first.clone()).collect();
        summary.matched = 13;
        summary.updated = 13;
        summary.failed = 0;
        let text = slack_message(&summary)["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(text.matches("• ").count(), 10);
        assert!(text.ends_with("…and 3 more"), "{text}");
    }
}

#[cfg(test)]
mod refusal_tests {
    use super::*;

    #[test]
    fn a_services_words_cannot_drive_the_terminal() {
        let body = "channel_not_found\u{1b}[2J\r\nINFO forged line";
        let PostError::Refused { body: said, .. } =
            refusal(Kind::Slack, StatusCode::NOT_FOUND, body)
        else {
            panic!("a refusal");
        };
        assert!(
            !said.contains('\u{1b}') && !said.contains('\n') && !said.contains('\r'),
            "{said}"
        );
        assert!(said.starts_with("channel_not_found"), "{said}");
    }
}
