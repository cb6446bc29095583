//! Running a binary: wall time from just before the spawn to the exit, peak
//! RSS and CPU time read from `/proc` while it runs, and the sweep command
//! line every job runs against a sandbox.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notion_sandbox::Sandbox;
use serde_json::Value;

use crate::setup::{AS_OF, TIMEOUT_SECS};

/// How often the subprocess's peak RSS is read.
const RSS_POLL: Duration = Duration::from_millis(3);

pub struct Exec {
    pub wall: Duration,
    pub peak_rss_kib: Option<u64>,
    /// User + system CPU time, as last read before it exited.
    pub cpu: Option<Duration>,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Exec {
    /// What it printed, read as JSON; else why not, with its stderr.
    pub fn json(&self) -> Result<Value, String> {
        serde_json::from_str(&self.stdout).map_err(|e| {
            format!(
                "({}) printed no JSON ({e}); its stderr:\n{}",
                self.status, self.stderr
            )
        })
    }
}

/// Runs `cmd` to its exit, timing it from just before the spawn and reading
/// `VmHWM` every few ms while it runs.
pub fn exec(mut cmd: Command) -> Result<Exec, String> {
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
    vm_hwm_in(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// `VmHWM` of a `/proc/<pid>/status` text, in KiB.
fn vm_hwm_in(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// User + system CPU time of a process (`self` or a pid).
pub fn cpu_time(pid: &str) -> Option<Duration> {
    cpu_time_in(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// User + system time of a `/proc/<pid>/stat` text, whose fields count clock
/// ticks of 1/100 s (Linux's USER_HZ).
fn cpu_time_in(stat: &str) -> Option<Duration> {
    // The command name may hold spaces and parentheses: count fields after its last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

/// `notion-sweep sweep <db> --output json` against a sandbox, with a cleared
/// environment (no `.env` either: it runs in the temporary directory) and a
/// lock directory of this bench process's own: two benches on one machine
/// sweep boards of the same data source id (the same seed), and with the
/// default lock directory one of them would find the other's lock and exit 6.
pub fn sweep_command(bin: &Path, sb: &Sandbox, database_id: &str, rate: f64) -> Command {
    let lock_dir =
        std::env::temp_dir().join(format!("notion-sweep-bench-locks-{}", std::process::id()));
    let mut cmd = Command::new(bin);
    cmd.args(["sweep", database_id, "--output", "json"])
        .env_clear()
        .env("NOTION_TOKEN", sb.token())
        .env("NOTION_API_URL", sb.url())
        .env("SWEEP_AS_OF", AS_OF)
        .env("SWEEP_TZ", "UTC")
        .env("NOTION_RATE", rate.to_string())
        .env("NOTION_TIMEOUT", TIMEOUT_SECS.to_string())
        .env("NOTION_SWEEP_LOCK_DIR", lock_dir)
        .current_dir(std::env::temp_dir());
    cmd
}

/// What a client reports about its own sweep.
pub struct StrategyRun {
    pub wall: Duration,
    pub peak_rss_kib: Option<u64>,
    /// CPU time of the client when it is a separate process.
    pub cpu: Option<Duration>,
    /// Its own account, for the table.
    pub client: String,
    /// Requests sent and 429s received, by its own count (the binary only).
    pub counts: Option<(usize, usize)>,
    pub problem: Option<String>,
}

/// The real binary as a subprocess, with `extra` flags after the
/// sweep's own, read back from its JSON output.
pub fn pipelined(
    bin: &Path,
    sb: &Sandbox,
    db_id: &str,
    rate: f64,
    extra: &[&str],
) -> Result<StrategyRun, String> {
    let mut command = sweep_command(bin, sb, db_id, rate);
    command.args(extra);
    let run = exec(command).map_err(|e| format!("{}: {e}", bin.display()))?;
    let doc = run.json().map_err(|e| format!("notion-sweep {e}"))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_user_plus_system_even_when_the_name_holds_spaces_and_parens() {
        // Fields after the name: state ppid pgrp session tty tpgid flags
        // minflt cminflt majflt cmajflt utime stime ...
        let stat = "4242 (notion (sweep) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 123 45 0 0 20 0";
        assert_eq!(cpu_time_in(stat), Some(Duration::from_millis(1680)));
        assert_eq!(cpu_time_in("4242 (cut short) S 1"), None);
    }

    #[test]
    fn peak_rss_is_read_from_vm_hwm_in_kib() {
        let status =
            "Name:\tnotion-sweep\nVmPeak:\t  900000 kB\nVmHWM:\t   29184 kB\nVmRSS:\t   20000 kB\n";
        assert_eq!(vm_hwm_in(status), Some(29184));
        assert_eq!(vm_hwm_in("Name:\tzombie\n"), None);
    }

    #[test]
    fn this_process_has_a_cpu_time() {
        assert!(cpu_time("self").is_some());
    }
}
