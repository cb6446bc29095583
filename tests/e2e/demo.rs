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

#[test]
fn demo_shows_a_message_that_mentions_each_tasks_owners() {
    let run = notion_sweep(&["demo"], &[]);
    run.expect_code(0);
    let (_, message) = run
        .stdout
        .split_once("Slack message posted to the sandbox's webhook")
        .expect("the message is shown");
    let line = |title: &str| {
        message
            .lines()
            .find(|l| l.starts_with("• ") && l.contains(&format!("|{title}>")))
            .unwrap_or_else(|| panic!("{title} listed in {message}"))
    };
    assert!(line("Fix login bug").ends_with(" — <@U0ADA00001>"));
    assert!(line("Renew SSL certificate for api.example.com")
        .ends_with(" — <@U0ADA00001>, <@U0LINUS001>"));
    let listed = message.lines().filter(|l| l.starts_with("• ")).count();
    let mentioned = message
        .lines()
        .filter(|l| l.starts_with("• ") && l.contains(" — <@U0"))
        .count();
    assert_eq!(mentioned, listed, "every listed task has a mapped owner");

    let json = notion_sweep(&["demo", "--output", "json"], &[]);
    json.expect_code(0);
    let doc = json.json();
    let tasks = doc["tasks"].as_array().unwrap();
    let ssl = tasks
        .iter()
        .find(|t| t["title"] == "Renew SSL certificate for api.example.com")
        .unwrap();
    let names: Vec<&str> = ssl["assignees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada Lovelace", "Linus Torvalds"]);
    assert_eq!(ssl["assignees"][0]["email"], "ada@acme.com");
}
