//! Every default of the program in one place, as typed values: the flags
//! show them in `--help`, the settings fall back on them, and `demo` runs
//! with them.

use std::time::Duration;

/// The API version notion-sweep speaks, sent as `Notion-Version` unless overridden.
pub(crate) const NOTION_VERSION: &str = "2025-09-03";
/// Where Notion's API lives.
pub(crate) const API_URL: &str = "https://api.notion.com";
/// The property that holds the task state.
pub(crate) const STATUS_PROPERTY: &str = "Status";
/// The property that holds the due date.
pub(crate) const DATE_PROPERTY: &str = "Due Date";
/// The open state that can become overdue.
pub(crate) const FROM: &str = "To Do";
/// The state overdue tasks move to.
pub(crate) const TO: &str = "Overdue";
/// The status `stale` looks in.
pub(crate) const STALE_STATUS: &str = "In Progress";
/// Days untouched before a task is stale.
pub(crate) const STALE_IDLE: u32 = 7;
/// Hours back the digest lists edited tasks.
pub(crate) const DIGEST_SINCE: u32 = 24;
/// Notion requests per second (most plans).
pub(crate) const RATE: f64 = 3.0;
/// Retries of one request.
pub(crate) const MAX_RETRIES: u32 = 5;
/// Per-request timeout.
pub(crate) const TIMEOUT: Seconds = Seconds(Duration::from_secs(30));
/// The whole run's time limit.
pub(crate) const DEADLINE: Seconds = Seconds(Duration::from_secs(900));
/// How long to wait for another sweep of the same data source.
pub(crate) const LOCK_WAIT: Seconds = Seconds(Duration::ZERO);
/// First back-off before a retry; doubled each retry.
pub(crate) const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest single back-off (a server's Retry-After may ask for longer).
pub(crate) const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// Requests per second of `demo` against its sandbox.
#[cfg(feature = "sandbox")]
pub(crate) const DEMO_RATE: f64 = 50.0;

/// A number of seconds given by the user, shown as they would type it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seconds(pub(crate) Duration);

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_show_as_a_user_types_them() {
        assert_eq!(RATE.to_string(), "3");
        assert_eq!(TIMEOUT.to_string(), "30");
        assert_eq!(DEADLINE.to_string(), "900");
        assert_eq!(LOCK_WAIT.to_string(), "0");
        assert_eq!(Seconds(Duration::from_millis(2500)).to_string(), "2.5");
    }
}
