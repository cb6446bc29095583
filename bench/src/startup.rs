//! The startup job: how long `notion-sweep --help` and a sweep with nothing
//! overdue take from exec to exit, each `--runs` times, at `--rate` (its
//! three requests paced) and at 1000 req/s (the limiter out of the way),
//! and the size of the binary.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use notion_sandbox::{Board, SandboxConfig};
use serde_json::Value;

use crate::board::{board_spec, sandbox_config, serve};
use crate::report::{beside_baseline, fmt_rate, median, spread, Beside};
use crate::run::{exec, sweep_command};
use crate::setup::{Builds, Setup};

/// What one binary measured.
struct Startup {
    size: u64,
    /// `--help`, exec → exit, sorted.
    help: Vec<Duration>,
    help_rss_kib: u64,
    /// The empty sweep at each rate.
    sweeps: Vec<EmptySweep>,
}

struct EmptySweep {
    rate: f64,
    /// Exec → exit, sorted.
    walls: Vec<Duration>,
    requests_per_run: usize,
    rss_kib: u64,
}

pub fn run(setup: &Setup, builds: &Builds) -> Result<(), String> {
    let mut measured = Vec::new();
    for (i, build) in builds.each().enumerate() {
        if i > 0 {
            println!();
        }
        let figures = measure(build.path, setup)?;
        print(build.path, setup, &figures);
        measured.push(figures);
    }
    if let [this, baseline] = &measured[..] {
        println!("\nbaseline beside this build:");
        print!("{}", beside_baseline(&compare(this, baseline)));
    }
    Ok(())
}

fn measure(bin: &Path, setup: &Setup) -> Result<Startup, String> {
    let size = std::fs::metadata(bin)
        .map_err(|e| format!("{}: {e}", bin.display()))?
        .len();
    let mut help = Vec::new();
    let mut help_rss_kib = 0;
    for _ in 0..setup.runs {
        let mut cmd = Command::new(bin);
        cmd.arg("--help")
            .env_clear()
            .current_dir(std::env::temp_dir());
        let run = exec(cmd)?;
        if !run.status.success() {
            return Err(format!("notion-sweep --help exited with {}", run.status));
        }
        help.push(run.wall);
        help_rss_kib = help_rss_kib.max(run.peak_rss_kib.unwrap_or(0));
    }
    help.sort();

    let spec = board_spec(setup, 0, setup.seed);
    let board = Board::generated(&spec);
    let db_id = spec.database_id();
    let mut sweeps = Vec::new();
    for rate in rates(setup.rate) {
        let sb = serve(
            board.clone(),
            SandboxConfig {
                rate_limit: None,
                ..sandbox_config(setup)
            },
        )?;
        let mut walls = Vec::new();
        let mut rss_kib = 0;
        for _ in 0..setup.runs {
            let run = exec(sweep_command(bin, &sb, &db_id, rate))?;
            let doc = run.json().unwrap_or(Value::Null);
            if !run.status.success() || doc["matched"].as_u64() != Some(0) {
                return Err(format!(
                    "the empty sweep exited with {} (matched {}); stderr:\n{}",
                    run.status, doc["matched"], run.stderr
                ));
            }
            walls.push(run.wall);
            rss_kib = rss_kib.max(run.peak_rss_kib.unwrap_or(0));
        }
        walls.sort();
        sweeps.push(EmptySweep {
            rate,
            walls,
            requests_per_run: sb.requests().len() / setup.runs,
            rss_kib,
        });
    }
    Ok(Startup {
        size,
        help,
        help_rss_kib,
        sweeps,
    })
}

/// `--rate`, and 1000 req/s unless `--rate` is that already or more.
fn rates(rate: f64) -> Vec<f64> {
    if rate < 1000.0 {
        vec![rate, 1000.0]
    } else {
        vec![rate]
    }
}

fn print(bin: &Path, setup: &Setup, s: &Startup) {
    let runs = setup.runs;
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!("notion-sweep bench, startup: {}", bin.display());
    println!(
        "release binary size: {} bytes ({:.2} MiB)",
        s.size,
        s.size as f64 / (1024.0 * 1024.0)
    );
    println!(
        "`notion-sweep --help`, exec → exit, {runs} runs: {}; peak RSS {:.1} MiB",
        spread(&s.help),
        mib(s.help_rss_kib)
    );
    println!(
        "empty sweep: {} tasks, none overdue; sandbox latency {} ms + 0..={} ms, no server limit",
        setup.tasks,
        setup.latency.as_millis(),
        setup.jitter.as_millis()
    );
    for sweep in &s.sweeps {
        println!(
            "  --rate {:>6}: exec → exit, {runs} runs: {}; {} requests per run; peak RSS {:.1} MiB",
            fmt_rate(sweep.rate),
            spread(&sweep.walls),
            sweep.requests_per_run,
            mib(sweep.rss_kib)
        );
    }
}

/// Binary size and median times, this build's beside the baseline's.
fn compare(this: &Startup, baseline: &Startup) -> Vec<Beside> {
    let mib = |bytes: f64| format!("{:.2} MiB", bytes / (1024.0 * 1024.0));
    let ms = |secs: f64| format!("{:.1} ms", secs * 1000.0);
    let median_secs = |walls: &[Duration]| median(walls).as_secs_f64();
    let mut rows = vec![
        Beside {
            what: "release binary size".into(),
            this: this.size as f64,
            baseline: baseline.size as f64,
            show: mib,
        },
        Beside {
            what: "--help, median".into(),
            this: median_secs(&this.help),
            baseline: median_secs(&baseline.help),
            show: ms,
        },
    ];
    for (a, b) in this.sweeps.iter().zip(&baseline.sweeps) {
        rows.push(Beside {
            what: format!("empty sweep at {}/s, median", fmt_rate(a.rate)),
            this: median_secs(&a.walls),
            baseline: median_secs(&b.walls),
            show: ms,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_sweep_is_timed_at_rate_and_with_the_limiter_out_of_the_way() {
        assert_eq!(rates(3.0), [3.0, 1000.0]);
        assert_eq!(rates(1000.0), [1000.0]);
        assert_eq!(rates(5000.0), [5000.0]);
    }

    #[test]
    fn the_comparison_is_of_medians_and_sizes() {
        let ms = Duration::from_millis;
        let startup = |size: u64, help: [u64; 3], sweep: [u64; 3]| Startup {
            size,
            help: help.map(ms).to_vec(),
            help_rss_kib: 0,
            sweeps: vec![EmptySweep {
                rate: 3.0,
                walls: sweep.map(ms).to_vec(),
                requests_per_run: 3,
                rss_kib: 0,
            }],
        };
        let rows = compare(
            &startup(11 << 20, [2, 3, 40], [600, 640, 700]),
            &startup(10 << 20, [3, 6, 7], [600, 640, 900]),
        );
        let got: Vec<(&str, f64)> = rows
            .iter()
            .map(|r| (r.what.as_str(), r.baseline / r.this))
            .collect();
        assert_eq!(got[0].0, "release binary size");
        assert!((got[0].1 - 10.0 / 11.0).abs() < 1e-9);
        assert_eq!(
            got[1],
            ("--help, median", 2.0),
            "the median, not the slow outlier"
        );
        assert_eq!(got[2], ("empty sweep at 3.00/s, median", 1.0));
    }
}
