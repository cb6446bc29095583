//! What `undo` says to every channel: what was moved back ("Moved back 3
//! tasks the sweep moved in *Team Tasks*"), the tasks (up to ten, each
//! with the status it left and the one it went back to), and what a
//! channel must know besides (conflicts, failures, a run that stopped).

use super::message::{link, short, why_stopped, Note};
use super::said::{Item, Line, Part, Said};
use crate::jobs::run::Run;
use crate::jobs::undo::{Undo, UndoOutcome, UndoTask};
use crate::output::report::plural;

/// The message of an undo run: only the tasks moved back are listed.
pub(super) fn said(run: &Run<Undo>) -> Said {
    let items = run
        .found
        .tasks
        .iter()
        .filter(|t| t.outcome == UndoOutcome::Undone)
        .map(item)
        .collect();
    Said {
        head: head(run),
        facts: Vec::new(),
        parts: vec![Part {
            heading: None,
            items,
        }],
        notes: notes(run),
    }
}

/// "*Team Tasks*: moved back 3 tasks that notion-sweep had moved:"
fn head(run: &Run<Undo>) -> Line {
    let n = run.found.undone;
    Line::default().bold(run.name()).ours(format!(
        ": moved back {n} {} that notion-sweep had moved (undo):",
        plural(n, "task")
    ))
}

/// "Overdue → To Do"
fn item(task: &UndoTask) -> Item {
    Item {
        title: short(&task.display_title()),
        url: link(&task.url).to_string(),
        detail: Line::default()
            .name(&task.swept_to)
            .ours(" → ")
            .name(&task.back_to),
        // An undo names no owners: the document is trusted for ids, names
        // and statuses only.
        owners: Vec::new(),
    }
}

/// Conflicts, tasks in doubt, tasks not moved back, a run that stopped early.
fn notes(run: &Run<Undo>) -> Vec<Note> {
    let found = &run.found;
    let warn = |text: String| Note {
        warning: true,
        text,
    };
    let mut notes = Vec::new();
    if found.conflicts > 0 {
        notes.push(Note {
            warning: false,
            text: format!(
                "{} {} changed since the sweep and left alone.",
                found.conflicts,
                plural(found.conflicts, "task")
            ),
        });
    }
    let unknown = found.count(UndoOutcome::Unknown);
    if unknown > 0 {
        notes.push(warn(format!(
            "{unknown} unknown: the run stopped before Notion answered, so they may or may not have moved; check Notion."
        )));
    }
    if let Some(error) = &run.error {
        notes.push(warn(format!(
            "Incomplete run ({}): some tasks were not moved back; run the undo again to finish.",
            why_stopped(error.kind)
        )));
    } else if found.failed > 0 {
        notes.push(warn(format!(
            "{} {} could not be moved back; run the undo again to retry.",
            found.failed,
            plural(found.failed, "task")
        )));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::super::{discord, slack, teams};
    use super::*;
    use crate::jobs::undo::example;

    #[test]
    fn the_slack_message() {
        let message = slack::said(&said(&example::run()));
        insta::assert_snapshot!(message["text"].as_str().unwrap());
        assert_eq!(message["blocks"][0]["text"]["text"], message["text"]);
    }

    #[test]
    fn the_discord_message() {
        let message = discord::said(&said(&example::run()));
        assert_eq!(
            message["allowed_mentions"],
            serde_json::json!({ "parse": [] })
        );
        insta::assert_snapshot!(message["content"].as_str().unwrap());
    }

    #[test]
    fn the_teams_card() {
        insta::assert_snapshot!(
            serde_json::to_string_pretty(&teams::said(&said(&example::run()))).unwrap()
        );
    }

    #[test]
    fn only_the_tasks_moved_back_are_listed() {
        let text = slack::said(&said(&example::run()))["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(text.contains("Fix login bug"), "{text}");
        assert!(!text.contains("Call the client"), "a conflict: {text}");
        assert!(!text.contains("Review PR"), "a failure: {text}");
    }
}
