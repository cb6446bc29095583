//! The Notion HTTP client: every call passes one rate limiter and one retry
//! policy, in a fixed order: take a place among the requests on their way,
//! wait out any pause, take a rate permit, send, and give the place back
//! once the answer is read.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use super::error::{ApiError, NotionError};
use super::limiter::{Limiter, Turn};
use super::retry::{self, RetryPolicy, Retryable, Verdict};
use super::wire::{self, DataSource, Database, ErrorBody, QueryBody, QueryPage};
use crate::guards::limits::{self, BodyError};
use crate::guards::stop::{Stop, StopReason};
use crate::guards::{scrub, urls};

/// The largest answer read from Notion: a page of 100 rows with three
/// properties each is well under 1 MiB.
const BODY_LIMIT: usize = 16 * limits::MIB;

/// How long a request already sent may run on after the run is stopped.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// Everything the client needs to know, already validated.
#[derive(Debug, Clone)]
pub(crate) struct ClientConfig {
    pub(crate) base_url: Url,
    pub(crate) token: SecretString,
    /// Where the token came from, as a message names it (`NOTION_TOKEN`,
    /// `OPS_TOKEN`, `the token file /run/secrets/notion`).
    pub(crate) token_source: String,
    pub(crate) version: String,
    /// Requests per second, averaged.
    pub(crate) rate: f64,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    /// A limiter shared with other clients under the same token (several
    /// boards); `None` for one of its own at `rate`.
    pub(crate) limiter: Option<Arc<Limiter>>,
}

/// Counts of Notion requests, retries included.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub(crate) struct RequestCounts {
    pub(crate) sent: u64,
    pub(crate) retried: u64,
    pub(crate) rate_limited: u64,
}

#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    retried: AtomicU64,
    rate_limited: AtomicU64,
}

/// A Notion API client for one run.
pub(crate) struct NotionClient {
    http: reqwest::Client,
    base: Url,
    headers: HeaderMap,
    limiter: Arc<Limiter>,
    policy: RetryPolicy,
    http_timeout: Duration,
    started: Instant,
    counters: Counters,
    stop: Stop,
    token_source: String,
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
pub(crate) enum ClientBuildError {
    #[error("the Notion token contains characters that cannot be sent in an HTTP header (a stray newline or quote?)")]
    BadToken,
    #[error("the Notion-Version value '{0}' cannot be sent in an HTTP header")]
    BadVersion(String),
    #[error("could not set up HTTPS: {0}")]
    Http(String),
}

/// One request to Notion, before it is sent.
struct Call<'a> {
    method: Method,
    url: Url,
    body: Option<&'a Value>,
}

impl NotionClient {
    /// Builds a client; `stop` lets a signal or a 401 halt every waiting request.
    pub(crate) fn new(config: ClientConfig, stop: Stop) -> Result<NotionClient, ClientBuildError> {
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

        let mut http = reqwest::Client::builder();
        if urls::is_loopback(&config.base_url) {
            http = http.no_proxy();
        }
        let http = http
            .timeout(config.timeout)
            .user_agent(concat!("notion-sweep/", env!("CARGO_PKG_VERSION")))
            // Notion's API does not redirect: a redirect is a wrong --api-url
            // (or worse), and following it would send the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ClientBuildError::Http(e.without_url().to_string()))?;
        Ok(NotionClient {
            http,
            base: config.base_url,
            headers,
            limiter: config
                .limiter
                .unwrap_or_else(|| Arc::new(Limiter::new(config.rate))),
            policy: config.retry,
            http_timeout: config.timeout,
            started: Instant::now(),
            counters: Counters::default(),
            stop,
            token_source: config.token_source,
        })
    }

    /// Where the token came from, as a message names it.
    pub(crate) fn token_source(&self) -> &str {
        &self.token_source
    }

    /// The rate every request is paced at, per second.
    pub(crate) fn rate(&self) -> f64 {
        self.limiter.rate()
    }

    /// Requests sent so far, retries included.
    pub(crate) fn counts(&self) -> RequestCounts {
        RequestCounts {
            sent: self.counters.sent.load(Ordering::Relaxed),
            retried: self.counters.retried.load(Ordering::Relaxed),
            rate_limited: self.counters.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// `GET /v1/databases/{id}`.
    pub(crate) async fn database(&self, id: &str) -> Result<Database, NotionError> {
        self.call(Method::GET, &["v1", "databases", id], &[], None)
            .await
    }

    /// `GET /v1/data_sources/{id}`.
    pub(crate) async fn data_source(&self, id: &str) -> Result<DataSource, NotionError> {
        self.call(Method::GET, &["v1", "data_sources", id], &[], None)
            .await
    }

    /// `POST /v1/data_sources/{id}/query`, asking only for `properties` (ids or
    /// names). Also says how long Notion took to answer (the last attempt,
    /// without the wait for a rate permit).
    pub(crate) async fn query(
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
        let body =
            serde_json::to_value(body).map_err(|e| NotionError::Connection(e.to_string()))?;
        self.call_timed(
            Method::POST,
            &["v1", "data_sources", data_source_id, "query"],
            &query,
            Some(&body),
        )
        .await
    }

    /// `GET /v1/pages/{id}`, only to learn that there is such a page.
    pub(crate) async fn page_exists(&self, id: &str) -> Result<(), NotionError> {
        let _: serde::de::IgnoredAny = self
            .call(Method::GET, &["v1", "pages", id], &[], None)
            .await?;
        Ok(())
    }

    /// `GET /v1/pages/{id}`: the page as Notion gives it, read as a row is.
    pub(crate) async fn page(&self, id: &str) -> Result<Value, NotionError> {
        self.call(Method::GET, &["v1", "pages", id], &[], None)
            .await
    }

    /// `POST /v1/comments`: a comment of plain `text` on the page.
    pub(crate) async fn create_comment(
        &self,
        page_id: &str,
        text: &str,
    ) -> Result<(), NotionError> {
        let body = serde_json::json!({
            "parent": { "page_id": page_id },
            "rich_text": [{ "type": "text", "text": { "content": text } }],
        });
        let _: serde::de::IgnoredAny = self
            .call(Method::POST, &["v1", "comments"], &[], Some(&body))
            .await?;
        Ok(())
    }

    /// `PATCH /v1/pages/{id}` with `body`; the answer (the whole page) is not needed.
    pub(crate) async fn update_page(&self, page_id: &str, body: &Value) -> Result<(), NotionError> {
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
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.set_query(Some(&query.join("&")));
        }
        let call = Call { method, url, body };
        let mut retry = 0u32;
        // An attempt that timed out may have been applied: a stop before the
        // next one leaves the call's fate unknown, not "not sent".
        let mut maybe_applied = false;
        let unknown_if = |maybe_applied: bool| {
            move |error| match error {
                NotionError::Stopped(reason) if maybe_applied => NotionError::Abandoned(reason),
                other => other,
            }
        };
        loop {
            let turn = self
                .wait_for_turn()
                .await
                .map_err(unknown_if(maybe_applied))?;
            self.counters.sent.fetch_add(1, Ordering::Relaxed);
            if retry > 0 {
                self.counters.retried.fetch_add(1, Ordering::Relaxed);
            }
            let sent_at = Instant::now();
            let attempt = self.attempt(&call).await;
            // Answered (or given up): the place goes to the next request,
            // not held through a back-off.
            drop(turn);
            match attempt {
                Ok(value) => {
                    let took = sent_at.elapsed();
                    tracing::debug!(method = %call.method, path = call.url.path(), elapsed_ms = took.as_millis() as u64, "ok");
                    return Ok((value, took));
                }
                Err(error) => {
                    maybe_applied |= matches!(error, NotionError::Timeout(_));
                    self.before_retry(&call, error, retry)
                        .await
                        .map_err(unknown_if(maybe_applied))?
                }
            }
            retry += 1;
        }
    }

    /// Decides what follows a failed attempt: an error to return, or a
    /// wait (during which a stop ends the call) before the next attempt.
    async fn before_retry(
        &self,
        call: &Call<'_>,
        error: NotionError,
        retry: u32,
    ) -> Result<(), NotionError> {
        tracing::debug!(method = %call.method, path = call.url.path(), error = %error, "failed");
        if error.is_blocked() {
            if self.stop.reason().is_none() {
                tracing::error!("Notion blocked this integration ({error}); nothing more is sent");
            }
            self.stop.trigger(StopReason::Blocked);
        }
        let verdict = error.verdict();
        let after = match verdict {
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
        if self.started.elapsed().saturating_add(wait) > self.policy.deadline {
            return Err(NotionError::DeadlineExceeded {
                deadline_secs: self.policy.deadline.as_secs(),
                last: Box::new(error),
            });
        }
        if matches!(verdict, Verdict::PauseAll { .. }) {
            self.limiter.pause_all(wait);
        }
        tracing::info!(
            method = %call.method, path = call.url.path(), retry = retry + 1, wait_ms = wait.as_millis() as u64,
            "retrying after: {error}"
        );
        tokio::select! {
            _ = tokio::time::sleep(wait) => Ok(()),
            reason = self.stop.stopped() => Err(NotionError::Stopped(reason)),
        }
    }

    /// Waits for a place among the requests on their way, out a pause set by
    /// a 429/529, and then for a rate permit; a stop ends the wait.
    async fn wait_for_turn(&self) -> Result<Turn, NotionError> {
        if let Some(reason) = self.stop.reason() {
            return Err(NotionError::Stopped(reason));
        }
        tokio::select! {
            turn = self.limiter.wait_for_turn() => Ok(turn),
            reason = self.stop.stopped() => Err(NotionError::Stopped(reason)),
        }
    }

    /// One HTTP exchange. A request already sent may finish for a few seconds
    /// after a stop, then it is abandoned: it may or may not have been applied.
    async fn attempt<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, NotionError> {
        tokio::select! {
            result = self.exchange(call) => result,
            reason = async {
                let reason = self.stop.stopped().await;
                tokio::time::sleep(STOP_GRACE).await;
                reason
            } => Err(NotionError::Abandoned(reason)),
        }
    }

    /// Sends one request and reads its answer.
    async fn exchange<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, NotionError> {
        let mut request = self
            .http
            .request(call.method.clone(), call.url.clone())
            .headers(self.headers.clone());
        if let Some(body) = call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(redirect(&call.url, response.headers()));
        }
        let request_id = response
            .headers()
            .get("x-notion-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = retry::retry_after(response.headers());
        let bytes = self.read_body(response).await?;
        if status.is_success() {
            wire::from_json(&bytes).map_err(|e| NotionError::BadResponse {
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
    }

    /// The body of an answer, up to [`BODY_LIMIT`]: a larger one is refused
    /// without being read to its end.
    async fn read_body(&self, response: reqwest::Response) -> Result<Vec<u8>, NotionError> {
        match limits::read_body_limited(response, BODY_LIMIT).await {
            Ok(body) => Ok(body),
            Err(BodyError::Read(e)) => Err(self.transport_error(e)),
            Err(BodyError::TooLarge { limit }) => Err(NotionError::TooLarge {
                limit_mib: (limit / limits::MIB) as u64,
            }),
        }
    }

    fn transport_error(&self, error: reqwest::Error) -> NotionError {
        // Never let a URL into a message: it is not secret here, but the
        // habit keeps webhook URLs out of logs elsewhere.
        let error = error.without_url();
        if error.is_timeout() {
            // reqwest does not expose it; the config value is what was set.
            NotionError::Timeout(self.http_timeout)
        } else {
            NotionError::Connection(describe(&error))
        }
    }
}

/// The error for a redirect: names where it pointed (the host only).
fn redirect(from: &Url, headers: &HeaderMap) -> NotionError {
    let host = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|location| from.join(location).ok())
        .and_then(|to| to.host_str().map(str::to_string))
        .unwrap_or_else(|| "an unnamed place".into());
    NotionError::Redirect { host }
}

/// What a query value keeps as it is: the unreserved characters and `%`,
/// so that an id Notion sent already encoded is encoded exactly once.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'%');

/// A query value that is already URL-encoded, made safe to send as it is.
fn escape_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
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
    match wire::from_json::<ErrorBody>(bytes) {
        Ok(body) if !body.code.is_empty() => ApiError {
            status: status.as_u16(),
            rate_limit_reason: body
                .additional_data
                .as_ref()
                .and_then(|d| d.get("rate_limit_reason"))
                .and_then(Value::as_str)
                .map(str::to_string),
            code: scrub::scrubbed(&body.code),
            // A server's words may echo the request: never a channel for
            // secrets or terminal control.
            message: scrub::scrubbed(&body.message),
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
