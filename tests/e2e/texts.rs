//! Text from Notion in what leaves the process: a document for machines
//! is valid JSON with the real titles, text for people shows control
//! characters escaped, and no channel gets a secret a title holds.

use notion_sandbox::{Board, GeneratedBoard, PropertyValue, Sandbox, SandboxConfig, SinkKind};

use crate::support::*;

const ODD: &str = "Ship\u{7f}it\u{2028}now \u{1b}[2J";

/// A board whose database title and overdue tasks' titles are `titles`.
fn board_titled(title: &str, titles: &[String]) -> (GeneratedBoard, Sandbox) {
    let spec = GeneratedBoard::new(30, as_of());
    let mut board = Board::generated(&spec);
    board.databases[0].title = title.to_string();
    let probe = Sandbox::spawn(board.clone(), SandboxConfig::default()).unwrap();
    let overdue = overdue(&probe, &spec);
    drop(probe);
    let pages = &mut board.databases[0].data_sources[0].pages;
    for (page, title) in pages
        .iter_mut()
        .filter(|p| overdue.contains(&p.id))
        .zip(titles.iter().cycle())
    {
        page.properties
            .insert("Name".into(), PropertyValue::Text(title.clone()));
    }
    let sandbox = Sandbox::spawn(board, SandboxConfig::default()).unwrap();
    (spec, sandbox)
}

#[test]
fn json_documents_are_valid_json_with_the_real_titles() {
    let (spec, sandbox) = board_titled(ODD, &[ODD.to_string()]);
    let env = env_for(&sandbox);
    let dry = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--dry-run",
            "--output",
            "json",
        ],
        &env,
    );
    dry.expect_code(0);
    let doc = dry.json();
    assert!(
        doc["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["title"] == ODD),
        "the real titles: {doc}"
    );
    let check = notion_sweep(&["check", &spec.database_id(), "--output", "json"], &env);
    check.expect_code(0);
    assert_eq!(check.json()["name"], ODD);
    let schema = notion_sweep(&["schema", &spec.database_id(), "--output", "json"], &env);
    schema.expect_code(0);
    assert_eq!(schema.json()["title"], ODD);
    // A board's name from the settings file, too.
    let config =
        std::env::temp_dir().join(format!("notion-sweep-texts-{}.toml", fastrand::u64(..)));
    std::fs::write(
        &config,
        format!(
            "[[board]]\nname = \"Eng\\u2028Ops\\u007f\"\ndatabase = '{}'\n",
            spec.database_id()
        ),
    )
    .unwrap();
    let boards = notion_sweep(
        &[
            "sweep",
            "--config",
            config.to_str().unwrap(),
            "--dry-run",
            "--output",
            "json",
        ],
        &env,
    );
    boards.expect_code(0);
    assert_eq!(boards.json()["boards"][0]["name"], "Eng\u{2028}Ops\u{7f}");
    let _ = std::fs::remove_file(config);
    // For people, the same titles are shown escaped: no raw control character.
    let text = notion_sweep(&["sweep", &spec.database_id(), "--dry-run"], &env);
    text.expect_code(0);
    assert!(
        text.stdout.contains(r"Ship\u{7f}it\u{2028}now \u{1b}[2J"),
        "{}",
        text.stdout
    );
    for out in [&text.stdout, &text.stderr, &check.stderr] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7f}') && !out.contains('\u{2028}'));
    }
}

#[test]
fn a_title_that_holds_a_secret_reaches_no_channel() {
    let hooks = |sandbox: &Sandbox| {
        [SinkKind::Discord, SinkKind::Teams, SinkKind::Json]
            .map(|k| format!("{}+{}", k.as_str(), sandbox.sink_url(k)))
            .join(" ")
    };
    // The overdue tasks' titles hold the token and the Slack webhook's URL
    // of this very sandbox.
    let (spec, sandbox) = board_titled("Tasks", &["placeholder".to_string()]);
    let titles = [
        format!("token {} leaked", sandbox.token()),
        format!("hook {} leaked", sandbox.sink_url(SinkKind::Slack)),
    ];
    for (page, title) in sandbox
        .pages(&spec.data_source_id())
        .iter()
        .filter(|p| matches!(p.properties.get("Name"), Some(PropertyValue::Text(t)) if t == "placeholder"))
        .zip(titles.iter().cycle())
    {
        sandbox.set_property(&page.id, "Name", PropertyValue::Text(title.clone()));
    }
    let env = with(env_for(&sandbox), "SWEEP_NOTIFY", &hooks(&sandbox));
    let run = notion_sweep(&["sweep", &spec.database_id()], &env);
    run.expect_code(0);
    // (The page links Notion makes from a title are slugs: the secrets'
    // characters are there, but neither secret is.)
    let slack_path = sandbox.sink_url(SinkKind::Slack);
    let slack_path = &slack_path[slack_path.find("/slack").unwrap()..];
    let secrets = [
        sandbox.token(),
        sandbox.sink_url(SinkKind::Slack),
        slack_path.to_string(),
    ];
    for kind in [
        SinkKind::Slack,
        SinkKind::Discord,
        SinkKind::Teams,
        SinkKind::Json,
    ] {
        let messages = sandbox.sink_messages(kind);
        assert_eq!(messages.len(), 1, "{kind:?}");
        let body = messages[0].to_string();
        for secret in &secrets {
            assert!(
                !body.contains(secret.as_str()),
                "{kind:?} got a secret: {body}"
            );
        }
        assert!(body.contains("(redacted)"), "{kind:?}: {body}");
    }
}

#[test]
fn every_channel_gets_a_message_within_its_service_limits() {
    let long_titles: Vec<String> = (0..12)
        .map(|n| {
            format!(
                "{n:02} {}",
                "Migrate the billing & <invoicing> service ".repeat(3)
            )
        })
        .collect();
    let (spec, sandbox) =
        board_titled(&"Quarterly planning & roadmap ".repeat(2_000), &long_titles);
    let hooks = [SinkKind::Discord, SinkKind::Teams]
        .map(|k| format!("{}+{}", k.as_str(), sandbox.sink_url(k)))
        .join(" ");
    let env = with(env_for(&sandbox), "SWEEP_NOTIFY", &hooks);
    let run = notion_sweep(&["sweep", &spec.database_id()], &env);
    run.expect_code(0);
    let slack = &sandbox.sink_messages(SinkKind::Slack)[0];
    let section = slack["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(
        section.chars().count() <= 3000,
        "{}",
        section.chars().count()
    );
    assert!(slack["text"].as_str().unwrap().chars().count() < 4000);
    assert!(section.contains(" more"), "a count of the rest: {section}");
    let discord = &sandbox.sink_messages(SinkKind::Discord)[0];
    assert!(discord["content"].as_str().unwrap().chars().count() <= 2000);
    let teams = sandbox.sink_messages(SinkKind::Teams)[0].to_string();
    assert!(teams.len() < 28 * 1024, "{} bytes", teams.len());
}
