//! Delivery: one message to one webhook, at most once. Whether a failed
//! post is tried again is decided by the same [`Retryable`] verdicts and
//! back-off as every Notion request; what differs is only the webhook's
//! rule that a post which may have been delivered is never sent again.

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::guards::stop::Stop;
use crate::guards::{scrub, urls};
use crate::jobs::board::{Channel, ChannelKind};
use crate::notion::client::describe;
use crate::notion::retry::{self, RetryPolicy, Retryable, Verdict};

/// Tries again of a 429 (after Retry-After), a 5xx or a refused connection.
const RETRIES: u32 = 3;
/// Longest wait honoured before giving up.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// Time one post may take.
const TIMEOUT: Duration = Duration::from_secs(15);
/// Time the one post a stopped run still makes may take.
const AFTER_STOP: Duration = Duration::from_secs(5);
/// The most of a webhook's answer that is read (its error text is all that is used).
const MAX_ANSWER: usize = 64 * 1024;
/// The back-off between tries.
const BACKOFF: RetryPolicy = RetryPolicy {
    max_retries: RETRIES,
    base: Duration::from_secs(1),
    cap: Duration::from_secs(8),
    deadline: LONGEST_WAIT,
};

/// Why the summary was not posted, in the service's own words.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PostError {
    #[error("the webhook answered {status}: {body}")]
    Refused {
        status: u16,
        body: String,
        /// How long a 429 asked to wait.
        retry_after: Option<Duration>,
    },
    /// The connection was refused: nothing was sent.
    #[error("could not reach the webhook: {0}")]
    Unreachable(String),
    /// The connection broke; the post may have been delivered.
    #[error("could not reach the webhook: {0}")]
    Connection(String),
    #[error("no answer from the webhook within {}s; not sent again, since it may have been delivered", .0.as_secs())]
    Unanswered(Duration),
    #[error("the run was stopped while posting; not sent again, since it may have been delivered")]
    Stopped,
}

impl Retryable for PostError {
    /// A 429, a 5xx and a refused connection are tried again; anything that
    /// may have been delivered is not.
    fn verdict(&self) -> Verdict {
        match self {
            PostError::Refused {
                status: 429,
                retry_after,
                ..
            } => Verdict::Retry {
                after: Some(retry_after.unwrap_or(Duration::from_secs(1))),
            },
            PostError::Refused { status, .. } if (500..=599).contains(status) => {
                Verdict::Retry { after: None }
            }
            PostError::Unreachable(_) => Verdict::Retry { after: None },
            _ => Verdict::Fail,
        }
    }
}

/// Posts `payload` once, as [`post_once`] does, unless the run is stopped
/// (a signal, the deadline) while it posts: then it gives up at once. A run
/// already stopped (what it did is still worth saying) gets one try of at
/// most [`AFTER_STOP`], never tried again.
pub(super) async fn post(channel: &Channel, payload: String, stop: &Stop) -> Result<(), PostError> {
    if stop.reason().is_some() {
        let http = client(channel, AFTER_STOP)?;
        return send(&http, channel, &payload, AFTER_STOP).await;
    }
    tokio::select! {
        posted = post_once(channel, &payload) => posted,
        _ = stop.stopped() => Err(PostError::Stopped),
    }
}

/// An HTTP client for a webhook: no redirects, `timeout` per post, and no
/// proxy for a webhook on this machine.
fn client(channel: &Channel, timeout: Duration) -> Result<reqwest::Client, PostError> {
    let mut http = reqwest::Client::builder();
    let url = reqwest::Url::parse(channel.url.expose_secret());
    if url.is_ok_and(|url| urls::is_loopback(&url)) {
        http = http.no_proxy();
    }
    http.timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| PostError::Connection(e.without_url().to_string()))
}

/// Posts `payload` once: tried again as [`PostError`]'s verdict says, a few
/// times, never past [`LONGEST_WAIT`].
async fn post_once(channel: &Channel, payload: &str) -> Result<(), PostError> {
    let http = client(channel, TIMEOUT)?;
    let mut attempt = 0;
    loop {
        let error = match send(&http, channel, payload, TIMEOUT).await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        let wait = match error.verdict() {
            Verdict::Fail => return Err(error),
            Verdict::Retry { after } | Verdict::PauseAll { after } => {
                after.unwrap_or_else(|| BACKOFF.backoff(attempt))
            }
        };
        if attempt >= RETRIES || wait > LONGEST_WAIT {
            return Err(error);
        }
        tracing::info!(
            "{}: {error}; posting again in {}s",
            channel.kind.service(),
            wait.as_secs_f64()
        );
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// One try.
async fn send(
    http: &reqwest::Client,
    channel: &Channel,
    payload: &str,
    timeout: Duration,
) -> Result<(), PostError> {
    let sent = http
        .post(channel.url.expose_secret())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(payload.to_string())
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status();
            let after = retry::retry_after(response.headers());
            let body = answer_text(response).await;
            if status.is_success() {
                return Ok(());
            }
            Err(refusal(channel.kind, status, &body, after))
        }
        // The URL is the secret: never let it into a message.
        Err(e) if e.is_connect() => Err(PostError::Unreachable(describe(&e.without_url()))),
        Err(e) if e.is_timeout() => Err(PostError::Unanswered(timeout)),
        Err(e) => Err(PostError::Connection(describe(&e.without_url()))),
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
/// Teams' `code: message`, else the body as sent; for a 429, how long it
/// asks to wait.
fn refusal(
    kind: ChannelKind,
    status: StatusCode,
    body: &str,
    retry_after: Option<Duration>,
) -> PostError {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let said = match (kind, &parsed) {
        (ChannelKind::Discord, Some(v)) if v["message"].is_string() => {
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
        (ChannelKind::Teams, Some(v)) if v["error"]["message"].is_string() => format!(
            "{}: {}",
            v["error"]["code"].as_str().unwrap_or("error"),
            v["error"]["message"].as_str().unwrap_or_default()
        ),
        _ if body.trim().is_empty() => "(no body)".into(),
        _ => body.trim().to_string(),
    };
    // A service's words are shown, never obeyed: no terminal control.
    let said: String = said.chars().take(300).collect();
    let retry_after = (status == StatusCode::TOO_MANY_REQUESTS)
        .then(|| rate_limit_wait(kind, retry_after, parsed.as_ref()));
    PostError::Refused {
        status: status.as_u16(),
        body: scrub::escape_control(&said),
        retry_after,
    }
}

/// How long a 429 asks to wait: `Retry-After`, and for Discord the longer
/// of it and the body's `retry_after` (seconds, a float).
fn rate_limit_wait(kind: ChannelKind, header: Option<Duration>, body: Option<&Value>) -> Duration {
    let in_body = match kind {
        ChannelKind::Discord => body
            .and_then(|v| v["retry_after"].as_f64())
            .and_then(retry::wait_of),
        _ => None,
    };
    match (header, in_body) {
        (Some(a), Some(b)) => a.max(b),
        (a, b) => a.or(b).unwrap_or(Duration::from_secs(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_services_words_cannot_drive_the_terminal() {
        let body = "channel_not_found\u{1b}[2J\r\nINFO forged line";
        let PostError::Refused { body: said, .. } =
            refusal(ChannelKind::Slack, StatusCode::NOT_FOUND, body, None)
        else {
            panic!("a refusal");
        };
        assert!(
            !said.contains('\u{1b}') && !said.contains('\n') && !said.contains('\r'),
            "{said}"
        );
        assert!(said.starts_with("channel_not_found"), "{said}");
    }

    #[test]
    fn what_is_tried_again_and_after_how_long() {
        let refused = |kind, status: u16, body: &str, after: Option<u64>| {
            refusal(
                kind,
                StatusCode::from_u16(status).unwrap(),
                body,
                after.map(Duration::from_secs),
            )
            .verdict()
        };
        let retry_after = |secs: f64| Verdict::Retry {
            after: Some(Duration::from_secs_f64(secs)),
        };
        assert_eq!(
            refused(ChannelKind::Slack, 429, "rate_limited", Some(30)),
            retry_after(30.0)
        );
        assert_eq!(
            refused(ChannelKind::Slack, 429, "rate_limited", None),
            retry_after(1.0)
        );
        assert_eq!(
            refused(
                ChannelKind::Discord,
                429,
                r#"{"message":"You are being rate limited.","retry_after":2.5,"global":false}"#,
                Some(1)
            ),
            retry_after(2.5)
        );
        assert_eq!(
            refused(ChannelKind::Teams, 502, "", None),
            Verdict::Retry { after: None }
        );
        assert_eq!(
            refused(ChannelKind::Slack, 404, "channel_not_found", None),
            Verdict::Fail
        );
        assert_eq!(
            PostError::Unreachable("refused".into()).verdict(),
            Verdict::Retry { after: None }
        );
        for maybe_delivered in [
            PostError::Connection("reset".into()),
            PostError::Unanswered(TIMEOUT),
            PostError::Stopped,
        ] {
            assert_eq!(
                maybe_delivered.verdict(),
                Verdict::Fail,
                "{maybe_delivered}"
            );
        }
    }
}
