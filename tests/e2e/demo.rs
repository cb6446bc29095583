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
    // Every task found to write was written: the overdue ones and the restored.
    assert_eq!(
        doc["updated"].as_u64().unwrap() + doc["restored"].as_u64().unwrap(),
        doc["matched"].as_u64().unwrap()
    );
    assert!(doc["restored"].as_u64().unwrap() > 0);
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
fn demo_shows_the_rule_both_ways_unless_told_otherwise() {
    let run = notion_sweep(&["demo", "--dry-run", "--output", "json"], &[]);
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(titled(&doc, "would_restore"), ["Publish the API changelog"]);
    let soon = titled(&doc, "due_soon");
    assert!(
        soon.contains(&"Design review: settings page".to_string())
            && soon.contains(&"Prepare sprint demo".to_string()),
        "{soon:?}"
    );
    let touched: Vec<String> = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    for left_alone in [
        "Keep the on-call rota current",
        "Migrate billing to the new provider",
        "Renew design tool licences",
    ] {
        assert!(!touched.contains(&left_alone.to_string()), "{left_alone}");
    }
    // A snooze that is over leaves the task overdue.
    assert!(titled(&doc, "would_update").contains(&"Send contract draft to Initech".to_string()));

    // Any of the flags given: only those.
    let run = notion_sweep(
        &["demo", "--dry-run", "--due-soon", "1", "--output", "json"],
        &[],
    );
    run.expect_code(0);
    let doc = run.json();
    assert!(titled(&doc, "would_restore").is_empty());
    assert!(titled(&doc, "would_update").contains(&"Keep the on-call rota current".to_string()));
}

#[test]
fn demo_runs_the_stale_check_and_the_digest_on_its_board() {
    let run = notion_sweep(&["demo", "stale", "--output", "json"], &[]);
    run.expect_code(0);
    let doc = run.json();
    let mut stale: Vec<&str> = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    stale.sort();
    assert_eq!(
        stale,
        [
            "Improve error messages",
            "Refactor billing service",
            "Security audit follow-up"
        ]
    );
    assert_eq!(doc["notification"]["status"], "sent");

    let run = notion_sweep(&["demo", "digest", "--output", "json"], &[]);
    run.expect_code(0);
    let doc = run.json();
    let counts = doc["counts"].as_object().unwrap();
    let total: u64 = counts.values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(
        doc["total"].as_u64().unwrap(),
        total + doc["no_status"].as_u64().unwrap()
    );
    assert!(counts["In Progress"].as_u64().unwrap() >= 3);
    let edited: Vec<&str> = doc["edited"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert!(edited.contains(&"Ship v2.3 release notes"), "{edited:?}");
    assert_eq!(doc["notification"]["status"], "sent");

    let run = notion_sweep(&["demo", "digest"], &[]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("Slack message posted to the sandbox"),
        "{}",
        run.stdout
    );
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
