//! Rails: `--max-changes` stops a run that would change too much before
//! its first write, and says so.

use notion_sandbox::{GeneratedBoard, SandboxConfig, SinkKind};

use crate::support::*;

/// A board with a few hundred overdue tasks, so counting takes several
/// pages.
fn served() -> Served {
    let spec = GeneratedBoard {
        overdue_fraction: 0.5,
        ..GeneratedBoard::new(500, as_of())
    };
    Served::new(spec, SandboxConfig::default())
}

/// The queries sent to the data source.
fn queries(served: &Served) -> usize {
    requests(&served.sandbox, "POST")
        .iter()
        .filter(|r| r.path.ends_with("/query"))
        .count()
}

#[test]
fn over_the_cap_nothing_is_written_nor_posted_and_the_message_says_how_many() {
    let served = served();
    let n = served.expected.len();
    assert!(n > 200, "the board has {n} overdue tasks");
    let max = (n - 1).to_string();
    let run = served.sweep(&["--max-changes", &max]);
    run.expect_code(3);
    assert!(served.patched().is_empty(), "nothing written");
    assert!(
        served.sandbox.sink_messages(SinkKind::Slack).is_empty(),
        "nothing posted"
    );
    assert!(
        run.stderr.contains(&format!("would change {n} tasks"))
            && run.stderr.contains(&format!("more than the {max}"))
            && run.stderr.contains("--max-changes"),
        "{}",
        run.stderr
    );
    // Counting costs one query per hundred tasks, and no more.
    assert_eq!(queries(&served), n.div_ceil(100), "{}", run.stderr);
}

#[test]
fn exactly_at_the_cap_the_run_goes_on() {
    let served = served();
    let n = served.expected.len();
    let run = served.sweep(&["--max-changes", &n.to_string(), "--output", "json"]);
    run.expect_code(0);
    assert_eq!(served.moved(), served.expected);
    assert_eq!(run.json()["updated"], n);
    assert_eq!(served.sandbox.sink_messages(SinkKind::Slack).len(), 1);
    // Counting, then the run itself: twice the pages, no more.
    assert!(queries(&served) <= 2 * n.div_ceil(100) + 1);
}

#[test]
fn the_cap_counts_within_the_limit() {
    let served = served();
    let run = served.sweep(&["--max-changes", "20", "--limit", "20"]);
    run.expect_code(0);
    assert_eq!(served.moved().len(), 20);
}

#[test]
fn a_dry_run_reports_the_count_and_says_the_run_would_stop() {
    let served = served();
    let n = served.expected.len();
    let run = served.sweep(&["--max-changes", "10", "--dry-run", "--output", "json"]);
    run.expect_code(3);
    assert!(served.patched().is_empty());
    let doc = run.json();
    let error = doc["error"]["message"].as_str().unwrap_or_default();
    assert!(
        error.contains("a real run would stop") && error.contains(&format!("{n} tasks")),
        "{doc:#}"
    );
    // It still shows every task the run would have moved.
    assert_eq!(ids_with(&doc, "would_update"), served.expected);
}

#[test]
fn the_cap_comes_from_the_variable_and_the_settings_file_too() {
    let served = served();
    let env = with(served.env(), "SWEEP_MAX_CHANGES", "5");
    let database = served.spec.database_id();
    let run = notion_sweep(&["sweep", &database], &env);
    run.expect_code(3);
    assert!(run.stderr.contains("SWEEP_MAX_CHANGES"), "{}", run.stderr);

    let path = std::env::temp_dir().join(format!(
        "notion-sweep-rails-{}-{}.toml",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(
        &path,
        format!("max_changes = 5\n\n[[board]]\nname = \"Tasks\"\ndatabase = \"{database}\"\n"),
    )
    .unwrap();
    let run = notion_sweep(
        &["sweep", "--config", path.to_str().unwrap()],
        &served.env(),
    );
    run.expect_code(3);
    assert!(run.stderr.contains("max_changes"), "{}", run.stderr);
    assert!(served.patched().is_empty());
}

#[test]
fn a_cap_that_is_not_a_number_is_a_usage_error() {
    let served = served();
    let run = served.sweep(&["--max-changes", "many"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--max-changes"), "{}", run.stderr);
    assert!(served.sandbox.requests().is_empty());
}
