//! The scheduler recipes of `deploy/README.md` and `deploy/`, run as
//! written: the cron line, the systemd units, the GitHub workflow, the
//! composite action, the Kubernetes CronJob and the Dockerfile. Only the
//! documented paths, secrets and the API URL are swapped for the sandbox's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono_tz::Tz;
use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SinkKind};
use serde_norway::Value;

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_notion-sweep");

fn repo_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn yaml(path: &str) -> Value {
    serde_norway::from_str(&repo_file(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A fresh, empty directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("notion-sweep-recipe-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn board(tasks: usize) -> (GeneratedBoard, Sandbox) {
    let spec = GeneratedBoard::new(tasks, as_of());
    let sandbox = Sandbox::spawn(Board::generated(&spec), SandboxConfig::default()).unwrap();
    (spec, sandbox)
}

/// Status of every page, by id.
fn statuses(sandbox: &Sandbox, spec: &GeneratedBoard) -> BTreeMap<String, String> {
    sandbox
        .pages(&spec.data_source_id())
        .iter()
        .map(|p| (p.id.clone(), text(p, "Status").unwrap_or("").to_string()))
        .collect()
}

/// Every task in `overdue` is now "Overdue", and no other task changed.
#[track_caller]
fn assert_moved(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    overdue: &BTreeSet<String>,
) {
    assert!(!overdue.is_empty(), "the board has overdue tasks");
    for (id, status) in after {
        if overdue.contains(id) {
            assert_eq!(status, "Overdue", "{id} was moved");
        } else {
            assert_eq!(status, &before[id], "{id} was left alone");
        }
    }
}

/// A settings file for the sandbox, written as `.env.example` shows:
/// unquoted values with spaces, quoted values, comments.
fn settings_file(sandbox: &Sandbox, spec: &GeneratedBoard, lock_dir: Option<&str>) -> String {
    let lock = lock_dir.map_or(String::new(), |d| format!("NOTION_SWEEP_LOCK_DIR={d}\n"));
    format!(
        "# notion-sweep settings\n\
         NOTION_TOKEN={token}\n\
         NOTION_DATABASE_ID={db}\n\
         SLACK_WEBHOOK_URL={slack}\n\
         SWEEP_FROM=To Do\n\
         SWEEP_DATE_PROPERTY='Due Date'\n\
         SWEEP_STATUS_PROPERTY=\"Status\"\n\
         SWEEP_AS_OF={AS_OF}\n\
         SWEEP_TZ=UTC\n\
         \n\
         # the sandbox, not api.notion.com\n\
         NOTION_API_URL={api}\n\
         NOTION_RATE=1000\n\
         {lock}",
        token = sandbox.token(),
        db = spec.database_id(),
        slack = sandbox.sink_url(SinkKind::Slack),
        api = sandbox.url(),
    )
}

/// Runs `program args` with exactly `env`, in `dir`; waits at most 120 s.
fn run_in(dir: &Path, program: &str, args: &[&str], env: &[(String, String)]) -> Run {
    let child = Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} starts: {e}"));
    finish(child)
}

/// `text` with every `${{ expr }}` replaced by `lookup(expr)`; an
/// expression the lookup does not know fails the test.
fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("a closed expression") + start;
        let expr = rest[start + 3..end].trim();
        out.push_str(&lookup(expr).unwrap_or_else(|| panic!("unknown expression {expr}")));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The `env:` of a step or container as written, expressions expanded.
fn step_env(step: &Value, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    step["env"]
        .as_mapping()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let value = match v {
                        Value::String(s) => s.clone(),
                        other => serde_norway::to_string(other).unwrap().trim().to_string(),
                    };
                    (k.as_str().unwrap().to_string(), expand(&value, lookup))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A directory holding only `notion-sweep` (the built binary), for PATH.
fn bin_dir(name: &str) -> PathBuf {
    let dir = scratch(name).join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(BIN, dir.join("notion-sweep")).unwrap();
    dir
}

// ---------------------------------------------------------------- cron

/// Where the recipes are shown.
const RECIPES: &str = "deploy/README.md";

/// The text of one `## heading` section of the recipes page.
fn recipe_section(heading: &str) -> String {
    let page = repo_file(RECIPES);
    page.split(&format!("\n## {heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("a section '## {heading}' in {RECIPES}"))
        .split("\n## ")
        .next()
        .unwrap()
        .to_string()
}

/// The command part of the cron line in the recipes' cron block.
fn shown_cron_command() -> String {
    let section = recipe_section("cron");
    let block = section
        .split("```cron\n")
        .nth(1)
        .expect("a ```cron block in the cron section")
        .split("```")
        .next()
        .unwrap();
    let lines: Vec<&str> = block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(lines.len(), 1, "one crontab line: {lines:?}");
    // Five time fields, then the command as cron hands it to sh.
    let mut rest = lines[0];
    for _ in 0..5 {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace).expect("five time fields");
        rest = &rest[end..];
    }
    let command = rest.trim().to_string();
    assert!(!command.contains('%'), "cron turns % into newlines");
    command
}

/// The commands of the cron section's ```sh block, if it has one: what is
/// done once, by hand, before the crontab line can run.
fn shown_cron_setup() -> Vec<String> {
    let section = recipe_section("cron");
    let Some(block) = section.split("```sh\n").nth(1) else {
        return Vec::new();
    };
    block
        .split("```")
        .next()
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The cron recipe as a newcomer follows it, on a machine where neither
/// the settings directory nor the log directory exists yet: the setup
/// commands shown (without `sudo`), then the crontab line, twice, in what
/// cron gives a job.
#[test]
fn the_shown_cron_line_runs_under_crons_environment() {
    let (spec, sandbox) = board(40);
    let dir = scratch("cron");
    // The user's own directory, with the .env made from .env.example.
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".env"),
        settings_file(&sandbox, &spec, Some(&lock_dir(&sandbox))),
    )
    .unwrap();
    // /usr/local/bin exists on every machine; the recipe's own directories do not.
    let usr_local_bin = dir.join("usr/local/bin");
    std::fs::create_dir_all(&usr_local_bin).unwrap();
    let settings = dir.join("etc/notion-sweep");
    let logs = dir.join("var/log/notion-sweep");
    let documented = [
        ("~/.cargo/bin/notion-sweep", BIN.to_string()),
        ("/usr/local/bin", usr_local_bin.display().to_string()),
        ("/etc/notion-sweep", settings.display().to_string()),
        ("/var/log/notion-sweep", logs.display().to_string()),
    ];
    let here = |text: &str| {
        documented
            .iter()
            .fold(text.to_string(), |t, (path, here)| t.replace(path, here))
    };
    // What cron gives a job: no login shell, PATH=/usr/bin:/bin.
    let sh = |command: &str| {
        run_in(
            &home,
            "env",
            &["-i", "PATH=/usr/bin:/bin", "sh", "-c", command],
            &[],
        )
    };

    for step in shown_cron_setup() {
        let command = here(step.strip_prefix("sudo ").unwrap_or(&step));
        let run = sh(&command);
        assert_eq!(
            run.code, 0,
            "{step}
{}",
            run.stderr
        );
    }
    // Where the recipe shows no command for them, the settings and the
    // binary are put where its prose says they are.
    if !settings.join(".env").exists() {
        std::fs::create_dir_all(&settings).unwrap();
        std::fs::copy(home.join(".env"), settings.join(".env")).unwrap();
    }
    if !usr_local_bin.join("notion-sweep").exists() {
        std::os::unix::fs::symlink(BIN, usr_local_bin.join("notion-sweep")).unwrap();
    }

    let line = shown_cron_command();
    for (path, _) in &documented[1..] {
        assert!(line.contains(path), "the cron line names {path}: {line}");
    }
    let command = here(&line);
    let log = logs.join("sweep.log");
    let cron = |label: &str| {
        let run = sh(&command);
        assert_eq!(
            run.code, 0,
            "{label}: {command}\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        assert_eq!(run.stdout, "", "{label}: everything goes to the log");
        assert_eq!(run.stderr, "", "{label}: everything goes to the log");
        std::fs::read_to_string(&log).unwrap()
    };

    let before = statuses(&sandbox, &spec);
    let overdue = overdue(&sandbox, &spec);
    let first = cron("first run");
    assert_moved(&before, &statuses(&sandbox, &spec), &overdue);
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "one summary posted"
    );
    assert!(
        first.contains(&format!("Moved {} overdue tasks", overdue.len())),
        "the log tells what was done:\n{first}"
    );
    assert!(!first.contains(&sandbox.token()), "no secret in the log");

    let second = cron("second run");
    assert_eq!(second, first, "-q: nothing logged when nothing was overdue");
    assert_eq!(
        sandbox.sink_messages(SinkKind::Slack).len(),
        1,
        "no summary for nothing"
    );

    // The settings hold the token: readable by their owner only.
    use std::os::unix::fs::PermissionsExt;
    for secret in [settings.join(".env"), settings.clone()] {
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "{} is mode {:o}",
            secret.display(),
            mode & 0o777
        );
    }
}

// ---------------------------------------------------------------- systemd

/// `KEY=VALUE` lines of one `[section]` of a unit file, in order.
fn unit_section(unit: &str, section: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == format!("[{section}]");
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            let (k, v) = line.split_once('=').expect("KEY=VALUE");
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

fn unit_values(keys: &[(String, String)], key: &str) -> Vec<String> {
    keys.iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}

fn unit_value(keys: &[(String, String)], key: &str) -> String {
    let values = unit_values(keys, key);
    assert_eq!(values.len(), 1, "one {key}=: {values:?}");
    values[0].clone()
}

#[test]
fn the_systemd_units_verify_and_their_command_sweeps() {
    let service = repo_file("deploy/notion-sweep.service");
    let timer = repo_file("deploy/notion-sweep.timer");
    let svc = unit_section(&service, "Service");
    let tmr = unit_section(&timer, "Timer");

    assert_eq!(unit_value(&svc, "Type"), "oneshot");
    assert_eq!(unit_value(&svc, "DynamicUser"), "yes");
    assert_eq!(unit_value(&svc, "NoNewPrivileges"), "yes");
    assert_eq!(unit_value(&svc, "ProtectSystem"), "strict");
    assert_eq!(unit_value(&svc, "PrivateTmp"), "yes");
    assert_eq!(unit_value(&tmr, "Persistent"), "true");
    assert!(!unit_value(&tmr, "OnCalendar").is_empty());
    // "Another sweep holds the lock" is not a failure of the timer's run;
    // every other non-zero code is.
    assert_eq!(unit_value(&svc, "SuccessExitStatus"), "6");
    // The lock directory is the unit's runtime directory.
    let runtime = format!("/run/{}", unit_value(&svc, "RuntimeDirectory"));
    let environment: Vec<(String, String)> = unit_values(&svc, "Environment")
        .iter()
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    assert!(
        environment.contains(&("NOTION_SWEEP_LOCK_DIR".into(), runtime.clone())),
        "{environment:?}"
    );
    // The deadline (900 s unless set) ends the run before systemd kills it.
    let timeout = unit_value(&svc, "TimeoutStartSec");
    let minutes: u64 = timeout.trim_end_matches("min").parse().unwrap();
    assert!(minutes * 60 > 900, "TimeoutStartSec={timeout}");

    let exec = unit_value(&svc, "ExecStart");
    assert!(
        !exec.contains(['"', '\'', '$', '%']),
        "a plain command line"
    );
    let words: Vec<&str> = exec.split_whitespace().collect();
    assert_eq!(words[0], "/usr/local/bin/notion-sweep");

    // systemd's own check, with the binary where ExecStart says it is.
    let dir = scratch("systemd");
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok()
    {
        let units = dir.join("units");
        std::fs::create_dir_all(&units).unwrap();
        std::fs::write(
            units.join("notion-sweep.service"),
            service.replace("/usr/local/bin/notion-sweep", BIN),
        )
        .unwrap();
        std::fs::write(units.join("notion-sweep.timer"), &timer).unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(units.join("notion-sweep.service"))
            .arg(units.join("notion-sweep.timer"))
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "systemd-analyze verify:\n{said}");
        assert_eq!(said.trim(), "", "systemd-analyze verify warns");
    } else {
        eprintln!("systemd-analyze is not installed: the units are not verified by systemd");
    }

    // ExecStart as systemd runs it: the EnvironmentFile's variables plus
    // Environment=, working directory /. The binary reads a `.env` the way
    // systemd reads an EnvironmentFile, so a copy named .env stands in.
    assert_eq!(unit_value(&svc, "EnvironmentFile"), "/etc/notion-sweep.env");
    let (spec, sandbox) = board(40);
    let locks = dir.join("run-notion-sweep");
    std::fs::write(dir.join(".env"), settings_file(&sandbox, &spec, None)).unwrap();
    let env: Vec<(String, String)> = environment
        .iter()
        .map(|(k, v)| (k.clone(), v.replace(&runtime, &locks.display().to_string())))
        .collect();
    let before = statuses(&sandbox, &spec);
    let overdue = overdue(&sandbox, &spec);
    let run = run_in(&dir, BIN, &words[1..], &env);
    run.expect_code(0);
    assert_moved(&before, &statuses(&sandbox, &spec), &overdue);
    assert!(
        std::fs::read_dir(&locks).unwrap().count() > 0,
        "the lock file went to the runtime directory"
    );
    assert_eq!(sandbox.sink_messages(SinkKind::Slack).len(), 1);
}

// ---------------------------------------------------------------- GitHub

fn steps(doc: &Value) -> &Vec<Value> {
    doc["steps"].as_sequence().expect("steps")
}

fn step<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("a step named {name}"))
}

#[test]
fn the_github_workflow_is_scheduled_serialised_and_its_sweep_step_runs() {
    let file = repo_file("deploy/github-workflow.yml");
    let shown = file.split_once("\nname: ").map(|(_, rest)| rest).unwrap();
    assert!(
        recipe_section("GitHub Actions").contains(&format!("```yaml\nname: {shown}```")),
        "{RECIPES} shows deploy/github-workflow.yml as it is"
    );
    let doc = yaml("deploy/github-workflow.yml");
    let on = &doc["on"];
    assert!(on["schedule"][0]["cron"].as_str().is_some(), "a schedule");
    assert!(
        on.as_mapping()
            .unwrap()
            .contains_key(Value::from("workflow_dispatch")),
        "runs by hand too"
    );
    assert_eq!(doc["concurrency"]["group"], "notion-sweep");
    assert_eq!(
        doc["concurrency"]["cancel-in-progress"], false,
        "a running sweep is never cancelled half-way"
    );
    let job = &doc["jobs"]["sweep"];
    let job_steps = steps(job);

    // The install is cached on the version it installs.
    let cache = step(job_steps, "Restore notion-sweep");
    assert!(cache["uses"]
        .as_str()
        .unwrap()
        .starts_with("actions/cache@"));
    assert_eq!(cache["with"]["path"], "~/.cargo/bin/notion-sweep");
    let key = cache["with"]["key"].as_str().unwrap();
    assert!(key.contains("env.NOTION_SWEEP_REF"), "{key}");
    let install = step(job_steps, "Install notion-sweep");
    assert_eq!(install["if"], "steps.cache.outputs.cache-hit != 'true'");
    let install_run = install["run"].as_str().unwrap();
    assert!(
        install_run.contains("cargo install --locked"),
        "{install_run}"
    );
    assert!(
        install_run.contains("\"$NOTION_SWEEP_REF\""),
        "{install_run}"
    );

    // The sweep step, run by bash as the runner does, secrets from the
    // sandbox, the built binary on PATH, on a board with the default
    // statuses only (To Do, In Progress, Done, Overdue): copied as it is,
    // the workflow must run on a board set up as the README says.
    let (spec, sandbox) = board(40);
    let sweep = step(job_steps, "Sweep");
    let lookup = |expr: &str| match expr {
        "secrets.NOTION_TOKEN" => Some(sandbox.token()),
        "secrets.SLACK_WEBHOOK_URL" => Some(sandbox.sink_url(SinkKind::Slack)),
        "vars.NOTION_DATABASE_ID" => Some(spec.database_id()),
        _ => None,
    };
    let mut env = step_env(sweep, &lookup);
    let tz: Tz = env
        .iter()
        .find(|(k, _)| k == "SWEEP_TZ")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(Tz::UTC);
    let from: Vec<String> = env
        .iter()
        .find(|(k, _)| k == "SWEEP_FROM")
        .map(|(_, v)| v.split(',').map(str::to_string).collect())
        .unwrap_or_else(|| vec!["To Do".into()]);
    let dir = scratch("workflow");
    let summary = dir.join("step-summary.md");
    std::fs::write(&summary, "").unwrap();
    let bin = bin_dir("workflow-bin");
    env.extend([
        ("PATH".into(), format!("{}:/usr/bin:/bin", bin.display())),
        ("GITHUB_STEP_SUMMARY".into(), summary.display().to_string()),
        ("GITHUB_ACTIONS".into(), "true".into()),
        // The sandbox instead of api.notion.com, and a fixed "today".
        ("NOTION_API_URL".into(), sandbox.url()),
        ("SWEEP_AS_OF".into(), AS_OF.into()),
        ("NOTION_RATE".into(), "1000".into()),
        ("NOTION_SWEEP_LOCK_DIR".into(), lock_dir(&sandbox)),
    ]);
    let before = statuses(&sandbox, &spec);
    let from: Vec<&str> = from.iter().map(String::as_str).collect();
    let overdue = expected_overdue(
        &sandbox.pages(&spec.data_source_id()),
        "Status",
        "Due Date",
        &from,
        as_of(),
        tz,
    );
    let script = sweep["run"].as_str().unwrap();
    let run = run_in(&dir, "bash", &["-e", "-c", script], &env);
    run.expect_code(0);
    assert_moved(&before, &statuses(&sandbox, &spec), &overdue);
    assert_eq!(sandbox.sink_messages(SinkKind::Slack).len(), 1);
}

/// Runs the composite action's bash steps in order, as the runner would:
/// `env:` expressions from the inputs and earlier outputs, `$GITHUB_PATH`
/// honoured, the install step replaced by the built binary.
struct ActionRun {
    /// Whether the steps finished without a failing step.
    ok: bool,
    /// What the action's `outputs:` resolve to.
    outputs: BTreeMap<String, String>,
    /// The last step's streams and code.
    last: Run,
}

fn run_action(name: &str, inputs: &[(&str, String)], extra: &[(String, String)]) -> ActionRun {
    let doc = yaml("action.yml");
    assert_eq!(doc["runs"]["using"], "composite");
    let mut given: BTreeMap<String, String> = BTreeMap::new();
    for (key, spec) in doc["inputs"].as_mapping().unwrap() {
        let key = key.as_str().unwrap().to_string();
        if let Some(default) = spec["default"].as_str() {
            given.insert(key, default.to_string());
        }
    }
    for (k, v) in inputs {
        assert!(
            doc["inputs"][*k].is_mapping(),
            "action.yml has an input {k}"
        );
        given.insert(k.to_string(), v.clone());
    }
    let dir = scratch(name);
    let temp = dir.join("runner-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let summary = dir.join("step-summary.md");
    let path_file = dir.join("github-path");
    std::fs::write(&summary, "").unwrap();
    std::fs::write(&path_file, "").unwrap();
    let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut last = None;
    let mut ok = true;
    for step in steps(&doc["runs"]) {
        let id = step["id"].as_str().unwrap_or("").to_string();
        let lookup = |expr: &str| -> Option<String> {
            if let Some(input) = expr.strip_prefix("inputs.") {
                return Some(given.get(input).cloned().unwrap_or_default());
            }
            if let Some(rest) = expr.strip_prefix("steps.") {
                let (step, out) = rest.split_once(".outputs.")?;
                return Some(
                    outputs
                        .get(step)
                        .and_then(|o| o.get(out))
                        .cloned()
                        .unwrap_or_default(),
                );
            }
            match expr {
                "runner.temp" => Some(temp.display().to_string()),
                "runner.os" => Some("Linux".into()),
                "runner.arch" => Some("X64".into()),
                "github.action_repository" => Some("owner/notion-sweep".into()),
                _ => None,
            }
        };
        if step["uses"].is_string() {
            // actions/cache: a miss; its inputs must still resolve.
            assert!(step["uses"].as_str().unwrap().starts_with("actions/cache@"));
            for (_, v) in step["with"].as_mapping().unwrap() {
                expand(v.as_str().unwrap(), &lookup);
            }
            continue;
        }
        assert_eq!(
            step["shell"], "bash",
            "a composite run step names its shell"
        );
        let script = step["run"].as_str().unwrap();
        assert!(
            !script.contains("${{"),
            "inputs reach scripts through env:, never pasted into them"
        );
        let mut env = step_env(step, &lookup);
        if step["if"].as_str() == Some("steps.cache.outputs.cache-hit != 'true'") {
            // The install: what it leaves behind is the built binary in
            // $ROOT/bin, as `cargo install --root` does.
            assert!(script.contains("cargo install --locked --root \"$ROOT\""));
            let root = env.iter().find(|(k, _)| k == "ROOT").unwrap().1.clone();
            std::fs::create_dir_all(Path::new(&root).join("bin")).unwrap();
            std::fs::copy(BIN, Path::new(&root).join("bin/notion-sweep")).unwrap();
            continue;
        }
        let added: Vec<String> = std::fs::read_to_string(&path_file)
            .unwrap()
            .lines()
            .rev()
            .map(str::to_string)
            .collect();
        let output = dir.join(format!("output-{id}"));
        std::fs::write(&output, "").unwrap();
        env.extend([
            (
                "PATH".into(),
                added
                    .into_iter()
                    .chain(["/usr/bin".into(), "/bin".into()])
                    .collect::<Vec<_>>()
                    .join(":"),
            ),
            ("GITHUB_OUTPUT".into(), output.display().to_string()),
            ("GITHUB_PATH".into(), path_file.display().to_string()),
            ("GITHUB_STEP_SUMMARY".into(), summary.display().to_string()),
            (
                "GITHUB_ACTION_PATH".into(),
                env!("CARGO_MANIFEST_DIR").into(),
            ),
            ("RUNNER_TEMP".into(), temp.display().to_string()),
            ("GITHUB_ACTIONS".into(), "true".into()),
        ]);
        env.extend(extra.iter().cloned());
        // The runner's own invocation of a bash step.
        let run = run_in(
            &dir,
            "bash",
            &["--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            &env,
        );
        let written = std::fs::read_to_string(&output).unwrap();
        let mine = outputs.entry(id).or_default();
        for line in written.lines() {
            let (k, v) = line.split_once('=').expect("name=value outputs");
            mine.insert(k.into(), v.into());
        }
        let failed = run.code != 0;
        last = Some(run);
        if failed {
            ok = false;
            break;
        }
    }
    let action_outputs = doc["outputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let value = expand(v["value"].as_str().unwrap(), &|expr| {
                let (step, out) = expr.strip_prefix("steps.")?.split_once(".outputs.")?;
                Some(
                    outputs
                        .get(step)
                        .and_then(|o| o.get(out))
                        .cloned()
                        .unwrap_or_default(),
                )
            });
            (k.as_str().unwrap().to_string(), value)
        })
        .collect();
    ActionRun {
        ok,
        outputs: action_outputs,
        last: last.expect("a step ran"),
    }
}

/// What the test adds around the action: the sandbox, a fixed "today".
fn action_extra(sandbox: &Sandbox) -> Vec<(String, String)> {
    vec![
        ("NOTION_API_URL".into(), sandbox.url()),
        ("SWEEP_AS_OF".into(), AS_OF.into()),
        ("SWEEP_TZ".into(), "UTC".into()),
        ("NOTION_RATE".into(), "1000".into()),
        ("NOTION_SWEEP_LOCK_DIR".into(), lock_dir(sandbox)),
    ]
}

#[test]
fn the_composite_action_sweeps_and_reports_its_exit_code() {
    let (spec, sandbox) = board(40);
    let before = statuses(&sandbox, &spec);
    let overdue = overdue(&sandbox, &spec);
    // The three inputs the recipes show.
    let run = run_action(
        "action",
        &[
            ("database", spec.database_id()),
            ("token", sandbox.token()),
            ("slack-webhook", sandbox.sink_url(SinkKind::Slack)),
        ],
        &action_extra(&sandbox),
    );
    assert!(run.ok, "{:?}", run.last);
    assert_eq!(run.outputs["exit-code"], "0");
    assert_moved(&before, &statuses(&sandbox, &spec), &overdue);
    assert_eq!(sandbox.sink_messages(SinkKind::Slack).len(), 1);
    assert!(
        run.last
            .stdout
            .contains(&format!("Moved {} overdue tasks", overdue.len())),
        "{}",
        run.last.stdout
    );

    // Extra arguments reach the binary.
    let (spec, sandbox) = board(40);
    let dry = run_action(
        "action-dry",
        &[
            ("database", spec.database_id()),
            ("token", sandbox.token()),
            ("args", "--dry-run --output json".into()),
        ],
        &action_extra(&sandbox),
    );
    assert!(dry.ok, "{:?}", dry.last);
    assert_eq!(dry.last.json()["dry_run"], true);
    assert!(
        requests(&sandbox, "PATCH").is_empty(),
        "a dry run writes nothing"
    );
}

#[test]
fn the_composite_action_fails_on_an_error_unless_told_otherwise() {
    let (spec, sandbox) = board(10);
    let refused = |name: &str, allow: Option<&str>| {
        let mut inputs = vec![
            ("database", spec.database_id()),
            ("token", "ntn_not_the_sandbox_token".to_string()),
        ];
        if let Some(allow) = allow {
            inputs.push(("allow-exit-codes", allow.to_string()));
        }
        run_action(name, &inputs, &action_extra(&sandbox))
    };
    // A refused token is exit 3: the step fails and says which code.
    let failed = refused("action-refused", None);
    assert!(!failed.ok, "the step failed");
    assert_eq!(failed.last.code, 3, "{:?}", failed.last);
    assert_eq!(failed.outputs["exit-code"], "3");
    assert!(
        failed.last.stdout.contains("::error"),
        "an annotation on the run's page: {}",
        failed.last.stdout
    );
    // Listed codes do not fail the step; the output still tells.
    let allowed = refused("action-allowed", Some("3 6"));
    assert!(allowed.ok, "{:?}", allowed.last);
    assert_eq!(allowed.outputs["exit-code"], "3");
    assert_eq!(
        yaml("action.yml")["inputs"]["allow-exit-codes"]["default"],
        "6",
        "another run holding the lock is not a failure by default"
    );
}

// ---------------------------------------------------------------- Kubernetes

#[test]
fn the_kubernetes_cronjob_is_locked_down_and_its_container_sweeps() {
    let doc = yaml("deploy/kubernetes-cronjob.yaml");
    assert_eq!(doc["kind"], "CronJob");
    assert_eq!(doc["apiVersion"], "batch/v1");
    let spec_ = &doc["spec"];
    assert_eq!(spec_["concurrencyPolicy"], "Forbid");
    let job = &spec_["jobTemplate"]["spec"];
    assert!(job["backoffLimit"].as_u64().unwrap() <= 2);
    let pod = &job["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_ne!(pod["securityContext"]["runAsUser"], 0);
    let containers = pod["containers"].as_sequence().unwrap();
    assert_eq!(containers.len(), 1);
    let container = &containers[0];
    let security = &container["securityContext"];
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert!(
        container["command"].is_null(),
        "the image's ENTRYPOINT runs"
    );

    // The token: a file from a Secret volume, named by --token-file.
    let args: Vec<String> = container["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let at = args.iter().position(|a| a == "--token-file").unwrap();
    let token_path = args[at + 1].clone();
    let mount = container["volumeMounts"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|m| token_path.starts_with(&format!("{}/", m["mountPath"].as_str().unwrap())))
        .expect("the token file is in a mounted volume");
    let volume = pod["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mount["name"])
        .unwrap();
    let secret_name = volume["secret"]["secretName"].as_str().unwrap();
    let item = volume["secret"]["items"][0]["path"].as_str().unwrap();
    assert_eq!(
        token_path,
        format!("{}/{item}", mount["mountPath"].as_str().unwrap())
    );
    let env = container["env"].as_sequence().unwrap();
    assert!(
        env.iter().all(|e| e["name"] != "NOTION_TOKEN"),
        "the token is never a plain variable"
    );
    // The webhook: a Secret reference, never a literal.
    let webhook = env
        .iter()
        .find(|e| e["name"] == "SLACK_WEBHOOK_URL")
        .unwrap();
    assert!(webhook["value"].is_null());
    assert_eq!(
        webhook["valueFrom"]["secretKeyRef"]["name"].as_str(),
        Some(secret_name)
    );
    // The root filesystem is read-only: the lock files need a writable /tmp.
    assert!(container["volumeMounts"]
        .as_sequence()
        .unwrap()
        .iter()
        .any(|m| m["mountPath"] == "/tmp"));

    // The container's arguments and environment against the sandbox.
    let (spec, sandbox) = board(40);
    let dir = scratch("kubernetes");
    let token_file = dir.join("token");
    std::fs::write(&token_file, format!("{}\n", sandbox.token())).unwrap();
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace(&token_path, &token_file.display().to_string()))
        .collect();
    let mut vars: Vec<(String, String)> = env
        .iter()
        .map(|e| {
            let name = e["name"].as_str().unwrap().to_string();
            let value = match name.as_str() {
                "SLACK_WEBHOOK_URL" => sandbox.sink_url(SinkKind::Slack),
                "NOTION_DATABASE_ID" => spec.database_id(),
                _ => e["value"].as_str().unwrap().to_string(),
            };
            (name, value)
        })
        .collect();
    let tz: Tz = vars
        .iter()
        .find(|(k, _)| k == "SWEEP_TZ")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(Tz::UTC);
    vars.extend([
        ("NOTION_API_URL".into(), sandbox.url()),
        ("SWEEP_AS_OF".into(), AS_OF.into()),
        ("NOTION_RATE".into(), "1000".into()),
        ("NOTION_SWEEP_LOCK_DIR".into(), lock_dir(&sandbox)),
    ]);
    let before = statuses(&sandbox, &spec);
    let overdue = expected_overdue(
        &sandbox.pages(&spec.data_source_id()),
        "Status",
        "Due Date",
        &["To Do"],
        as_of(),
        tz,
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = run_in(&dir, BIN, &args, &vars);
    run.expect_code(0);
    assert_moved(&before, &statuses(&sandbox, &spec), &overdue);
    assert_eq!(sandbox.sink_messages(SinkKind::Slack).len(), 1);
}

// ---------------------------------------------------------------- Docker

#[test]
fn the_dockerfile_builds_a_small_non_root_image() {
    let dockerfile = repo_file("Dockerfile");
    let lines: Vec<&str> = dockerfile
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let froms: Vec<&&str> = lines.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "a build stage and a runtime stage");
    assert!(froms[0].ends_with(" AS build"), "{}", froms[0]);
    let runtime: Vec<&str> = lines
        .iter()
        .skip_while(|l| **l != *froms[1])
        .copied()
        .collect();
    let user = runtime
        .iter()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the runtime stage names its user");
    assert!(
        !matches!(user.split(':').next(), Some("root" | "0")),
        "USER {user}"
    );
    let entrypoint = runtime
        .iter()
        .find_map(|l| l.strip_prefix("ENTRYPOINT "))
        .expect("an ENTRYPOINT");
    let entrypoint: Vec<String> = serde_json::from_str(entrypoint).expect("exec form");
    let copied = runtime
        .iter()
        .find(|l| l.starts_with("COPY --from=build "))
        .expect("the binary comes from the build stage");
    assert!(copied.ends_with(&format!(" {}", entrypoint[0])), "{copied}");
    for line in &lines {
        let upper = line.to_uppercase();
        if upper.starts_with("ENV ") || upper.starts_with("ARG ") {
            for secret in ["TOKEN", "WEBHOOK", "SECRET"] {
                assert!(!upper.contains(secret), "no secret baked in: {line}");
            }
        }
        assert!(!line.contains(".env"), "no settings file copied: {line}");
    }
    let ignore = repo_file(".dockerignore");
    for entry in [".env", "**/.env", "target/", ".git/"] {
        assert!(
            ignore.lines().any(|l| l.trim() == entry),
            ".dockerignore lists {entry}"
        );
    }

    let docker = Command::new("docker")
        .arg("info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if docker {
        let root = env!("CARGO_MANIFEST_DIR");
        let tag = format!("notion-sweep-recipe-{}", std::process::id());
        let built = Command::new("docker")
            .args(["build", "-t", &tag, root])
            .status()
            .unwrap();
        assert!(built.success(), "docker build");
        let help = Command::new("docker")
            .args(["run", "--rm", &tag, "sweep", "--help"])
            .output()
            .unwrap();
        assert!(help.status.success());
        let whoami = Command::new("docker")
            .args(["image", "inspect", "-f", "{{.Config.User}}", &tag])
            .output()
            .unwrap();
        assert_ne!(String::from_utf8_lossy(&whoami.stdout).trim(), "root");
        let _ = Command::new("docker").args(["rmi", &tag]).status();
    } else {
        eprintln!("no Docker engine answers: the Dockerfile is linted, not built");
    }
    if Command::new("hadolint").arg("--version").output().is_ok() {
        let out = Command::new("hadolint")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "hadolint:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    } else {
        eprintln!("hadolint is not installed: skipped");
    }
}

// ---------------------------------------------------------------- install lines

/// The pages and files that show how to install notion-sweep.
fn install_sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = [
        "README.md",
        "deploy/README.md",
        "action.yml",
        "Dockerfile",
        "deploy/github-workflow.yml",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    for dir in ["docs", ".github/workflows"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            files.extend(entries.map(|e| e.unwrap().path()));
        }
    }
    files
}

/// `cargo install` without `--locked` resolves every dependency afresh,
/// ignoring Cargo.lock: what it builds is not what the tests ran. Every
/// command that installs says `--locked`; a bare mention of "`cargo
/// install`" in prose is not a command.
#[test]
fn every_install_line_is_locked() {
    let mut unlocked = Vec::new();
    for file in install_sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("cargo install") {
                let after = &rest[at + "cargo install".len()..];
                let command = after.split('`').next().unwrap();
                if !command.trim().is_empty() && !command.contains("--locked") {
                    unlocked.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
                rest = after;
            }
        }
    }
    assert!(
        unlocked.is_empty(),
        "cargo install without --locked:\n{}",
        unlocked.join("\n")
    );
}

// ---------------------------------------------------------------- release

/// The version the recipes must name: this package's.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The placeholder the recipes use for the GitHub account that holds the
/// user's copy of this repository.
const OWNER_REPOSITORY: &str = "OWNER/notion-sweep";

/// Runs the release workflow's tag check as the runner would on a push of
/// `tag` to `repository`; its outputs, or None when it failed.
fn release_check(tag: &str, repository: &str) -> Option<BTreeMap<String, String>> {
    let doc = yaml(".github/workflows/release.yml");
    let job_steps = steps(&doc["jobs"]["image"]);
    let check = step(job_steps, "Check the tag");
    let dir = scratch(&format!("release-{tag}"));
    let output = dir.join("output");
    std::fs::write(&output, "").unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"),
        dir.join("Cargo.toml"),
    )
    .unwrap();
    let env = vec![
        ("PATH".into(), "/usr/bin:/bin".into()),
        ("GITHUB_REF_NAME".into(), tag.into()),
        ("GITHUB_REPOSITORY".into(), repository.into()),
        ("GITHUB_OUTPUT".into(), output.display().to_string()),
    ];
    let run = run_in(
        &dir,
        "bash",
        &[
            "--noprofile",
            "--norc",
            "-eo",
            "pipefail",
            "-c",
            check["run"].as_str().unwrap(),
        ],
        &env,
    );
    if run.code != 0 {
        assert!(run.stdout.contains("::error"), "says why: {run:?}");
        return None;
    }
    Some(
        std::fs::read_to_string(&output)
            .unwrap()
            .lines()
            .map(|l| {
                let (k, v) = l.split_once('=').expect("name=value outputs");
                (k.to_string(), v.to_string())
            })
            .collect(),
    )
}

/// The recipes name a tag, an action ref and an image: a push of that tag
/// to the user's copy makes all three, by the release workflow, and the
/// recipes page says so before any recipe.
#[test]
fn a_tag_publishes_what_the_recipes_name() {
    let doc = yaml(".github/workflows/release.yml");
    let tags = doc["on"]["push"]["tags"]
        .as_sequence()
        .expect("on a tag push");
    assert!(tags.iter().any(|t| t == "v*"), "{tags:?}");
    assert_eq!(
        doc["permissions"]["packages"], "write",
        "it pushes the image"
    );

    // The tag must name this version; the image is named after the repository.
    let outputs = release_check(&format!("v{VERSION}"), OWNER_REPOSITORY).expect("v{VERSION}");
    assert_eq!(outputs["version"], VERSION);
    let image = format!("{}:{VERSION}", outputs["image"]);
    assert_eq!(image, format!("ghcr.io/owner/notion-sweep:{VERSION}"));
    assert!(
        release_check("v0.0.0-not-this", OWNER_REPOSITORY).is_none(),
        "a tag that is not the version of Cargo.toml publishes nothing"
    );

    // It builds the Dockerfile and pushes what it built under that name.
    let job_steps = steps(&doc["jobs"]["image"]);
    let build = step(job_steps, "Build the image");
    let build_run = build["run"].as_str().unwrap();
    assert!(build_run.contains("docker build"), "{build_run}");
    assert!(
        build_run.contains("--tag \"$IMAGE:$VERSION\""),
        "{build_run}"
    );
    assert!(
        build_run.trim_end().ends_with(" ."),
        "the repository's Dockerfile"
    );
    let push = step(job_steps, "Push the image");
    assert!(push["run"]
        .as_str()
        .unwrap()
        .contains("docker push \"$IMAGE:$VERSION\""));
    for s in [build, push] {
        assert_eq!(s["env"]["IMAGE"], "${{ steps.version.outputs.image }}");
        assert_eq!(s["env"]["VERSION"], "${{ steps.version.outputs.version }}");
    }

    // The recipes name exactly that tag and that image.
    let workflow = yaml("deploy/github-workflow.yml");
    let env = &workflow["jobs"]["sweep"]["env"];
    assert_eq!(
        env["NOTION_SWEEP_REPO"],
        format!("https://github.com/{OWNER_REPOSITORY}").as_str()
    );
    assert_eq!(env["NOTION_SWEEP_REF"], format!("v{VERSION}").as_str());
    let cronjob = yaml("deploy/kubernetes-cronjob.yaml");
    let container = &cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
    let shown = container["image"].as_str().unwrap();
    assert_eq!(
        shown.to_lowercase(),
        image,
        "the CronJob runs the released image"
    );
    let page = repo_file(RECIPES);
    let mut named = 0;
    for (n, line) in page.lines().enumerate() {
        if let Some(at) = line.find("uses: OWNER/notion-sweep@") {
            let reference = line[at + "uses: OWNER/notion-sweep@".len()..].trim();
            assert_eq!(reference, format!("v{VERSION}"), "line {}", n + 1);
            named += 1;
        }
        for word in line.split(|c: char| c.is_whitespace() || c == '`') {
            if word.starts_with("ghcr.io/") {
                assert_eq!(word.to_lowercase(), image, "line {}", n + 1);
                named += 1;
            }
        }
    }
    assert!(named >= 2, "the composite action and the image are shown");

    // Before any recipe, the page says what to publish first.
    let first = page
        .split("\n## ")
        .nth(1)
        .expect("a first section")
        .to_string();
    for needed in [
        format!("git tag v{VERSION}"),
        format!("git push origin v{VERSION}"),
        ".github/workflows/release.yml".to_string(),
        "OWNER".to_string(),
    ] {
        assert!(
            first.contains(&needed),
            "the first section of {RECIPES} says {needed}:\n{first}"
        );
    }
}
