//! A run-wide "stop sending" switch, pulled by SIGINT/SIGTERM, a 401, a
//! blocked integration or the run's `--deadline`.

use std::sync::Arc;

use tokio::sync::watch;

/// Why the run stopped sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StopReason {
    /// SIGINT or SIGTERM.
    Interrupted,
    /// Notion refused the token in the middle of a run.
    TokenRefused,
    /// Notion refused a write for a missing capability (403): every write would fail.
    CapabilityMissing,
    /// Notion blocked the integration (429 `public_api_request_blocked`).
    Blocked,
    /// The run's `--deadline` (in seconds) passed.
    DeadlineReached { secs: u64 },
}

/// Shared by the sweep, the client and the signal handler. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Stop {
    tx: Arc<watch::Sender<Option<StopReason>>>,
}

impl Default for Stop {
    fn default() -> Self {
        Stop {
            tx: Arc::new(watch::channel(None).0),
        }
    }
}

impl Stop {
    /// Pulls the switch; the first reason given is kept.
    pub(crate) fn trigger(&self, reason: StopReason) {
        self.tx.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(reason);
                true
            } else {
                false
            }
        });
    }

    /// Why the run is stopping, if it is.
    pub(crate) fn reason(&self) -> Option<StopReason> {
        *self.tx.borrow()
    }

    /// Resolves once the switch is pulled.
    pub async fn stopped(&self) -> StopReason {
        let mut rx = self.tx.subscribe();
        let reason = match rx.wait_for(Option::is_some).await {
            Ok(reason) => *reason,
            // The sender lives as long as `self`: this cannot happen.
            Err(_) => None,
        };
        match reason {
            Some(reason) => reason,
            None => std::future::pending().await,
        }
    }

    /// Pulls the switch after `limit`: the run's `--deadline`, for as long
    /// as the returned guard lives.
    pub(crate) fn after(&self, limit: std::time::Duration) -> Deadline {
        let stop = self.clone();
        Deadline(tokio::spawn(async move {
            tokio::time::sleep(limit).await;
            if stop.reason().is_none() {
                tracing::warn!(
                    "the --deadline of {}s passed: no new requests start",
                    limit.as_secs()
                );
            }
            stop.trigger(StopReason::DeadlineReached {
                secs: limit.as_secs(),
            });
        }))
    }

    /// Pulls the switch on SIGINT or SIGTERM, for as long as the process
    /// runs. A second signal calls `second`: for a run that will not wait
    /// (the command ends the process there, with its exit code).
    pub(crate) fn on_signals(&self, second: fn()) {
        let stop = self.clone();
        tokio::spawn(async move {
            let Some(mut signals) = Signals::new() else {
                return;
            };
            if !signals.next().await {
                return;
            }
            tracing::warn!("interrupted: no new writes start; finishing what is in flight (a second signal ends the run at once)");
            stop.trigger(StopReason::Interrupted);
            if signals.next().await {
                second();
            }
        });
    }
}

/// A run's `--deadline` timer: stopped when dropped, with the run.
#[derive(Debug)]
pub(crate) struct Deadline(tokio::task::JoinHandle<()>);

impl Drop for Deadline {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// SIGINT and SIGTERM (Ctrl-C elsewhere), as a stream.
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Option<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Some(Signals {
                int: signal(SignalKind::interrupt()).ok()?,
                term: signal(SignalKind::terminate()).ok()?,
            })
        }
        #[cfg(not(unix))]
        {
            Some(Signals {})
        }
    }

    /// Waits for the next signal; false when none can come.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            tokio::select! {
                got = self.int.recv() => got.is_some(),
                got = self.term.recv() => got.is_some(),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}
