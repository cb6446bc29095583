//! Parsed flags turned, once, into settings the rest of the program can
//! trust. Every check here happens before any request is sent.

use std::path::Path;
use std::str::FromStr;

use chrono_tz::Tz;
use secrecy::SecretString;

use crate::cli::{
    CheckArgs, ConnectionArgs, NotifyArgs, OutputFormat, RuleArgs, SchemaArgs, SweepArgs,
};
use crate::defaults;
use crate::ids::{NotionId, DATABASE_HINT};
use crate::limits;
use crate::notify::{self as notify_target, Kind};
use crate::notion::retry::RetryPolicy;
use crate::notion::ClientConfig;
use crate::report::Format;
use crate::resolve::{DataSourceChoice, Target};
use crate::rule::Rule;
pub(crate) use crate::urls::http_url;

/// The most a token file may hold: a token is about 50 bytes.
const TOKEN_FILE_LIMIT: u64 = 64 * 1024;

/// A bad flag, value or environment: exit code 2, nothing sent.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub(crate) String);

fn usage<T>(message: impl Into<String>) -> Result<T, UsageError> {
    Err(UsageError(message.into()))
}

/// Reads the environment; a function so that tests can give their own.
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Where and when the summary goes.
#[derive(Debug, Clone)]
pub(crate) struct Notify {
    /// Every place the summary goes, each URL a secret (Slack revokes leaked ones).
    pub(crate) targets: Vec<notify_target::Target>,
    pub(crate) disabled: bool,
    pub(crate) when_empty: bool,
}

/// Settings of `sweep`.
#[derive(Debug, Clone)]
pub(crate) struct SweepSettings {
    pub(crate) target: Target,
    pub(crate) rule: Rule,
    pub(crate) dry_run: bool,
    pub(crate) limit: Option<usize>,
    /// How long to wait for another sweep of the same data source; `None`
    /// takes no lock (the demo's sandbox is its own).
    pub(crate) lock_wait: Option<std::time::Duration>,
    pub(crate) output: Format,
    pub(crate) notify: Notify,
    pub(crate) client: ClientConfig,
}

/// Settings of `check`.
#[derive(Debug, Clone)]
pub(crate) struct CheckSettings {
    pub(crate) target: Target,
    pub(crate) rule: Rule,
    pub(crate) output: Format,
    pub(crate) client: ClientConfig,
    /// Where a sweep with this environment would post its summary (kinds).
    pub(crate) notify: Vec<&'static str>,
}

/// Settings of `schema`.
#[derive(Debug, Clone)]
pub(crate) struct SchemaSettings {
    pub(crate) target: Target,
    pub(crate) output: Format,
    pub(crate) client: ClientConfig,
}

impl From<OutputFormat> for Format {
    fn from(format: OutputFormat) -> Format {
        match format {
            OutputFormat::Text => Format::Text,
            OutputFormat::Json => Format::Json,
            OutputFormat::Markdown => Format::Markdown,
        }
    }
}

impl SweepSettings {
    /// Validates `sweep` arguments; `env` reads variables (the token).
    pub(crate) fn from_args(args: &SweepArgs, env: Env) -> Result<SweepSettings, UsageError> {
        Ok(SweepSettings {
            target: target(args.board.database.as_deref(), &args.board.connection, env)?,
            rule: rule(&args.rule, env)?,
            dry_run: args.dry_run,
            limit: args.limit,
            lock_wait: Some(args.lock_wait),
            output: args.output.into(),
            notify: notify(&args.notify)?,
            client: client_config(&args.board.connection, env)?,
        })
    }
}

impl CheckSettings {
    /// Validates `check` arguments.
    pub(crate) fn from_args(args: &CheckArgs, env: Env) -> Result<CheckSettings, UsageError> {
        Ok(CheckSettings {
            target: target(args.board.database.as_deref(), &args.board.connection, env)?,
            rule: rule(&args.rule, env)?,
            output: args.output.into(),
            client: client_config(&args.board.connection, env)?,
            // The targets a sweep would take from the environment, checked as it would.
            notify: notify(&NotifyArgs {
                slack_webhook: env("SLACK_WEBHOOK_URL"),
                notify: env("SWEEP_NOTIFY").into_iter().collect(),
                no_notify: false,
                notify_empty: false,
            })?
            .targets
            .iter()
            .map(|t| t.kind.service())
            .collect(),
        })
    }
}

impl SchemaSettings {
    /// Validates `schema` arguments.
    pub(crate) fn from_args(args: &SchemaArgs, env: Env) -> Result<SchemaSettings, UsageError> {
        Ok(SchemaSettings {
            target: target(args.board.database.as_deref(), &args.board.connection, env)?,
            output: args.output.into(),
            client: client_config(&args.board.connection, env)?,
        })
    }
}

fn notify(args: &NotifyArgs) -> Result<Notify, UsageError> {
    use secrecy::ExposeSecret;
    let mut targets: Vec<notify_target::Target> = Vec::new();
    if let Some(url) = args.slack_webhook.as_deref().map(str::trim) {
        if !url.is_empty() {
            if http_url(url, true).is_err() {
                // Never echo the value: it is a secret.
                return usage(
                    "the Slack webhook URL (--slack-webhook / SLACK_WEBHOOK_URL) is not a valid \
                     https URL; it looks like https://hooks.slack.com/services/T…/B…/… (value not shown)",
                );
            }
            targets.push(notify_target::Target {
                kind: Kind::Slack,
                url: SecretString::from(url.to_string()),
            });
        }
    }
    // SWEEP_NOTIFY holds several URLs separated by whitespace; a URL has none.
    for raw in args.notify.iter().flat_map(|v| v.split_whitespace()) {
        let target = notify_target::parse_target(raw)
            .map_err(|why| UsageError(format!("--notify / SWEEP_NOTIFY: {why}")))?;
        // The same URL twice is one channel: it gets one message.
        if !targets
            .iter()
            .any(|t| t.url.expose_secret() == target.url.expose_secret())
        {
            targets.push(target);
        }
    }
    Ok(Notify {
        targets,
        disabled: args.no_notify,
        when_empty: args.notify_empty,
    })
}

fn target(
    database: Option<&str>,
    connection: &ConnectionArgs,
    env: Env,
) -> Result<Target, UsageError> {
    // NOTION_DATA_SOURCE_ID: the name the widely copied script uses.
    let alias = env("NOTION_DATA_SOURCE_ID");
    let data_source = match connection
        .data_source
        .as_deref()
        .or(alias.as_deref())
        .map(str::trim)
    {
        None | Some("") => None,
        Some(raw) => Some(match NotionId::parse(raw) {
            Some(id) => DataSourceChoice::Id(id),
            None => DataSourceChoice::Name(raw.to_string()),
        }),
    };
    let database = match database.map(str::trim) {
        None | Some("") => {
            if !matches!(data_source, Some(DataSourceChoice::Id(_))) {
                return usage(format!(
                    "no database given: pass {DATABASE_HINT}, or set NOTION_DATABASE_ID"
                ));
            }
            None
        }
        Some(raw) => match NotionId::from_id_or_url(raw) {
            Some(id) => Some(id),
            None => {
                return usage(format!(
                    "'{raw}' is not a Notion database: expected {DATABASE_HINT}"
                ))
            }
        },
    };
    Ok(Target {
        database,
        data_source,
    })
}

fn rule(args: &RuleArgs, env: Env) -> Result<Rule, UsageError> {
    let status_property = non_empty(&args.status_property, "--status-property")?;
    let date_property = non_empty(&args.date_property, "--date-property")?;
    let mut from: Vec<String> = Vec::new();
    for name in &args.from {
        let name = name.trim();
        if name.is_empty() {
            return usage("--from / SWEEP_FROM holds an empty status name: expected names such as --from 'To Do' --from Backlog, or SWEEP_FROM='To Do,Backlog'");
        }
        if !from.iter().any(|f| f == name) {
            from.push(name.to_string());
        }
    }
    let to = non_empty(&args.to, "--to")?;
    if from.contains(&to) {
        return usage(format!(
            "--to '{to}' is also one of the --from states: overdue tasks would be moved to where they already are; \
             choose a late state such as --to Overdue"
        ));
    }
    let tz = args.tz.unwrap_or_else(|| system_zone(env));
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).date_naive());
    Ok(Rule {
        status_property,
        date_property,
        from,
        to,
        as_of,
        tz,
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

fn non_empty(raw: &str, flag: &str) -> Result<String, UsageError> {
    let value = raw.trim();
    if value.is_empty() {
        return usage(format!(
            "{flag} is empty: expected a name, e.g. {flag} Status"
        ));
    }
    Ok(value.to_string())
}

/// The client settings shared by every command that talks to Notion.
fn client_config(args: &ConnectionArgs, env: Env) -> Result<ClientConfig, UsageError> {
    let base_url = http_url(args.api_url.trim(), false).map_err(|why| {
        UsageError(format!(
            "invalid --api-url / NOTION_API_URL '{}': {why}; expected e.g. {}",
            args.api_url,
            defaults::API_URL
        ))
    })?;
    let version = args.notion_version.trim().to_string();
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_graphic()) {
        return usage(format!(
            "invalid --notion-version '{version}': expected a version date such as {}",
            defaults::NOTION_VERSION
        ));
    }
    Ok(ClientConfig {
        base_url,
        token: token(args.token_file.as_deref(), env)?,
        version,
        rate: args.rate,
        timeout: args.timeout,
        retry: RetryPolicy {
            max_retries: args.max_retries,
            base: defaults::BACKOFF_BASE,
            cap: defaults::BACKOFF_CAP,
            deadline: args.deadline,
        },
        limiter: None,
    })
}

/// The token, from `--token-file` / `NOTION_TOKEN_FILE` if given, else `NOTION_TOKEN`.
fn token(file: Option<&Path>, env: Env) -> Result<SecretString, UsageError> {
    let (value, source) = match file {
        Some(path) => match limits::read_token_file(path, TOKEN_FILE_LIMIT) {
            Ok(text) => (text, format!("the token file {}", path.display())),
            Err(e) => return usage(format!("could not read the token file: {e}")),
        },
        None => match env("NOTION_TOKEN") {
            Some(value) => (value, "NOTION_TOKEN".to_string()),
            None => return usage(
                "NOTION_TOKEN is not set: export NOTION_TOKEN=ntn_… (your integration's secret), \
                     or pass --token-file PATH",
            ),
        },
    };
    let value = value.trim();
    if value.is_empty() {
        return usage(format!(
            "{source} is empty: it should hold your integration's secret (ntn_…)"
        ));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return usage(format!(
            "{source} holds characters that cannot be sent in an HTTP header (spaces, quotes, line breaks?)"
        ));
    }
    Ok(SecretString::from(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn targets(slack: Option<&str>, notify: &[&str]) -> Result<Vec<(Kind, String)>, UsageError> {
        let args = NotifyArgs {
            slack_webhook: slack.map(str::to_string),
            notify: notify.iter().map(|s| s.to_string()).collect(),
            no_notify: false,
            notify_empty: false,
        };
        Ok(self::notify(&args)?
            .targets
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
                (Kind::Slack, slack.to_string()),
                (Kind::Discord, discord.to_string()),
                (Kind::Json, "http://127.0.0.1:9/in".to_string()),
            ]
        );
        assert!(targets(None, &["", "  "]).unwrap().is_empty());
        let error = targets(None, &["https://example.com/secretpart"]).unwrap_err();
        assert!(error.0.starts_with("--notify / SWEEP_NOTIFY: "), "{error}");
        assert!(!error.0.contains("secretpart"), "{error}");
    }
}
