//! Slack's message: mrkdwn text, and the same text as one section block,
//! for a sweep (`message`) and for what `stale` and `digest` say (`said`).

use serde_json::{json, Value};

use super::message::{fit, header, listed, name, notes, parts, to, Note, Owner};
use super::said::{Line, Said};
use crate::jobs::board::People;
use crate::jobs::summary::Summary;

/// Escapes Slack's mrkdwn control characters in text that comes from a task.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The most characters of a section's text (Slack refuses more with
/// `invalid_blocks`); the same text is the fallback `text`, whose limit
/// (4,000) is higher.
const MAX_SECTION: usize = 3000;

/// Slack's message for a run: what was moved, and whether the run was
/// complete; up to ten tasks, fewer where the text would pass
/// [`MAX_SECTION`], then a count of the rest.
pub(super) fn message(summary: &Summary, people: &People) -> Value {
    let head = header(summary, &escape(&name(summary)), &escape(&to(summary)), "*");
    let parts: Vec<(Option<String>, Vec<String>)> = parts(summary, "*")
        .into_iter()
        .map(|(heading, tasks)| {
            let lines = tasks
                .into_iter()
                .map(|task| {
                    let task = listed(summary, task, people);
                    let owners = owners(&task.owners);
                    format!("\n• {}, {}{owners}", link(&task.title, task.url), task.due)
                })
                .collect();
            (heading, lines)
        })
        .collect();
    let tail: String = notes(summary).iter().map(note).collect();
    body(fit(head, &parts, &tail, MAX_SECTION))
}

/// Slack's message for what `stale` or `digest` says: the same shape as
/// a sweep's, the facts as a line under the first.
pub(super) fn said(said: &Said) -> Value {
    let line = |line: &Line| line.show(escape, "*");
    let head = format!("{}{}", line(&said.head), said.facts_line(escape));
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
                        owners(&item.owners)
                    )
                })
                .collect();
            (heading, lines)
        })
        .collect();
    let tail: String = said.notes.iter().map(note).collect();
    body(fit(head, &parts, &tail, MAX_SECTION))
}

/// A task's owners after a dash: a mapped owner is mentioned; anyone else
/// is a name, escaped.
fn owners(owners: &[Owner]) -> String {
    Owner::list(owners, |owner| {
        match owner.ids.as_ref().and_then(|ids| ids.slack.as_ref()) {
            Some(member) => format!("<@{member}>"),
            None => escape(&owner.name),
        }
    })
}

/// The message: the text, and the same text as one section block.
fn body(text: String) -> Value {
    json!({
        "text": text,
        "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": text } }],
    })
}

/// A task's title (not yet escaped), linked when it has a link.
fn link(title: &str, url: &str) -> String {
    let label = escape(title);
    if url.is_empty() {
        label
    } else {
        format!("<{}|{label}>", escape(url))
    }
}

/// A note under the list, on a line of its own.
fn note(note: &Note) -> String {
    let sign = if note.warning { ":warning: " } else { "" };
    format!("\n{sign}{}", note.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::summary::example;

    #[test]
    fn the_slack_message() {
        let message = message(&example::summary(), &People::default());
        insta::assert_snapshot!(message["text"].as_str().unwrap());
        assert_eq!(message["blocks"][0]["text"]["text"], message["text"]);
    }

    #[test]
    fn a_run_both_ways() {
        insta::assert_snapshot!(message(&example::both_ways(), &People::default())["text"]
            .as_str()
            .unwrap());
    }

    #[test]
    fn owners_mapped_are_mentioned_the_others_named() {
        let text = message(&example::with_owners(), &example::people())["text"]
            .as_str()
            .unwrap()
            .to_string();
        insta::assert_snapshot!(text);
        assert_eq!(text.matches("<@U012AB3CD>").count(), 2);
        assert!(
            !text.contains("Ada Lovelace"),
            "a mapped owner is mentioned, not named"
        );
    }

    #[test]
    fn ten_tasks_then_a_count() {
        let mut summary = example::summary();
        let first = summary.tasks[0].clone();
        summary.tasks = (0..13).map(|_| first.clone()).collect();
        summary.matched = 13;
        summary.updated = 13;
        summary.failed = 0;
        let text = message(&summary, &People::default())["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(text.matches("• ").count(), 10);
        assert!(text.ends_with("…and 3 more"), "{text}");
    }

    #[test]
    fn any_input_fits_slacks_limits() {
        let mut summary = example::summary();
        let mut task = summary.tasks[0].clone();
        task.outcome = crate::jobs::summary::Outcome::Updated;
        task.title = "&<>".repeat(200);
        task.url = format!(
            "https://www.notion.so/{}-{}",
            "a".repeat(300),
            "0".repeat(32)
        );
        summary.tasks = vec![task; 12];
        summary.matched = 12;
        summary.updated = 12;
        summary.failed = 0;
        summary.title = "&".repeat(50_000);
        summary.to = "<".repeat(10_000);
        let message = message(&summary, &People::default());
        let text = message["text"].as_str().unwrap();
        assert!(
            text.chars().count() <= MAX_SECTION,
            "{}",
            text.chars().count()
        );
        let shown = text.matches("\n• ").count();
        assert!((1..12).contains(&shown), "{shown} listed");
        assert!(
            text.ends_with(&format!("…and {} more", 12 - shown)),
            "{text}"
        );
    }
}
