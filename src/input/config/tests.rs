use super::*;

fn load(text: &str, env: &[(&str, &str)]) -> Result<ConfigFile, String> {
    let path = std::env::temp_dir().join(format!(
        "notion-sweep-config-test-{}-{}.toml",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&path, text).unwrap();
    let env = |name: &str| {
        env.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let result = ConfigFile::load(&path, &env).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(path);
    result
}

#[test]
fn top_level_keys_and_board_keys_are_typed_layers() {
    let file = load(
        "rate = 3\nfrom = ['To Do', 'Blocked']\nas_of = 2026-11-22\n[[board]]\nname = 'Eng'\ndatabase = 'db1'\nrate = 10\n[[board]]\nname = 'Ops'\ndata_source = 'ds2'\nto = '-Late'\n",
        &[],
    )
    .unwrap();
    assert_eq!(file.top.rate, Some(3.0));
    assert_eq!(
        file.top.from,
        Some(vec!["To Do".to_string(), "Blocked".to_string()])
    );
    assert_eq!(file.top.as_of, "2026-11-22".parse().ok());
    let [eng, ops] = &file.boards[..] else {
        panic!("two boards")
    };
    assert_eq!(
        (eng.name.as_str(), eng.database.as_deref()),
        ("Eng", Some("db1"))
    );
    assert_eq!(eng.layer.rate, Some(10.0));
    assert_eq!(ops.database, None);
    assert_eq!(ops.layer.data_source.as_deref(), Some("ds2"));
    // A value that starts with '-' is a value, never a flag.
    assert_eq!(ops.layer.to.as_deref(), Some("-Late"));
}

#[test]
fn mistakes_are_named() {
    let cases = [
        ("[[board]]\nname = 'A'\ndatabase = 'x'\nrtae = 3\n", "unknown key 'rtae' in board 'A'"),
        ("colour = 'red'\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "unknown key 'colour' at the top level"),
        ("data_source = 'x'\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "unknown key 'data_source' at the top level"),
        ("[[board]]\nname = 'A'\ndatabase = 'x'\n[[board]]\nname = 'A'\ndatabase = 'y'\n", "two boards are named 'A'"),
        ("[[board]]\nname = 'A'\n", "neither a database nor a data_source"),
        ("[[board]]\ndatabase = 'x'\n", "has no name"),
        ("rate = 3\n", "no [[board]]"),
        ("rate = 0\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "'rate' is not valid: expected requests per second"),
        ("[[board]]\nname = 'A'\ndatabase = 'x'\ntz = 'Mars/Base'\n", "board 'A': 'tz' is not valid"),
        ("[[board]]\nname = 'A'\ndatabase = 'x'\ndry_run = 'yes'\n", "'dry_run' must be true or false"),
        ("[[board]]\nname = 'A'\ndatabase = 'x'\ntoken_env = 'OPS_TOKEN'\n", "OPS_TOKEN, which is not set"),
        ("notify = ['${HOOK}']\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "HOOK (in 'notify') is not set"),
        ("notify = ['https://hooks.slack.com/services/T/B/secret']\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "must come from the environment"),
        ("notify = ['https://hooks.slack.com/services/T/B/secret${SET}']\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "must come from the environment"),
        ("notify = ['${SET}/services/T/B/secret']\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "must come from the environment"),
        ("[[board]\n", "not valid TOML, line 1, column"),
        ("notify = \"https://hooks.slack.com/services/T/B/secret\n[[board]]\n", "not valid TOML, line 1"),
        ("notify = https://hooks.slack.com/services/T/B/secret\n", "not valid TOML, line 1"),
    ];
    for (text, says) in cases {
        let error = load(text, &[("SET", "https://x.example")]).unwrap_err();
        assert!(error.contains(says), "{text}: {error}");
        assert!(!error.contains("hooks.slack.com"), "never echoed: {error}");
        assert!(!error.contains("B/secret"), "never echoed: {error}");
    }
}

#[test]
fn secrets_come_from_the_environment_every_variable_of_them() {
    let file = load(
        "[[board]]\nname = 'A'\ndatabase = 'x'\nslack_webhook = '${HOOK}'\nnotify = ['discord+${BASE}${PATH}']\n",
        &[
            ("HOOK", "https://hooks.slack.com/services/T/B/abc"),
            ("BASE", "https://proxy.example"),
            ("PATH", "/api/webhooks/1/t"),
        ],
    )
    .unwrap();
    let layer = &file.boards[0].layer;
    assert_eq!(
        layer.slack_webhook.as_deref(),
        Some("https://hooks.slack.com/services/T/B/abc")
    );
    assert_eq!(
        layer.notify,
        Some(vec![
            "discord+https://proxy.example/api/webhooks/1/t".to_string()
        ])
    );
}

#[test]
fn boards_are_picked_by_name() {
    let file = load(
        "[[board]]\nname = 'A'\ndatabase = 'x'\n[[board]]\nname = 'B'\ndatabase = 'y'\n",
        &[],
    )
    .unwrap();
    let picked = file.pick(&["B".into()]).unwrap();
    assert_eq!(picked.len(), 1);
    assert_eq!(picked[0].name, "B");
    assert_eq!(file.pick(&[]).unwrap().len(), 2);
    let error = file.pick(&["C".into()]).unwrap_err().to_string();
    assert!(error.contains("--board 'C' is not in") && error.contains("its boards are A, B"));
}

#[test]
fn the_keys_of_stale_and_digest_are_read_as_their_flags() {
    let file = load(
        "status = ['Doing', 'Review']\nidle = 14\nsince = 72\n[[board]]\nname = 'Eng'\ndatabase = 'db1'\nstatus = 'Doing'\nmove_to = 'Stalled'\n",
        &[],
    )
    .unwrap();
    assert_eq!(
        file.top.status,
        Some(vec!["Doing".to_string(), "Review".to_string()])
    );
    assert_eq!((file.top.idle, file.top.since), (Some(14), Some(72)));
    let eng = &file.boards[0].layer;
    assert_eq!(eng.status, Some(vec!["Doing".to_string()]));
    assert_eq!(eng.move_to.as_deref(), Some("Stalled"));
    for (text, says) in [
        (
            "idle = 0\n[[board]]\nname = 'A'\ndatabase = 'x'\n",
            "'idle' is not valid: expected a number of days",
        ),
        (
            "[[board]]\nname = 'A'\ndatabase = 'x'\nsince = 0\n",
            "'since' is not valid: expected a number of hours",
        ),
    ] {
        let error = load(text, &[]).unwrap_err();
        assert!(error.contains(says), "{error}");
    }
}
