//! `--config boards.toml`: several boards in one run, under one token or
//! several, with output per board and the worst exit code.

use std::time::Duration;

use notion_sandbox::{Board, GeneratedBoard, RateLimit, Sandbox, SandboxConfig};
use serde_json::Value;

use crate::support::*;

/// Two boards in one workspace (one token), and a second workspace.
struct Workspaces {
    eng: GeneratedBoard,
    ops: GeneratedBoard,
    support: GeneratedBoard,
    first: Sandbox,
    second: Sandbox,
}

fn spec(seed: u64, tasks: usize) -> GeneratedBoard {
    GeneratedBoard {
        seed,
        ..GeneratedBoard::new(tasks, as_of())
    }
}

fn workspaces(rate_limit: Option<RateLimit>) -> Workspaces {
    let (eng, ops, support) = (spec(11, 40), spec(12, 40), spec(13, 30));
    let mut board = Board::generated(&eng);
    board.databases.extend(Board::generated(&ops).databases);
    let first = Sandbox::spawn(
        board,
        SandboxConfig {
            rate_limit,
            latency: Duration::from_millis(20),
            ..SandboxConfig::default()
        },
    )
    .unwrap();
    let second = Sandbox::spawn(
        Board::generated(&support),
        SandboxConfig {
            token: "ntn_second_workspace".into(),
            ..SandboxConfig::default()
        },
    )
    .unwrap();
    Workspaces {
        eng,
        ops,
        support,
        first,
        second,
    }
}

fn write_config(text: &str) -> String {
    let path = std::env::temp_dir().join(format!(
        "notion-sweep-boards-{}-{}.toml",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The file of the README's example, for these workspaces.
fn config(w: &Workspaces, third_database: &str) -> String {
    write_config(&format!(
        r#"# defaults for every board
rate = 4
tz = "UTC"
as_of = "{AS_OF}"
api_url = "{first}"

[[board]]
name = "Engineering"
database = "{eng}"

[[board]]
name = "Operations"
database = "{ops}"

[[board]]
name = "Support"
database = "{third_database}"
api_url = "{second}"
token_env = "SUPPORT_NOTION_TOKEN"
rate = 10
"#,
        first = w.first.url(),
        second = w.second.url(),
        eng = w.eng.database_id(),
        ops = w.ops.database_id(),
    ))
}

fn env(w: &Workspaces) -> Vec<(String, String)> {
    vec![
        ("NOTION_TOKEN".into(), w.first.token()),
        ("SUPPORT_NOTION_TOKEN".into(), w.second.token()),
        ("NOTION_SWEEP_LOCK_DIR".into(), lock_dir(&w.first)),
    ]
}

#[test]
fn three_boards_two_tokens_one_not_shared_is_exit_3_and_the_others_are_swept() {
    // The first workspace enforces 4 requests a second, burst 1: the two
    // boards under its token must stay under it together.
    let w = workspaces(Some(RateLimit {
        per_second: 4.5,
        burst: 2,
    }));
    let missing = "0123456789abcdef0123456789abcdef";
    let path = config(&w, missing);
    let run = notion_sweep(&["sweep", "--config", &path, "--output", "json"], &env(&w));
    run.expect_code(3);
    let doc = run.json();
    assert_eq!(doc["exit_code"], 3);
    let boards = doc["boards"].as_array().unwrap();
    assert_eq!(boards.len(), 3, "a document per board");
    let by_name = |name: &str| boards.iter().find(|b| b["name"] == name).unwrap();
    assert_eq!(by_name("Engineering")["updated"], w.eng.overdue_count());
    assert_eq!(by_name("Operations")["updated"], w.ops.overdue_count());
    let support = by_name("Support");
    assert_eq!(support["exit_code"], 3);
    assert_eq!(support["matched"], 0);
    assert_eq!(support["error"]["kind"], "setup");
    for key in ["database_id", "as_of", "tasks", "requests", "notification"] {
        assert!(
            support.get(key).is_some(),
            "the failed board's document has {key}"
        );
    }
    let limited = w
        .first
        .requests()
        .iter()
        .filter(|r| r.status == 429)
        .count();
    assert_eq!(
        limited, 0,
        "the two boards under one token stayed under --rate together"
    );
    assert!(
        !w.second.requests().is_empty(),
        "the second workspace was asked with its own token"
    );
    assert!(!run.stdout.contains(&w.second.token()) && !run.stderr.contains(&w.second.token()));
    assert!(
        run.stderr.contains("Support"),
        "the error names its board: {}",
        run.stderr
    );
}

#[test]
fn boards_under_different_tokens_run_side_by_side() {
    let w = workspaces(None);
    let path = config(&w, &w.support.database_id());
    let run = notion_sweep(&["sweep", "--config", &path], &env(&w));
    run.expect_code(0);
    for name in ["== Engineering", "== Operations", "== Support"] {
        assert!(
            run.stdout.contains(name),
            "a section per board: {}",
            run.stdout
        );
    }
    let total = w.eng.overdue_count() + w.ops.overdue_count() + w.support.overdue_count();
    assert!(
        run.stdout.contains(&format!(
            "3 boards: {total} overdue tasks found, {total} moved"
        )),
        "{}",
        run.stdout
    );
    // The second workspace's sweep overlapped the first's.
    let span = |s: &Sandbox| {
        let r = s.requests();
        (r.first().unwrap().at, r.last().unwrap().at)
    };
    let (first, second) = (span(&w.first), span(&w.second));
    assert!(
        second.0 < first.1 && first.0 < second.1,
        "they ran at the same time"
    );
}

#[test]
fn board_picks_and_flags_win_over_the_file() {
    let w = workspaces(None);
    let path = config(&w, &w.support.database_id());
    let run = notion_sweep(
        &[
            "sweep",
            "--config",
            &path,
            "--board",
            "Operations",
            "--dry-run",
            "--output",
            "json",
        ],
        &env(&w),
    );
    run.expect_code(0);
    let boards = run.json()["boards"].as_array().unwrap().clone();
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0]["name"], "Operations");
    assert_eq!(boards[0]["dry_run"], true);
    assert!(w.second.requests().is_empty(), "only the board picked");
    // A variable wins over the file, too.
    let env = with(env(&w), "SWEEP_TO", "Nowhere");
    let run = notion_sweep(&["check", "--config", &path, "--output", "json"], &env);
    run.expect_code(3);
    let doc: Value = run.json();
    assert_eq!(
        doc["boards"].as_array().unwrap().len(),
        3,
        "check covers every board"
    );
    assert!(run.stderr.contains("Nowhere"), "{}", run.stderr);
    let schema = notion_sweep(&["schema", "--config", &path], &env);
    schema.expect_code(0);
    assert_eq!(schema.stdout.matches("== ").count(), 3);
}

#[test]
fn a_bad_file_is_a_usage_error_before_anything_is_sent() {
    let w = workspaces(None);
    let cases = [
        (
            "[[board]]\nname = 'A'\ndatabase = 'x'\nrtae = 3\n",
            "unknown key 'rtae'",
        ),
        (
            "[[board]]\nname = 'A'\ndatabase = 'x'\n[[board]]\nname = 'A'\ndatabase = 'y'\n",
            "two boards are named 'A'",
        ),
        (
            "[[board]]\nname = 'A'\ndatabase = 'x'\ntoken_env = 'NOPE_TOKEN'\n",
            "NOPE_TOKEN",
        ),
        (
            "[[board]]\nname = 'A'\ndatabase = 'x'\nrate = 0\n",
            "board 'A'",
        ),
    ];
    for (text, says) in cases {
        let path = write_config(text);
        let run = notion_sweep(&["sweep", "--config", &path], &env(&w));
        run.expect_code(2);
        assert!(run.stderr.contains(says), "{says}: {}", run.stderr);
    }
    let path = config(&w, &w.support.database_id());
    let run = notion_sweep(&["sweep", "--config", &path, "--board", "Nobody"], &env(&w));
    run.expect_code(2);
    assert!(
        run.stderr.contains("Engineering"),
        "names the boards: {}",
        run.stderr
    );
    assert!(w.first.requests().is_empty() && w.second.requests().is_empty());
}

/// Notification targets add up: a board's own `notify` (or the file's),
/// plus every target given by --notify, SWEEP_NOTIFY or SLACK_WEBHOOK_URL.
#[test]
fn notification_targets_add_up_and_stay_secret() {
    use notion_sandbox::SinkKind;
    let w = workspaces(None);
    let path = write_config(&format!(
        r#"tz = "UTC"
as_of = "{AS_OF}"
api_url = "{first}"
notify = ["slack+${{ENG_HOOK}}"]

[[board]]
name = "Engineering"
database = "{eng}"

[[board]]
name = "Operations"
database = "{ops}"
notify = ["discord+${{OPS_HOOK}}"]
"#,
        first = w.first.url(),
        eng = w.eng.database_id(),
        ops = w.ops.database_id(),
    ));
    let env = [
        env(&w),
        vec![
            ("ENG_HOOK".into(), w.first.sink_url(SinkKind::Slack)),
            ("OPS_HOOK".into(), w.first.sink_url(SinkKind::Discord)),
            (
                "SWEEP_NOTIFY".into(),
                format!("json+{}", w.first.sink_url(SinkKind::Json)),
            ),
        ],
    ]
    .concat();
    let run = notion_sweep(
        &["sweep", "--config", &path, "--output", "json", "-vv"],
        &env,
    );
    run.expect_code(0);
    assert_eq!(
        w.first.sink_messages(SinkKind::Slack).len(),
        1,
        "Engineering's own"
    );
    assert_eq!(
        w.first.sink_messages(SinkKind::Discord).len(),
        1,
        "Operations' own"
    );
    assert_eq!(
        w.first.sink_messages(SinkKind::Json).len(),
        2,
        "SWEEP_NOTIFY's, for both boards"
    );
    for kind in [SinkKind::Slack, SinkKind::Discord, SinkKind::Json] {
        let url = w.first.sink_url(kind);
        assert!(
            !run.stdout.contains(&url) && !run.stderr.contains(&url),
            "{kind:?} URL leaked"
        );
    }
}
