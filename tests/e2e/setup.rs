//! Setup failures: exit 3, a message that says what to do, and no write.

use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SinkKind, DEMO_DATABASE_ID};

use crate::support::*;

fn sandbox() -> (GeneratedBoard, Sandbox) {
    let spec = GeneratedBoard::new(40, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    (spec, sandbox)
}

/// Runs a sweep that must stop in setup; returns stderr.
#[track_caller]
fn setup_failure(sandbox: &Sandbox, args: &[&str], env: &[(String, String)]) -> String {
    let run = notion_sweep(args, env);
    run.expect_code(3);
    assert!(requests(sandbox, "PATCH").is_empty(), "nothing written");
    assert!(
        sandbox.sink_messages(SinkKind::Slack).is_empty(),
        "nothing posted"
    );
    run.stderr
}

#[test]
fn a_missing_option_is_named_with_the_options_there_are() {
    let (spec, sandbox) = sandbox();
    let err = setup_failure(
        &sandbox,
        &["sweep", &spec.database_id(), "--to", "Late"],
        &env_for(&sandbox),
    );
    assert!(err.contains("no option 'Late' (given by --to)"), "{err}");
    assert!(err.contains("'Overdue'"), "the options are listed: {err}");
}

#[test]
fn a_near_miss_says_did_you_mean() {
    let (spec, sandbox) = sandbox();
    let err = setup_failure(
        &sandbox,
        &["sweep", &spec.database_id(), "--to", "overdue"],
        &env_for(&sandbox),
    );
    assert!(err.contains("did you mean 'Overdue'?"), "{err}");
    let err = setup_failure(
        &sandbox,
        &["sweep", &spec.database_id(), "--from", "To do"],
        &env_for(&sandbox),
    );
    assert!(err.contains("did you mean 'To Do'?"), "{err}");
    let err = setup_failure(
        &sandbox,
        &["sweep", &spec.database_id(), "--date-property", "due date"],
        &env_for(&sandbox),
    );
    assert!(err.contains("no property 'due date'"), "{err}");
    assert!(err.contains("did you mean 'Due Date'?"), "{err}");
}

#[test]
fn wrong_property_types_are_refused() {
    let (spec, sandbox) = sandbox();
    let err = setup_failure(
        &sandbox,
        &["sweep", &spec.database_id(), "--date-property", "Name"],
        &env_for(&sandbox),
    );
    assert!(
        err.contains("'Name' is of type title; the due date property must be of type date"),
        "{err}"
    );
    let err = setup_failure(
        &sandbox,
        &[
            "sweep",
            &spec.database_id(),
            "--status-property",
            "Due Date",
        ],
        &env_for(&sandbox),
    );
    assert!(err.contains("must be of type status or select"), "{err}");
}

#[test]
fn a_refused_token_is_a_setup_error() {
    let (spec, sandbox) = sandbox();
    let env = with(env_for(&sandbox), "NOTION_TOKEN", "ntn_not_the_right_one");
    let run = notion_sweep(&["sweep", &spec.database_id(), "--output", "json"], &env);
    run.expect_code(3);
    assert!(
        run.stderr.contains("Notion refused the token"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("NOTION_TOKEN"), "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["exit_code"], 3);
    assert_eq!(doc["error"]["status"], 401);
    assert_eq!(doc["error"]["code"], "unauthorized");
    assert!(
        doc["error"]["request_id"].is_string(),
        "Notion's request id is kept"
    );
    assert!(requests(&sandbox, "PATCH").is_empty());
    assert_eq!(sandbox.requests().len(), 1, "no retry of a 401");
}

#[test]
fn an_unshared_database_says_how_to_share_it() {
    let spec = GeneratedBoard::new(10, as_of());
    let mut board = Board::generated(&spec);
    assert!(board.set_shared(&spec.database_id(), false));
    let sandbox = Sandbox::spawn(board, SandboxConfig::default()).unwrap();
    let err = setup_failure(
        &sandbox,
        &["sweep", &spec.database_id()],
        &env_for(&sandbox),
    );
    assert!(err.contains("not shared with the integration"), "{err}");
    assert!(err.contains("Connections"), "{err}");
    assert!(err.contains("object_not_found"), "{err}");
}

#[test]
fn several_data_sources_need_a_choice() {
    let sandbox =
        Sandbox::spawn(Board::demo_multi_source(as_of()), SandboxConfig::default()).unwrap();
    let err = setup_failure(&sandbox, &["sweep", DEMO_DATABASE_ID], &env_for(&sandbox));
    assert!(err.contains("choose one with --data-source"), "{err}");
    assert!(err.contains("'Tasks'"), "{err}");

    let err = setup_failure(
        &sandbox,
        &["sweep", DEMO_DATABASE_ID, "--data-source", "tasks"],
        &env_for(&sandbox),
    );
    assert!(err.contains("did you mean 'Tasks'?"), "{err}");

    let run = notion_sweep(
        &[
            "sweep",
            DEMO_DATABASE_ID,
            "--data-source",
            "Tasks",
            "--dry-run",
            "--output",
            "json",
        ],
        &env_for(&sandbox),
    );
    run.expect_code(0);
    assert!(run.json()["matched"].as_u64().unwrap() > 0);
}

#[test]
fn check_reports_what_a_sweep_would_use_and_writes_nothing() {
    let (spec, sandbox) = sandbox();
    let run = notion_sweep(&["check", &spec.database_id()], &env_for(&sandbox));
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("'Status' (status): 'To Do' → 'Overdue'"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("'Due Date' (date)"), "{}", run.stdout);
    assert!(requests(&sandbox, "PATCH").is_empty());

    let bad = notion_sweep(
        &["check", &spec.database_id(), "--to", "Gone"],
        &env_for(&sandbox),
    );
    bad.expect_code(3);
    assert!(bad.stderr.contains("no option 'Gone'"), "{}", bad.stderr);
}

#[test]
fn schema_lists_properties_and_options() {
    let (spec, sandbox) = sandbox();
    let run = notion_sweep(&["schema", &spec.database_id()], &env_for(&sandbox));
    run.expect_code(0);
    assert!(run.stdout.contains("Due Date"), "{}", run.stdout);
    assert!(run.stdout.contains("'To Do', "), "{}", run.stdout);
    let json = notion_sweep(
        &["schema", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    );
    json.expect_code(0);
    let doc = json.json();
    let props = doc["data_sources"][0]["properties"].as_array().unwrap();
    let status = props.iter().find(|p| p["name"] == "Status").unwrap();
    assert_eq!(status["type"], "status");
    assert!(status["options"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "Overdue"));
    assert!(requests(&sandbox, "PATCH").is_empty());
}

#[test]
fn the_notion_version_header_follows_the_setting() {
    let (spec, sandbox) = sandbox();
    let env = with(env_for(&sandbox), "NOTION_VERSION", "2022-06-28");
    let err = setup_failure(&sandbox, &["sweep", &spec.database_id()], &env);
    assert!(err.contains("--notion-version"), "{err}");
    let sent = sandbox.requests()[0]
        .header("notion-version")
        .map(str::to_string);
    assert_eq!(sent.as_deref(), Some("2022-06-28"));
}

/// The widely copied script asks for a data source's ID; given as the
/// database, it is tried as a data source, swept, and named once.
#[test]
fn a_data_source_id_given_as_the_database_is_swept_as_one() {
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let env = env_for(&sandbox);
    let check = notion_sweep(&["check", &spec.data_source_id()], &env);
    check.expect_code(0);
    assert!(check.stderr.contains("--data-source"), "{}", check.stderr);
    let run = notion_sweep(&["sweep", &spec.data_source_id(), "--output", "json"], &env);
    run.expect_code(0);
    assert_eq!(run.json()["updated"], spec.overdue_count());
    assert_eq!(run.json()["data_source_id"], spec.data_source_id());
    assert_eq!(run.json()["database_id"], spec.database_id());
    assert_eq!(run.stderr.matches("--data-source").count(), 1, "said once");
}

/// NOTION_DATA_SOURCE_ID, the script's name, is another name for NOTION_DATA_SOURCE.
#[test]
fn notion_data_source_id_is_read_as_the_data_source() {
    let spec = GeneratedBoard::new(20, as_of());
    let sandbox = serve(&spec, SandboxConfig::default());
    let env = with(
        env_for(&sandbox),
        "NOTION_DATA_SOURCE_ID",
        &spec.data_source_id(),
    );
    let run = notion_sweep(&["sweep", "--output", "json"], &env);
    run.expect_code(0);
    assert_eq!(run.json()["updated"], spec.overdue_count());
    assert!(
        !sandbox
            .requests()
            .iter()
            .any(|r| r.path.starts_with("/v1/databases/")),
        "an ID skips the database lookup"
    );
}

/// A setup failure reads as one: no result on standard output, and the
/// error once on standard error, saying what happened.
#[test]
fn an_unreachable_notion_is_said_once_and_not_as_a_result() {
    let (spec, sandbox) = sandbox();
    let env = with(
        with(env_for(&sandbox), "NOTION_API_URL", "http://127.0.0.1:9"),
        "NOTION_MAX_RETRIES",
        "0",
    );
    let run = notion_sweep(&["sweep", &spec.database_id()], &env);
    assert_ne!(run.code, 0);
    assert_eq!(run.stdout, "", "no result: nothing was read");
    assert!(!run.stderr.contains("No overdue tasks"), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("could not reach Notion").count(),
        1,
        "once: {}",
        run.stderr
    );
    let json = notion_sweep(&["sweep", &spec.database_id(), "--output", "json"], &env);
    assert_eq!(json.json()["exit_code"], json.code);
    assert_eq!(
        json.stderr.matches("could not reach Notion").count(),
        1,
        "once: {}",
        json.stderr
    );
}

/// `check` says where a sweep would post, by kind, never by URL.
#[test]
fn check_names_the_notification_targets() {
    let (spec, sandbox) = sandbox();
    let discord = sandbox.sink_url(SinkKind::Discord);
    let env = with(
        env_for(&sandbox),
        "SWEEP_NOTIFY",
        &format!("discord+{discord}"),
    );
    let run = notion_sweep(&["check", &spec.database_id()], &env);
    run.expect_code(0);
    assert!(
        run.stdout.contains("Notify:       Slack, Discord"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains(&discord) && !run.stdout.contains(&sandbox.sink_url(SinkKind::Slack))
    );
    let json = notion_sweep(&["check", &spec.database_id(), "--output", "json"], &env);
    assert_eq!(
        json.json()["notify"],
        serde_json::json!(["Slack", "Discord"])
    );
    let none = notion_sweep(
        &["check", &spec.database_id()],
        &without(env_for(&sandbox), "SLACK_WEBHOOK_URL"),
    );
    assert!(
        none.stdout.contains("Notify:       not configured"),
        "{}",
        none.stdout
    );
}

/// `--output markdown` works for `check` and `schema` too.
#[test]
fn check_and_schema_speak_markdown() {
    let (spec, sandbox) = sandbox();
    let check = notion_sweep(
        &["check", &spec.database_id(), "--output", "markdown"],
        &env_for(&sandbox),
    );
    check.expect_code(0);
    assert!(
        check.stdout.starts_with("### notion-sweep check: "),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("|---|---|"), "{}", check.stdout);
    let schema = notion_sweep(
        &["schema", &spec.database_id(), "--output", "markdown"],
        &env_for(&sandbox),
    );
    schema.expect_code(0);
    assert!(
        schema.stdout.contains("| Property | Type | Options |"),
        "{}",
        schema.stdout
    );
    assert!(
        schema.stdout.contains("| Status | status |"),
        "{}",
        schema.stdout
    );
}
