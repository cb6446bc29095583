//! Teams' message: an Adaptive Card, the only body a Workflows webhook
//! takes, with the same content as Slack's.

use serde_json::{json, Value};

use super::message::{header, listed, moved, notes, LISTED};
use crate::jobs::summary::Summary;

/// The card for a run: a headline, up to ten tasks, a count of the rest,
/// the counts as facts, and the notes.
pub(super) fn message(summary: &Summary) -> Value {
    let mut body = vec![text_block(
        &header(summary, &escape(summary.name()), &escape(&summary.to), "**"),
        json!({ "weight": "bolder", "size": "medium" }),
    )];
    let moved = moved(summary);
    let items: Vec<String> = moved
        .iter()
        .take(LISTED)
        .map(|task| {
            let task = listed(summary, task);
            let label = escape(&task.title);
            let link = if task.url.is_empty() {
                label
            } else {
                format!(
                    "[{label}]({})",
                    task.url.replace(' ', "%20").replace(')', "%29")
                )
            };
            format!("- {link}, {}", task.due)
        })
        .collect();
    if !items.is_empty() {
        body.push(text_block(&items.join("\r"), json!({})));
    }
    if moved.len() > LISTED {
        body.push(text_block(
            &format!("…and {} more", moved.len() - LISTED),
            json!({ "isSubtle": true }),
        ));
    }
    body.push(json!({
        "type": "FactSet",
        "facts": [
            { "title": "Overdue", "value": summary.matched.to_string() },
            { "title": "Moved", "value": moved.len().to_string() },
            { "title": "Not updated", "value": summary.failed.to_string() },
            { "title": "As of", "value": summary.as_of.to_string() },
        ],
    }));
    for note in notes(summary) {
        let style = if note.warning {
            json!({ "color": "attention" })
        } else {
            json!({})
        };
        let sign = if note.warning { "⚠️ " } else { "" };
        body.push(text_block(&format!("{sign}{}", note.text), style));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
            },
        }],
    })
}

/// A wrapping TextBlock with extra properties (`weight`, `color`…).
fn text_block(text: &str, extra: Value) -> Value {
    let mut block = json!({ "type": "TextBlock", "text": text, "wrap": true });
    if let (Some(block), Some(extra)) = (block.as_object_mut(), extra.as_object()) {
        block.extend(extra.clone());
    }
    block
}

/// Text from a task shown literally in a TextBlock's markdown.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '#' | '[' | ']' | '(' | ')' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::summary::example;

    #[test]
    fn the_teams_card() {
        insta::assert_snapshot!(
            serde_json::to_string_pretty(&message(&example::summary())).unwrap()
        );
    }

    #[test]
    fn titles_cannot_make_links_or_formatting() {
        let mut summary = example::summary();
        summary.tasks[0].title = "[click](http://evil) **now**".into();
        let card = message(&summary);
        let list = card["attachments"][0]["content"]["body"][1]["text"]
            .as_str()
            .unwrap();
        assert!(
            list.starts_with(r"- [\[click\]\(http://evil\) \*\*now\*\*](https://www.notion.so/"),
            "{list}"
        );
    }
}
