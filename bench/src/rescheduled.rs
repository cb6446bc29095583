//! The both-ways job: a sweep with `--restore` over a board whose overdue
//! tasks are matched by as many rescheduled ones (in the late state, due
//! again later), beside a plain sweep of the same overdue tasks in the
//! same run, each against its ideal time.

use std::path::Path;
use std::time::Duration;

use chrono::Days;
use notion_sandbox::{Board, GeneratedBoard, PageState, PropertyValue};

use crate::board::{board_spec, sandbox_config, serve, statuses};
use crate::measure::ideal_secs;
use crate::run::{exec, sweep_command};
use crate::setup::{today, Builds, Setup};

/// One sweep of one board.
struct Measured {
    label: &'static str,
    wall: Duration,
    ideal: f64,
    writes: usize,
    expected: usize,
    requests: usize,
    limited: usize,
    exit: Option<i32>,
}

pub fn run(setup: &Setup, builds: &Builds) -> Result<(), String> {
    let spec = board_spec(setup, setup.overdue, setup.seed);
    let overdue = spec.overdue_count();
    println!(
        "{overdue} overdue tasks, and {overdue} rescheduled ones for --restore; \
         {} ms answers, --rate {}\n",
        setup.latency.as_millis(),
        setup.rate
    );
    if builds.baseline.is_some() {
        println!(
            "(the baseline has no --restore: this preset measures the build under test only)\n"
        );
    }
    let plain = sweep(&builds.binary, setup, &spec, Board::generated(&spec), 0)?;
    let (board, rescheduled) = with_rescheduled(&spec, overdue)?;
    let both = sweep(&builds.binary, setup, &spec, board, rescheduled)?;
    println!(
        "{:<10} {:>9} {:>9} {:>11} {:>9} {:>9} {:>6} {:>5}",
        "", "wall", "ideal", "wall/ideal", "writes", "requests", "429s", "exit"
    );
    for r in [&plain, &both] {
        println!(
            "{:<10} {:>8.2}s {:>8.2}s {:>11.3} {:>4}/{:<4} {:>9} {:>6} {:>5}",
            r.label,
            r.wall.as_secs_f64(),
            r.ideal,
            r.wall.as_secs_f64() / r.ideal,
            r.writes,
            r.expected,
            r.requests,
            r.limited,
            r.exit.map_or("-".into(), |c| c.to_string())
        );
    }
    println!("\nideal: (W + W/100 + 2) / rate for W writes (moves and restores)");
    Ok(())
}

/// The board of `spec` with `count` tasks that were neither overdue nor
/// open set to the late state and due 1 to 30 days after the as-of day.
fn with_rescheduled(spec: &GeneratedBoard, count: usize) -> Result<(Board, usize), String> {
    let mut board = Board::generated(spec);
    let ds_id = spec.data_source_id();
    let source = board.databases[0]
        .data_sources
        .iter_mut()
        .find(|ds| ds.id == ds_id)
        .ok_or("the generated board has no data source")?;
    let mut changed = 0;
    for page in source.pages.iter_mut().filter(|p| late_candidate(p, spec)) {
        if changed == count {
            break;
        }
        let due = today()
            .checked_add_days(Days::new(1 + (changed % 30) as u64))
            .ok_or("a due date past the calendar")?;
        page.properties.insert(
            spec.status_property.clone(),
            PropertyValue::option(spec.late_status.clone()),
        );
        page.properties.insert(
            spec.date_property.clone(),
            PropertyValue::date(due.to_string()),
        );
        changed += 1;
    }
    if changed < count {
        return Err(format!(
            "the board has room for {changed} rescheduled tasks, not {count}: give more --tasks"
        ));
    }
    Ok((board, changed))
}

/// A live task in none of the open states: making it late and due later
/// leaves the overdue tasks as they were.
fn late_candidate(page: &PageState, spec: &GeneratedBoard) -> bool {
    let status = page
        .properties
        .get(&spec.status_property)
        .and_then(|v| v.as_text())
        .unwrap_or("");
    !page.in_trash && !spec.open_statuses.iter().any(|s| s == status)
}

/// Sweeps `board` (with `--restore` when it has rescheduled tasks).
fn sweep(
    bin: &Path,
    setup: &Setup,
    spec: &GeneratedBoard,
    board: Board,
    rescheduled: usize,
) -> Result<Measured, String> {
    let ds_id = spec.data_source_id();
    let expected = spec.overdue_count() + rescheduled;
    let before = statuses(&board, &ds_id);
    let sandbox = serve(board, sandbox_config(setup))?;
    let mut cmd = sweep_command(bin, &sandbox, &spec.database_id(), setup.rate);
    if rescheduled > 0 {
        cmd.arg("--restore");
    }
    let done = exec(cmd)?;
    let doc = done.json().map_err(|e| format!("notion-sweep {e}"))?;
    let count = |key: &str| doc[key].as_u64().unwrap_or(0) as usize;
    let changed = sandbox
        .pages(&ds_id)
        .iter()
        .filter(|p| {
            let now = p
                .properties
                .get(&spec.status_property)
                .and_then(|v| v.as_text());
            before.get(&p.id).map(String::as_str) != now
        })
        .count();
    if changed != count("updated") + count("restored") {
        return Err(format!(
            "the binary reports {} writes, the board shows {changed} changed tasks",
            count("updated") + count("restored")
        ));
    }
    let log = sandbox.requests();
    Ok(Measured {
        label: if rescheduled > 0 { "both ways" } else { "slow" },
        wall: done.wall,
        ideal: ideal_secs(expected, setup.rate),
        writes: changed,
        expected,
        requests: log.len(),
        limited: log.iter().filter(|r| r.status == 429).count(),
        exit: done.status.code(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::overdue_ids;

    fn setup() -> Setup {
        Setup {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            rate: 3.0,
            tasks: 600,
            overdue: 150,
            fault_rate: 0.0,
            server_burst: 2,
            strategies: Vec::new(),
            seed: 1,
            runs: 1,
            log_dir: None,
        }
    }

    #[test]
    fn rescheduled_tasks_are_late_due_later_and_leave_the_overdue_ones_alone() {
        let spec = board_spec(&setup(), 150, 1);
        let plain = Board::generated(&spec);
        let ds_id = spec.data_source_id();
        let (board, n) = with_rescheduled(&spec, 150).unwrap();
        assert_eq!(n, 150);
        assert_eq!(overdue_ids(&board, &ds_id), overdue_ids(&plain, &ds_id));
        let pages = &board.data_source(&ds_id).unwrap().pages;
        let late_later = pages
            .iter()
            .filter(|p| p.properties.get("Status").and_then(|v| v.as_text()) == Some("Overdue"))
            .filter(|p| {
                p.properties
                    .get("Due Date")
                    .and_then(|v| v.as_date())
                    .is_some_and(|d| d.start.as_str() > crate::setup::AS_OF)
            })
            .count();
        assert!(late_later >= 150, "{late_later}");
        assert!(with_rescheduled(&spec, 10_000).is_err());
    }
}
