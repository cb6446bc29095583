//! The digest job: `notion-sweep digest` of a generated board, against the
//! ideal time of the queries it must send (one per hundred rows to count,
//! the setup reads, one for the tasks edited lately), with its request
//! count, 429s and peak RSS.

use std::process::Command;

use notion_sandbox::Board;

use crate::board::{board_spec, sandbox_config, serve};
use crate::report::fmt_rate;
use crate::run::exec;
use crate::setup::{Builds, Setup, TIMEOUT_SECS};

/// Requests a digest of `rows` tasks needs at least: one query per hundred
/// rows to count them, the database and the data source read first, and
/// one query for the tasks edited lately (none on the generated board).
pub fn ideal_requests(rows: usize) -> usize {
    rows.div_ceil(100).max(1) + 2 + 1
}

pub fn run(setup: &Setup, builds: &Builds) -> Result<(), String> {
    let spec = board_spec(setup, 0, setup.seed);
    let rows = spec.tasks;
    let ideal_requests = ideal_requests(rows);
    let ideal = ideal_requests as f64 / setup.rate;
    println!(
        "digest of {rows} tasks, {} ms answers, --rate {}: at least {ideal_requests} requests, \
         ideal {ideal:.2} s\n",
        setup.latency.as_millis(),
        fmt_rate(setup.rate)
    );
    println!(
        "{:<10} {:>9} {:>11} {:>9} {:>6} {:>10} {:>7} {:>5}",
        "", "wall", "wall/ideal", "requests", "429s", "peak RSS", "total", "exit"
    );
    for build in builds.each() {
        let sandbox = serve(Board::generated(&spec), sandbox_config(setup))?;
        let mut cmd = Command::new(build.path);
        cmd.args(["digest", &spec.database_id(), "--output", "json"])
            .env_clear()
            .env("NOTION_TOKEN", sandbox.token())
            .env("NOTION_API_URL", sandbox.url())
            .env("NOTION_RATE", setup.rate.to_string())
            .env("NOTION_TIMEOUT", TIMEOUT_SECS.to_string())
            .current_dir(std::env::temp_dir());
        let done = exec(cmd)?;
        let label = if build.is_baseline {
            "baseline"
        } else {
            "digest"
        };
        let log = sandbox.requests();
        let total = done
            .json()
            .ok()
            .and_then(|doc| doc["total"].as_u64())
            .map_or("-".into(), |n| n.to_string());
        println!(
            "{:<10} {:>8.2}s {:>11.3} {:>9} {:>6} {:>10} {:>7} {:>5}",
            label,
            done.wall.as_secs_f64(),
            done.wall.as_secs_f64() / ideal,
            log.len(),
            log.iter().filter(|r| r.status == 429).count(),
            done.peak_rss_kib
                .map_or("-".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
            total,
            done.status.code().map_or("-".into(), |c| c.to_string()),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_needs_a_query_per_hundred_rows_and_three_more() {
        assert_eq!(ideal_requests(10_000), 103);
        assert_eq!(ideal_requests(100_001), 1_004);
        assert_eq!(ideal_requests(0), 4);
    }
}
