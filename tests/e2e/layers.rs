//! The settings file as one typed layer: `check` and `schema` get the same
//! boards and notification targets as `sweep`, and a board's value is a
//! value, never a flag, whatever it starts with.

use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SinkKind};

use crate::support::*;

fn write_config(text: &str) -> String {
    let path = std::env::temp_dir().join(format!(
        "notion-sweep-layers-{}-{}.toml",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn board() -> (GeneratedBoard, Sandbox) {
    let spec = GeneratedBoard::new(20, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    (spec, sandbox)
}

fn env(sandbox: &Sandbox) -> Vec<(String, String)> {
    let env = without(env_for(sandbox), "SLACK_WEBHOOK_URL");
    let env = with(env, "TEAM_SLACK", &sandbox.sink_url(SinkKind::Slack));
    with(env, "TEAM_DISCORD", &sandbox.sink_url(SinkKind::Discord))
}

#[test]
fn check_names_the_targets_each_board_of_the_file_would_post_to() {
    let (spec, sandbox) = board();
    let path = write_config(&format!(
        "notify = ['slack+${{TEAM_SLACK}}']\n\
         [[board]]\nname = 'Eng'\ndatabase = '{db}'\n\
         [[board]]\nname = 'Ops'\ndatabase = '{db}'\nnotify = ['discord+${{TEAM_DISCORD}}']\n\
         [[board]]\nname = 'Quiet'\ndatabase = '{db}'\nnotify = []\n",
        db = spec.database_id()
    ));
    let run = notion_sweep(&["check", "--config", &path], &env(&sandbox));
    run.expect_code(0);
    let sections: Vec<&str> = run.stdout.split("== ").skip(1).collect();
    assert_eq!(sections.len(), 3, "{}", run.stdout);
    let notify = |section: &str| {
        section
            .lines()
            .find(|l| l.starts_with("Notify:"))
            .unwrap_or_else(|| panic!("a Notify line: {section}"))
            .trim_start_matches("Notify:")
            .trim()
            .to_string()
    };
    assert!(sections[0].starts_with("Eng"));
    assert_eq!(notify(sections[0]), "Slack", "the top level's target");
    assert_eq!(notify(sections[1]), "Discord", "the board's own target");
    assert_eq!(
        notify(sections[2]),
        "not configured",
        "a board's empty list replaces the top level's"
    );

    let run = notion_sweep(
        &["check", "--config", &path, "--output", "json"],
        &with(env(&sandbox), "SWEEP_NOTIFY", "json+http://127.0.0.1:9/in"),
    );
    run.expect_code(0);
    let doc = run.json();
    let targets: Vec<_> = doc["boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].clone(), b["notify"].clone()))
        .collect();
    assert_eq!(
        targets,
        [
            (
                "Eng".into(),
                serde_json::json!(["Slack", "the JSON endpoint"])
            ),
            (
                "Ops".into(),
                serde_json::json!(["Discord", "the JSON endpoint"])
            ),
            ("Quiet".into(), serde_json::json!(["the JSON endpoint"])),
        ],
        "the file's and the variable's add up, as a sweep's do"
    );
    assert!(!run.stdout.contains("sandboxsecret") && !run.stderr.contains("sandboxsecret"));
}

#[test]
fn a_board_value_that_starts_with_a_dash_is_a_value() {
    let (spec, sandbox) = board();
    let path = write_config(&format!(
        "[[board]]\nname = 'Eng'\ndatabase = '{db}'\nto = '-Late'\n",
        db = spec.database_id()
    ));
    let run = notion_sweep(&["check", "--config", &path], &env(&sandbox));
    // Read as the status '-Late', which the board lacks: a schema error, not a flag.
    run.expect_code(3);
    assert!(
        run.stderr
            .contains("has no option '-Late' (given by 'to' of board 'Eng' in "),
        "{}",
        run.stderr
    );
    let sent = sandbox.requests().len();
    let path = write_config(&format!(
        "[[board]]\nname = 'Eng'\ndatabase = '--api-url=http://127.0.0.1:1'\napi_url = '{url}'\n",
        url = sandbox.url()
    ));
    let run = notion_sweep(&["sweep", "--config", &path], &env(&sandbox));
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("board 'Eng': '--api-url=http://127.0.0.1:1' is not a Notion database"),
        "{}",
        run.stderr
    );
    assert_eq!(sandbox.requests().len(), sent, "nothing was sent");
}

#[test]
fn a_syntax_error_names_the_line_and_column_never_its_text() {
    let (_, sandbox) = board();
    let secret = "https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx";
    for text in [
        format!("notify = \"{secret}\n[[board]]\nname = 'A'\n"),
        format!("rate = 3\nnotify = {secret}\n"),
    ] {
        let path = write_config(&text);
        let run = notion_sweep(&["sweep", "--config", &path], &env(&sandbox));
        run.expect_code(2);
        assert!(
            run.stderr.contains("is not valid TOML, line "),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(", column "), "{}", run.stderr);
        assert!(!run.stderr.contains("hooks.slack.com"), "{}", run.stderr);
        assert!(!run.stderr.contains("abcdefghijklmnop"), "{}", run.stderr);
    }
}

#[test]
fn every_variable_of_a_secret_is_expanded_and_literal_secrets_are_refused() {
    let (spec, sandbox) = board();
    let slack = sandbox.sink_url(SinkKind::Slack);
    let (base, path) = slack.split_at(slack.find("/slack").unwrap());
    let env = with(with(env(&sandbox), "HOOK_BASE", base), "HOOK_PATH", path);
    let file = write_config(&format!(
        "[[board]]\nname = 'A'\ndatabase = '{}'\nnotify = ['slack+${{HOOK_BASE}}${{HOOK_PATH}}']\n",
        spec.database_id()
    ));
    notion_sweep(&["sweep", "--config", &file], &env).expect_code(0);
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "posted to A+B"
    );
    let literal = write_config(&format!(
        "[[board]]\nname = 'A'\ndatabase = '{}'\nnotify = ['slack+{path}${{HOOK_BASE}}']\n",
        spec.database_id()
    ));
    let run = notion_sweep(&["sweep", "--config", &literal], &env);
    run.expect_code(2);
    assert!(
        run.stderr.contains("must come from the environment"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("sandboxsecret"), "{}", run.stderr);
}

#[test]
fn a_boards_own_settings_are_its_own() {
    let (spec, sandbox) = board();
    let token_file = std::env::temp_dir().join(format!("notion-sweep-wrong-{}", fastrand::u64(..)));
    std::fs::write(&token_file, "ntn_not_this_workspace\n").unwrap();
    let env = with(env(&sandbox), "OPS_TOKEN", &sandbox.token());
    let env = with(env, "OPS_SLACK", &sandbox.sink_url(SinkKind::Slack));
    let env = with(env, "SLACK_WEBHOOK_URL", &sandbox.sink_url(SinkKind::Json));
    let env = with(env, "NOTION_TOKEN_FILE", &token_file.display().to_string());
    let file = write_config(&format!(
        "[[board]]\nname = 'Ops'\ndatabase = '{}'\ntoken_env = 'OPS_TOKEN'\nslack_webhook = '${{OPS_SLACK}}'\n",
        spec.database_id()
    ));
    // The board's token wins over the token file; its Slack webhook adds
    // up with SLACK_WEBHOOK_URL (here a second sink, that takes any JSON).
    notion_sweep(&["sweep", "--config", &file], &env).expect_code(0);
    assert_eq!(sandbox.sink_messages(SinkKind::Slack).len(), 1);
    assert_eq!(sandbox.sink_messages(SinkKind::Json).len(), 1);
    // A refused token is named by where it came from.
    let env = with(env, "OPS_TOKEN", "ntn_revoked_long_ago");
    let run = notion_sweep(&["sweep", "--config", &file], &env);
    run.expect_code(3);
    assert!(
        run.stderr.contains("check that OPS_TOKEN holds"),
        "{}",
        run.stderr
    );
    let run = notion_sweep(
        &["check", &spec.database_id()],
        &with(env, "NOTION_TOKEN", "x"),
    );
    run.expect_code(3);
    assert!(
        run.stderr.contains("check that the token file "),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_file(token_file);
}
