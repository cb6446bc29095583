//! The main job: exactly the overdue open tasks move, nothing else changes.

use std::collections::BTreeSet;

use chrono_tz::Tz;
use notion_sandbox::{GeneratedBoard, PropertyValue, Sandbox, SandboxConfig, SinkKind};
use serde_json::{json, Value};

use crate::support::*;

#[test]
fn moves_exactly_the_overdue_open_tasks_and_posts_one_summary() {
    let spec = GeneratedBoard {
        seed: 7,
        trashed_fraction: 0.05,
        ..GeneratedBoard::new(300, as_of())
    };
    let Served {
        spec,
        sandbox,
        before,
        expected,
    } = Served::new(spec, SandboxConfig::default());
    assert_eq!(
        expected.len(),
        spec.overdue_count(),
        "the board is as designed"
    );
    assert!(expected.len() > 50);

    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    run.expect_code(0);

    // Notion's state: the overdue tasks moved, every other page untouched.
    let after = sandbox.pages(&spec.data_source_id());
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b.id, a.id);
        if expected.contains(&b.id) {
            assert_eq!(text(a, "Status"), Some("Overdue"), "{}", b.id);
            let mut unchanged = b.properties.clone();
            unchanged.insert("Status".into(), PropertyValue::Text("Overdue".into()));
            assert_eq!(unchanged, a.properties, "only the status changed");
        } else {
            assert_eq!(b, a, "a page that was not overdue changed");
        }
    }

    // Each PATCH went to an expected page, once, with only the status property.
    let patches = requests(&sandbox, "PATCH");
    let patched: Vec<String> = patches.iter().map(patched_id).collect();
    assert_eq!(patched.len(), expected.len(), "one PATCH per task");
    assert_eq!(patched.iter().cloned().collect::<BTreeSet<_>>(), expected);
    for patch in &patches {
        let properties = patch.body.as_ref().unwrap()["properties"]
            .as_object()
            .unwrap();
        assert_eq!(properties.len(), 1, "{properties:?}");
        assert_eq!(
            properties.values().next().unwrap(),
            &json!({"status": {"name": "Overdue"}})
        );
        assert_eq!(patch.body.as_ref().unwrap().as_object().unwrap().len(), 1);
    }

    // Every request carries the token, the version, and a JSON content type with a body.
    for request in sandbox.requests() {
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            header("authorization"),
            Some(format!("Bearer {}", sandbox.token()))
        );
        assert_eq!(header("notion-version").as_deref(), Some("2025-09-03"));
        if request.body.is_some() {
            assert_eq!(header("content-type").as_deref(), Some("application/json"));
        }
    }

    // The filter is Notion's job: few queries, each with the status and date filter.
    let queries = requests(&sandbox, "POST");
    assert!(
        queries.len() <= expected.len() / 50 + 4,
        "{} queries",
        queries.len()
    );
    for query in &queries {
        let filter = query.body.as_ref().unwrap()["filter"].to_string();
        assert!(filter.contains(r#""equals":"To Do""#), "{filter}");
        assert!(filter.contains(r#""before":"2026-11-22""#), "{filter}");
    }

    // The JSON document.
    let doc = run.json();
    assert_eq!(doc["database_id"], spec.database_id());
    assert_eq!(doc["data_source_id"], spec.data_source_id());
    assert_eq!(doc["as_of"], AS_OF);
    assert_eq!(doc["dry_run"], false);
    assert_eq!(doc["from"], json!(["To Do"]));
    assert_eq!(doc["to"], "Overdue");
    assert_eq!(doc["matched"], expected.len());
    assert_eq!(doc["updated"], expected.len());
    assert_eq!(doc["failed"], 0);
    assert_eq!(ids_with(&doc, "updated"), expected);
    for task in doc["tasks"].as_array().unwrap() {
        assert!(task["due"].as_str().unwrap() < AS_OF);
        assert_eq!(task["status"], "To Do");
        assert_eq!(task["error"], Value::Null);
        assert!(task["url"]
            .as_str()
            .unwrap()
            .starts_with("https://www.notion.so/"));
        assert!(task["title"].is_string());
    }
    assert_eq!(
        doc["notification"],
        json!({"status": "sent", "error": null})
    );
    assert_eq!(doc["requests"]["sent"], sandbox.requests().len());
    assert_eq!(doc["requests"]["retried"], 0);
    assert_eq!(doc["exit_code"], 0);
    assert!(doc["elapsed_ms"].is_u64());

    // One Slack message: the database, the count, ten links, the rest counted.
    let messages = sandbox.sink_messages(SinkKind::Slack);
    assert_eq!(messages.len(), 1);
    let text = messages[0]["text"].as_str().unwrap();
    let n = expected.len();
    assert!(
        text.starts_with(&format!("Moved {n} overdue tasks in *Tasks* to *Overdue*")),
        "{text}"
    );
    assert_eq!(
        text.matches("\n• <https://www.notion.so/").count(),
        10,
        "{text}"
    );
    assert!(text.contains(&format!("…and {} more", n - 10)), "{text}");
    assert!(text.contains(", due 2026-"), "{text}");
}

#[test]
fn a_second_run_finds_nothing_and_stays_quiet() {
    let spec = GeneratedBoard::new(60, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox)).expect_code(0);
    let patches = requests(&sandbox, "PATCH").len();
    assert_eq!(patches, spec.overdue_count());

    let again = notion_sweep(&["sweep", &spec.database_id(), "-q"], &env_for(&sandbox));
    again.expect_code(0);
    assert_eq!(
        requests(&sandbox, "PATCH").len(),
        patches,
        "nothing written again"
    );
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "no message when nothing was overdue"
    );
    assert_eq!(again.stdout, "", "quiet when all is well");
    assert_eq!(again.stderr, "");

    let text = notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox));
    text.expect_code(0);
    assert!(
        text.stdout
            .contains("No overdue tasks in Tasks as of 2026-11-22."),
        "{}",
        text.stdout
    );
}

#[test]
fn pages_through_hundreds_of_overdue_tasks_while_moving_them() {
    // The sandbox's cursor is an offset into the current results: a sweeper
    // that follows it while its writes shrink the result set skips rows.
    let spec = GeneratedBoard {
        seed: 11,
        overdue_fraction: 0.75,
        ..GeneratedBoard::new(600, as_of())
    };
    let s = Served::new(spec, SandboxConfig::default());
    let run = s.sweep(&["--output", "json"]);
    run.expect_code(0);
    let doc = run.json();
    let (spec, sandbox, before) = (&s.spec, &s.sandbox, &s.before);
    assert_eq!(spec.overdue_count(), 450);
    assert_eq!(doc["updated"], 450);
    let moved = before
        .iter()
        .zip(sandbox.pages(&spec.data_source_id()))
        .filter(|(b, a)| text(b, "Status") == Some("To Do") && text(a, "Status") == Some("Overdue"))
        .count();
    assert_eq!(moved, 450, "every overdue task moved, none skipped");
    assert!(
        requests(sandbox, "POST").len() >= 5,
        "several pages were read"
    );
}

#[test]
fn goes_past_the_query_row_cap() {
    // A cap of 120 rows per query stands in for Notion's 10,000.
    let spec = GeneratedBoard {
        seed: 5,
        overdue_fraction: 0.8,
        ..GeneratedBoard::new(500, as_of())
    };
    let config = SandboxConfig {
        row_cap: 120,
        ..SandboxConfig::default()
    };
    let sandbox = serve(&spec, config);
    // A dry run writes nothing, so it must page past the cap on one query.
    let dry = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--dry-run",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    dry.expect_code(0);
    let doc = dry.json();
    assert_eq!(doc["matched"], 400);
    assert_eq!(ids_with(&doc, "would_update").len(), 400);
    assert!(requests(&sandbox, "PATCH").is_empty());

    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    assert_eq!(run.json()["updated"], 400);
}

#[test]
fn select_status_with_custom_names_and_two_open_states() {
    let spec = GeneratedBoard {
        title_property: "Task".into(),
        ..select_board(3, 200)
    };
    let sandbox = serve(&spec, SandboxConfig::default());
    let before = sandbox.pages(&spec.data_source_id());
    let expected = expected_overdue(
        &before,
        "Stage",
        "Deadline",
        &["Backlog", "Todo"],
        as_of(),
        Tz::UTC,
    );
    let from: BTreeSet<&str> = expected
        .iter()
        .map(|id| text(before.iter().find(|p| &p.id == id).unwrap(), "Stage").unwrap())
        .collect();
    assert_eq!(from.len(), 2, "both open states are overdue somewhere");

    let env = with(env_for(&sandbox), "SWEEP_FROM", "Backlog, Todo");
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--status-property",
            "Stage",
            "--date-property",
            "Deadline",
            "--to",
            "Late",
            "--output",
            "json",
        ],
        &env,
    );
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["from"], json!(["Backlog", "Todo"]));
    assert_eq!(ids_with(&doc, "updated"), expected);
    for patch in requests(&sandbox, "PATCH") {
        let properties = patch.body.unwrap()["properties"].clone();
        assert_eq!(
            properties.as_object().unwrap().values().next().unwrap(),
            &json!({"select": {"name": "Late"}})
        );
    }
    for (b, a) in before.iter().zip(sandbox.pages(&spec.data_source_id())) {
        let moved = text(b, "Stage") != text(&a, "Stage");
        assert_eq!(moved, expected.contains(&b.id), "{}", b.id);
        if moved {
            assert_eq!(text(&a, "Stage"), Some("Late"));
        }
    }
}

#[test]
fn datetimes_are_read_as_calendar_dates_in_the_zone() {
    let spec = GeneratedBoard {
        overdue_fraction: 0.0,
        no_date_fraction: 0.0,
        ..GeneratedBoard::new(20, as_of())
    };
    let sandbox = serve(&spec, SandboxConfig::default());
    let open: Vec<String> = sandbox
        .pages(&spec.data_source_id())
        .iter()
        .filter(|p| text(p, "Status") == Some("To Do"))
        .map(|p| p.id.clone())
        .take(3)
        .collect();
    assert_eq!(open.len(), 3);
    let due = |id: &str, start: &str| {
        sandbox.set_property(id, "Due Date", PropertyValue::date(start));
    };
    // 23:30 on the 21st in Los Angeles: already the 22nd in UTC.
    due(&open[0], "2026-11-21T23:30:00.000-08:00");
    // 01:00 on the 22nd in Tokyo: still the 21st in UTC and in Los Angeles.
    due(&open[1], "2026-11-22T01:00:00.000+09:00");
    // Due on the day itself: never overdue.
    due(&open[2], "2026-11-22");

    let tokyo = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--tz",
            "Asia/Tokyo",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    tokyo.expect_code(0);
    assert_eq!(tokyo.json()["matched"], 0, "both are the 22nd in Tokyo");

    let los_angeles = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--tz",
            "America/Los_Angeles",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    los_angeles.expect_code(0);
    let doc = los_angeles.json();
    assert_eq!(
        ids_with(&doc, "updated"),
        open[..2].iter().cloned().collect()
    );
    assert!(doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["due"] == "2026-11-21"));
    assert_eq!(
        text(&sandbox.page(&open[2]).unwrap(), "Status"),
        Some("To Do")
    );
}

#[test]
fn dry_run_writes_nothing_and_posts_nothing() {
    let spec = GeneratedBoard::new(80, as_of());
    let Served {
        spec,
        sandbox,
        before,
        expected,
    } = Served::new(spec, SandboxConfig::default());
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--dry-run",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(
        ids_with(&doc, "would_update"),
        expected,
        "the exact tasks, not a count"
    );
    assert_eq!(doc["updated"], 0);
    assert_eq!(doc["notification"]["status"], "skipped");
    assert!(requests(&sandbox, "PATCH").is_empty());
    assert!(sandbox.sink_messages(SinkKind::Slack).is_empty());
    assert_eq!(sandbox.pages(&spec.data_source_id()), before);

    let text = notion_sweep(
        &["sweep", &spec.database_id(), "--dry-run"],
        &env_for(&sandbox),
    );
    text.expect_code(0);
    assert!(text.stdout.contains("would update"), "{}", text.stdout);
    assert!(text.stdout.contains("Dry run:"), "{}", text.stdout);
}

#[test]
fn limit_stops_at_n_and_the_next_run_finishes() {
    let spec = GeneratedBoard::new(100, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let total = spec.overdue_count();
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--limit",
            "5",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["updated"], 5);
    assert_eq!(requests(&sandbox, "PATCH").len(), 5);
    assert!(
        !ids_with(&doc, "skipped").is_empty(),
        "tasks over the limit are listed"
    );

    let rest = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    rest.expect_code(0);
    assert_eq!(rest.json()["updated"], total - 5);
    assert_eq!(requests(&sandbox, "PATCH").len(), total);
}

#[test]
fn markdown_output_is_a_table() {
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--output",
            "markdown",
            "--no-notify",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("| Task | Due | Days overdue | Outcome |"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("| updated |").count(),
        spec.overdue_count(),
        "{}",
        run.stdout
    );
    assert!(
        sandbox.sink_messages(SinkKind::Slack).is_empty(),
        "--no-notify"
    );
}

#[test]
fn a_data_source_id_skips_the_database_and_titles_are_escaped_for_slack() {
    let spec = GeneratedBoard::new(40, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let expected = overdue(&sandbox, &spec);
    let first = expected.iter().next().unwrap();
    sandbox.set_property(
        first,
        "Name",
        PropertyValue::text("Fix <script> & \"login\" > now"),
    );
    let run = notion_sweep(
        &[
            "sweep",
            "--data-source",
            &spec.data_source_id(),
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(
        doc["database_id"],
        spec.database_id(),
        "from the data source's parent"
    );
    assert!(
        sandbox
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/v1/databases")),
        "no database lookup"
    );
    let text = sandbox.sink_messages(SinkKind::Slack)[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("in *Tasks*"),
        "the data source's title names it: {text}"
    );
    assert!(
        text.contains("|Fix &lt;script&gt; &amp; \"login\" &gt; now>"),
        "{text}"
    );
    assert!(!text.contains("<script>"), "{text}");
}

/// A sweep of a board of `tasks` under way and holding its lock: slow
/// enough (answers in 150 ms, 5 requests a second) to still run while
/// others start, and past its first write.
fn a_sweep_under_way(tasks: usize) -> (GeneratedBoard, Sandbox, std::process::Child) {
    let spec = GeneratedBoard::new(tasks, as_of());
    let sandbox = serve(&spec, latency(150));
    let first = start(
        &["sweep", &spec.database_id()],
        &with(env_for(&sandbox), "NOTION_RATE", "5"),
    );
    wait_until(
        std::time::Duration::from_secs(20),
        "the first run to write",
        || !requests(&sandbox, "PATCH").is_empty(),
    );
    (spec, sandbox, first)
}

/// Two sweeps of one data source never run at once: the second exits 6,
/// names the data source and the holder's PID, and writes nothing.
#[test]
fn an_overlapping_run_is_locked_out_with_exit_6() {
    let (spec, sandbox, first) = a_sweep_under_way(40);
    let env = env_for(&sandbox);
    // A dry run takes no lock: it may look while the first run writes.
    notion_sweep(&["sweep", &spec.database_id(), "--dry-run"], &env).expect_code(0);
    let second = notion_sweep(&["sweep", &spec.database_id(), "--output", "json"], &env);
    second.expect_code(6);
    let message = second.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains(&spec.data_source_id()), "{message}");
    assert!(
        message.contains(&format!("PID {}", first.id())),
        "{message}"
    );
    assert_eq!(second.json()["exit_code"], 6);
    finish(first).expect_code(0);
    assert_eq!(
        requests(&sandbox, "PATCH").len(),
        spec.overdue_count(),
        "every task written once, by the first run only"
    );
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "one summary"
    );
    // The lock died with the first run.
    notion_sweep(&["sweep", &spec.database_id()], &env).expect_code(0);
}

/// Without a terminal (cron, CI) a plain progress line comes every ten
/// seconds from the start, with counts, pace and time; with -q nothing.
#[test]
fn progress_lines_come_every_ten_seconds_without_a_terminal() {
    // 30 overdue tasks at 2 requests a second: well past ten seconds.
    let spec = GeneratedBoard::new(100, as_of());
    let loud_box = serve(&spec, latency(200));
    let quiet_box = serve(&spec, latency(200));
    let paced = |sandbox: &Sandbox| with(env_for(sandbox), "NOTION_RATE", "2");
    let quiet = start(&["sweep", &spec.database_id(), "-q"], &paced(&quiet_box));
    let loud = notion_sweep(&["sweep", &spec.database_id()], &paced(&loud_box));
    let quiet = finish(quiet);
    loud.expect_code(0);
    quiet.expect_code(0);
    let lines: Vec<&str> = loud
        .stderr
        .lines()
        .filter(|l| l.contains("overdue found"))
        .collect();
    assert!(!lines.is_empty(), "a progress line: {}", loud.stderr);
    let first = lines[0];
    assert!(
        first.contains("updated") && first.contains("failed"),
        "{first}"
    );
    assert!(
        first.contains("tasks/s") && first.contains("10s"),
        "{first}"
    );
    assert!(first.starts_with("20"), "timestamped: {first}");
    assert_eq!(quiet.stderr, "", "-q: nothing on stderr");
}

/// On a terminal the progress line moves with every task and is cleared at the end.
#[test]
fn progress_moves_with_every_task_on_a_terminal() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("no `script` to give the run a terminal; checked without one above");
        return;
    }
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = serve(&spec, latency(100));
    let env = with(env_for(&sandbox), "NOTION_RATE", "20");
    let command = format!(
        "{} sweep {} 2>&1 >/dev/null",
        env!("CARGO_BIN_EXE_notion-sweep"),
        spec.database_id()
    );
    let run = finish(
        std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    run.expect_code(0);
    let redraws = run.stdout.matches('\r').count();
    assert!(redraws >= 5, "redrawn as tasks move: {:?}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("{} overdue found", spec.overdue_count())),
        "{:?}",
        run.stdout
    );
}

/// With --lock-wait, the second sweep waits for the first, then finds
/// nothing left to do: no task is written twice.
#[test]
fn lock_wait_waits_for_the_other_sweep_then_goes_on() {
    let (spec, sandbox, first) = a_sweep_under_way(30);
    let env = env_for(&sandbox);
    let second = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--lock-wait",
            "60",
            "--output",
            "json",
        ],
        &env,
    );
    finish(first).expect_code(0);
    second.expect_code(0);
    assert_eq!(second.json()["matched"], 0, "the first run had done it all");
    assert_eq!(requests(&sandbox, "PATCH").len(), spec.overdue_count());
}

/// A lock dies with its process: after a sweep is killed (SIGKILL, no
/// chance to clean up), the next one runs and finishes the job.
#[test]
fn no_stale_lock_after_a_killed_sweep() {
    let (spec, sandbox, mut first) = a_sweep_under_way(30);
    first.kill().unwrap();
    first.wait().unwrap();
    let next = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    next.expect_code(0);
    assert!(
        next.json()["updated"].as_u64().unwrap() > 0,
        "it was not locked out"
    );
    let after = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--dry-run",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    assert_eq!(after.json()["matched"], 0, "the job is finished");
}
