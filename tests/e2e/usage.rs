//! Usage errors: exit 2 before any request, with a message that shows a valid value.

use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SinkKind};

use crate::support::*;

/// Arguments, environment, and what stderr must say.
type Case<'a> = (Vec<&'a str>, Vec<(String, String)>, &'a str);

#[test]
fn bad_values_are_usage_errors_before_any_request() {
    let spec = GeneratedBoard::new(10, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let db = spec.database_id();
    let env = env_for(&sandbox);
    let cases: Vec<Case> = vec![
        (
            vec!["sweep", "not-a-database"],
            env.clone(),
            "32 hex digits",
        ),
        (
            vec![
                "sweep",
                "https://www.notion.so/acme/Tasks?v=0123456789abcdef0123456789abcdef",
            ],
            env.clone(),
            "32 hex digits",
        ),
        (
            vec!["sweep", &db, "--rate", "0"],
            env.clone(),
            "greater than 0",
        ),
        (
            vec!["sweep", &db, "--tz", "Mars/Olympus_Mons"],
            env.clone(),
            "IANA zone name such as",
        ),
        (
            vec!["sweep", &db, "--as-of", "2026-13-01"],
            env.clone(),
            "YYYY-MM-DD",
        ),
        (
            vec!["sweep", &db, "--as-of", "22/11/2026"],
            env.clone(),
            "YYYY-MM-DD",
        ),
        (
            vec!["sweep", &db, "--to", "To Do"],
            env.clone(),
            "the late state 'To Do' (given by --to) is also one of the open states (given by --from)",
        ),
        (
            vec!["sweep", &db, "--limit", "0"],
            env.clone(),
            "at least 1",
        ),
        (
            vec!["sweep", &db, "--timeout", "soon"],
            env.clone(),
            "seconds",
        ),
        (
            vec!["sweep", &db],
            without(env.clone(), "NOTION_TOKEN"),
            "NOTION_TOKEN is not set",
        ),
        (
            vec!["sweep", &db],
            with(env.clone(), "NOTION_TOKEN", "  "),
            "is empty",
        ),
        (vec!["sweep"], env.clone(), "no database given"),
        (
            vec!["sweep", &db],
            with(env.clone(), "NOTION_API_URL", "http://api.notion.com"),
            "loopback",
        ),
        (
            vec!["sweep", &db],
            with(
                env.clone(),
                "SLACK_WEBHOOK_URL",
                "http://hooks.slack.com/services/x",
            ),
            "https URL",
        ),
        (
            vec!["sweep", &db, "--output", "yaml"],
            env.clone(),
            "possible values",
        ),
        (
            vec!["sweep", &db, "--token", "ntn_x"],
            env.clone(),
            "--token",
        ),
        (
            vec!["check", &db, "--rate=-1"],
            env.clone(),
            "greater than 0",
        ),
    ];
    for (args, env, says) in cases {
        let run = notion_sweep(&args, &env);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(says),
            "{args:?}: wanted '{says}' in:\n{}",
            run.stderr
        );
        assert_eq!(run.stdout, "", "{args:?}");
    }
    assert!(sandbox.requests().is_empty(), "no request was sent");
}

#[test]
fn the_database_may_come_from_the_environment_or_a_url() {
    let spec = GeneratedBoard::new(10, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let hex = spec.database_id().replace('-', "");
    let env = with(
        env_for(&sandbox),
        "NOTION_DATABASE_ID",
        &format!("https://www.notion.so/acme/Team-Tasks-{hex}?v=0123456789abcdef0123456789abcdef"),
    );
    let run = notion_sweep(&["sweep", "--dry-run", "--output", "json"], &env);
    run.expect_code(0);
    assert_eq!(run.json()["database_id"], spec.database_id());
}

#[test]
fn the_token_can_come_from_a_file() {
    let spec = GeneratedBoard::new(10, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let file = std::env::temp_dir().join(format!("notion-sweep-token-{}", std::process::id()));
    std::fs::write(&file, format!("{}\n", sandbox.token())).unwrap();
    let env = without(env_for(&sandbox), "NOTION_TOKEN");
    let run = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--dry-run",
            "--token-file",
            file.to_str().unwrap(),
        ],
        &env,
    );
    run.expect_code(0);
    let missing = notion_sweep(
        &[
            "sweep",
            &spec.database_id(),
            "--token-file",
            "/nonexistent/token",
        ],
        &env,
    );
    missing.expect_code(2);
    assert!(
        missing.stderr.contains("could not read the token file"),
        "{}",
        missing.stderr
    );
}

#[test]
fn a_dotenv_file_is_read_and_real_variables_win() {
    let spec = GeneratedBoard::new(30, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let dir = std::env::temp_dir().join(format!("notion-sweep-dotenv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".env"),
        format!(
            "# settings for the sandbox\nNOTION_TOKEN={}\nNOTION_API_URL={}\nNOTION_DATABASE_ID={}\nSWEEP_TO=\"Nowhere\"\nSWEEP_TZ=UTC\n",
            sandbox.token(),
            sandbox.url(),
            spec.database_id()
        ),
    )
    .unwrap();
    let env = vec![
        ("SWEEP_TO".to_string(), "Overdue".to_string()),
        ("SWEEP_AS_OF".to_string(), AS_OF.to_string()),
    ];
    let run = finish(start_in(&dir, &["sweep", "--output", "json"], &env));
    run.expect_code(0);
    let doc = run.json();
    assert_eq!(doc["to"], "Overdue", "the real variable won over .env");
    assert_eq!(
        doc["updated"],
        spec.overdue_count(),
        "the token and URL came from .env"
    );
}

#[test]
fn every_flag_and_variable_is_documented() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.env.example")).unwrap();
    for command in [
        "sweep", "check", "schema", "stale", "digest", "undo", "demo", "sandbox",
    ] {
        let help = notion_sweep(&[command, "--help"], &[]);
        help.expect_code(0);
        for word in help
            .stdout
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        {
            if word.starts_with("--") && word.len() > 2 && word != "--help" {
                assert!(
                    readme.contains(word),
                    "README.md does not mention {word} ({command})"
                );
            }
        }
        for line in help.stdout.lines() {
            if let Some(rest) = line.trim().strip_prefix("[env: ") {
                let var = rest.split(['=', ']']).next().unwrap();
                assert!(readme.contains(var), "README.md does not mention {var}");
                assert!(example.contains(var), ".env.example does not list {var}");
            }
        }
    }
    assert!(readme.contains("NOTION_TOKEN") && example.contains("NOTION_TOKEN"));
}

/// What `--help` says is reviewed like code: a change shows up as a diff.
#[test]
fn help_is_snapshot_tested() {
    for command in [
        vec!["--help"],
        vec!["sweep", "--help"],
        vec!["check", "--help"],
        vec!["schema", "--help"],
        vec!["stale", "--help"],
        vec!["digest", "--help"],
        vec!["undo", "--help"],
        vec!["demo", "--help"],
        vec!["sandbox", "--help"],
        vec!["completions", "--help"],
        vec!["man", "--help"],
    ] {
        let run = notion_sweep(&command, &[]);
        run.expect_code(0);
        insta::assert_snapshot!(command.join("_").replace("--", ""), run.stdout);
    }
}

/// A `.env` that does not parse stops the run before anything is sent,
/// naming the file and the line, never its content; nothing of it is used.
#[test]
fn a_bad_dotenv_line_is_a_usage_error_and_nothing_is_half_loaded() {
    let spec = GeneratedBoard::new(10, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let dir = std::env::temp_dir().join(format!("notion-sweep-bad-dotenv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".env"),
        format!(
            "NOTION_TOKEN={}\nNOTION_API_URL={}\nSWEEP_FROM=To Do,Blocked\nthis line is not a setting ntn_secret_words\nSWEEP_TZ=UTC\n",
            sandbox.token(),
            sandbox.url(),
        ),
    )
    .unwrap();
    let run = finish(start_in(&dir, &["sweep", &spec.database_id()], &[]));
    run.expect_code(2);
    assert!(run.stderr.contains(".env, line 4"), "{}", run.stderr);
    assert!(!run.stderr.contains("ntn_secret_words"), "{}", run.stderr);
    assert!(!run.stderr.contains(&sandbox.token()), "{}", run.stderr);
    assert!(sandbox.requests().is_empty(), "nothing was sent");
}

/// Only `./.env` is read: one planted in a parent directory (say a shared
/// temporary directory) cannot redirect the token to another host.
#[test]
fn a_dotenv_in_a_parent_directory_is_never_read() {
    let spec = GeneratedBoard::new(10, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let parent = std::env::temp_dir().join(format!("notion-sweep-parent-{}", std::process::id()));
    let child = parent.join("job");
    std::fs::create_dir_all(&child).unwrap();
    std::fs::write(
        parent.join(".env"),
        "SWEEP_TO=Nowhere\nSWEEP_DRY_RUN=true\n",
    )
    .unwrap();
    let run = finish(start_in(
        &child,
        &["sweep", &spec.database_id(), "--output", "json"],
        &env_for(&sandbox),
    ));
    run.expect_code(0);
    assert_eq!(
        run.json()["to"],
        "Overdue",
        "the parent's .env was not read"
    );
    assert_eq!(run.json()["dry_run"], false);
    assert_eq!(run.json()["updated"], spec.overdue_count());
}

/// `completions` and `man` come from the same definitions as `--help`.
#[test]
fn completions_and_the_man_page_know_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = notion_sweep(&["completions", shell], &[]);
        run.expect_code(0);
        for word in [
            "sweep",
            "check",
            "schema",
            "stale",
            "digest",
            "dry-run",
            "lock-wait",
            "move-to",
            "since",
        ] {
            assert!(run.stdout.contains(word), "{shell} completions lack {word}");
        }
    }
    let bash = notion_sweep(&["completions", "bash"], &[]);
    let checked = std::process::Command::new("bash")
        .args(["-n", "-c", &bash.stdout])
        .status()
        .expect("bash runs");
    assert!(checked.success(), "the bash script parses");
    let man = notion_sweep(&["man"], &[]);
    man.expect_code(0);
    assert!(man.stdout.starts_with(".ie") || man.stdout.contains(".TH notion-sweep 1"));
    for word in [
        "sweep",
        "stale",
        "digest",
        "completions",
        "NOTION_TOKEN",
        "STALE_IDLE",
    ] {
        assert!(man.stdout.contains(word), "the man page lacks {word}");
    }
    notion_sweep(&["completions", "tcsh"], &[]).expect_code(2);
}

/// With GITHUB_STEP_SUMMARY set, the markdown summary is appended to it,
/// whatever --output is.
#[test]
fn the_step_summary_is_appended_in_github_actions() {
    let spec = GeneratedBoard::new(20, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    let file =
        std::env::temp_dir().join(format!("notion-sweep-step-summary-{}", std::process::id()));
    std::fs::write(&file, "earlier step\n").unwrap();
    let env = with(
        env_for(&sandbox),
        "GITHUB_STEP_SUMMARY",
        &file.display().to_string(),
    );
    let run = notion_sweep(&["sweep", &spec.database_id(), "--output", "json"], &env);
    run.expect_code(0);
    run.json();
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.starts_with("earlier step\n"),
        "appended, not replaced"
    );
    assert!(
        written.contains("| Task | Due | Days overdue | Outcome |"),
        "{written}"
    );
    assert!(
        written.contains(&format!("Moved {} overdue", spec.overdue_count())),
        "{written}"
    );
    assert!(!written.contains(&sandbox.sink_url(SinkKind::Slack)));
}

/// Every line of `.env.example`, uncommented as written, loads alike as
/// `./.env`, when sourced by `sh`, and as `docker run --env-file` reads it
/// (everything after the first `=`, quotes included).
#[test]
fn every_line_of_env_example_loads_alike_as_dotenv_in_sh_and_in_docker() {
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.env.example")).unwrap();
    let lines: Vec<String> = example
        .lines()
        .filter_map(|line| {
            let line = line.strip_prefix("# ").unwrap_or(line);
            let key = line.split('=').next()?;
            let is_key = line.contains('=')
                && !key.is_empty()
                && key.chars().all(|c| c.is_ascii_uppercase() || c == '_');
            is_key.then(|| line.to_string())
        })
        .collect();
    assert!(
        lines.iter().any(|l| l.starts_with("SWEEP_FROM=")),
        "lines were uncommented"
    );
    let dir = std::env::temp_dir().join(format!("notion-sweep-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".env"), lines.join("\n")).unwrap();
    for line in &lines {
        let (key, docker) = line.split_once('=').unwrap();
        let sourced = std::process::Command::new("sh")
            .args([
                "-c",
                &format!("set -a; . ./.env; set +a; printf '%s' \"${key}\""),
            ])
            .current_dir(&dir)
            .env_clear()
            .output()
            .unwrap();
        assert!(
            sourced.status.success(),
            "sh: {}",
            String::from_utf8_lossy(&sourced.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&sourced.stdout),
            docker,
            "{key}: sh and docker --env-file read it differently"
        );
    }
    // As ./.env: it parses (the empty token is a usage error of its own, after loading).
    let run = finish(start_in(&dir, &["sweep", "--help"], &[]));
    run.expect_code(0);
    let run = finish(start_in(&dir, &["check"], &[]));
    assert!(!run.stderr.contains(".env, line"), "{}", run.stderr);
}

/// The pages whose links are checked: the README, the recipes, and every
/// page of `docs/`.
fn doc_pages() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md"), root.join("deploy/README.md")];
    let mut docs: Vec<_> = std::fs::read_dir(root.join("docs"))
        .expect("a docs/ folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines of a markdown page outside fenced code blocks.
fn prose_lines(page: &str) -> Vec<&str> {
    let mut fenced = false;
    page.lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect()
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped,
/// spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a page's headings.
fn anchors(page: &str) -> Vec<String> {
    prose_lines(page)
        .into_iter()
        .filter(|l| l.starts_with('#'))
        .map(|l| anchor(l.trim_start_matches('#')))
        .collect()
}

/// The targets of `[text](target)` links in a page's prose, code spans left out.
fn link_targets(page: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(page) {
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join("");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').expect("a closed link");
            targets.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// Every relative link between the README, the recipes and `docs/` points
/// at a file that exists, and an anchor at a heading of that page.
#[test]
fn every_relative_link_of_the_docs_resolves() {
    let mut broken = Vec::new();
    for page in doc_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let dir = page.parent().unwrap();
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() {
                page.clone()
            } else {
                dir.join(path)
            };
            if !file.exists() {
                broken.push(format!("{}: {target}: no such file", page.display()));
                continue;
            }
            if let Some(fragment) = fragment {
                let headings = anchors(&std::fs::read_to_string(&file).unwrap());
                if !headings.iter().any(|h| h == fragment) {
                    broken.push(format!(
                        "{}: {target}: no heading '{fragment}' (there are {headings:?})",
                        page.display()
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
