//! A bad day at Notion: faults, rate limits, refusals, interruptions. Each
//! test checks Notion's final state, the request log and the exit code.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use notion_sandbox::{
    Board, FaultConfig, FaultKind, GeneratedBoard, PageState, PropertyValue, Sandbox,
    SandboxConfig, SinkKind, SinkReply,
};

use crate::common::*;

/// Pages whose status differs between two snapshots.
fn changed(before: &[PageState], after: &[PageState]) -> BTreeSet<String> {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| text(b, "Status") != text(a, "Status"))
        .map(|(b, _)| b.id.clone())
        .collect()
}

fn patched_pages(sandbox: &Sandbox) -> BTreeSet<String> {
    requests(sandbox, "PATCH").iter().map(patched_id).collect()
}

/// One row of the fault table (`cargo test --test e2e faults -- --nocapture`).
fn table_row(fault: &str, rate: &str, expected: usize, run: &Run) {
    let doc = run.json();
    eprintln!(
        "| {fault} | {rate} | {expected} | {} | {} | {} | {} |",
        doc["updated"], doc["requests"]["sent"], doc["requests"]["retried"], run.code
    );
}

#[test]
fn random_5xx_html_502_and_dropped_connections_lose_nothing() {
    let spec = GeneratedBoard {
        seed: 21,
        ..GeneratedBoard::new(400, as_of())
    };
    let faults = FaultConfig::default()
        .with_random(FaultKind::InternalServerError, 0.05)
        .with_random(FaultKind::BadGateway, 0.05)
        .with_random(FaultKind::ServiceUnavailable, 0.03)
        .with_random(FaultKind::GatewayTimeout, 0.02)
        .with_random(FaultKind::Conflict, 0.02)
        .with_random(FaultKind::DropConnection, 0.03);
    let config = SandboxConfig {
        seed: 99,
        faults,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let before = sandbox.pages(&spec.data_source_id());
    let expected = overdue(&sandbox, &spec);
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--max-retries",
            "10",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    table_row(
        "500/502 HTML/503/504/409/dropped",
        "20% of requests",
        expected.len(),
        &run,
    );
    let doc = run.json();
    let after = sandbox.pages(&spec.data_source_id());
    assert_eq!(
        changed(&before, &after),
        expected,
        "all overdue moved, nothing else"
    );
    assert!(
        patched_pages(&sandbox).is_subset(&expected),
        "no wrong page touched"
    );
    let log = sandbox.requests();
    let faulty = log
        .iter()
        .filter(|r| r.status == 0 || r.status >= 409)
        .count();
    assert!(
        faulty * 100 >= log.len() * 12,
        "about 20% faults: {faulty} of {}",
        log.len()
    );
    assert_eq!(doc["requests"]["sent"], log.len());
    assert_eq!(doc["requests"]["retried"], faulty);
    assert_eq!(doc["updated"], expected.len());
}

#[test]
fn hangs_are_cut_by_the_timeout_and_retried() {
    let spec = GeneratedBoard::new(30, as_of());
    let config = SandboxConfig {
        faults: FaultConfig::default().with_scripted(FaultKind::Hang, 2),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let expected = overdue(&sandbox, &spec);
    let started = Instant::now();
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--timeout",
            "1",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    table_row(
        "hang (timeout 1 s)",
        "first 2 requests",
        expected.len(),
        &run,
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let doc = run.json();
    assert_eq!(doc["requests"]["retried"], 2);
    assert_eq!(ids_with(&doc, "updated"), expected);
}

#[test]
fn locked_pages_are_listed_and_a_second_run_is_bounded() {
    let spec = GeneratedBoard::new(80, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let expected = overdue(&sandbox, &spec);
    let locked: BTreeSet<String> = expected.iter().step_by(7).take(3).cloned().collect();
    for id in &locked {
        sandbox.faults().lock_page(id);
    }
    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    run.expect_code(4);
    table_row("locked pages (400)", "3 pages", expected.len(), &run);
    let doc = run.json();
    assert_eq!(doc["failed"], 3);
    assert_eq!(doc["exit_code"], 4);
    assert_eq!(ids_with(&doc, "failed"), locked);
    assert_eq!(ids_with(&doc, "updated"), &expected - &locked);
    for task in doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["outcome"] == "failed")
    {
        assert_eq!(task["error"]["status"], 400);
        assert_eq!(task["error"]["code"], "validation_error");
        assert!(task["error"]["request_id"].is_string(), "{task}");
    }
    let first_run_patches = requests(&sandbox, "PATCH").len();
    assert_eq!(first_run_patches, expected.len(), "a 400 is not retried");
    let message = &sandbox.sink_messages(SinkKind::Slack)[0]["text"];
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("3 tasks could not be updated"),
        "{message}"
    );

    let requests_before = sandbox.requests().len();
    let again = notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox));
    again.expect_code(4);
    assert_eq!(
        again.stdout.matches("FAILED").count(),
        3,
        "{}",
        again.stdout
    );
    assert!(
        again.stdout.contains("validation_error"),
        "{}",
        again.stdout
    );
    let second_run = sandbox.requests().len() - requests_before;
    assert!(second_run <= 3 + 3 + 2, "bounded: {second_run} requests");
    assert_eq!(requests(&sandbox, "PATCH").len(), first_run_patches + 3);
}

#[test]
fn a_token_revoked_mid_run_stops_it_at_once_and_the_next_run_finishes() {
    let spec = GeneratedBoard {
        overdue_fraction: 0.8,
        ..GeneratedBoard::new(250, as_of())
    };
    let config = SandboxConfig {
        latency: Duration::from_millis(5),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let before = sandbox.pages(&spec.data_source_id());
    let expected = overdue(&sandbox, &spec);
    sandbox.faults().revoke_token_after(40);
    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    run.expect_code(4);
    table_row(
        "token revoked (401)",
        "after 40 requests",
        expected.len(),
        &run,
    );
    assert!(run.stderr.contains("refused"), "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "token_refused");
    let refused = sandbox
        .requests()
        .iter()
        .filter(|r| r.status == 401)
        .count();
    assert!(
        (1..=17).contains(&refused),
        "no hammering after a 401: {refused}"
    );
    let moved = changed(&before, &sandbox.pages(&spec.data_source_id()));
    assert_eq!(doc["updated"], moved.len(), "everything done is reported");
    assert_eq!(ids_with(&doc, "updated"), moved);
    let text = sandbox.sink_messages(SinkKind::Slack)[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("Incomplete run (Notion refused the token)"),
        "{text}"
    );

    sandbox.faults().update(|f| f.revoke_token_after = None);
    notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox)).expect_code(0);
    assert_eq!(
        changed(&before, &sandbox.pages(&spec.data_source_id())),
        expected
    );
}

#[test]
fn a_read_only_integration_is_a_setup_error_after_one_write() {
    let spec = GeneratedBoard::new(60, as_of());
    let config = SandboxConfig {
        read_only: true,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let run = notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox));
    run.expect_code(3);
    assert!(run.stderr.contains("Update content"), "{}", run.stderr);
    assert!(
        requests(&sandbox, "PATCH").len() <= 16,
        "stops after the first refusal"
    );
    assert!(sandbox.sink_messages(SinkKind::Slack).is_empty());
}

#[test]
fn sigterm_mid_run_reports_what_was_done_and_the_next_run_finishes() {
    let spec = GeneratedBoard {
        overdue_fraction: 0.8,
        ..GeneratedBoard::new(300, as_of())
    };
    let config = SandboxConfig {
        latency: Duration::from_millis(10),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let before = sandbox.pages(&spec.data_source_id());
    let expected = overdue(&sandbox, &spec);
    let env = with(env_for(&sandbox), "NOTION_RATE", "40");
    let child = start(&["sweep", &spec.database_id(), "--output", "json"], &env);
    let waiting = Instant::now();
    while requests(&sandbox, "PATCH").len() < 30 {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "the sweep did not start writing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let signalled = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let run = finish(child);
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "{:?}",
        signalled.elapsed()
    );
    run.expect_code(4);
    table_row("SIGTERM", "after 30 writes", expected.len(), &run);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "interrupted");
    let moved = changed(&before, &sandbox.pages(&spec.data_source_id()));
    assert!(moved.len() < expected.len(), "interrupted before the end");
    assert_eq!(
        ids_with(&doc, "updated"),
        moved,
        "everything done is reported"
    );
    let text = sandbox.sink_messages(SinkKind::Slack)[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("Incomplete run (interrupted)"), "{text}");

    notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox)).expect_code(0);
    assert_eq!(
        changed(&before, &sandbox.pages(&spec.data_source_id())),
        expected
    );
}

#[test]
fn a_persons_edit_during_the_sweep_is_not_overwritten() {
    let spec = GeneratedBoard {
        overdue_fraction: 0.9,
        ..GeneratedBoard::new(300, as_of())
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let before = sandbox.pages(&spec.data_source_id());
    let expected = overdue(&sandbox, &spec);
    // The overdue task due last is read last (oldest first): a person closes it
    // while the sweep is busy with the first page.
    let due = |p: &PageState| match p.properties.get("Due Date") {
        Some(PropertyValue::Date(d)) => d.start.clone(),
        _ => String::new(),
    };
    let last = before
        .iter()
        .filter(|p| expected.contains(&p.id))
        .max_by_key(|p| due(p))
        .unwrap()
        .id
        .clone();
    sandbox
        .faults()
        .schedule_edit(10, &last, "Status", PropertyValue::option("Done"));
    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    assert_eq!(text(&sandbox.page(&last).unwrap(), "Status"), Some("Done"));
    assert!(
        !patched_pages(&sandbox).contains(&last),
        "the edited task was not written"
    );
    assert_eq!(run.json()["updated"], expected.len() - 1);
}

#[test]
fn a_429_pauses_every_request_for_its_retry_after() {
    let spec = GeneratedBoard {
        overdue_fraction: 0.8,
        ..GeneratedBoard::new(200, as_of())
    };
    let config = SandboxConfig {
        latency: Duration::from_millis(20),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let expected = overdue(&sandbox, &spec);
    let env = with(env_for(&sandbox), "NOTION_RATE", "100");
    let child = start(&["sweep", &spec.database_id(), "--output", "json"], &env);
    // While writes are in flight, the next request Notion sees gets a 429.
    let waiting = Instant::now();
    while requests(&sandbox, "PATCH").len() < 20 {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "the sweep did not start writing"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    sandbox.faults().rate_limit_next(1, 2);
    let run = finish(child);
    run.expect_code(0);
    table_row("429 Retry-After 2", "1 mid-run", expected.len(), &run);
    let doc = run.json();
    assert_eq!(doc["requests"]["rate_limited"], 1);
    assert_eq!(ids_with(&doc, "updated"), expected);
    let log = sandbox.requests();
    let limited = log
        .iter()
        .position(|r| r.status == 429)
        .expect("a 429 was sent");
    let t = log[limited].at;
    // Requests already past the limiter may still arrive just after it.
    let during_pause = log
        .iter()
        .filter(|r| r.at > t + Duration::from_millis(100) && r.at < t + Duration::from_millis(1900))
        .count();
    assert_eq!(during_pause, 0, "no request during the Retry-After pause");
    assert!(
        log.iter().any(|r| r.at >= t + Duration::from_secs(2)),
        "the sweep went on after it"
    );
}

#[test]
fn a_blocked_integration_is_not_retried() {
    let spec = GeneratedBoard::new(20, as_of());
    let config = SandboxConfig {
        faults: FaultConfig::default().with_scripted(FaultKind::RequestBlocked, 1),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let run = notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox));
    // Blocked before the first write: nothing was changed (exit 3).
    run.expect_code(3);
    assert_eq!(sandbox.requests().len(), 1, "not retried");
    assert!(run.stderr.contains("429 rate_limited"), "{}", run.stderr);
}

#[test]
fn the_deadline_bounds_the_waiting() {
    let spec = GeneratedBoard::new(20, as_of());
    let config = SandboxConfig {
        faults: FaultConfig::default()
            .with_scripted(FaultKind::RateLimited { retry_after: 120 }, 1),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let started = Instant::now();
    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--deadline", "5"],
        &env_for(&sandbox),
    );
    run.expect_code(4);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(run.stderr.contains("deadline"), "{}", run.stderr);
}

#[test]
fn slack_429_is_retried_and_slack_404_is_exit_5() {
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    sandbox.push_sink_reply(SinkKind::Slack, SinkReply::slack_rate_limited(1.0));
    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    assert_eq!(run.json()["notification"]["status"], "sent");
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        2,
        "refused once, then accepted"
    );

    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    sandbox.push_sink_reply(SinkKind::Slack, SinkReply::new(404, "channel_not_found"));
    let expected = overdue(&sandbox, &spec);
    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    run.expect_code(5);
    let doc = run.json();
    assert_eq!(doc["notification"]["status"], "failed");
    assert!(doc["notification"]["error"]
        .as_str()
        .unwrap()
        .contains("channel_not_found"));
    assert_eq!(
        ids_with(&doc, "updated"),
        expected,
        "the sweep's result is not hidden"
    );
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "a 404 is not retried"
    );
}

#[test]
fn running_out_of_retries_is_incomplete_and_says_so() {
    let spec = GeneratedBoard::new(20, as_of());
    let config = SandboxConfig {
        faults: FaultConfig::default().with_scripted(FaultKind::InternalServerError, 3),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--max-retries",
            "2",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(4);
    assert!(
        run.stderr.contains("gave up after 3 attempts"),
        "{}",
        run.stderr
    );
    assert_eq!(
        sandbox.requests().len(),
        3,
        "--max-retries 2 means three attempts"
    );
    assert_eq!(run.json()["requests"]["retried"], 2);
}

#[test]
fn slack_5xx_is_retried_with_back_off() {
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    sandbox.push_sink_reply(SinkKind::Slack, SinkReply::new(500, "rollup_error"));
    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    assert_eq!(run.json()["notification"]["status"], "sent");
    assert_eq!(sandbox.sink_messages(SinkKind::Slack).len(), 2);
}

#[test]
fn cut_off_answers_are_retried() {
    let spec = GeneratedBoard::new(100, as_of());
    let config = SandboxConfig {
        seed: 5,
        faults: FaultConfig::default().with_random(FaultKind::TruncatedBody, 0.15),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::spawn(Board::generated(&spec), config).unwrap();
    let expected = overdue(&sandbox, &spec);
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--max-retries",
            "10",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    table_row(
        "200 with JSON cut off halfway",
        "15% of requests",
        expected.len(),
        &run,
    );
    let doc = run.json();
    assert_eq!(ids_with(&doc, "updated"), expected);
    assert!(doc["requests"]["retried"].as_u64().unwrap() > 0);
}
