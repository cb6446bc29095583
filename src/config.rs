//! `--config boards.toml`: several boards in one run.
//!
//! The file's top-level keys are defaults for every board, named as the long
//! flags with `_` for `-`; each `[[board]]` has a unique `name`, a
//! `database` or a `data_source`, any of the same keys as overrides, and
//! optionally `token_env`. A board becomes the command line it stands for:
//! its keys are turned into flags, added only where the user gave neither
//! the flag nor its variable, and parsed by the same definitions as any
//! command line. So every value is checked the same way, and the order of
//! precedence is: flag, variable (`.env` included), board key, top-level
//! key, default.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::Path;

use clap::parser::ValueSource;
use clap::ArgMatches;
use toml::{Table, Value};

use crate::settings::UsageError;

/// The most a settings file may hold.
const FILE_LIMIT: u64 = 1024 * 1024;

/// Keys of a board that are not flags.
const BOARD_KEYS: &[&str] = &["name", "database", "data_source", "token_env"];

/// Keys that are flags: those of `sweep` (a file may serve `check` and
/// `schema` too, which use fewer of them).
const FLAG_KEYS: &[&str] = &[
    "status_property",
    "date_property",
    "from",
    "to",
    "as_of",
    "tz",
    "dry_run",
    "limit",
    "lock_wait",
    "rate",
    "max_retries",
    "timeout",
    "deadline",
    "api_url",
    "notion_version",
    "notify",
    "notify_empty",
    "no_notify",
    "slack_webhook",
];

/// Keys whose values are secrets: only `${VAR}` from the environment.
const SECRET_KEYS: &[&str] = &["notify", "slack_webhook"];

/// One board of the file, as the command line it stands for.
#[derive(Debug, Clone)]
pub(crate) struct Board {
    pub(crate) name: String,
    /// Flags (and the database, as the positional argument) to add to the
    /// user's own command line.
    pub(crate) args: Vec<OsString>,
    /// The variable that holds this board's token, if not `NOTION_TOKEN`.
    pub(crate) token_env: Option<String>,
    /// The board names a database (else only a data source).
    pub(crate) has_database: bool,
}

/// Reads the boards of `path` for `command` (`sweep`, `check`, `schema`),
/// `picked` by name (all when empty). `given` are the user's own arguments
/// of the command: a flag or variable set there wins over the file.
pub(crate) fn load(
    path: &Path,
    command: &clap::Command,
    given: &ArgMatches,
    picked: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Board>, UsageError> {
    let file = path.display().to_string();
    let table = read(path)?;
    let mut defaults = table.clone();
    let boards = match defaults.remove("board") {
        Some(Value::Array(boards)) if !boards.is_empty() => boards,
        Some(_) | None => {
            return Err(UsageError(format!(
                "{file}: no [[board]] table; each board needs one, with a name and a database"
            )))
        }
    };
    check_keys(&defaults, FLAG_KEYS, &file, "at the top level")?;
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for (index, board) in boards.iter().enumerate() {
        let Value::Table(board) = board else {
            return Err(UsageError(format!(
                "{file}: board {} is not a table",
                index + 1
            )));
        };
        let board = board_of(board, &defaults, command, given, env, &file)?;
        if !names.insert(board.name.clone()) {
            return Err(UsageError(format!(
                "{file}: two boards are named '{}'; each name must be unique",
                board.name
            )));
        }
        out.push(board);
    }
    pick(out, picked, &file)
}

fn read(path: &Path) -> Result<Table, UsageError> {
    use std::io::Read;
    let file = path.display();
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(FILE_LIMIT + 1).read_to_string(&mut text))
        .map_err(|e| UsageError(format!("could not read the settings file {file}: {e}")))?;
    if text.len() as u64 > FILE_LIMIT {
        return Err(UsageError(format!(
            "the settings file {file} is larger than 1 MiB; check that it is the right file"
        )));
    }
    text.parse::<Table>().map_err(|e| {
        UsageError(format!(
            "{file} is not valid TOML: {}",
            e.to_string().trim()
        ))
    })
}

fn check_keys(table: &Table, allowed: &[&str], file: &str, place: &str) -> Result<(), UsageError> {
    match table.keys().find(|k| !allowed.contains(&k.as_str())) {
        None => Ok(()),
        Some(key) => Err(UsageError(format!(
            "{file}: unknown key '{key}' {place}; the keys are {}",
            allowed.join(", ")
        ))),
    }
}

fn board_of(
    board: &Table,
    defaults: &Table,
    command: &clap::Command,
    given: &ArgMatches,
    env: &dyn Fn(&str) -> Option<String>,
    file: &str,
) -> Result<Board, UsageError> {
    let name = match board.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_string(),
        _ => {
            return Err(UsageError(format!(
                "{file}: a [[board]] has no name; give each one `name = \"…\"`"
            )))
        }
    };
    let allowed: Vec<&str> = FLAG_KEYS.iter().chain(BOARD_KEYS).copied().collect();
    check_keys(board, &allowed, file, &format!("in board '{name}'"))?;
    let text = |key: &str| match board.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
        Some(_) => Err(UsageError(format!(
            "{file}: board '{name}': '{key}' must be a text value"
        ))),
    };
    let database = text("database")?;
    let data_source = text("data_source")?;
    let token_env = text("token_env")?;
    if database.is_none() && data_source.is_none() {
        return Err(UsageError(format!(
            "{file}: board '{name}' has neither a database nor a data_source"
        )));
    }
    if let Some(var) = &token_env {
        if env(var).is_none_or(|v| v.trim().is_empty()) {
            return Err(UsageError(format!(
                "board '{name}': its token_env names {var}, which is not set; export {var}=ntn_… (that workspace's integration secret)"
            )));
        }
    }
    let place = format!("board '{name}'");
    let mut args = Vec::new();
    for key in FLAG_KEYS.iter().chain(&["data_source"]) {
        // The board's own value, else the top-level one.
        let Some(value) = board.get(*key).or_else(|| defaults.get(*key)) else {
            continue;
        };
        // Checked whatever the command, so a file is loaded whole or not at all.
        let flag = flag_args(key, value, env, file, &place)?;
        if !applies(command, key) {
            continue;
        }
        if *key == "notify" {
            // Targets add up: the file's and the user's. Flags given on the
            // command line stay as they are; those of SWEEP_NOTIFY would be
            // hidden by the file's flags, so they are added too.
            args.extend(flag);
            if given.value_source(key) == Some(ValueSource::EnvVariable) {
                for url in given.get_many::<String>(key).into_iter().flatten() {
                    args.extend([OsString::from("--notify"), OsString::from(url)]);
                }
            }
        } else if !set_by_user(given, key) {
            args.extend(flag);
        }
    }
    if let Some(database) = &database {
        args.push(OsString::from(database));
    }
    Ok(Board {
        name,
        args,
        token_env,
        has_database: database.is_some(),
    })
}

/// Whether `command` has the flag of `key`.
fn applies(command: &clap::Command, key: &str) -> bool {
    command.get_arguments().any(|a| a.get_id() == key)
}

/// The user gave the flag or its variable: it wins over the file.
fn set_by_user(given: &ArgMatches, key: &str) -> bool {
    matches!(
        given
            .try_get_raw(key)
            .ok()
            .flatten()
            .and(given.value_source(key)),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// The command-line arguments of one key.
fn flag_args(
    key: &str,
    value: &Value,
    env: &dyn Fn(&str) -> Option<String>,
    file: &str,
    place: &str,
) -> Result<Vec<OsString>, UsageError> {
    let flag = format!("--{}", key.replace('_', "-"));
    let scalar = |v: &Value| -> Result<String, UsageError> {
        let raw = match v {
            Value::String(s) => s.clone(),
            Value::Integer(n) => n.to_string(),
            Value::Float(x) => x.to_string(),
            Value::Datetime(d) => d.to_string(),
            _ => {
                return Err(UsageError(format!(
                    "{file}: {place}: '{key}' must be text or a number"
                )))
            }
        };
        if SECRET_KEYS.contains(&key) {
            expand(&raw, env, file, place, key)
        } else {
            Ok(raw)
        }
    };
    let values = match value {
        Value::Boolean(true) => return Ok(vec![OsString::from(flag)]),
        Value::Boolean(false) => return Ok(Vec::new()),
        Value::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>, _>>()?,
        other => vec![scalar(other)?],
    };
    Ok(values
        .into_iter()
        .flat_map(|v| [OsString::from(&flag), OsString::from(v)])
        .collect())
}

/// `${VAR}` expanded from the environment; a secret is never literal in the file.
fn expand(
    raw: &str,
    env: &dyn Fn(&str) -> Option<String>,
    file: &str,
    place: &str,
    key: &str,
) -> Result<String, UsageError> {
    let (Some(start), Some(end)) = (raw.find("${"), raw.find('}')) else {
        return Err(UsageError(format!(
            "{file}: {place}: a '{key}' entry must come from the environment as ${{VAR}} \
             (optionally after a kind prefix such as discord+): a webhook URL is a secret \
             and is never written in the file (value not shown)"
        )));
    };
    if end < start {
        return Err(UsageError(format!(
            "{file}: {place}: a '{key}' entry has a stray '}}'"
        )));
    }
    let var = &raw[start + 2..end];
    match env(var).filter(|v| !v.trim().is_empty()) {
        Some(value) => Ok(format!(
            "{}{}{}",
            &raw[..start],
            value.trim(),
            &raw[end + 1..]
        )),
        None => Err(UsageError(format!(
            "{file}: {place}: {var} (in '{key}') is not set in the environment"
        ))),
    }
}

fn pick(boards: Vec<Board>, picked: &[String], file: &str) -> Result<Vec<Board>, UsageError> {
    if let Some(unknown) = picked
        .iter()
        .find(|p| !boards.iter().any(|b| &b.name == *p))
    {
        let names: Vec<&str> = boards.iter().map(|b| b.name.as_str()).collect();
        return Err(UsageError(format!(
            "--board '{unknown}' is not in {file}; its boards are {}",
            names.join(", ")
        )));
    }
    Ok(boards
        .into_iter()
        .filter(|b| picked.is_empty() || picked.contains(&b.name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn boards(text: &str, argv: &[&str], env: &[(&str, &str)]) -> Result<Vec<Board>, String> {
        let path = std::env::temp_dir().join(format!(
            "notion-sweep-config-test-{}-{}.toml",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::write(&path, text).unwrap();
        let cli = crate::cli::Cli::command();
        let mut full = vec!["notion-sweep", "sweep"];
        full.extend(argv);
        let matches = cli.clone().try_get_matches_from(full).unwrap();
        let (_, given) = matches.subcommand().unwrap();
        let sweep = cli.find_subcommand("sweep").unwrap().clone();
        let env = |name: &str| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let result = load(&path, &sweep, given, &[], &env).map_err(|e| e.0);
        let _ = std::fs::remove_file(path);
        result
    }

    fn args(board: &Board) -> Vec<String> {
        board
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn top_level_keys_are_defaults_and_board_keys_win() {
        let found = boards(
            "rate = 3\nfrom = ['To Do', 'Blocked']\n[[board]]\nname = 'Eng'\ndatabase = 'db1'\nrate = 10\n[[board]]\nname = 'Ops'\ndata_source = 'ds2'\n",
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(found.len(), 2);
        let eng = args(&found[0]);
        assert!(eng.windows(2).any(|w| w == ["--rate", "10"]), "{eng:?}");
        assert!(
            eng.windows(2).any(|w| w == ["--from", "Blocked"]),
            "{eng:?}"
        );
        assert_eq!(eng.last().unwrap(), "db1");
        let ops = args(&found[1]);
        assert!(ops.windows(2).any(|w| w == ["--rate", "3"]), "{ops:?}");
        assert!(
            ops.windows(2).any(|w| w == ["--data-source", "ds2"]),
            "{ops:?}"
        );
        assert!(!found[1].has_database);
    }

    #[test]
    fn a_flag_given_wins_over_the_file() {
        let found = boards(
            "rate = 3\n[[board]]\nname = 'Eng'\ndatabase = 'db1'\nrate = 10\n",
            &["--rate", "7"],
            &[],
        )
        .unwrap();
        assert!(!args(&found[0]).contains(&"--rate".to_string()));
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("[[board]]\nname = 'A'\ndatabase = 'x'\nrtae = 3\n", "unknown key 'rtae' in board 'A'"),
            ("colour = 'red'\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "unknown key 'colour' at the top level"),
            ("[[board]]\nname = 'A'\ndatabase = 'x'\n[[board]]\nname = 'A'\ndatabase = 'y'\n", "two boards are named 'A'"),
            ("[[board]]\nname = 'A'\n", "neither a database nor a data_source"),
            ("[[board]]\ndatabase = 'x'\n", "has no name"),
            ("rate = 3\n", "no [[board]]"),
            ("[[board]]\nname = 'A'\ndatabase = 'x'\ntoken_env = 'OPS_TOKEN'\n", "OPS_TOKEN, which is not set"),
            ("notify = ['${HOOK}']\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "HOOK (in 'notify') is not set"),
            ("notify = ['https://hooks.slack.com/services/T/B/secret']\n[[board]]\nname = 'A'\ndatabase = 'x'\n", "must come from the environment"),
            ("[[board]\n", "not valid TOML"),
        ];
        for (text, says) in cases {
            let error = boards(text, &[], &[]).unwrap_err();
            assert!(error.contains(says), "{text}: {error}");
            assert!(!error.contains("hooks.slack.com"), "never echoed: {error}");
        }
    }

    #[test]
    fn secrets_come_from_the_environment() {
        let found = boards(
            "[[board]]\nname = 'A'\ndatabase = 'x'\nslack_webhook = '${HOOK}'\n",
            &[],
            &[("HOOK", "https://hooks.slack.com/services/T/B/abc")],
        )
        .unwrap();
        assert!(args(&found[0]).contains(&"https://hooks.slack.com/services/T/B/abc".to_string()));
    }
}
