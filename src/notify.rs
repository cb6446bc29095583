//! The summary a channel gets: one message per run, built from a
//! [`Summary`], posted at most once to each webhook.

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use crate::notion::client::describe;
use crate::notion::retry::{self, RetryPolicy};
use crate::stop::Stop;
use crate::summary::{plural, Outcome, RunErrorKind, Summary};

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

/// The message for a run: what was moved, and whether the run was complete.
pub(crate) fn slack_message(summary: &Summary) -> Value {
    let name = escape(&summary.name);
    let to = escape(&summary.to);
    let moved: Vec<_> = summary
        .tasks
        .iter()
        .filter(|t| t.outcome == Outcome::Updated)
        .collect();
    let mut text = if moved.is_empty() && summary.matched == 0 {
        format!("No overdue tasks in *{name}* as of {}.", summary.as_of)
    } else {
        format!(
            "Moved {} overdue {} in *{name}* to *{to}*:",
            moved.len(),
            plural(moved.len(), "task")
        )
    };
    for task in moved.iter().take(LISTED) {
        let title: String = task.display_title().chars().take(100).collect();
        let due = task.due.map_or("-".into(), |d| d.to_string());
        let days = summary.days_late(task).unwrap_or(0);
        let label = escape(&title);
        let link = if task.url.is_empty() {
            label
        } else {
            format!("<{}|{label}>", escape(&task.url))
        };
        text.push_str(&format!(
            "\n• {link}, due {due} ({days} {} overdue)",
            plural(days.max(0) as usize, "day")
        ));
    }
    if moved.len() > LISTED {
        text.push_str(&format!("\n…and {} more", moved.len() - LISTED));
    }
    let not_done = summary.matched - moved.len();
    let unknown = summary.count(Outcome::Unknown);
    if unknown > 0 {
        text.push_str(&format!(
            "\n:warning: {unknown} unknown: the run stopped before Notion answered, so they may or may not have moved; check Notion."
        ));
    }
    if let Some(error) = &summary.error {
        text.push_str(&format!(
            "\n:warning: Incomplete run ({}): {not_done} overdue {} not updated; the next run will finish the job.",
            match error.kind {
                RunErrorKind::Interrupted => "interrupted",
                RunErrorKind::TokenRefused => "Notion refused the token",
                RunErrorKind::CapabilityMissing => "Notion refused the writes for a missing capability",
                RunErrorKind::Blocked => "Notion blocked the integration",
                RunErrorKind::DeadlineReached => "the --deadline passed",
                _ => "stopped early",
            },
            plural(not_done, "task")
        ));
    } else if summary.failed > 0 {
        text.push_str(&format!(
            "\n:warning: Incomplete run: {} {} could not be updated; the next run will retry.",
            summary.failed,
            plural(summary.failed, "task")
        ));
    } else if summary.limit_reached {
        text.push_str(&format!(
            "\nStopped at the limit of {} per run; the rest follow next run.",
            summary.limit.unwrap_or(0)
        ));
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

/// Posts `payload` once, as [`post_once`] does, unless the run is stopped
/// (a signal, the deadline) while it posts: then it gives up at once.
pub(crate) async fn post(
    webhook: &SecretString,
    payload: &Value,
    stop: &Stop,
) -> Result<(), PostError> {
    tokio::select! {
        posted = post_once(webhook, payload) => posted,
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

/// Posts `payload` once. A 429 waits for its Retry-After, a 5xx or a refused
/// connection backs off, a few times; a post that may have been delivered
/// (a timeout, a connection lost after sending) is never sent again.
async fn post_once(webhook: &SecretString, payload: &Value) -> Result<(), PostError> {
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
        let wait = match http
            .post(webhook.expose_secret())
            .json(payload)
            .send()
            .await
        {
            Ok(response) => {
                let status = response.status();
                let after = retry::retry_after(response.headers());
                let body = answer_text(response).await;
                if status.is_success() {
                    return Ok(());
                }
                let error = PostError::Refused {
                    status: status.as_u16(),
                    body: body.trim().chars().take(200).collect(),
                };
                match status {
                    StatusCode::TOO_MANY_REQUESTS => {
                        (error, after.unwrap_or(Duration::from_secs(1)))
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
        let (error, wait) = wait;
        if attempt >= RETRIES || wait > LONGEST_WAIT {
            return Err(error);
        }
        tracing::info!("{error}; posting again in {}s", wait.as_secs_f64());
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
