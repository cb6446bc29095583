//! The gates a Notion request passes before any handler, in Notion's
//! order: the token (a 401 wherever the request goes), then the route
//! (see `routes`), the Notion-Version, the integration's rate limit and a
//! body that is JSON. And the latency added before all of them.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::bucket::{RateLimit, TokenBucket};
use crate::http::{lock, ApiError, RawRequest};

/// The only Notion-Version the sandbox speaks.
pub const NOTION_VERSION: &str = "2025-09-03";

/// The integration token: 401 `unauthorized` when it is missing, wrong or
/// revoked.
pub(crate) fn check_token(req: &RawRequest, token: &str, revoked: bool) -> Result<(), ApiError> {
    let sent = req
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if revoked || sent != Some(token) {
        return Err(ApiError::new(401, "unauthorized", "API token is invalid."));
    }
    Ok(())
}

/// `Notion-Version`: 400 `missing_version` without it; only
/// [`NOTION_VERSION`] is spoken.
pub(crate) fn check_version(req: &RawRequest) -> Result<(), ApiError> {
    match req.header("notion-version") {
        None => Err(ApiError::new(
            400,
            "missing_version",
            "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
        )),
        Some(v) if v.trim() != NOTION_VERSION => Err(ApiError::validation(format!(
            "Notion-Version header failed validation: this sandbox only speaks `{NOTION_VERSION}`, instead was `{v}`."
        ))),
        Some(_) => Ok(()),
    }
}

/// One bucket for the whole integration, as at Notion: a 429 is about
/// every request, not only the one refused (see [`TokenBucket::try_take`]
/// for the Retry-After values).
pub(crate) struct RateGate(Mutex<Option<TokenBucket>>);

impl RateGate {
    /// A full bucket, or no limit at all.
    pub(crate) fn new(limit: Option<RateLimit>, now: Instant) -> RateGate {
        RateGate(Mutex::new(limit.map(|r| TokenBucket::new(r, now))))
    }

    /// Takes a token, or refuses with 429 `rate_limited` and `Retry-After`.
    pub(crate) fn pass(&self, now: Instant) -> Result<(), ApiError> {
        match lock(&self.0).as_mut().map(|b| b.try_take(now)) {
            Some(Err(secs)) => Err(ApiError::rate_limited(Some(secs))),
            _ => Ok(()),
        }
    }
}

/// The body as JSON: none (or only white space) is `{}`; anything else that
/// is not JSON is 400 `invalid_json`.
pub(crate) fn read_body(req: &RawRequest) -> Result<Value, ApiError> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&req.body)
        .map_err(|_| ApiError::new(400, "invalid_json", "Error parsing JSON body."))
}

/// Latency added to every Notion request: fixed, plus a seeded jitter.
pub(crate) struct Latency {
    fixed: Duration,
    jitter: Duration,
    rng: Mutex<fastrand::Rng>,
}

impl Latency {
    pub(crate) fn new(fixed: Duration, jitter: Duration, seed: u64) -> Latency {
        Latency {
            fixed,
            jitter,
            rng: Mutex::new(fastrand::Rng::with_seed(seed ^ 0x5eed)),
        }
    }

    /// How long to wait before the next answer.
    pub(crate) fn next(&self) -> Duration {
        let jitter = self.jitter.as_nanos() as u64;
        let extra = if jitter == 0 {
            0
        } else {
            lock(&self.rng).u64(0..=jitter)
        };
        self.fixed + Duration::from_nanos(extra)
    }
}
