//! The undo job: a board swept for real (on a sandbox without latency or
//! limit, so that this part is quick and untimed), its state served again
//! by a sandbox with the preset's latency and limit, and `notion-sweep undo`
//! of the sweep's document timed against it: wall against the ideal time,
//! and the requests the sandbox saw.

use std::process::Command;

use notion_sandbox::{Board, SandboxConfig};

use crate::board::{board_spec, sandbox_config, serve, statuses};
use crate::measure::ideal_secs;
use crate::run::{exec, sweep_command};
use crate::setup::{Builds, Setup, TIMEOUT_SECS};

pub fn run(setup: &Setup, builds: &Builds) -> Result<(), String> {
    let spec = board_spec(setup, setup.overdue, setup.seed);
    let n = spec.overdue_count();
    println!(
        "undo of a sweep of {n} overdue tasks (of {}), {} ms answers, --rate {}\n",
        setup.tasks,
        setup.latency.as_millis(),
        setup.rate
    );
    println!(
        "{:<10} {:>9} {:>9} {:>11} {:>9} {:>8} {:>6} {:>5}",
        "", "wall", "ideal", "wall/ideal", "requests", "undone", "429s", "exit"
    );
    for build in builds.each() {
        let board = Board::generated(&spec);
        let source = spec.data_source_id();
        let before = statuses(&board, &source);
        // The sweep, untimed: no latency, no limit.
        let quick = serve(board, SandboxConfig::default())?;
        let swept = exec(sweep_command(
            build.path,
            &quick,
            &spec.database_id(),
            1000.0,
        ))?;
        let document = swept.json().map_err(|e| format!("the sweep {e}"))?;
        let dir =
            std::env::temp_dir().join(format!("notion-sweep-bench-undo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join("sweep.json");
        std::fs::write(&path, document.to_string()).map_err(|e| e.to_string())?;
        let state = Board::from_json(&quick.board_json()).map_err(|e| e.to_string())?;
        // The undo, timed, at the preset's latency and limit.
        let sandbox = serve(state, sandbox_config(setup))?;
        let mut cmd = Command::new(build.path);
        cmd.arg("undo")
            .arg(&path)
            .args(["--output", "json"])
            .env_clear()
            .env("NOTION_TOKEN", sandbox.token())
            .env("NOTION_API_URL", sandbox.url())
            .env("NOTION_RATE", setup.rate.to_string())
            .env("NOTION_TIMEOUT", TIMEOUT_SECS.to_string())
            .env("NOTION_SWEEP_LOCK_DIR", &dir)
            .current_dir(&dir);
        let done = exec(cmd)?;
        let doc = done.json().map_err(|e| format!("undo {e}"))?;
        let log = sandbox.requests();
        let back = statuses(&sandbox.board(), &source) == before;
        let ideal = ideal_secs(n, setup.rate);
        println!(
            "{:<10} {:>8.2}s {:>8.2}s {:>11.3} {:>9} {:>4}/{:<3} {:>6} {:>5}{}",
            if build.is_baseline {
                "baseline"
            } else {
                "undo"
            },
            done.wall.as_secs_f64(),
            ideal,
            done.wall.as_secs_f64() / ideal,
            log.len(),
            doc["undone"].as_u64().unwrap_or(0),
            n,
            log.iter().filter(|r| r.status == 429).count(),
            done.status.code().map_or("-".into(), |c| c.to_string()),
            if back {
                ""
            } else {
                "  (not every status is back!)"
            }
        );
    }
    println!(
        "\nideal: (N + N/100 + 2) / rate; the requests are what the sandbox saw \
         (bound: N + N/100 + 3 = {})",
        n + n / 100 + 3
    );
    Ok(())
}
