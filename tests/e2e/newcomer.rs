//! What a new user trips on: values from variables and `.env` named as
//! such, near misses, quotes kept by Docker, several URLs in one variable,
//! and errors that look the same and say what to do.

use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SinkKind, SinkReply};

use crate::support::*;

fn board() -> (GeneratedBoard, Sandbox) {
    let spec = GeneratedBoard::new(20, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    (spec, sandbox)
}

/// A working directory with this `./.env`.
fn with_dotenv(text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("notion-sweep-newcomer-{}", fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".env"), text).unwrap();
    dir
}

#[test]
fn a_value_docker_passed_with_its_quotes_is_explained() {
    let (spec, sandbox) = board();
    let run = notion_sweep(
        &["sweep", &spec.database_id()],
        &with(env_for(&sandbox), "SWEEP_FROM", "'To Do'"),
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("is wrapped in quotes"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--env-file"), "{}", run.stderr);
    assert!(sandbox.requests().is_empty());
}

#[test]
fn variables_are_named_as_variables_and_near_misses_are_warned_of() {
    let (spec, sandbox) = board();
    let dir = with_dotenv("SWEEP_DRY_RUNN=true\n");
    let run = finish(start_in(
        &dir,
        &["sweep", &spec.database_id()],
        &env_for(&sandbox),
    ));
    run.expect_code(0);
    assert!(
        run.stderr.contains("SWEEP_DRY_RUNN")
            && run.stderr.contains("did you mean 'SWEEP_DRY_RUN'?"),
        "{}",
        run.stderr
    );
    let dir = with_dotenv("NOTION_RATE=0\n");
    let run = finish(start_in(
        &dir,
        &["sweep", &spec.database_id()],
        &without(env_for(&sandbox), "NOTION_RATE"),
    ));
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("invalid value '0' in NOTION_RATE (in ./.env)"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("--rate <R>"), "{}", run.stderr);
    // check validates what a sweep would take from the environment.
    let run = notion_sweep(
        &["check", &spec.database_id()],
        &with(env_for(&sandbox), "SWEEP_LIMIT", "0"),
    );
    run.expect_code(2);
    assert!(run.stderr.contains("in SWEEP_LIMIT"), "{}", run.stderr);
    // A status named by a variable is said to come from it.
    let run = notion_sweep(
        &["sweep", &spec.database_id()],
        &with(env_for(&sandbox), "SWEEP_FROM", "Nope"),
    );
    run.expect_code(3);
    assert!(
        run.stderr.contains("'Nope' (given by SWEEP_FROM)"),
        "{}",
        run.stderr
    );
    let run = notion_sweep(
        &["sweep", &spec.database_id()],
        &with(env_for(&sandbox), "SWEEP_FROM", "To Do,Overdue"),
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("take 'Overdue' out of the open states"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("such as --to Overdue"),
        "{}",
        run.stderr
    );
}

#[test]
fn several_urls_in_one_variable_and_a_url_of_the_wrong_kind() {
    let (spec, sandbox) = board();
    let both = format!(
        "discord+{},json+{}",
        sandbox.sink_url(SinkKind::Discord),
        sandbox.sink_url(SinkKind::Json)
    );
    let env = with(env_for(&sandbox), "SWEEP_NOTIFY", &both);
    notion_sweep(&["sweep", &spec.database_id()], &env).expect_code(0);
    assert_eq!(sandbox.sink_messages(SinkKind::Discord).len(), 1);
    assert_eq!(sandbox.sink_messages(SinkKind::Json).len(), 1);
    let discord = "https://discord.com/api/webhooks/123/supersecretdiscordtoken";
    let run = notion_sweep(
        &["sweep", &spec.database_id()],
        &with(env_for(&sandbox), "SLACK_WEBHOOK_URL", discord),
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("holds a Discord webhook URL"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("supersecret"), "{}", run.stderr);
}

#[test]
fn errors_look_the_same_and_say_what_to_do() {
    let (spec, sandbox) = board();
    // A refused token: one "error:" line, as every other command says it.
    let run = notion_sweep(
        &["sweep", &spec.database_id()],
        &with(env_for(&sandbox), "NOTION_TOKEN", "ntn_wrong_token"),
    );
    run.expect_code(3);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("refused the token"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].starts_with("error: "), "{}", run.stderr);
    // Unreachable Notion: check wrote nothing, exit 3.
    let run = notion_sweep(
        &["check", &spec.database_id(), "--deadline", "2"],
        &with(env_for(&sandbox), "NOTION_API_URL", "http://127.0.0.1:1"),
    );
    run.expect_code(3);
    // The API's root, not its /v1.
    let v1 = format!("{}/v1", sandbox.url());
    let run = notion_sweep(
        &["check", &spec.database_id()],
        &with(env_for(&sandbox), "NOTION_API_URL", &v1),
    );
    run.expect_code(2);
    assert!(run.stderr.contains("ends in /v1"), "{}", run.stderr);
    // A task's link given as the database.
    let task = &sandbox.pages(&spec.data_source_id())[0].id;
    let run = notion_sweep(&["check", task], &env_for(&sandbox));
    run.expect_code(3);
    assert!(
        run.stderr.contains("is a page, not a database"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_summary_that_could_not_be_posted_is_said_once() {
    let (spec, sandbox) = board();
    sandbox.push_sink_reply(SinkKind::Slack, SinkReply::new(404, "channel_not_found"));
    let run = notion_sweep(&["sweep", &spec.database_id()], &env_for(&sandbox));
    run.expect_code(5);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(said.matches("channel_not_found").count(), 1, "{said}");
}

#[test]
fn the_progress_line_has_a_total_once_every_page_is_read() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let (spec, sandbox) = board();
    let command = format!(
        "{} sweep {} 2>&1 >/dev/null",
        env!("CARGO_BIN_EXE_notion-sweep"),
        spec.database_id()
    );
    let run = finish(
        std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_clear()
            .envs(
                with(env_for(&sandbox), "NOTION_RATE", "20")
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    run.expect_code(0);
    let n = spec.overdue_count();
    // Once every page is read the count is the total, and updates count against it.
    assert!(
        run.stdout.contains(&format!("{n} overdue found, ")),
        "{:?}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(" of {n} updated")),
        "{:?}",
        run.stdout
    );
}
