//! The Slack summary: one message per sweep to an incoming webhook.

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use crate::report::{display_title, plural, Summary};
use crate::sweep::Outcome;

/// Tasks listed by name; the rest are counted.
const LISTED: usize = 10;
/// Retries of a 429 (after Retry-After) or a 5xx (after back-off).
const RETRIES: u32 = 3;
/// Longest Retry-After honoured before giving up.
const LONGEST_WAIT: Duration = Duration::from_secs(60);

/// Escapes Slack's mrkdwn control characters in text that comes from a task.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The message for a run: what was moved, and whether the run was complete.
pub fn message(summary: &Summary) -> Value {
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
        let title: String = display_title(task).chars().take(100).collect();
        let due = task.task.due;
        let days = summary.days_late(task);
        let label = escape(&title);
        let link = if task.task.url.is_empty() {
            label
        } else {
            format!("<{}|{label}>", escape(&task.task.url))
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
    if let Some(error) = &summary.error {
        text.push_str(&format!(
            "\n:warning: Incomplete run ({}): {not_done} overdue {} not updated; the next run will finish the job.",
            match error.kind {
                "interrupted" => "interrupted",
                "token_refused" => "Notion refused the token",
                "capability_missing" => "Notion refused the writes for a missing capability",
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

/// Why the summary was not posted, in Slack's own words.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    #[error("Slack answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("could not reach Slack: {0}")]
    Connection(String),
}

/// Posts `payload`; 429 waits for Retry-After and 5xx backs off, a few times.
pub async fn post(webhook: &SecretString, payload: &Value) -> Result<(), SlackError> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| SlackError::Connection(e.without_url().to_string()))?;
    let mut attempt = 0;
    loop {
        let result = http
            .post(webhook.expose_secret())
            .json(payload)
            .send()
            .await;
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                // The URL is the secret: never let it into a message.
                let error =
                    SlackError::Connection(crate::notion::client::describe(&error.without_url()));
                if attempt >= RETRIES {
                    return Err(error);
                }
                attempt += 1;
                tokio::time::sleep(Duration::from_secs(attempt as u64)).await;
                continue;
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.text().await.unwrap_or_default();
        if status.is_success() {
            return Ok(());
        }
        let error = SlackError::Refused {
            status: status.as_u16(),
            body: body.trim().chars().take(200).collect(),
        };
        let wait = match status {
            StatusCode::TOO_MANY_REQUESTS => retry_after.unwrap_or(Duration::from_secs(1)),
            s if s.is_server_error() => Duration::from_secs(1 << attempt),
            _ => return Err(error),
        };
        if attempt >= RETRIES || wait > LONGEST_WAIT {
            return Err(error);
        }
        tracing::info!(
            "Slack answered {status}; posting again in {}s",
            wait.as_secs()
        );
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}
