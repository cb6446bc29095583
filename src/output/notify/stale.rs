//! What `stale` says to every channel: an escalation ("3 tasks in 'In
//! Progress' untouched for 7+ days"), the tasks (up to ten), and what a
//! channel must know besides (tasks that could not be moved, a run that
//! stopped early).

use super::message::{why_stopped, Note};
use super::said::{Item, Line, Part, Said};
use crate::jobs::board::People;
use crate::jobs::run::Run;
use crate::jobs::stale::{Stale, StaleOutcome, StaleTask};
use crate::output::report::plural;

/// The message of a stale run.
pub(super) fn said(run: &Run<Stale>, people: &People) -> Said {
    let found = &run.found;
    let items = found.tasks.iter().map(|t| item(t, people)).collect();
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

/// "*Team Tasks*: 3 tasks in 'In Progress' or 'Review' untouched for 7+
/// days; 2 moved to *Stalled*:"
fn head(run: &Run<Stale>) -> Line {
    let found = &run.found;
    let n = found.matched;
    let mut line = Line::default()
        .bold(run.name())
        .ours(format!(": {n} {} in ", plural(n, "task")));
    for (i, status) in found.statuses.iter().enumerate() {
        if i > 0 {
            line = line.ours(if i + 1 == found.statuses.len() {
                " or "
            } else {
                ", "
            });
        }
        line = line.ours("'").name(status).ours("'");
    }
    line = line.ours(format!(
        " untouched for {}+ {}",
        found.idle_days,
        plural(found.idle_days as usize, "day")
    ));
    match &found.move_to {
        Some(to) if found.moved > 0 => line
            .ours(format!("; {} moved to ", found.moved))
            .bold(to)
            .ours(":"),
        _ => line.ours(":"),
    }
}

/// "In Progress, last edited 2026-11-10 (12 days idle)"
fn item(stale: &StaleTask, people: &People) -> Item {
    let task = &stale.task;
    let mut detail = Line::default();
    if let Some(status) = &task.status {
        detail = detail.name(status).ours(", ");
    }
    let edited = task
        .last_edited
        .map_or("-".into(), |t| t.format("%Y-%m-%d").to_string());
    let idle = stale.idle_days.unwrap_or(0).max(0) as usize;
    detail = detail.ours(format!(
        "last edited {edited} ({idle} {} idle)",
        plural(idle, "day")
    ));
    if stale.outcome == StaleOutcome::Failed {
        detail = detail.ours(", not moved");
    }
    Item::of(task, detail, people)
}

/// Tasks in doubt, tasks not moved, a run that stopped early.
fn notes(run: &Run<Stale>) -> Vec<Note> {
    let found = &run.found;
    let warn = |text: String| Note {
        warning: true,
        text,
    };
    let mut notes = Vec::new();
    let unknown = found.count(StaleOutcome::Unknown);
    if unknown > 0 {
        notes.push(warn(format!(
            "{unknown} unknown: the run stopped before Notion answered, so they may or may not have moved; check Notion."
        )));
    }
    if let Some(error) = &run.error {
        notes.push(warn(format!(
            "Incomplete run ({}): there may be more stale tasks; the next run will finish the job.",
            why_stopped(error.kind)
        )));
    } else if found.failed > 0 {
        notes.push(warn(format!(
            "{} {} could not be moved; the next run will retry.",
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
    use crate::jobs::stale::example;
    use crate::jobs::summary::example::people;

    #[test]
    fn the_slack_message() {
        let message = slack::said(&said(&example::run(), &people()));
        insta::assert_snapshot!(message["text"].as_str().unwrap());
        assert_eq!(message["blocks"][0]["text"]["text"], message["text"]);
    }

    #[test]
    fn the_discord_message() {
        let message = discord::said(&said(&example::run(), &people()));
        assert_eq!(
            message["allowed_mentions"],
            serde_json::json!({ "parse": [], "users": ["80351110224678912"] }),
            "Ada, mapped, is mentioned; Grace is named"
        );
        insta::assert_snapshot!(message["content"].as_str().unwrap());
    }

    #[test]
    fn the_teams_card() {
        insta::assert_snapshot!(serde_json::to_string_pretty(&teams::said(&said(
            &example::run(),
            &people()
        )))
        .unwrap());
    }

    #[test]
    fn owners_are_mentioned_as_in_a_sweep_and_no_name_makes_a_mention() {
        let mut run = example::run();
        let hostile = "@everyone <!channel> <@U999ZZZ99> <@80351110224678999> <at>Boss</at>";
        for t in &mut run.found.tasks {
            t.task.title = hostile.into();
            for owner in t.task.assignees.iter_mut().flatten() {
                if owner.name != "Ada Lovelace" {
                    owner.name = hostile.into();
                }
            }
        }
        let ada = run
            .found
            .tasks
            .iter()
            .filter(|t| {
                t.task
                    .assignees
                    .iter()
                    .flatten()
                    .any(|p| p.name == "Ada Lovelace")
            })
            .count();
        assert!(ada > 0);
        let said = said(&run, &people());
        let slack = slack::said(&said)["text"].as_str().unwrap().to_string();
        assert_eq!(slack.matches("<@").count(), ada, "{slack}");
        assert_eq!(slack.matches("<@U012AB3CD>").count(), ada, "{slack}");
        assert!(!slack.contains("<!"), "{slack}");
        let discord = discord::said(&said);
        assert_eq!(
            discord["allowed_mentions"],
            serde_json::json!({ "parse": [], "users": ["80351110224678912"] })
        );
        let content = discord["content"].as_str().unwrap();
        assert_eq!(content.matches("<@80351110224678912>").count(), ada);
        assert_eq!(
            content.matches("<@").count() - content.matches("\\<@").count(),
            ada
        );
        let card = teams::said(&said);
        let content = &card["attachments"][0]["content"];
        let texts = content["body"].to_string();
        assert_eq!(texts.matches("<at>").count(), ada, "{texts}");
        assert_eq!(
            content["msteams"]["entities"],
            serde_json::json!([{
                "type": "mention",
                "text": "<at>Ada Lovelace</at>",
                "mentioned": { "id": "ada@acme.com", "name": "Ada Lovelace" },
            }])
        );
    }

    #[test]
    fn a_listing_names_ten_tasks_then_counts_the_rest() {
        let run = example::listed();
        let slack = slack::said(&said(&run, &People::default()));
        let text = slack["text"].as_str().unwrap();
        assert!(
            text.starts_with("*Team Tasks*: 12 tasks in 'In Progress' untouched for 7+ days:\n• <"),
            "{text}"
        );
        assert_eq!(text.matches("\n• ").count(), 10);
        assert!(text.ends_with("\n…and 2 more"), "{text}");
        let card = teams::said(&said(&run, &People::default())).to_string();
        assert!(card.contains("…and 2 more"), "{card}");
    }

    #[test]
    fn any_title_fits_every_channels_limits() {
        let mut run = example::listed();
        for t in &mut run.found.tasks {
            t.task.title = "&<>*_[]()".repeat(100);
            t.task.url = format!("https://www.notion.so/{}", "b".repeat(450));
            t.task.status = Some("<@everyone>".repeat(50));
        }
        run.title = "&".repeat(50_000);
        run.found.statuses = vec!["*".repeat(5_000); 30];
        let said = said(&run, &People::default());
        let slack = slack::said(&said);
        assert!(slack["text"].as_str().unwrap().chars().count() <= 3000);
        let discord = discord::said(&said);
        let content = discord["content"].as_str().unwrap();
        assert!(
            content.chars().count() <= 2000,
            "{}",
            content.chars().count()
        );
        assert!(!content.contains("<@everyone>"), "escaped: {content}");
        assert!(teams::said(&said).to_string().len() < 28 * 1024);
    }
}
