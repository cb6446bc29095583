//! Discord's message: `content` of at most 2,000 characters in Discord
//! markdown, with mentions turned off so that no title pings anyone; for a
//! sweep (`message`) and for what `stale` and `digest` say (`said`).

use std::cell::RefCell;

use serde_json::{json, Value};

use super::message::{fit, header, listed, name, notes, parts, to, Note, Owner};
use super::said::{Line, Said};
use crate::jobs::board::People;
use crate::jobs::summary::Summary;

/// The most characters Discord takes in `content`.
pub(super) const MAX_CONTENT: usize = 2000;

/// The message for a run: up to ten tasks, fewer where the content would
/// pass [`MAX_CONTENT`], then a count of the rest.
pub(super) fn message(summary: &Summary, people: &People) -> Value {
    body(content(summary, people))
}

/// Discord's message for what `stale` or `digest` says: the same shape as
/// a sweep's, the facts as a line under the first.
pub(super) fn said(said: &Said) -> Value {
    let line = |line: &Line| line.show(escape, "**");
    let head = format!("{}{}", line(&said.head), said.facts_line(escape));
    let mentions = RefCell::new(Vec::<String>::new());
    let parts: Vec<(Option<String>, Vec<String>)> = said
        .parts
        .iter()
        .map(|part| {
            let heading = part.heading.as_ref().map(|h| format!("\n{}", line(h)));
            let lines = part
                .items
                .iter()
                .map(|item| {
                    format!(
                        "\n• {}, {}{}",
                        link(&item.title, &item.url),
                        line(&item.detail),
                        owners(&item.owners, &mentions)
                    )
                })
                .collect();
            (heading, lines)
        })
        .collect();
    let tail: String = said.notes.iter().map(note).collect();
    body(fit(head, &parts, &tail, MAX_CONTENT))
}

/// The message: its content, with only the owners it mentions pinged.
fn body(content: String) -> Value {
    // `@everyone`, `<@id>` in a title notify nobody: only the owners this
    // message mentions are pinged.
    let users = mentioned(&content);
    let allowed = if users.is_empty() {
        json!({ "parse": [] })
    } else {
        json!({ "parse": [], "users": users })
    };
    json!({ "content": content, "allowed_mentions": allowed })
}

/// A task's title (not yet escaped), linked when it has a link; `<…>`
/// keeps Discord from unfurling every link.
fn link(title: &str, url: &str) -> String {
    let label = escape(title);
    if url.is_empty() {
        label
    } else {
        format!("[{label}](<{}>)", link_target(url))
    }
}

/// A note under the list, on a line of its own.
fn note(note: &Note) -> String {
    let sign = if note.warning { "⚠️ " } else { "" };
    format!("\n{sign}{}", note.text)
}

/// The most users Discord lets one message ping.
const MAX_MENTIONS: usize = 100;

/// The user IDs `content` mentions (`<@id>`, never an escaped `\<@id\>`),
/// each once, in order.
fn mentioned(content: &str) -> Vec<String> {
    let mut users: Vec<String> = Vec::new();
    let mut rest = content;
    while let Some(at) = rest.find("<@") {
        let escaped = rest[..at].ends_with('\\');
        let after = &rest[at + 2..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !escaped
            && !digits.is_empty()
            && after[digits.len()..].starts_with('>')
            && !users.contains(&digits)
        {
            users.push(digits);
        }
        rest = after;
    }
    users
}

/// A task's owners after a dash: a mapped owner is mentioned (and noted
/// in `mentions`), unless a hundred others already were; anyone else is a
/// name, escaped.
fn owners(owners: &[Owner], mentions: &RefCell<Vec<String>>) -> String {
    Owner::list(owners, |owner| {
        let mut mentions = mentions.borrow_mut();
        match owner.ids.as_ref().and_then(|ids| ids.discord.as_ref()) {
            Some(id) if mentions.contains(id) || mentions.len() < MAX_MENTIONS => {
                if !mentions.contains(id) {
                    mentions.push(id.clone());
                }
                format!("<@{id}>")
            }
            _ => escape(&owner.name),
        }
    })
}

fn content(summary: &Summary, people: &People) -> String {
    // Owners past the hundredth mentioned are named instead.
    let mentions = RefCell::new(Vec::<String>::new());
    let head = header(
        summary,
        &escape(&name(summary)),
        &escape(&to(summary)),
        "**",
    );
    let tail: String = notes(summary).iter().map(note).collect();
    let parts: Vec<(Option<String>, Vec<String>)> = parts(summary, "**")
        .into_iter()
        .map(|(heading, tasks)| {
            let lines = tasks
                .into_iter()
                .map(|task| {
                    let task = listed(summary, task, people);
                    let owners = owners(&task.owners, &mentions);
                    format!("\n• {}, {}{owners}", link(&task.title, task.url), task.due)
                })
                .collect();
            (heading, lines)
        })
        .collect();
    fit(head, &parts, &tail, MAX_CONTENT)
}

/// Text from a task shown literally: Discord markdown, `<@…>` mentions and
/// masked-link brackets escaped; line breaks become spaces.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '<' | '#' | '[' | ']' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A link target that cannot end the `<…>` or the link early.
fn link_target(url: &str) -> String {
    url.replace('<', "%3C")
        .replace('>', "%3E")
        .replace(' ', "%20")
        .replace(')', "%29")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::summary::example;
    use crate::jobs::summary::Outcome;

    #[test]
    fn the_discord_message() {
        let message = message(&example::summary(), &People::default());
        assert_eq!(message["allowed_mentions"], json!({ "parse": [] }));
        insta::assert_snapshot!(message["content"].as_str().unwrap());
    }

    #[test]
    fn a_run_both_ways() {
        insta::assert_snapshot!(
            message(&example::both_ways(), &People::default())["content"]
                .as_str()
                .unwrap()
        );
    }

    #[test]
    fn owners_mapped_are_mentioned_and_allowed_the_others_named() {
        let message = message(&example::with_owners(), &example::people());
        insta::assert_snapshot!(message["content"].as_str().unwrap());
        assert_eq!(
            message["allowed_mentions"],
            json!({ "parse": [], "users": ["80351110224678912"] })
        );
    }

    #[test]
    fn markdown_and_mentions_in_titles_are_shown_literally() {
        let mut summary = example::summary();
        summary.tasks[0].title =
            "@everyone # *ship* [it](http://evil) `now` ~x~ <@123> | _a_".into();
        let message = message(&summary, &People::default());
        let text = message["content"].as_str().unwrap();
        assert!(
            text.contains(
                r"[@everyone \# \*ship\* \[it\]\(http://evil\) \`now\` \~x\~ \<@123\> \| \_a\_](<https://www.notion.so/"
            ),
            "{text}"
        );
        assert_eq!(
            message["allowed_mentions"]["parse"],
            json!([]),
            "nobody is pinged"
        );
    }

    #[test]
    fn long_titles_fit_in_2000_characters_with_a_count_of_the_rest() {
        let mut summary = example::summary();
        let mut task = summary.tasks[0].clone();
        task.outcome = Outcome::Updated;
        task.title = "_".repeat(300);
        summary.tasks = vec![task; 12];
        summary.matched = 12;
        summary.updated = 12;
        summary.failed = 0;
        let text = content(&summary, &People::default());
        assert!(
            text.chars().count() <= MAX_CONTENT,
            "{}",
            text.chars().count()
        );
        let shown = text.matches("\n• ").count();
        assert!((1..10).contains(&shown), "{shown} listed");
        assert!(
            text.ends_with(&format!("\n…and {} more", 12 - shown)),
            "{text}"
        );
        // One more task would not have fitted.
        assert!(text.chars().count() + 260 > MAX_CONTENT);
    }

    #[test]
    fn short_titles_list_ten_then_a_count() {
        let mut summary = example::summary();
        let first = summary.tasks[0].clone();
        summary.tasks = vec![first; 13];
        summary.matched = 13;
        summary.updated = 13;
        summary.failed = 0;
        let text = content(&summary, &People::default());
        assert_eq!(text.matches("\n• ").count(), 10);
        assert!(text.ends_with("\n…and 3 more"), "{text}");
    }
}
