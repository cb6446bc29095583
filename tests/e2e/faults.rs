//! A bad day at Notion: faults, rate limits, refusals, interruptions. Each
//! test checks Notion's final state, the request log and the exit code.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use notion_sandbox::{
    FaultConfig, FaultKind, GeneratedBoard, PageState, PropertyValue, SandboxConfig, SinkKind,
    SinkReply,
};

use crate::support::*;

/// One row of the fault table (`cargo test --test e2e faults -- --nocapture`).
fn table_row(fault: &str, rate: &str, expected: usize, run: &Run) {
    let doc = run.json();
    eprintln!(
        "| {fault} | {rate} | {expected} | {} | {} | {} | {} |",
        doc["updated"], doc["requests"]["sent"], doc["requests"]["retried"], run.code
    );
}

/// `tasks` tasks, `fraction` of them overdue.
fn overdue_board(tasks: usize, fraction: f64) -> GeneratedBoard {
    GeneratedBoard {
        overdue_fraction: fraction,
        ..GeneratedBoard::new(tasks, as_of())
    }
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
    let s = Served::new(spec, config);
    let run = s.sweep(&["--max-retries", "10", "--output", "json"]);
    run.expect_code(0);
    table_row(
        "500/502 HTML/503/504/409/dropped",
        "20% of requests",
        s.expected.len(),
        &run,
    );
    let doc = run.json();
    assert_eq!(s.moved(), s.expected, "all overdue moved, nothing else");
    assert!(s.patched().is_subset(&s.expected), "no wrong page touched");
    let log = s.sandbox.requests();
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
    assert_eq!(doc["updated"], s.expected.len());
}

#[test]
fn hangs_are_cut_by_the_timeout_and_retried() {
    let s = Served::new(
        GeneratedBoard::new(30, as_of()),
        scripted(FaultKind::Hang, 2),
    );
    let started = Instant::now();
    let run = s.sweep(&["--timeout", "1", "--output", "json"]);
    run.expect_code(0);
    table_row(
        "hang (timeout 1 s)",
        "first 2 requests",
        s.expected.len(),
        &run,
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let doc = run.json();
    assert_eq!(doc["requests"]["retried"], 2);
    assert_eq!(ids_with(&doc, "updated"), s.expected);
}

#[test]
fn locked_pages_are_listed_and_a_second_run_is_bounded() {
    let s = Served::new(GeneratedBoard::new(80, as_of()), SandboxConfig::default());
    let locked: BTreeSet<String> = s.expected.iter().step_by(7).take(3).cloned().collect();
    for id in &locked {
        s.sandbox.faults().lock_page(id);
    }
    let run = s.sweep(&["--output", "json"]);
    run.expect_code(4);
    table_row("locked pages (400)", "3 pages", s.expected.len(), &run);
    let doc = run.json();
    assert_eq!(doc["failed"], 3);
    assert_eq!(doc["exit_code"], 4);
    assert_eq!(ids_with(&doc, "failed"), locked);
    assert_eq!(ids_with(&doc, "updated"), &s.expected - &locked);
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
    let first_run_patches = requests(&s.sandbox, "PATCH").len();
    assert_eq!(first_run_patches, s.expected.len(), "a 400 is not retried");
    let message = &s.sandbox.sink_messages(SinkKind::Slack)[0]["text"];
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("3 tasks could not be updated"),
        "{message}"
    );

    let requests_before = s.sandbox.requests().len();
    let again = s.sweep(&[]);
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
    let second_run = s.sandbox.requests().len() - requests_before;
    assert!(second_run <= 3 + 3 + 2, "bounded: {second_run} requests");
    assert_eq!(requests(&s.sandbox, "PATCH").len(), first_run_patches + 3);
}

#[test]
fn a_token_revoked_mid_run_stops_it_at_once_and_the_next_run_finishes() {
    let s = Served::new(overdue_board(250, 0.8), latency(5));
    s.sandbox.faults().revoke_token_after(40);
    let run = s.sweep(&["--output", "json"]);
    run.expect_code(4);
    table_row(
        "token revoked (401)",
        "after 40 requests",
        s.expected.len(),
        &run,
    );
    assert!(run.stderr.contains("refused"), "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "token_refused");
    let refused = s
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.status == 401)
        .count();
    assert!(
        (1..=17).contains(&refused),
        "no hammering after a 401: {refused}"
    );
    let moved = s.moved();
    assert_eq!(doc["updated"], moved.len(), "everything done is reported");
    assert_eq!(ids_with(&doc, "updated"), moved);
    let text = s.sandbox.sink_messages(SinkKind::Slack)[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("Incomplete run (Notion refused the token)"),
        "{text}"
    );

    s.sandbox.faults().update(|f| f.revoke_token_after = None);
    s.sweep(&[]).expect_code(0);
    assert_eq!(s.moved(), s.expected);
}

#[test]
fn a_read_only_integration_is_a_setup_error_after_one_write() {
    let config = SandboxConfig {
        read_only: true,
        ..SandboxConfig::default()
    };
    let s = Served::new(GeneratedBoard::new(60, as_of()), config);
    let run = s.sweep(&[]);
    run.expect_code(3);
    assert!(run.stderr.contains("Update content"), "{}", run.stderr);
    assert!(
        requests(&s.sandbox, "PATCH").len() <= 16,
        "stops after the first refusal"
    );
    assert!(s.sandbox.sink_messages(SinkKind::Slack).is_empty());
}

#[test]
fn sigterm_mid_run_reports_what_was_done_and_the_next_run_finishes() {
    let s = Served::new(overdue_board(300, 0.8), latency(10));
    let env = with(s.env(), "NOTION_RATE", "40");
    let child = start(&["sweep", &s.spec.database_id(), "--output", "json"], &env);
    wait_until(
        Duration::from_secs(30),
        "the sweep to start writing",
        || requests(&s.sandbox, "PATCH").len() >= 30,
    );
    let signalled = Instant::now();
    terminate(&child);
    let run = finish(child);
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "{:?}",
        signalled.elapsed()
    );
    run.expect_code(4);
    table_row("SIGTERM", "after 30 writes", s.expected.len(), &run);
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "interrupted");
    let moved = s.moved();
    assert!(moved.len() < s.expected.len(), "interrupted before the end");
    assert_eq!(
        ids_with(&doc, "updated"),
        moved,
        "everything done is reported"
    );
    let text = s.sandbox.sink_messages(SinkKind::Slack)[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("Incomplete run (interrupted)"), "{text}");

    s.sweep(&[]).expect_code(0);
    assert_eq!(s.moved(), s.expected);
}

#[test]
fn a_persons_edit_during_the_sweep_is_not_overwritten() {
    let s = Served::new(overdue_board(300, 0.9), SandboxConfig::default());
    // The overdue task due last is read last (oldest first): a person closes it
    // while the sweep is busy with the first page.
    let due = |p: &PageState| match p.properties.get("Due Date") {
        Some(PropertyValue::Date(d)) => d.start.clone(),
        _ => String::new(),
    };
    let last = s
        .before
        .iter()
        .filter(|p| s.expected.contains(&p.id))
        .max_by_key(|p| due(p))
        .unwrap()
        .id
        .clone();
    s.sandbox
        .faults()
        .schedule_edit(10, &last, "Status", PropertyValue::option("Done"));
    let run = s.sweep(&["--output", "json"]);
    run.expect_code(0);
    assert_eq!(
        text(&s.sandbox.page(&last).unwrap(), "Status"),
        Some("Done")
    );
    assert!(
        !s.patched().contains(&last),
        "the edited task was not written"
    );
    assert_eq!(run.json()["updated"], s.expected.len() - 1);
}

#[test]
fn a_429_pauses_every_request_for_its_retry_after() {
    let s = Served::new(overdue_board(200, 0.8), latency(20));
    let env = with(s.env(), "NOTION_RATE", "100");
    let child = start(&["sweep", &s.spec.database_id(), "--output", "json"], &env);
    // While writes are in flight, the next request Notion sees gets a 429.
    wait_until(
        Duration::from_secs(30),
        "the sweep to start writing",
        || requests(&s.sandbox, "PATCH").len() >= 20,
    );
    s.sandbox.faults().rate_limit_next(1, 2);
    let run = finish(child);
    run.expect_code(0);
    table_row("429 Retry-After 2", "1 mid-run", s.expected.len(), &run);
    let doc = run.json();
    assert_eq!(doc["requests"]["rate_limited"], 1);
    assert_eq!(ids_with(&doc, "updated"), s.expected);
    let log = s.sandbox.requests();
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
    let s = Served::new(
        GeneratedBoard::new(20, as_of()),
        scripted(FaultKind::RequestBlocked, 1),
    );
    let run = s.sweep(&[]);
    // Blocked before the first write: nothing was changed (exit 3).
    run.expect_code(3);
    assert_eq!(s.sandbox.requests().len(), 1, "not retried");
    assert!(run.stderr.contains("429 rate_limited"), "{}", run.stderr);
}

#[test]
fn the_deadline_bounds_the_waiting() {
    let s = Served::new(
        GeneratedBoard::new(20, as_of()),
        scripted(FaultKind::RateLimited { retry_after: 120 }, 1),
    );
    let started = Instant::now();
    let run = s.sweep(&["--deadline", "5"]);
    run.expect_code(4);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(run.stderr.contains("deadline"), "{}", run.stderr);
}

#[test]
fn slack_429_is_retried_and_slack_404_is_exit_5() {
    let s = Served::new(GeneratedBoard::new(30, as_of()), SandboxConfig::default());
    s.sandbox
        .push_sink_reply(SinkKind::Slack, SinkReply::slack_rate_limited(1.0));
    let run = s.sweep(&["--output", "json"]);
    run.expect_code(0);
    assert_eq!(run.json()["notification"]["status"], "sent");
    assert_eq!(
        s.sandbox.sink_messages(SinkKind::Slack).len(),
        2,
        "refused once, then accepted"
    );

    let s = Served::new(GeneratedBoard::new(30, as_of()), SandboxConfig::default());
    s.sandbox
        .push_sink_reply(SinkKind::Slack, SinkReply::new(404, "channel_not_found"));
    let run = s.sweep(&["--output", "json"]);
    run.expect_code(5);
    let doc = run.json();
    assert_eq!(doc["notification"]["status"], "failed");
    assert!(doc["notification"]["error"]
        .as_str()
        .unwrap()
        .contains("channel_not_found"));
    assert_eq!(
        ids_with(&doc, "updated"),
        s.expected,
        "the sweep's result is not hidden"
    );
    assert_eq!(
        s.sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "a 404 is not retried"
    );
}

#[test]
fn running_out_of_retries_is_incomplete_and_says_so() {
    let s = Served::new(
        GeneratedBoard::new(20, as_of()),
        scripted(FaultKind::InternalServerError, 3),
    );
    let run = s.sweep(&["--max-retries", "2", "--output", "json"]);
    run.expect_code(4);
    assert!(
        run.stderr.contains("gave up after 3 attempts"),
        "{}",
        run.stderr
    );
    assert_eq!(
        s.sandbox.requests().len(),
        3,
        "--max-retries 2 means three attempts"
    );
    assert_eq!(run.json()["requests"]["retried"], 2);
}

#[test]
fn slack_5xx_is_retried_with_back_off() {
    let s = Served::new(GeneratedBoard::new(30, as_of()), SandboxConfig::default());
    s.sandbox
        .push_sink_reply(SinkKind::Slack, SinkReply::new(500, "rollup_error"));
    let run = s.sweep(&["--output", "json"]);
    run.expect_code(0);
    assert_eq!(run.json()["notification"]["status"], "sent");
    assert_eq!(s.sandbox.sink_messages(SinkKind::Slack).len(), 2);
}

#[test]
fn cut_off_answers_are_retried() {
    let config = SandboxConfig {
        seed: 5,
        faults: FaultConfig::default().with_random(FaultKind::TruncatedBody, 0.15),
        ..SandboxConfig::default()
    };
    let s = Served::new(GeneratedBoard::new(100, as_of()), config);
    let run = s.sweep(&["--max-retries", "10", "--output", "json"]);
    run.expect_code(0);
    table_row(
        "200 with JSON cut off halfway",
        "15% of requests",
        s.expected.len(),
        &run,
    );
    let doc = run.json();
    assert_eq!(ids_with(&doc, "updated"), s.expected);
    assert!(doc["requests"]["retried"].as_u64().unwrap() > 0);
}
