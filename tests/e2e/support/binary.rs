//! Runs the real binary as a subprocess against a sandbox on loopback, the
//! way cron runs it: a clean environment, no terminal, no `.env`.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use notion_sandbox::{Sandbox, SinkKind};
use serde_json::Value;

/// The day every test sweeps "as of".
pub const AS_OF: &str = "2026-11-22";

pub fn as_of() -> NaiveDate {
    AS_OF.parse().unwrap()
}

/// What one run of the binary left behind.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output as the one JSON document it must be.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Fails with both streams shown when the exit code is not `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// An empty working directory, so no developer's `.env` is read.
fn workdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("notion-sweep-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `notion-sweep args` with exactly `env` (nothing inherited), for at most 120 s.
pub fn notion_sweep(args: &[&str], env: &[(String, String)]) -> Run {
    finish(start(args, env))
}

/// Starts `notion-sweep args` with exactly `env` (nothing inherited), without waiting.
pub fn start(args: &[&str], env: &[(String, String)]) -> Child {
    start_in(&workdir(), args, env)
}

/// Like [`start`], in the working directory `dir`. A run not given a lock
/// directory gets one of its own: the generated boards of tests running side
/// by side share data source ids, and must not lock each other out.
pub fn start_in(dir: &std::path::Path, args: &[&str], env: &[(String, String)]) -> Child {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let mut env = env.to_vec();
    if !env.iter().any(|(k, _)| k == "NOTION_SWEEP_LOCK_DIR") {
        let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let locks = workdir().join(format!("locks-run-{n}"));
        std::fs::create_dir_all(&locks).unwrap();
        env.push(("NOTION_SWEEP_LOCK_DIR".into(), locks.display().to_string()));
    }
    Command::new(env!("CARGO_BIN_EXE_notion-sweep"))
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// Waits at most 120 s for a started run and collects what it printed.
pub fn finish(mut child: Child) -> Run {
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("notion-sweep did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// The environment a cron job against this sandbox would have.
pub fn env_for(sandbox: &Sandbox) -> Vec<(String, String)> {
    vec![
        ("NOTION_TOKEN".into(), sandbox.token()),
        ("NOTION_API_URL".into(), sandbox.url()),
        (
            "SLACK_WEBHOOK_URL".into(),
            sandbox.sink_url(SinkKind::Slack),
        ),
        ("SWEEP_AS_OF".into(), AS_OF.into()),
        ("SWEEP_TZ".into(), "UTC".into()),
        ("NOTION_RATE".into(), "1000".into()),
        // Each sandbox is its own Notion: tests running side by side must
        // not share the locks of the data source ids their boards share.
        ("NOTION_SWEEP_LOCK_DIR".into(), lock_dir(sandbox)),
    ]
}

/// A lock directory of this sandbox's own.
pub fn lock_dir(sandbox: &Sandbox) -> String {
    let dir = workdir().join(format!("locks-{}", sandbox.addr().port()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.display().to_string()
}

/// `env` with `name` set to `value` (replacing it if present).
pub fn with(mut env: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != name);
    env.push((name.into(), value.into()));
    env
}

/// `env` without `name`.
pub fn without(mut env: Vec<(String, String)>, name: &str) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != name);
    env
}

/// Sends SIGTERM to a started run, as a scheduler stopping it would.
pub fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits (at most `limit`) until `done` holds.
#[track_caller]
pub fn wait_until(limit: Duration, what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}
