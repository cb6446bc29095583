//! Where the summary goes: Slack, Discord, Teams and JSON endpoints, each
//! against the sandbox's sink of that kind, each posted to at most once.

use std::time::Duration;

use notion_sandbox::{GeneratedBoard, PropertyValue, Sandbox, SandboxConfig, SinkKind, SinkReply};
use serde_json::Value;

use crate::support::*;

/// `--notify KIND+URL` of the sandbox's sink of that kind.
fn prefixed(sandbox: &Sandbox, kind: SinkKind) -> String {
    format!("{}+{}", kind.as_str(), sandbox.sink_url(kind))
}

/// A sweep of `spec` posting to `kinds` (and nowhere else), at -vv, JSON out.
fn sweep_to(sandbox: &Sandbox, spec: &GeneratedBoard, kinds: &[SinkKind]) -> Run {
    let urls: Vec<String> = kinds.iter().map(|k| prefixed(sandbox, *k)).collect();
    let mut args = vec!["sweep", "-vv", "--output", "json"];
    let database = spec.database_id();
    args.push(&database);
    for url in &urls {
        args.extend(["--notify", url.as_str()]);
    }
    let run = notion_sweep(&args, &without(env_for(sandbox), "SLACK_WEBHOOK_URL"));
    assert_no_secret(&run);
    run
}

/// No sink URL, nor its secret part, in anything the run printed.
fn assert_no_secret(run: &Run) {
    for out in [&run.stdout, &run.stderr] {
        for secret in [
            "sandboxsecret",
            "sandboxsig",
            "/api/webhooks/",
            "/slack/services/",
        ] {
            assert!(!out.contains(secret), "{secret} leaked:\n{out}");
        }
    }
}

/// The `notifications` entries as (kind, status).
fn outcomes(doc: &Value) -> Vec<(String, String)> {
    doc["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().into(),
                n["status"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Titles people write, as the overdue tasks' names.
fn retitle(sandbox: &Sandbox, spec: &GeneratedBoard, title: impl Fn(usize) -> String) -> usize {
    let overdue = overdue(sandbox, spec);
    for (n, id) in overdue.iter().enumerate() {
        sandbox.set_property(id, "Name", PropertyValue::text(title(n)));
    }
    overdue.len()
}

#[test]
fn every_kind_gets_its_own_message_once() {
    let spec = GeneratedBoard::new(40, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let moved = retitle(&sandbox, &spec, |n| {
        format!("@everyone *ship* <@1> #{n} [x](y)")
    });
    let run = sweep_to(&sandbox, &spec, &SinkKind::ALL);
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(
        outcomes(&doc),
        pairs(&[
            ("slack", "sent"),
            ("discord", "sent"),
            ("teams", "sent"),
            ("json", "sent")
        ])
    );
    assert_eq!(doc["notification"]["status"], "sent");
    for kind in SinkKind::ALL {
        assert_eq!(sandbox.sink_messages(kind).len(), 1, "{kind:?} once");
    }
    let slack = &sandbox.sink_messages(SinkKind::Slack)[0];
    assert!(
        slack["text"].as_str().unwrap().contains("&lt;@1&gt;"),
        "{slack}"
    );

    let discord = &sandbox.sink_messages(SinkKind::Discord)[0];
    assert_eq!(
        discord["allowed_mentions"]["parse"],
        serde_json::json!([]),
        "pings nobody"
    );
    let content = discord["content"].as_str().unwrap();
    assert!(
        content.contains(r"[@everyone \*ship\* \<@1\> \#0 \[x\]\(y\)](<"),
        "{content}"
    );
    assert_eq!(content.matches("\n• ").count(), moved.min(10));

    let teams = &sandbox.sink_messages(SinkKind::Teams)[0];
    let card = &teams["attachments"][0];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    assert!(card["content"]["body"].to_string().contains("FactSet"));

    let report = &sandbox.sink_messages(SinkKind::Json)[0];
    assert!(report.get("notification").is_none() && report.get("notifications").is_none());
    assert_eq!(report["tasks"], doc["tasks"], "the report document");
    assert_eq!(report["updated"], moved);
    assert!(run
        .stderr
        .contains("Summary posted to Slack, Discord, Teams and the JSON endpoint"));
}

#[test]
fn long_titles_are_cut_to_discords_2000_characters() {
    let spec = GeneratedBoard::new(40, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let moved = retitle(&sandbox, &spec, |n| format!("{n} {}", "*_".repeat(150)));
    let run = sweep_to(&sandbox, &spec, &[SinkKind::Discord]);
    run.expect_code(0);
    let sent = sandbox.sink_requests(SinkKind::Discord);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].status, 204, "Discord took it");
    let content = sandbox.sink_messages(SinkKind::Discord)[0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        content.chars().count() <= 2000,
        "{}",
        content.chars().count()
    );
    let listed = content.matches("\n• ").count();
    assert!((1..moved).contains(&listed), "{listed} of {moved}");
    assert!(
        content.contains(&format!("\n…and {} more", moved - listed)),
        "{content}"
    );
}

#[test]
fn a_discord_429_waits_for_its_retry_after_and_is_delivered_once() {
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    sandbox.push_sink_reply(SinkKind::Discord, SinkReply::discord_rate_limited(1.5));
    let run = sweep_to(&sandbox, &spec, &[SinkKind::Discord]);
    run.expect_code(0);
    let sent = sandbox.sink_requests(SinkKind::Discord);
    let statuses: Vec<u16> = sent.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 204], "refused once, then delivered once");
    let waited = sent[1].at - sent[0].at;
    assert!(waited >= Duration::from_millis(1500), "waited {waited:?}");
    assert_eq!(run.json()["notifications"][0]["status"], "sent");
}

#[test]
fn a_teams_400_is_exit_5_and_the_others_still_get_theirs() {
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let expected = overdue(&sandbox, &spec);
    sandbox.push_sink_reply(SinkKind::Teams, SinkReply::teams_bad_request());
    let kinds = [SinkKind::Teams, SinkKind::Slack, SinkKind::Discord];
    let run = sweep_to(&sandbox, &spec, &kinds);
    run.expect_code(5);
    let doc = run.json();
    assert_eq!(
        outcomes(&doc),
        pairs(&[("teams", "failed"), ("slack", "sent"), ("discord", "sent")])
    );
    let error = doc["notifications"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("400") && error.contains("InvalidRequestContent"),
        "{error}"
    );
    assert_eq!(doc["notification"]["status"], "failed");
    assert!(doc["notification"]["error"]
        .as_str()
        .unwrap()
        .starts_with("Teams: "));
    assert_eq!(
        ids_with(&doc, "updated"),
        expected,
        "the sweep's result stands"
    );
    assert_eq!(
        sandbox.sink_requests(SinkKind::Teams).len(),
        1,
        "a 400 is final"
    );
    assert_eq!(sandbox.sink_messages(SinkKind::Slack).len(), 1);
    assert_eq!(sandbox.sink_messages(SinkKind::Discord).len(), 1);
    assert!(
        run.stderr.contains("Summary posted to Slack and Discord. The summary could not be posted to Teams: the webhook answered 400"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_discord_webhook_is_exit_5_in_discords_words() {
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    sandbox.push_sink_reply(SinkKind::Discord, SinkReply::discord_unknown_webhook());
    let run = sweep_to(&sandbox, &spec, &[SinkKind::Discord]);
    run.expect_code(5);
    let error = run.json()["notifications"][0]["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        error.contains("404") && error.contains("Unknown Webhook (10015)"),
        "{error}"
    );
    assert_eq!(
        sandbox.sink_requests(SinkKind::Discord).len(),
        1,
        "a 404 is final"
    );
}

#[test]
fn sweep_notify_holds_several_urls() {
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let both = format!(
        " {}\n  {} ",
        prefixed(&sandbox, SinkKind::Discord),
        prefixed(&sandbox, SinkKind::Json)
    );
    let env = with(env_for(&sandbox), "SWEEP_NOTIFY", &both);
    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--output", "json", "-vv"],
        &env,
    );
    run.expect_code(0);
    assert_no_secret(&run);
    assert_eq!(
        outcomes(&run.json()),
        pairs(&[("slack", "sent"), ("discord", "sent"), ("json", "sent")]),
        "SLACK_WEBHOOK_URL stays, as one Slack target"
    );
    for kind in [SinkKind::Slack, SinkKind::Discord, SinkKind::Json] {
        assert_eq!(sandbox.sink_messages(kind).len(), 1, "{kind:?}");
    }
}

#[test]
fn a_url_of_no_known_kind_is_a_usage_error_that_does_not_show_it() {
    let spec = GeneratedBoard::new(10, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let url = sandbox.sink_url(SinkKind::Json);
    let run = notion_sweep(
        &["sweep", &spec.database_id(), "--notify", &url],
        &env_for(&sandbox),
    );
    run.expect_code(2);
    assert!(run.stderr.contains("json+URL"), "{}", run.stderr);
    assert_no_secret(&run);
    assert!(sandbox.requests().is_empty(), "nothing sent");
    assert!(sandbox.sink_messages(SinkKind::Json).is_empty());
}
