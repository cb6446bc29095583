//! Progress of a long sweep on standard error: a line redrawn in place on a
//! terminal, plain log lines every few seconds in cron and CI.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const REDRAW_EVERY: Duration = Duration::from_millis(100);
const LOG_EVERY: Duration = Duration::from_secs(10);

/// Where a sweep stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Overdue tasks found so far.
    pub(crate) found: usize,
    /// Updated, or would be in a dry run.
    pub(crate) updated: usize,
    pub(crate) failed: usize,
}

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Off,
    Terminal,
    Lines,
}

/// Reports progress; silent when quiet.
#[derive(Debug)]
pub(crate) struct Progress {
    mode: Mode,
    last: Mutex<(Instant, bool)>,
}

impl Progress {
    /// Picks the mode from whether standard error is a terminal.
    pub(crate) fn new(quiet: bool) -> Progress {
        let mode = if quiet {
            Mode::Off
        } else if std::io::stderr().is_terminal() {
            Mode::Terminal
        } else {
            Mode::Lines
        };
        Progress {
            mode,
            last: Mutex::new((Instant::now(), false)),
        }
    }

    /// Shows where the sweep stands, at most every so often.
    pub(crate) fn update(&self, counts: Counts) {
        let every = match self.mode {
            Mode::Off => return,
            Mode::Terminal => REDRAW_EVERY,
            Mode::Lines => LOG_EVERY,
        };
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.0.elapsed() < every {
            return;
        }
        last.0 = Instant::now();
        let line = format!(
            "{} overdue found, {} updated, {} failed",
            counts.found, counts.updated, counts.failed
        );
        match self.mode {
            Mode::Terminal => {
                last.1 = true;
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r{line:<72}");
                let _ = err.flush();
            }
            Mode::Lines => tracing::info!(target: "notion_sweep::progress", "{line}"),
            Mode::Off => {}
        }
    }

    /// Clears the terminal line, if one was drawn.
    pub(crate) fn finish(&self) {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if self.mode == Mode::Terminal && last.1 {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{:<72}\r", "");
            let _ = err.flush();
        }
    }
}
