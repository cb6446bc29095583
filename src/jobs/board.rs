//! A board, ready for any job, as plain data: which data source, the rule
//! (and what `stale` and `digest` look for), how the run may write, where
//! its summary goes and how to reach Notion.
//! The input builds it once from flags, variables and the settings file;
//! the jobs and the output read it and nothing else.

use std::time::Duration;

use secrecy::SecretString;
use serde::Serialize;

use super::rule::Rule;
use crate::notion::ids::NotionId;
use crate::notion::ClientConfig;

/// One board: everything a job needs.
#[derive(Debug, Clone)]
pub(crate) struct Board {
    /// Its name in the settings file; `None` for the board of the command line.
    pub(crate) name: Option<String>,
    pub(crate) source: Source,
    pub(crate) rule: Rule,
    /// What `stale` looks for (the status property is the rule's).
    pub(crate) stale: StaleRule,
    /// What `digest` tells.
    pub(crate) digest: DigestRule,
    pub(crate) writes: Writes,
    pub(crate) notify: Notify,
    pub(crate) client: ClientConfig,
}

impl Board {
    /// How people know the board before its database is read: its name,
    /// else its database or data source ID.
    pub(crate) fn label(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        match (&self.source.database, &self.source.data_source) {
            (Some(database), _) => database.to_string(),
            (None, Some(DataSourceChoice::Id(id))) => id.to_string(),
            (None, Some(DataSourceChoice::Name(name))) => name.clone(),
            (None, None) => String::new(),
        }
    }
}

/// Which data source to work on: a database, a data source, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    pub(crate) database: Option<NotionId>,
    pub(crate) data_source: Option<DataSourceChoice>,
}

/// Which data source, when a database holds several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DataSourceChoice {
    /// By ID: the database lookup is skipped.
    Id(NotionId),
    /// By name, among the database's data sources.
    Name(String),
}

/// Which tasks `stale` finds, and where `--move-to` moves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StaleRule {
    /// `--status`: the statuses a task may sit in too long.
    pub(crate) statuses: Vec<String>,
    /// `--idle DAYS`: untouched this many days is stale (at least 1).
    pub(crate) idle_days: u32,
    /// `--move-to STATUS`: also move stale tasks here (not one of `statuses`).
    pub(crate) move_to: Option<String>,
}

/// What `digest` tells besides the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DigestRule {
    /// `--since HOURS`: tasks edited this recently are listed (at least 1).
    pub(crate) since_hours: u32,
}

/// How a sweep may write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Writes {
    /// Find and report, change nothing, post nothing.
    pub(crate) dry_run: bool,
    /// Write at most this many tasks.
    pub(crate) limit: Option<usize>,
    /// How long to wait for another sweep of the same data source; `None`
    /// takes no lock (the demo's sandbox is its own).
    pub(crate) lock_wait: Option<Duration>,
    /// `--comment`: one comment on each task written, saying what changed.
    pub(crate) comment: bool,
    /// `--max-changes`: the most writes a run may make; counted before the first.
    pub(crate) max_changes: Option<usize>,
    /// How the user gave `--max-changes`, as a message names it.
    pub(crate) max_changes_given_by: String,
}

/// Where and when the summary goes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Notify {
    /// Every channel the summary goes to, in the order given.
    pub(crate) channels: Vec<Channel>,
    /// `--no-notify`: never post.
    pub(crate) disabled: bool,
    /// `--notify-empty`: also post when there is nothing to say.
    pub(crate) when_empty: bool,
    /// Who is who in the channels (`[people]` of the settings file).
    pub(crate) people: People,
}

/// Notion users mapped to chat identities, so that messages mention them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct People(pub(crate) Vec<(PersonKey, ChatIds)>);

/// How the settings file names a Notion user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PersonKey {
    /// A user ID, dashed lower case.
    Id(String),
    /// An email, lower case.
    Email(String),
}

/// A person's identities in each service; each checked for its shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ChatIds {
    /// A Slack member ID (`U012AB3CD`).
    pub(crate) slack: Option<String>,
    /// A Discord user ID (a snowflake: digits).
    pub(crate) discord: Option<String>,
    /// A Microsoft Entra user principal name or object ID.
    pub(crate) teams: Option<String>,
}

impl People {
    /// The chat identities of a user, by ID or by email.
    pub(crate) fn of(&self, id: &str, email: Option<&str>) -> Option<&ChatIds> {
        let id = NotionId::parse(id).map(|i| i.to_string());
        let email = email.map(str::to_lowercase);
        self.0
            .iter()
            .find(|(key, _)| match key {
                PersonKey::Id(k) => id.as_deref() == Some(k.as_str()),
                PersonKey::Email(k) => email.as_deref() == Some(k.as_str()),
            })
            .map(|(_, ids)| ids)
    }
}

/// One place a summary goes. The URL is a secret: anyone with it can post.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub(crate) kind: ChannelKind,
    pub(crate) url: SecretString,
}

/// The kind of service behind a channel; it decides the message's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChannelKind {
    /// Slack incoming webhook: mrkdwn text and one section block.
    Slack,
    /// Discord webhook: `content` of at most 2,000 characters, no pings.
    Discord,
    /// Microsoft Teams Workflows trigger: an Adaptive Card.
    Teams,
    /// Any endpoint: the JSON report document.
    Json,
}

impl ChannelKind {
    /// Every kind, in the order they are named to people.
    pub(crate) const ALL: [ChannelKind; 4] = [
        ChannelKind::Slack,
        ChannelKind::Discord,
        ChannelKind::Teams,
        ChannelKind::Json,
    ];

    /// `slack`, `discord`, `teams`, `json`: the prefix of a URL and the JSON name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::Discord => "discord",
            ChannelKind::Teams => "teams",
            ChannelKind::Json => "json",
        }
    }

    /// The service's name, for people.
    pub(crate) fn service(self) -> &'static str {
        match self {
            ChannelKind::Slack => "Slack",
            ChannelKind::Discord => "Discord",
            ChannelKind::Teams => "Teams",
            ChannelKind::Json => "the JSON endpoint",
        }
    }
}
