//! The right people: a task's owners in every output, mentioned in every
//! channel as `[people]` maps them (and never by a title or a name), a
//! wrong mapping refused, `check` naming the unmapped, and `--comment`
//! leaving one note on each page written.

use std::collections::{BTreeMap, BTreeSet};

use notion_sandbox::{Board, GeneratedBoard, Sandbox, SandboxConfig, SinkKind, User};
use serde_json::{json, Value};

use crate::support::*;

mod comments;
mod demo;

pub(crate) use demo::{owners_by_title, Demo};

/// Who the first two people of a board are in the channels: the first is
/// mapped by email, the second by Notion user ID; the third is not mapped.
const SLACK: [&str; 2] = ["U0ADA0001", "W0GRACE02"];
const DISCORD: [&str; 2] = ["80351110224678912", "80351110224678913"];
const TEAMS: [&str; 2] = ["ada@contoso.com", "0f8fad5b-d9cb-469f-a165-70867728950e"];

/// A board of 30 tasks (nine overdue, so every one of them is listed)
/// assigned to three people, on a sandbox of its own.
struct Team {
    spec: GeneratedBoard,
    sandbox: Sandbox,
    people: Vec<User>,
}

impl Team {
    fn new(seed: u64, config: SandboxConfig) -> Team {
        Team::with(seed, config, |_| {})
    }

    /// The board after `edit` (renaming its people…).
    fn with(seed: u64, config: SandboxConfig, edit: impl FnOnce(&mut Board)) -> Team {
        let spec = GeneratedBoard {
            seed,
            assignees: 3,
            ..GeneratedBoard::new(30, as_of())
        };
        let mut board = Board::generated(&spec);
        edit(&mut board);
        let people = spec
            .people()
            .into_iter()
            .map(|p| board.users.iter().find(|u| u.id == p.id).unwrap().clone())
            .collect();
        let sandbox = Sandbox::spawn(board, config).unwrap();
        Team {
            spec,
            sandbox,
            people,
        }
    }

    /// A settings file of this one board, with `people` as its `[people]`.
    fn config(&self, people: &str) -> String {
        write_config(&format!(
            "[[board]]\nname = 'Team'\ndatabase = '{}'\n\n{people}",
            self.spec.database_id()
        ))
    }

    /// `[people]` mapping the first person by email, the second by ID.
    fn mapping(&self) -> String {
        let mut text = String::new();
        for (k, key) in [
            self.people[0].email.clone().unwrap(),
            self.people[1].id.replace('-', ""),
        ]
        .iter()
        .enumerate()
        {
            text.push_str(&format!(
                "[people.\"{key}\"]\nslack = '{}'\ndiscord = '{}'\nteams = '{}'\n\n",
                SLACK[k], DISCORD[k], TEAMS[k]
            ));
        }
        text
    }

    /// `notion-sweep args…` with the settings file `config`, posting to `kinds`.
    fn run(&self, config: &str, args: &[&str], kinds: &[SinkKind]) -> Run {
        let urls: Vec<String> = kinds
            .iter()
            .map(|k| format!("{}+{}", k.as_str(), self.sandbox.sink_url(*k)))
            .collect();
        let mut all = args.to_vec();
        all.extend(["--config", config]);
        for url in &urls {
            all.extend(["--notify", url.as_str()]);
        }
        let run = notion_sweep(&all, &without(env_for(&self.sandbox), "SLACK_WEBHOOK_URL"));
        for out in [&run.stdout, &run.stderr] {
            assert!(!out.contains("sandboxsecret") && !out.contains("sandboxsig"));
        }
        run
    }

    /// The overdue tasks with their titles and owners (by index into
    /// `people`), in no order.
    fn overdue(&self) -> BTreeMap<String, (String, Vec<usize>)> {
        let ids = overdue(&self.sandbox, &self.spec);
        self.sandbox
            .pages(&self.spec.data_source_id())
            .into_iter()
            .filter(|p| ids.contains(&p.id))
            .map(|p| {
                let owners = p
                    .properties
                    .get("Assignee")
                    .and_then(|v| v.as_people())
                    .unwrap_or_default()
                    .iter()
                    .map(|id| self.people.iter().position(|u| &u.id == id).unwrap())
                    .collect();
                let title = text(&p, "Name").unwrap().to_string();
                (p.id.clone(), (title, owners))
            })
            .collect()
    }
}

fn write_config(text: &str) -> String {
    let path = std::env::temp_dir().join(format!(
        "notion-sweep-people-{}-{}.toml",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// One board's document, of a run of a settings file.
fn board_doc(doc: &Value) -> &Value {
    doc.get("boards").map_or(doc, |boards| &boards[0])
}

/// Each overdue task's id and its owner part (what its line ends with
/// after the due date), each owner of that index as `shown` shows them.
fn owner_parts(
    overdue: &BTreeMap<String, (String, Vec<usize>)>,
    shown: impl Fn(usize) -> String,
) -> Vec<(String, String)> {
    overdue
        .iter()
        .map(|(id, (_, owners))| {
            let names: Vec<String> = owners.iter().map(|k| shown(*k)).collect();
            let part = if names.is_empty() {
                String::new()
            } else {
                format!(" — {}", names.join(", "))
            };
            (id.clone(), part)
        })
        .collect()
}

/// The lines of `text` listing a task (starting with `bullet`).
fn listed<'a>(text: &'a str, bullet: &'a str) -> impl Iterator<Item = &'a str> {
    text.lines().filter(move |l| l.starts_with(bullet))
}

/// The line of `text` listing the task `id` (its link holds the id).
fn line_of<'a>(text: &'a str, id: &str, bullet: &'a str) -> &'a str {
    let compact = id.replace('-', "");
    listed(text, bullet)
        .find(|l| l.contains(&compact))
        .unwrap_or_else(|| panic!("{id} listed in:\n{text}"))
}

/// How many listed lines of `text` are of a task that person `k` owns.
fn owned_lines(
    text: &str,
    bullet: &str,
    overdue: &BTreeMap<String, (String, Vec<usize>)>,
    k: usize,
) -> usize {
    listed(text, bullet)
        .filter(|line| {
            overdue
                .iter()
                .any(|(id, (_, o))| o.contains(&k) && line.contains(&id.replace('-', "")))
        })
        .count()
}

/// Every `<@ID>` that `text` holds, unescaped.
fn raw_mentions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<@") {
        let escaped = rest[..at].ends_with('\\');
        rest = &rest[at + 2..];
        if let Some(end) = rest.find('>') {
            if !escaped {
                found.push(rest[..end].to_string());
            }
        }
    }
    found
}

/// The text of every TextBlock of a Teams card.
fn card_texts(card: &Value) -> String {
    card["attachments"][0]["content"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
        // A card's lines are separated by carriage returns.
        .replace('\r', "\n")
}

fn entities(card: &Value) -> Vec<Value> {
    card["attachments"][0]["content"]["msteams"]["entities"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn owners_are_in_text_markdown_and_json_with_their_emails() {
    let team = Team::new(31, SandboxConfig::default());
    let overdue = team.overdue();
    let config = team.config("");
    let run = team.run(&config, &["sweep", "--dry-run", "--output", "json"], &[]);
    run.expect_code(0);
    let doc = run.json();
    let tasks = board_doc(&doc)["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), overdue.len());
    for task in &tasks {
        let (_, owners) = &overdue[task["id"].as_str().unwrap()];
        let expected: Vec<Value> = owners
            .iter()
            .map(|k| {
                let p = &team.people[*k];
                json!({ "id": p.id, "name": p.name, "email": p.email })
            })
            .collect();
        assert_eq!(task["assignees"], json!(expected), "{task}");
    }
    let assigned: BTreeSet<usize> = overdue.values().flat_map(|(_, o)| o.clone()).collect();
    assert!(assigned.len() >= 2, "the board names several owners");

    let text = team.run(&config, &["sweep", "--dry-run"], &[]);
    text.expect_code(0);
    assert!(text.stdout.contains("OWNER"), "{}", text.stdout);
    let markdown = team.run(
        &config,
        &["sweep", "--dry-run", "--output", "markdown"],
        &[],
    );
    assert!(markdown.stdout.contains("| Owner |"), "{}", markdown.stdout);
    for k in &assigned {
        let name = &team.people[*k].name;
        assert!(
            text.stdout.contains(name.as_str()),
            "{name}: {}",
            text.stdout
        );
        assert!(markdown.stdout.contains(name.as_str()), "{name}");
    }

    // Without the email capability Notion gives no email: null, still named.
    let hidden = Team::new(
        31,
        SandboxConfig {
            user_emails: false,
            ..SandboxConfig::default()
        },
    );
    let run = hidden.run(
        &hidden.config(""),
        &["sweep", "--dry-run", "--output", "json"],
        &[],
    );
    run.expect_code(0);
    let doc = run.json();
    let owners: Vec<&Value> = board_doc(&doc)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["assignees"].as_array().unwrap())
        .collect();
    assert!(!owners.is_empty());
    for owner in owners {
        assert!(owner["email"].is_null(), "{owner}");
        assert!(owner["name"].as_str().is_some_and(|n| !n.is_empty()));
    }
}

#[test]
fn mapped_owners_are_mentioned_in_every_channel_the_others_named() {
    let team = Team::new(32, SandboxConfig::default());
    let overdue = team.overdue();
    let config = team.config(&team.mapping());
    let kinds = [SinkKind::Slack, SinkKind::Discord, SinkKind::Teams];
    let run = team.run(&config, &["sweep", "--output", "json"], &kinds);
    run.expect_code(0);
    let name = |k: usize| team.people[k].name.clone();
    let mentioned: BTreeSet<usize> = overdue
        .values()
        .flat_map(|(_, o)| o.iter().copied())
        .filter(|k| *k < 2)
        .collect();
    assert!(!mentioned.is_empty(), "someone mapped owns an overdue task");

    // Slack: <@member> for the mapped, the name for the others.
    let slack = team.sandbox.sink_messages(SinkKind::Slack);
    let slack = slack[0]["text"].as_str().unwrap();
    let shown = |k: usize| {
        if k < 2 {
            format!("<@{}>", SLACK[k])
        } else {
            name(k)
        }
    };
    for (id, part) in owner_parts(&overdue, shown) {
        let line = line_of(slack, &id, "• ");
        assert!(
            line.ends_with(&format!("){part}")),
            "{line}\nwants '{part}'"
        );
    }
    let members: BTreeSet<String> = raw_mentions(slack).into_iter().collect();
    let expected: BTreeSet<String> = mentioned.iter().map(|k| SLACK[*k].to_string()).collect();
    assert_eq!(members, expected, "{slack}");

    // Discord: the same, and allowed_mentions names exactly those mentioned.
    let discord = &team.sandbox.sink_messages(SinkKind::Discord)[0];
    let content = discord["content"].as_str().unwrap();
    let shown = |k: usize| {
        if k < 2 {
            format!("<@{}>", DISCORD[k])
        } else {
            name(k)
        }
    };
    for (id, part) in owner_parts(&overdue, shown) {
        let line = line_of(content, &id, "• ");
        assert!(
            line.ends_with(&format!("){part}")),
            "{line}\nwants '{part}'"
        );
    }
    let users: BTreeSet<String> = discord["allowed_mentions"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = mentioned.iter().map(|k| DISCORD[*k].to_string()).collect();
    assert_eq!(users, expected);
    assert_eq!(discord["allowed_mentions"]["parse"], json!([]));
    let pinged: BTreeSet<String> = raw_mentions(content).into_iter().collect();
    assert_eq!(pinged, users, "every mention allowed, nothing else");
    assert_eq!(
        discord["allowed_mentions"]["users"]
            .as_array()
            .unwrap()
            .len(),
        users.len(),
        "each user once"
    );

    // Teams: <at>Name</at> with one entity per mention text.
    let card = &team.sandbox.sink_messages(SinkKind::Teams)[0];
    let texts = card_texts(card);
    let shown = |k: usize| {
        if k < 2 {
            format!("<at>{}</at>", name(k))
        } else {
            name(k)
        }
    };
    for (id, part) in owner_parts(&overdue, shown) {
        let line = line_of(&texts, &id, "- ");
        assert!(
            line.ends_with(&format!("){part}")),
            "{line}\nwants '{part}'"
        );
    }
    let entities = entities(card);
    let expected: Vec<Value> = mentioned
        .iter()
        .map(|k| {
            json!({
                "type": "mention",
                "text": format!("<at>{}</at>", name(*k)),
                "mentioned": { "id": TEAMS[*k], "name": name(*k) },
            })
        })
        .collect();
    assert_eq!(entities.len(), expected.len(), "{entities:?}");
    for entity in &expected {
        assert!(entities.contains(entity), "{entity} in {entities:?}");
    }
    let at_texts: BTreeSet<&str> = texts
        .match_indices("<at>")
        .map(|(i, _)| &texts[i..i + texts[i..].find("</at>").unwrap() + 5])
        .collect();
    let entity_texts: BTreeSet<&str> = entities
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        at_texts, entity_texts,
        "the <at> texts and the entities, one for one"
    );
}

#[test]
fn no_title_or_name_makes_a_mention_in_any_channel() {
    const HOSTILE: &str = "@everyone <!channel> <@U123> <@80351110224678999> <at>x</at>";
    // Every person has a hostile name; only the first is mapped.
    let team = Team::with(33, SandboxConfig::default(), |board| {
        for (k, user) in board.users.iter_mut().enumerate() {
            user.name = format!("{HOSTILE} {k}");
        }
    });
    let overdue = team.overdue();
    for id in overdue.keys() {
        team.sandbox.set_property(
            id,
            "Name",
            notion_sandbox::PropertyValue::text(format!("{HOSTILE} {id}")),
        );
    }
    let first = team.people[0].email.clone().unwrap();
    let config = team.config(&format!(
        "[people.\"{first}\"]\nslack = '{}'\ndiscord = '{}'\nteams = '{}'\n",
        SLACK[0], DISCORD[0], TEAMS[0]
    ));
    let kinds = [SinkKind::Slack, SinkKind::Discord, SinkKind::Teams];
    let run = team.run(&config, &["sweep"], &kinds);
    run.expect_code(0);
    assert!(
        overdue.values().any(|(_, o)| o.contains(&0)),
        "the mapped person owns an overdue task"
    );

    let slack = team.sandbox.sink_messages(SinkKind::Slack)[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!slack.contains("<!"), "{slack}");
    let firsts = owned_lines(&slack, "• ", &overdue, 0);
    assert!(firsts > 0, "{slack}");
    assert_eq!(
        raw_mentions(&slack),
        vec![SLACK[0].to_string(); firsts],
        "{slack}"
    );

    let discord = &team.sandbox.sink_messages(SinkKind::Discord)[0];
    let content = discord["content"].as_str().unwrap();
    let firsts = owned_lines(content, "• ", &overdue, 0);
    assert!(firsts > 0, "{content}");
    assert_eq!(
        discord["allowed_mentions"],
        json!({ "parse": [], "users": [DISCORD[0]] })
    );
    assert_eq!(
        raw_mentions(content),
        vec![DISCORD[0].to_string(); firsts],
        "{content}"
    );

    let card = &team.sandbox.sink_messages(SinkKind::Teams)[0];
    let texts = card_texts(card);
    let firsts = owned_lines(&texts, "- ", &overdue, 0);
    assert!(firsts > 0, "{texts}");
    assert_eq!(texts.matches("<at>").count(), firsts, "{texts}");
    let entities = entities(card);
    assert_eq!(entities.len(), 1, "{entities:?}");
    assert_eq!(entities[0]["mentioned"]["id"], TEAMS[0]);
    let mention = entities[0]["text"].as_str().unwrap();
    assert_eq!(
        texts.matches(mention).count(),
        firsts,
        "{mention} in {texts}"
    );
    assert!(
        !mention[4..mention.len() - 5].contains(['<', '>']),
        "{mention}"
    );
}

#[test]
fn a_wrong_people_value_is_exit_2_naming_the_key_never_the_value() {
    let team = Team::new(34, SandboxConfig::default());
    let secret = "https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx";
    for (key, value, says) in [
        ("slack", secret, "'slack' is not a Slack member ID"),
        (
            "discord",
            "xoxb-1234-secret-token",
            "'discord' is not a Discord user ID",
        ),
        ("teams", "<at>everyone</at>", "'teams' is not a Microsoft"),
        ("slack", "<!channel>", "'slack' is not a Slack member ID"),
    ] {
        let config = team.config(&format!("[people.\"ada@acme.com\"]\n{key} = '{value}'\n"));
        let run = team.run(&config, &["sweep"], &[SinkKind::Slack]);
        run.expect_code(2);
        assert!(
            run.stderr.contains("[people.\"ada@acme.com\"]"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(says), "{}", run.stderr);
        for out in [&run.stdout, &run.stderr] {
            assert!(!out.contains(value), "{value} echoed:\n{out}");
        }
    }
    assert!(team.sandbox.requests().is_empty(), "nothing was sent");
    assert!(team.sandbox.sink_messages(SinkKind::Slack).is_empty());
}

#[test]
fn keys_by_id_still_match_without_emails_keys_by_email_cannot() {
    // Without the email capability, the person mapped by email is named:
    // Notion does not say who has that email.
    let team = Team::new(
        32,
        SandboxConfig {
            user_emails: false,
            ..SandboxConfig::default()
        },
    );
    let overdue = team.overdue();
    let run = team.run(
        &team.config(&team.mapping()),
        &["sweep"],
        &[SinkKind::Slack],
    );
    run.expect_code(0);
    let slack = team.sandbox.sink_messages(SinkKind::Slack)[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = |k: usize| {
        if k == 1 {
            format!("<@{}>", SLACK[1])
        } else {
            team.people[k].name.clone()
        }
    };
    for (id, part) in owner_parts(&overdue, shown) {
        let line = line_of(&slack, &id, "• ");
        assert!(
            line.ends_with(&format!("){part}")),
            "{line}\nwants '{part}'"
        );
    }
    assert!(
        overdue.values().any(|(_, o)| o.contains(&1)),
        "the ID-mapped person owns a task"
    );
}

#[test]
fn check_lists_the_owners_without_a_mapping() {
    let team = Team::new(32, SandboxConfig::default());
    let owners: BTreeSet<usize> = team
        .overdue()
        .values()
        .flat_map(|(_, o)| o.iter().copied())
        .collect();
    let config = team.config(&team.mapping());
    let run = team.run(&config, &["check"], &[]);
    run.expect_code(0);
    let line = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("Owners"))
        .unwrap_or_else(|| panic!("an Owners line:\n{}", run.stdout))
        .to_string();
    assert!(line.contains("'Assignee'"), "{line}");
    for (k, person) in team.people.iter().enumerate() {
        let named = line.contains(&person.name);
        assert_eq!(
            named,
            k == 2 && owners.contains(&2),
            "{}: {line}",
            person.name
        );
    }
    let json = team.run(&config, &["check", "--output", "json"], &[]);
    let doc = json.json();
    let unmapped = &board_doc(&doc)["unmapped_owners"];
    let third = &team.people[2];
    let expected = if owners.contains(&2) {
        json!([format!(
            "{} <{}>",
            third.name,
            third.email.as_deref().unwrap()
        )])
    } else {
        json!([])
    };
    assert_eq!(unmapped, &expected);
}
