//! `stale`: the tasks left untouched for days in a status, asked of Notion
//! with its `last_edited_time` filter, escalated to every channel, and
//! with `--move-to` moved (a moved task is fresh: the next run finds
//! nothing).

use chrono::{DateTime, Duration, Utc};
use notion_sandbox::{
    Board, GeneratedBoard, PageState, PropertyValue, Sandbox, SandboxConfig, SinkKind,
};
use serde_json::Value;

use crate::support::*;

/// The statuses of the test board, in its schema's order.
const STATUSES: [&str; 5] = ["To Do", "In Progress", "Review", "Done", "Stalled"];

/// One task of the test board: its title, status, and how long ago it
/// was last edited.
struct Task {
    name: &'static str,
    status: &'static str,
    edited: Duration,
}

fn days(n: i64) -> Duration {
    Duration::days(n) + Duration::minutes(17)
}

fn tasks() -> Vec<Task> {
    let task = |name, status, edited| Task {
        name,
        status,
        edited,
    };
    vec![
        task("Stuck for ten days", "In Progress", days(10)),
        task("Stuck for a month", "In Progress", days(30)),
        task("Fresh in progress", "In Progress", days(2)),
        task(
            "A week but an hour",
            "In Progress",
            Duration::days(7) - Duration::hours(1),
        ),
        task("Old review <&>", "Review", days(20)),
        task("Old but done", "Done", days(40)),
        task("Old to do", "To Do", days(50)),
    ]
}

/// A board of `tasks` plus `more` stale ones in progress, served by a
/// sandbox with `config`: the sandbox, its database and data source ids.
fn served(tasks: &[Task], more: usize, config: SandboxConfig) -> (Sandbox, String, String) {
    let spec = GeneratedBoard {
        open_statuses: vec!["To Do".into()],
        other_statuses: STATUSES[1..].iter().map(|s| s.to_string()).collect(),
        ..GeneratedBoard::new(0, as_of())
    };
    let mut board = Board::generated(&spec);
    let source = &mut board.databases[0].data_sources[0];
    let now = Utc::now();
    let mut add = |n: usize, name: String, status: &str, edited: DateTime<Utc>| {
        let mut page = PageState::new(format!("{:08x}-1111-4222-8333-444455556666", n + 1), edited);
        page.properties
            .insert("Name".into(), PropertyValue::text(name));
        page.properties
            .insert("Status".into(), PropertyValue::option(status));
        page.last_edited_time = edited;
        source.pages.push(page);
    };
    for (n, task) in tasks.iter().enumerate() {
        add(n, task.name.to_string(), task.status, now - task.edited);
    }
    for n in 0..more {
        let edited = now - Duration::days(8) - Duration::minutes(n as i64 % 7);
        add(
            tasks.len() + n,
            format!("Bulk task {n}"),
            "In Progress",
            edited,
        );
    }
    let sandbox = Sandbox::spawn(board, config).unwrap();
    (sandbox, spec.database_id(), spec.data_source_id())
}

fn board() -> (Sandbox, String, String) {
    served(&tasks(), 0, SandboxConfig::default())
}

/// The titles of the document's tasks, sorted.
fn titles(doc: &Value) -> Vec<String> {
    let mut titles: Vec<String> = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

/// The queries sent to Notion.
fn queries(sandbox: &Sandbox) -> Vec<notion_sandbox::RecordedRequest> {
    requests(sandbox, "POST")
        .into_iter()
        .filter(|r| r.path.ends_with("/query"))
        .collect()
}

/// The status of every page now, by title.
fn statuses(sandbox: &Sandbox, source: &str) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = sandbox
        .pages(source)
        .iter()
        .map(|p| {
            let title = text(p, "Name").unwrap_or_default().to_string();
            (title, text(p, "Status").unwrap_or_default().to_string())
        })
        .collect();
    all.sort();
    all
}

#[test]
fn stale_tasks_are_asked_of_notion_listed_and_escalated() {
    let (sandbox, db, _) = board();
    let started = Utc::now();
    let run = notion_sweep(&["stale", &db, "--output", "json"], &env_for(&sandbox));
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(titles(&doc), ["Stuck for a month", "Stuck for ten days"]);
    assert_eq!(doc["statuses"], serde_json::json!(["In Progress"]));
    assert_eq!(doc["idle_days"], 7);
    assert_eq!(doc["matched"], 2);
    assert_eq!(doc["move_to"], Value::Null);
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(
        doc["requests"]["sent"], 3,
        "database, data source, one query"
    );
    for task in doc["tasks"].as_array().unwrap() {
        assert_eq!(task["status"], "In Progress");
        assert_eq!(task["outcome"], "stale");
        let edited: DateTime<Utc> = task["last_edited"].as_str().unwrap().parse().unwrap();
        let idle = task["idle_days"].as_i64().unwrap();
        assert_eq!(idle, (started - edited).num_days(), "{task}");
    }
    // The filter went to Notion: the status, and the last edit before now minus 7 days.
    let sent = queries(&sandbox);
    assert_eq!(sent.len(), 1);
    let body = sent[0].body.as_ref().unwrap();
    let conditions = body["filter"]["and"].as_array().unwrap();
    assert_eq!(conditions[0]["status"]["equals"], "In Progress");
    assert_eq!(conditions[1]["timestamp"], "last_edited_time");
    let before: DateTime<Utc> = conditions[1]["last_edited_time"]["before"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let week_ago = started - Duration::days(7);
    assert!(
        (before - week_ago).num_seconds().abs() < 60,
        "{before} vs {week_ago}"
    );
    assert_eq!(
        body["sorts"],
        serde_json::json!([{ "timestamp": "last_edited_time", "direction": "ascending" }])
    );
    let query = sent[0].query.as_deref().unwrap_or_default();
    assert_eq!(query.matches("filter_properties=").count(), 2, "{query}");
    assert!(query.contains("filter_properties=title"), "{query}");
    assert!(requests(&sandbox, "PATCH").is_empty(), "nothing is written");
    // Posted as an escalation.
    let posted = sandbox.sink_messages(SinkKind::Slack);
    assert_eq!(posted.len(), 1);
    let text = posted[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("*Tasks*: 2 tasks in 'In Progress' untouched for 7+ days:\n• <"),
        "{text}"
    );
    assert!(
        text.contains("|Stuck for a month>, In Progress, last edited "),
        "{text}"
    );
    assert!(text.contains("(30 days idle)"), "{text}");
}

#[test]
fn several_statuses_a_longer_idle_and_text_output() {
    let (sandbox, db, _) = board();
    let env = without(env_for(&sandbox), "SLACK_WEBHOOK_URL");
    let run = notion_sweep(
        &[
            "stale",
            &db,
            "--status",
            "In Progress",
            "--status",
            "Review",
            "--idle",
            "14",
        ],
        &env,
    );
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("TASK "), "{}", run.stdout);
    assert!(lines[0].contains("STATUS") && lines[0].contains("LAST EDITED (UTC)"));
    assert!(run.stdout.contains("Stuck for a month"), "{}", run.stdout);
    assert!(run.stdout.contains("Old review <&>"), "{}", run.stdout);
    assert!(!run.stdout.contains("Stuck for ten days"), "{}", run.stdout);
    assert!(
        run.stdout
            .ends_with("2 tasks in 'In Progress' or 'Review' untouched for 14+ days in Tasks.\n"),
        "{}",
        run.stdout
    );
    let body = queries(&sandbox)[0].body.clone().unwrap();
    let either = body["filter"]["and"][0]["or"].as_array().unwrap();
    let names: Vec<&str> = either
        .iter()
        .map(|c| c["status"]["equals"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["In Progress", "Review"]);
}

#[test]
fn every_channel_gets_the_escalation_and_a_dry_run_posts_nothing() {
    let (sandbox, db, _) = board();
    let env = without(env_for(&sandbox), "SLACK_WEBHOOK_URL");
    let urls: Vec<String> = SinkKind::ALL
        .iter()
        .map(|k| format!("{}+{}", k.as_str(), sandbox.sink_url(*k)))
        .collect();
    let mut args = vec![
        "stale",
        db.as_str(),
        "--status",
        "Review",
        "--output",
        "json",
    ];
    for url in &urls {
        args.extend(["--notify", url.as_str()]);
    }
    let mut dry = args.clone();
    dry.push("--dry-run");
    let run = notion_sweep(&dry, &env);
    run.expect_code(0);
    assert_eq!(run.json()["dry_run"], true);
    assert_eq!(run.json()["notification"]["status"], "skipped");
    for kind in SinkKind::ALL {
        assert!(sandbox.sink_messages(kind).is_empty(), "{kind:?}");
    }

    let run = notion_sweep(&args, &env);
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["notification"]["status"], "sent");
    assert_eq!(doc["notifications"].as_array().unwrap().len(), 4);
    let slack = sandbox.sink_messages(SinkKind::Slack);
    assert!(slack[0]["text"]
        .as_str()
        .unwrap()
        .contains("|Old review &lt;&amp;&gt;>, Review, last edited "));
    let discord = &sandbox.sink_messages(SinkKind::Discord)[0];
    assert!(discord["content"].as_str().unwrap().starts_with(
        "**Tasks**: 1 task in 'Review' untouched for 7+ days:\n• [Old review \\<&\\>]("
    ));
    assert_eq!(discord["allowed_mentions"]["parse"], serde_json::json!([]));
    let teams = sandbox.sink_messages(SinkKind::Teams)[0].to_string();
    assert!(
        teams.contains("AdaptiveCard") && teams.contains("Old review \\\\<&\\\\>"),
        "{teams}"
    );
    let report = &sandbox.sink_messages(SinkKind::Json)[0];
    assert_eq!(report["matched"], 1);
    assert_eq!(report["tasks"][0]["title"], "Old review <&>");
    assert!(report.get("notification").is_none() && report.get("notifications").is_none());
    for kind in SinkKind::ALL {
        assert_eq!(sandbox.sink_messages(kind).len(), 1, "{kind:?}: once");
    }
}

#[test]
fn move_to_moves_them_and_a_second_run_finds_nothing() {
    let (sandbox, db, source) = board();
    let env = env_for(&sandbox);
    let before = statuses(&sandbox, &source);
    let args = [
        "stale",
        db.as_str(),
        "--move-to",
        "Stalled",
        "--output",
        "json",
    ];
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let run = notion_sweep(&dry, &env);
    run.expect_code(0);
    let doc = run.json();
    assert!(doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["outcome"] == "would_move"));
    assert_eq!(
        statuses(&sandbox, &source),
        before,
        "a dry run moves nothing"
    );
    assert!(requests(&sandbox, "PATCH").is_empty());

    let run = notion_sweep(&args, &env);
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(
        (doc["matched"].as_u64(), doc["moved"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(doc["move_to"], "Stalled");
    for task in doc["tasks"].as_array().unwrap() {
        assert_eq!(task["outcome"], "moved");
        assert_eq!(task["status"], "In Progress", "the status before the run");
    }
    let after = statuses(&sandbox, &source);
    for (title, status) in &after {
        let moved = title.starts_with("Stuck for");
        assert_eq!(status == "Stalled", moved, "{title}: {status}");
    }
    let patched = requests(&sandbox, "PATCH");
    assert_eq!(patched.len(), 2);
    assert_eq!(
        patched[0].body.as_ref().unwrap()["properties"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()["status"]["name"],
        "Stalled"
    );
    let text = sandbox.sink_messages(SinkKind::Slack)[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("untouched for 7+ days; 2 moved to *Stalled*:"),
        "{text}"
    );

    // A moved task is fresh and no longer in progress: nothing is left.
    let again = notion_sweep(&args, &env);
    again.expect_code(0);
    assert_eq!(again.json()["matched"], 0);
    assert_eq!(requests(&sandbox, "PATCH").len(), 2, "nothing more written");
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "nothing stale, nothing posted"
    );
}

#[test]
fn past_the_row_cap_every_stale_task_is_found_and_moved() {
    let config = SandboxConfig {
        row_cap: 120,
        ..SandboxConfig::default()
    };
    let (sandbox, db, source) = served(&tasks(), 260, config);
    let env = without(env_for(&sandbox), "SLACK_WEBHOOK_URL");
    let run = notion_sweep(&["stale", &db, "--dry-run", "--output", "json"], &env);
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["matched"], 262, "every stale task, past the cap");
    let ids: std::collections::BTreeSet<&str> = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 262, "each once");

    let run = notion_sweep(
        &["stale", &db, "--move-to", "Stalled", "--output", "json"],
        &env,
    );
    run.expect_code(0);
    assert_eq!(run.json()["moved"], 262);
    let in_progress = statuses(&sandbox, &source)
        .into_iter()
        .filter(|(_, s)| s == "In Progress")
        .count();
    assert_eq!(in_progress, 2, "only the fresh ones stay");
    let again = notion_sweep(&["stale", &db, "--output", "json"], &env);
    assert_eq!(again.json()["matched"], 0);
}

#[test]
fn bad_values_are_usage_errors_and_unknown_statuses_setup_errors() {
    let (sandbox, db, _) = board();
    let env = env_for(&sandbox);
    for (args, env, says) in [
        (
            vec!["stale", &db, "--idle", "0"],
            env.clone(),
            "expected a number of days from 1",
        ),
        (
            vec!["stale", &db],
            with(env.clone(), "STALE_IDLE", "0"),
            "STALE_IDLE",
        ),
        (
            vec!["stale", &db, "--status", "Review", "--move-to", "Review"],
            env.clone(),
            "--move-to 'Review' (given by --move-to) is one of the statuses",
        ),
        (
            vec!["stale", &db, "--move-to", "Done"],
            with(env.clone(), "STALE_STATUS", "In Progress,Done"),
            "(given by STALE_STATUS)",
        ),
        (
            vec!["stale", &db, "--status", ""],
            env.clone(),
            "empty status name",
        ),
    ] {
        let run = notion_sweep(&args, &env);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(says),
            "{args:?}: wanted '{says}' in {}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
    assert!(sandbox.requests().is_empty(), "nothing was sent");

    let run = notion_sweep(
        &[
            "stale",
            &db,
            "--status",
            "in progress",
            "--move-to",
            "Parked",
            "--output",
            "json",
        ],
        &env,
    );
    run.expect_code(3);
    let doc = run.json();
    let error = doc["error"]["message"].as_str().unwrap();
    assert!(error.contains("does not fit the stale check"), "{error}");
    assert!(
        error.contains("no option 'in progress' (given by --status) (did you mean 'In Progress'?)"),
        "{error}"
    );
    assert!(
        error.contains("no option 'Parked' (given by --move-to)"),
        "{error}"
    );
    assert!(queries(&sandbox).is_empty(), "nothing was asked");
    assert!(
        sandbox.sink_messages(SinkKind::Slack).is_empty(),
        "nothing was posted"
    );
}

#[test]
fn boards_of_a_settings_file_take_their_own_keys() {
    let (sandbox, db, _) = board();
    let dir =
        std::env::temp_dir().join(format!("notion-sweep-stale-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("boards.toml"),
        format!(
            "idle = 14\n[[board]]\nname = 'Reviews'\ndatabase = '{db}'\nstatus = 'Review'\n\
             [[board]]\nname = 'Work'\ndatabase = '{db}'\nstatus = ['In Progress']\nidle = 9\n"
        ),
    )
    .unwrap();
    let env = with(env_for(&sandbox), "SWEEP_CONFIG", "boards.toml");
    let run = finish(start_in(&dir, &["stale", "--output", "json"], &env));
    run.expect_code(0);
    let doc = run.json();
    let boards = doc["boards"].as_array().unwrap();
    assert_eq!(boards[0]["name"], "Reviews");
    assert_eq!(
        (
            boards[0]["idle_days"].as_u64(),
            boards[0]["matched"].as_u64()
        ),
        (Some(14), Some(1))
    );
    assert_eq!(boards[1]["name"], "Work");
    assert_eq!(
        (
            boards[1]["idle_days"].as_u64(),
            boards[1]["matched"].as_u64()
        ),
        (Some(9), Some(2))
    );
    assert_eq!(doc["exit_code"], 0);
}

#[test]
fn moving_takes_the_sweeps_lock_and_listing_or_a_dry_run_does_not() {
    let (sandbox, db, source) = board();
    let env = env_for(&sandbox);
    let lock = std::path::PathBuf::from(lock_dir(&sandbox)).join(format!("{source}.lock"));
    let held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .unwrap();
    held.lock().unwrap();
    let run = notion_sweep(
        &["stale", &db, "--move-to", "Stalled", "--output", "json"],
        &env,
    );
    run.expect_code(6);
    assert!(run.stderr.contains("another"), "{}", run.stderr);
    assert!(requests(&sandbox, "PATCH").is_empty(), "nothing written");
    assert!(
        sandbox.sink_messages(SinkKind::Slack).is_empty(),
        "nothing posted"
    );
    notion_sweep(&["stale", &db], &env).expect_code(0);
    notion_sweep(&["stale", &db, "--move-to", "Stalled", "--dry-run"], &env).expect_code(0);
    drop(held);
    notion_sweep(&["stale", &db, "--move-to", "Stalled"], &env).expect_code(0);
    assert_eq!(requests(&sandbox, "PATCH").len(), 2);
}

#[test]
fn stale_tasks_are_listed_with_their_owners_mentioned_as_people_maps_them() {
    let demo = crate::people::Demo::new();
    let run = demo.run("stale", &["--output", "json"]);
    run.expect_code(0);
    let doc = run.json();
    let board = &doc["boards"][0];
    let owners = crate::people::owners_by_title(&board["tasks"]);
    let ada = ("Ada Lovelace".to_string(), "ada@acme.com".to_string());
    let linus = ("Linus Torvalds".to_string(), "linus@acme.com".to_string());
    assert_eq!(owners.len(), 3, "{owners:?}");
    assert_eq!(owners["Refactor billing service"], vec![ada.clone()]);
    assert_eq!(owners["Security audit follow-up"], [ada]);
    assert_eq!(owners["Improve error messages"], [linus]);
    demo.assert_owners_in_messages(&[
        ("Refactor billing service", "Ada Lovelace"),
        ("Security audit follow-up", "Ada Lovelace"),
        ("Improve error messages", "Linus Torvalds"),
    ]);

    // People read the owners too; a property that is not of type people is exit 3.
    let text = demo.run("stale", &["--dry-run"]);
    text.expect_code(0);
    let header = text.stdout.lines().find(|l| l.starts_with("TASK")).unwrap();
    assert!(header.contains("IDLE  OWNER"), "{}", text.stdout);
    assert!(text.stdout.contains("Linus Torvalds"), "{}", text.stdout);
    let wrong = demo.run("stale", &["--dry-run", "--assignee-property", "Priority"]);
    wrong.expect_code(3);
    assert!(
        wrong.stderr.contains(
            "property 'Priority' is of type select; the assignee property must be of type people"
        ),
        "{}",
        wrong.stderr
    );
}
