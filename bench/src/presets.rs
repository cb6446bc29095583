//! The presets. Each is one entry of [`PRESETS`]: a name, one line of what
//! it shows, its defaults, and the job that runs it. A new preset is one
//! more entry and, when none of the jobs fits, one more job function
//! (`fn(&Setup, &Builds) -> Result<(), String>`) in a module of its own.

use crate::setup::{Builds, Setup, Strategy};
use crate::{boards, digest, rescheduled, startup, sweeps, undo};

/// What a preset runs once its options are resolved.
pub type Job = fn(&Setup, &Builds) -> Result<(), String>;

/// A preset's values for the options left out on the command line.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    pub latency_ms: u64,
    pub jitter_ms: u64,
    pub rate: f64,
    pub tasks: usize,
    /// As `--overdue` takes it: a count ("150") or a fraction of the tasks ("0.25").
    pub overdue: &'static str,
    pub server_burst: u32,
    pub strategies: &'static [Strategy],
}

#[derive(Debug)]
pub struct Preset {
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    pub defaults: Defaults,
    pub job: Job,
}

const BOTH: &[Strategy] = &[Strategy::Pipelined, Strategy::Sequential];
const PIPELINED: &[Strategy] = &[Strategy::Pipelined];

/// Without `--preset`: 100 overdue tasks of 400, 600 ms answers, 3 req/s.
pub const NO_PRESET: Preset = Preset {
    name: "",
    about: "a sweep with the options given",
    defaults: Defaults {
        latency_ms: 600,
        jitter_ms: 100,
        rate: 3.0,
        tasks: 400,
        overdue: "100",
        server_burst: 2,
        strategies: BOTH,
    },
    job: sweeps::run,
};

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "slow",
        about: "600 ms answers, 3 req/s, 150 overdue of 600, binary and script",
        defaults: Defaults {
            tasks: 600,
            overdue: "150",
            ..NO_PRESET.defaults
        },
        job: sweeps::run,
    },
    Preset {
        name: "fast",
        about: "60 ms answers, 30 req/s, 300 overdue of 1,200, binary and script",
        defaults: Defaults {
            latency_ms: 60,
            jitter_ms: 10,
            rate: 30.0,
            tasks: 1_200,
            overdue: "300",
            ..NO_PRESET.defaults
        },
        job: sweeps::run,
    },
    Preset {
        name: "scale",
        about: "100,000 tasks, 20,000 overdue, 500 req/s, the binary alone",
        // 500 req/s: on two cores, the sandbox and the client together use
        // all the CPU near 1,500 req/s, and the machine, not the sweep, would
        // set the pace. Scheduling noise of a few ms bunches arrivals, so the
        // bucket holds 20 ms worth of requests. The script would take hours.
        defaults: Defaults {
            latency_ms: 2,
            jitter_ms: 1,
            rate: 500.0,
            tasks: 100_000,
            overdue: "20000",
            server_burst: 10,
            strategies: PIPELINED,
        },
        job: sweeps::run,
    },
    Preset {
        name: "startup",
        about: "--help, an empty sweep (1,000 tasks, no latency), binary size",
        defaults: Defaults {
            latency_ms: 0,
            jitter_ms: 0,
            rate: 3.0,
            tasks: 1_000,
            overdue: "0",
            server_burst: 0,
            strategies: PIPELINED,
        },
        job: startup::run,
    },
    Preset {
        name: "boards",
        about: "two boards × 150 overdue, 60 ms answers, 30 req/s: one token vs two",
        defaults: Defaults {
            latency_ms: 60,
            jitter_ms: 10,
            rate: 30.0,
            tasks: 600,
            overdue: "150",
            server_burst: 2,
            strategies: PIPELINED,
        },
        job: boards::run,
    },
    Preset {
        name: "both-ways",
        about: "--restore: 150 overdue and 150 rescheduled of 600, 600 ms answers, 3 req/s, beside slow",
        defaults: Defaults {
            tasks: 600,
            overdue: "150",
            strategies: PIPELINED,
            ..NO_PRESET.defaults
        },
        job: rescheduled::run,
    },
    Preset {
        name: "digest",
        about: "digest of 10,000 tasks, 600 ms answers, 3 req/s",
        defaults: Defaults {
            tasks: 10_000,
            overdue: "0",
            strategies: PIPELINED,
            ..NO_PRESET.defaults
        },
        job: digest::run,
    },
    Preset {
        name: "digest-scale",
        about: "digest of 100,000 tasks, 2 ms answers, 500 req/s",
        defaults: Defaults {
            latency_ms: 2,
            jitter_ms: 1,
            rate: 500.0,
            tasks: 100_000,
            overdue: "0",
            server_burst: 10,
            strategies: PIPELINED,
        },
        job: digest::run,
    },
    Preset {
        name: "undo",
        about: "undo of a 150-task sweep, 600 ms answers, 3 req/s: wall/ideal and requests",
        defaults: Defaults {
            tasks: 600,
            overdue: "150",
            strategies: PIPELINED,
            ..NO_PRESET.defaults
        },
        job: undo::run,
    },
    Preset {
        name: "comment",
        about: "slow, with --comment: a PATCH and a comment per task, the binary alone",
        // `slow`'s board and sandbox; the script does not comment.
        defaults: Defaults {
            tasks: 600,
            overdue: "150",
            strategies: PIPELINED,
            ..NO_PRESET.defaults
        },
        job: sweeps::run_commented,
    },
];

/// The preset of that name.
pub fn named(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_has_its_own_name() {
        let mut names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), PRESETS.len());
        assert!(names
            .iter()
            .all(|n| !n.is_empty() && *n == n.to_lowercase()));
    }

    #[test]
    fn the_published_presets_are_all_there() {
        for name in ["slow", "fast", "scale", "startup", "boards", "undo"] {
            assert!(named(name).is_some(), "{name}");
        }
        assert!(named("").is_none(), "no preset is not a preset");
    }

    #[test]
    fn every_overdue_default_fits_on_its_board() {
        for p in PRESETS.iter().chain([&NO_PRESET]) {
            let n: usize = p.defaults.overdue.parse().expect(p.name);
            assert!(n <= p.defaults.tasks, "{}", p.name);
        }
    }

    #[test]
    fn the_comment_preset_is_the_slow_board_for_the_binary_alone() {
        let (comment, slow) = (named("comment").unwrap(), named("slow").unwrap());
        assert_eq!(comment.defaults.overdue, slow.defaults.overdue);
        assert_eq!(comment.defaults.latency_ms, slow.defaults.latency_ms);
        assert_eq!(comment.defaults.rate, slow.defaults.rate);
        assert_eq!(comment.defaults.strategies, PIPELINED);
    }

    #[test]
    fn the_scale_preset_leaves_the_script_out() {
        // At 20,000 overdue tasks the script would take hours.
        assert_eq!(named("scale").unwrap().defaults.strategies, PIPELINED);
    }

    #[test]
    fn the_startup_preset_times_the_client_alone() {
        // No latency, no server limit: what is timed is the binary and its own pacing.
        let d = named("startup").unwrap().defaults;
        assert_eq!((d.server_burst, d.latency_ms, d.overdue), (0, 0, "0"));
    }
}
