//! How the figures are printed: the sweep table (one column per contender),
//! the table of a build beside its baseline, and the number formats they share.

use std::fmt::Write;
use std::time::Duration;

use crate::measure::{Contender, Measured};

/// Width of the label column.
const LABEL: usize = 32;
/// Width of a contender's column.
const CELL: usize = 40;

fn header(c: Contender) -> &'static str {
    match c {
        Contender::Pipelined => "pipelined (notion-sweep binary)",
        Contender::Baseline => "baseline (the --baseline binary)",
        Contender::Sequential => "sequential (PATCH, wait, sleep 350 ms)",
    }
}

/// The sweep table, then the ratios of the wall times and the problems.
pub fn sweep_table(results: &[Measured], rate: f64, expected: usize, ideal: f64) -> String {
    let mut out = String::new();
    let mut row = |label: &str, cell: &dyn Fn(&Measured) -> String| {
        let cells: Vec<String> = results
            .iter()
            .map(|m| format!("{:<CELL$}", cell(m)))
            .collect();
        let _ = writeln!(out, "{label:<LABEL$}{}", cells.join("  ").trim_end());
    };
    row("", &|m| header(m.contender).to_string());
    row("tasks updated / expected", &|m| {
        format!("{} / {expected}", m.updated)
    });
    row("other pages changed", &|m| m.stray.to_string());
    row("requests sent (sandbox log)", &|m| {
        m.log.requests.to_string()
    });
    row("429s received (sandbox log)", &|m| {
        m.log.rate_limited.to_string()
    });
    row("5xx received (sandbox log)", &|m| {
        m.log.server_errors.to_string()
    });
    row("achieved request rate", &|m| match m.log.achieved_rate() {
        Some(achieved) => format!(
            "{}/s = {:.1}% of --rate",
            fmt_rate(achieved),
            100.0 * achieved / rate
        ),
        None => "n/a".into(),
    });
    row("  first→last request", &|m| secs_or_na(m.log.span));
    row("  first request→first PATCH", &|m| {
        secs_or_na(m.log.first_write)
    });
    row("  longest gap between requests", &|m| {
        m.log
            .longest_gap
            .as_ref()
            .map_or("n/a".into(), |(gap, what)| {
                format!("{:.0} ms (before a {what})", gap.as_secs_f64() * 1000.0)
            })
    });
    row("  median gap between requests", &|m| {
        m.log.median_gap.map_or("n/a".into(), |g| {
            format!(
                "{:.3} ms (1/rate = {:.3} ms)",
                g.as_secs_f64() * 1000.0,
                1000.0 / rate
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
        match m.contender {
            Contender::Pipelined | Contender::Baseline => format!(
                "notion-sweep {}, bench process {}",
                secs(m.client_cpu),
                secs(m.own_cpu)
            ),
            Contender::Sequential => format!("bench process {}", secs(m.own_cpu)),
        }
    });
    row("client's own count", &|m| m.client.clone());
    let wall = |c: Contender| results.iter().find(|m| m.contender == c).map(|m| m.wall);
    let ratios: Vec<String> = [Contender::Baseline, Contender::Sequential]
        .into_iter()
        .filter_map(|c| {
            let (theirs, ours) = wall(c).zip(wall(Contender::Pipelined))?;
            Some(format!(
                "{} / pipelined wall time: {}",
                c.name(),
                ratio(theirs.as_secs_f64(), ours.as_secs_f64())
            ))
        })
        .collect();
    if !ratios.is_empty() {
        let _ = write!(out, "\n{}\n", ratios.join("\n"));
    }
    for m in results {
        if let Some(p) = &m.problem {
            let _ = write!(out, "\n{}: {p}\n", header(m.contender));
        }
    }
    out
}

impl Contender {
    /// The column's short name: `pipelined`, `baseline`, `sequential`.
    pub fn name(self) -> &'static str {
        match self {
            Contender::Pipelined => "pipelined",
            Contender::Baseline => "baseline",
            Contender::Sequential => "sequential",
        }
    }
}

fn secs_or_na(d: Option<Duration>) -> String {
    d.map_or("n/a".into(), |s| format!("{:.3} s", s.as_secs_f64()))
}

/// A rate: whole above 100, else to two decimals.
pub fn fmt_rate(r: f64) -> String {
    if r >= 100.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.2}")
    }
}

/// "2.91×": how many times `a` is `b`.
pub fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

/// The middle of a sample: the upper one of an even count.
pub fn median(sorted: &[Duration]) -> Duration {
    sorted[sorted.len() / 2]
}

/// "min …, median …, max …" in ms.
pub fn spread(walls: &[Duration]) -> String {
    let mut walls = walls.to_vec();
    walls.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "min {:.1} ms, median {:.1} ms, max {:.1} ms",
        ms(walls[0]),
        ms(median(&walls)),
        ms(walls[walls.len() - 1])
    )
}

/// One figure of a build and of its baseline.
pub struct Beside {
    pub what: String,
    pub this: f64,
    pub baseline: f64,
    /// Formats a value with its unit.
    pub show: fn(f64) -> String,
}

/// A table of figures: this build, the baseline, and baseline / this build.
pub fn beside_baseline(rows: &[Beside]) -> String {
    let mut out = format!(
        "{:<LABEL$}{:>14}{:>14}{:>24}\n",
        "", "this build", "baseline", "baseline / this build"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<LABEL$}{:>14}{:>14}{:>24}",
            r.what,
            (r.show)(r.this),
            (r.show)(r.baseline),
            ratio(r.baseline, r.this)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::tests::log;
    use crate::measure::LogFigures;

    fn measured(contender: Contender, wall_ms: u64, log: LogFigures) -> Measured {
        Measured {
            contender,
            wall: Duration::from_millis(wall_ms),
            updated: 150,
            stray: 0,
            log,
            peak_rss_kib: (contender != Contender::Sequential).then_some(10 * 1024 + 512),
            client_cpu: Some(Duration::from_millis(250)),
            own_cpu: Some(Duration::from_millis(1500)),
            client: "sent 155".into(),
            problem: None,
        }
    }

    /// 155 requests 1/3 s apart, as a perfect pacer at 3/s sends them.
    fn paced() -> LogFigures {
        let at: Vec<(u64, &str, u16)> = (0..155).map(|i| (i * 1000 / 3, "PATCH", 200)).collect();
        LogFigures::of(&log(&at))
    }

    fn line<'a>(table: &'a str, label: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in\n{table}"))
    }

    #[test]
    fn each_contender_has_a_column_forty_wide_after_a_label_thirty_two_wide() {
        let results = [
            measured(Contender::Pipelined, 52_000, paced()),
            measured(Contender::Sequential, 151_000, paced()),
        ];
        let table = sweep_table(&results, 3.0, 150, 51.1667);
        let head = table.lines().next().unwrap();
        assert_eq!(head.find("pipelined"), Some(LABEL));
        assert_eq!(head.find("sequential"), Some(LABEL + CELL + 2));
        let wall = line(&table, "wall time");
        assert_eq!(&wall[LABEL..LABEL + 8], "52.000 s");
        assert_eq!(wall.find("151.000 s"), Some(LABEL + CELL + 2));
        assert!(
            !table.lines().any(|l| l.ends_with(' ')),
            "no trailing spaces"
        );
    }

    #[test]
    fn the_table_gives_the_rate_reached_against_rate_and_wall_against_ideal() {
        let results = [measured(Contender::Pipelined, 52_000, paced())];
        let table = sweep_table(&results, 3.0, 150, 51.2);
        assert!(line(&table, "achieved request rate").contains("3.00/s = 100.0% of --rate"));
        assert!(line(&table, "wall / ideal").contains("1.016"));
        assert!(line(&table, "ideal time").contains("51.200 s"));
        assert!(line(&table, "tasks updated / expected").contains("150 / 150"));
        assert!(line(&table, "peak RSS").contains("10.5 MiB"));
        assert!(line(&table, "  median gap").contains("(1/rate = 333.333 ms)"));
        assert!(!table.contains("wall time:"), "no ratio with one column");
    }

    #[test]
    fn the_script_runs_in_this_process_so_its_rss_is_not_given() {
        let results = [measured(
            Contender::Sequential,
            151_000,
            LogFigures::default(),
        )];
        let table = sweep_table(&results, 3.0, 150, 51.2);
        assert!(line(&table, "peak RSS").contains("n/a (runs in this process)"));
        assert!(line(&table, "CPU time").ends_with("bench process 1.50 s"));
        assert!(line(&table, "achieved request rate").ends_with("n/a"));
    }

    #[test]
    fn the_baseline_and_the_script_are_each_given_as_a_ratio_to_this_build() {
        let results = [
            measured(Contender::Pipelined, 50_000, paced()),
            measured(Contender::Baseline, 60_000, paced()),
            measured(Contender::Sequential, 150_000, paced()),
        ];
        let table = sweep_table(&results, 3.0, 150, 51.2);
        assert!(table.contains(
            "\n\nbaseline / pipelined wall time: 1.20×\nsequential / pipelined wall time: 3.00×\n"
        ));
        assert!(line(&table, "").contains("baseline (the --baseline binary)"));
        assert!(line(&table, "CPU time").contains("notion-sweep 0.25 s, bench process 1.50 s  "));
    }

    #[test]
    fn a_problem_is_printed_under_the_table_with_its_column() {
        let mut m = measured(Contender::Pipelined, 50_000, paced());
        m.problem = Some("notion-sweep exited with 1".into());
        let table = sweep_table(&[m], 3.0, 150, 51.2);
        assert!(
            table.ends_with("\n\npipelined (notion-sweep binary): notion-sweep exited with 1\n")
        );
    }

    #[test]
    fn rates_keep_two_decimals_until_a_hundred() {
        assert_eq!(fmt_rate(2.9412), "2.94");
        assert_eq!(fmt_rate(99.996), "100.00");
        assert_eq!(fmt_rate(495.6), "496");
    }

    #[test]
    fn a_spread_is_min_median_max_in_ms() {
        let ms = Duration::from_millis;
        assert_eq!(
            spread(&[ms(9), ms(3), ms(4), ms(5)]),
            "min 3.0 ms, median 5.0 ms, max 9.0 ms"
        );
    }

    #[test]
    fn a_baseline_row_reads_baseline_over_this_build() {
        let table = beside_baseline(&[Beside {
            what: "--help, median".into(),
            this: 2.0,
            baseline: 3.0,
            show: |v| format!("{v:.1} ms"),
        }]);
        let mut lines = table.lines();
        assert!(lines
            .next()
            .unwrap()
            .ends_with("this build      baseline   baseline / this build"));
        let row = lines.next().unwrap();
        assert!(row.starts_with("--help, median"));
        assert!(
            row.ends_with("2.0 ms        3.0 ms                   1.50×"),
            "{row}"
        );
    }
}
