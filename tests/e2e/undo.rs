//! `undo REPORT`: a sweep's own JSON document moves back what that sweep
//! moved, task by task only while still where the sweep put it; a bad
//! document is refused before anything is sent.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use notion_sandbox::{Board, GeneratedBoard, PropertyValue, Sandbox, SandboxConfig, SinkKind};
use serde_json::{json, Value};

use crate::support::hostile::{self, Server};
use crate::support::*;

/// A board of `tasks` with `overdue` of them overdue, served on its own.
fn served(seed: u64, tasks: usize, overdue: f64) -> Served {
    let spec = GeneratedBoard {
        seed,
        overdue_fraction: overdue,
        ..GeneratedBoard::new(tasks, as_of())
    };
    Served::new(spec, SandboxConfig::default())
}

/// Writes `doc` to a file of its own; its path.
fn report(doc: &Value) -> String {
    let path = std::env::temp_dir().join(format!(
        "notion-sweep-undo-{}-{}.json",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&path, doc.to_string()).unwrap();
    path.display().to_string()
}

/// Sweeps the board for real; its document, as a file.
fn swept(s: &Served) -> (Value, String) {
    let run = s.sweep(&["--output", "json"]);
    run.expect_code(0);
    let doc = run.json();
    (doc.clone(), report(&doc))
}

/// Each page's status now, by id.
fn statuses(sandbox: &Sandbox, source: &str) -> Vec<(String, String)> {
    sandbox
        .pages(source)
        .iter()
        .map(|p| (p.id.clone(), text(p, "Status").unwrap_or_default().into()))
        .collect()
}

/// The requests the sandbox saw after the first `since`.
fn after(sandbox: &Sandbox, since: usize) -> Vec<notion_sandbox::RecordedRequest> {
    sandbox.requests().into_iter().skip(since).collect()
}

#[test]
fn undoes_a_whole_run_reading_one_query_per_hundred_tasks() {
    let s = served(21, 300, 0.5);
    let source = s.spec.data_source_id();
    let before = statuses(&s.sandbox, &source);
    let (sweep, path) = swept(&s);
    let n = s.expected.len();
    assert_eq!(n, 150);
    assert_eq!(sweep["status_property"], "Status");
    assert!(sweep["started_at"].as_str().unwrap().ends_with('Z'));
    let seen = s.sandbox.requests().len();
    let messages = s.sandbox.sink_messages(SinkKind::Slack).len();

    let run = notion_sweep(&["undo", &path, "--output", "json"], &s.env());
    run.expect_code(0);
    assert_eq!(
        statuses(&s.sandbox, &source),
        before,
        "every status is back"
    );
    let doc = run.json();
    assert_eq!(doc["listed"], n);
    assert_eq!(doc["undone"], n);
    assert_eq!(doc["conflicts"], 0);
    assert_eq!(doc["failed"], 0);
    assert_eq!(doc["to"], "Overdue");
    assert_eq!(doc["status_property"], "Status");
    assert_eq!(doc["swept_at"], sweep["started_at"]);
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(ids_with(&doc, "undone"), s.expected);
    for task in doc["tasks"].as_array().unwrap() {
        assert_eq!(task["swept_to"], "Overdue");
        assert_eq!(task["back_to"], "To Do");
        assert_eq!(task["status"], "Overdue", "as read before the write");
    }

    // Few requests: one query per hundred tasks, one write each, the data source.
    let undo = after(&s.sandbox, seen);
    assert_eq!(doc["requests"]["sent"], undo.len());
    assert!(undo.len() <= n + n / 100 + 3, "{} requests", undo.len());
    let count = |method: &str, part: &str| {
        undo.iter()
            .filter(|r| r.method == method && r.path.contains(part))
            .count()
    };
    assert_eq!(count("PATCH", "/v1/pages/"), n);
    assert_eq!(count("GET", "/v1/pages/"), 0, "no page read one by one");
    assert_eq!(count("POST", "/query"), 2);
    for query in undo.iter().filter(|r| r.path.ends_with("/query")) {
        let filter = query.body.as_ref().unwrap()["filter"].to_string();
        assert!(filter.contains(r#""equals":"Overdue""#), "{filter}");
        assert!(filter.contains("last_edited_time"), "{filter}");
    }
    for patch in undo.iter().filter(|r| r.method == "PATCH") {
        assert_eq!(
            patch.body.as_ref().unwrap()["properties"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap(),
            &json!({"status": {"name": "To Do"}})
        );
    }

    // One message says what was undone.
    let posted = s.sandbox.sink_messages(SinkKind::Slack);
    assert_eq!(posted.len(), messages + 1);
    let text = posted.last().unwrap()["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(
            "*Tasks*: moved back {n} tasks that notion-sweep had moved (undo):"
        )),
        "{text}"
    );
    assert!(text.contains("Overdue → To Do"), "{text}");

    // Again: nothing is where the sweep put it any more.
    let again = notion_sweep(&["undo", &path, "--output", "json"], &s.env());
    again.expect_code(0);
    let doc = again.json();
    assert_eq!(doc["undone"], 0);
    assert_eq!(doc["conflicts"], n);
    assert_eq!(
        s.sandbox.sink_messages(SinkKind::Slack).len(),
        messages + 1,
        "nothing undone: nothing posted"
    );
}

#[test]
fn a_task_changed_since_the_sweep_is_a_conflict_and_kept() {
    let s = served(22, 30, 0.3);
    let source = s.spec.data_source_id();
    let before = statuses(&s.sandbox, &source);
    let (_, path) = swept(&s);
    let changed = s.expected.iter().next().unwrap().clone();
    s.sandbox
        .set_property(&changed, "Status", PropertyValue::option("Done"));

    let run = notion_sweep(&["undo", &path, "--output", "json"], &s.env());
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["conflicts"], 1);
    assert_eq!(doc["undone"], s.expected.len() - 1);
    assert_eq!(
        ids_with(&doc, "conflict"),
        BTreeSet::from([changed.clone()])
    );
    for (id, status) in statuses(&s.sandbox, &source) {
        if id == changed {
            assert_eq!(status, "Done", "a person's change is kept");
        } else {
            let was = &before.iter().find(|(b, _)| *b == id).unwrap().1;
            assert_eq!(&status, was, "{id}");
        }
    }
    let text = notion_sweep(&["undo", &path], &s.env());
    text.expect_code(0);
    assert!(text.stdout.contains("conflict"), "{}", text.stdout);
}

#[test]
fn a_few_tasks_are_each_read_by_their_page() {
    let s = served(23, 10, 0.2);
    let (_, path) = swept(&s);
    let n = s.expected.len();
    assert_eq!(n, 2);
    let seen = s.sandbox.requests().len();
    let run = notion_sweep(&["undo", &path, "--output", "json"], &s.env());
    run.expect_code(0);
    assert_eq!(run.json()["undone"], n);
    let undo = after(&s.sandbox, seen);
    assert!(undo.len() <= 2 * n + 3, "{} requests", undo.len());
    let gets = undo
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/v1/pages/"))
        .count();
    assert_eq!(gets, n);
    assert!(undo.iter().all(|r| !r.path.ends_with("/query")));
    assert!(s.moved().is_empty(), "every status is back");
}

#[test]
fn a_dry_run_writes_nothing_and_posts_nothing() {
    let s = served(24, 40, 0.3);
    let (_, path) = swept(&s);
    let patches = requests(&s.sandbox, "PATCH").len();
    let messages = s.sandbox.sink_messages(SinkKind::Slack).len();
    let run = notion_sweep(&["undo", &path, "--dry-run", "--output", "json"], &s.env());
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(ids_with(&doc, "would_undo"), s.expected);
    assert_eq!(requests(&s.sandbox, "PATCH").len(), patches);
    assert_eq!(s.sandbox.sink_messages(SinkKind::Slack).len(), messages);
    assert_eq!(s.moved(), s.expected, "still where the sweep put them");
}

#[test]
fn the_document_can_come_on_standard_input() {
    let s = served(25, 40, 0.3);
    let (_, path) = swept(&s);
    let mut env = s.env();
    env.push(("SWEEP_OUTPUT".into(), "json".into()));
    let child = Command::new(env!("CARGO_BIN_EXE_notion-sweep"))
        .args(["undo", "-"])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::from(std::fs::File::open(&path).unwrap()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let run = finish(child);
    run.expect_code(0);
    assert_eq!(run.json()["undone"], s.expected.len());
    assert!(s.moved().is_empty());
}

#[test]
fn a_several_board_document_is_undone_board_by_board() {
    let (eng, ops) = (
        GeneratedBoard {
            seed: 26,
            ..GeneratedBoard::new(30, as_of())
        },
        GeneratedBoard {
            seed: 27,
            ..GeneratedBoard::new(20, as_of())
        },
    );
    let mut board = Board::generated(&eng);
    board.databases.extend(Board::generated(&ops).databases);
    let sandbox = Sandbox::spawn(board, SandboxConfig::default()).unwrap();
    let before = [
        statuses(&sandbox, &eng.data_source_id()),
        statuses(&sandbox, &ops.data_source_id()),
    ];
    let config = std::env::temp_dir().join(format!(
        "notion-sweep-undo-boards-{}-{}.toml",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(
        &config,
        format!(
            "[[board]]\nname = \"Eng\"\ndatabase = \"{}\"\n\n[[board]]\nname = \"Ops\"\ndatabase = \"{}\"\n",
            eng.database_id(),
            ops.database_id()
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let sweep = notion_sweep(
        &["sweep", "--config", &config, "--output", "json"],
        &env_for(&sandbox),
    );
    sweep.expect_code(0);
    let doc = sweep.json();
    for board in doc["boards"].as_array().unwrap() {
        assert_eq!(board["status_property"], "Status");
        assert!(board["started_at"].is_string());
    }
    let moved: usize = doc["boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["updated"].as_u64().unwrap() as usize)
        .sum();
    assert!(moved > 10);

    let run = notion_sweep(
        &["undo", &report(&doc), "--output", "json"],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    let undo = run.json();
    let boards = undo["boards"].as_array().unwrap();
    assert_eq!(boards.len(), 2);
    assert_eq!(boards[0]["name"], "Eng");
    assert_eq!(boards[1]["name"], "Ops");
    assert_eq!(boards[0]["data_source_id"], eng.data_source_id());
    let undone: usize = boards
        .iter()
        .map(|b| b["undone"].as_u64().unwrap() as usize)
        .sum();
    assert_eq!(undone, moved);
    assert_eq!(
        [
            statuses(&sandbox, &eng.data_source_id()),
            statuses(&sandbox, &ops.data_source_id()),
        ],
        before
    );
    let text = notion_sweep(&["undo", &report(&doc)], &env_for(&sandbox));
    text.expect_code(0);
    assert!(text.stdout.contains("== Eng\n"), "{}", text.stdout);
    assert!(text.stdout.contains("2 boards: "), "{}", text.stdout);
}

/// Runs undo on `doc`, which must be refused with `code` and a message
/// holding `says`, nothing written.
#[track_caller]
fn refused(s: &Served, doc: &str, code: i32, says: &str) {
    let path = std::env::temp_dir().join(format!(
        "notion-sweep-undo-bad-{}-{}.json",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&path, doc).unwrap();
    let patches = requests(&s.sandbox, "PATCH").len();
    let run = notion_sweep(&["undo", &path.display().to_string()], &s.env());
    run.expect_code(code);
    assert!(run.stderr.contains(says), "{says}: {}", run.stderr);
    assert_eq!(
        requests(&s.sandbox, "PATCH").len(),
        patches,
        "nothing written"
    );
}

#[test]
fn a_bad_document_is_refused_before_anything_is_written() {
    let s = served(28, 30, 0.3);
    let (sweep, _) = swept(&s);
    let seen = s.sandbox.requests().len();
    refused(&s, "Moved 9 overdue tasks in Tasks.", 2, "is not JSON");
    refused(&s, "[1, 2, 3]", 2, "not a sweep's document");
    let stale = json!({"statuses": ["In Progress"], "idle_days": 7, "dry_run": false, "tasks": []});
    refused(&s, &stale.to_string(), 2, "it has no 'to'");
    let mut older = sweep.clone();
    older.as_object_mut().unwrap().remove("status_property");
    refused(&s, &older.to_string(), 2, "older notion-sweep");
    let mut edited = sweep.clone();
    edited["tasks"][0]["id"] = json!("../../v1/users/me");
    refused(&s, &edited.to_string(), 2, "not a Notion ID");
    assert_eq!(s.sandbox.requests().len(), seen, "nothing at all was sent");

    let dry = s.sweep(&["--dry-run", "--output", "json"]);
    dry.expect_code(0);
    let seen = s.sandbox.requests().len();
    refused(&s, &dry.stdout, 2, "dry run");
    assert_eq!(s.sandbox.requests().len(), seen);
}

#[test]
fn a_document_for_a_database_the_token_cannot_see_is_exit_3() {
    let s = served(29, 30, 0.3);
    let (sweep, _) = swept(&s);
    // Another workspace: the document's data source is not there.
    let other = served(30, 10, 0.3);
    let patches = requests(&other.sandbox, "PATCH").len();
    let run = notion_sweep(&["undo", &report(&sweep)], &other.env());
    run.expect_code(3);
    assert!(run.stderr.contains("object_not_found"), "{}", run.stderr);
    assert_eq!(requests(&other.sandbox, "PATCH").len(), patches);
}

#[test]
fn no_url_of_the_document_is_contacted() {
    let s = served(31, 30, 0.3);
    let (mut sweep, _) = swept(&s);
    let server = Server::spawn(|_, _, stream| hostile::answer(stream, "200 OK", &[], "{}"));
    for task in sweep["tasks"].as_array_mut().unwrap() {
        task["url"] = json!(format!("{}/v1/pages/x", server.url()));
    }
    sweep["api_url"] = json!(server.url());
    let run = notion_sweep(&["undo", &report(&sweep)], &s.env());
    run.expect_code(0);
    assert!(server.seen().is_empty(), "the document's URLs are data");
    assert!(s.moved().is_empty(), "undone through --api-url");
}

#[test]
fn the_lock_of_the_data_source_keeps_two_runs_apart_and_the_deadline_holds() {
    let s = served(32, 40, 0.3);
    let (_, path) = swept(&s);
    let n = s.expected.len();
    // Two requests a second: the first undo holds the lock for seconds.
    let slow = with(s.env(), "NOTION_RATE", "2");
    let first = start(&["undo", &path, "--output", "json"], &slow);
    let seen = s.sandbox.requests().len();
    wait_until(
        std::time::Duration::from_secs(20),
        "the first undo to begin",
        || s.sandbox.requests().len() > seen + 1,
    );
    let second = notion_sweep(&["undo", &path, "--lock-wait", "0"], &s.env());
    second.expect_code(6);
    let first = finish(first);
    first.expect_code(0);
    assert_eq!(first.json()["undone"], n);
    assert!(s.moved().is_empty());

    // Swept again, then undone under a deadline too short for it: exit 4.
    let (_, path) = swept(&s);
    let run = notion_sweep(
        &["undo", &path, "--deadline", "1", "--output", "json"],
        &slow,
    );
    run.expect_code(4);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "deadline_reached");
    assert!(doc["undone"].as_u64().unwrap() < n as u64);
    assert!(!ids_with(&doc, "skipped").is_empty());
}
