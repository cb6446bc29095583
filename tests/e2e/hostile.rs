//! Hostile answers: small purpose-built servers on loopback
//! (`support::hostile`) that misbehave in ways the sandbox cannot, each
//! bounded in time. The binary must not panic, hang or grow, and must say
//! what went wrong.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::hostile::*;
use crate::support::*;

/// Runs a sweep of the test database; checks it neither panicked nor leaked the token.
fn sweep(server: &Server, extra: &[&str], env: &[(String, String)]) -> (Run, Duration) {
    let started = Instant::now();
    let mut args = vec!["sweep", DATABASE, "--output", "json"];
    args.extend_from_slice(extra);
    let run = notion_sweep(&args, env);
    let took = started.elapsed();
    sane(&run);
    let _ = server;
    (run, took)
}

/// No panic, no internal error, no token in any output.
#[track_caller]
fn sane(run: &Run) {
    assert_ne!(run.code, 1, "an internal error\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

// 5. Redirects are not followed.

#[test]
fn a_redirect_is_an_error_naming_its_host_and_is_not_followed() {
    let elsewhere = Server::spawn(|_, _, stream| ok(stream, &database()));
    let location = format!("{}/v1/databases/{DATABASE}", elsewhere.url());
    let server = Server::spawn(move |_, _, stream| {
        answer(
            stream,
            "307 Temporary Redirect",
            &[("location", &location)],
            "",
        )
    });
    let (run, _) = sweep(&server, &[], &env(&server));
    run.expect_code(3);
    assert!(
        run.stderr.contains("redirect to 127.0.0.1") && run.stderr.contains("--api-url"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["error"]["code"], "redirect");
    assert_eq!(server.seen().len(), 1, "not retried");
    assert!(elsewhere.seen().is_empty(), "the redirect was followed");
}

// 6. A blocked integration stops the run.

const BLOCKED: &str = r#"{"object":"error","status":429,"code":"rate_limited","message":"This integration is blocked.","additional_data":{"rate_limit_reason":"public_api_request_blocked"}}"#;

#[test]
fn blocked_after_a_write_stops_the_run_and_nothing_more_is_sent() {
    let blocked_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let when = blocked_at.clone();
    let patches = AtomicUsize::new(0);
    let server = Server::spawn(notion(move |seen, _, stream| {
        if seen.method == "POST" {
            ok(stream, &results((1..=30).map(task).collect(), false, None));
        } else if patches.fetch_add(1, Ordering::SeqCst) == 0 {
            ok(stream, &json!({"object": "page"}));
        } else {
            answer(stream, "429 Too Many Requests", &[], BLOCKED);
            when.lock().unwrap().get_or_insert_with(Instant::now);
        }
    }));
    // Slow enough that no request is on its way when the block is answered.
    let env = with(env(&server), "NOTION_RATE", "10");
    let (run, took) = sweep(&server, &[], &env);
    run.expect_code(4);
    let blocked = blocked_at.lock().unwrap().expect("a blocked answer");
    let after: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|r| r.at > blocked)
        .collect();
    assert!(after.is_empty(), "sent after the block: {after:?}");
    assert_eq!(server.count("PATCH", "/v1/pages/"), 2);
    let doc = run.json();
    assert_eq!(doc["updated"], 1);
    assert_eq!(doc["error"]["kind"], "blocked");
    assert!(run.stderr.contains("support"), "{}", run.stderr);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn blocked_before_any_write_is_a_setup_error() {
    let server = Server::spawn(|_, _, stream| {
        answer(
            stream,
            "429 Too Many Requests",
            &[("retry-after", "1")],
            BLOCKED,
        )
    });
    let (run, _) = sweep(&server, &[], &env(&server));
    run.expect_code(3);
    assert_eq!(server.seen().len(), 1, "nothing more is sent");
    assert!(run.stderr.contains("support"), "{}", run.stderr);
}

// 3. Retry-After of any size; a panic in a write is that task's failure.

#[test]
fn a_huge_retry_after_on_the_database_read_is_cut_by_the_deadline() {
    let server = Server::spawn(|_, _, stream| {
        answer(
            stream,
            "429 Too Many Requests",
            &[("retry-after", "1e20")],
            r#"{"object":"error","status":429,"code":"rate_limited","message":"slow down"}"#,
        )
    });
    let (run, took) = sweep(&server, &["--deadline", "5"], &env(&server));
    run.expect_code(4);
    assert!(run.stderr.contains("deadline"), "{}", run.stderr);
    assert_eq!(server.seen().len(), 1);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_huge_retry_after_on_a_write_is_cut_by_the_deadline() {
    let server = Server::spawn(notion(|seen, _, stream| {
        if seen.method == "POST" {
            ok(stream, &results(vec![task(1)], false, None));
        } else {
            answer(
                stream,
                "503 Service Unavailable",
                &[("retry-after", "1e20")],
                r#"{"object":"error","status":503,"code":"service_unavailable","message":"later"}"#,
            )
        }
    }));
    let (run, took) = sweep(&server, &["--deadline", "5"], &env(&server));
    run.expect_code(4);
    let doc = run.json();
    assert_eq!(doc["failed"], 1);
    assert!(
        doc["tasks"][0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("deadline"),
        "{doc}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}

// 1. Bad paging ends the run as incomplete.

#[test]
fn a_repeating_cursor_ends_the_run_quickly() {
    let server = Server::spawn(notion(|_, _, stream| {
        ok(stream, &results(vec![], true, Some("same".into())))
    }));
    let (run, took) = sweep(&server, &[], &env(&server));
    run.expect_code(4);
    assert!(run.stderr.contains("same cursor twice"), "{}", run.stderr);
    assert_eq!(server.count("POST", "/query"), 2);
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn has_more_without_a_cursor_ends_the_run_quickly() {
    let server = Server::spawn(notion(|_, _, stream| {
        ok(stream, &results(vec![], true, None))
    }));
    let (run, took) = sweep(&server, &[], &env(&server));
    run.expect_code(4);
    assert!(run.stderr.contains("sent no cursor"), "{}", run.stderr);
    assert_eq!(server.count("POST", "/query"), 1);
    assert!(took < Duration::from_secs(5), "{took:?}");
}

// 2. --deadline bounds the whole run.

#[test]
fn the_deadline_bounds_a_run_that_pages_forever() {
    let server = Server::spawn(notion(|_, n, stream| {
        thread::sleep(Duration::from_millis(700));
        ok(stream, &results(vec![], true, Some(format!("cursor-{n}"))))
    }));
    let (run, took) = sweep(&server, &["--deadline", "3"], &env(&server));
    eprintln!(
        "--deadline 3 with endless paging: exit {} after {took:.1?}",
        run.code
    );
    run.expect_code(4);
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert!(
        run.stderr.contains("--deadline of 3s passed"),
        "{}",
        run.stderr
    );
    let doc = run.json();
    assert_eq!(doc["error"]["kind"], "deadline_reached");
    let queries = server.count("POST", "/query");
    assert!((3..=6).contains(&queries), "{queries} queries");
}

// 4. Writes in flight at a stop: what happened, or `unknown`.

/// The task number at the end of a PATCH path.
fn task_number(path: &str) -> usize {
    path.rsplit('-').next().unwrap().parse().unwrap()
}

#[test]
fn writes_in_flight_at_sigterm_are_waited_for_or_reported_unknown() {
    let server = Server::spawn(notion(|seen, _, stream| {
        if seen.method == "POST" {
            ok(stream, &results((1..=4).map(task).collect(), false, None));
        } else {
            // Odd tasks answer within the grace period, even ones long after it.
            let slow = task_number(&seen.path).is_multiple_of(2);
            thread::sleep(Duration::from_secs(if slow { 10 } else { 1 }));
            ok(stream, &json!({"object": "page"}));
        }
    }));
    let slack = Server::spawn(|_, _, stream| answer(stream, "200 OK", &[], "ok"));
    let env = with(
        env(&server),
        "SLACK_WEBHOOK_URL",
        &format!("{}/hook", slack.url()),
    );
    let child = start(&["sweep", DATABASE, "--output", "json"], &env);
    wait_until(Duration::from_secs(20), "four PATCHes", || {
        server.count("PATCH", "/v1/pages/") == 4
    });
    terminate(&child);
    let run = finish(child);
    sane(&run);
    run.expect_code(4);
    let doc = run.json();
    let outcome = |n: usize| {
        doc["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["title"] == format!("Task {n}"))
            .unwrap()["outcome"]
            .clone()
    };
    assert_eq!([outcome(1), outcome(3)], ["updated", "updated"], "{doc}");
    assert_eq!([outcome(2), outcome(4)], ["unknown", "unknown"], "{doc}");
    assert_eq!(doc["updated"], 2);
    assert_eq!(doc["failed"], 0);
    assert_eq!(doc["error"]["kind"], "interrupted");
    let posted = &slack.seen()[0].body;
    assert!(
        posted.contains("2 unknown") && posted.contains("check Notion"),
        "{posted}"
    );
}

// 8. A webhook that hangs is cut short by a signal, and posted to once.

#[test]
fn sigterm_cuts_a_hanging_webhook_post_short() {
    let server = Server::spawn(notion(|seen, _, stream| {
        if seen.method == "POST" {
            ok(stream, &results(vec![task(1)], false, None));
        } else {
            ok(stream, &json!({"object": "page"}));
        }
    }));
    let slack = Server::spawn(|_, _, _| thread::sleep(Duration::from_secs(30)));
    let env = with(
        env(&server),
        "SLACK_WEBHOOK_URL",
        &format!("{}/hook", slack.url()),
    );
    let child = start(&["sweep", DATABASE, "--output", "json"], &env);
    wait_until(Duration::from_secs(20), "the Slack post", || {
        !slack.seen().is_empty()
    });
    thread::sleep(Duration::from_secs(1));
    let signalled = Instant::now();
    terminate(&child);
    let run = finish(child);
    let took = signalled.elapsed();
    eprintln!(
        "hanging Slack webhook: exit {} {:.2}s after SIGTERM",
        run.code,
        took.as_secs_f64()
    );
    sane(&run);
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(slack.seen().len(), 1, "posted once");
    let doc = run.json();
    assert_eq!(doc["updated"], 1);
    assert_eq!(doc["notification"]["status"], "failed");
    run.expect_code(5);
}

#[test]
fn a_second_sigterm_ends_the_run_at_once() {
    let server = Server::spawn(notion(|seen, _, stream| {
        if seen.method == "POST" {
            ok(stream, &results(vec![task(1)], false, None));
        } else {
            thread::sleep(Duration::from_secs(20));
        }
    }));
    let child = start(&["sweep", DATABASE, "--output", "json"], &env(&server));
    wait_until(Duration::from_secs(20), "the PATCH", || {
        server.count("PATCH", "/v1/pages/") == 1
    });
    terminate(&child);
    thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    terminate(&child);
    let run = finish(child);
    sane(&run);
    run.expect_code(4);
    assert!(signalled.elapsed() < Duration::from_secs(2));
    assert!(run.stderr.contains("second interrupt"), "{}", run.stderr);
}

// 3. A due date at chrono's limits is an unreadable row.

#[test]
fn a_due_date_at_chronos_limits_is_an_unreadable_row() {
    let server = Server::spawn(notion(|seen, _, stream| {
        if seen.method == "POST" {
            let mut far = task(1);
            far["properties"]["Due Date"]["date"]["start"] = json!("+262142-12-31T23:59:00");
            ok(stream, &results(vec![far, task(2)], false, None));
        } else {
            ok(stream, &json!({"object": "page"}));
        }
    }));
    let (run, _) = sweep(&server, &["--tz", "Pacific/Kiritimati"], &env(&server));
    run.expect_code(4);
    let doc = run.json();
    assert_eq!(doc["updated"], 1);
    assert_eq!(doc["failed"], 1);
    let failed = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["outcome"] == "failed")
        .unwrap();
    assert_eq!(failed["error"]["code"], "unreadable_task");
    assert!(
        failed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("+262142-12-31T23:59:00"),
        "{failed}"
    );
}

// 7. Answers have a size limit.

/// The peak resident set of a process, in KiB, from /proc (Linux).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_one_gigabyte_answer_is_refused_quickly_without_growing() {
    let streamed = Arc::new(AtomicUsize::new(0));
    let counter = streamed.clone();
    let server = Server::spawn(move |_, _, stream| {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let chunk = vec![b' '; 64 * 1024];
        let framed = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk,
            b"\r\n".to_vec(),
        ]
        .concat();
        // 1 GiB, unless the client hangs up first.
        for _ in 0..(1 << 14) {
            if stream.write_all(&framed).is_err() {
                return;
            }
            counter.fetch_add(64 * 1024, Ordering::Relaxed);
        }
        let _ = stream.write_all(b"0\r\n\r\n");
    });
    let started = Instant::now();
    let child = start(&["sweep", DATABASE, "--output", "json"], &env(&server));
    let pid = child.id();
    let peak = Arc::new(AtomicUsize::new(0));
    let watching = peak.clone();
    let watcher = thread::spawn(move || {
        while let Some(kib) = peak_rss_kib(pid) {
            watching.fetch_max(kib as usize, Ordering::Relaxed);
            thread::sleep(Duration::from_millis(5));
        }
    });
    let run = finish(child);
    let took = started.elapsed();
    let _ = watcher.join();
    let peak_mib = peak.load(Ordering::Relaxed) as f64 / 1024.0;
    eprintln!(
        "1 GiB answer: exit {} after {took:.2?}, {} MiB streamed before the hang-up, peak RSS {peak_mib:.1} MiB",
        run.code,
        streamed.load(Ordering::Relaxed) / (1024 * 1024)
    );
    sane(&run);
    assert!([3, 4].contains(&run.code), "{}", run.stderr);
    assert!(run.stderr.contains("too large"), "{}", run.stderr);
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(peak_mib < 200.0, "peak RSS {peak_mib:.1} MiB");
    assert_eq!(server.seen().len(), 1, "not retried");
}

// 9. Paging cost with writes that always fail (against the sandbox).

/// Sweeps a board of `rows` overdue tasks whose writes all fail (locked
/// pages, 400); returns the number of queries and the run's time.
fn queries_with_failing_writes(rows: usize) -> (usize, Duration) {
    use notion_sandbox::{GeneratedBoard, SandboxConfig};
    let spec = GeneratedBoard {
        overdue_fraction: 1.0,
        ..GeneratedBoard::new(rows, as_of())
    };
    let s = Served::new(spec, SandboxConfig::default());
    let locked: Vec<String> = s.expected.iter().cloned().collect();
    assert_eq!(locked.len(), rows);
    s.sandbox
        .faults()
        .update(move |f| f.locked_pages.extend(locked.iter().cloned()));
    let started = Instant::now();
    let run = s.sweep(&["--output", "json", "--no-notify"]);
    let took = started.elapsed();
    sane(&run);
    run.expect_code(4);
    assert_eq!(run.json()["failed"], rows);
    let queries = requests(&s.sandbox, "POST")
        .iter()
        .filter(|r| r.path.ends_with("/query"))
        .count();
    (queries, took)
}

#[test]
fn failing_writes_cost_one_read_each_not_one_restart_each() {
    let (queries, took) = queries_with_failing_writes(1_000);
    eprintln!(
        "1000 always-failing rows: {queries} queries, {:.1}s",
        took.as_secs_f64()
    );
    assert!(queries <= 1_000 / 100 + 3, "{queries} queries");
}

#[test]
fn a_huge_webhook_answer_is_cut_short() {
    let server = Server::spawn(notion(|seen, _, stream| {
        if seen.method == "POST" {
            ok(stream, &results(vec![task(1)], false, None));
        } else {
            ok(stream, &json!({"object": "page"}));
        }
    }));
    let slack = Server::spawn(|_, _, stream| {
        let huge = "x".repeat(64 * 1024 * 1024);
        answer(
            stream,
            "400 Bad Request",
            &[],
            &format!("invalid_payload {huge}"),
        );
    });
    let env = with(
        env(&server),
        "SLACK_WEBHOOK_URL",
        &format!("{}/hook", slack.url()),
    );
    let (run, took) = sweep(&server, &[], &env);
    run.expect_code(5);
    let error = run.json()["notification"]["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(error.contains("400: invalid_payload"), "{error}");
    assert!(error.len() < 400, "{}", error.len());
    assert_eq!(slack.seen().len(), 1);
    assert!(took < Duration::from_secs(10), "{took:?}");
}
