//! The one rate limiter every request passes, and the pause a 429 or 529
//! puts on all of them.
//!
//! A server that enforces its rate with a token bucket counts a request when
//! it reads it, not when it was sent. Whatever holds requests up on their way
//! (a server busy with a slow query, a process that loses the CPU for a few
//! milliseconds) hands them over together when it lets go, and the bucket
//! must take them all at once. Pacing the sends does not bound that: at
//! 500/s, a server that stalls for 26 ms is sent 13 requests meanwhile, more
//! than a bucket of 10 holds, and a client sending at exactly the server's
//! rate never earns the bucket back. So the limiter bounds two things:
//!
//! * the pace: one request every 1/`rate` seconds, in the order they asked,
//!   with no burst and no catching up after a wait (see [`Limiter::new`]);
//! * the requests sent and not yet answered: at most [`UNANSWERED`]. However
//!   long they are held up on their way, they arrive at most that many at
//!   once, plus those the pace lets through after them.
//!
//! A 429 or 529 holds every request for its `Retry-After`; when the pause
//! ends, the queue behind it goes at the pace, one request after another,
//! never all at once.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Rate limiter cells per request (see [`Limiter::new`]).
const CELLS: NonZeroU32 = NonZeroU32::new(10).expect("not zero");

/// Requests sent and not yet answered, at most: the most a hold-up on the
/// way can hand a server at once. Enough to keep the pace while answers take
/// up to `UNANSWERED / rate` seconds (2.7 s at Notion's 3 requests per
/// second); a server slower than that gets no more than this many requests
/// piled up at its door. At 500/s against a bucket of 10, the `scale` preset
/// of the bench: each query stalls the sandbox for 20 to 40 ms, and what was
/// sent meanwhile reaches its bucket at once when it lets go; with 8, the
/// sandbox's log shows at most 8 or 9 arrivals within 2 ms, which a bucket of
/// 10 refilled by the stall takes, and no 429 (with 16 writes on their way
/// and no such bound, 109 × 429 in the same run).
pub(crate) const UNANSWERED: usize = 8;

/// Paces requests at a steady rate, in the order they asked, keeps at most
/// [`UNANSWERED`] of them on their way, and holds them all while a pause is on.
pub(crate) struct Limiter {
    limiter: DefaultDirectRateLimiter,
    /// The queue for the limiter (tokio's mutex is first come, first served).
    turn: tokio::sync::Mutex<()>,
    /// One permit for each request on its way.
    unanswered: Arc<Semaphore>,
    /// Set by a 429 or 529: no request is sent before this instant.
    paused_until: Mutex<Option<Instant>>,
    rate: f64,
}

/// A request's place among those on their way: held from its rate permit
/// until its answer is read.
#[derive(Debug)]
pub(crate) struct Turn {
    _place: Option<OwnedSemaphorePermit>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl Limiter {
    /// One request every 1/`rate` seconds and no burst: in any span of time
    /// t, at most 1.1 + `rate` × t requests go. Each request costs CELLS
    /// cells and the bucket holds one more: a timer that wakes a little late
    /// (under a tenth of the interval) does not push every later request back
    /// with it, and a request that waited longer (for an answer, for a
    /// pause) is not made up for by the next ones: the pace starts again
    /// from it. The limiter's timer is precise to well under a millisecond;
    /// tokio's rounds a wake-up to the next millisecond, a tolerance this
    /// tight would lose the slot at every other request at 500/s, and one
    /// loose enough to keep it (3 ms) lets requests bunch more.
    ///
    /// There is no headroom below `rate`: what empties the server's bucket
    /// is not the average (the pace loses a little at every late wake, and
    /// never makes it up) but requests handed over at once after a hold-up,
    /// which [`UNANSWERED`] bounds; a headroom of h would cost h of the time
    /// at every rate, Notion's 3/s included. `rate` is validated to lie in
    /// 0.01..=100,000.
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
            unanswered: Arc::new(Semaphore::new(UNANSWERED)),
            paused_until: Mutex::new(None),
            rate,
        }
    }

    /// The rate every request is paced at, per second.
    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    /// Waits for a place among the requests on their way, out any pause,
    /// then for a rate permit. The request keeps its place until the
    /// [`Turn`] is dropped: hold it until the answer is read.
    pub(crate) async fn wait_for_turn(&self) -> Turn {
        // One request at a time waits for the limiter, in the order they
        // came: fair, and no herd of waiters waking at every permit.
        let _turn = self.turn.lock().await;
        // The place first: a permit taken while every place is held would be
        // spent waiting, and the pace would make up for it with the next one.
        // The semaphore is never closed; were it, the request would go
        // without a place rather than not at all.
        let place = self.unanswered.clone().acquire_owned().await.ok();
        loop {
            while let Some(until) = self.pause_end() {
                tokio::time::sleep_until(until).await;
            }
            // The bucket holds more than one request's cells: never refused.
            let _ = self.limiter.until_n_ready(CELLS).await;
            // A pause may have begun while this request waited for its permit.
            if self.pause_end().is_none() {
                return Turn { _place: place };
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

#[cfg(test)]
mod tests {
    //! On the real clock (the pace keeps its own, not tokio's): every bound
    //! checked is a lower one, which a busy machine only makes easier to meet.

    use super::*;

    /// 200 requests per second: one every 5 ms.
    const RATE: f64 = 200.0;
    const INTERVAL: Duration = Duration::from_millis(5);

    /// The earliest the `k`-th request after `from` (the first is 0) may go:
    /// k intervals less the tenth the pace forgives, and 1% for the two
    /// clocks.
    fn earliest(from: Instant, k: usize) -> Instant {
        from + INTERVAL.mul_f64((k as f64 - 0.1).max(0.0) * 0.99)
    }

    /// When each of the requests got its turn, in that order; each gives its
    /// place back at once.
    async fn turns(limiter: Arc<Limiter>, requests: usize) -> Vec<Instant> {
        let waiting: Vec<_> = (0..requests)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move {
                    drop(limiter.wait_for_turn().await);
                    Instant::now()
                })
            })
            .collect();
        let mut at = Vec::new();
        for request in waiting {
            at.push(request.await.expect("a turn"));
        }
        at.sort();
        at
    }

    #[tokio::test]
    async fn requests_never_go_faster_than_the_rate() {
        let limiter = Arc::new(Limiter::new(RATE));
        let start = Instant::now();
        for (k, at) in turns(limiter.clone(), 40).await.into_iter().enumerate() {
            assert!(at >= earliest(start, k), "request {k} came early");
        }
        // Idle for a while: the next requests do not make up for it.
        tokio::time::sleep(INTERVAL * 10).await;
        let resumed = Instant::now();
        for (k, at) in turns(limiter, 10).await.into_iter().enumerate() {
            assert!(
                at >= earliest(resumed, k),
                "request {k} after the idle came early"
            );
        }
    }

    #[tokio::test]
    async fn a_pause_holds_every_request_and_its_end_lets_them_go_at_the_pace() {
        let limiter = Arc::new(Limiter::new(RATE));
        let pause = Duration::from_millis(100);
        let end = Instant::now() + pause;
        limiter.pause_all(pause);
        for (k, at) in turns(limiter, 10).await.into_iter().enumerate() {
            assert!(
                at >= earliest(end, k),
                "request {k} came before its turn after the pause"
            );
        }
    }

    #[tokio::test]
    async fn no_more_requests_are_on_their_way_than_unanswered_allows() {
        let limiter = Arc::new(Limiter::new(100_000.0));
        let mut on_their_way = Vec::new();
        for _ in 0..UNANSWERED {
            on_their_way.push(limiter.wait_for_turn().await);
        }
        let next = {
            let limiter = limiter.clone();
            tokio::spawn(async move { drop(limiter.wait_for_turn().await) })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !next.is_finished(),
            "a request went while {UNANSWERED} were unanswered"
        );
        on_their_way.pop();
        tokio::time::timeout(Duration::from_secs(10), next)
            .await
            .expect("an answer gives its place to the next request")
            .expect("no panic");
    }

    #[tokio::test]
    async fn requests_held_back_by_unanswered_ones_go_at_the_pace_not_at_once() {
        let limiter = Arc::new(Limiter::new(RATE));
        let mut on_their_way = Vec::new();
        for _ in 0..UNANSWERED {
            on_their_way.push(limiter.wait_for_turn().await);
        }
        let queued = tokio::spawn(turns(limiter, 10));
        // Held up for twenty intervals, as by a server that stalls.
        tokio::time::sleep(INTERVAL * 20).await;
        let answered = Instant::now();
        on_their_way.clear();
        let at = queued.await.expect("the queued requests went");
        for (k, at) in at.into_iter().enumerate() {
            assert!(
                at >= earliest(answered, k),
                "request {k} came early after the hold-up"
            );
        }
    }
}
