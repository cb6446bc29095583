//! Fault injection (random and scripted), the answers faults give, and the
//! handle that changes faults while the server runs.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::json;

use crate::http::{ApiError, Reply};
use crate::model::PropertyValue;

/// A faulty answer to a Notion request.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// 500 `internal_server_error`.
    InternalServerError,
    /// 502 with an HTML page from the edge (`text/html`, no request id).
    BadGateway,
    /// 503 `service_unavailable`.
    ServiceUnavailable,
    /// 504 `gateway_timeout`.
    GatewayTimeout,
    /// 409 `conflict_error`.
    Conflict,
    /// 529 `service_overload`.
    ServiceOverload,
    /// 429 `rate_limited` with this `Retry-After` (seconds).
    RateLimited {
        /// Seconds in the `Retry-After` header.
        retry_after: u64,
    },
    /// 429 `rate_limited` with `additional_data.rate_limit_reason:
    /// "public_api_request_blocked"` (not worth retrying; no `Retry-After`).
    RequestBlocked,
    /// The connection is closed with no response (recorded with status 0).
    DropConnection,
    /// The request is handled (a PATCH is saved), but the 200 answer's JSON
    /// is cut off halfway, as a broken proxy or connection would leave it.
    TruncatedBody,
    /// No answer for [`FaultConfig::hang_for`] (then a 504); recorded with
    /// status 0, since a client gives up long before.
    Hang,
}

/// "After the Kth Notion request, set page X's property P to V": a person
/// editing the board while a client works.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledEdit {
    /// Applied once the request with this number (1-based) has been answered.
    pub after_request: u64,
    /// Page id (dashes optional).
    pub page_id: String,
    /// Property name or id.
    pub property: String,
    /// New value (a select option that does not exist is added to the schema).
    pub value: PropertyValue,
}

/// Fault settings. `Default` is faithful: no faults at all.
#[derive(Clone, Debug)]
pub struct FaultConfig {
    /// Each Notion request gets at most one of these, drawn with these
    /// probabilities from a generator seeded by [`crate::SandboxConfig::seed`].
    pub random: Vec<(FaultKind, f64)>,
    /// Answers given to the next Notion requests, in order, before anything
    /// else (random faults, auth, routing).
    pub scripted: VecDeque<FaultKind>,
    /// Pages whose PATCH always fails with 400 `validation_error`.
    pub locked_pages: Vec<String>,
    /// The token stops working after this many Notion requests: request
    /// number K+1 and later get 401.
    pub revoke_token_after: Option<u64>,
    /// Edits made by "people" between requests.
    pub scheduled_edits: Vec<ScheduledEdit>,
    /// How long a [`FaultKind::Hang`] lasts.
    pub hang_for: Duration,
    /// When true, a PATCH that gets a 500, 503 or 504 fault is applied
    /// before the error is sent (as Notion warns may happen).
    pub commit_before_failure: bool,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            random: Vec::new(),
            scripted: VecDeque::new(),
            locked_pages: Vec::new(),
            revoke_token_after: None,
            scheduled_edits: Vec::new(),
            hang_for: Duration::from_secs(120),
            commit_before_failure: false,
        }
    }
}

impl FaultConfig {
    /// Adds a random fault with probability `p` per request.
    pub fn with_random(mut self, kind: FaultKind, p: f64) -> Self {
        self.random.push((kind, p));
        self
    }
    /// Queues `n` scripted answers of this kind.
    pub fn with_scripted(mut self, kind: FaultKind, n: usize) -> Self {
        self.scripted.extend(std::iter::repeat_n(kind, n));
        self
    }
}

/// Live fault state: the settings plus the generator that draws faults.
pub(crate) struct FaultState {
    pub(crate) config: FaultConfig,
    pub(crate) rng: fastrand::Rng,
}

impl FaultState {
    pub(crate) fn new(config: FaultConfig, seed: u64) -> Self {
        FaultState {
            config,
            rng: fastrand::Rng::with_seed(seed ^ 0xfa17),
        }
    }

    /// The fault for the next request, if any (scripted first, then random).
    pub(crate) fn draw(&mut self) -> Option<FaultKind> {
        if let Some(k) = self.config.scripted.pop_front() {
            return Some(k);
        }
        if self.config.random.is_empty() {
            return None;
        }
        // one draw per request keeps the sequence reproducible for a seed
        let u = self.rng.f64();
        let mut acc = 0.0;
        for (kind, p) in &self.config.random {
            acc += p.max(0.0);
            if u < acc {
                return Some(kind.clone());
            }
        }
        None
    }
}

/// A handle to change fault settings while the sandbox runs.
#[derive(Clone)]
pub struct FaultsHandle {
    pub(crate) state: Arc<Mutex<FaultState>>,
}

impl FaultsHandle {
    fn lock(&self) -> MutexGuard<'_, FaultState> {
        crate::http::lock(&self.state)
    }
    /// A copy of the current settings.
    pub fn get(&self) -> FaultConfig {
        self.lock().config.clone()
    }
    /// Replaces the settings.
    pub fn set(&self, config: FaultConfig) {
        self.lock().config = config;
    }
    /// Changes the settings in place.
    pub fn update(&self, f: impl FnOnce(&mut FaultConfig)) {
        f(&mut self.lock().config);
    }
    /// Removes every fault.
    pub fn clear(&self) {
        self.set(FaultConfig::default());
    }
    /// The next `n` Notion requests get this answer.
    pub fn push(&self, kind: FaultKind, n: usize) {
        self.update(|c| c.scripted.extend(std::iter::repeat_n(kind, n)));
    }
    /// The next `n` Notion requests get 429 with `Retry-After: retry_after`.
    pub fn rate_limit_next(&self, n: usize, retry_after: u64) {
        self.push(FaultKind::RateLimited { retry_after }, n);
    }
    /// Adds a random fault with probability `p` per request.
    pub fn add_random(&self, kind: FaultKind, p: f64) {
        self.update(|c| c.random.push((kind, p)));
    }
    /// PATCH of this page always fails with 400 `validation_error`.
    pub fn lock_page(&self, page_id: &str) {
        let id = page_id.to_string();
        self.update(|c| c.locked_pages.push(id));
    }
    /// The token stops working after `k` Notion requests (counted from the start).
    pub fn revoke_token_after(&self, k: u64) {
        self.update(|c| c.revoke_token_after = Some(k));
    }
    /// After request number `after_request`, set a page's property.
    pub fn schedule_edit(
        &self,
        after_request: u64,
        page_id: &str,
        property: &str,
        value: PropertyValue,
    ) {
        let e = ScheduledEdit {
            after_request,
            page_id: page_id.to_string(),
            property: property.to_string(),
            value,
        };
        self.update(|c| c.scheduled_edits.push(e));
    }
}

const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";

/// The answer to an injected fault (not used for drop).
pub(crate) fn fault_reply(kind: &FaultKind, request_id: &str) -> Reply {
    let e = match kind {
        FaultKind::BadGateway => {
            // from the edge: HTML, and no Notion request id
            return Reply::new(502, "text/html", BAD_GATEWAY_HTML);
        }
        FaultKind::InternalServerError => {
            ApiError::new(500, "internal_server_error", "Unexpected error occurred.")
        }
        FaultKind::ServiceUnavailable => ApiError::new(
            503,
            "service_unavailable",
            "Notion is unavailable, try again later. This can occur when the time to respond to a request takes longer than 60 seconds, the maximum request timeout.",
        ),
        FaultKind::GatewayTimeout
        | FaultKind::Hang
        | FaultKind::DropConnection
        | FaultKind::TruncatedBody => ApiError::new(
            504,
            "gateway_timeout",
            "Notion timed out while attempting to complete this request. Please try again later.",
        ),
        FaultKind::Conflict => ApiError::new(
            409,
            "conflict_error",
            "Conflict occurred while saving. Please try again.",
        ),
        FaultKind::ServiceOverload => ApiError::new(
            529,
            "service_overload",
            "Notion is currently overloaded. Please try again later.",
        ),
        FaultKind::RateLimited { retry_after } => ApiError::rate_limited(Some(*retry_after)),
        FaultKind::RequestBlocked => {
            let mut e = ApiError::new(
                429,
                "rate_limited",
                "This integration's requests to the public API are blocked. Contact the workspace owner.",
            );
            e.additional_data = Some(json!({"rate_limit_reason": "public_api_request_blocked"}));
            e
        }
    };
    e.reply(request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_faults_come_first_and_random_is_seeded() {
        let cfg = FaultConfig::default()
            .with_scripted(FaultKind::Conflict, 2)
            .with_random(FaultKind::InternalServerError, 0.5);
        let mut a = FaultState::new(cfg.clone(), 7);
        let mut b = FaultState::new(cfg, 7);
        assert_eq!(a.draw(), Some(FaultKind::Conflict));
        assert_eq!(a.draw(), Some(FaultKind::Conflict));
        b.draw();
        b.draw();
        let xs: Vec<_> = (0..50).map(|_| a.draw()).collect();
        let ys: Vec<_> = (0..50).map(|_| b.draw()).collect();
        assert_eq!(xs, ys);
        let n = xs.iter().filter(|x| x.is_some()).count();
        assert!((10..40).contains(&n), "{n}");
    }
}
