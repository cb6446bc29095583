//! Progress of a sweep on standard error: on a terminal a line redrawn with
//! every task; without one (cron, CI) a plain log line every ten seconds
//! from the start; nothing with `-q`.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::jobs::sweep::{Counts, Watcher};

const REDRAW_EVERY: Duration = Duration::from_millis(100);
const LOG_EVERY: Duration = Duration::from_secs(10);

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Off,
    Terminal,
    Lines,
}

#[derive(Debug)]
struct State {
    counts: Counts,
    last_drawn: Option<Instant>,
    done: bool,
}

/// Reports progress; silent when quiet.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    mode: Mode,
    started: Instant,
    state: Arc<Mutex<State>>,
}

impl Progress {
    /// Picks the mode from whether standard error is a terminal. Without
    /// one, a line is logged every ten seconds from now until [`finish`].
    ///
    /// [`finish`]: Progress::finish
    pub(crate) fn new(quiet: bool) -> Progress {
        let mode = if quiet {
            Mode::Off
        } else if std::io::stderr().is_terminal() {
            Mode::Terminal
        } else {
            Mode::Lines
        };
        let progress = Progress {
            mode,
            started: Instant::now(),
            state: Arc::new(Mutex::new(State {
                counts: Counts::default(),
                last_drawn: None,
                done: false,
            })),
        };
        if mode == Mode::Lines && tokio::runtime::Handle::try_current().is_ok() {
            let ticker = progress.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(LOG_EVERY).await;
                    let state = ticker.lock();
                    if state.done {
                        return;
                    }
                    tracing::info!(target: super::log::PROGRESS, "{}", ticker.line(state.counts));
                }
            });
        }
        progress
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The progress line: counts, pace and time so far.
    fn line(&self, counts: Counts) -> String {
        let elapsed = self.started.elapsed().as_secs_f64();
        let handled = (counts.updated + counts.failed) as f64;
        let rate = if elapsed > 0.0 {
            handled / elapsed
        } else {
            0.0
        };
        let so_far = if counts.all_found { "" } else { " so far" };
        format!(
            "{} overdue found{so_far}, {} of {} updated, {} failed, {rate:.1} tasks/s, {elapsed:.0}s",
            counts.found, counts.updated, counts.found, counts.failed
        )
    }
}

impl Watcher for Progress {
    /// Records where the sweep stands; on a terminal, redraws the line (at
    /// most ten times a second).
    fn update(&self, counts: Counts) {
        if self.mode == Mode::Off {
            return;
        }
        let mut state = self.lock();
        state.counts = counts;
        if self.mode != Mode::Terminal
            || state.last_drawn.is_some_and(|t| t.elapsed() < REDRAW_EVERY)
        {
            return;
        }
        state.last_drawn = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{:<79}", self.line(counts));
        let _ = err.flush();
    }

    /// Ends the progress: clears the terminal line, stops the log lines.
    fn finish(&self) {
        let mut state = self.lock();
        state.done = true;
        if self.mode == Mode::Terminal && state.last_drawn.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{:<79}\r", "");
            let _ = err.flush();
        }
    }
}
