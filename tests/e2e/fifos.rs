//! FIFOs where files are expected: nothing waits for a writer or a reader
//! for long, and `--token-file <(command)` keeps working.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig};

use crate::support::*;

/// A FIFO that nobody writes to or reads from, in a directory of its own.
fn fifo(name: &str) -> Option<(PathBuf, PathBuf)> {
    let dir = std::env::temp_dir().join(format!("notion-sweep-fifo-{}", fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let made = std::process::Command::new("mkfifo").arg(&path).status();
    made.is_ok_and(|s| s.success()).then_some((dir, path))
}

fn timed(dir: &Path, args: &[&str], env: &[(String, String)]) -> (Run, Duration) {
    let started = Instant::now();
    let run = finish(start_in(dir, args, env));
    (run, started.elapsed())
}

fn board() -> (GeneratedBoard, Sandbox) {
    let spec = GeneratedBoard::new(20, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    (spec, sandbox)
}

#[test]
fn a_fifo_as_dot_env_is_refused_at_once_even_for_completions() {
    let Some((dir, _)) = fifo(".env") else { return };
    let (run, took) = timed(&dir, &["completions", "bash"], &[]);
    run.expect_code(2);
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(
        run.stderr.contains("is not a regular file"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_fifo_as_token_file_or_settings_file_is_given_up_on() {
    let (spec, sandbox) = board();
    let env = without(env_for(&sandbox), "NOTION_TOKEN");
    let Some((dir, token)) = fifo("token") else {
        return;
    };
    let token = token.display().to_string();
    let (run, took) = timed(
        &dir,
        &["sweep", &spec.database_id(), "--token-file", &token],
        &env,
    );
    run.expect_code(2);
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(run.stderr.contains("nothing came within"), "{}", run.stderr);
    let Some((dir, config)) = fifo("boards.toml") else {
        return;
    };
    let config = config.display().to_string();
    let (run, took) = timed(&dir, &["check", "--config", &config], &env_for(&sandbox));
    run.expect_code(2);
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(
        run.stderr.contains("could not read the settings file"),
        "{}",
        run.stderr
    );
    assert!(sandbox.requests().is_empty());
}

#[test]
fn a_token_file_from_a_command_still_works() {
    let (spec, sandbox) = board();
    let env = with(
        without(env_for(&sandbox), "NOTION_TOKEN"),
        "THE_TOKEN",
        &sandbox.token(),
    );
    let env = with(env, "PATH", "/usr/bin:/bin");
    let line = format!(
        "{} sweep {} --token-file <(sleep 1; printf '%s\\n' \"$THE_TOKEN\")",
        env!("CARGO_BIN_EXE_notion-sweep"),
        spec.database_id()
    );
    let run = finish(
        std::process::Command::new("bash")
            .args(["-c", &line])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    run.expect_code(0);
    assert_eq!(requests(&sandbox, "PATCH").len(), spec.overdue_count());
}

#[test]
fn a_fifo_as_the_step_summary_does_not_hold_the_run() {
    let (spec, sandbox) = board();
    let Some((dir, summary)) = fifo("summary.md") else {
        return;
    };
    let env = with(
        env_for(&sandbox),
        "GITHUB_STEP_SUMMARY",
        &summary.display().to_string(),
    );
    let (run, took) = timed(
        &dir,
        &["sweep", &spec.database_id(), "--deadline", "5"],
        &env,
    );
    run.expect_code(0);
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(
        run.stderr.contains("could not append the summary"),
        "{}",
        run.stderr
    );
    assert_eq!(requests(&sandbox, "PATCH").len(), spec.overdue_count());
}
