//! The one place that decides whether a failed call is tried again, and how
//! long to wait first: for Notion and for every webhook.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::error::NotionError;

/// The longest wait a server may ask for; a longer `Retry-After` is clipped
/// to it (and the run's deadline cuts it shorter still).
pub(crate) const LONGEST_WAIT: Duration = Duration::from_secs(86_400);

/// A number of seconds from a server as a wait: negative, NaN and infinite
/// values are not a wait, and huge ones saturate at [`LONGEST_WAIT`].
pub(crate) fn wait_of(seconds: f64) -> Option<Duration> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(seconds).map_or(LONGEST_WAIT, |d| d.min(LONGEST_WAIT)))
}

/// The `Retry-After` header in seconds (the HTTP-date form is not used by
/// Notion or the webhook services, and is ignored).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    wait_of(value.trim().parse::<f64>().ok()?)
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Give up: asking again cannot help.
    Fail,
    /// Try again after back-off, or after `after` when the server said when.
    Retry { after: Option<Duration> },
    /// Notion is shedding load (429, 529): every request waits `after`, not only this one.
    PauseAll { after: Option<Duration> },
}

/// Whether an error is worth another attempt.
pub trait Retryable {
    fn verdict(&self) -> Verdict;
}

impl Retryable for NotionError {
    fn verdict(&self) -> Verdict {
        match self {
            NotionError::Api(api) => match api.status {
                429 if api.rate_limit_reason.as_deref() == Some("public_api_request_blocked") => {
                    Verdict::Fail
                }
                429 | 529 => Verdict::PauseAll {
                    after: api.retry_after,
                },
                // Our calls are reads and a write of a fixed value: safe to repeat.
                409 | 500..=599 => Verdict::Retry {
                    after: api.retry_after,
                },
                _ => Verdict::Fail,
            },
            NotionError::Timeout(_) | NotionError::Connection(_) => Verdict::Retry { after: None },
            NotionError::BadResponse { transient, .. } if *transient => {
                Verdict::Retry { after: None }
            }
            _ => Verdict::Fail,
        }
    }
}

/// Exponential back-off with jitter, bounded by a retry count and a deadline.
#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    /// First back-off; doubled each retry.
    pub(crate) base: Duration,
    /// Longest single back-off (a server's Retry-After may be longer).
    pub(crate) cap: Duration,
    /// Total time a run may spend; no retry waits past it.
    pub(crate) deadline: Duration,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first), with "equal
    /// jitter": between half and all of the exponential step, so that many
    /// requests failing at once do not come back at once.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let step = self
            .base
            .saturating_mul(2u32.saturating_pow(retry.min(16)))
            .min(self.cap);
        let half = step / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notion::error::ApiError;

    fn api(status: u16, reason: Option<&str>) -> NotionError {
        NotionError::Api(ApiError {
            status,
            code: "x".into(),
            message: "m".into(),
            request_id: None,
            retry_after: Some(Duration::from_secs(2)),
            rate_limit_reason: reason.map(str::to_string),
        })
    }

    #[test]
    fn retries_what_the_contract_names_and_nothing_else() {
        let after = Some(Duration::from_secs(2));
        assert_eq!(api(429, None).verdict(), Verdict::PauseAll { after });
        assert_eq!(api(529, None).verdict(), Verdict::PauseAll { after });
        for status in [409, 500, 502, 503, 504] {
            assert_eq!(
                api(status, None).verdict(),
                Verdict::Retry { after },
                "{status}"
            );
        }
        for status in [400, 401, 403, 404] {
            assert_eq!(api(status, None).verdict(), Verdict::Fail, "{status}");
        }
        assert_eq!(
            api(429, Some("public_api_request_blocked")).verdict(),
            Verdict::Fail
        );
        assert_eq!(
            NotionError::Timeout(Duration::from_secs(1)).verdict(),
            Verdict::Retry { after: None }
        );
        assert_eq!(
            NotionError::Connection("reset".into()).verdict(),
            Verdict::Retry { after: None }
        );
    }

    #[test]
    fn retry_after_of_any_size_is_a_wait_never_a_panic() {
        assert_eq!(wait_of(2.5), Some(Duration::from_millis(2500)));
        assert_eq!(wait_of(1e20), Some(LONGEST_WAIT));
        assert_eq!(wait_of(f64::MAX), Some(LONGEST_WAIT));
        for bad in [-1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(wait_of(bad), None, "{bad}");
        }
        let mut headers = HeaderMap::new();
        for (raw, wait) in [
            ("120", Some(Duration::from_secs(120))),
            ("1e20", Some(LONGEST_WAIT)),
            ("99999999999999999999999999", Some(LONGEST_WAIT)),
            ("soon", None),
            ("Wed, 21 Oct 2026 07:28:00 GMT", None),
        ] {
            headers.insert(RETRY_AFTER, raw.parse().unwrap());
            assert_eq!(retry_after(&headers), wait, "{raw}");
        }
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let policy = RetryPolicy {
            max_retries: 5,
            base: Duration::from_millis(400),
            cap: Duration::from_secs(5),
            deadline: Duration::from_secs(60),
        };
        for retry in 0..10 {
            let step = Duration::from_millis(400 * 2u64.pow(retry)).min(Duration::from_secs(5));
            let wait = policy.backoff(retry);
            assert!(
                wait >= step / 2 && wait <= step,
                "{retry}: {wait:?} vs {step:?}"
            );
        }
    }
}
