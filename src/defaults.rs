//! Every default of the program in one place: the flags show them in
//! `--help`, the settings fall back on them, and `demo` runs with them.

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
/// Notion requests per second (most plans).
pub(crate) const RATE: &str = "3";
/// Retries of one request.
pub(crate) const MAX_RETRIES: &str = "5";
/// Per-request timeout, seconds.
pub(crate) const TIMEOUT: &str = "30";
/// The whole run's time limit, seconds.
pub(crate) const DEADLINE: &str = "900";
/// First back-off before a retry; doubled each retry.
pub(crate) const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest single back-off (a server's Retry-After may ask for longer).
pub(crate) const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// Requests per second of `demo` against its sandbox.
#[cfg(feature = "sandbox")]
pub(crate) const DEMO_RATE: &str = "50";
