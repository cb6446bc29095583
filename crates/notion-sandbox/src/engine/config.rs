//! The settings of a sandbox.

use std::collections::HashMap;
use std::time::Duration;

use super::faults::FaultConfig;
use crate::bucket::RateLimit;
use crate::sinks::SinkKind;

/// The token the sandbox accepts by default.
pub const SANDBOX_TOKEN: &str = "ntn_sandbox_token";

/// Settings of a sandbox. `Default` is faithful: no latency, no faults, no
/// rate limit, Notion's 10,000-row cap.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// The accepted integration token.
    pub token: String,
    /// Added to every Notion request before it is handled.
    pub latency: Duration,
    /// Plus a uniformly drawn extra in `0..=jitter`.
    pub jitter: Duration,
    /// Token bucket; `None` for no limit.
    pub rate_limit: Option<RateLimit>,
    /// At most this many rows per query chain (Notion: 10,000).
    pub row_cap: usize,
    /// Seed for faults, jitter, request ids, cursors and the order of
    /// unsorted results.
    pub seed: u64,
    /// Faults at start (change them later with [`crate::Sandbox::faults`]).
    pub faults: FaultConfig,
    /// A read-only integration: PATCH answers 403 `restricted_resource`.
    pub read_only: bool,
    /// The integration has the capability "Read user information including
    /// email addresses" (the default). `false`: user objects (`GET
    /// /v1/users`, `people` values) come without `person.email`, as for an
    /// integration that may read user information without email addresses.
    pub user_emails: bool,
    /// The integration has the capability "Insert comments" (the default).
    /// `false`: `POST /v1/comments` answers 403 `restricted_resource`.
    pub can_comment: bool,
    /// Loopback port to listen on; 0 for any free port.
    pub port: u16,
    /// Pins the sandbox's clock to this day (the time of day stays real):
    /// relative date filters (`past_week`, …) and the `last_edited_time` of
    /// writes use it. `None`: the board's `today` if it has one, else the
    /// real date.
    pub today: Option<chrono::NaiveDate>,
    /// Seed of the ids the sandbox makes up (request ids, created pages,
    /// blocks and comments; all v4 UUIDs). `None` (the default): drawn
    /// afresh for each instance, so ids never repeat across restarts.
    pub id_seed: Option<u64>,
    /// A token bucket per webhook sink, past which it answers 429 as its
    /// service does (Slack allows about one message per second per webhook,
    /// Discord about 5 per 2 seconds); a sink not named has no limit.
    pub sink_rate_limits: HashMap<SinkKind, RateLimit>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            token: SANDBOX_TOKEN.to_string(),
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            rate_limit: None,
            row_cap: 10_000,
            seed: 0,
            faults: FaultConfig::default(),
            read_only: false,
            user_emails: true,
            can_comment: true,
            port: 0,
            today: None,
            id_seed: None,
            sink_rate_limits: HashMap::new(),
        }
    }
}
