//! One layer of settings: what the command line and its variables give, or
//! what one board of the settings file gives, or what the file's top level
//! gives. A value is `Some` where this layer sets it. Layers are merged by
//! the contract's precedence: flag or variable, board key, top-level key,
//! default.

use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use clap::parser::ValueSource;
use clap::{ArgMatches, Command};

use super::defaults::Seconds;
use crate::jobs::rule::{Exempt, GivenBy};

/// The settings of one layer. Each field is named as its flag with `_` for
/// `-` (its clap id), and as its key in the settings file.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Layer {
    pub(crate) data_source: Option<String>,
    pub(crate) status_property: Option<String>,
    pub(crate) date_property: Option<String>,
    pub(crate) from: Option<Vec<String>>,
    pub(crate) to: Option<String>,
    pub(crate) as_of: Option<NaiveDate>,
    pub(crate) tz: Option<Tz>,
    pub(crate) restore: Option<bool>,
    pub(crate) restore_to: Option<String>,
    pub(crate) due_soon: Option<u32>,
    pub(crate) exempt: Option<Vec<Exempt>>,
    pub(crate) snooze_property: Option<String>,
    pub(crate) assignee_property: Option<String>,
    /// `stale`: the statuses, the days untouched, where to move.
    pub(crate) status: Option<Vec<String>>,
    pub(crate) idle: Option<u32>,
    pub(crate) move_to: Option<String>,
    /// `digest`: the hours back edited tasks are listed.
    pub(crate) since: Option<u32>,
    pub(crate) dry_run: Option<bool>,
    pub(crate) comment: Option<bool>,
    pub(crate) max_changes: Option<usize>,
    pub(crate) limit: Option<usize>,
    pub(crate) lock_wait: Option<Duration>,
    pub(crate) rate: Option<f64>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) api_url: Option<String>,
    pub(crate) notion_version: Option<String>,
    pub(crate) notify_empty: Option<bool>,
    pub(crate) no_notify: Option<bool>,
    /// A Slack incoming webhook URL, as given.
    pub(crate) slack_webhook: Option<String>,
    /// Notification URLs as given (`KIND+URL` or a known service's URL).
    pub(crate) notify: Option<Vec<String>>,
    /// Where each value of this layer came from, by key, as a message
    /// names it (`--to`, `SWEEP_TO in ./.env`, `'to' of board 'Eng' in
    /// boards.toml`).
    pub(crate) origins: GivenBy,
}

impl Layer {
    /// This layer, with `lower`'s values where this one has none. Where
    /// the summary goes is one setting: this layer's channels, else the
    /// lower one's (a board's `notify` replaces the top level's).
    pub(crate) fn or(self, lower: &Layer) -> Layer {
        let lower = lower.clone();
        let (slack_webhook, notify) = if self.names_channels() {
            (self.slack_webhook, self.notify)
        } else {
            (lower.slack_webhook, lower.notify)
        };
        Layer {
            origins: self.origins.or(lower.origins),
            data_source: self.data_source.or(lower.data_source),
            status_property: self.status_property.or(lower.status_property),
            date_property: self.date_property.or(lower.date_property),
            from: self.from.or(lower.from),
            to: self.to.or(lower.to),
            as_of: self.as_of.or(lower.as_of),
            tz: self.tz.or(lower.tz),
            restore: self.restore.or(lower.restore),
            restore_to: self.restore_to.or(lower.restore_to),
            due_soon: self.due_soon.or(lower.due_soon),
            exempt: self.exempt.or(lower.exempt),
            snooze_property: self.snooze_property.or(lower.snooze_property),
            assignee_property: self.assignee_property.or(lower.assignee_property),
            comment: self.comment.or(lower.comment),
            max_changes: self.max_changes.or(lower.max_changes),
            status: self.status.or(lower.status),
            idle: self.idle.or(lower.idle),
            move_to: self.move_to.or(lower.move_to),
            since: self.since.or(lower.since),
            dry_run: self.dry_run.or(lower.dry_run),
            limit: self.limit.or(lower.limit),
            lock_wait: self.lock_wait.or(lower.lock_wait),
            rate: self.rate.or(lower.rate),
            max_retries: self.max_retries.or(lower.max_retries),
            timeout: self.timeout.or(lower.timeout),
            deadline: self.deadline.or(lower.deadline),
            api_url: self.api_url.or(lower.api_url),
            notion_version: self.notion_version.or(lower.notion_version),
            notify_empty: self.notify_empty.or(lower.notify_empty),
            no_notify: self.no_notify.or(lower.no_notify),
            slack_webhook,
            notify,
        }
    }

    /// This layer names where the summary goes.
    pub(crate) fn names_channels(&self) -> bool {
        self.slack_webhook.is_some() || self.notify.is_some()
    }

    /// What the user gave on the command line or in a variable (`.env`
    /// included) for the command `matches` were parsed for; clap's defaults
    /// are not a layer (the settings fall back on the same constants). A
    /// setting the command does not have is `None`.
    /// `command` is the subcommand the matches are of, and `dotenv` the
    /// variables `./.env` set: both name where each value came from.
    pub(crate) fn from_matches(
        command: &Command,
        matches: &ArgMatches,
        dotenv: &[String],
    ) -> Layer {
        let m = Given(matches);
        let mut origins = GivenBy::default();
        for arg in command.get_arguments() {
            let key = arg.get_id().as_str();
            match (m.source(key), arg.get_env(), arg.get_long()) {
                (Some(ValueSource::EnvVariable), Some(var), _) => {
                    let var = var.to_string_lossy();
                    let file = if dotenv.iter().any(|d| *d == var) {
                        " in ./.env"
                    } else {
                        ""
                    };
                    origins.set(key, format!("{var}{file}"));
                }
                (Some(ValueSource::CommandLine), _, Some(long)) => {
                    origins.set(key, format!("--{long}"));
                }
                _ => {}
            }
        }
        Layer {
            origins,
            data_source: m.one("data_source"),
            status_property: m.one("status_property"),
            date_property: m.one("date_property"),
            from: m.many("from"),
            to: m.one("to"),
            as_of: m.one("as_of"),
            tz: m.one("tz"),
            restore: m.flag("restore"),
            restore_to: m.one("restore_to"),
            due_soon: m.one("due_soon"),
            exempt: m.many("exempt"),
            snooze_property: m.one("snooze_property"),
            assignee_property: m.one("assignee_property"),
            comment: m.flag("comment"),
            max_changes: m.one("max_changes"),
            status: m.many("status"),
            idle: m.one("idle"),
            move_to: m.one("move_to"),
            since: m.one("since"),
            dry_run: m.flag("dry_run"),
            limit: m.one("limit"),
            lock_wait: m.one::<Seconds>("lock_wait").map(|s| s.0),
            rate: m.one("rate"),
            max_retries: m.one("max_retries"),
            timeout: m.one::<Seconds>("timeout").map(|s| s.0),
            deadline: m.one::<Seconds>("deadline").map(|s| s.0),
            api_url: m.one("api_url"),
            notion_version: m.one("notion_version"),
            notify_empty: m.flag("notify_empty"),
            no_notify: m.flag("no_notify"),
            slack_webhook: m.one("slack_webhook"),
            notify: m.many("notify"),
        }
    }
}

/// The values the user gave, by clap id.
struct Given<'a>(&'a ArgMatches);

impl Given<'_> {
    /// Where the value of `id` came from, if the command has it and it was given.
    fn source(&self, id: &str) -> Option<ValueSource> {
        if !matches!(self.0.try_contains_id(id), Ok(true)) {
            return None;
        }
        self.0.value_source(id)
    }

    /// The command has this setting, and the user gave it (not clap's default).
    fn given(&self, id: &str) -> bool {
        matches!(
            self.source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    }

    fn one<T: Clone + Send + Sync + 'static>(&self, id: &str) -> Option<T> {
        if !self.given(id) {
            return None;
        }
        self.0.try_get_one::<T>(id).ok().flatten().cloned()
    }

    fn many<T: Clone + Send + Sync + 'static>(&self, id: &str) -> Option<Vec<T>> {
        if !self.given(id) {
            return None;
        }
        let values = self.0.try_get_many::<T>(id).ok().flatten()?;
        Some(values.cloned().collect())
    }

    /// A switch is given only when set (a flag cannot say "off").
    fn flag(&self, id: &str) -> Option<bool> {
        self.one::<bool>(id).filter(|on| *on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::cli::Cli;
    use clap::CommandFactory;

    fn layer(argv: &[&str]) -> Layer {
        let mut full = vec!["notion-sweep"];
        full.extend(argv);
        let command = Cli::command();
        let matches = command.clone().try_get_matches_from(full).unwrap();
        let (name, sub) = matches.subcommand().unwrap();
        Layer::from_matches(command.find_subcommand(name).unwrap(), sub, &[])
    }

    #[test]
    fn only_what_the_user_gave_is_a_layer() {
        let nothing = Layer {
            origins: GivenBy::default(),
            ..layer(&["sweep", "db"])
        };
        assert_eq!(nothing, Layer::default());
        let given = layer(&[
            "sweep",
            "db",
            "--rate",
            "7",
            "--from",
            "A",
            "--from",
            "B",
            "--lock-wait",
            "2.5",
            "--dry-run",
            "--notify",
            "json+http://127.0.0.1:9/in",
            "--slack-webhook",
            "https://hooks.slack.com/services/T/B/k",
        ]);
        assert_eq!(given.rate, Some(7.0));
        assert_eq!(given.from, Some(vec!["A".to_string(), "B".to_string()]));
        assert_eq!(given.lock_wait, Some(Duration::from_millis(2500)));
        assert_eq!(given.dry_run, Some(true));
        assert_eq!(
            given.slack_webhook.as_deref(),
            Some("https://hooks.slack.com/services/T/B/k")
        );
        assert_eq!(
            given.notify,
            Some(vec!["json+http://127.0.0.1:9/in".to_string()])
        );
    }

    #[test]
    fn every_setting_of_a_layer_comes_from_its_flag() {
        // Destructured whole: a new setting must be added here, with its flag.
        let Layer {
            data_source,
            status_property,
            date_property,
            from,
            to,
            as_of,
            tz,
            restore,
            restore_to,
            due_soon,
            exempt,
            snooze_property,
            assignee_property,
            status,
            idle,
            move_to,
            since,
            dry_run,
            comment,
            max_changes,
            limit,
            lock_wait,
            rate,
            max_retries,
            timeout,
            deadline,
            api_url,
            notion_version,
            notify_empty,
            no_notify,
            slack_webhook,
            notify,
            origins,
        } = layer(&[
            "sweep",
            "db",
            "--data-source=Tasks",
            "--status-property=State",
            "--date-property=Due",
            "--from=Open",
            "--to=Late",
            "--as-of=2026-11-22",
            "--tz=UTC",
            "--restore",
            "--restore-to=Open",
            "--due-soon=3",
            "--exempt=Tags=pinned",
            "--snooze-property=Snoozed",
            "--assignee-property=Owner",
            "--comment",
            "--max-changes=9",
            "--dry-run",
            "--limit=5",
            "--lock-wait=1",
            "--rate=2",
            "--max-retries=1",
            "--timeout=3",
            "--deadline=4",
            "--api-url=http://127.0.0.1:9",
            "--notion-version=2022-06-28",
            "--notify-empty",
            "--no-notify",
            "--notify=json+http://127.0.0.1:9/in",
            "--slack-webhook=https://hooks.slack.com/services/T/B/k",
        ]);
        assert!(data_source.is_some() && status_property.is_some() && date_property.is_some());
        assert!(from.is_some() && to.is_some() && as_of.is_some() && tz.is_some());
        assert!(restore.is_some() && restore_to.is_some() && due_soon.is_some());
        assert!(exempt.is_some() && snooze_property.is_some());
        assert!(assignee_property.is_some() && comment.is_some() && max_changes.is_some());
        assert!(status.is_none() && idle.is_none() && move_to.is_none() && since.is_none());
        assert!(dry_run.is_some() && limit.is_some() && lock_wait.is_some());
        assert!(rate.is_some() && max_retries.is_some() && timeout.is_some());
        assert!(deadline.is_some() && api_url.is_some() && notion_version.is_some());
        assert!(notify_empty.is_some() && no_notify.is_some());
        assert!(slack_webhook.is_some() && notify.is_some());
        assert_eq!(origins.of("to"), "--to");
    }

    #[test]
    fn the_settings_of_stale_and_digest_come_from_their_flags() {
        let stale = layer(&[
            "stale",
            "db",
            "--status=Doing",
            "--status=Review",
            "--idle=14",
            "--move-to=Stalled",
            "--status-property=State",
            "--dry-run",
        ]);
        assert_eq!(
            stale.status,
            Some(vec!["Doing".to_string(), "Review".to_string()])
        );
        assert_eq!(stale.idle, Some(14));
        assert_eq!(stale.move_to.as_deref(), Some("Stalled"));
        assert_eq!(stale.status_property.as_deref(), Some("State"));
        assert_eq!(stale.dry_run, Some(true));
        assert_eq!(stale.origins.of("move_to"), "--move-to");
        let digest = layer(&["digest", "db", "--since=72"]);
        assert_eq!(digest.since, Some(72));
        assert_eq!(digest.status, None, "digest has no --status");
    }
}
