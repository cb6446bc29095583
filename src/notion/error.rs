//! What can go wrong talking to Notion, with Notion's own words kept.

use std::fmt;
use std::time::Duration;

use crate::guards::stop::StopReason;

/// An error answer from Notion (any non-2xx status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    /// Notion's code (`validation_error`, …), or `http_<status>` when the body was not Notion's JSON.
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) request_id: Option<String>,
    /// The `Retry-After` header, in seconds.
    pub(crate) retry_after: Option<Duration>,
    /// `additional_data.rate_limit_reason` of a 429.
    pub(crate) rate_limit_reason: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Notion answered {} {}: {}",
            self.status, self.code, self.message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// An error of one Notion call, after any retries.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum NotionError {
    #[error("{0}")]
    Api(ApiError),
    #[error("Notion did not answer within {}s", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("could not reach Notion: {0}")]
    Connection(String),
    #[error("Notion's answer (HTTP {status}) could not be read: {detail}")]
    BadResponse {
        status: u16,
        detail: String,
        /// A syntax error or a cut-off body is worth another try; a body of
        /// the wrong shape is not.
        transient: bool,
        request_id: Option<String>,
    },
    #[error("stopped before this request was sent")]
    Stopped(StopReason),
    /// Sent, but the run stopped before the answer came: Notion may or may
    /// not have applied it.
    #[error("the run stopped before Notion answered; the request may or may not have been applied: check Notion")]
    Abandoned(StopReason),
    #[error("Notion's API answered with a redirect to {host}; notion-sweep does not follow redirects: check --api-url")]
    Redirect { host: String },
    #[error(
        "Notion's answer was too large (over {limit_mib} MiB) and was not read; check --api-url"
    )]
    TooLarge { limit_mib: u64 },
    #[error("{last} (gave up after {attempts} {})", if *.attempts == 1 { "attempt" } else { "attempts" })]
    RetriesExhausted {
        attempts: u32,
        last: Box<NotionError>,
    },
    #[error("{last} (gave up: the {deadline_secs}s deadline for retries has passed)")]
    DeadlineExceeded {
        deadline_secs: u64,
        last: Box<NotionError>,
    },
}

impl NotionError {
    /// The innermost error: the last answer when retries ran out.
    pub(crate) fn last(&self) -> &NotionError {
        match self {
            NotionError::RetriesExhausted { last, .. }
            | NotionError::DeadlineExceeded { last, .. } => last.last(),
            other => other,
        }
    }

    /// HTTP status of Notion's answer, if there was one.
    pub(crate) fn status(&self) -> Option<u16> {
        match self.last() {
            NotionError::Api(api) => Some(api.status),
            NotionError::BadResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A short machine-readable code: Notion's, or one of ours.
    pub(crate) fn code(&self) -> String {
        match self.last() {
            NotionError::Api(api) => api.code.clone(),
            NotionError::Timeout(_) => "timeout".into(),
            NotionError::Connection(_) => "connection_error".into(),
            NotionError::BadResponse { .. } => "unreadable_response".into(),
            NotionError::Stopped(_) => "stopped".into(),
            NotionError::Abandoned(_) => "unanswered".into(),
            NotionError::Redirect { .. } => "redirect".into(),
            NotionError::TooLarge { .. } => "response_too_large".into(),
            NotionError::RetriesExhausted { .. } | NotionError::DeadlineExceeded { .. } => {
                unreachable!("last() unwraps these")
            }
        }
    }

    /// Notion's request id, if it gave one.
    pub(crate) fn request_id(&self) -> Option<&str> {
        match self.last() {
            NotionError::Api(api) => api.request_id.as_deref(),
            NotionError::BadResponse { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// A refusal that running again will not fix (400, 401, 403, 404),
    /// rather than Notion out of reach or overloaded.
    pub(crate) fn is_refusal(&self) -> bool {
        self.is_blocked()
            || matches!(self, NotionError::Redirect { .. })
            || matches!(self, NotionError::Api(api) if matches!(api.status, 400 | 401 | 403 | 404))
    }

    /// True for a 429 `public_api_request_blocked`: Notion blocked the integration.
    pub(crate) fn is_blocked(&self) -> bool {
        matches!(self.last(), NotionError::Api(api)
            if api.status == 429 && api.rate_limit_reason.as_deref() == Some("public_api_request_blocked"))
    }

    /// Why the run stopped, when this call ended because it did.
    pub(crate) fn stop_reason(&self) -> Option<StopReason> {
        match self {
            NotionError::Stopped(reason) | NotionError::Abandoned(reason) => Some(*reason),
            _ => None,
        }
    }

    /// True when Notion refused the token (401).
    pub(crate) fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }
}
