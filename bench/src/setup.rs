//! What one run of the bench is set to: the options once a preset and the
//! flags are applied, and the binaries it measures.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use clap::ValueEnum;

/// The day the board is generated around and the sweep runs on.
pub const AS_OF: &str = "2026-11-22";
/// Per-request timeout, for the binary and for the script alike.
pub const TIMEOUT_SECS: u64 = 30;

/// [`AS_OF`] as a date.
pub fn today() -> NaiveDate {
    AS_OF.parse().expect("a valid date")
}

/// Who sweeps the board: the binary, or the usual script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Strategy {
    /// The notion-sweep binary, as a subprocess.
    Pipelined,
    /// Query, then PATCH, wait, sleep 350 ms, task after task.
    Sequential,
}

/// The options once presets and defaults are applied.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Added by the sandbox to every request.
    pub latency: Duration,
    /// Plus a uniform extra of 0..=this.
    pub jitter: Duration,
    /// Requests per second: the sweep's `--rate` and the sandbox's limit.
    pub rate: f64,
    /// Tasks on the board.
    pub tasks: usize,
    /// Overdue tasks among them.
    pub overdue: usize,
    /// Fraction of requests answered 500/502/503/504.
    pub fault_rate: f64,
    /// Token bucket size of the sandbox's limit; 0 for no limit.
    pub server_burst: u32,
    pub strategies: Vec<Strategy>,
    /// Seed of the board, the jitter and the faults.
    pub seed: u64,
    /// Repetitions of each startup measurement (at least 1).
    pub runs: usize,
    /// Where a sweep writes each column's request log, if anywhere.
    pub log_dir: Option<PathBuf>,
}

/// The binaries to measure: the build under test and, for a before/after
/// comparison, a baseline run the same way right after it.
#[derive(Debug, Clone)]
pub struct Builds {
    pub binary: PathBuf,
    pub baseline: Option<PathBuf>,
}

/// One of the [`Builds`].
#[derive(Debug, Clone, Copy)]
pub struct Build<'a> {
    pub path: &'a Path,
    pub is_baseline: bool,
}

impl Builds {
    /// The build under test, then the baseline if there is one.
    pub fn each(&self) -> impl Iterator<Item = Build<'_>> {
        let this = Build {
            path: &self.binary,
            is_baseline: false,
        };
        let baseline = self.baseline.as_deref().map(|path| Build {
            path,
            is_baseline: true,
        });
        std::iter::once(this).chain(baseline)
    }
}
