//! The one rate limiter every request passes, and the pause a 429 or 529
//! puts on all of them.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

/// Rate limiter cells per request (see [`Limiter::new`]).
const CELLS: NonZeroU32 = NonZeroU32::new(10).expect("not zero");

/// Paces requests at a steady rate, in the order they asked, and holds them
/// all while a pause is on.
pub(crate) struct Limiter {
    limiter: DefaultDirectRateLimiter,
    /// The queue for the limiter (tokio's mutex is first come, first served).
    turn: tokio::sync::Mutex<()>,
    /// Set by a 429 or 529: no request is sent before this instant.
    paused_until: Mutex<Option<Instant>>,
    rate: f64,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl Limiter {
    /// One request every 1/`rate` seconds and no burst, so a server that
    /// enforces exactly `rate` never sees us above it. Each request costs
    /// CELLS cells and the bucket holds one more: a timer that wakes a little
    /// late (under a tenth of the interval) does not push every later request
    /// back with it. `rate` is validated to lie in 0.01..=100,000.
    pub(crate) fn new(rate: f64) -> Limiter {
        let cell = Duration::try_from_secs_f64(1.0 / rate / f64::from(CELLS.get()))
            .unwrap_or(Duration::from_secs(10))
            .max(Duration::from_nanos(1));
        let quota = Quota::with_period(cell)
            .expect("the period is at least a nanosecond")
            .allow_burst(CELLS.saturating_add(1));
        Limiter {
            limiter: RateLimiter::direct(quota),
            turn: tokio::sync::Mutex::new(()),
            paused_until: Mutex::new(None),
            rate,
        }
    }

    /// The rate every request is paced at, per second.
    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    /// Waits out any pause, then for a rate permit.
    pub(crate) async fn wait_for_turn(&self) {
        // One request at a time waits for the limiter, in the order they
        // came: fair, and no herd of waiters waking at every permit.
        let _turn = self.turn.lock().await;
        loop {
            while let Some(until) = self.pause_end() {
                tokio::time::sleep_until(until).await;
            }
            // The bucket holds more than one request's cells: never refused.
            let _ = self.limiter.until_n_ready(CELLS).await;
            // A pause may have begun while this request waited for its permit.
            if self.pause_end().is_none() {
                break;
            }
        }
    }

    /// When the current pause ends, if one is on.
    fn pause_end(&self) -> Option<Instant> {
        let until = (*self.paused_until.lock().unwrap_or_else(|e| e.into_inner()))?;
        (until > Instant::now()).then_some(until)
    }

    /// Holds every request for `wait` (a longer pause already on is kept).
    pub(crate) fn pause_all(&self, wait: Duration) {
        let until = Instant::now()
            .checked_add(wait)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400));
        let mut paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }
}
