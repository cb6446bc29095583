//! The Notion HTTP client: every call passes one rate limiter and one retry
//! policy, in a fixed order: wait out any pause, take a rate permit, send.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use super::error::{ApiError, NotionError};
use super::retry::{RetryPolicy, Retryable, Verdict};
use super::wire::{DataSource, Database, ErrorBody, QueryBody, QueryPage};
use crate::stop::Stop;

/// Rate limiter cells per request (see [`NotionClient::new`]).
const CELLS: NonZeroU32 = NonZeroU32::new(10).expect("not zero");

/// How long a request already sent may run on after the run is stopped.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// Everything the client needs to know, already validated.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: Url,
    pub token: SecretString,
    pub version: String,
    /// Requests per second, averaged.
    pub rate: f64,
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

/// Counts of Notion requests, retries included.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct RequestCounts {
    pub sent: u64,
    pub retried: u64,
    pub rate_limited: u64,
}

#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    retried: AtomicU64,
    rate_limited: AtomicU64,
}

/// A Notion API client for one run.
pub struct NotionClient {
    http: reqwest::Client,
    base: Url,
    headers: HeaderMap,
    limiter: DefaultDirectRateLimiter,
    /// The queue for the limiter (tokio's mutex is first come, first served).
    turn: tokio::sync::Mutex<()>,
    /// Set by a 429 or 529: no request is sent before this instant.
    paused_until: Mutex<Option<Instant>>,
    policy: RetryPolicy,
    http_timeout: Duration,
    rate: f64,
    started: Instant,
    counters: Counters,
    stop: Stop,
}

impl std::fmt::Debug for NotionClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotionClient")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientBuildError {
    #[error("the Notion token contains characters that cannot be sent in an HTTP header (a stray newline or quote?)")]
    BadToken,
    #[error("the Notion-Version value '{0}' cannot be sent in an HTTP header")]
    BadVersion(String),
    #[error("could not set up HTTPS: {0}")]
    Http(String),
}

impl NotionClient {
    /// Builds a client; `stop` lets a signal or a 401 halt every waiting request.
    pub fn new(config: ClientConfig, stop: Stop) -> Result<NotionClient, ClientBuildError> {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", config.token.expose_secret().trim()))
                .map_err(|_| ClientBuildError::BadToken)?;
        // Keeps the value out of any Debug output, ours or a dependency's.
        auth.set_sensitive(true);
        let version = HeaderValue::from_str(&config.version)
            .map_err(|_| ClientBuildError::BadVersion(config.version.clone()))?;
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert("Notion-Version", version);

        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("notion-sweep/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientBuildError::Http(e.without_url().to_string()))?;

        // One request every 1/rate seconds and no burst, so a server that
        // enforces exactly `rate` never sees us above it. Each request costs
        // CELLS cells and the bucket holds one more: a timer that wakes a
        // little late (under a tenth of the interval) does not push every
        // later request back with it.
        let cell = Duration::from_secs_f64(1.0 / config.rate / f64::from(CELLS.get()));
        let quota = Quota::with_period(cell)
            .expect("rate is validated positive and finite")
            .allow_burst(CELLS.saturating_add(1));

        Ok(NotionClient {
            http,
            base: config.base_url,
            headers,
            limiter: RateLimiter::direct(quota),
            turn: tokio::sync::Mutex::new(()),
            paused_until: Mutex::new(None),
            policy: config.retry,
            http_timeout: config.timeout,
            rate: config.rate,
            started: Instant::now(),
            counters: Counters::default(),
            stop,
        })
    }

    /// The rate every request is paced at, per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Requests sent so far, retries included.
    pub fn counts(&self) -> RequestCounts {
        RequestCounts {
            sent: self.counters.sent.load(Ordering::Relaxed),
            retried: self.counters.retried.load(Ordering::Relaxed),
            rate_limited: self.counters.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// `GET /v1/databases/{id}`.
    pub async fn database(&self, id: &str) -> Result<Database, NotionError> {
        self.call(Method::GET, &["v1", "databases", id], &[], None)
            .await
    }

    /// `GET /v1/data_sources/{id}`.
    pub async fn data_source(&self, id: &str) -> Result<DataSource, NotionError> {
        self.call(Method::GET, &["v1", "data_sources", id], &[], None)
            .await
    }

    /// `POST /v1/data_sources/{id}/query`, asking only for `properties` (ids or
    /// names). Also says how long Notion took to answer (the last attempt,
    /// without the wait for a rate permit).
    pub async fn query(
        &self,
        data_source_id: &str,
        body: &QueryBody,
        properties: &[String],
    ) -> Result<(QueryPage, Duration), NotionError> {
        // Property ids come URL-encoded (`fk%5EY` is `fk^Y`) and Notion wants
        // them encoded exactly once on the wire: send them as they are
        // (encoding again gives `fk%255EY`, which Notion cannot find).
        let query: Vec<String> = properties
            .iter()
            .map(|p| format!("filter_properties={}", escape_query_value(p)))
            .collect();
        let body = serde_json::to_value(body).expect("a query body always serializes");
        self.call_timed(
            Method::POST,
            &["v1", "data_sources", data_source_id, "query"],
            &query,
            Some(&body),
        )
        .await
    }

    /// `PATCH /v1/pages/{id}` with `body`; the answer (the whole page) is not needed.
    pub async fn update_page(&self, page_id: &str, body: &Value) -> Result<(), NotionError> {
        let _: serde::de::IgnoredAny = self
            .call(Method::PATCH, &["v1", "pages", page_id], &[], Some(body))
            .await?;
        Ok(())
    }

    /// One call with its retries.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[String],
        body: Option<&Value>,
    ) -> Result<T, NotionError> {
        Ok(self.call_timed(method, segments, query, body).await?.0)
    }

    /// One call with its retries, and how long its successful attempt took.
    async fn call_timed<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[String],
        body: Option<&Value>,
    ) -> Result<(T, Duration), NotionError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("the API URL is validated to be http(s)")
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.set_query(Some(&query.join("&")));
        }
        let path = url.path().to_string();

        let mut retry = 0u32;
        loop {
            self.wait_for_turn().await?;
            self.counters.sent.fetch_add(1, Ordering::Relaxed);
            if retry > 0 {
                self.counters.retried.fetch_add(1, Ordering::Relaxed);
            }
            let sent_at = Instant::now();
            let error = match self.attempt(method.clone(), url.clone(), body).await {
                Ok(value) => {
                    let took = sent_at.elapsed();
                    tracing::debug!(%method, %path, elapsed_ms = took.as_millis() as u64, "ok");
                    return Ok((value, took));
                }
                Err(error) => error,
            };
            tracing::debug!(%method, %path, error = %error, "failed");
            let after = match error.verdict() {
                Verdict::Fail => return Err(error),
                Verdict::Retry { after } => after,
                Verdict::PauseAll { after } => {
                    self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                    after
                }
            };
            if retry >= self.policy.max_retries {
                return Err(NotionError::RetriesExhausted {
                    attempts: retry + 1,
                    last: Box::new(error),
                });
            }
            let wait = after.unwrap_or_else(|| self.policy.backoff(retry));
            if self.started.elapsed() + wait > self.policy.deadline {
                return Err(NotionError::DeadlineExceeded {
                    deadline_secs: self.policy.deadline.as_secs(),
                    last: Box::new(error),
                });
            }
            if matches!(error.verdict(), Verdict::PauseAll { .. }) {
                self.pause_all(wait);
            }
            tracing::info!(
                %method, %path, retry = retry + 1, wait_ms = wait.as_millis() as u64,
                "retrying after: {error}"
            );
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                reason = self.stop.stopped() => return Err(NotionError::Stopped(reason)),
            }
            retry += 1;
        }
    }

    /// Waits out a pause set by a 429/529 and then for a rate permit.
    async fn wait_for_turn(&self) -> Result<(), NotionError> {
        let wait = async {
            // One request at a time waits for the limiter, in the order they
            // came: fair, and no herd of waiters waking at every permit.
            let _turn = self.turn.lock().await;
            loop {
                while let Some(until) = self.pause_end() {
                    tokio::time::sleep_until(until).await;
                }
                self.limiter
                    .until_n_ready(CELLS)
                    .await
                    .expect("the bucket holds more than one request's cells");
                // A pause may have begun while this request waited for its permit.
                if self.pause_end().is_none() {
                    break;
                }
            }
        };
        if let Some(reason) = self.stop.reason() {
            return Err(NotionError::Stopped(reason));
        }
        tokio::select! {
            _ = wait => Ok(()),
            reason = self.stop.stopped() => Err(NotionError::Stopped(reason)),
        }
    }

    /// When the current pause ends, if one is on.
    fn pause_end(&self) -> Option<Instant> {
        let until = (*self.paused_until.lock().expect("not poisoned"))?;
        (until > Instant::now()).then_some(until)
    }

    fn pause_all(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self.paused_until.lock().expect("not poisoned");
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }

    /// One HTTP exchange. A request already sent may finish for a few seconds
    /// after a stop, then it is abandoned.
    async fn attempt<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<T, NotionError> {
        let mut request = self.http.request(method, url).headers(self.headers.clone());
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(body).expect("JSON values serialize"));
        }
        let exchange = async {
            let response = request.send().await.map_err(|e| self.transport_error(e))?;
            let status = response.status();
            let request_id = response
                .headers()
                .get("x-notion-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64);
            let bytes = response
                .bytes()
                .await
                .map_err(|e| self.transport_error(e))?;
            if status.is_success() {
                serde_json::from_slice(&bytes).map_err(|e| NotionError::BadResponse {
                    status: status.as_u16(),
                    detail: e.to_string(),
                    transient: !e.is_data(),
                    request_id,
                })
            } else {
                Err(NotionError::Api(api_error(
                    status,
                    &bytes,
                    request_id,
                    retry_after,
                )))
            }
        };
        let abandon = async {
            self.stop.stopped().await;
            tokio::time::sleep(STOP_GRACE).await;
        };
        tokio::select! {
            result = exchange => result,
            _ = abandon => Err(NotionError::Stopped(self.stop.reason().expect("stopped"))),
        }
    }

    fn transport_error(&self, error: reqwest::Error) -> NotionError {
        // Never let a URL into a message: it is not secret here, but the
        // habit keeps webhook URLs out of logs elsewhere.
        let error = error.without_url();
        if error.is_timeout() {
            NotionError::Timeout(self.timeout())
        } else {
            NotionError::Connection(describe(&error))
        }
    }

    fn timeout(&self) -> Duration {
        // reqwest does not expose it; the config value is what was set.
        self.http_timeout
    }
}

/// A query value that is already URL-encoded, made safe to send as it is:
/// `%` escapes are kept, anything else outside the unreserved set is escaped.
fn escape_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~%".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The error chain of a transport error, on one line.
pub(crate) fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Reads Notion's error body, or describes what came instead (an HTML page from the edge).
fn api_error(
    status: StatusCode,
    bytes: &[u8],
    header_request_id: Option<String>,
    retry_after: Option<Duration>,
) -> ApiError {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) if !body.code.is_empty() => ApiError {
            status: status.as_u16(),
            rate_limit_reason: body
                .additional_data
                .as_ref()
                .and_then(|d| d.get("rate_limit_reason"))
                .and_then(Value::as_str)
                .map(str::to_string),
            code: body.code,
            message: body.message,
            request_id: body.request_id.or(header_request_id),
            retry_after,
        },
        _ => ApiError {
            status: status.as_u16(),
            code: format!("http_{}", status.as_u16()),
            message: format!(
                "{} (the answer was not Notion's JSON error)",
                status.canonical_reason().unwrap_or("unexpected status")
            ),
            request_id: header_request_id,
            retry_after,
            rate_limit_reason: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_property_ids_are_sent_encoded_once() {
        assert_eq!(escape_query_value("fk%5EY"), "fk%5EY");
        assert_eq!(escape_query_value("title"), "title");
        assert_eq!(escape_query_value("a b&c"), "a%20b%26c");
    }

    #[test]
    fn error_bodies_are_read_or_described_never_panicked_on() {
        let json = br#"{"object":"error","status":429,"code":"rate_limited","message":"slow down","request_id":"r-1","additional_data":{"rate_limit_reason":"public_api_request_blocked"},"new_field":[1,2]}"#;
        let read = api_error(StatusCode::TOO_MANY_REQUESTS, json, None, None);
        assert_eq!(read.code, "rate_limited");
        assert_eq!(read.request_id.as_deref(), Some("r-1"));
        assert_eq!(
            read.rate_limit_reason.as_deref(),
            Some("public_api_request_blocked")
        );

        let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
        let edge = api_error(StatusCode::BAD_GATEWAY, html, Some("h-2".into()), None);
        assert_eq!(edge.code, "http_502");
        assert_eq!(edge.request_id.as_deref(), Some("h-2"));

        // Every cut-off prefix and random bytes: an error, never a panic.
        for end in 0..json.len() {
            let cut = api_error(StatusCode::INTERNAL_SERVER_ERROR, &json[..end], None, None);
            assert_eq!(cut.status, 500);
        }
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..5_000 {
            let bytes: Vec<u8> = (0..rng.usize(..64)).map(|_| rng.u8(..)).collect();
            let _ = api_error(StatusCode::SERVICE_UNAVAILABLE, &bytes, None, None);
        }
    }
}
