//! Posting after a stop: a run past its deadline or interrupted still says
//! what it did, with at most one post per channel, briefly, then exits.

use std::time::{Duration, Instant};

use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SinkKind, SinkReply};

use crate::support::*;

/// A board whose sweep takes well over three seconds at 5 requests a second.
fn slow_board() -> (GeneratedBoard, Sandbox) {
    let spec = GeneratedBoard::new(80, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    for _ in 0..6 {
        sandbox.push_sink_reply(SinkKind::Slack, SinkReply::slack_rate_limited(30.0));
    }
    (spec, sandbox)
}

#[test]
fn past_the_deadline_each_channel_gets_one_brief_post() {
    let (spec, sandbox) = slow_board();
    let started = Instant::now();
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--deadline",
            "3",
            "--output",
            "json",
        ],
        &with(env_for(&sandbox), "NOTION_RATE", "5"),
    );
    let took = started.elapsed();
    run.expect_code(4);
    assert_eq!(run.json()["error"]["kind"], "deadline_reached");
    assert!(took < Duration::from_secs(12), "bounded: {took:?}");
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "one post, not tried again"
    );
    assert_eq!(run.json()["notification"]["status"], "failed");
}

#[test]
fn after_a_signal_each_channel_gets_one_brief_post() {
    let (spec, sandbox) = slow_board();
    let child = start(
        &["sweep", &spec.database_id()],
        &with(env_for(&sandbox), "NOTION_RATE", "5"),
    );
    let waiting = Instant::now() + Duration::from_secs(20);
    while requests(&sandbox, "PATCH").len() < 3 {
        assert!(Instant::now() < waiting, "the sweep never wrote");
        std::thread::sleep(Duration::from_millis(20));
    }
    let signalled = Instant::now();
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let run = finish(child);
    let took = signalled.elapsed();
    run.expect_code(4);
    assert!(took < Duration::from_secs(12), "bounded: {took:?}");
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "one post, not tried again"
    );
    assert!(
        run.stdout.contains("could not be posted to Slack"),
        "{}",
        run.stdout
    );
}
