//! `digest`: the tasks per status in the schema's order (zeros included),
//! counted with one query per hundred rows asking only for the status, and
//! the tasks edited lately, grouped by status; posted every run.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SelectOption, SinkKind};
use serde_json::Value;

use crate::support::*;

/// A generated board of `tasks` (edited long ago) with an option nobody
/// uses ("Review", second in the schema), and 13 tasks in progress and one
/// done edited in the last hours.
struct Served {
    sandbox: Sandbox,
    database: String,
    status_id: String,
    /// Tasks per status, as the board has them.
    counts: BTreeMap<String, usize>,
    /// The statuses in the schema's order.
    order: Vec<String>,
}

fn served(tasks: usize, config: SandboxConfig) -> Served {
    let spec = GeneratedBoard::new(tasks, as_of());
    let mut board = Board::generated(&spec);
    let source = &mut board.databases[0].data_sources[0];
    let status = source
        .properties
        .iter_mut()
        .find(|p| p.name == "Status")
        .unwrap();
    status
        .options
        .insert(1, SelectOption::new("Review", "blue"));
    let status_id = status.id.clone();
    let order: Vec<String> = status.options.iter().map(|o| o.name.clone()).collect();
    let now = Utc::now();
    let mut recent = 0;
    for page in source.pages.iter_mut().filter(|p| !p.in_trash) {
        let state = text(page, "Status").unwrap().to_string();
        let edit = match state.as_str() {
            "In Progress" if recent < 13 => Some(Duration::minutes(30 + 60 * recent)),
            "Done" if recent == 13 => Some(Duration::hours(20)),
            _ => None,
        };
        if let Some(ago) = edit {
            page.last_edited_time = now - ago;
            recent += 1;
        }
    }
    assert_eq!(
        recent, 14,
        "the board has enough tasks in progress and done"
    );
    let mut counts = BTreeMap::new();
    for page in source.pages.iter().filter(|p| !p.in_trash) {
        *counts
            .entry(text(page, "Status").unwrap().to_string())
            .or_insert(0) += 1;
    }
    Served {
        sandbox: Sandbox::spawn(board, config).unwrap(),
        database: spec.database_id(),
        status_id,
        counts,
        order,
    }
}

/// The queries sent to Notion.
fn queries(sandbox: &Sandbox) -> Vec<notion_sandbox::RecordedRequest> {
    requests(sandbox, "POST")
        .into_iter()
        .filter(|r| r.path.ends_with("/query"))
        .collect()
}

#[test]
fn the_counts_come_in_the_schemas_order_with_zeros_one_query_per_hundred_rows() {
    let board = served(250, SandboxConfig::default());
    let sandbox = &board.sandbox;
    let started = Utc::now();
    let run = notion_sweep(
        &["digest", &board.database, "--output", "json"],
        &env_for(sandbox),
    );
    run.expect_code(0);
    let doc = run.json();
    // Every option, with its count, in the schema's order (the raw text keeps it).
    let counts = doc["counts"].as_object().unwrap();
    assert_eq!(counts.len(), board.order.len());
    let mut at = 0;
    for name in &board.order {
        let want = board.counts.get(name).copied().unwrap_or(0);
        assert_eq!(counts[name], want, "{name}");
        let key = format!("\"{name}\": {want}");
        let found = run.stdout[at..].find(&key).expect(&key) + at;
        at = found;
    }
    assert_eq!(counts["Review"], 0, "zeros included");
    assert_eq!(doc["total"], board.counts.values().sum::<usize>());
    assert_eq!(doc["no_status"], 0);
    assert_eq!(doc["since_hours"], 24);
    let since: DateTime<Utc> = doc["since"].as_str().unwrap().parse().unwrap();
    assert!(
        (since - (started - Duration::hours(24)))
            .num_seconds()
            .abs()
            < 60
    );
    // The tasks edited lately: grouped by status, the newest first.
    let edited = doc["edited"].as_array().unwrap();
    assert_eq!(edited.len(), 14);
    let statuses: Vec<&str> = edited
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(&statuses[..13], ["In Progress"; 13]);
    assert_eq!(statuses[13], "Done");
    let times: Vec<&str> = edited[..13]
        .iter()
        .map(|t| t["last_edited"].as_str().unwrap())
        .collect();
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, newest_first);
    // Counting asked only for the status: a chain of queries per option,
    // one query per hundred rows of it, one for an option without any.
    let sent = queries(sandbox);
    let counting: Vec<_> = sent
        .iter()
        .filter(|r| {
            r.query
                .as_deref()
                .unwrap_or_default()
                .matches("filter_properties=")
                .count()
                == 1
        })
        .collect();
    let per_option = |name: &str| {
        board
            .counts
            .get(name)
            .copied()
            .unwrap_or(0)
            .div_ceil(100)
            .max(1)
    };
    let expected: usize = board.order.iter().map(|name| per_option(name)).sum();
    assert_eq!(
        counting.len(),
        expected,
        "250 rows in {} options",
        board.order.len()
    );
    for name in &board.order {
        let asked = counting
            .iter()
            .filter(|query| {
                assert_eq!(
                    query.query.as_deref().unwrap(),
                    format!("filter_properties={}", board.status_id),
                    "the status alone"
                );
                let filter = &query.body.as_ref().unwrap()["filter"]["and"][0];
                filter["property"] == board.status_id.as_str()
                    && filter
                        .to_string()
                        .contains(&format!("{{\"equals\":\"{name}\"}}"))
            })
            .count();
        assert_eq!(asked, per_option(name), "{name}");
    }
    let listing = sent
        .iter()
        .find(|r| {
            r.body.as_ref().unwrap()["filter"]
                .to_string()
                .contains("last_edited_time")
        })
        .unwrap();
    let filter = &listing.body.as_ref().unwrap()["filter"]["and"][0];
    assert_eq!(filter["timestamp"], "last_edited_time");
    assert_eq!(filter["last_edited_time"]["on_or_after"], doc["since"]);
    assert!(
        requests(sandbox, "PATCH").is_empty(),
        "a digest writes nothing"
    );
    // Posted: the counts and the tasks, ten per status.
    let slack = sandbox.sink_messages(SinkKind::Slack);
    assert_eq!(slack.len(), 1);
    let text = slack[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(
            "*Tasks*: {} tasks; 14 edited in the last 24 hours:\nTo Do: ",
            doc["total"]
        )),
        "{text}"
    );
    assert!(text.contains("Review: 0"), "{text}");
    assert!(text.contains("\n*In Progress*: 13 edited\n• <"), "{text}");
    assert!(text.contains("\n…and 3 more\n*Done*: 1 edited\n"), "{text}");
}

#[test]
fn text_output_and_a_digest_with_nothing_edited_is_still_posted() {
    let board = served(120, SandboxConfig::default());
    let sandbox = &board.sandbox;
    let env = env_for(sandbox);
    let run = notion_sweep(&["digest", &board.database], &env);
    run.expect_code(0);
    assert!(
        run.stdout.starts_with("STATUS       TASKS\nTo Do "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\nReview           0\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  …and 3 more\n"),
        "ten per status: {}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(
            "tasks in Tasks; 14 edited in the last 24 hours. Summary posted to Slack.\n"
        ),
        "{}",
        run.stdout
    );
    // An hour back, nothing but the newest task in progress was edited;
    // a minute back, nothing: the digest is still posted, with its counts.
    let run = notion_sweep(
        &[
            "digest",
            &board.database,
            "--since",
            "1",
            "--output",
            "json",
        ],
        &env,
    );
    run.expect_code(0);
    assert_eq!(run.json()["edited"].as_array().unwrap().len(), 1);
    let quiet = with(env.clone(), "DIGEST_SINCE", "1");
    let run = notion_sweep(&["digest", &board.database, "-q"], &quiet);
    run.expect_code(0);
    assert!(
        run.stdout.contains("1 edited in the last hour."),
        "-q still shows a digest: {}",
        run.stdout
    );
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        3,
        "posted every run"
    );
}

#[test]
fn every_channel_gets_the_digest_and_a_dry_run_posts_nothing() {
    let board = served(120, SandboxConfig::default());
    let sandbox = &board.sandbox;
    let env = without(env_for(sandbox), "SLACK_WEBHOOK_URL");
    let notify: Vec<String> = SinkKind::ALL
        .iter()
        .map(|k| format!("{}+{}", k.as_str(), sandbox.sink_url(*k)))
        .collect();
    let env = with(env, "SWEEP_NOTIFY", &notify.join(" "));
    let run = notion_sweep(
        &["digest", &board.database, "--dry-run", "--output", "json"],
        &env,
    );
    run.expect_code(0);
    assert_eq!(run.json()["notification"]["status"], "skipped");
    for kind in SinkKind::ALL {
        assert!(sandbox.sink_messages(kind).is_empty(), "{kind:?}");
    }
    let run = notion_sweep(&["digest", &board.database, "--output", "json"], &env);
    run.expect_code(0);
    assert_eq!(run.json()["notification"]["status"], "sent");
    let discord = &sandbox.sink_messages(SinkKind::Discord)[0];
    let content = discord["content"].as_str().unwrap();
    assert!(content.starts_with("**Tasks**: "), "{content}");
    assert!(
        content.contains("\n**In Progress**: 13 edited\n• ["),
        "{content}"
    );
    let teams = &sandbox.sink_messages(SinkKind::Teams)[0];
    let body = &teams["attachments"][0]["content"]["body"];
    assert_eq!(body[1]["type"], "FactSet");
    let facts: Vec<&str> = body[1]["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    let order: Vec<&str> = board.order.iter().map(String::as_str).collect();
    assert_eq!(facts, order, "the counts in the schema's order");
    let report: &Value = &sandbox.sink_messages(SinkKind::Json)[0];
    assert_eq!(report["counts"]["Review"], 0);
    assert_eq!(report["edited"].as_array().unwrap().len(), 14);
    assert!(report.get("notifications").is_none());
}

#[test]
fn past_the_row_cap_every_task_is_counted() {
    let config = SandboxConfig {
        row_cap: 120,
        ..SandboxConfig::default()
    };
    let board = served(330, config);
    let run = notion_sweep(
        &["digest", &board.database, "--dry-run", "--output", "json"],
        &env_for(&board.sandbox),
    );
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["total"], board.counts.values().sum::<usize>());
    for (name, n) in &board.counts {
        assert_eq!(doc["counts"][name], *n, "{name}");
    }
}

#[test]
fn a_since_of_zero_is_a_usage_error_and_a_missing_property_a_setup_error() {
    let board = served(120, SandboxConfig::default());
    let env = env_for(&board.sandbox);
    for (args, env, says) in [
        (
            vec!["digest", &board.database, "--since", "0"],
            env.clone(),
            "expected a number of hours from 1",
        ),
        (
            vec!["digest", &board.database],
            with(env.clone(), "DIGEST_SINCE", "0"),
            "DIGEST_SINCE",
        ),
    ] {
        let run = notion_sweep(&args, &env);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    assert!(board.sandbox.requests().is_empty());
    let run = notion_sweep(
        &["digest", &board.database, "--status-property", "state"],
        &env,
    );
    run.expect_code(3);
    assert!(
        run.stderr.contains("does not fit the digest"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no property 'state'"), "{}", run.stderr);
    assert!(board.sandbox.sink_messages(SinkKind::Slack).is_empty());
}

#[test]
fn tasks_edited_lately_are_listed_with_their_owners_mentioned_as_people_maps_them() {
    let demo = crate::people::Demo::new();
    let run = demo.run("digest", &["--output", "json"]);
    run.expect_code(0);
    let doc = run.json();
    let owners = crate::people::owners_by_title(&doc["boards"][0]["edited"]);
    let person = |name: &str, email: &str| vec![(name.to_string(), email.to_string())];
    let expected = [
        (
            "Ship v2.3 release notes",
            person("Grace Hopper", "grace@acme.com"),
        ),
        ("Fix login bug", person("Ada Lovelace", "ada@acme.com")),
        (
            "Investigate flaky e2e test",
            person("Grace Hopper", "grace@acme.com"),
        ),
        (
            "Triage new bug reports",
            person("Linus Torvalds", "linus@acme.com"),
        ),
    ];
    assert_eq!(owners.len(), expected.len(), "{owners:?}");
    for (title, people) in &expected {
        assert_eq!(&owners[*title], people, "{title}");
    }
    demo.assert_owners_in_messages(&[
        ("Ship v2.3 release notes", "Grace Hopper"),
        ("Fix login bug", "Ada Lovelace"),
        ("Investigate flaky e2e test", "Grace Hopper"),
        ("Triage new bug reports", "Linus Torvalds"),
    ]);
    let markdown = demo.run("digest", &["--dry-run", "--output", "markdown"]);
    markdown.expect_code(0);
    assert!(
        markdown
            .stdout
            .contains("| Task | Status | Last edited (UTC) | Owner |"),
        "{}",
        markdown.stdout
    );
}
