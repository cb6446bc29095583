//! What `digest` says to every channel: how many tasks, how many per
//! status (facts), and the tasks edited lately, one part per status, up to
//! ten each.

use super::message::{why_stopped, Note};
use super::said::{Item, Line, Part, Said};
use crate::jobs::board::People;
use crate::jobs::digest::Digest;
use crate::jobs::run::Run;
use crate::output::report::digest::hours;
use crate::output::report::plural;

/// The message of a digest.
pub(super) fn said(run: &Run<Digest>, people: &People) -> Said {
    let found = &run.found;
    let edited = found.edited.len();
    let head = Line::default().bold(run.name()).ours(format!(
        ": {} {}; {edited} edited in the last {}{}",
        found.total,
        plural(found.total, "task"),
        hours(found.since_hours),
        if edited > 0 { ":" } else { "." }
    ));
    let mut facts: Vec<(String, usize)> = found
        .counts
        .iter()
        .map(|(name, n)| (name.to_string(), n))
        .collect();
    if found.no_status > 0 {
        facts.push(("(no status)".into(), found.no_status));
    }
    let parts = found
        .edited_statuses()
        .into_iter()
        .map(|status| {
            let items: Vec<Item> = found
                .edited_in(status)
                .map(|task| {
                    let edited = task
                        .last_edited
                        .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M").to_string());
                    let detail = Line::default().ours(format!("edited {edited} UTC"));
                    Item::of(task, detail, people)
                })
                .collect();
            let heading = Line::default()
                .bold(status.unwrap_or("(no status)"))
                .ours(format!(": {} edited", items.len()));
            Part {
                heading: Some(heading),
                items,
            }
        })
        .collect();
    let notes = run
        .error
        .iter()
        .map(|error| Note {
            warning: true,
            text: format!(
                "Incomplete run ({}): the counts and the list may miss tasks.",
                why_stopped(error.kind)
            ),
        })
        .collect();
    Said {
        head,
        facts,
        parts,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{discord, slack, teams};
    use super::*;
    use crate::jobs::digest::example;
    use crate::jobs::summary::example::people;

    #[test]
    fn the_slack_message() {
        let message = slack::said(&said(&example::run(), &people()));
        insta::assert_snapshot!(message["text"].as_str().unwrap());
    }

    #[test]
    fn the_discord_message() {
        let message = discord::said(&said(&example::run(), &people()));
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
    fn each_status_lists_ten_tasks_then_counts_the_rest() {
        let text = slack::said(&said(&example::run(), &people()))["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(text.contains("\n*In Progress*: 12 edited"), "{text}");
        assert!(text.contains("\n…and 2 more\n*Done*: 1 edited"), "{text}");
    }

    #[test]
    fn a_digest_with_nothing_edited_still_has_its_counts() {
        let mut run = example::run();
        run.found.edited.clear();
        let said = said(&run, &People::default());
        let text = slack::said(&said)["text"].as_str().unwrap().to_string();
        assert_eq!(
            text,
            "*Team Tasks*: 17 tasks; 0 edited in the last 24 hours.\n\
             To Do: 2 · In Progress: 12 · Review: 0 · Done: 1 · (no status): 2"
        );
        let card = teams::said(&said);
        let facts = &card["attachments"][0]["content"]["body"][1];
        assert_eq!(facts["type"], "FactSet");
        assert_eq!(
            facts["facts"][2],
            serde_json::json!({ "title": "Review", "value": "0" })
        );
    }

    #[test]
    fn any_name_fits_every_channels_limits() {
        let mut run = example::run();
        let names: Vec<String> = (0..300)
            .map(|n| format!("{n}{}", "_".repeat(200)))
            .collect();
        run.found.counts = crate::jobs::digest::example::counts(&names);
        for t in &mut run.found.edited {
            t.title = "`~|#".repeat(200);
        }
        let said = said(&run, &People::default());
        assert!(slack::said(&said)["text"].as_str().unwrap().chars().count() <= 3000);
        let discord = discord::said(&said);
        assert!(discord["content"].as_str().unwrap().chars().count() <= 2000);
        let card = teams::said(&said).to_string();
        assert!(card.len() < 28 * 1024, "{} bytes", card.len());
        assert!(card.contains("…and "), "facts past the room are counted");
    }
}
