//! The flags, and the options they resolve to once a preset's defaults
//! fill what was left out.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::Parser;

use crate::presets::{self, Preset, NO_PRESET, PRESETS};
use crate::setup::{Builds, Setup, Strategy};

#[derive(Parser, Debug)]
#[command(
    name = "bench",
    about = "Measures how close a sweep gets to Notion's rate limit (see bench/README.md)"
)]
pub struct Args {
    /// A set of defaults. Explicit options win.
    #[arg(long, value_parser = preset_parser())]
    pub preset: Option<&'static Preset>,
    /// Latency the sandbox adds to every request [default: 600].
    #[arg(long)]
    pub latency_ms: Option<u64>,
    /// Plus a uniform extra of 0..=this [default: 100].
    #[arg(long)]
    pub jitter_ms: Option<u64>,
    /// Requests per second: the sweep's --rate and the sandbox's limit [default: 3].
    #[arg(long)]
    pub rate: Option<f64>,
    /// Tasks on the board [default: 400].
    #[arg(long)]
    pub tasks: Option<usize>,
    /// Overdue tasks: a count (150) or a fraction of --tasks (0.25) [default: 100].
    #[arg(long)]
    pub overdue: Option<String>,
    /// Fraction of requests answered 500/502/503/504 [default: 0].
    #[arg(long)]
    pub fault_rate: Option<f64>,
    /// Token bucket size of the sandbox's rate limit; 0 for no limit [default: 2].
    #[arg(long)]
    pub server_burst: Option<u32>,
    /// Which strategies to run, comma-separated [default: pipelined,sequential].
    #[arg(long, value_enum, value_delimiter = ',')]
    pub strategies: Option<Vec<Strategy>>,
    /// Seed of the board, the jitter and the faults.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Repetitions of each startup measurement.
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// The notion-sweep binary to measure [default: notion-sweep next to
    /// this benchmark, i.e. target/release/notion-sweep].
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// A second notion-sweep binary (an older build, say), measured the same
    /// way right after --binary, on an identical board; both are printed
    /// side by side with their ratio.
    #[arg(long, value_name = "PATH")]
    pub baseline: Option<PathBuf>,
    /// Writes the request log of each column of a sweep, as the sandbox saw
    /// it, to DIR/<column>.csv: ms after the first request, what (query,
    /// PATCH, GET…), status; one line per request, in order of arrival.
    #[arg(long, value_name = "DIR")]
    pub log_dir: Option<PathBuf>,
}

/// `--preset NAME`, one of [`PRESETS`], each listed in `--help` with its line.
fn preset_parser() -> impl TypedValueParser<Value = &'static Preset> {
    PossibleValuesParser::new(
        PRESETS
            .iter()
            .map(|p| PossibleValue::new(p.name).help(p.about)),
    )
    .map(|name| presets::named(&name).expect("a name from the list"))
}

impl Args {
    /// The preset given, or the defaults of a plain sweep.
    pub fn preset(&self) -> &'static Preset {
        self.preset.unwrap_or(&NO_PRESET)
    }
}

/// The options: each flag given, else the preset's default.
pub fn resolve(args: &Args) -> Result<Setup, String> {
    let d = args.preset().defaults;
    let tasks = args.tasks.unwrap_or(d.tasks);
    let overdue = overdue(args.overdue.as_deref().unwrap_or(d.overdue), tasks)?;
    let rate = args.rate.unwrap_or(d.rate);
    if !(rate.is_finite() && rate > 0.0) {
        return Err(format!("--rate {rate}: must be more than 0"));
    }
    let fault_rate = args.fault_rate.unwrap_or(0.0);
    if !(0.0..1.0).contains(&fault_rate) {
        return Err(format!("--fault-rate {fault_rate}: a fraction below 1"));
    }
    Ok(Setup {
        latency: Duration::from_millis(args.latency_ms.unwrap_or(d.latency_ms)),
        jitter: Duration::from_millis(args.jitter_ms.unwrap_or(d.jitter_ms)),
        rate,
        tasks,
        overdue,
        fault_rate,
        server_burst: args.server_burst.unwrap_or(d.server_burst),
        strategies: args
            .strategies
            .clone()
            .unwrap_or_else(|| d.strategies.to_vec()),
        seed: args.seed,
        runs: args.runs.max(1),
        log_dir: args.log_dir.clone(),
    })
}

/// `--overdue`: a count, or a fraction of the tasks; never more than the tasks.
fn overdue(raw: &str, tasks: usize) -> Result<usize, String> {
    let overdue = match raw.parse::<usize>() {
        Ok(n) => n,
        Err(_) => match raw.parse::<f64>() {
            Ok(f) if (0.0..=1.0).contains(&f) => (tasks as f64 * f).round() as usize,
            _ => return Err(format!("--overdue '{raw}': a count or a fraction in 0..=1")),
        },
    };
    if overdue > tasks {
        return Err(format!("--overdue {overdue} is more than --tasks {tasks}"));
    }
    Ok(overdue)
}

/// `--binary` (else `notion-sweep` next to this benchmark's own executable)
/// and `--baseline`, each checked to be a file.
pub fn builds(args: &Args) -> Result<Builds, String> {
    let binary = match &args.binary {
        Some(path) => existing(path, "--binary")?,
        None => {
            let bin = beside_this_executable()?;
            if !bin.is_file() {
                return Err(format!(
                    "{} is missing: run `cargo build --release` first, or give --binary",
                    bin.display()
                ));
            }
            bin
        }
    };
    let baseline = match &args.baseline {
        Some(path) => Some(existing(path, "--baseline")?),
        None => None,
    };
    Ok(Builds { binary, baseline })
}

fn existing(path: &std::path::Path, flag: &str) -> Result<PathBuf, String> {
    if path.is_file() {
        Ok(path.to_path_buf())
    } else {
        Err(format!("{flag} {}: no such file", path.display()))
    }
}

/// `target/release/notion-sweep` when this benchmark runs from `target/release`.
fn beside_this_executable() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("where am I? {e}"))?;
    let dir = exe
        .parent()
        .ok_or("the benchmark's executable has no parent directory")?;
    Ok(dir.join(format!("notion-sweep{}", std::env::consts::EXE_SUFFIX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(flags: &[&str]) -> Result<Setup, String> {
        let argv = std::iter::once("bench").chain(flags.iter().copied());
        resolve(&Args::try_parse_from(argv).map_err(|e| e.to_string())?)
    }

    #[test]
    fn the_slow_preset_is_the_board_the_published_figures_come_from() {
        let s = setup(&["--preset", "slow"]).unwrap();
        assert_eq!(s.latency, Duration::from_millis(600));
        assert_eq!(s.jitter, Duration::from_millis(100));
        assert_eq!((s.rate, s.tasks, s.overdue), (3.0, 600, 150));
        assert_eq!((s.server_burst, s.fault_rate), (2, 0.0));
        assert_eq!(s.strategies, [Strategy::Pipelined, Strategy::Sequential]);
    }

    #[test]
    fn without_a_preset_the_defaults_are_those_the_help_gives() {
        let s = setup(&[]).unwrap();
        assert_eq!(s.latency, Duration::from_millis(600));
        assert_eq!(s.jitter, Duration::from_millis(100));
        assert_eq!(
            (s.rate, s.tasks, s.overdue, s.server_burst),
            (3.0, 400, 100, 2)
        );
        assert_eq!((s.seed, s.runs), (1, 10));
    }

    #[test]
    fn explicit_options_win_over_the_preset() {
        let s = setup(&[
            "--preset",
            "fast",
            "--rate",
            "10",
            "--tasks",
            "2000",
            "--overdue",
            "0.1",
            "--strategies",
            "sequential",
        ])
        .unwrap();
        assert_eq!((s.rate, s.tasks, s.overdue), (10.0, 2000, 200));
        assert_eq!(s.latency, Duration::from_millis(60), "from the preset");
        assert_eq!(s.strategies, [Strategy::Sequential]);
    }

    #[test]
    fn overdue_is_a_count_or_a_fraction_of_the_tasks() {
        assert_eq!(overdue("150", 600), Ok(150));
        assert_eq!(overdue("0.25", 600), Ok(150));
        assert_eq!(overdue("1", 600), Ok(1), "a whole number is a count");
        assert_eq!(overdue("1.0", 600), Ok(600));
        assert!(overdue("1.5", 600).is_err());
        assert!(overdue("many", 600).is_err());
        assert!(overdue("601", 600)
            .unwrap_err()
            .contains("more than --tasks"));
    }

    #[test]
    fn a_rate_or_fault_rate_that_cannot_be_run_is_refused() {
        assert!(setup(&["--rate", "0"]).is_err());
        assert!(setup(&["--rate=-3"]).is_err());
        assert!(setup(&["--fault-rate", "1"]).is_err());
        assert!(setup(&["--fault-rate", "0.05"]).is_ok());
    }

    #[test]
    fn an_unknown_preset_is_refused_with_the_names_there_are() {
        let err = Args::try_parse_from(["bench", "--preset", "quick"]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("slow") && text.contains("boards"), "{text}");
    }

    #[test]
    fn the_preset_named_is_the_one_run() {
        let args = Args::try_parse_from(["bench", "--preset", "startup"]).unwrap();
        assert_eq!(args.preset().name, "startup");
        assert_eq!(Args::try_parse_from(["bench"]).unwrap().preset().name, "");
    }

    #[test]
    fn a_missing_binary_or_baseline_is_named() {
        let args =
            Args::try_parse_from(["bench", "--binary", "/nonexistent/notion-sweep"]).unwrap();
        assert!(builds(&args).unwrap_err().contains("--binary /nonexistent"));
        let this = std::env::current_exe().unwrap();
        let os = std::ffi::OsStr::new;
        let args = Args::try_parse_from([
            os("bench"),
            os("--binary"),
            this.as_os_str(),
            os("--baseline"),
            os("/nonexistent/old"),
        ])
        .unwrap();
        assert!(builds(&args)
            .unwrap_err()
            .contains("--baseline /nonexistent/old"));
    }
}
