//! The token and the webhook URL never reach any output, at any verbosity.

use notion_sandbox::{GeneratedBoard, SandboxConfig, SinkKind, SinkReply};

use crate::support::*;

const TOKEN: &str = "ntn_S3CR3T_do_not_print_4242";

#[track_caller]
fn assert_clean(run: &Run, webhook: &str) {
    let secret_path = webhook.rsplit('/').next().unwrap();
    for (name, stream) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(!stream.contains(TOKEN), "the token is in {name}:\n{stream}");
        assert!(
            !stream.contains("S3CR3T"),
            "part of the token is in {name}:\n{stream}"
        );
        assert!(
            !stream.contains(webhook),
            "the webhook URL is in {name}:\n{stream}"
        );
        assert!(
            !stream.contains(secret_path),
            "the webhook's secret is in {name}:\n{stream}"
        );
    }
}

#[test]
fn secrets_stay_out_of_every_output() {
    let spec = GeneratedBoard::new(40, as_of());
    let config = SandboxConfig {
        token: TOKEN.into(),
        ..SandboxConfig::default()
    };
    let sandbox = serve(&spec, config);
    let webhook = sandbox.sink_url(SinkKind::Slack);
    let env = env_for(&sandbox);
    assert_eq!(env[0].1, TOKEN);
    let db = spec.database_id();

    // Success, at every verbosity and with everything's trace logging on.
    for args in [
        vec!["sweep", &db, "--dry-run", "-vv"],
        vec!["check", &db, "-vv"],
        vec!["sweep", &db, "-vv"],
    ] {
        let run = notion_sweep(&args, &env);
        run.expect_code(0);
        assert_clean(&run, &webhook);
    }
    let traced = notion_sweep(
        &["sweep", &db, "--output", "json"],
        &with(env.clone(), "RUST_LOG", "trace"),
    );
    traced.expect_code(0);
    assert_clean(&traced, &webhook);

    // Failures: a refused token, a refused webhook, an unreachable webhook.
    let wrong = with(env.clone(), "NOTION_TOKEN", "ntn_S3CR3T_wrong");
    let run = notion_sweep(&["sweep", &db, "-vv"], &wrong);
    run.expect_code(3);
    assert!(!run.stderr.contains("ntn_S3CR3T_wrong"));
    assert_clean(&run, &webhook);

    sandbox.push_sink_reply(SinkKind::Slack, SinkReply::new(404, "channel_not_found"));
    sandbox.set_property(
        &sandbox.pages(&spec.data_source_id())[0].id.clone(),
        "Status",
        notion_sandbox::PropertyValue::option("To Do"),
    );
    sandbox.set_property(
        &sandbox.pages(&spec.data_source_id())[0].id.clone(),
        "Due Date",
        notion_sandbox::PropertyValue::date("2026-11-01"),
    );
    let run = notion_sweep(&["sweep", &db, "-vv", "--output", "json"], &env);
    run.expect_code(5);
    assert!(run.stderr.contains("channel_not_found"), "{}", run.stderr);
    assert_clean(&run, &webhook);

    let unreachable = "https://127.0.0.1:9/services/T000/B000/S3CR3Tpath";
    let run = notion_sweep(
        &["sweep", &db, "-vv", "--notify-empty"],
        &with(env.clone(), "SLACK_WEBHOOK_URL", unreachable),
    );
    run.expect_code(5);
    assert_clean(&run, unreachable);
    assert_clean(&run, &webhook);
}
