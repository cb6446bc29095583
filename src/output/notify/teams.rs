//! Teams' message: an Adaptive Card, the only body a Workflows webhook
//! takes, with the same content as Slack's; for a sweep (`message`) and
//! for what `stale` and `digest` say (`said`).

use serde_json::{json, Value};

use super::message::{header, listed, moved, name, notes, parts, to, Note, Owner, LISTED};
use super::said::{Line, Said};
use crate::jobs::board::People;
use crate::jobs::summary::Summary;

/// The most characters of the list of tasks: with the rest of the card,
/// its body stays well under the 28 KB a Teams message takes, whatever
/// the titles hold.
const MAX_LIST: usize = 4000;

/// The card for a run: a headline, up to ten tasks (fewer where the list
/// would pass [`MAX_LIST`]), a count of the rest, the counts as facts, and
/// the notes.
pub(super) fn message(summary: &Summary, people: &People) -> Value {
    // One entity per `<at>` text the card shows, matching it exactly.
    let mut entities: Vec<Value> = Vec::new();
    let mut body = vec![text_block(
        &header(
            summary,
            &escape(&name(summary)),
            &escape(&to(summary)),
            "**",
        ),
        json!({ "weight": "bolder", "size": "medium" }),
    )];
    let moved = moved(summary);
    let parts: Vec<(Option<String>, Vec<String>)> = parts(summary, "**")
        .into_iter()
        .map(|(heading, tasks)| {
            let lines = tasks
                .into_iter()
                .map(|task| {
                    let task = listed(summary, task, people);
                    let owners = owners(&task.owners, &mut entities);
                    format!("- {}, {}{owners}", link(&task.title, task.url), task.due)
                })
                .collect();
            (heading.map(|h| h.trim_start().to_string()), lines)
        })
        .collect();
    body.extend(list(&parts));
    let mut facts = vec![
        json!({ "title": "Overdue", "value": summary.matched.to_string() }),
        json!({ "title": "Moved", "value": moved.len().to_string() }),
    ];
    if summary.restored > 0 {
        facts.push(json!({ "title": "Restored", "value": summary.restored.to_string() }));
    }
    if summary.due_soon > 0 {
        facts.push(json!({ "title": "Due soon", "value": summary.due_soon.to_string() }));
    }
    facts.push(json!({ "title": "Not updated", "value": summary.failed.to_string() }));
    facts.push(json!({ "title": "As of", "value": summary.as_of.to_string() }));
    body.push(json!({ "type": "FactSet", "facts": facts }));
    body.extend(notes(summary).iter().map(note));
    card(body, entities)
}

/// Teams' card for what `stale` or `digest` says: the first line, the
/// facts, each part's tasks, the notes.
pub(super) fn said(said: &Said) -> Value {
    let line = |line: &Line| line.show(escape, "**");
    // One entity per `<at>` text the card shows, matching it exactly.
    let mut entities: Vec<Value> = Vec::new();
    let mut body = vec![text_block(
        &line(&said.head),
        json!({ "weight": "bolder", "size": "medium" }),
    )];
    if !said.facts.is_empty() {
        let mut length = 0;
        let facts: Vec<Value> = said
            .facts
            .iter()
            .map(|(name, n)| json!({ "title": escape(name), "value": n.to_string() }))
            .take_while(|fact| {
                length += fact.to_string().len();
                length <= MAX_LIST
            })
            .collect();
        let more = said.facts.len() - facts.len();
        body.push(json!({ "type": "FactSet", "facts": facts }));
        if more > 0 {
            body.push(text_block(
                &format!("…and {more} more"),
                json!({ "isSubtle": true }),
            ));
        }
    }
    let parts: Vec<(Option<String>, Vec<String>)> = said
        .parts
        .iter()
        .map(|part| {
            let lines = part
                .items
                .iter()
                .map(|item| {
                    format!(
                        "- {}, {}{}",
                        link(&item.title, &item.url),
                        line(&item.detail),
                        owners(&item.owners, &mut entities)
                    )
                })
                .collect();
            (part.heading.as_ref().map(line), lines)
        })
        .collect();
    body.extend(list(&parts));
    body.extend(said.notes.iter().map(note));
    card(body, entities)
}

/// The TextBlocks of the parts of a message (each a heading line, not yet
/// wrapped in bold, and its lines): each part gets its share of
/// [`MAX_LIST`], at most ten lines, then a count of the rest.
fn list(parts: &[(Option<String>, Vec<String>)]) -> Vec<Value> {
    let share = MAX_LIST / parts.len().max(1);
    let mut body = Vec::new();
    for (heading, lines) in parts {
        if let Some(heading) = heading {
            body.push(text_block(heading, json!({ "weight": "bolder" })));
        }
        let mut length = 0;
        let items: Vec<&str> = lines
            .iter()
            .take(LISTED)
            .map(String::as_str)
            .take_while(|item| {
                length += item.chars().count() + 1;
                length <= share
            })
            .collect();
        if !items.is_empty() {
            body.push(text_block(&items.join("\r"), json!({})));
        }
        if lines.len() > items.len() {
            body.push(text_block(
                &format!("…and {} more", lines.len() - items.len()),
                json!({ "isSubtle": true }),
            ));
        }
    }
    body
}

/// A task's title (not yet escaped), linked when it has a link.
fn link(title: &str, url: &str) -> String {
    let label = escape(title);
    if url.is_empty() {
        label
    } else {
        format!("[{label}]({})", url.replace(' ', "%20").replace(')', "%29"))
    }
}

/// A note under the list: a warning in the attention colour.
fn note(note: &Note) -> Value {
    if note.warning {
        text_block(
            &format!("⚠️ {}", note.text),
            json!({ "color": "attention" }),
        )
    } else {
        text_block(&note.text, json!({}))
    }
}

/// The message a Workflows webhook takes: an Adaptive Card of `body`,
/// with the mention entities whose `<at>` text the card shows (a line cut
/// for room takes its mentions with it).
fn card(body: Vec<Value>, entities: Vec<Value>) -> Value {
    let shown = serde_json::to_string(&body).unwrap_or_default();
    let entities: Vec<Value> = entities
        .into_iter()
        .filter(|entity| {
            entity["text"]
                .as_str()
                .and_then(|text| serde_json::to_string(text).ok())
                .is_some_and(|text| shown.contains(text.trim_matches('"')))
        })
        .collect();
    let mut content = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    });
    if !entities.is_empty() {
        content["msteams"] = json!({ "entities": entities });
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": content,
        }],
    })
}

/// A task's owners after a dash: a mapped owner is mentioned (its entity
/// added to `entities` once); anyone else is a name, escaped.
fn owners(owners: &[Owner], entities: &mut Vec<Value>) -> String {
    Owner::list(owners, |owner| {
        match owner.ids.as_ref().and_then(|ids| ids.teams.as_ref()) {
            Some(id) => {
                let (text, entity) = mention(&owner.name, id);
                if !entities.contains(&entity) {
                    entities.push(entity);
                }
                text
            }
            None => escape(&owner.name),
        }
    })
}

/// A mention of a mapped owner: the `<at>` text the card shows, and its
/// entity. The name inside `<at>` is kept to plain characters, so that it
/// matches its entity exactly and no name can make markup.
fn mention(name: &str, id: &str) -> (String, Value) {
    let plain: String = name
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '<' | '>' | '*' | '_' | '~' | '`' | '#' | '[' | ']' | '(' | ')' | '\\'
            )
        })
        .filter(|c| !c.is_control())
        .collect();
    let text = format!("<at>{}</at>", plain.trim());
    let entity = json!({
        "type": "mention",
        "text": text,
        "mentioned": { "id": id, "name": plain.trim() },
    });
    (text, entity)
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
        insta::assert_snapshot!(serde_json::to_string_pretty(&message(
            &example::summary(),
            &People::default()
        ))
        .unwrap());
    }

    #[test]
    fn any_input_fits_a_teams_message() {
        let mut summary = example::summary();
        let mut task = summary.tasks[0].clone();
        task.outcome = crate::jobs::summary::Outcome::Updated;
        task.title = "\\*".repeat(300);
        task.url = format!("https://www.notion.so/{}", "b".repeat(450));
        summary.tasks = vec![task; 12];
        summary.matched = 12;
        summary.updated = 12;
        summary.failed = 0;
        summary.title = "\\".repeat(50_000);
        let body = message(&summary, &People::default()).to_string();
        assert!(body.len() < 28 * 1024, "{} bytes", body.len());
        assert!(body.contains("…and "), "a count of the rest");
    }

    #[test]
    fn a_run_both_ways() {
        insta::assert_snapshot!(serde_json::to_string_pretty(&message(
            &example::both_ways(),
            &People::default()
        ))
        .unwrap());
    }

    #[test]
    fn owners_mapped_are_at_mentioned_with_their_entities() {
        let card = message(&example::with_owners(), &example::people());
        insta::assert_snapshot!(serde_json::to_string_pretty(&card).unwrap());
        let content = &card["attachments"][0]["content"];
        assert_eq!(
            content["msteams"]["entities"],
            json!([{
                "type": "mention",
                "text": "<at>Ada Lovelace</at>",
                "mentioned": { "id": "ada@acme.com", "name": "Ada Lovelace" },
            }])
        );
    }

    #[test]
    fn titles_cannot_make_links_or_formatting() {
        let mut summary = example::summary();
        summary.tasks[0].title = "[click](http://evil) **now**".into();
        let card = message(&summary, &People::default());
        let list = card["attachments"][0]["content"]["body"][1]["text"]
            .as_str()
            .unwrap();
        assert!(
            list.starts_with(r"- [\[click\]\(http://evil\) \*\*now\*\*](https://www.notion.so/"),
            "{list}"
        );
    }
}
