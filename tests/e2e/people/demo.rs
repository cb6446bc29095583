//! The demo board's owners, as `stale` and `digest` list and mention them.

use std::collections::BTreeMap;

use notion_sandbox::{Board, Sandbox, SandboxConfig, SinkKind};
use serde_json::{json, Value};

use super::{card_texts, entities, listed, raw_mentions, write_config, DISCORD, SLACK, TEAMS};
use crate::support::*;

/// The demo board on a sandbox of its own (its day today), and a settings
/// file for it mapping Ada Lovelace (by email) in every channel: what
/// `stale` and `digest` are checked against.
pub(crate) struct Demo {
    pub(crate) sandbox: Sandbox,
    config: String,
}

impl Demo {
    pub(crate) fn new() -> Demo {
        let today = chrono::Utc::now().date_naive();
        let sandbox = Sandbox::spawn(Board::demo(today), SandboxConfig::default()).unwrap();
        let config = write_config(&format!(
            "[[board]]\nname = 'Demo'\ndatabase = '{}'\n\n[people.\"ada@acme.com\"]\n\
             slack = '{}'\ndiscord = '{}'\nteams = '{}'\n",
            notion_sandbox::DEMO_DATABASE_ID,
            SLACK[0],
            DISCORD[0],
            TEAMS[0]
        ));
        Demo { sandbox, config }
    }

    /// `notion-sweep COMMAND --config … args…`, posting to Slack, Discord and Teams.
    pub(crate) fn run(&self, command: &str, args: &[&str]) -> Run {
        let mut all = vec![command, "--config", self.config.as_str()];
        all.extend_from_slice(args);
        let urls: Vec<String> = [SinkKind::Slack, SinkKind::Discord, SinkKind::Teams]
            .iter()
            .map(|k| format!("{}+{}", k.as_str(), self.sandbox.sink_url(*k)))
            .collect();
        for url in &urls {
            all.extend(["--notify", url.as_str()]);
        }
        let env = without(env_for(&self.sandbox), "SLACK_WEBHOOK_URL");
        notion_sweep(&all, &without(env, "SWEEP_AS_OF"))
    }

    /// Each task listed (`title`, its one owner's name) is listed with
    /// its owner in every channel: Ada mentioned, anyone else named; and
    /// Ada alone is allowed (Discord) and has an entity (Teams).
    pub(crate) fn assert_owners_in_messages(&self, listed: &[(&str, &str)]) {
        let slack = self.sandbox.sink_messages(SinkKind::Slack);
        let slack = slack[0]["text"].as_str().unwrap();
        let discord = &self.sandbox.sink_messages(SinkKind::Discord)[0];
        let content = discord["content"].as_str().unwrap();
        let card = &self.sandbox.sink_messages(SinkKind::Teams)[0];
        let texts = card_texts(card);
        for (title, owner) in listed {
            let ada = *owner == "Ada Lovelace";
            for (text, bullet, label, mention) in [
                (
                    slack,
                    "• ",
                    format!("|{title}>"),
                    format!("<@{}>", SLACK[0]),
                ),
                (
                    content,
                    "• ",
                    format!("[{title}]"),
                    format!("<@{}>", DISCORD[0]),
                ),
                (
                    &texts,
                    "- ",
                    format!("[{title}]"),
                    format!("<at>{owner}</at>"),
                ),
            ] {
                let line = listed_line(text, bullet, &label);
                let shown = if ada { mention } else { owner.to_string() };
                assert!(line.ends_with(&format!(" — {shown}")), "{line}: {shown}");
            }
        }
        let adas = listed.iter().filter(|(_, o)| *o == "Ada Lovelace").count();
        assert!(adas > 0, "Ada owns a listed task");
        assert_eq!(raw_mentions(slack), vec![SLACK[0].to_string(); adas]);
        assert_eq!(
            discord["allowed_mentions"],
            json!({ "parse": [], "users": [DISCORD[0]] })
        );
        assert_eq!(raw_mentions(content), vec![DISCORD[0].to_string(); adas]);
        assert_eq!(
            entities(card),
            vec![json!({
                "type": "mention",
                "text": "<at>Ada Lovelace</at>",
                "mentioned": { "id": TEAMS[0], "name": "Ada Lovelace" },
            })]
        );
        assert_eq!(texts.matches("<at>").count(), adas, "{texts}");
    }
}

/// The line of `text` starting with `bullet` that holds `label`.
fn listed_line<'a>(text: &'a str, bullet: &'a str, label: &str) -> &'a str {
    listed(text, bullet)
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("{label} listed in:\n{text}"))
}

/// The assignees of the JSON document's tasks, by title: each a list of
/// `(name, email)`.
pub(crate) fn owners_by_title(tasks: &Value) -> BTreeMap<String, Vec<(String, String)>> {
    tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let owners = t["assignees"]
                .as_array()
                .unwrap_or_else(|| panic!("assignees in {t}"))
                .iter()
                .map(|p| {
                    assert!(p["id"].as_str().is_some_and(|id| id.len() == 36), "{p}");
                    (
                        p["name"].as_str().unwrap().to_string(),
                        p["email"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (t["title"].as_str().unwrap().to_string(), owners)
        })
        .collect()
}
