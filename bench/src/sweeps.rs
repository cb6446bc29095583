//! The sweep job (no preset, `slow`, `fast`, `scale`, and `comment`, a
//! sweep with `--comment`): each contender (the binary, the baseline
//! binary, the script) sweeps an identical board served by its own sandbox,
//! and the sandbox's log of each run makes a column of the table.

use notion_sandbox::Board;

use crate::board::{board_spec, changes, overdue_ids, sandbox_config, serve, statuses};
use crate::measure::{arrivals_csv, ideal_secs, Arrival, Contender, LogFigures, Measured};
use crate::report::{fmt_rate, sweep_table};
use crate::run::{cpu_time, pipelined, StrategyRun};
use crate::script::{query_cost, sequential, SCRIPT_SLEEP};
use crate::setup::{Builds, Setup, Strategy, AS_OF};

pub fn run(setup: &Setup, builds: &Builds) -> Result<(), String> {
    sweep(setup, builds, false)
}

/// The sweep with `--comment`: one comment on each task written, so one
/// more request per task, counted in the ideal time.
pub fn run_commented(setup: &Setup, builds: &Builds) -> Result<(), String> {
    sweep(setup, builds, true)
}

/// The least time a sweep of `overdue` tasks takes at `rate`, with one
/// comment per task when `comment`.
fn ideal(overdue: usize, rate: f64, comment: bool) -> f64 {
    let comments = if comment { overdue as f64 / rate } else { 0.0 };
    ideal_secs(overdue, rate) + comments
}

fn sweep(setup: &Setup, builds: &Builds, comment: bool) -> Result<(), String> {
    let spec = board_spec(setup, setup.overdue, setup.seed);
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
    let ideal = ideal(expected, setup.rate, comment);
    let extra: &[&str] = if comment { &["--comment"] } else { &[] };

    println!("notion-sweep bench: {}", builds.binary.display());
    if let Some(baseline) = &builds.baseline {
        println!("baseline: {}", baseline.display());
    }
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
        "--rate {} req/s; ideal time ({}N + N/100 + 2) / rate = {:.2} s{}\n",
        fmt_rate(setup.rate),
        if comment { "2" } else { "" },
        ideal,
        if comment {
            " (the binary runs with --comment: a PATCH and a comment per task)"
        } else {
            ""
        }
    );

    let mut results = Vec::new();
    for contender in contenders(&setup.strategies, builds) {
        let sb = serve(board.clone(), sandbox_config(setup))?;
        let cpu_before = cpu_time("self");
        let run = match contender {
            Contender::Pipelined => {
                eprintln!("running pipelined (the notion-sweep binary)…");
                pipelined(&builds.binary, &sb, &db_id, setup.rate, extra)?
            }
            Contender::Baseline => {
                eprintln!("running baseline (the --baseline binary)…");
                let baseline = builds.baseline.as_deref().expect("a baseline column");
                pipelined(baseline, &sb, &db_id, setup.rate, extra)?
            }
            Contender::Sequential => {
                eprintln!(
                    "running sequential (PATCH, wait, sleep 350 ms): at least {:.0} s…",
                    expected as f64 * (setup.latency + SCRIPT_SLEEP).as_secs_f64()
                );
                sequential(&sb, &ds_id)?
            }
        };
        let own_cpu = cpu_time("self")
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        let log: Vec<Arrival> = sb.requests().iter().map(Arrival::of).collect();
        if let Some(dir) = &setup.log_dir {
            let path = dir.join(format!("{}.csv", contender.name()));
            std::fs::write(&path, arrivals_csv(&log))
                .map_err(|e| format!("could not write {}: {e}", path.display()))?;
        }
        let pages = sb.pages(&ds_id);
        let commented = overdue_ids
            .iter()
            .filter(|id| sb.comments(id.as_str()).len() == 1)
            .count();
        drop(sb);
        if comment && contender != Contender::Sequential {
            println!("{contender:?}: {commented} of {expected} overdue tasks have one comment");
        }
        let (updated, stray) = changes(&before, &pages, &overdue_ids);
        let StrategyRun {
            wall,
            peak_rss_kib,
            cpu,
            client,
            counts,
            problem,
        } = run;
        let mut measured = Measured {
            contender,
            wall,
            updated,
            stray,
            log: LogFigures::of(&log),
            peak_rss_kib,
            client_cpu: cpu,
            own_cpu,
            client,
            problem,
        };
        measured.cross_check(counts);
        results.push(measured);
    }
    print!("{}", sweep_table(&results, setup.rate, expected, ideal));
    Ok(())
}

/// The columns, in the order they run: the strategies asked for, the
/// baseline binary right after the binary under test.
fn contenders(strategies: &[Strategy], builds: &Builds) -> Vec<Contender> {
    strategies
        .iter()
        .flat_map(|s| match s {
            Strategy::Pipelined if builds.baseline.is_some() => {
                vec![Contender::Pipelined, Contender::Baseline]
            }
            Strategy::Pipelined => vec![Contender::Pipelined],
            Strategy::Sequential => vec![Contender::Sequential],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builds(baseline: Option<&str>) -> Builds {
        Builds {
            binary: "new".into(),
            baseline: baseline.map(Into::into),
        }
    }

    #[test]
    fn the_ideal_counts_one_comment_per_task_with_comment() {
        assert!((ideal(150, 3.0, false) - 153.5 / 3.0).abs() < 1e-9);
        assert!((ideal(150, 3.0, true) - 303.5 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn the_baseline_runs_right_after_the_binary_under_test() {
        let both = [Strategy::Pipelined, Strategy::Sequential];
        assert_eq!(
            contenders(&both, &builds(Some("old"))),
            [
                Contender::Pipelined,
                Contender::Baseline,
                Contender::Sequential
            ]
        );
        assert_eq!(
            contenders(&both, &builds(None)),
            [Contender::Pipelined, Contender::Sequential]
        );
        assert_eq!(
            contenders(&[Strategy::Sequential], &builds(Some("old"))),
            [Contender::Sequential],
            "no binary asked for, no baseline either"
        );
    }
}
