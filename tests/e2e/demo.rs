//! `demo`: a real sweep against the built-in sandbox, with no token and no network.

use notion_sandbox::{GeneratedBoard, SandboxConfig, SinkKind};

use crate::support::*;

#[test]
fn demo_needs_no_token_and_honours_output() {
    let run = notion_sweep(&["demo"], &[]);
    run.expect_code(0);
    assert!(run.stdout.contains("Moved "), "{}", run.stdout);
    assert!(
        run.stdout.contains("Slack message posted to the sandbox"),
        "{}",
        run.stdout
    );

    let json = notion_sweep(&["demo", "--output", "json"], &[]);
    json.expect_code(0);
    let doc = json.json();
    assert!(doc["updated"].as_u64().unwrap() > 0);
    assert_eq!(doc["updated"], doc["matched"]);
    assert_eq!(doc["notification"]["status"], "sent");
}

#[test]
fn demo_never_talks_to_the_configured_notion_or_slack() {
    let spec = GeneratedBoard::new(10, as_of());
    let elsewhere = serve(&spec, SandboxConfig::default());
    let run = notion_sweep(&["demo", "--output", "json"], &env_for(&elsewhere));
    run.expect_code(0);
    assert!(elsewhere.requests().is_empty());
    assert!(elsewhere.sink_messages(SinkKind::Slack).is_empty());
}
