//! The lock at its edges: what stands at the lock path, boards of one run
//! on one data source, and waits that a stop ends.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SinkKind};

use crate::support::*;

fn board(tasks: usize) -> (GeneratedBoard, Sandbox) {
    let spec = GeneratedBoard::new(tasks, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    (spec, sandbox)
}

/// The lock file of the board's data source, in the sandbox's lock directory.
fn lock_file(spec: &GeneratedBoard, sandbox: &Sandbox) -> PathBuf {
    PathBuf::from(lock_dir(sandbox)).join(format!("{}.lock", spec.data_source_id()))
}

#[test]
fn a_link_at_the_lock_path_is_refused_and_its_target_kept() {
    let (spec, sandbox) = board(20);
    let victim = std::env::temp_dir().join(format!("notion-sweep-victim-{}", fastrand::u64(..)));
    std::fs::write(&victim, "precious\n").unwrap();
    let lock = lock_file(&spec, &sandbox);
    let _ = std::fs::remove_file(&lock);
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    let run = notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox));
    run.expect_code(3);
    assert!(
        run.stderr.contains("is a symbolic link") && run.stderr.contains("remove it"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(requests(&sandbox, "PATCH").is_empty(), "nothing written");
    assert!(
        sandbox.sink_messages(SinkKind::Slack).is_empty(),
        "nothing posted"
    );

    // A second name of another file is refused the same way, and so is a FIFO.
    std::fs::remove_file(&lock).unwrap();
    std::fs::hard_link(&victim, &lock).unwrap();
    let run = notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox));
    run.expect_code(3);
    assert!(run.stderr.contains("hard link"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    std::fs::remove_file(&lock).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&lock).status();
    if made.is_ok_and(|s| s.success()) {
        let run = notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox));
        run.expect_code(3);
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    }
    std::fs::remove_file(&lock).unwrap();
    notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox)).expect_code(0);
    let _ = std::fs::remove_file(victim);
}

#[test]
fn boards_of_one_run_on_one_data_source_take_turns() {
    let (spec, sandbox) = board(60);
    let config =
        std::env::temp_dir().join(format!("notion-sweep-turns-{}.toml", fastrand::u64(..)));
    std::fs::write(
        &config,
        format!(
            "[[board]]\nname = 'One'\ndatabase = '{db}'\n[[board]]\nname = 'Two'\ndatabase = '{db}'\n",
            db = spec.database_id()
        ),
    )
    .unwrap();
    let run = notion_sweep(
        &[
            "sweep",
            "--config",
            config.to_str().unwrap(),
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    let doc = run.json();
    for board in doc["boards"].as_array().unwrap() {
        assert_eq!(board["exit_code"], 0, "{board}");
    }
    let updated: u64 = doc["boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["updated"].as_u64().unwrap())
        .sum();
    assert_eq!(updated as usize, spec.overdue_count(), "each task once");
    assert_eq!(requests(&sandbox, "PATCH").len(), spec.overdue_count());
    let _ = std::fs::remove_file(config);
}

/// Holds the board's lock the way another sweep would.
fn hold_lock(spec: &GeneratedBoard, sandbox: &Sandbox) -> std::fs::File {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_file(spec, sandbox))
        .unwrap();
    file.lock().unwrap();
    file
}

#[test]
fn the_deadline_and_a_signal_end_the_wait_for_the_lock() {
    let (spec, sandbox) = board(20);
    let _held = hold_lock(&spec, &sandbox);
    let started = Instant::now();
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--lock-wait",
            "60",
            "--deadline",
            "2",
        ],
        &env_for(&sandbox),
    );
    let took = started.elapsed();
    run.expect_code(6);
    assert!(
        took < Duration::from_secs(10),
        "the deadline cut the wait: {took:?}"
    );
    assert!(
        run.stderr.contains("until the --deadline"),
        "{}",
        run.stderr
    );

    let child = start(
        &["sweep", &spec.database_id(), "--lock-wait", "60"],
        &env_for(&sandbox),
    );
    std::thread::sleep(Duration::from_millis(800));
    let signalled = Instant::now();
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let run = finish(child);
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "SIGTERM ended the wait: {:?}",
        signalled.elapsed()
    );
    run.expect_code(4);
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert!(requests(&sandbox, "PATCH").is_empty());
    assert!(
        sandbox.sink_messages(SinkKind::Slack).is_empty(),
        "nothing to say, nothing posted"
    );
}
