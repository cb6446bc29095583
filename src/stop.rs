//! A run-wide "stop sending" switch, pulled by SIGINT/SIGTERM or by a 401.

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

    /// Pulls the switch on SIGINT or SIGTERM, for as long as the process runs.
    pub(crate) fn on_signals(&self) {
        let stop = self.clone();
        tokio::spawn(async move {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{signal, SignalKind};
                let (Ok(mut int), Ok(mut term)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                ) else {
                    return;
                };
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            #[cfg(not(unix))]
            {
                if tokio::signal::ctrl_c().await.is_err() {
                    return;
                }
            }
            tracing::warn!("interrupted: no new writes start; finishing what is in flight");
            stop.trigger(StopReason::Interrupted);
        });
    }
}
