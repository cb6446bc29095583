//! Slack's message: mrkdwn text, and the same text as one section block.

use serde_json::{json, Value};

use super::message::{header, listed, moved, notes, LISTED};
use crate::jobs::summary::Summary;

/// Escapes Slack's mrkdwn control characters in text that comes from a task.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Slack's message for a run: what was moved, and whether the run was complete.
pub(super) fn message(summary: &Summary) -> Value {
    let mut text = header(summary, &escape(summary.name()), &escape(&summary.to), "*");
    let moved = moved(summary);
    for task in moved.iter().take(LISTED) {
        let task = listed(summary, task);
        let label = escape(&task.title);
        let link = if task.url.is_empty() {
            label
        } else {
            format!("<{}|{label}>", escape(task.url))
        };
        text.push_str(&format!("\n• {link}, {}", task.due));
    }
    if moved.len() > LISTED {
        text.push_str(&format!("\n…and {} more", moved.len() - LISTED));
    }
    for note in notes(summary) {
        let sign = if note.warning { ":warning: " } else { "" };
        text.push_str(&format!("\n{sign}{}", note.text));
    }
    json!({
        "text": text,
        "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": text } }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::summary::example;

    #[test]
    fn the_slack_message() {
        let message = message(&example::summary());
        insta::assert_snapshot!(message["text"].as_str().unwrap());
        assert_eq!(message["blocks"][0]["text"]["text"], message["text"]);
    }

    #[test]
    fn ten_tasks_then_a_count() {
        let mut summary = example::summary();
        let first = summary.tasks[0].clone();
        summary.tasks = (0..13).map(|_| first.clone()).collect();
        summary.matched = 13;
        summary.updated = 13;
        summary.failed = 0;
        let text = message(&summary)["text"].as_str().unwrap().to_string();
        assert_eq!(text.matches("• ").count(), 10);
        assert!(text.ends_with("…and 3 more"), "{text}");
    }
}
