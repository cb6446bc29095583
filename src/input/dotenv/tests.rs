use super::*;

fn one(line: &str) -> (String, String) {
    let pairs = parse(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    assert_eq!(pairs.len(), 1, "{line:?}");
    pairs.into_iter().next().unwrap()
}

fn value(line: &str) -> String {
    one(line).1
}

fn problem(text: &str) -> (usize, Problem) {
    match parse(text) {
        Err(DotenvError::Syntax { line, problem, .. }) => (line, problem),
        other => panic!("{text:?}: expected a syntax error, got {other:?}"),
    }
}

/// A directory of its own for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "notion-sweep-dotenv-{}-{name}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn unquoted_values_run_to_the_end_of_the_line() {
    assert_eq!(
        one("SWEEP_FROM=To Do,Blocked"),
        ("SWEEP_FROM".into(), "To Do,Blocked".into())
    );
    assert_eq!(value("A=  padded value  "), "padded value");
    assert_eq!(value("A=\tTab\t"), "Tab");
    assert_eq!(value("A="), "");
    assert_eq!(value("A=a=b=c"), "a=b=c");
    assert_eq!(value("A=it's"), "it's");
    assert_eq!(value("A=say \"hi\""), "say \"hi\"");
    assert_eq!(
        value("A=https://x.test/?a=1&b=2"),
        "https://x.test/?a=1&b=2"
    );
}

#[test]
fn an_inline_hash_in_an_unquoted_value_is_kept() {
    assert_eq!(value("A=Done #2"), "Done #2");
    assert_eq!(value("A=#ff0000"), "#ff0000");
    assert_eq!(value("A=x # not a comment"), "x # not a comment");
}

#[test]
fn quotes_are_removed() {
    assert_eq!(value("A='To Do'"), "To Do");
    assert_eq!(value("A=\"To Do\""), "To Do");
    assert_eq!(value("A=''"), "");
    assert_eq!(value("A=\"\""), "");
    assert_eq!(value("A=  'x'  "), "x");
    assert_eq!(value("A='x' # comment"), "x");
    assert_eq!(value("A=\"x\"\t# comment"), "x");
    assert_eq!(value("A='a # b'"), "a # b");
}

#[test]
fn single_quotes_are_literal() {
    assert_eq!(value(r"A='a\nb\\c\'"), r"a\nb\\c\");
    assert_eq!(value("A='say \"hi\"'"), "say \"hi\"");
}

#[test]
fn double_quotes_know_three_escapes() {
    assert_eq!(value(r#"A="a\"b""#), "a\"b");
    assert_eq!(value(r#"A="a\\b""#), "a\\b");
    assert_eq!(value(r#"A="a\nb""#), "a\nb");
    assert_eq!(value(r#"A="a\tb""#), "a\\tb");
    assert_eq!(value(r#"A="it's""#), "it's");
    assert_eq!(value(r#"A="ends in \\""#), "ends in \\");
}

#[test]
fn export_prefix_is_accepted() {
    assert_eq!(one("export A=1"), ("A".into(), "1".into()));
    assert_eq!(one("export\tA=1"), ("A".into(), "1".into()));
    assert_eq!(one("  export   A='x y'"), ("A".into(), "x y".into()));
    // Not a prefix: names that merely start with "export".
    assert_eq!(one("export=1"), ("export".into(), "1".into()));
    assert_eq!(one("exported=1"), ("exported".into(), "1".into()));
}

#[test]
fn blank_lines_and_comments_are_skipped() {
    let text = "\n   \n# comment\n   # indented comment\n\t\nA=1\r\n#B=2\nC=3";
    assert_eq!(
        parse(text).unwrap(),
        vec![("A".into(), "1".into()), ("C".into(), "3".into())]
    );
    assert!(parse("").unwrap().is_empty());
}

#[test]
fn crlf_and_a_bom_are_tolerated() {
    assert_eq!(
        parse("\u{feff}A=1\r\nB='x'\r\n").unwrap(),
        vec![("A".into(), "1".into()), ("B".into(), "x".into())]
    );
}

#[test]
fn keys_must_be_names() {
    for bad in [
        "=1",
        "1A=1",
        "A B=1",
        "A =1",
        "A-B=1",
        "A.B=1",
        "Ä=1",
        "export =1",
        "$A=1",
    ] {
        assert_eq!(problem(bad), (1, Problem::BadKey), "{bad:?}");
    }
    for good in ["_=1", "_A1=1", "a=1", "A_B_9=1"] {
        one(good);
    }
}

#[test]
fn lines_without_equals_are_errors_with_their_number() {
    assert_eq!(problem("A=1\n\n# c\njust words\n"), (4, Problem::NoEquals));
    assert_eq!(problem("export A"), (1, Problem::NoEquals));
    assert_eq!(problem("A=1\nB"), (2, Problem::NoEquals));
}

#[test]
fn quotes_must_close_on_the_same_line() {
    assert_eq!(problem("A='x"), (1, Problem::UnclosedQuote));
    assert_eq!(problem("A=\"x"), (1, Problem::UnclosedQuote));
    assert_eq!(problem("A=\"x\\\""), (1, Problem::UnclosedQuote));
    assert_eq!(problem("A=\"x\\"), (1, Problem::UnclosedQuote));
    assert_eq!(problem("A=\"multi\nline\""), (1, Problem::UnclosedQuote));
}

#[test]
fn only_a_comment_may_follow_a_closing_quote() {
    assert_eq!(problem("A='x'y"), (1, Problem::TextAfterQuote));
    assert_eq!(problem("A='x' y"), (1, Problem::TextAfterQuote));
    assert_eq!(problem("A=\"x\"'y'"), (1, Problem::TextAfterQuote));
    assert_eq!(problem("A='x'#c"), (1, Problem::TextAfterQuote));
}

#[test]
fn a_nul_is_refused_rather_than_panicking_later() {
    assert_eq!(problem("A=a\0b"), (1, Problem::Nul));
    assert_eq!(problem("A='\0'"), (1, Problem::Nul));
}

#[test]
fn errors_never_quote_the_line() {
    let secret = "ntn_s3cr3tValue";
    for text in [
        format!("NOTION_TOKEN {secret}"),
        format!("NOTION_TOKEN='{secret}"),
        format!("NOTION_TOKEN='{secret}' trailing"),
        format!("NOTION TOKEN={secret}"),
        secret.to_string(),
    ] {
        let message = parse(&text).unwrap_err().to_string();
        assert!(!message.contains(secret), "{message}");
        assert!(!message.contains("s3cr3t"), "{message}");
        assert!(message.contains(".env, line 1"), "{message}");
    }
}

#[test]
fn every_line_of_env_example_parses_when_uncommented() {
    let example = include_str!("../../../.env.example");
    let mut uncommented = String::new();
    let mut settings = 0;
    for line in example.lines() {
        // A commented-out setting is `# KEY=…`; prose comments stay.
        let body = line.trim_start().trim_start_matches('#').trim_start();
        let is_setting = body
            .split_once('=')
            .is_some_and(|(key, _)| is_key(key) && key.chars().all(|c| !c.is_lowercase()));
        if is_setting {
            settings += 1;
            uncommented.push_str(body);
        } else {
            uncommented.push_str(line);
        }
        uncommented.push('\n');
    }
    assert!(settings >= 20, "found only {settings} settings");
    let pairs = parse(&uncommented).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pairs.len(), settings);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("SWEEP_DATE_PROPERTY"), Some("Deadline"));
    assert_eq!(get("SWEEP_FROM"), Some("Backlog,Blocked"));
    assert_eq!(get("NOTION_TOKEN"), Some(""));
    // Each line on its own too, so a failure names its line.
    for (n, line) in uncommented.lines().enumerate() {
        if let Err(e) = parse(line) {
            panic!(".env.example line {}: {e}", n + 1);
        }
    }
}

#[test]
fn random_input_never_panics() {
    let mut rng = fastrand::Rng::with_seed(0xd07e);
    let alphabet: Vec<char> = "AZaz_09= \t#'\"\\\nexport\r\0é€\u{feff}".chars().collect();
    for _ in 0..20_000 {
        let len = rng.usize(0..60);
        let text: String = (0..len)
            .map(|_| alphabet[rng.usize(..alphabet.len())])
            .collect();
        if let Ok(pairs) = parse(&text) {
            for (key, value) in pairs {
                assert!(is_key(&key), "{text:?}");
                assert!(!value.contains('\0'), "{text:?}");
            }
        }
    }
    for _ in 0..2_000 {
        let bytes: Vec<u8> = (0..rng.usize(0..80)).map(|_| rng.u8(..)).collect();
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn read_missing_file_is_nothing() {
    let dir = temp_dir("missing");
    assert!(read(&dir).unwrap().is_none());
    assert_eq!(load(&dir).unwrap(), Loaded::default());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn read_never_looks_in_a_parent_directory() {
    let parent = temp_dir("parent");
    let child = parent.join("child");
    std::fs::create_dir_all(&child).unwrap();
    std::fs::write(parent.join(".env"), "A=1\n").unwrap();
    assert!(read(&child).unwrap().is_none());
    assert!(read(&parent).unwrap().is_some());
    std::fs::remove_dir_all(parent).unwrap();
}

#[test]
fn read_names_the_file_and_line() {
    let dir = temp_dir("syntax");
    std::fs::write(dir.join(".env"), "A=1\nB='unclosed\n").unwrap();
    let message = read(&dir).unwrap_err().to_string();
    let expected = format!("{}, line 2:", dir.join(".env").display());
    assert!(message.starts_with(&expected), "{message}");
    assert!(!message.contains("unclosed"), "{message}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn non_utf8_names_the_line() {
    let dir = temp_dir("utf8");
    std::fs::write(dir.join(".env"), b"A=1\n# ok\nB=\xff\xfe\n").unwrap();
    match read(&dir) {
        Err(DotenvError::NotUtf8 { line, .. }) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn files_over_one_mib_are_refused() {
    let dir = temp_dir("large");
    let line = "A=0123456789012345678901234567890123456789\n";
    let text = line.repeat((MAX_DOTENV_BYTES as usize) / line.len() + 1);
    std::fs::write(dir.join(".env"), &text).unwrap();
    assert!(matches!(read(&dir), Err(DotenvError::TooLarge { .. })));
    // Exactly at the limit is fine.
    std::fs::write(dir.join(".env"), &text[..MAX_DOTENV_BYTES as usize - 1]).unwrap();
    let _ = read(&dir).unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_directory_or_a_fifo_named_env_is_refused_at_once() {
    let dir = temp_dir("isdir");
    std::fs::create_dir(dir.join(".env")).unwrap();
    let error = read(&dir).unwrap_err();
    assert!(matches!(error, DotenvError::NotAFile { .. }), "{error:?}");
    std::fs::remove_dir_all(dir).unwrap();
    let dir = temp_dir("fifo");
    let fifo = dir.join(".env");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let started = std::time::Instant::now();
        let error = read(&dir).unwrap_err();
        assert!(matches!(error, DotenvError::NotAFile { .. }), "{error:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn load_applies_only_keys_not_already_set_and_never_half_loads() {
    // Names unique to this test: the process environment is shared.
    let dir = temp_dir("load");
    let (set, fresh, twice) = (
        "NOTION_SWEEP_DOTENV_TEST_SET",
        "NOTION_SWEEP_DOTENV_TEST_FRESH",
        "NOTION_SWEEP_DOTENV_TEST_TWICE",
    );
    std::env::set_var(set, "from the environment");
    std::fs::write(
        dir.join(".env"),
        format!("{set}=from the file\n{fresh}='To Do'\n{twice}=1\n{twice}=2\n"),
    )
    .unwrap();
    let loaded = load(&dir).unwrap();
    assert_eq!(loaded.file, Some(dir.join(".env")));
    assert_eq!(loaded.applied, vec![fresh.to_string(), twice.to_string()]);
    assert_eq!(loaded.skipped, vec![set.to_string()]);
    assert_eq!(std::env::var(set).unwrap(), "from the environment");
    assert_eq!(std::env::var(fresh).unwrap(), "To Do");
    assert_eq!(std::env::var(twice).unwrap(), "2");

    let untouched = "NOTION_SWEEP_DOTENV_TEST_UNTOUCHED";
    std::fs::write(dir.join(".env"), format!("{untouched}=1\nnot a line\n")).unwrap();
    assert!(load(&dir).is_err());
    assert!(std::env::var_os(untouched).is_none());
    std::fs::remove_dir_all(dir).unwrap();
}
