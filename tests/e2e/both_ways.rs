//! The rule both ways: tasks moved back out of the late state when their
//! due date moved on, tasks due soon listed, and exempt and snoozed tasks
//! left alone, all asked of Notion by its filter.

use chrono::Days;
use notion_sandbox::{
    Board, GeneratedBoard, PageState, PropertyKind, PropertySchema, PropertyValue, Sandbox,
    SandboxConfig, SinkKind,
};

use crate::support::*;

/// One task of the test board: its name, status, due date (days from the
/// as-of day), and the values that may leave it alone.
struct Task {
    name: &'static str,
    status: &'static str,
    due: Option<i64>,
    priority: &'static str,
    on_hold: bool,
    snoozed: Option<i64>,
}

const fn task(name: &'static str, status: &'static str, due: Option<i64>) -> Task {
    Task {
        name,
        status,
        due,
        priority: "Low",
        on_hold: false,
        snoozed: None,
    }
}

/// Every case: moved, restored, left in the late state, due soon, exempt, snoozed.
fn tasks() -> Vec<Task> {
    vec![
        task("Overdue and open", "To Do", Some(-3)),
        task("Rescheduled to next week", "Overdue", Some(5)),
        task("Rescheduled to today", "Overdue", Some(0)),
        task("Still late", "Overdue", Some(-1)),
        task("Late without a date", "Overdue", None),
        task("Due tomorrow", "To Do", Some(1)),
        task("Due in a week", "To Do", Some(7)),
        Task {
            priority: "High",
            ..task("High priority, overdue", "To Do", Some(-2))
        },
        Task {
            on_hold: true,
            ..task("On hold, overdue", "To Do", Some(-2))
        },
        Task {
            snoozed: Some(3),
            ..task("Snoozed, overdue", "To Do", Some(-2))
        },
        Task {
            snoozed: Some(-1),
            ..task("Snooze over, overdue", "To Do", Some(-4))
        },
        Task {
            priority: "High",
            ..task("High priority, rescheduled", "Overdue", Some(2))
        },
    ]
}

fn day(offset: i64) -> String {
    let as_of = as_of();
    let d = if offset >= 0 {
        as_of.checked_add_days(Days::new(offset as u64))
    } else {
        as_of.checked_sub_days(Days::new((-offset) as u64))
    };
    d.unwrap().to_string()
}

/// The board, its database id and data source id.
fn board() -> (Sandbox, String, String) {
    let spec = GeneratedBoard::new(0, as_of());
    let mut board = Board::generated(&spec);
    let source = &mut board.databases[0].data_sources[0];
    source
        .properties
        .push(PropertySchema::new("On hold", PropertyKind::Checkbox));
    source
        .properties
        .push(PropertySchema::new("Snoozed until", PropertyKind::Date));
    for (n, task) in tasks().into_iter().enumerate() {
        let mut page = PageState::new(
            format!("{:08x}-1111-4222-8333-444455556666", n + 1),
            chrono::Utc::now(),
        );
        let mut set = |name: &str, value: PropertyValue| {
            page.properties.insert(name.to_string(), value);
        };
        set("Name", PropertyValue::text(task.name));
        set("Status", PropertyValue::option(task.status));
        set("Priority", PropertyValue::option(task.priority));
        set("On hold", PropertyValue::Checkbox(task.on_hold));
        if let Some(due) = task.due {
            set("Due Date", PropertyValue::date(day(due)));
        }
        if let Some(until) = task.snoozed {
            set("Snoozed until", PropertyValue::date(day(until)));
        }
        source.pages.push(page);
    }
    let sandbox = Sandbox::spawn(board, SandboxConfig::default()).unwrap();
    (sandbox, spec.database_id(), spec.data_source_id())
}

/// Every status now, by title.
fn statuses(sandbox: &Sandbox, source: &str) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = sandbox
        .pages(source)
        .iter()
        .map(|p| {
            (
                text(p, "Name").unwrap().to_string(),
                text(p, "Status").unwrap().to_string(),
            )
        })
        .collect();
    all.sort();
    all
}

const EXEMPT: [&str; 6] = [
    "--exempt",
    "Priority=High",
    "--exempt",
    "On hold=true",
    "--snooze-property",
    "Snoozed until",
];

#[test]
fn a_sweep_both_ways_moves_restores_lists_and_leaves_alone() {
    let (sandbox, db, source) = board();
    let env = env_for(&sandbox);
    let mut args = vec![
        "sweep",
        db.as_str(),
        "--restore",
        "--due-soon",
        "3",
        "--output",
        "json",
    ];
    args.extend(EXEMPT);
    // A dry run first: it says all and writes nothing.
    let before = statuses(&sandbox, &source);
    let mut dry = args.clone();
    dry.push("--dry-run");
    let run = notion_sweep(&dry, &env);
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(
        titled(&doc, "would_update"),
        ["Overdue and open", "Snooze over, overdue"]
    );
    assert_eq!(
        titled(&doc, "would_restore"),
        ["Rescheduled to next week", "Rescheduled to today"]
    );
    assert_eq!(titled(&doc, "due_soon"), ["Due tomorrow"]);
    assert!(
        requests(&sandbox, "PATCH").is_empty(),
        "a dry run writes nothing"
    );
    assert_eq!(statuses(&sandbox, &source), before);

    let run = notion_sweep(&args, &env);
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(
        titled(&doc, "updated"),
        ["Overdue and open", "Snooze over, overdue"]
    );
    assert_eq!(
        titled(&doc, "restored"),
        ["Rescheduled to next week", "Rescheduled to today"]
    );
    assert_eq!(
        (
            doc["updated"].as_u64(),
            doc["restored"].as_u64(),
            doc["due_soon"].as_u64()
        ),
        (Some(2), Some(2), Some(1))
    );
    assert_eq!(doc["restore_to"], "To Do");
    assert_eq!(doc["status_property"], "Status");
    for task in doc["tasks"].as_array().unwrap() {
        let was = if task["outcome"] == "restored" {
            "Overdue"
        } else {
            "To Do"
        };
        assert_eq!(task["status"], was, "the status before the run: {task}");
    }
    let now: std::collections::BTreeMap<_, _> = statuses(&sandbox, &source).into_iter().collect();
    assert_eq!(now["Rescheduled to next week"], "To Do");
    assert_eq!(now["Still late"], "Overdue");
    assert_eq!(now["Late without a date"], "Overdue");
    assert_eq!(
        now["High priority, rescheduled"], "Overdue",
        "exempt both ways"
    );
    for left in [
        "High priority, overdue",
        "On hold, overdue",
        "Snoozed, overdue",
        "Due tomorrow",
    ] {
        assert_eq!(now[left], "To Do", "{left}");
    }
    assert_eq!(
        requests(&sandbox, "PATCH").len(),
        4,
        "only the moves and restores were written"
    );
    // Exempt and snoozed tasks never came back from Notion: the filter left them out.
    let queries: Vec<String> = sandbox
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/query"))
        .map(|r| r.body.as_ref().unwrap()["filter"].to_string())
        .collect();
    assert!(!queries.is_empty());
    for filter in &queries {
        for condition in [
            r#"{"does_not_equal":"High"}"#,
            r#""checkbox":{"equals":false}"#,
            r#""date":{"is_empty":true}"#,
        ] {
            assert!(filter.contains(condition), "{condition} not in {filter}");
        }
    }
    let slack = sandbox.sink_messages(SinkKind::Slack);
    let text = slack.last().unwrap()["text"].as_str().unwrap().to_string();
    assert!(text.contains("2 restored: due date moved on"), "{text}");
    assert!(text.contains("Due soon"), "{text}");
    // A second run has nothing left to move or restore.
    let again = notion_sweep(&args, &env);
    again.expect_code(0);
    assert_eq!(
        (
            again.json()["updated"].as_u64(),
            again.json()["restored"].as_u64()
        ),
        (Some(0), Some(0))
    );
}

#[test]
fn without_restore_nothing_in_the_late_state_is_read() {
    let (sandbox, db, _) = board();
    notion_sweep(&["sweep", &db], &env_for(&sandbox)).expect_code(0);
    for query in sandbox
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/query"))
    {
        let body = format!("{:?}", query.body);
        assert!(
            !body.contains("Overdue"),
            "the late state was asked for: {body}"
        );
    }
}

#[test]
fn a_run_with_only_restores_or_only_tasks_due_soon_posts() {
    let (sandbox, db, _) = board();
    let env = env_for(&sandbox);
    let restores_only = [
        "sweep",
        db.as_str(),
        "--restore",
        "--from",
        "Done",
        "--restore-to",
        "To Do",
    ];
    notion_sweep(&restores_only, &env).expect_code(0);
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "restores alone post"
    );
    let (sandbox, db, _) = board();
    let env = env_for(&sandbox);
    // As of five days earlier nothing open is overdue yet (the rest is
    // exempt or snoozed), and one task is due within three days.
    let mut args = vec![
        "sweep",
        db.as_str(),
        "--due-soon",
        "3",
        "--as-of",
        "2026-11-17",
        "--output",
        "json",
    ];
    args.extend(EXEMPT);
    let run = notion_sweep(&args, &env);
    run.expect_code(0);
    assert_eq!(titled(&run.json(), "due_soon"), ["Overdue and open"]);
    assert!(requests(&sandbox, "PATCH").is_empty());
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "due soon alone posts"
    );
}

#[test]
fn bad_settings_are_named_with_what_to_do() {
    let (sandbox, db, _) = board();
    let env = env_for(&sandbox);
    let cases: [(&[&str], i32, &str); 7] = [
        (
            &["--restore", "--restore-to", "Overdue"],
            2,
            "is the late state itself",
        ),
        (
            &["--restore", "--restore-to", "to do"],
            3,
            "has no option 'to do' (given by --restore-to) (did you mean 'To Do'?)",
        ),
        (&["--due-soon", "0"], 2, "from 1 to 365"),
        (&["--due-soon", "366"], 2, "from 1 to 365"),
        (
            &["--exempt", "Priorty=High"],
            3,
            "no property 'Priorty' (given by --exempt) (did you mean 'Priority'?)",
        ),
        (
            &["--exempt", "Priority=Urgent"],
            3,
            "has no option 'Urgent'",
        ),
        (
            &["--snooze-property", "Due Date2"],
            3,
            "no property 'Due Date2'",
        ),
    ];
    for (extra, code, says) in cases {
        let mut args = vec!["sweep", db.as_str()];
        args.extend(extra);
        let run = notion_sweep(&args, &env);
        run.expect_code(code);
        assert!(run.stderr.contains(says), "{extra:?}: {}", run.stderr);
    }
    let run = notion_sweep(&["check", &db, "--snooze-property", "Priority"], &env);
    run.expect_code(3);
    assert!(
        run.stderr
            .contains("the snooze property must be of type date"),
        "{}",
        run.stderr
    );
    assert!(requests(&sandbox, "PATCH").is_empty());
}
