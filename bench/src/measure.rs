//! What the figures are made of: the sandbox's request log read back
//! (requests, 429s, 5xx, the span from first to last arrival, the first
//! write, the gaps between arrivals), the ideal time, and the check of a
//! client's own counts against the log.

use std::time::{Duration, Instant};

use notion_sandbox::RecordedRequest;

/// The least time any client needs for `overdue` tasks at `rate`:
/// (N + N/100 + 2) / rate, one PATCH per task, one query per 100 tasks and
/// two setup reads.
pub fn ideal_secs(overdue: usize, rate: f64) -> f64 {
    let n = overdue as f64;
    (n + n / 100.0 + 2.0) / rate
}

/// (requests − 1) / span: n arrivals span n − 1 intervals, so a perfect
/// pacer reaches exactly its rate. `None` under two requests or a zero span.
pub fn achieved_rate(requests: usize, span: Option<Duration>) -> Option<f64> {
    match span {
        Some(span) if requests > 1 && !span.is_zero() => {
            Some((requests - 1) as f64 / span.as_secs_f64())
        }
        _ => None,
    }
}

/// One request of the log, as far as the figures need it.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub at: Instant,
    /// "query" for a query, else the method ("PATCH", "GET"…).
    pub what: String,
    pub status: u16,
}

impl Arrival {
    pub fn of(r: &RecordedRequest) -> Arrival {
        let what = if r.path.ends_with("/query") {
            "query".to_string()
        } else {
            r.method.clone()
        };
        Arrival {
            at: r.at,
            what,
            status: r.status,
        }
    }
}

/// A request log as CSV, in order of arrival: ms after the first request
/// (to the µs), what, status; one line per request, no header.
pub fn arrivals_csv(log: &[Arrival]) -> String {
    let mut sorted: Vec<&Arrival> = log.iter().collect();
    sorted.sort_by_key(|r| r.at);
    let Some(first) = sorted.first().map(|r| r.at) else {
        return String::new();
    };
    sorted
        .iter()
        .map(|r| {
            let ms = r.at.duration_since(first).as_secs_f64() * 1000.0;
            format!("{ms:.3},{},{}\n", r.what, r.status)
        })
        .collect()
}

/// The request log of one run, summed up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFigures {
    /// Requests received, retries included.
    pub requests: usize,
    /// Answered 429.
    pub rate_limited: usize,
    /// Answered 500 or more.
    pub server_errors: usize,
    /// First to last arrival.
    pub span: Option<Duration>,
    /// From the first request to the first PATCH.
    pub first_write: Option<Duration>,
    /// The longest time between two arrivals, and what came after it.
    pub longest_gap: Option<(Duration, String)>,
    /// The median time between two arrivals (the upper one of an even count).
    pub median_gap: Option<Duration>,
}

impl LogFigures {
    /// The figures of a log, in whatever order it lists the requests.
    pub fn of(log: &[Arrival]) -> LogFigures {
        let mut sorted: Vec<&Arrival> = log.iter().collect();
        sorted.sort_by_key(|r| r.at);
        let gaps: Vec<(Duration, &Arrival)> = sorted
            .windows(2)
            .map(|w| (w[1].at.duration_since(w[0].at), w[1]))
            .collect();
        let mut sorted_gaps: Vec<Duration> = gaps.iter().map(|(gap, _)| *gap).collect();
        sorted_gaps.sort();
        let first = sorted.first().map(|r| r.at);
        LogFigures {
            requests: log.len(),
            rate_limited: log.iter().filter(|r| r.status == 429).count(),
            server_errors: log.iter().filter(|r| r.status >= 500).count(),
            span: first
                .zip(sorted.last())
                .map(|(f, l)| l.at.duration_since(f)),
            first_write: first
                .zip(sorted.iter().find(|r| r.what == "PATCH"))
                .map(|(f, w)| w.at.duration_since(f)),
            longest_gap: gaps
                .iter()
                .max_by_key(|(gap, _)| *gap)
                .map(|(gap, next)| (*gap, next.what.clone())),
            median_gap: sorted_gaps.get(sorted_gaps.len() / 2).copied(),
        }
    }

    /// Requests per second reached over the run; see [`achieved_rate`].
    pub fn achieved_rate(&self) -> Option<f64> {
        achieved_rate(self.requests, self.span)
    }
}

/// A column of the sweep table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contender {
    /// The binary under test.
    Pipelined,
    /// The `--baseline` binary, run right after it on an identical board.
    Baseline,
    /// The usual script.
    Sequential,
}

/// What one contender did, as the sandbox saw it.
#[derive(Debug, Clone)]
pub struct Measured {
    pub contender: Contender,
    pub wall: Duration,
    /// Overdue tasks now in "Overdue".
    pub updated: usize,
    /// Pages whose status changed although they were not overdue.
    pub stray: usize,
    pub log: LogFigures,
    pub peak_rss_kib: Option<u64>,
    /// CPU time of the client process, if separate.
    pub client_cpu: Option<Duration>,
    /// CPU time of this process (the sandbox, the sequential client, the poller).
    pub own_cpu: Option<Duration>,
    /// What the client itself said.
    pub client: String,
    /// A problem worth a line under the table.
    pub problem: Option<String>,
}

impl Measured {
    /// The binary's own counts (requests sent, 429s) must match the
    /// sandbox's log; a mismatch is added to the problems.
    pub fn cross_check(&mut self, counts: Option<(usize, usize)>) {
        let Some((sent, rate_limited)) = counts else {
            return;
        };
        let mut mismatches = Vec::new();
        if sent != self.log.requests {
            mismatches.push(format!("the sandbox logged {} requests", self.log.requests));
        }
        if rate_limited != self.log.rate_limited {
            mismatches.push(format!(
                "the sandbox answered {} 429s",
                self.log.rate_limited
            ));
        }
        if !mismatches.is_empty() {
            let note = format!(
                "MISMATCH: the client counted {sent} requests and {rate_limited} 429s, but {}",
                mismatches.join(" and ")
            );
            self.problem = Some(match self.problem.take() {
                Some(p) => format!("{p}\n{note}"),
                None => note,
            });
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Requests at these ms after a common start, with what and status.
    pub(crate) fn log(at_ms: &[(u64, &str, u16)]) -> Vec<Arrival> {
        let start = Instant::now();
        at_ms
            .iter()
            .map(|&(ms, what, status)| Arrival {
                at: start + Duration::from_millis(ms),
                what: what.to_string(),
                status,
            })
            .collect()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_ideal_time_counts_a_patch_per_task_a_query_per_hundred_and_two_reads() {
        // The slow preset: 150 overdue at 3/s.
        assert!((ideal_secs(150, 3.0) - 153.5 / 3.0).abs() < 1e-9);
        // The scale preset: 20,000 at 500/s.
        assert!((ideal_secs(20_000, 500.0) - 40.404).abs() < 1e-9);
        // Nothing overdue still costs the two reads.
        assert!((ideal_secs(0, 2.0) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_perfect_pacer_reaches_exactly_its_rate() {
        // Ten requests 1/3 s apart: nine intervals over 3 s.
        let at: Vec<(u64, &str, u16)> = (0..10).map(|i| (i * 1000 / 3, "PATCH", 200)).collect();
        let figures = LogFigures::of(&log(&at));
        assert_eq!(figures.span, Some(ms(3000)));
        let rate = figures.achieved_rate().unwrap();
        assert!((rate - 3.0).abs() < 0.01, "{rate}");
    }

    #[test]
    fn no_rate_is_claimed_from_fewer_than_two_requests_or_no_time() {
        assert_eq!(achieved_rate(1, Some(ms(100))), None);
        assert_eq!(achieved_rate(5, Some(Duration::ZERO)), None);
        assert_eq!(achieved_rate(5, None), None);
        let empty = LogFigures::of(&[]);
        assert_eq!(empty, LogFigures::default());
    }

    #[test]
    fn the_figures_read_the_log_in_arrival_order_whatever_its_order() {
        // Listed as answered, not as arrived: the slow setup read last.
        let figures = LogFigures::of(&log(&[
            (300, "query", 200),
            (700, "PATCH", 200),
            (600, "PATCH", 429),
            (0, "GET", 200),
            (100, "GET", 200),
            (900, "PATCH", 503),
        ]));
        assert_eq!(figures.requests, 6);
        assert_eq!((figures.rate_limited, figures.server_errors), (1, 1));
        assert_eq!(figures.span, Some(ms(900)));
        assert_eq!(
            figures.first_write,
            Some(ms(600)),
            "the first PATCH, 429 or not"
        );
        // Gaps 100, 200, 300, 100, 200: the longest is before the 429'd PATCH.
        assert_eq!(figures.longest_gap, Some((ms(300), "PATCH".into())));
        assert_eq!(figures.median_gap, Some(ms(200)));
    }

    #[test]
    fn the_log_as_csv_is_in_arrival_order_from_the_first_request() {
        let csv = arrivals_csv(&log(&[
            (302, "PATCH", 429),
            (300, "query", 200),
            (0, "GET", 200),
        ]));
        assert_eq!(csv, "0.000,GET,200\n300.000,query,200\n302.000,PATCH,429\n");
        assert_eq!(arrivals_csv(&[]), "");
    }

    #[test]
    fn one_long_pause_shows_as_the_longest_gap_not_in_the_median() {
        let mut at: Vec<(u64, &str, u16)> = (0..20).map(|i| (i * 100, "PATCH", 200)).collect();
        at.push((5000, "query", 200));
        let figures = LogFigures::of(&log(&at));
        assert_eq!(figures.median_gap, Some(ms(100)));
        assert_eq!(figures.longest_gap, Some((ms(3100), "query".into())));
    }

    #[test]
    fn a_log_without_writes_has_no_first_write() {
        let figures = LogFigures::of(&log(&[(0, "GET", 200), (5, "query", 200)]));
        assert_eq!(figures.first_write, None);
        assert_eq!(figures.median_gap, Some(ms(5)));
    }

    fn measured(requests: usize, rate_limited: usize) -> Measured {
        Measured {
            contender: Contender::Pipelined,
            wall: ms(1000),
            updated: 0,
            stray: 0,
            log: LogFigures {
                requests,
                rate_limited,
                ..LogFigures::default()
            },
            peak_rss_kib: None,
            client_cpu: None,
            own_cpu: None,
            client: String::new(),
            problem: None,
        }
    }

    #[test]
    fn counts_that_match_the_log_raise_nothing() {
        let mut m = measured(155, 0);
        m.cross_check(Some((155, 0)));
        assert_eq!(m.problem, None);
        m.cross_check(None);
        assert_eq!(m.problem, None, "the script keeps no counts to check");
    }

    #[test]
    fn a_count_the_log_disagrees_with_is_flagged_after_any_earlier_problem() {
        let mut m = measured(156, 1);
        m.problem = Some("notion-sweep exited with 1".into());
        m.cross_check(Some((155, 0)));
        let problem = m.problem.unwrap();
        let (first, note) = problem.split_once('\n').unwrap();
        assert_eq!(first, "notion-sweep exited with 1");
        assert_eq!(
            note,
            "MISMATCH: the client counted 155 requests and 0 429s, but \
             the sandbox logged 156 requests and the sandbox answered 1 429s"
        );
    }
}
