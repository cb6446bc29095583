use super::*;

fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

fn targets(slack: Option<&str>, notify: &[&str]) -> Result<Vec<(ChannelKind, String)>, UsageError> {
    let layer = Layer {
        slack_webhook: slack.map(str::to_string),
        notify: Some(notify.iter().map(|s| s.to_string()).collect()),
        ..Layer::default()
    };
    Ok(channels(&layer)?
        .into_iter()
        .map(|t| (t.kind, t.url.expose_secret().to_string()))
        .collect())
}

#[test]
fn the_slack_webhook_and_every_notify_url_are_targets_once_each() {
    let slack = "https://hooks.slack.com/services/T/B/k";
    let discord = "https://discord.com/api/webhooks/1/t";
    let got = targets(
        Some(slack),
        &[&format!(" {discord}\n\tjson+http://127.0.0.1:9/in "), slack],
    )
    .unwrap();
    assert_eq!(
        got,
        [
            (ChannelKind::Slack, slack.to_string()),
            (ChannelKind::Discord, discord.to_string()),
            (ChannelKind::Json, "http://127.0.0.1:9/in".to_string()),
        ]
    );
    assert!(targets(None, &["", "  "]).unwrap().is_empty());
    let error = targets(None, &["https://example.com/secretpart"]).unwrap_err();
    assert!(
        error.message.starts_with("--notify / SWEEP_NOTIFY: "),
        "{error}"
    );
    assert!(!error.message.contains("secretpart"), "{error}");
}

fn config(text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "notion-sweep-settings-test-{}-{}.toml",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&path, text).unwrap();
    path
}

const ENV: &[(&str, &str)] = &[
    ("NOTION_TOKEN", "ntn_main"),
    ("OPS_TOKEN", "ntn_ops"),
    ("HOOK", "https://hooks.slack.com/services/T/B/file"),
    ("TZ", "UTC"),
];

#[test]
fn precedence_flag_then_board_then_top_then_default() {
    let path = config(
        "rate = 4\nto = 'Late'\nnotify = ['${HOOK}']\n\
         [[board]]\nname = 'Eng'\ndatabase = '2f26ee68df304251aad48ddc420cba3d'\nrate = 10\n\
         [[board]]\nname = 'Ops'\ndata_source = '248104cd477e80afbc30000bd28de8f9'\ntoken_env = 'OPS_TOKEN'\nto = '-Late'\n",
    );
    let line = CommandLine {
        config: Some(path.clone()),
        layer: Layer {
            limit: Some(7),
            notify: Some(vec!["json+http://127.0.0.1:9/in".into()]),
            ..Layer::default()
        },
        ..CommandLine::default()
    };
    let env = env_of(ENV);
    let boards = boards(&line, &env).unwrap();
    let _ = std::fs::remove_file(path);
    let [eng, ops] = &boards[..] else {
        panic!("two boards")
    };
    assert_eq!(eng.name.as_deref(), Some("Eng"));
    assert_eq!(eng.client.rate, 10.0, "the board's key");
    assert_eq!(ops.client.rate, 4.0, "the top level's");
    assert_eq!(eng.writes.limit, Some(7), "the flag");
    assert_eq!(eng.rule.to, "Late");
    assert_eq!(
        ops.rule.to, "-Late",
        "a value that starts with '-' is a value"
    );
    assert_eq!(eng.rule.from, ["To Do"], "the default");
    assert_eq!(eng.client.token.expose_secret(), "ntn_main");
    assert_eq!(ops.client.token.expose_secret(), "ntn_ops");
    assert!(ops.source.database.is_none());
    for board in [eng, ops] {
        let kinds: Vec<_> = board.notify.channels.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ChannelKind::Slack, ChannelKind::Json],
            "they add up"
        );
    }
}

#[test]
fn a_board_value_that_looks_like_a_flag_is_only_a_value() {
    let path = config("[[board]]\nname = 'Eng'\ndatabase = '--api-url=http://127.0.0.1:1'\n");
    let line = CommandLine {
        config: Some(path.clone()),
        ..CommandLine::default()
    };
    let env = env_of(ENV);
    let error = boards(&line, &env).unwrap_err();
    let _ = std::fs::remove_file(path);
    assert!(
        error
            .message
            .starts_with("board 'Eng': '--api-url=http://127.0.0.1:1' is not a Notion database"),
        "{error}"
    );
}

#[test]
fn a_boards_token_env_wins_over_the_token_file() {
    let path = config(
        "[[board]]\nname = 'Ops'\ndatabase = '2f26ee68df304251aad48ddc420cba3d'\ntoken_env = 'OPS_TOKEN'\n",
    );
    let line = CommandLine {
        config: Some(path.clone()),
        token_file: Some("/nonexistent/token".into()),
        ..CommandLine::default()
    };
    let env = env_of(ENV);
    let boards = boards(&line, &env).unwrap();
    let _ = std::fs::remove_file(path);
    assert_eq!(boards[0].client.token.expose_secret(), "ntn_ops");
}

#[test]
fn stale_statuses_are_named_once_and_never_the_place_stale_tasks_move_to() {
    let layer = |status: &[&str], move_to: Option<&str>| Layer {
        status: Some(status.iter().map(|s| s.to_string()).collect()),
        move_to: move_to.map(str::to_string),
        ..Layer::default()
    };
    let rule = stale(&layer(&["Doing", " Review", "Doing"], Some("Stalled"))).unwrap();
    assert_eq!(rule.statuses, ["Doing", "Review"]);
    assert_eq!(rule.move_to.as_deref(), Some("Stalled"));
    assert_eq!(rule.idle_days, defaults::STALE_IDLE);
    let default = stale(&Layer::default()).unwrap();
    assert_eq!(default.statuses, [defaults::STALE_STATUS]);
    assert_eq!(default.move_to, None);
    for (status, move_to, says) in [
        (
            &["Doing", "Review"][..],
            Some("Review"),
            "--move-to 'Review' (given by --move-to) is one of the statuses",
        ),
        (
            &["Doing", ""][..],
            None,
            "--status / STALE_STATUS holds an empty status name",
        ),
        (&["'Doing'"][..], None, "is wrapped in quotes"),
        (&["Doing"][..], Some(" "), "--move-to is empty"),
    ] {
        let error = stale(&layer(status, move_to)).unwrap_err();
        assert_eq!(error.kind, crate::input::UsageKind::Value);
        assert!(error.message.contains(says), "{}", error.message);
    }
}
