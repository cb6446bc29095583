//! How close does a sweep get to Notion's rate limit?
//!
//! ```sh
//! cargo build --release                                        # the binary under test
//! cargo run --release -p notion-sweep-bench -- --preset slow         # 600 ms answers, 3 req/s, 150 overdue
//! cargo run --release -p notion-sweep-bench -- --preset fast         # 60 ms answers, 30 req/s
//! cargo run --release -p notion-sweep-bench -- --preset scale        # 100,000 tasks, 20,000 overdue, 500 req/s
//! cargo run --release -p notion-sweep-bench -- --preset startup      # --help, an empty sweep, binary size
//! cargo run --release -p notion-sweep-bench -- --preset boards       # two boards × 150 overdue: one token vs two
//! cargo run --release -p notion-sweep-bench -- --latency-ms 300 --rate 10 --tasks 2000 --overdue 0.1 \
//!     --fault-rate 0.05 --server-burst 3 --strategies pipelined,sequential
//! ```
//!
//! Every strategy works on an identical board (same generated board, same
//! seed) served by its own sandbox (`notion_sandbox`) on loopback. The
//! sandbox adds `--latency-ms` plus a uniform `0..=--jitter-ms` to every
//! request before handling it, enforces exactly `--rate` with a token bucket
//! of `--server-burst` tokens (429 + `Retry-After`; `--server-burst 0` turns
//! the limit off), and answers `--fault-rate` of the requests with
//! 500/502/503/504 in equal shares. Because the jitter is added before the
//! bucket is asked, requests sent exactly 1/rate apart can arrive up to
//! `--jitter-ms` closer together: a bucket of 1 would answer 429 to a
//! perfect client, so the default burst is 2 (enough while
//! jitter × rate < 1).
//!
//! Strategies (`--strategies`, default both; the scale preset runs only the
//! pipelined one, since the sequential one would take hours there):
//!
//! * `pipelined`: the real release binary,
//!   `target/release/notion-sweep sweep <db> --output json`, run as a
//!   subprocess with a cleared environment plus `NOTION_TOKEN`,
//!   `NOTION_API_URL`, `SWEEP_AS_OF`, `SWEEP_TZ=UTC`, `NOTION_RATE`
//!   (= `--rate`) and `NOTION_TIMEOUT`, in the temporary directory (so no
//!   `.env` is picked up).
//! * `sequential`: the usual script, written here: query 100 overdue tasks
//!   (same filter, oldest first), then for each one PATCH its status, wait
//!   for the answer, sleep 350 ms; query again from the start (moved tasks
//!   leave the filter) until nothing is left. A 429 is retried after its
//!   `Retry-After`, a 5xx or 409 after one second.
//!
//! What each figure means:
//!
//! * tasks updated / expected: overdue tasks of the board now in "Overdue",
//!   read from the sandbox's board after the run, over the number the board
//!   was generated with. "other pages changed" must be 0.
//! * requests sent: Notion requests in the sandbox's request log, retries
//!   included. 429s and 5xx: answers of that status in the same log. The
//!   pipelined column also shows what the binary itself counted (the
//!   `requests` object of its JSON output) and flags any disagreement.
//! * achieved rate: (requests − 1) / (time from the first to the last
//!   request's arrival in the sandbox log). n requests span n − 1 intervals;
//!   dividing n by the span would credit a perfect pacer with more than
//!   `--rate`. Shown with its ratio to `--rate`.
//!   Under it: the time from the first request to the first PATCH (the
//!   setup reads and the first query are answered one after the other), the
//!   median time between two arrivals (against 1/rate: a limiter that loses
//!   its slot whenever it wakes late shows here) and the longest one (a
//!   limiter left idle shows here).
//! * wall time: pipelined, from just before the subprocess is spawned to its
//!   exit; sequential, from the first request to the last answer.
//! * ideal time: (N + N/100 + 2) / rate, N the number of overdue tasks: the
//!   least time any client needs at that rate (one PATCH per task, one query
//!   per 100 tasks, two setup reads). wall / ideal: how far from it.
//! * peak RSS: the subprocess's `VmHWM` from `/proc/<pid>/status`, read every
//!   3 ms until it exits (the sequential strategy runs inside this process:
//!   not measured).
//! * CPU time: user + system, of the subprocess (read with its peak RSS)
//!   and of this process: the sandbox, plus the script when sequential, plus
//!   the /proc polling when pipelined (about 2 s per minute of polling).
//! * sequential / pipelined: the ratio of the two wall times of this run.
//!
//! The header also gives how long one overdue query takes the sandbox on
//! this board without added latency: on 100,000 tasks it is tens of ms, the
//! time a sweep that waits for a query's answer before its next writes loses
//! on every page.
//!
//! The startup preset times exec → exit of `notion-sweep --help` and of a
//! sweep with nothing overdue (a 1,000-task board, no latency) at `--rate`
//! (default 3, so the three requests of a sweep are paced over 2/3 s) and at
//! 1000 req/s (the limiter out of the way), each `--runs` times, and prints
//! the size of the release binary.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod boards;

use chrono::NaiveDate;
use clap::{Parser, ValueEnum};
use notion_sandbox::{
    Board, FaultConfig, FaultKind, GeneratedBoard, RateLimit, RecordedRequest, Sandbox,
    SandboxConfig, NOTION_VERSION,
};
use serde_json::{json, Value};

/// The day the board is generated around and the sweep runs on.
const AS_OF: &str = "2026-11-22";
/// The usual script's pause after each answer.
const SCRIPT_SLEEP: Duration = Duration::from_millis(350);
/// How often the subprocess's peak RSS is read.
const RSS_POLL: Duration = Duration::from_millis(3);
/// Per-request timeout for both strategies.
const TIMEOUT_SECS: u64 = 30;

#[derive(Parser, Debug)]
#[command(
    name = "bench",
    about = "Measures how close a sweep gets to Notion's rate limit (see the doc comment of bench/src/main.rs)"
)]
struct Args {
    /// A set of defaults: slow, fast, scale, startup or boards. Explicit options win.
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// Latency the sandbox adds to every request [default: 600].
    #[arg(long)]
    latency_ms: Option<u64>,
    /// Plus a uniform extra of 0..=this [default: 100].
    #[arg(long)]
    jitter_ms: Option<u64>,
    /// Requests per second: the sweep's --rate and the sandbox's limit [default: 3].
    #[arg(long)]
    rate: Option<f64>,
    /// Tasks on the board [default: 400].
    #[arg(long)]
    tasks: Option<usize>,
    /// Overdue tasks: a count (150) or a fraction of --tasks (0.25) [default: 100].
    #[arg(long)]
    overdue: Option<String>,
    /// Fraction of requests answered 500/502/503/504 [default: 0].
    #[arg(long)]
    fault_rate: Option<f64>,
    /// Token bucket size of the sandbox's rate limit; 0 for no limit [default: 2].
    #[arg(long)]
    server_burst: Option<u32>,
    /// Which strategies to run, comma-separated [default: pipelined,sequential].
    #[arg(long, value_enum, value_delimiter = ',')]
    strategies: Option<Vec<Strategy>>,
    /// Seed of the board, the jitter and the faults.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Repetitions of each startup measurement.
    #[arg(long, default_value_t = 10)]
    runs: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Preset {
    Slow,
    Fast,
    Scale,
    Startup,
    Boards,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Strategy {
    Pipelined,
    Sequential,
}

/// The options once presets and defaults are applied.
#[derive(Debug, Clone)]
struct Setup {
    latency: Duration,
    jitter: Duration,
    rate: f64,
    tasks: usize,
    overdue: usize,
    fault_rate: f64,
    server_burst: u32,
    strategies: Vec<Strategy>,
    seed: u64,
}

/// latency ms, jitter ms, rate, tasks, overdue, burst, strategies.
type Defaults = (u64, u64, f64, usize, &'static str, u32, &'static [Strategy]);

const BOTH: &[Strategy] = &[Strategy::Pipelined, Strategy::Sequential];

fn defaults(preset: Option<Preset>) -> Defaults {
    match preset {
        None => (600, 100, 3.0, 400, "100", 2, BOTH),
        Some(Preset::Slow) => (600, 100, 3.0, 600, "150", 2, BOTH),
        Some(Preset::Fast) => (60, 10, 30.0, 1_200, "300", 2, BOTH),
        // 500 req/s: on two cores, the sandbox and the client together use
        // all the CPU near 1,500 req/s, and the machine, not the sweep, would
        // set the pace. Scheduling noise of a few ms bunches arrivals, so the
        // bucket holds 20 ms worth of requests.
        Some(Preset::Scale) => (2, 1, 500.0, 100_000, "20000", 10, &[Strategy::Pipelined]),
        Some(Preset::Startup) => (0, 0, 3.0, 1_000, "0", 0, &[Strategy::Pipelined]),
        // Two boards of 150 overdue tasks, under one token and under two.
        Some(Preset::Boards) => (60, 10, 30.0, 600, "150", 2, &[Strategy::Pipelined]),
    }
}

fn resolve(args: &Args) -> Result<Setup, String> {
    let (latency, jitter, rate, tasks, overdue, burst, strategies) = defaults(args.preset);
    let tasks = args.tasks.unwrap_or(tasks);
    let overdue_raw = args.overdue.as_deref().unwrap_or(overdue);
    let overdue = match overdue_raw.parse::<usize>() {
        Ok(n) => n,
        Err(_) => match overdue_raw.parse::<f64>() {
            Ok(f) if (0.0..=1.0).contains(&f) => (tasks as f64 * f).round() as usize,
            _ => {
                return Err(format!(
                    "--overdue '{overdue_raw}': a count or a fraction in 0..=1"
                ))
            }
        },
    };
    if overdue > tasks {
        return Err(format!("--overdue {overdue} is more than --tasks {tasks}"));
    }
    let rate = args.rate.unwrap_or(rate);
    if !(rate.is_finite() && rate > 0.0) {
        return Err(format!("--rate {rate}: must be more than 0"));
    }
    let fault_rate = args.fault_rate.unwrap_or(0.0);
    if !(0.0..1.0).contains(&fault_rate) {
        return Err(format!("--fault-rate {fault_rate}: a fraction below 1"));
    }
    Ok(Setup {
        latency: Duration::from_millis(args.latency_ms.unwrap_or(latency)),
        jitter: Duration::from_millis(args.jitter_ms.unwrap_or(jitter)),
        rate,
        tasks,
        overdue,
        fault_rate,
        server_burst: args.server_burst.unwrap_or(burst),
        strategies: args
            .strategies
            .clone()
            .unwrap_or_else(|| strategies.to_vec()),
        seed: args.seed,
    })
}

fn main() {
    let args = Args::parse();
    let setup = match resolve(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let bin = match binary() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let result = if args.preset == Some(Preset::Startup) {
        startup(&bin, &setup, args.runs.max(1))
    } else if args.preset == Some(Preset::Boards) {
        boards::boards(&bin, &setup)
    } else {
        sweeps(&bin, &setup)
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// `target/release/notion-sweep`, next to this benchmark's own executable.
fn binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("where am I? {e}"))?;
    let dir = exe
        .parent()
        .ok_or("the benchmark's executable has no parent directory")?;
    let bin = dir.join(format!("notion-sweep{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        return Err(format!(
            "{} is missing: run `cargo build --release` first",
            bin.display()
        ));
    }
    Ok(bin)
}

fn today() -> NaiveDate {
    AS_OF.parse().expect("a valid date")
}

fn sandbox_config(setup: &Setup, latency: Duration, jitter: Duration) -> SandboxConfig {
    let share = setup.fault_rate / 4.0;
    let mut faults = FaultConfig::default();
    if share > 0.0 {
        for kind in [
            FaultKind::InternalServerError,
            FaultKind::BadGateway,
            FaultKind::ServiceUnavailable,
            FaultKind::GatewayTimeout,
        ] {
            faults = faults.with_random(kind, share);
        }
    }
    SandboxConfig {
        latency,
        jitter,
        rate_limit: (setup.server_burst > 0).then_some(RateLimit {
            per_second: setup.rate,
            burst: setup.server_burst,
        }),
        seed: setup.seed,
        faults,
        ..SandboxConfig::default()
    }
}

fn board_spec(setup: &Setup, overdue: usize) -> GeneratedBoard {
    GeneratedBoard {
        seed: setup.seed,
        overdue_fraction: if setup.tasks == 0 {
            0.0
        } else {
            overdue as f64 / setup.tasks as f64
        },
        ..GeneratedBoard::new(setup.tasks, today())
    }
}

// ---------------------------------------------------------------------------
// Running a process: wall time and peak RSS
// ---------------------------------------------------------------------------

struct Exec {
    wall: Duration,
    peak_rss_kib: Option<u64>,
    /// User + system CPU time, as last read before it exited.
    cpu: Option<Duration>,
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs `cmd` to its exit, timing it from just before the spawn and reading
/// `VmHWM` every few ms while it runs.
fn exec(mut cmd: Command) -> Result<Exec, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("could not start: {e}"))?;
    let pid = child.id();
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let (exited, on_exit) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = exited.send(Instant::now());
        status
    });
    let mut peak: Option<u64> = None;
    let mut cpu = None;
    let ended = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = Some(peak.map_or(kib, |p| p.max(kib)));
        }
        cpu = cpu_time(&pid.to_string()).or(cpu);
        match on_exit.recv_timeout(RSS_POLL) {
            Ok(at) => break at,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break Instant::now(),
        }
    };
    let status = waiter
        .join()
        .map_err(|_| "the waiter thread panicked".to_string())?
        .map_err(|e| format!("could not wait for it: {e}"))?;
    Ok(Exec {
        wall: ended.duration_since(started),
        peak_rss_kib: peak,
        cpu,
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// The peak resident set size of a live process, in KiB.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// User + system CPU time of a process (`self` or a pid) from
/// `/proc/<pid>/stat`, in clock ticks of 1/100 s (Linux's USER_HZ).
fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: count fields after its ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

/// `notion-sweep sweep <db> --output json` against a sandbox.
fn sweep_command(bin: &Path, sb: &Sandbox, database_id: &str, rate: f64) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(["sweep", database_id, "--output", "json"])
        .env_clear()
        .env("NOTION_TOKEN", sb.token())
        .env("NOTION_API_URL", sb.url())
        .env("SWEEP_AS_OF", AS_OF)
        .env("SWEEP_TZ", "UTC")
        .env("NOTION_RATE", rate.to_string())
        .env("NOTION_TIMEOUT", TIMEOUT_SECS.to_string())
        .current_dir(std::env::temp_dir());
    cmd
}

// ---------------------------------------------------------------------------
// Sweep benchmarks: pipelined and sequential on identical boards
// ---------------------------------------------------------------------------

/// What one strategy did, as the sandbox saw it.
struct Measured {
    strategy: Strategy,
    wall: Duration,
    updated: usize,
    /// Pages whose status changed although they were not overdue.
    stray: usize,
    requests: usize,
    rate_limited: usize,
    server_errors: usize,
    /// First to last arrival in the request log.
    span: Option<Duration>,
    /// From the first request to the first PATCH, in the request log.
    first_write: Option<Duration>,
    /// The longest time between two arrivals, and the request after it.
    longest_gap: Option<(Duration, String)>,
    /// The median time between two arrivals.
    median_gap: Option<Duration>,
    peak_rss_kib: Option<u64>,
    /// CPU time of the client process, if separate.
    client_cpu: Option<Duration>,
    /// CPU time of this process (the sandbox, the sequential client, the poller).
    own_cpu: Option<Duration>,
    /// What the client itself said.
    client: String,
    /// A problem worth a line under the table.
    problem: Option<String>,
}

fn sweeps(bin: &Path, setup: &Setup) -> Result<(), String> {
    let spec = board_spec(setup, setup.overdue);
    let board = Board::generated(&spec);
    let ds_id = spec.data_source_id();
    let db_id = spec.database_id();
    let expected = spec.overdue_count();
    let before = statuses(&board, &ds_id);
    let overdue_ids = overdue_ids(&board, &ds_id);
    if overdue_ids.len() != expected {
        return Err(format!(
            "the generated board holds {} overdue tasks, not {expected}",
            overdue_ids.len()
        ));
    }
    let ideal = ideal_secs(expected, setup.rate);

    println!("notion-sweep bench: {}", bin.display());
    println!(
        "board: {} tasks, {} overdue (as of {AS_OF}), seed {}",
        setup.tasks, expected, setup.seed
    );
    println!(
        "sandbox: latency {} ms + 0..={} ms, rate limit {}, faults {:.1}% (500/502/503/504)",
        setup.latency.as_millis(),
        setup.jitter.as_millis(),
        if setup.server_burst > 0 {
            format!(
                "{} req/s with burst {}",
                fmt_rate(setup.rate),
                setup.server_burst
            )
        } else {
            "none".into()
        },
        setup.fault_rate * 100.0
    );
    println!(
        "one overdue query on this board: {:.1} ms at the sandbox without added latency (median of 5)",
        query_cost(&board, &ds_id)?.as_secs_f64() * 1000.0
    );
    println!(
        "--rate {} req/s; ideal time (N + N/100 + 2) / rate = {:.2} s\n",
        fmt_rate(setup.rate),
        ideal
    );

    let mut results = Vec::new();
    for &strategy in &setup.strategies {
        let sb = Sandbox::spawn(
            board.clone(),
            sandbox_config(setup, setup.latency, setup.jitter),
        )
        .map_err(|e| format!("could not start the sandbox: {e}"))?;
        match strategy {
            Strategy::Pipelined => eprintln!("running pipelined (the notion-sweep binary)…"),
            Strategy::Sequential => eprintln!(
                "running sequential (PATCH, wait, sleep 350 ms): at least {:.0} s…",
                expected as f64 * (setup.latency + SCRIPT_SLEEP).as_secs_f64()
            ),
        }
        let cpu_before = cpu_time("self");
        let run = match strategy {
            Strategy::Pipelined => pipelined(bin, &sb, &db_id, setup.rate)?,
            Strategy::Sequential => sequential(&sb, &ds_id)?,
        };
        let own_cpu = cpu_time("self")
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        let log = sb.requests();
        let pages = sb.pages(&ds_id);
        drop(sb);
        let (updated, stray) = changes(&before, &pages, &overdue_ids);
        let mut measured = Measured {
            strategy,
            wall: run.wall,
            updated,
            stray,
            requests: log.len(),
            rate_limited: log.iter().filter(|r| r.status == 429).count(),
            server_errors: log.iter().filter(|r| r.status >= 500).count(),
            span: span(&log),
            first_write: first_write(&log),
            longest_gap: longest_gap(&log),
            median_gap: median_gap(&log),
            peak_rss_kib: run.peak_rss_kib,
            client_cpu: run.cpu,
            own_cpu,
            client: run.client,
            problem: run.problem,
        };
        cross_check(&mut measured, run.counts);
        results.push(measured);
    }
    print_table(&results, setup, expected, ideal);
    Ok(())
}

/// (N + N/100 + 2) / rate.
fn ideal_secs(overdue: usize, rate: f64) -> f64 {
    let n = overdue as f64;
    (n + n / 100.0 + 2.0) / rate
}

fn status_of(page: &notion_sandbox::PageState) -> Option<&str> {
    page.properties.get("Status").and_then(|v| v.as_text())
}

fn statuses(board: &Board, ds_id: &str) -> HashMap<String, String> {
    board
        .data_source(ds_id)
        .map(|ds| {
            ds.pages
                .iter()
                .map(|p| (p.id.clone(), status_of(p).unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Live pages in "To Do" with a due date before [`AS_OF`].
fn overdue_ids(board: &Board, ds_id: &str) -> HashSet<String> {
    let Some(ds) = board.data_source(ds_id) else {
        return HashSet::new();
    };
    ds.pages
        .iter()
        .filter(|p| !p.in_trash && status_of(p) == Some("To Do"))
        .filter(|p| {
            p.properties
                .get("Due Date")
                .and_then(|v| v.as_date())
                .is_some_and(|d| d.start.get(..10).is_some_and(|day| day < AS_OF))
        })
        .map(|p| p.id.clone())
        .collect()
}

/// (overdue tasks now in "Overdue", other pages whose status changed).
fn changes(
    before: &HashMap<String, String>,
    after: &[notion_sandbox::PageState],
    overdue: &HashSet<String>,
) -> (usize, usize) {
    let mut updated = 0;
    let mut stray = 0;
    for page in after {
        let now = status_of(page).unwrap_or("");
        if overdue.contains(&page.id) {
            updated += usize::from(now == "Overdue");
        } else if before.get(&page.id).map(String::as_str) != Some(now) {
            stray += 1;
        }
    }
    (updated, stray)
}

fn first_write(log: &[RecordedRequest]) -> Option<Duration> {
    let first = log.iter().map(|r| r.at).min()?;
    let write = log
        .iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| r.at)
        .min()?;
    Some(write.duration_since(first))
}

fn longest_gap(log: &[RecordedRequest]) -> Option<(Duration, String)> {
    let mut sorted: Vec<&RecordedRequest> = log.iter().collect();
    sorted.sort_by_key(|r| r.at);
    sorted
        .windows(2)
        .map(|w| {
            let what = if w[1].path.ends_with("/query") {
                "query".to_string()
            } else {
                w[1].method.clone()
            };
            (w[1].at.duration_since(w[0].at), what)
        })
        .max_by_key(|(gap, _)| *gap)
}

fn median_gap(log: &[RecordedRequest]) -> Option<Duration> {
    let mut at: Vec<Instant> = log.iter().map(|r| r.at).collect();
    at.sort();
    let mut gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort();
    gaps.get(gaps.len() / 2).copied()
}

fn span(log: &[RecordedRequest]) -> Option<Duration> {
    let first = log.iter().map(|r| r.at).min()?;
    let last = log.iter().map(|r| r.at).max()?;
    Some(last.duration_since(first))
}

/// What a strategy reports about itself.
struct StrategyRun {
    wall: Duration,
    peak_rss_kib: Option<u64>,
    /// CPU time of the client when it is a separate process.
    cpu: Option<Duration>,
    /// Its own account, for the table.
    client: String,
    /// Requests sent and 429s received, by its own count (pipelined only).
    counts: Option<(usize, usize)>,
    problem: Option<String>,
}

/// The real binary as a subprocess.
fn pipelined(bin: &Path, sb: &Sandbox, db_id: &str, rate: f64) -> Result<StrategyRun, String> {
    let run =
        exec(sweep_command(bin, sb, db_id, rate)).map_err(|e| format!("{}: {e}", bin.display()))?;
    let doc: Value = serde_json::from_str(&run.stdout).map_err(|e| {
        format!(
            "notion-sweep ({}) printed no JSON ({e}); its stderr:\n{}",
            run.status, run.stderr
        )
    })?;
    let count = |k: &str| doc["requests"][k].as_u64().unwrap_or(0);
    let client = format!(
        "sent {}, retried {}, 429s {}; updated {}, exit {}",
        count("sent"),
        count("retried"),
        count("rate_limited"),
        doc["updated"].as_u64().unwrap_or(0),
        run.status.code().map_or("signal".into(), |c| c.to_string()),
    );
    let problem = (!run.status.success()).then(|| {
        let tail: Vec<&str> = run.stderr.lines().rev().take(5).collect();
        format!(
            "notion-sweep exited with {}; last lines of its stderr:\n  {}",
            run.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n  ")
        )
    });
    Ok(StrategyRun {
        wall: run.wall,
        peak_rss_kib: run.peak_rss_kib,
        cpu: run.cpu,
        client,
        counts: Some((count("sent") as usize, count("rate_limited") as usize)),
        problem,
    })
}

/// The binary's own counts must match the sandbox's log.
fn cross_check(m: &mut Measured, counts: Option<(usize, usize)>) {
    let Some((sent, rate_limited)) = counts else {
        return;
    };
    let mut mismatches = Vec::new();
    if sent != m.requests {
        mismatches.push(format!("the sandbox logged {} requests", m.requests));
    }
    if rate_limited != m.rate_limited {
        mismatches.push(format!("the sandbox answered {} 429s", m.rate_limited));
    }
    if !mismatches.is_empty() {
        let note = format!(
            "MISMATCH: the client counted {sent} requests and {rate_limited} 429s, but {}",
            mismatches.join(" and ")
        );
        m.problem = Some(match m.problem.take() {
            Some(p) => format!("{p}\n{note}"),
            None => note,
        });
    }
}

/// The usual script: query, then PATCH, wait, sleep 350 ms, task after task.
fn sequential(sb: &Sandbox, ds_id: &str) -> Result<StrategyRun, String> {
    let (runtime, script) = Script::new(sb)?;
    runtime.block_on(script.run(ds_id))
}

/// How long the sandbox takes to answer one overdue query on this board,
/// with no added latency: the median of five, on a fresh sandbox.
fn query_cost(board: &Board, ds_id: &str) -> Result<Duration, String> {
    let sb = Sandbox::spawn(board.clone(), SandboxConfig::default())
        .map_err(|e| format!("could not start the sandbox: {e}"))?;
    let (runtime, mut script) = Script::new(&sb)?;
    let url = format!("{}/v1/data_sources/{ds_id}/query", sb.url());
    let mut times = runtime.block_on(async {
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            script
                .send(reqwest::Method::POST, &url, &overdue_query())
                .await?;
            times.push(t.elapsed());
        }
        Ok::<_, String>(times)
    })?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// The usual script's query: the sweep's filter, by property name.
fn overdue_query() -> Value {
    json!({
        "filter": {"and": [
            {"property": "Status", "status": {"equals": "To Do"}},
            {"property": "Due Date", "date": {"before": AS_OF}},
        ]},
        "sorts": [{"property": "Due Date", "direction": "ascending"}],
        "page_size": 100,
    })
}

struct Script {
    http: reqwest::Client,
    base: String,
    token: String,
    sent: u64,
}

impl Script {
    fn new(sb: &Sandbox) -> Result<(tokio::runtime::Runtime, Script), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("could not start a runtime: {e}"))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(TIMEOUT_SECS))
            .build()
            .map_err(|e| format!("could not build an HTTP client: {e}"))?;
        let script = Script {
            http,
            base: sb.url(),
            token: sb.token(),
            sent: 0,
        };
        Ok((runtime, script))
    }

    async fn run(mut self, ds_id: &str) -> Result<StrategyRun, String> {
        let query_url = format!("{}/v1/data_sources/{ds_id}/query", self.base);
        let query = overdue_query();
        let patch = json!({"properties": {"Status": {"status": {"name": "Overdue"}}}});
        let started = Instant::now();
        let mut failed: HashSet<String> = HashSet::new();
        loop {
            let page = self
                .send(reqwest::Method::POST, &query_url, &query)
                .await
                .map_err(|e| format!("sequential: the query failed: {e}"))?;
            let ids: Vec<String> = page["results"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .filter_map(|r| r["id"].as_str().map(str::to_string))
                        .filter(|id| !failed.contains(id))
                        .collect()
                })
                .unwrap_or_default();
            if ids.is_empty() {
                break;
            }
            for id in ids {
                let url = format!("{}/v1/pages/{id}", self.base);
                if self
                    .send(reqwest::Method::PATCH, &url, &patch)
                    .await
                    .is_err()
                {
                    failed.insert(id);
                }
                tokio::time::sleep(SCRIPT_SLEEP).await;
            }
        }
        let client = format!("sent {}, failed tasks {}", self.sent, failed.len());
        Ok(StrategyRun {
            wall: started.elapsed(),
            peak_rss_kib: None,
            cpu: None,
            client,
            counts: None,
            problem: None,
        })
    }

    /// One request; 429 waits its Retry-After, 5xx/409/transport errors one
    /// second; at most five retries.
    async fn send(
        &mut self,
        method: reqwest::Method,
        url: &str,
        body: &Value,
    ) -> Result<Value, String> {
        let mut last = String::new();
        for _ in 0..6 {
            self.sent += 1;
            let answer = self
                .http
                .request(method.clone(), url)
                .bearer_auth(&self.token)
                .header("Notion-Version", NOTION_VERSION)
                .json(body)
                .send()
                .await;
            let wait = match answer {
                Ok(r) if r.status().is_success() => {
                    return r.json().await.map_err(|e| e.to_string());
                }
                Ok(r) if r.status().as_u16() == 429 => {
                    last = "429".into();
                    r.headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .map_or(Duration::from_secs(1), Duration::from_secs)
                }
                Ok(r) if r.status().is_server_error() || r.status().as_u16() == 409 => {
                    last = r.status().to_string();
                    Duration::from_secs(1)
                }
                Ok(r) => return Err(r.status().to_string()),
                Err(e) => {
                    last = e.to_string();
                    Duration::from_secs(1)
                }
            };
            tokio::time::sleep(wait).await;
        }
        Err(format!("gave up after retries: {last}"))
    }
}

fn print_table(results: &[Measured], setup: &Setup, expected: usize, ideal: f64) {
    const W: usize = 40;
    let header = |s: Strategy| match s {
        Strategy::Pipelined => "pipelined (notion-sweep binary)",
        Strategy::Sequential => "sequential (PATCH, wait, sleep 350 ms)",
    };
    let row = |label: &str, cell: &dyn Fn(&Measured) -> String| {
        let cells: Vec<String> = results.iter().map(|m| format!("{:<W$}", cell(m))).collect();
        println!("{label:<32}{}", cells.join("  ").trim_end());
    };
    row("", &|m| header(m.strategy).to_string());
    row("tasks updated / expected", &|m| {
        format!("{} / {expected}", m.updated)
    });
    row("other pages changed", &|m| m.stray.to_string());
    row("requests sent (sandbox log)", &|m| m.requests.to_string());
    row("429s received (sandbox log)", &|m| {
        m.rate_limited.to_string()
    });
    row("5xx received (sandbox log)", &|m| {
        m.server_errors.to_string()
    });
    row("achieved request rate", &|m| match m.span {
        Some(span) if m.requests > 1 && !span.is_zero() => {
            let achieved = (m.requests - 1) as f64 / span.as_secs_f64();
            format!(
                "{}/s = {:.1}% of --rate",
                fmt_rate(achieved),
                100.0 * achieved / setup.rate
            )
        }
        _ => "n/a".into(),
    });
    row("  first→last request", &|m| {
        m.span
            .map_or("n/a".into(), |s| format!("{:.3} s", s.as_secs_f64()))
    });
    row("  first request→first PATCH", &|m| {
        m.first_write
            .map_or("n/a".into(), |s| format!("{:.3} s", s.as_secs_f64()))
    });
    row("  longest gap between requests", &|m| {
        m.longest_gap.as_ref().map_or("n/a".into(), |(gap, what)| {
            format!("{:.0} ms (before a {what})", gap.as_secs_f64() * 1000.0)
        })
    });
    row("  median gap between requests", &|m| {
        m.median_gap.map_or("n/a".into(), |g| {
            format!(
                "{:.3} ms (1/rate = {:.3} ms)",
                g.as_secs_f64() * 1000.0,
                1000.0 / setup.rate
            )
        })
    });
    row("wall time", &|m| format!("{:.3} s", m.wall.as_secs_f64()));
    row("ideal time", &|_| format!("{ideal:.3} s"));
    row("wall / ideal", &|m| {
        format!("{:.3}", m.wall.as_secs_f64() / ideal)
    });
    row("peak RSS", &|m| match m.peak_rss_kib {
        Some(kib) => format!("{:.1} MiB", kib as f64 / 1024.0),
        None => "n/a (runs in this process)".into(),
    });
    row("CPU time", &|m| {
        let secs =
            |d: Option<Duration>| d.map_or("n/a".into(), |d| format!("{:.2} s", d.as_secs_f64()));
        match m.strategy {
            Strategy::Pipelined => format!(
                "notion-sweep {}, bench process {}",
                secs(m.client_cpu),
                secs(m.own_cpu)
            ),
            Strategy::Sequential => format!("bench process {}", secs(m.own_cpu)),
        }
    });
    row("client's own count", &|m| m.client.clone());
    let wall = |s: Strategy| results.iter().find(|m| m.strategy == s).map(|m| m.wall);
    if let (Some(p), Some(s)) = (wall(Strategy::Pipelined), wall(Strategy::Sequential)) {
        println!(
            "\nsequential / pipelined wall time: {:.2}×",
            s.as_secs_f64() / p.as_secs_f64()
        );
    }
    for m in results {
        if let Some(p) = &m.problem {
            println!("\n{}: {p}", header(m.strategy));
        }
    }
}

fn fmt_rate(r: f64) -> String {
    if r >= 100.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.2}")
    }
}

// ---------------------------------------------------------------------------
// Startup: --help, an empty sweep, binary size
// ---------------------------------------------------------------------------

fn startup(bin: &Path, setup: &Setup, runs: usize) -> Result<(), String> {
    let size = std::fs::metadata(bin)
        .map_err(|e| format!("{}: {e}", bin.display()))?
        .len();
    println!("notion-sweep bench, startup: {}", bin.display());
    println!(
        "release binary size: {} bytes ({:.2} MiB)",
        size,
        size as f64 / (1024.0 * 1024.0)
    );

    let mut help = Vec::new();
    let mut help_rss = 0;
    for _ in 0..runs {
        let mut cmd = Command::new(bin);
        cmd.arg("--help")
            .env_clear()
            .current_dir(std::env::temp_dir());
        let run = exec(cmd)?;
        if !run.status.success() {
            return Err(format!("notion-sweep --help exited with {}", run.status));
        }
        help.push(run.wall);
        help_rss = help_rss.max(run.peak_rss_kib.unwrap_or(0));
    }
    println!(
        "`notion-sweep --help`, exec → exit, {runs} runs: {}; peak RSS {:.1} MiB",
        spread(&mut help),
        help_rss as f64 / 1024.0
    );

    let spec = board_spec(setup, 0);
    let board = Board::generated(&spec);
    let db_id = spec.database_id();
    println!(
        "empty sweep: {} tasks, none overdue; sandbox latency {} ms + 0..={} ms, no server limit",
        setup.tasks,
        setup.latency.as_millis(),
        setup.jitter.as_millis()
    );
    let mut rates = vec![setup.rate];
    if setup.rate < 1000.0 {
        rates.push(1000.0);
    }
    for rate in rates {
        let sb = Sandbox::spawn(
            board.clone(),
            SandboxConfig {
                rate_limit: None,
                ..sandbox_config(setup, setup.latency, setup.jitter)
            },
        )
        .map_err(|e| format!("could not start the sandbox: {e}"))?;
        let mut walls = Vec::new();
        let mut rss = 0;
        for _ in 0..runs {
            let run = exec(sweep_command(bin, &sb, &db_id, rate))?;
            let doc: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
            if !run.status.success() || doc["matched"].as_u64() != Some(0) {
                return Err(format!(
                    "the empty sweep exited with {} (matched {}); stderr:\n{}",
                    run.status, doc["matched"], run.stderr
                ));
            }
            walls.push(run.wall);
            rss = rss.max(run.peak_rss_kib.unwrap_or(0));
        }
        let per_run = sb.requests().len() / runs;
        println!(
            "  --rate {:>6}: exec → exit, {runs} runs: {}; {per_run} requests per run; peak RSS {:.1} MiB",
            fmt_rate(rate),
            spread(&mut walls),
            rss as f64 / 1024.0
        );
    }
    Ok(())
}

/// "min …, median …, max …" in ms.
fn spread(walls: &mut [Duration]) -> String {
    walls.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "min {:.1} ms, median {:.1} ms, max {:.1} ms",
        ms(walls[0]),
        ms(walls[walls.len() / 2]),
        ms(walls[walls.len() - 1])
    )
}
