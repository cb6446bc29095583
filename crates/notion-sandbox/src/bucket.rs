//! The token bucket behind every rate limit: Notion's, one for the whole
//! integration, and each webhook sink's own.

use std::time::Instant;

/// Rate limit settings: a token bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Average requests per second (Notion: 3).
    pub per_second: f64,
    /// Bucket size: requests allowed in a burst.
    pub burst: u32,
}

impl RateLimit {
    /// Notion's documented average (3 requests/s) with a burst of 10.
    pub fn notion() -> Self {
        RateLimit {
            per_second: 3.0,
            burst: 10,
        }
    }
}

/// A token bucket: starts full, refills at `per_second`, holds `burst`.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        let capacity = f64::from(limit.burst.max(1));
        TokenBucket {
            rate: limit.per_second.max(1e-9),
            capacity,
            tokens: capacity,
            last: now,
        }
    }

    /// Takes a token, or says after how many whole seconds (at least 1) one
    /// will be there. A refused request takes nothing.
    ///
    /// Recorded truth (docs/sandbox.md, "Retry-After"): Notion sends an
    /// integer number of seconds and does not say how it is computed. The
    /// sandbox sends the time until a token is back, rounded *up* to whole
    /// seconds and never 0, and refuses every request until that token is
    /// back: a client that retries on its own shorter backoff instead of
    /// waiting out Retry-After only collects more 429s. Scripted
    /// faults ([`crate::FaultKind::RateLimited`]) can send any value, also past
    /// 60 s as the workspace limit does.
    pub fn try_take(&mut self, now: Instant) -> Result<(), u64> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.last = self.last.max(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / self.rate;
            Err((wait.ceil() as u64).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bucket_allows_burst_then_refuses_with_retry_after() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(
            RateLimit {
                per_second: 2.0,
                burst: 3,
            },
            t0,
        );
        for _ in 0..3 {
            assert_eq!(b.try_take(t0), Ok(()));
        }
        assert_eq!(b.try_take(t0), Err(1));
        // half a second later one token is back
        assert_eq!(b.try_take(t0 + Duration::from_millis(500)), Ok(()));
        assert_eq!(b.try_take(t0 + Duration::from_millis(500)), Err(1));
        // never more than the burst after a long pause
        let later = t0 + Duration::from_secs(100);
        for _ in 0..3 {
            assert_eq!(b.try_take(later), Ok(()));
        }
        assert!(b.try_take(later).is_err());
    }

    #[test]
    fn slow_bucket_reports_whole_seconds() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(
            RateLimit {
                per_second: 0.1,
                burst: 1,
            },
            t0,
        );
        assert_eq!(b.try_take(t0), Ok(()));
        assert_eq!(b.try_take(t0), Err(10));
        assert_eq!(b.try_take(t0 + Duration::from_millis(2500)), Err(8));
    }
}
