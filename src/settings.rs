//! Raw command-line values turned, once, into settings the rest of the
//! program can trust. Every check here happens before any request is sent.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use reqwest::Url;
use secrecy::SecretString;

use crate::cli::{ConnectionArgs, LogArgs, OutputFormat, RuleArgs, RunArgs, SchemaArgs, SweepArgs};
use crate::ids::{NotionId, DATABASE_HINT};
use crate::notion::retry::RetryPolicy;
use crate::notion::ClientConfig;

/// A bad flag, value or environment: exit code 2, nothing sent.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn usage<T>(message: impl Into<String>) -> Result<T, UsageError> {
    Err(UsageError(message.into()))
}

/// Which data source to sweep when a database holds several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSourceChoice {
    /// By ID: the database lookup is skipped.
    Id(NotionId),
    /// By name, among the database's data sources.
    Name(String),
}

/// What to sweep.
#[derive(Debug, Clone)]
pub struct Target {
    pub database: Option<NotionId>,
    pub data_source: Option<DataSourceChoice>,
}

/// Which tasks are overdue and where they go.
#[derive(Debug, Clone)]
pub struct Rule {
    pub status_property: String,
    pub date_property: String,
    pub from: Vec<String>,
    pub to: String,
    pub as_of: NaiveDate,
    pub tz: Tz,
}

impl Rule {
    /// The overdue rule: as-of date and zone.
    pub fn overdue(&self) -> crate::due::OverdueRule {
        crate::due::OverdueRule {
            as_of: self.as_of,
            tz: self.tz,
        }
    }
}

/// Where and when the Slack summary goes.
#[derive(Debug, Clone)]
pub struct Notify {
    /// The webhook URL is a secret: Slack revokes leaked ones.
    pub webhook: Option<SecretString>,
    pub disabled: bool,
    pub when_empty: bool,
}

/// Settings of `sweep` and `check`.
#[derive(Debug, Clone)]
pub struct SweepSettings {
    pub target: Target,
    pub rule: Rule,
    pub dry_run: bool,
    pub limit: Option<usize>,
    pub output: OutputFormat,
    pub notify: Notify,
    pub client: ClientConfig,
}

/// Settings of `schema`.
#[derive(Debug, Clone)]
pub struct SchemaSettings {
    pub target: Target,
    pub output: OutputFormat,
    pub client: ClientConfig,
}

impl SweepSettings {
    /// Validates `sweep`/`check` arguments; `env` reads variables (the token).
    pub fn from_args(
        args: &SweepArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<SweepSettings, UsageError> {
        let target = target(args.database.as_deref(), &args.connection)?;
        let rule = rule(&args.rule, env)?;
        let (dry_run, limit, output) = run_options(&args.run)?;
        let webhook = match args.slack_webhook.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => {
                if http_url(url, true).is_err() {
                    // Never echo the value: it is a secret.
                    return usage(
                        "the Slack webhook URL (--slack-webhook / SLACK_WEBHOOK_URL) is not a valid \
                         https URL; it looks like https://hooks.slack.com/services/T…/B…/… (value not shown)",
                    );
                }
                Some(SecretString::from(url.to_string()))
            }
        };
        Ok(SweepSettings {
            target,
            rule,
            dry_run,
            limit,
            output,
            notify: Notify {
                webhook,
                disabled: args.no_notify,
                when_empty: args.notify_empty,
            },
            client: client_config(&args.connection, env)?,
        })
    }
}

impl SchemaSettings {
    /// Validates `schema` arguments.
    pub fn from_args(
        args: &SchemaArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<SchemaSettings, UsageError> {
        Ok(SchemaSettings {
            target: target(args.database.as_deref(), &args.connection)?,
            output: args.output,
            client: client_config(&args.connection, env)?,
        })
    }
}

/// `--dry-run`, `--limit`, `--output`.
pub fn run_options(run: &RunArgs) -> Result<(bool, Option<usize>, OutputFormat), UsageError> {
    Ok((run.dry_run, limit(run.limit.as_deref())?, run.output))
}

/// `--limit N`: a whole number of at least 1.
pub fn limit(raw: Option<&str>) -> Result<Option<usize>, UsageError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => usage(format!(
                "invalid --limit '{raw}': expected a whole number of at least 1, e.g. --limit 50 \
                 (use --dry-run to change nothing)"
            )),
        },
    }
}

/// `--rate R`: requests per second, more than 0.
pub fn rate(raw: &str) -> Result<f64, UsageError> {
    match raw.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 && r <= 100_000.0 => Ok(r),
        _ => usage(format!(
            "invalid --rate '{raw}': expected requests per second greater than 0, \
             e.g. 3 (most Notion plans) or 10 (Business and Enterprise)"
        )),
    }
}

fn seconds(raw: &str, flag: &str, example: &str) -> Result<Duration, UsageError> {
    match raw.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(Duration::from_secs_f64(s)),
        _ => usage(format!(
            "invalid {flag} '{raw}': expected a number of seconds greater than 0, e.g. {flag} {example}"
        )),
    }
}

fn target(database: Option<&str>, connection: &ConnectionArgs) -> Result<Target, UsageError> {
    let data_source = match connection.data_source.as_deref().map(str::trim) {
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

fn rule(args: &RuleArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<Rule, UsageError> {
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
    let tz = match args.tz.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => Tz::from_str(name).map_err(|_| {
            UsageError(format!(
                "unknown time zone '{name}': expected an IANA zone name such as Europe/Berlin, America/New_York or UTC"
            ))
        })?,
        _ => system_zone(env),
    };
    let as_of = match args.as_of.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => parse_date(raw).ok_or_else(|| {
            UsageError(format!(
                "invalid --as-of '{raw}': expected a date as YYYY-MM-DD, e.g. 2026-11-22"
            ))
        })?,
        _ => chrono::Utc::now().with_timezone(&tz).date_naive(),
    };
    Ok(Rule {
        status_property,
        date_property,
        from,
        to,
        as_of,
        tz,
    })
}

/// A strict `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let shape_ok = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
}

/// The zone of this machine: `TZ` if it names an IANA zone, else the system setting, else UTC.
fn system_zone(env: &dyn Fn(&str) -> Option<String>) -> Tz {
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
pub fn client_config(
    args: &ConnectionArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientConfig, UsageError> {
    let base_url = http_url(args.api_url.trim(), false).map_err(|why| {
        UsageError(format!(
            "invalid --api-url / NOTION_API_URL '{}': {why}; expected e.g. https://api.notion.com",
            args.api_url
        ))
    })?;
    let version = args.notion_version.trim().to_string();
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_graphic()) {
        return usage(format!(
            "invalid --notion-version '{version}': expected a version date such as {}",
            crate::notion::NOTION_VERSION
        ));
    }
    let max_retries = match args.max_retries.trim().parse::<u32>() {
        Ok(n) if n <= 100 => n,
        _ => {
            return usage(format!(
                "invalid --max-retries '{}': expected a whole number from 0 to 100, e.g. 5",
                args.max_retries
            ))
        }
    };
    Ok(ClientConfig {
        base_url,
        token: token(args.token_file.as_deref(), env)?,
        version,
        rate: rate(&args.rate)?,
        timeout: seconds(&args.timeout, "--timeout", "30")?,
        retry: RetryPolicy {
            max_retries,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            deadline: seconds(&args.deadline, "--deadline", "900")?,
        },
    })
}

/// The token, from `--token-file` / `NOTION_TOKEN_FILE` if given, else `NOTION_TOKEN`.
fn token(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SecretString, UsageError> {
    let (value, source) = match file {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => (text, format!("the token file {}", path.display())),
            Err(e) => {
                return usage(format!(
                    "could not read the token file {}: {}",
                    path.display(),
                    e.kind()
                ))
            }
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

/// An http(s) URL; plain http only to loopback hosts, so a secret is never sent in clear.
pub fn http_url(raw: &str, secret: bool) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| {
        if secret {
            "not a URL".to_string()
        } else {
            format!("not a URL ({e})")
        }
    })?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err("plain http is allowed only to loopback hosts (localhost, 127.0.0.1, ::1); use https".into());
            }
        }
        _ => return Err("the scheme must be https".into()),
    }
    if url.host().is_none() {
        return Err("no host".into());
    }
    Ok(url)
}

/// Log detail for `-q`/`-v`/`-vv`; `RUST_LOG` wins when set.
pub fn log_filter(log: LogArgs, env: &dyn Fn(&str) -> Option<String>) -> String {
    if let Some(filter) = env("RUST_LOG").filter(|f| !f.trim().is_empty()) {
        return filter;
    }
    match (log.quiet, log.verbose) {
        (true, _) => "error".into(),
        (false, 0) => "warn,notion_sweep::progress=info,notion_sweep::summary=info".into(),
        (false, 1) => "warn,notion_sweep=info".into(),
        (false, 2) => "warn,notion_sweep=debug".into(),
        (false, _) => "info,notion_sweep=trace".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            parse_date("2026-11-22"),
            NaiveDate::from_ymd_opt(2026, 11, 22)
        );
        for bad in [
            "2026-11-31",
            "2026-1-22",
            "22-11-2026",
            "2026/11/22",
            "20261122",
            "tomorrow",
            "2026-11-22T00:00",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(http_url("https://api.notion.com", false).is_ok());
        assert!(http_url("http://127.0.0.1:8080", false).is_ok());
        assert!(http_url("http://localhost:1/", false).is_ok());
        assert!(http_url("http://[::1]:9", false).is_ok());
        assert!(http_url("http://api.notion.com", false).is_err());
        assert!(http_url("http://10.0.0.1", false).is_err());
        assert!(http_url("ftp://localhost", false).is_err());
        assert!(http_url("api.notion.com", false).is_err());
    }

    #[test]
    fn rates_must_be_positive() {
        assert_eq!(rate("3").unwrap(), 3.0);
        assert_eq!(rate("2.5").unwrap(), 2.5);
        for bad in ["0", "-1", "nan", "inf", "fast", ""] {
            assert!(rate(bad).is_err(), "{bad}");
        }
    }
}
