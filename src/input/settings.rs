//! The layers merged, by the contract's precedence, into the boards the
//! jobs run: the command-line flag, then its variable (`.env` included),
//! then the board's key, then the file's top-level key, then the default.
//! Where the summary goes adds up instead: a board's own channels (or the
//! top level's), plus every channel of the command line. Every value is
//! checked here, once, before any request is sent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono_tz::Tz;
use secrecy::{ExposeSecret, SecretString};

use super::config::ConfigFile;
use super::defaults;
use super::layer::Layer;
use super::targets::parse_channel;
use super::variables;
use super::{Env, UsageError};
use crate::guards::limits;
use crate::guards::urls::http_url;
use crate::jobs::board::{
    Board, Channel, ChannelKind, DataSourceChoice, DigestRule, Notify, People, Source, StaleRule,
    Writes,
};
use crate::jobs::rule::Rule;
use crate::notion::ids::{NotionId, DATABASE_HINT};
use crate::notion::retry::RetryPolicy;
use crate::notion::ClientConfig;

/// The most a token file may hold: a token is about 50 bytes.
const TOKEN_FILE_LIMIT: u64 = 64 * 1024;

/// The command line as the settings see it: its own layer, and what only
/// the command line can say.
#[derive(Debug, Clone, Default)]
pub(crate) struct CommandLine {
    /// `<DATABASE>`, from the command line or `NOTION_DATABASE_ID`.
    pub(crate) database: Option<String>,
    /// `<DATABASE>` was typed on the command line (not a variable).
    pub(crate) database_typed: bool,
    /// `--config`.
    pub(crate) config: Option<PathBuf>,
    /// `--board`, repeatable.
    pub(crate) picked: Vec<String>,
    /// `--token-file`.
    pub(crate) token_file: Option<PathBuf>,
    pub(crate) layer: Layer,
    /// The names of the process's environment variables, to warn of one
    /// that looks like a setting but is none.
    pub(crate) variables: Vec<String>,
    /// Every variable the program reads.
    pub(crate) known: BTreeSet<String>,
}

/// Every board the command runs: the one of the command line, or those of
/// `--config` (in file order). A mistake anywhere stops the run before
/// anything is sent.
pub(crate) fn boards(line: &CommandLine, env: Env) -> Result<Vec<Board>, UsageError> {
    let Some(path) = &line.config else {
        warn_unknown(line, &BTreeSet::new());
        let token = token(None, line.token_file.as_deref(), env)?;
        return board(None, line.database.as_deref(), &line.layer, token, env).map(|b| vec![b]);
    };
    if line.database_typed {
        return Err(UsageError::value(
            "with --config the databases come from the file: leave out <DATABASE>, or pick boards with --board NAME",
        ));
    }
    let file = ConfigFile::load(path, env)?;
    warn_unknown(line, &file.variables);
    let mut boards = Vec::new();
    for entry in file.pick(&line.picked)? {
        let own = entry.layer.clone().or(&file.top);
        let mut layer = line.layer.clone().or(&own);
        // Channels add up: the board's (or the top level's) and the user's.
        layer.slack_webhook = line.layer.slack_webhook.clone();
        layer.notify = line.layer.notify.clone();
        let token = token(entry.token_env.as_deref(), line.token_file.as_deref(), env)
            .map_err(|e| e.of_board(&entry.name))?;
        let board = board(
            Some(&entry.name),
            entry.database.as_deref(),
            &layer,
            token,
            env,
        )
        .and_then(|mut board| {
            board.notify.channels = add_up(channels(&own)?, board.notify.channels);
            board.notify.people = file.people.clone();
            Ok(board)
        })
        .map_err(|e| e.of_board(&entry.name))?;
        boards.push(board);
    }
    Ok(boards)
}

/// Warns of each `SWEEP_*` or `NOTION_*` variable that is no setting and
/// that the settings file does not name either.
fn warn_unknown(line: &CommandLine, named: &BTreeSet<String>) {
    let names = line.variables.iter().map(String::as_str);
    for warning in variables::unknown(names, &line.known, named) {
        tracing::warn!("{warning}");
    }
}

/// One board from its merged layer.
fn board(
    name: Option<&str>,
    database: Option<&str>,
    layer: &Layer,
    token: Token,
    env: Env,
) -> Result<Board, UsageError> {
    Ok(Board {
        name: name.map(str::to_string),
        source: source(database, layer.data_source.as_deref(), env)?,
        rule: rule(layer, env)?,
        stale: stale(layer)?,
        digest: DigestRule {
            since_hours: layer.since.unwrap_or(defaults::DIGEST_SINCE),
        },
        writes: Writes {
            dry_run: layer.dry_run.unwrap_or(false),
            limit: layer.limit,
            lock_wait: Some(layer.lock_wait.unwrap_or(defaults::LOCK_WAIT.0)),
            comment: layer.comment.unwrap_or(false),
            max_changes: layer.max_changes,
            max_changes_given_by: layer.origins.of("max_changes"),
        },
        notify: Notify {
            channels: channels(layer)?,
            disabled: layer.no_notify.unwrap_or(false),
            when_empty: layer.notify_empty.unwrap_or(false),
            people: People::default(),
        },
        client: client(layer, token)?,
    })
}

/// `a` then the channels of `b` that `a` does not have: the same URL twice
/// is one channel, and gets one message.
fn add_up(a: Vec<Channel>, b: Vec<Channel>) -> Vec<Channel> {
    let mut all = a;
    for channel in b {
        if !all
            .iter()
            .any(|c| c.url.expose_secret() == channel.url.expose_secret())
        {
            all.push(channel);
        }
    }
    all
}

/// The channels a layer names: its Slack webhook, then every `notify` URL.
fn channels(layer: &Layer) -> Result<Vec<Channel>, UsageError> {
    let mut channels: Vec<Channel> = Vec::new();
    if let Some(url) = layer.slack_webhook.as_deref().map(str::trim) {
        if !url.is_empty() {
            if quoted(url) {
                return Err(UsageError::value(format!(
                    "the Slack webhook URL (--slack-webhook / SLACK_WEBHOOK_URL) {QUOTED} (value not shown)"
                )));
            }
            if let Ok(other) = parse_channel(url).map(|c| c.kind) {
                if other != ChannelKind::Slack {
                    return Err(UsageError::value(format!(
                        "SLACK_WEBHOOK_URL / --slack-webhook holds a {} webhook URL, which would be \
                         sent a Slack message; give it with --notify / SWEEP_NOTIFY instead (value not shown)",
                        other.service()
                    )));
                }
            }
            if http_url(url, true).is_err() {
                // Never echo the value: it is a secret.
                return Err(UsageError::value(
                    "the Slack webhook URL (--slack-webhook / SLACK_WEBHOOK_URL) is not a valid \
                     https URL; it looks like https://hooks.slack.com/services/T…/B…/… (value not shown)",
                ));
            }
            channels.push(Channel {
                kind: ChannelKind::Slack,
                url: SecretString::from(url.to_string()),
            });
        }
    }
    // SWEEP_NOTIFY holds several URLs separated by whitespace or commas;
    // a webhook URL has neither.
    let mut given = Vec::new();
    let urls = layer.notify.iter().flatten().flat_map(|v| {
        v.split(|c: char| c.is_whitespace() || c == ',')
            .filter(|u| !u.is_empty())
    });
    for raw in urls {
        if quoted(raw) {
            return Err(UsageError::value(format!(
                "a URL of --notify / SWEEP_NOTIFY {QUOTED} (value not shown)"
            )));
        }
        given.push(
            parse_channel(raw)
                .map_err(|why| UsageError::value(format!("--notify / SWEEP_NOTIFY: {why}")))?,
        );
    }
    Ok(add_up(channels, given))
}

/// Which data source: `<DATABASE>` and `--data-source` (or the variable
/// the widely copied script uses, `NOTION_DATA_SOURCE_ID`).
fn source(
    database: Option<&str>,
    data_source: Option<&str>,
    env: Env,
) -> Result<Source, UsageError> {
    let alias = env("NOTION_DATA_SOURCE_ID");
    let data_source = match data_source.or(alias.as_deref()).map(str::trim) {
        None | Some("") => None,
        Some(raw) if quoted(raw) => {
            return Err(UsageError::value(format!(
                "--data-source / NOTION_DATA_SOURCE {raw} {QUOTED}"
            )))
        }
        Some(raw) => Some(match NotionId::parse(raw) {
            Some(id) => DataSourceChoice::Id(id),
            None => DataSourceChoice::Name(raw.to_string()),
        }),
    };
    let database = match database.map(str::trim) {
        None | Some("") => {
            if !matches!(data_source, Some(DataSourceChoice::Id(_))) {
                return Err(UsageError::missing(format!(
                    "no database given: pass {DATABASE_HINT}, or set NOTION_DATABASE_ID"
                )));
            }
            None
        }
        Some(raw) if quoted(raw) => {
            return Err(UsageError::value(format!(
                "the database {raw} (<DATABASE> / NOTION_DATABASE_ID) {QUOTED}"
            )))
        }
        Some(raw) => match NotionId::from_id_or_url(raw) {
            Some(id) => Some(id),
            None => {
                return Err(UsageError::value(format!(
                    "'{raw}' is not a Notion database: expected {DATABASE_HINT}"
                )))
            }
        },
    };
    Ok(Source {
        database,
        data_source,
    })
}

/// Which tasks are overdue and where they go.
fn rule(layer: &Layer, env: Env) -> Result<Rule, UsageError> {
    let status_property = non_empty(
        layer.status_property.as_deref(),
        defaults::STATUS_PROPERTY,
        "--status-property",
    )?;
    let date_property = non_empty(
        layer.date_property.as_deref(),
        defaults::DATE_PROPERTY,
        "--date-property",
    )?;
    let from = status_names(
        layer.from.as_deref(),
        defaults::FROM,
        "--from / SWEEP_FROM",
        "SWEEP_FROM=To Do,Blocked",
        "--from 'To Do' --from Backlog, or SWEEP_FROM='To Do,Backlog'",
    )?;
    let to = non_empty(layer.to.as_deref(), defaults::TO, "--to")?;
    if from.contains(&to) {
        let (to_by, from_by) = (layer.origins.of("to"), layer.origins.of("from"));
        let instead = if to == defaults::TO {
            format!("take '{to}' out of the open states, or choose another late state with --to")
        } else {
            format!("choose a late state such as --to {}", defaults::TO)
        };
        return Err(UsageError::value(format!(
            "the late state '{to}' (given by {to_by}) is also one of the open states (given by {from_by}): \
             overdue tasks would be moved to where they already are; {instead}"
        )));
    }
    let tz = layer.tz.unwrap_or_else(|| system_zone(env));
    let as_of = layer
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).date_naive());
    let restore_to = match (layer.restore.unwrap_or(false), layer.restore_to.as_deref()) {
        (false, _) => None,
        (true, Some(given)) => Some(non_empty(Some(given), defaults::FROM, "--restore-to")?),
        (true, None) => from.first().cloned(),
    };
    if restore_to.as_ref() == Some(&to) {
        return Err(UsageError::value(format!(
            "--restore-to '{to}' (given by {}) is the late state itself (given by {}): restored \
             tasks would stay where they are; choose an open state such as --restore-to '{}'",
            layer.origins.of("restore_to"),
            layer.origins.of("to"),
            from.first().map(String::as_str).unwrap_or(defaults::FROM)
        )));
    }
    let snooze_property = match layer.snooze_property.as_deref() {
        Some(name) => Some(non_empty(Some(name), "Snoozed until", "--snooze-property")?),
        None => None,
    };
    Ok(Rule {
        status_property,
        date_property,
        from,
        to,
        as_of,
        tz,
        restore_to,
        due_soon: layer.due_soon,
        exempt: layer.exempt.clone().unwrap_or_default(),
        snooze_property,
        assignee_property: layer.assignee_property.clone(),
        given_by: layer.origins.clone(),
    })
}

/// Status names as given (`default` when none is), each named once; a
/// quoted or empty name is a mistake, told with `quoted_example` or
/// `empty_example`.
fn status_names(
    given: Option<&[String]>,
    default: &str,
    named: &str,
    quoted_example: &str,
    empty_example: &str,
) -> Result<Vec<String>, UsageError> {
    let mut names: Vec<String> = Vec::new();
    let default = [default.to_string()];
    for name in given.unwrap_or(&default) {
        let name = name.trim();
        if quoted(name) {
            return Err(UsageError::value(format!(
                "{named} holds {name}, which {QUOTED}, e.g. {quoted_example}"
            )));
        }
        if name.is_empty() {
            return Err(UsageError::value(format!(
                "{named} holds an empty status name: expected names such as {empty_example}"
            )));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

/// Which tasks `stale` finds: in one of `--status`, untouched `--idle`
/// days; `--move-to`, if given, is none of those statuses.
fn stale(layer: &Layer) -> Result<StaleRule, UsageError> {
    let statuses = status_names(
        layer.status.as_deref(),
        defaults::STALE_STATUS,
        "--status / STALE_STATUS",
        "STALE_STATUS=In Progress,Review",
        "--status 'In Progress' --status Review, or STALE_STATUS='In Progress,Review'",
    )?;
    let move_to = match layer.move_to.as_deref() {
        Some(name) => Some(non_empty(Some(name), "Stalled", "--move-to")?),
        None => None,
    };
    if let Some(to) = move_to.as_ref().filter(|to| statuses.contains(to)) {
        return Err(UsageError::value(format!(
            "--move-to '{to}' (given by {}) is one of the statuses stale tasks are looked for in \
             (given by {}): they would be moved to where they already are; choose another status, \
             e.g. --move-to Stalled",
            layer.origins.of("move_to"),
            layer.origins.of("status")
        )));
    }
    Ok(StaleRule {
        statuses,
        idle_days: layer.idle.unwrap_or(defaults::STALE_IDLE),
        move_to,
    })
}

/// The zone of this machine: `TZ` if it names an IANA zone, else the system setting, else UTC.
fn system_zone(env: Env) -> Tz {
    let from_env = env("TZ").and_then(|tz| Tz::from_str(tz.trim_start_matches(':')).ok());
    from_env
        .or_else(|| {
            iana_time_zone::get_timezone()
                .ok()
                .and_then(|name| Tz::from_str(&name).ok())
        })
        .unwrap_or(Tz::UTC)
}

/// Docker's `--env-file` and systemd's `EnvironmentFile=` keep quotes as
/// part of a value: a value wrapped in them is a mistake, never a name.
fn quoted(value: &str) -> bool {
    let value = value.trim();
    value.len() >= 2
        && ["'", "\""]
            .iter()
            .any(|q| value.starts_with(q) && value.ends_with(q))
}

/// What [`quoted`] values are told.
const QUOTED: &str = "is wrapped in quotes, which Docker's --env-file and systemd's \
                      EnvironmentFile= keep as part of the value; write it without them";

fn non_empty(raw: Option<&str>, default: &str, flag: &str) -> Result<String, UsageError> {
    let value = raw.unwrap_or(default).trim();
    if quoted(value) {
        return Err(UsageError::value(format!("{flag} {value} {QUOTED}")));
    }
    if value.is_empty() {
        return Err(UsageError::value(format!(
            "{flag} is empty: expected a name, e.g. {flag} {default}"
        )));
    }
    Ok(value.to_string())
}

/// How to reach Notion.
fn client(layer: &Layer, token: Token) -> Result<ClientConfig, UsageError> {
    let api_url = layer.api_url.as_deref().unwrap_or(defaults::API_URL);
    let base_url = http_url(api_url.trim(), false).map_err(|why| {
        UsageError::value(format!(
            "invalid --api-url / NOTION_API_URL '{api_url}': {why}; expected e.g. {}",
            defaults::API_URL
        ))
    })?;
    if base_url.path().trim_end_matches('/').ends_with("/v1") {
        return Err(UsageError::value(format!(
            "--api-url / NOTION_API_URL '{api_url}' ends in /v1: give the API's root, e.g. {}; \
             notion-sweep adds /v1 itself",
            defaults::API_URL
        )));
    }
    let version = layer
        .notion_version
        .as_deref()
        .unwrap_or(defaults::NOTION_VERSION)
        .trim()
        .to_string();
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(UsageError::value(format!(
            "invalid --notion-version '{version}': expected a version date such as {}",
            defaults::NOTION_VERSION
        )));
    }
    Ok(ClientConfig {
        base_url,
        token: token.secret,
        token_source: token.source,
        version,
        rate: layer.rate.unwrap_or(defaults::RATE),
        timeout: layer.timeout.unwrap_or(defaults::TIMEOUT.0),
        retry: RetryPolicy {
            max_retries: layer.max_retries.unwrap_or(defaults::MAX_RETRIES),
            base: defaults::BACKOFF_BASE,
            cap: defaults::BACKOFF_CAP,
            deadline: layer.deadline.unwrap_or(defaults::DEADLINE.0),
        },
        limiter: None,
    })
}

/// The token: a board's own variable (`token_env`) if it names one, else
/// `--token-file` / `NOTION_TOKEN_FILE` if given, else `NOTION_TOKEN`.
pub(crate) fn token(
    token_env: Option<&str>,
    file: Option<&Path>,
    env: Env,
) -> Result<Token, UsageError> {
    let (value, source) = match (token_env, file) {
        (Some(var), _) => match env(var) {
            Some(value) => (value, var.to_string()),
            None => {
                return Err(UsageError::missing(format!(
                    "{var} is not set: export {var}=ntn_… (that workspace's integration secret)"
                )))
            }
        },
        (None, Some(path)) => match limits::read_token_file(path, TOKEN_FILE_LIMIT) {
            Ok(text) => (text, format!("the token file {}", path.display())),
            Err(e) => {
                return Err(UsageError::value(format!(
                    "could not read the token file: {e}"
                )))
            }
        },
        (None, None) => match env("NOTION_TOKEN") {
            Some(value) => (value, "NOTION_TOKEN".to_string()),
            None => return Err(UsageError::missing(
                "NOTION_TOKEN is not set: export NOTION_TOKEN=ntn_… (your integration's secret), \
                     or pass --token-file PATH",
            )),
        },
    };
    let value = value.trim();
    if value.is_empty() {
        return Err(UsageError::value(format!(
            "{source} is empty: it should hold your integration's secret (ntn_…)"
        )));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(UsageError::value(format!(
            "{source} holds characters that cannot be sent in an HTTP header (spaces, quotes, line breaks?)"
        )));
    }
    Ok(Token {
        secret: SecretString::from(value.to_string()),
        source,
    })
}

/// The token, and where it came from (named when Notion refuses it).
pub(crate) struct Token {
    secret: SecretString,
    source: String,
}

#[cfg(test)]
mod tests;
