//! The boards job: two boards swept by one `--config` run, once under one
//! token (one workspace: the boards share one limiter at `--rate`) and once
//! under two tokens (two workspaces, each with its own limit), each against
//! its ideal time.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use notion_sandbox::{Board, GeneratedBoard, Sandbox};

use crate::board::{board_spec, sandbox_config, serve};
use crate::measure::ideal_secs;
use crate::report::{beside_baseline, Beside};
use crate::run::exec;
use crate::setup::{Build, Builds, Setup, AS_OF, TIMEOUT_SECS};

/// One run of the two boards.
struct BoardsRun {
    label: String,
    wall: Duration,
    ideal: f64,
    updated: usize,
    expected: usize,
    limited: usize,
    exit: Option<i32>,
}

/// The two ways of one build: under one token, under two.
struct Pair {
    shared: BoardsRun,
    apart: BoardsRun,
}

impl Pair {
    /// How much faster two tokens are than one.
    fn speedup(&self) -> f64 {
        self.shared.wall.as_secs_f64() / self.apart.wall.as_secs_f64()
    }
}

pub fn run(setup: &Setup, builds: &Builds) -> Result<(), String> {
    let (a, b) = (
        board_spec(setup, setup.overdue, setup.seed),
        board_spec(setup, setup.overdue, setup.seed + 1),
    );
    println!(
        "two boards × {} overdue tasks, {} ms answers, --rate {} per workspace\n",
        a.overdue_count(),
        setup.latency.as_millis(),
        setup.rate
    );
    let mut pairs = Vec::new();
    for build in builds.each() {
        pairs.push(both_ways(build, setup, &a, &b)?);
    }
    let rows: Vec<&BoardsRun> = pairs.iter().flat_map(|p| [&p.shared, &p.apart]).collect();
    let width = rows
        .iter()
        .map(|r| r.label.len())
        .max()
        .unwrap_or(0)
        .max(11);
    println!(
        "{:<width$} {:>9} {:>9} {:>11} {:>8} {:>6} {:>5}",
        "", "wall", "ideal", "wall/ideal", "updated", "429s", "exit"
    );
    for r in rows {
        println!(
            "{:<width$} {:>8.2}s {:>8.2}s {:>11.3} {:>4}/{:<3} {:>6} {:>5}",
            r.label,
            r.wall.as_secs_f64(),
            r.ideal,
            r.wall.as_secs_f64() / r.ideal,
            r.updated,
            r.expected,
            r.limited,
            r.exit.map_or("-".into(), |c| c.to_string())
        );
    }
    match &pairs[..] {
        [this, baseline] => {
            println!(
                "\ntwo tokens / one token: {:.2}× the speed (baseline: {:.2}×)",
                this.speedup(),
                baseline.speedup()
            );
            let wall = |what: &str, this: &BoardsRun, baseline: &BoardsRun| Beside {
                what: format!("{what}, wall"),
                this: this.wall.as_secs_f64(),
                baseline: baseline.wall.as_secs_f64(),
                show: |s| format!("{s:.2} s"),
            };
            println!("\nbaseline beside this build:");
            print!(
                "{}",
                beside_baseline(&[
                    wall("one token", &this.shared, &baseline.shared),
                    wall("two tokens", &this.apart, &baseline.apart),
                ])
            );
        }
        [this] => println!("\ntwo tokens / one token: {:.2}× the speed", this.speedup()),
        _ => {}
    }
    Ok(())
}

/// The two boards under one token, then under two, by one build.
fn both_ways(
    build: Build,
    setup: &Setup,
    a: &GeneratedBoard,
    b: &GeneratedBoard,
) -> Result<Pair, String> {
    let label = |way: &str| {
        if build.is_baseline {
            format!("{way}, baseline")
        } else {
            way.to_string()
        }
    };
    let spawn = |board: Board| serve(board, sandbox_config(setup));
    // One workspace: both databases behind one token and one rate limit.
    let mut both = Board::generated(a);
    both.databases.extend(Board::generated(b).databases);
    let one = spawn(both)?;
    let shared = sweep(
        build.path,
        setup,
        &[(&one, a), (&one, b)],
        label("one token"),
    )?;
    // Two workspaces: a token and a rate limit each.
    let (first, second) = (spawn(Board::generated(a))?, spawn(Board::generated(b))?);
    let apart = sweep(
        build.path,
        setup,
        &[(&first, a), (&second, b)],
        label("two tokens"),
    )?;
    Ok(Pair { shared, apart })
}

/// Sweeps the boards with one `--config` run; a board's token is its sandbox's.
fn sweep(
    bin: &Path,
    setup: &Setup,
    boards: &[(&Sandbox, &GeneratedBoard)],
    label: String,
) -> Result<BoardsRun, String> {
    let mut file = format!("rate = {}\ntz = \"UTC\"\nas_of = \"{AS_OF}\"\n", setup.rate);
    let mut cmd = Command::new(bin);
    for (i, (sandbox, spec)) in boards.iter().enumerate() {
        file.push_str(&format!(
            "\n[[board]]\nname = \"board {i}\"\ndatabase = \"{}\"\napi_url = \"{}\"\ntoken_env = \"TOKEN_{i}\"\n",
            spec.database_id(),
            sandbox.url()
        ));
        cmd.env(format!("TOKEN_{i}"), sandbox.token());
    }
    let dir =
        std::env::temp_dir().join(format!("notion-sweep-bench-boards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(format!("{}.toml", label.replace([' ', ','], "-")));
    std::fs::write(&path, file).map_err(|e| e.to_string())?;
    cmd.args(["sweep", "--config"])
        .arg(&path)
        .args(["--output", "json"])
        .env("NOTION_TIMEOUT", TIMEOUT_SECS.to_string())
        .env("NOTION_SWEEP_LOCK_DIR", &dir)
        .current_dir(&dir);
    let done = exec(cmd)?;
    let doc = done
        .json()
        .map_err(|e| format!("{label}: notion-sweep {e}"))?;
    let updated = doc["boards"].as_array().map_or(0, |b| {
        b.iter().filter_map(|d| d["updated"].as_u64()).sum::<u64>()
    }) as usize;
    let mut sandboxes: Vec<&Sandbox> = boards.iter().map(|(s, _)| *s).collect();
    sandboxes.dedup_by_key(|s| s.url());
    let limited = sandboxes
        .iter()
        .map(|s| s.requests().iter().filter(|r| r.status == 429).count())
        .sum();
    let overdue: Vec<usize> = boards.iter().map(|(_, s)| s.overdue_count()).collect();
    Ok(BoardsRun {
        label,
        wall: done.wall,
        ideal: ideal_of_boards(&overdue, sandboxes.len() == 1, setup.rate),
        updated,
        expected: overdue.iter().sum(),
        limited,
        exit: done.status.code(),
    })
}

/// Under one token the boards take turns in one limiter, and their ideal
/// times add up; under a token each they overlap, and the longest is all.
fn ideal_of_boards(overdue: &[usize], one_limiter: bool, rate: f64) -> f64 {
    let per_board = overdue.iter().map(|&n| ideal_secs(n, rate));
    if one_limiter {
        per_board.sum()
    } else {
        per_board.fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boards_sharing_a_limiter_add_up_and_boards_apart_overlap() {
        let one = ideal_secs(150, 30.0);
        assert!((ideal_of_boards(&[150, 150], true, 30.0) - 2.0 * one).abs() < 1e-9);
        assert!((ideal_of_boards(&[150, 150], false, 30.0) - one).abs() < 1e-9);
        assert!((ideal_of_boards(&[150, 50], false, 30.0) - one).abs() < 1e-9);
    }
}
