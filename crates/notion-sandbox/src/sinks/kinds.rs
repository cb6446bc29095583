//! The kinds of webhook the sandbox receives, where each listens, and the
//! answers a test can script for them.

use std::time::Duration;

use serde_json::json;

/// Path of the Slack webhook sink (see [`crate::Sandbox::sink_url`]).
pub const SLACK_PATH: &str = "/slack/services/T000/B000/sandboxsecret";
/// Path of the Discord webhook sink (`/api/webhooks/{id}/{token}`; the
/// token is the secret).
pub const DISCORD_PATH: &str = "/discord/api/webhooks/1234567890123456789/sandboxsecret-discord";
/// Path of the Teams Workflows sink; the `sig` query value is the secret.
pub const TEAMS_PATH: &str = "/teams/workflows/sandbox/triggers/manual/paths/invoke";
/// Query string of the Teams sink URL.
pub const TEAMS_QUERY: &str =
    "api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=sandboxsig";
/// Path of the generic JSON sink.
pub const JSON_PATH: &str = "/json/hooks/sandboxsecret-json";

/// The kinds of webhook the sandbox can receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SinkKind {
    /// Slack incoming webhook: `200 ok`, plain-text errors.
    Slack,
    /// Discord webhook: `204`, JSON errors with Discord codes.
    Discord,
    /// Microsoft Teams Workflows trigger: `202`, Adaptive Cards only.
    Teams,
    /// Any HTTP endpoint taking JSON: `200`.
    Json,
}

impl SinkKind {
    /// Every kind, in a fixed order.
    pub const ALL: [SinkKind; 4] = [
        SinkKind::Slack,
        SinkKind::Discord,
        SinkKind::Teams,
        SinkKind::Json,
    ];

    /// `slack`, `discord`, `teams`, `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            SinkKind::Slack => "slack",
            SinkKind::Discord => "discord",
            SinkKind::Teams => "teams",
            SinkKind::Json => "json",
        }
    }

    /// Path and query of the sink's URL.
    pub fn path_and_query(self) -> String {
        match self {
            SinkKind::Slack => SLACK_PATH.to_string(),
            SinkKind::Discord => DISCORD_PATH.to_string(),
            SinkKind::Teams => format!("{TEAMS_PATH}?{TEAMS_QUERY}"),
            SinkKind::Json => JSON_PATH.to_string(),
        }
    }

    /// Its place in [`SinkKind::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The sink a request path belongs to (by its first segment).
    pub(crate) fn of_path(path: &str) -> Option<SinkKind> {
        let first = path.trim_start_matches('/').split('/').next()?;
        SinkKind::ALL.into_iter().find(|k| k.as_str() == first)
    }
}

/// A scripted answer of a sink, used for the next well-formed message.
#[derive(Clone, Debug, PartialEq)]
pub struct SinkReply {
    /// HTTP status; 0 answers as the sink normally would (useful with
    /// `hang`).
    pub status: u16,
    /// Raw body, as the service sends it.
    pub body: String,
    /// `Retry-After` seconds, if any (Discord also puts it in the body).
    pub retry_after: Option<f64>,
    /// Answer only after this long, to test client timeouts.
    pub hang: Option<Duration>,
}

impl SinkReply {
    /// Any status and raw body.
    pub fn new(status: u16, body: &str) -> Self {
        SinkReply {
            status,
            body: body.to_string(),
            retry_after: None,
            hang: None,
        }
    }
    /// The sink's normal answer, but only after `secs` seconds.
    pub fn hang(secs: f64) -> Self {
        SinkReply {
            hang: Some(Duration::from_secs_f64(secs.max(0.0))),
            ..SinkReply::new(0, "")
        }
    }
    /// The same answer, given only after `wait`.
    pub fn after(mut self, wait: Duration) -> Self {
        self.hang = Some(wait);
        self
    }
    /// Slack's 429 `rate_limited` with `Retry-After`.
    pub fn slack_rate_limited(retry_after: f64) -> Self {
        SinkReply {
            retry_after: Some(retry_after),
            ..SinkReply::new(429, "rate_limited")
        }
    }
    /// Discord's 429 with `retry_after` (seconds, a float) in the body and
    /// the `Retry-After` header.
    pub fn discord_rate_limited(retry_after: f64) -> Self {
        SinkReply {
            retry_after: Some(retry_after),
            ..SinkReply::new(429, &discord_rate_limit_body(retry_after))
        }
    }
    /// Discord's 404 for a deleted or unknown webhook.
    pub fn discord_unknown_webhook() -> Self {
        SinkReply::new(404, r#"{"message": "Unknown Webhook", "code": 10015}"#)
    }
    /// Discord's 401 for a wrong webhook token.
    pub fn discord_invalid_token() -> Self {
        SinkReply::new(
            401,
            r#"{"message": "Invalid Webhook Token", "code": 50027}"#,
        )
    }
    /// A Teams Workflows 400 (the trigger could not take the body).
    pub fn teams_bad_request() -> Self {
        SinkReply::new(
            400,
            &teams_error(
                "InvalidRequestContent",
                "The request content is not valid and could not be deserialized.",
            ),
        )
    }
    /// A Teams Workflows 401 (bad or missing signature).
    pub fn teams_unauthorized() -> Self {
        SinkReply::new(
            401,
            &teams_error(
                "DirectApiAuthorizationRequired",
                "The request must be authenticated only by Shared Access scheme.",
            ),
        )
    }
    /// A Teams Workflows 403 (the flow or its connection is not allowed).
    pub fn teams_forbidden() -> Self {
        SinkReply::new(
            403,
            &teams_error(
                "AuthorizationFailed",
                "The client does not have authorization to perform this action.",
            ),
        )
    }
    /// A Teams Workflows 429 with `Retry-After`.
    pub fn teams_throttled(retry_after: f64) -> Self {
        SinkReply {
            retry_after: Some(retry_after),
            ..SinkReply::new(
                429,
                &teams_error(
                    "WorkflowTriggerIsThrottled",
                    "The workflow trigger is throttled. Retry the request after some time.",
                ),
            )
        }
    }
    /// A plain status from the generic JSON sink (e.g. 500, 503).
    pub fn status(status: u16) -> Self {
        SinkReply::new(status, "")
    }
}

pub(crate) fn discord_rate_limit_body(retry_after: f64) -> String {
    json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false})
        .to_string()
}

pub(crate) fn teams_error(code: &str, message: &str) -> String {
    json!({"error": {"code": code, "message": message}}).to_string()
}
